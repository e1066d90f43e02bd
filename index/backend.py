"""What the answer path needs of a retrieval backend: passages for a question, best first.

The FAISS + BM25 index of the data dir (`index.retriever.Retriever`) is one implementation,
Milvus (`index.milvus_backend.MilvusRetriever`) the other; `service.backends` picks one from the
settings, and nothing after it knows which.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from index.folder import LoadedIndex
from index.modes import Mode
from index.retriever import ArticleFilter, Hit


class PassageSearch(Protocol):
    index: LoadedIndex  # the served generation: its articles, chunks and answer units

    def query_vector(self, question: str, mode: Mode = "hybrid") -> np.ndarray | None:
        """The question's embedding where the mode uses one."""
        ...

    def search(
        self,
        question: str,
        k: int,
        mode: Mode = "hybrid",
        query_vec: np.ndarray | None = None,
        only: ArticleFilter | None = None,
    ) -> list[Hit]:
        """The k best passages of the served generation, best first: fused (weighted RRF of the
        BM25 and dense rankings), BM25 or dense by mode, each with its BM25 score and cosine."""
        ...

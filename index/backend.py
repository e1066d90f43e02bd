"""What the answer path needs of a retrieval backend: passages for a question, best first.

The FAISS + BM25 index of the data dir (`index.retriever.Retriever`) is one implementation,
Milvus (`index.milvus_backend.MilvusRetriever`) the other; `service.backends` picks one from the
settings, and nothing after it knows which.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from corpus.model import Article, Chunk
from corpus.plain import iso_date
from index.embedder import Embedder
from index.folder import LoadedIndex
from index.modes import Mode
from index.vectors import vectors_of_rows

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Hit:
    chunk: Chunk
    score: float  # the score the ranking used (fused, BM25 or cosine, by mode)
    bm25: float
    dense: float  # cosine similarity of question and passage; 0.0 in bm25 mode


@dataclass(frozen=True, slots=True)
class FusionWeights:
    """Fusion of the keyword and the dense ranking by their scores: each ranking's scores as
    z-scores among the passages it holds (its `depth` best), summed with these weights.

    Measured with `python -m bench.tune_fusion` on the realistic parts the trainers read and the
    public CMRC 2018 / DRCD questions (README, Figures; recall@1 per set in docs/evaluation.md):
    equal weights are at least as good as the better single retriever at recall@1 on every set,
    where the reciprocal rank fusion it replaced (BM25 1.0, dense 0.5, k 20) lost up to 3 points
    to one of them: ranks drop how far ahead a confident match is."""

    bm25: float = 1.0
    dense: float = 1.0
    depth: int = 50  # how deep each ranking is read


# a passage a complete ranking lacks (the keyword ranking shorter than its depth holds every
# passage that shares a word with the question) counts this many units under its lowest
ABSENT_GAP = 0.5


def _standard_scores(
    ranking: Sequence[tuple[K, float]], complete: bool
) -> tuple[dict[K, float], float]:
    """The z-score of each passage's score among the ranking's (0 for all when they score
    alike; a score that is not finite counts as absent), and what a passage the ranking lacks
    counts: its lowest, ABSENT_GAP under that when the ranking is complete."""
    kept = [(i, s) for i, s in ranking if math.isfinite(s)]
    scores = np.asarray([s for _, s in kept], dtype=np.float64)
    spread = float(scores.std()) if len(scores) else 0.0
    z = (scores - scores.mean()) / spread if spread > 0 else np.zeros(len(scores))
    lowest = float(z.min()) if len(z) else 0.0
    return dict(zip((i for i, _ in kept), z.tolist(), strict=True)), lowest - ABSENT_GAP * complete


def fuse_rankings(
    bm25: Sequence[tuple[K, float]], dense: Sequence[tuple[K, float]], f: FusionWeights
) -> list[tuple[K, float]]:
    """One ranking of (id, fused score), best first, from two rankings of (id, score): the
    weighted sum of each passage's z-scores (`_standard_scores`; a ranking shorter than f.depth
    is complete); ties keep the keyword ranking's order, then the dense one's."""
    parts = [
        (w, _standard_scores(r, len(r) < f.depth))
        for w, r in ((f.bm25, bm25), (f.dense, dense))
        if r
    ]
    ids = dict.fromkeys([i for i, _ in bm25] + [i for i, _ in dense])
    fused = {i: sum(w * z.get(i, floor) for w, (z, floor) in parts) for i in ids}
    return sorted(fused.items(), key=lambda item: -round(item[1], 9))


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Which articles may answer: every condition given must hold (dates are YYYY-MM-DD and
    inclusive; an article without a date fails a date condition)."""

    doc_ids: frozenset[str] | None = None
    date_from: str | None = None
    date_to: str | None = None
    source: str | None = None

    def admits(self, article: Article) -> bool:
        if self.doc_ids is not None and article.doc_id not in self.doc_ids:
            return False
        if self.source is not None and str(article.metadata.get("source", "")) != self.source:
            return False
        if self.date_from or self.date_to:
            day = iso_date(str(article.metadata.get("date", "")))
            if day is None:
                return False
            if (self.date_from and day < self.date_from) or (self.date_to and day > self.date_to):
                return False
        return True


Ranking = list[tuple[int, float]]  # (passage row of the served generation, score), best first


def no_score(row: int) -> float:
    return 0.0


@dataclass(frozen=True, slots=True)
class Rankings:
    keyword: Ranking  # BM25 (empty in dense mode)
    nearest: Ranking  # cosine (empty without a question vector)
    bm25: Callable[[int], float]  # any passage's BM25 score for the question (0.0 if unknown)


@dataclass(frozen=True, slots=True)
class Asked:
    """What a backend's rankings are asked for."""

    question: str
    depth: int  # how many passages each ranking holds at most
    mode: Mode
    vector: np.ndarray | None  # the question's embedding (None: no dense ranking)
    only: ArticleFilter | None  # passages of the articles this filter admits


class PassageSearch:
    """A backend gives its two rankings of the served generation's passages (`rankings`); the
    search that fuses them, cuts them to k and fills in the scores is the same for all."""

    def __init__(
        self, index: LoadedIndex, embedder: Embedder | None, fusion: FusionWeights | None = None
    ) -> None:
        self.index = index  # the served generation: its articles, chunks and answer units
        self.embedder = embedder
        self.fusion = fusion or FusionWeights()

    def query_vector(self, question: str, mode: Mode = "hybrid") -> np.ndarray | None:
        """The question's embedding where the mode uses one."""
        return self.embedder.embed_query(question) if mode != "bm25" and self.embedder else None

    def rankings(self, asked: Asked) -> Rankings:
        """The depth best passages by keywords (unless mode is dense) and by cosine (when there
        is a question vector), among those of the articles only admits."""
        raise NotImplementedError

    def search(
        self,
        question: str,
        k: int,
        mode: Mode = "hybrid",
        query_vec: np.ndarray | None = None,
        only: ArticleFilter | None = None,
    ) -> list[Hit]:
        """The k best passages of the served generation, best first: fused (`fuse_rankings` of
        the BM25 and dense rankings), BM25 or dense by mode, each with its BM25 score and cosine
        (query_vec: the question's embedding, if known; only: passages of the articles this
        filter admits)."""
        depth = max(self.fusion.depth, k)
        if query_vec is None:
            query_vec = self.query_vector(question, mode)
        if mode == "dense" and query_vec is None:
            raise ValueError("dense retrieval needs an embedder")
        found = self.rankings(Asked(question, depth, mode, query_vec, only))
        if mode == "bm25":
            order = found.keyword
        elif mode == "dense":
            order = found.nearest
        else:
            order = fuse_rankings(found.keyword, found.nearest, self.fusion)
        order = order[:k]
        cosine = dict(found.nearest)
        missing = [i for i, _ in order if i not in cosine]
        if query_vec is not None and missing:
            vecs = vectors_of_rows(self.index.vectors, np.asarray(missing, dtype=np.int64))
            cosine.update(zip(missing, (vecs @ query_vec).tolist(), strict=True))
        return [
            Hit(self.index.chunks[i], score, found.bm25(i), cosine.get(i, 0.0))
            for i, score in order
        ]

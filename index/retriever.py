"""Retrieval: BM25 and dense rankings of passages, fused into one."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from corpus.model import Article, Chunk
from corpus.plain import iso_date
from index.bm25 import tokenize
from index.embedder import Embedder
from index.folder import LoadedIndex
from index.modes import Mode
from index.texts import RecordsById
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
    """Weighted reciprocal rank fusion: weight / (rrf_k + rank) summed over both rankings.

    Defaults measured on the public CMRC 2018 / DRCD questions (docs/evaluation.md): BM25 is the
    stronger ranking on them, dense retrieval rescues paraphrases; equal weights with k=60 lost
    3 points of recall@1 on DRCD against these."""

    bm25: float = 1.0
    dense: float = 0.5
    rrf_k: float = 20.0
    depth: int = 50  # how deep each ranking is read
    # a keyword match this many times stronger than the next stays first (0: never)
    confident_ratio: float = 0.0


def fuse_rankings(
    bm25: Sequence[tuple[K, float]], dense: Sequence[tuple[K, float]], f: FusionWeights
) -> list[tuple[K, float]]:
    """Weighted reciprocal rank fusion of two rankings of (id, score), best first; a keyword
    match f.confident_ratio times stronger than the keyword runner-up is kept first."""
    fused: dict[K, float] = {}
    for weight, ranking in ((f.bm25, bm25), (f.dense, dense)):
        for rank, (i, _) in enumerate(ranking, 1):
            fused[i] = fused.get(i, 0.0) + weight / (f.rrf_k + rank)
    order = sorted(fused.items(), key=lambda item: -item[1])
    if f.confident_ratio and len(bm25) >= 2 and bm25[0][1] >= f.confident_ratio * bm25[1][1] > 0:
        top = bm25[0][0]
        order.sort(key=lambda item: item[0] != top)  # stable: the rest keep their order
    return order


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


OVERFETCH = 10  # a filtered dense search reads this many times deeper before scanning all


class Retriever:
    def __init__(
        self, index: LoadedIndex, embedder: Embedder | None, fusion: FusionWeights | None = None
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.fusion = fusion or FusionWeights()

    def query_vector(self, question: str, mode: Mode = "hybrid") -> np.ndarray | None:
        """The question's embedding where the mode uses one."""
        return self.embedder.embed_query(question) if mode != "bm25" and self.embedder else None

    def allowed_rows(self, only: ArticleFilter) -> np.ndarray:
        """A mask over the passages: True where the passage's article passes the filter."""
        if only.doc_ids is not None and not (only.date_from or only.date_to or only.source):
            admitted = [a for d in only.doc_ids if (a := self.index.articles_by_id.get(d))]
        else:
            admitted = [a for a in self.index.articles if only.admits(a)]
        docs = {a.doc_id for a in admitted}
        by_id, of_chunk = self.index.articles_by_id, self.index.chunk_articles
        if of_chunk is not None and isinstance(by_id, RecordsById):  # no passage read
            admits = np.zeros(len(by_id), dtype=bool)
            admits[[by_id.rows[d] for d in docs]] = True
            return admits[of_chunk]
        return np.fromiter(
            (c.doc_id in docs for c in self.index.chunks), dtype=bool, count=len(self.index.chunks)
        )

    def search(
        self,
        question: str,
        k: int,
        mode: Mode = "hybrid",
        query_vec: np.ndarray | None = None,
        only: ArticleFilter | None = None,
    ) -> list[Hit]:
        """The k best passages for question, best first (query_vec: its embedding, if known;
        only: passages of the articles this filter admits)."""
        n = len(self.index.chunks)
        depth = min(n, max(self.fusion.depth, k))
        allowed = self.allowed_rows(only) if only is not None else None
        bm25_all = self.index.keywords.scores(tokenize(question)) if mode != "dense" else None
        if bm25_all is not None and allowed is not None:
            bm25_all = np.where(allowed, bm25_all, 0.0).astype(np.float32)
        if query_vec is None:
            query_vec = self.query_vector(question, mode)
        if mode == "dense" and query_vec is None:
            raise ValueError("dense retrieval needs an embedder")

        dense_rank: list[int] = []
        dense_sim: dict[int, float] = {}
        if query_vec is not None:
            for i, s in self._dense(query_vec, depth, allowed):
                dense_rank.append(i)
                dense_sim[i] = s
        bm25_rank: list[int] = []
        if bm25_all is not None:
            top = np.argpartition(-bm25_all, depth - 1)[:depth] if depth < n else np.arange(n)
            bm25_rank = [
                int(i) for i in top[np.argsort(-bm25_all[top], kind="stable")] if bm25_all[i] > 0
            ]

        keyword = [(i, float(bm25_all[i])) for i in bm25_rank]  # type: ignore[index]
        if mode == "bm25":
            order = keyword
        elif mode == "dense":
            order = [(i, dense_sim[i]) for i in dense_rank]
        else:
            order = fuse_rankings(keyword, [(i, dense_sim[i]) for i in dense_rank], self.fusion)
        order = order[:k]
        if query_vec is not None:
            missing = [i for i, _ in order if i not in dense_sim]
            if missing:
                vecs = vectors_of_rows(self.index.vectors, np.asarray(missing))
                dense_sim.update(zip(missing, (vecs @ query_vec).tolist(), strict=True))
        return [
            Hit(
                chunk=self.index.chunks[i],
                score=score,
                bm25=float(bm25_all[i]) if bm25_all is not None else 0.0,
                dense=dense_sim.get(i, 0.0),
            )
            for i, score in order
        ]

    def _dense(
        self, query_vec: np.ndarray, depth: int, allowed: np.ndarray | None
    ) -> list[tuple[int, float]]:
        """(row, cosine) of the depth nearest passages (among the allowed ones), nearest first."""
        n = len(self.index.chunks)
        q = query_vec.reshape(1, -1)
        if allowed is None:
            sims, ids = self.index.vectors.search(q, depth)
            return [(int(i), float(s)) for i, s in zip(ids[0], sims[0], strict=True) if i >= 0]
        wanted = min(depth, int(allowed.sum()))
        sims, ids = self.index.vectors.search(q, min(n, depth * OVERFETCH))
        found = [
            (int(i), float(s))
            for i, s in zip(ids[0], sims[0], strict=True)
            if i >= 0 and allowed[i]
        ]
        if len(found) >= wanted:
            return found[:wanted]
        # too few among the nearest: score every allowed passage
        rows = np.flatnonzero(allowed)
        scores = vectors_of_rows(self.index.vectors, rows) @ query_vec
        order = np.argsort(-scores, kind="stable")[:wanted]
        return [(int(rows[j]), float(scores[j])) for j in order]

"""Retrieval: BM25 and dense rankings of passages, fused into one."""

from __future__ import annotations

import numpy as np

from index.backend import ArticleFilter, Asked, PassageSearch, Rankings, no_score
from index.bm25 import tokenize
from index.texts import RecordsById
from index.vectors import vectors_of_rows

OVERFETCH = 10  # a filtered dense search reads this many times deeper before scanning all


class Retriever(PassageSearch):
    """The data dir's FAISS vectors and BM25 keyword index."""

    def allowed_rows(self, only: ArticleFilter) -> np.ndarray:
        """A mask over the passages: True where the passage's article passes the filter (by
        the stored article fields where the index has them: no article read)."""
        by_id, of_chunk = self.index.articles_by_id, self.index.chunk_articles
        rows = by_id.rows if isinstance(by_id, RecordsById) and of_chunk is not None else None
        fields = self.index.article_fields
        by_fields = only.date_from or only.date_to or only.source
        if rows is not None and of_chunk is not None and fields is not None and by_fields:
            admits = fields.admitted(only.date_from, only.date_to, only.source)
            if admits is not None:
                if only.doc_ids is not None:
                    named = np.zeros(len(admits), dtype=bool)
                    named[[r for d in only.doc_ids if (r := rows.get(d)) is not None]] = True
                    admits &= named
                return admits[of_chunk]
        if only.doc_ids is not None and not by_fields:
            admitted = [a for d in only.doc_ids if (a := by_id.get(d))]
        else:
            admitted = [a for a in self.index.articles if only.admits(a)]
        docs = {a.doc_id for a in admitted}
        if rows is not None and of_chunk is not None:  # no passage read
            admits = np.zeros(len(by_id), dtype=bool)
            admits[[rows[d] for d in docs]] = True
            return admits[of_chunk]
        return np.fromiter(
            (c.doc_id in docs for c in self.index.chunks), dtype=bool, count=len(self.index.chunks)
        )

    def rankings(self, asked: Asked) -> Rankings:
        question, mode, query_vec, only = asked.question, asked.mode, asked.vector, asked.only
        n = len(self.index.chunks)
        depth = min(n, asked.depth)
        allowed = self.allowed_rows(only) if only is not None else None
        bm25_all = self.index.keywords.scores(tokenize(question)) if mode != "dense" else None
        if bm25_all is not None and allowed is not None:
            bm25_all = np.where(allowed, bm25_all, 0.0).astype(np.float32)
        nearest = self._dense(query_vec, depth, allowed) if query_vec is not None else []
        if bm25_all is None:
            return Rankings([], nearest, no_score)
        scores = bm25_all
        top = np.argpartition(-scores, depth - 1)[:depth] if depth < n else np.arange(n)
        keyword = [
            (int(i), float(scores[i]))
            for i in top[np.argsort(-scores[top], kind="stable")]
            if scores[i] > 0
        ]
        return Rankings(keyword, nearest, lambda i: float(scores[i]))

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

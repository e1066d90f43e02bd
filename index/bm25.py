"""The keyword index: BM25 (bm25s) over jieba search-mode tokens of NFKC-normalised text."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from itertools import chain
from pathlib import Path

import bm25s
import jieba
import numpy as np

from corpus.text import normalize

jieba.setLogLevel(60)  # jieba logs its dictionary load on stderr at INFO

_WORD_RE = re.compile(r"\w", re.UNICODE)
# recorded in the index manifest: tokens stored with an index were made by this tokeniser
TOKENIZER = "jieba-search/nfkc-lower/v1"


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens of the NFKC, lower-cased text, punctuation and spaces dropped."""
    return [t for t in jieba.lcut_for_search(normalize(text).lower()) if _WORD_RE.search(t)]


def bm25_model(tokens: Sequence[list[str]]) -> bm25s.BM25:
    """bm25s's BM25 (Lucene variant, its defaults) over passages already tokenised, its score
    matrix computed with array operations: what bm25s.BM25.index builds, at a tenth of the time
    (it counts each passage in a Python loop), so an update's rebuild from stored tokens costs
    little more than reading them."""
    model = bm25s.BM25()
    flat = list(chain.from_iterable(tokens))
    vocab = {t: i for i, t in enumerate(dict.fromkeys(flat))}
    ids = np.fromiter(map(vocab.__getitem__, flat), dtype=np.int64, count=len(flat))
    vocab.setdefault("", len(vocab))  # bm25s's empty token: what a passage without words holds
    n_docs, n_vocab = len(tokens), len(vocab)
    lengths = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=n_docs)
    pairs, tf = np.unique(np.repeat(np.arange(n_docs), lengths) * n_vocab + ids, return_counts=True)
    docs, terms = np.divmod(pairs, n_vocab)
    df = np.bincount(terms, minlength=n_vocab)
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
    norm = model.k1 * ((1 - model.b) + model.b * lengths / lengths.mean())
    scores = (idf[terms] * (tf / (norm[docs] + tf))).astype(model.dtype)
    order = np.lexsort((docs, terms))  # column-major: bm25s keeps a CSC matrix
    model.scores = {
        "data": scores[order],
        "indices": docs[order].astype(model.int_dtype),
        "indptr": np.concatenate([[0], np.cumsum(df)]).astype(model.int_dtype),
        "num_docs": n_docs,
    }
    model.vocab_dict = vocab
    model.unique_token_ids_set = set(vocab.values())
    model.nonoccurrence_array = None
    return model


class KeywordIndex:
    """BM25 scores of every passage for a question, plus the document frequencies behind them."""

    def __init__(
        self,
        model: bm25s.BM25,
        doc_freq: dict[str, int],
        n_docs: int,
        tokens: list[list[str]] | None = None,
    ) -> None:
        self.model = model
        self.doc_freq = doc_freq
        self.n_docs = n_docs
        self.tokens = tokens  # each passage's tokens, kept so an update never re-tokenises them

    @classmethod
    def build(cls, texts: Sequence[str]) -> KeywordIndex:
        return cls.from_tokens([tokenize(t) for t in texts])

    @classmethod
    def from_tokens(
        cls,
        tokens: Sequence[list[str]],
        doc_freq: dict[str, int] | None = None,
        keep_tokens: bool = True,
    ) -> KeywordIndex:
        """The index of passages already tokenised (by `tokenize`), in passage order; doc_freq,
        when the caller kept it up to date, spares counting every passage again. Without
        keep_tokens the index is saved without them (an update then rebuilds it)."""
        stored = [toks or [""] for toks in tokens]
        model = bm25_model(stored)
        if doc_freq is None:
            doc_freq = dict(Counter(tok for toks in stored for tok in set(toks) if tok))
        return cls(model, doc_freq, len(stored), stored if keep_tokens else None)

    @staticmethod
    def updated_doc_freq(
        doc_freq: dict[str, int], removed: Sequence[list[str]], added: Sequence[list[str]]
    ) -> dict[str, int]:
        """Document frequencies after removing and adding passages (by their tokens)."""
        out = dict(doc_freq)
        for toks in removed:
            for tok in set(toks):
                if tok and (left := out.get(tok, 0) - 1) > 0:
                    out[tok] = left
                elif tok:
                    out.pop(tok, None)
        for toks in added:
            for tok in set(toks):
                if tok:
                    out[tok] = out.get(tok, 0) + 1
        return out

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save(str(folder), show_progress=False)
        (folder / "doc_freq.json").write_text(
            json.dumps({"n_docs": self.n_docs, "doc_freq": self.doc_freq}, ensure_ascii=False),
            encoding="utf-8",
        )
        if self.tokens is not None:
            (folder / "tokens.json").write_text(
                json.dumps(self.tokens, ensure_ascii=False), encoding="utf-8"
            )

    @staticmethod
    def load_tokens(folder: Path) -> list[list[str]] | None:
        """The stored tokens of an index saved by `save`; None for an index saved without them."""
        path = folder / "tokens.json"
        if not path.exists():
            return None
        tokens: list[list[str]] = json.loads(path.read_text(encoding="utf-8"))
        return tokens

    @staticmethod
    def load_doc_freq(folder: Path) -> dict[str, int]:
        """The document frequencies of an index saved by `save`, without loading its model."""
        doc_freq: dict[str, int] = json.loads(
            (folder / "doc_freq.json").read_text(encoding="utf-8")
        )["doc_freq"]
        return doc_freq

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        # the score matrix memory-mapped: a question reads only its tokens' posting lists
        model = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0, mmap=True)
        meta = json.loads((folder / "doc_freq.json").read_text(encoding="utf-8"))
        return cls(model, meta["doc_freq"], int(meta["n_docs"]))

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage, in index order (zeros when no token is known)."""
        known = [t for t in query_tokens if t in self.doc_freq]
        if not known:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self.model.get_scores(known), dtype=np.float32)

    def idf(self, token: str) -> float:
        """Smoothed inverse document frequency; unseen tokens get the highest weight."""
        df = self.doc_freq.get(token, 0)
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))

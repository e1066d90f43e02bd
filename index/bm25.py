"""The keyword index: BM25 (bm25s) over jieba search-mode tokens of NFKC-normalised text."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import bm25s
import jieba
import numpy as np
import scipy.sparse

from corpus.text import normalize
from index.integrity import link_or_copy

jieba.setLogLevel(60)  # jieba logs its dictionary load on stderr at INFO

_WORD_RE = re.compile(r"\w", re.UNICODE)
# recorded in the index manifest: tokens stored with an index were made by this tokeniser
TOKENIZER = "jieba-search/nfkc-lower/v1"
# the stored tokens, in the keyword index's folder (TokenTable)
TOKEN_IDS = "token_ids.npy"
TOKEN_OFFSETS = "token_offsets.npy"
TOKEN_VOCAB = "token_vocab.json"


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens of the NFKC, lower-cased text, punctuation and spaces dropped."""
    return [t for t in jieba.lcut_for_search(normalize(text).lower()) if _WORD_RE.search(t)]


@dataclass(slots=True)
class TokenTable:
    """Every passage's tokens as integers: ids[offsets[i]:offsets[i + 1]] index vocab for passage
    i. The vocabulary only grows (a term of removed passages stays, counted in none), so an
    update keeps, drops and appends passages with array operations, never re-reading strings."""

    vocab: list[str]
    ids: np.ndarray  # int32
    offsets: np.ndarray  # int64, one more than passages
    stored_vocab: Path | None = None  # a file that holds exactly this vocabulary, to link

    @property
    def n_docs(self) -> int:
        return len(self.offsets) - 1

    @classmethod
    def from_lists(cls, tokens: Sequence[list[str]]) -> TokenTable:
        return cls([], np.zeros(0, np.int32), np.zeros(1, np.int64)).extended(tokens)

    def extended(self, tokens: Sequence[list[str]]) -> TokenTable:
        """These passages appended (an empty one stored as bm25s's empty token, "")."""
        stored = [toks or [""] for toks in tokens]
        vocab = list(self.vocab)
        index = {t: i for i, t in enumerate(vocab)}
        flat = list(chain.from_iterable(stored))
        for t in dict.fromkeys(flat):
            if t not in index:
                index[t] = len(vocab)
                vocab.append(t)
        stored_vocab = self.stored_vocab if len(vocab) == len(self.vocab) else None
        ids = np.fromiter(map(index.__getitem__, flat), dtype=np.int32, count=len(flat))
        lengths = np.fromiter(map(len, stored), dtype=np.int64, count=len(stored))
        offsets = np.concatenate([self.offsets, self.offsets[-1] + np.cumsum(lengths)])
        return TokenTable(vocab, np.concatenate([self.ids, ids]), offsets, stored_vocab)

    def taken(self, keep: np.ndarray) -> TokenTable:
        """Only the passages at positions keep, in that order."""
        starts, ends = self.offsets[keep], self.offsets[keep + 1]
        lengths = ends - starts
        new_offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        # position j of the kept ids comes from starts[k] + (j - new_offsets[k]) for its passage k
        shift = np.repeat(starts - new_offsets[:-1], lengths)
        ids = self.ids[np.arange(int(new_offsets[-1]), dtype=np.int64) + shift]
        return TokenTable(self.vocab, ids, new_offsets, self.stored_vocab)

    def lists(self) -> list[list[str]]:
        words = self.vocab
        flat = [words[i] for i in self.ids.tolist()]
        bounds = self.offsets.tolist()
        return [flat[lo:hi] for lo, hi in zip(bounds, bounds[1:], strict=False)]

    def save(self, folder: Path) -> None:
        np.save(folder / TOKEN_IDS, self.ids)
        np.save(folder / TOKEN_OFFSETS, self.offsets)
        if self.stored_vocab is not None:  # the vocabulary grows only: unchanged, it is linked
            link_or_copy(self.stored_vocab, folder / TOKEN_VOCAB)
        else:
            (folder / TOKEN_VOCAB).write_text(json.dumps(self.vocab, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, folder: Path) -> TokenTable | None:
        """The tokens stored with a keyword index (lists in tokens.json before this table);
        None for an index saved without them."""
        if (folder / TOKEN_IDS).exists():
            vocab = json.loads((folder / TOKEN_VOCAB).read_text(encoding="utf-8"))
            ids, offsets = np.load(folder / TOKEN_IDS), np.load(folder / TOKEN_OFFSETS)
            if offsets[-1] != len(ids) or (len(ids) and int(ids.max()) >= len(vocab)):
                raise ValueError(f"{len(ids)} token ids, offsets to {offsets[-1]}")
            table = cls(vocab, ids.astype(np.int32), offsets.astype(np.int64))
            table.stored_vocab = folder / TOKEN_VOCAB
            return table
        if (folder / "tokens.json").exists():
            return cls.from_lists(json.loads((folder / "tokens.json").read_text("utf-8")))
        return None


def bm25_model(table: TokenTable) -> tuple[bm25s.BM25, dict[str, int]]:
    """bm25s's BM25 (Lucene variant, its defaults) over passages already tokenised, its score
    matrix computed with array operations (bm25s.BM25.index counts each passage in a Python
    loop), and the document frequency of every word that a passage holds."""
    model = bm25s.BM25()
    vocab = {t: i for i, t in enumerate(table.vocab)}
    vocab.setdefault("", len(vocab))  # bm25s's empty token: what a passage without words holds
    n_docs, n_vocab = table.n_docs, len(vocab)
    lengths = np.diff(table.offsets)
    docs_of = np.repeat(np.arange(n_docs, dtype=np.int32), lengths)
    # term frequencies by counting (scipy sums the duplicate pairs), then turned column-major
    # (bm25s keeps a CSC matrix) without a sort: both conversions are linear
    ones = np.ones(len(table.ids), dtype=np.float32)
    counts = scipy.sparse.csr_matrix((ones, (docs_of, table.ids)), shape=(n_docs, n_vocab))
    by_term = counts.tocsc()
    by_term.sort_indices()
    tf, docs = by_term.data, by_term.indices
    df = np.diff(by_term.indptr)
    terms = np.repeat(np.arange(n_vocab), df)
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
    norm = model.k1 * ((1 - model.b) + model.b * lengths / max(lengths.mean(), 1e-9))
    scores = (idf[terms] * (tf / (norm[docs] + tf))).astype(model.dtype)
    model.scores = {
        "data": scores,
        "indices": docs.astype(model.int_dtype),
        "indptr": by_term.indptr.astype(model.int_dtype),
        "num_docs": n_docs,
    }
    model.vocab_dict = vocab
    model.unique_token_ids_set = set(vocab.values())
    model.nonoccurrence_array = None
    words = list(vocab)
    doc_freq = {words[t]: int(df[t]) for t in np.flatnonzero(df).tolist() if words[t]}
    return model, doc_freq


class KeywordIndex:
    """BM25 scores of every passage for a question, plus the document frequencies behind them."""

    def __init__(
        self,
        model: bm25s.BM25,
        doc_freq: dict[str, int],
        n_docs: int,
        tokens: TokenTable | None = None,
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
        """The index of passages already tokenised (by `tokenize`), in passage order (doc_freq
        is counted from them; a caller's is not needed). Without keep_tokens the index is saved
        without them (an update then rebuilds it)."""
        index = cls.from_table(TokenTable.from_lists(tokens))
        if not keep_tokens:
            index.tokens = None
        return index

    @classmethod
    def from_table(cls, table: TokenTable) -> KeywordIndex:
        """The index of the passages of a token table, in its order."""
        model, doc_freq = bm25_model(table)
        return cls(model, doc_freq, table.n_docs, table)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save(str(folder), show_progress=False)
        (folder / "doc_freq.json").write_text(
            json.dumps({"n_docs": self.n_docs, "doc_freq": self.doc_freq}, ensure_ascii=False),
            encoding="utf-8",
        )
        if self.tokens is not None:
            self.tokens.save(folder)

    @staticmethod
    def load_tokens(folder: Path) -> TokenTable | None:
        """The stored tokens of an index saved by `save`; None for an index saved without them."""
        return TokenTable.load(folder)

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

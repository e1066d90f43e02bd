"""The keyword index: BM25 (Lucene variant, k1 1.5, b 0.75, as bm25s scores it) over jieba
search-mode tokens of NFKC-normalised text, stored as term frequencies by term (the files:
index.postings) and scored at question time."""

from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import jieba
import numpy as np
import scipy.sparse

from corpus.text import normalize
from index.postings import (
    OLD_PARAMS,
    OLD_TOKEN_IDS,
    OLD_TOKEN_LISTS,
    OLD_TOKEN_OFFSETS,
    VOCAB,
    Postings,
    Scratch,
    StoredPostings,
    read_old_scores,
    save_postings,
)

jieba.setLogLevel(60)  # jieba logs its dictionary load on stderr at INFO

_WORD_RE = re.compile(r"\w", re.UNICODE)
# recorded in the index manifest: tokens stored with an index were made by this tokeniser
TOKENIZER = "jieba-search/nfkc-lower/v1"
K1, B = 1.5, 0.75  # bm25s's defaults, which indexes before the stored term frequencies used
EMPTY = ""  # the one token of a passage without words (bm25s's empty token)
MAX_TF = 255  # term frequencies are stored as uint8: a word more often in one passage is clipped


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens of the NFKC, lower-cased text, punctuation and spaces dropped."""
    return [t for t in jieba.lcut_for_search(normalize(text).lower()) if _WORD_RE.search(t)]


@dataclass(slots=True)
class TermCounts:
    """Every passage's term frequencies, the table an update edits: counts[i, t] is how often
    vocab[t] occurs in passage i (clipped at MAX_TF), lengths[i] its tokens in all. The
    vocabulary only grows (a term of removed passages stays, counted in none), so an update
    keeps, drops and appends passages with sparse-matrix operations, never re-reading tokens."""

    vocab: list[str]
    counts: scipy.sparse.csr_matrix  # passages x vocab, uint8
    lengths: np.ndarray  # int32
    stored_vocab: Path | None = None  # a file that holds exactly this vocabulary, to link

    @property
    def n_docs(self) -> int:
        return len(self.lengths)

    @classmethod
    def from_lists(cls, tokens: Sequence[list[str]]) -> TermCounts:
        empty = scipy.sparse.csr_matrix((0, 0), dtype=np.uint8)
        return cls([], empty, np.zeros(0, np.int32)).extended(tokens)

    def extended(self, tokens: Sequence[list[str]]) -> TermCounts:
        """These passages appended (an empty one holds the one token EMPTY)."""
        stored = [toks or [EMPTY] for toks in tokens]
        vocab = list(self.vocab)
        index = {t: i for i, t in enumerate(vocab)}
        flat = list(chain.from_iterable(stored))
        for t in dict.fromkeys(flat):
            if t not in index:
                index[t] = len(vocab)
                vocab.append(t)
        stored_vocab = self.stored_vocab if len(vocab) == len(self.vocab) else None
        ids = np.fromiter(map(index.__getitem__, flat), dtype=np.int32, count=len(flat))
        lengths = np.fromiter(map(len, stored), dtype=np.int32, count=len(stored))
        added = _counted(ids, np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]), len(vocab))
        old = self.counts
        widened = scipy.sparse.csr_matrix(
            (old.data, old.indices, old.indptr), shape=(old.shape[0], len(vocab))
        )
        counts = scipy.sparse.vstack([widened, added], format="csr", dtype=np.uint8)
        return TermCounts(vocab, counts, np.concatenate([self.lengths, lengths]), stored_vocab)

    def taken(self, keep: np.ndarray) -> TermCounts:
        """Only the passages at positions keep, in that order."""
        keep = np.asarray(keep, dtype=np.int64)
        counts = self.counts[keep] if len(keep) else self.counts[:0]
        return TermCounts(self.vocab, counts, self.lengths[keep], self.stored_vocab)

    def bags(self) -> list[dict[str, int]]:
        """Each passage's words and how often each occurs in it (clipped at MAX_TF)."""
        counts = self.counts
        bounds = counts.indptr.tolist()
        return [
            {
                self.vocab[t]: int(n)
                for t, n in zip(counts.indices[lo:hi], counts.data[lo:hi], strict=True)
            }
            for lo, hi in zip(bounds, bounds[1:], strict=False)
        ]

    @classmethod
    def load(cls, folder: Path) -> TermCounts | None:
        """The term counts stored in a keyword index's folder (an older folder's token table
        counted); None for an older index saved without its tokens."""
        if not (folder / OLD_PARAMS).exists():
            return cls._load_postings(folder)
        if (folder / OLD_TOKEN_IDS).exists():
            vocab = json.loads((folder / VOCAB).read_text(encoding="utf-8"))
            ids = np.load(folder / OLD_TOKEN_IDS)
            offsets = np.load(folder / OLD_TOKEN_OFFSETS).astype(np.int64)
            if offsets[-1] != len(ids) or (len(ids) and int(ids.max()) >= len(vocab)):
                raise ValueError(f"{len(ids)} token ids, offsets to {offsets[-1]}")
            counts = _counted(ids.astype(np.int32), offsets, len(vocab))
            lengths = np.diff(offsets).astype(np.int32)
            return cls(vocab, counts, lengths, folder / VOCAB)
        if (folder / OLD_TOKEN_LISTS).exists():
            return cls.from_lists(json.loads((folder / OLD_TOKEN_LISTS).read_text("utf-8")))
        return None

    @classmethod
    def _load_postings(cls, folder: Path) -> TermCounts:
        stored = StoredPostings.open(folder)
        lengths, docs = stored.lengths, stored.passages()
        tf, shape = stored.tf.read_all(), (len(lengths), len(stored.vocab))
        by_term = scipy.sparse.csc_matrix((tf, docs, stored.indptr), shape=shape)
        counts = scipy.sparse.csr_matrix(by_term)  # one linear pass, rows sorted by term
        return cls(stored.vocab, counts, lengths.astype(np.int32), folder / VOCAB)


def _counted(ids: np.ndarray, offsets: np.ndarray, n_vocab: int) -> scipy.sparse.csr_matrix:
    """The passages x vocab counts of passage i's token ids ids[offsets[i]:offsets[i + 1]]."""
    n_docs = len(offsets) - 1
    docs_of = np.repeat(np.arange(n_docs, dtype=np.int32), np.diff(offsets))
    ones = np.ones(len(ids), dtype=np.int32)
    # scipy sums the duplicate (passage, term) pairs: the counts, clipped to fit a uint8
    counts = scipy.sparse.csr_matrix((ones, (docs_of, ids)), shape=(n_docs, n_vocab))
    counts.sum_duplicates()
    return scipy.sparse.csr_matrix(
        (np.minimum(counts.data, MAX_TF).astype(np.uint8), counts.indices, counts.indptr),
        shape=counts.shape,
    )


class DocFreq(Mapping[str, int]):
    """The document frequency of every word that a passage holds, read from the postings."""

    def __init__(self, terms: dict[str, int], df: np.ndarray) -> None:
        self.terms, self.df = terms, df

    def __getitem__(self, word: str) -> int:
        t = self.terms[word]
        if not word or not self.df[t]:
            raise KeyError(word)
        return int(self.df[t])

    def __iter__(self) -> Iterator[str]:
        df = self.df
        return (w for w, t in self.terms.items() if w and df[t])

    def __len__(self) -> int:
        empty = self.terms.get(EMPTY)
        return int(np.count_nonzero(self.df)) - int(empty is not None and bool(self.df[empty]))

    def get(self, word: str, default: int | None = None) -> int | None:  # type: ignore[override]
        t = self.terms.get(word)
        return int(self.df[t]) if t is not None and word and self.df[t] else default

    def __contains__(self, word: object) -> bool:
        t = self.terms.get(word) if isinstance(word, str) else None
        return t is not None and bool(word) and bool(self.df[t])


class KeywordIndex:
    """BM25 scores of every passage for a question, from term frequencies by term, plus the
    document frequencies behind them. A loaded index reads a question's posting lists from its
    files when asked (an older folder's precomputed scores the same way)."""

    def __init__(
        self,
        terms: dict[str, int],
        postings: Postings,
        n_docs: int,
        norm: np.ndarray | None,
        built: TermCounts | None = None,
    ) -> None:
        self.terms = terms  # word -> term id
        self.postings = postings
        self.n_docs = n_docs
        self.doc_freq = DocFreq(terms, postings.doc_freq)
        # per passage k1 * (1 - b + b * length / mean length); None: postings hold scores
        self.norm = norm
        df = postings.doc_freq
        self.term_idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        # what save writes beside the postings, of the table it was built from (None when
        # loaded): the counts themselves are not kept, the postings hold them
        self.vocab = built.vocab if built is not None else None
        self.lengths = built.lengths if built is not None else None
        self.stored_vocab = built.stored_vocab if built is not None else None
        # one question at a time scores in these (its pages in RSS: 19 bytes a posting of the
        # longest list); a question asked meanwhile gets arrays of its own
        self.scratch = Scratch(int(df.max(initial=0)), postings)
        self.scratch_free = threading.Lock()

    @classmethod
    def build(cls, texts: Sequence[str]) -> KeywordIndex:
        return cls.from_tokens([tokenize(t) for t in texts])

    @classmethod
    def from_tokens(cls, tokens: Sequence[list[str]]) -> KeywordIndex:
        """The index of passages already tokenised (by `tokenize`), in passage order."""
        return cls.from_table(TermCounts.from_lists(tokens))

    @classmethod
    def from_table(cls, table: TermCounts) -> KeywordIndex:
        """The index of the passages of a term-count table, in its order."""
        by_term = table.counts.tocsc()  # rows come out sorted within each term
        postings = Postings(
            by_term.indptr.astype(np.int64),
            by_term.indices.astype(np.int32, copy=False),
            by_term.data.astype(np.uint8, copy=False),
        )
        terms = {t: i for i, t in enumerate(table.vocab)}
        return cls(terms, postings, table.n_docs, _norm(table.lengths), table)

    def save(self, folder: Path) -> None:
        """The postings, lengths and vocabulary of a built index (not a loaded one) into folder."""
        if self.vocab is None or self.lengths is None:
            raise ValueError("only a built keyword index is saved; a loaded one is in its folder")
        save_postings(folder, self.postings, self.lengths, self.vocab, self.stored_vocab)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        """The index saved in folder (or by bm25s, before the stored term frequencies), its
        posting lists left in their files."""
        if (folder / OLD_PARAMS).exists():  # bm25s's scores, precomputed by term
            terms, postings, n_docs = read_old_scores(folder)
            return cls(terms, postings, n_docs, None)
        stored = StoredPostings.open(folder)
        postings = Postings(stored.indptr, stored.docs, stored.tf, stored.runs)
        terms = {t: i for i, t in enumerate(stored.vocab)}
        n_docs, norm = len(stored.lengths), _norm(stored.lengths)
        return cls(terms, postings, n_docs, norm)

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage, in index order (zeros when no token is known): each
        known token's scores added in the question's order, a repeated token once for each
        time it occurs, as bm25s's get_scores adds them."""
        scores = np.zeros(self.n_docs, dtype=np.float32)
        known = [self.terms[w] for w in query_tokens if w in self.doc_freq]
        repeated = {t for t, n in Counter(known).items() if n > 1}
        again: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        own = self.scratch_free.acquire(blocking=False)
        try:
            for t in known:
                if t in again:
                    docs, term_scores = again[t]
                else:
                    scratch = self.scratch if own else Scratch(self._df(t), self.postings)
                    docs, term_scores = self._term_scores(t, scratch)
                    if t in repeated:
                        again[t] = docs.copy(), term_scores.copy()
                np.add.at(scores, docs, term_scores)
        finally:
            if own:
                self.scratch_free.release()
        return scores

    def _df(self, t: int) -> int:
        return int(self.postings.indptr[t + 1] - self.postings.indptr[t])

    def _term_scores(self, t: int, scratch: Scratch) -> tuple[np.ndarray, np.ndarray]:
        """Term t's passages and their scores, in scratch."""
        docs, values = self.postings.read(t, scratch)
        n = len(docs)
        scores = scratch.scores[:n]
        scores[...] = values
        if self.norm is not None:  # term frequencies (an older index stores the scores)
            norm = np.take(self.norm, docs, out=scratch.norm[:n])
            norm += scores
            scores /= norm
            scores *= self.term_idf[t]
        return docs, scores

    def idf(self, token: str) -> float:
        """Smoothed inverse document frequency; unseen tokens get the highest weight."""
        df = self.doc_freq.get(token, 0) or 0
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))


def _norm(lengths: np.ndarray) -> np.ndarray:
    """Each passage's k1 * (1 - b + b * length / mean length), BM25's length normalisation."""
    mean = float(lengths.mean()) if len(lengths) else 1.0
    return (K1 * ((1 - B) + B * lengths / max(mean, 1e-9))).astype(np.float32)

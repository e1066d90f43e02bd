"""The keyword index: BM25 (Lucene variant, k1 1.5, b 0.75, as bm25s scores it) over jieba
search-mode tokens of NFKC-normalised text, stored as term frequencies by term and scored at
question time."""

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
from index.integrity import link_or_copy
from index.layout import KEYWORDS, IndexDamaged, read_part
from index.npyfile import NpyFile

jieba.setLogLevel(60)  # jieba logs its dictionary load on stderr at INFO

_WORD_RE = re.compile(r"\w", re.UNICODE)
# recorded in the index manifest: tokens stored with an index were made by this tokeniser
TOKENIZER = "jieba-search/nfkc-lower/v1"
K1, B = 1.5, 0.75  # bm25s's defaults, which indexes before the stored term frequencies used
EMPTY = ""  # the one token of a passage without words (bm25s's empty token)
MAX_TF = 255  # term frequencies are stored as uint8: a word more often in one passage is clipped

# the keyword index's folder: posting lists by term (indptr per term, then each posting's
# passage and term frequency), every passage's length in tokens, the vocabulary
POSTINGS_INDPTR = "postings_indptr.npy"
POSTINGS_DOCS = "postings_docs.npy"  # uint16, each passage's low bits (int32 whole, earlier)
POSTINGS_TF = "postings_tf.npy"
# a term's postings are in passage order, so the passages' high bits rise in a few runs
# (at most one per 65,536 passages): stored once a run, (high bits, postings), by term
POSTINGS_RUNS_PTR = "postings_runs_ptr.npy"
POSTINGS_RUNS = "postings_runs.npy"
LOW_BITS = 16
RUN_BLOCK = 1 << 24  # postings compared at a time when finding runs: temporaries stay small
LENGTHS = "lengths.npy"
VOCAB = "token_vocab.json"  # the token table's name before: the same list, linked on conversion
# an older folder: bm25s's files (scores precomputed) and doc_freq.json, maybe a token table
OLD_PARAMS = "params.index.json"
OLD_VOCAB = "vocab.index.json"
OLD_INDPTR = "indptr.csc.index.npy"
OLD_DOCS = "indices.csc.index.npy"
OLD_SCORES = "data.csc.index.npy"
OLD_TOKEN_IDS = "token_ids.npy"
OLD_TOKEN_OFFSETS = "token_offsets.npy"
OLD_TOKEN_LISTS = "tokens.json"


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
        indptr, lengths, docs = stored.indptr, stored.lengths, stored.docs.read_all()
        if stored.runs is not None:  # low bits: their runs' high bits added
            runs = stored.runs.rows.read_all()
            low, docs = docs, np.repeat(runs[:, 0] << LOW_BITS, runs[:, 1])
            docs |= low
        if len(docs) and int(docs.max()) >= len(lengths):
            reason = f"a posting of passage {int(docs.max())} of {len(lengths)}"
            raise _damaged(POSTINGS_DOCS, reason)
        tf, shape = stored.tf.read_all(), (len(lengths), len(stored.vocab))
        by_term = scipy.sparse.csc_matrix((tf, docs, indptr), shape=shape)
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


def _passage_runs(indptr: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each term's runs of postings whose passages share their high bits, as PassageRuns
    stores them: (runs ptr by term, int32 rows (high bits, postings in the run))."""
    n = len(docs)
    firsts = [indptr[:-1][np.diff(indptr) > 0]]  # a term's first posting starts a run
    for lo in range(1, n, RUN_BLOCK):
        hi = min(lo + RUN_BLOCK, n)
        changed = (docs[lo:hi] ^ docs[lo - 1 : hi - 1]) >> LOW_BITS  # high bits differ
        firsts.append(np.flatnonzero(changed) + lo)
    starts = np.unique(np.concatenate(firsts).astype(np.int64))
    counts = np.diff(starts, append=n)
    runs = np.stack([docs[starts] >> LOW_BITS, counts], axis=1).astype(np.int32)
    return np.searchsorted(starts, indptr).astype(np.int64), runs


def _damaged(name: str, reason: str) -> IndexDamaged:
    return IndexDamaged(f"{KEYWORDS}/{name}", reason)


def _opened(
    folder: Path, name: str, dtypes: tuple[type, ...], length: int | None = None, width: int = 0
) -> NpyFile:
    """The .npy file name of the keyword index's folder, checked to hold one of dtypes (length
    values or rows of width; any number of values when None); IndexDamaged naming it if not."""

    def opened() -> NpyFile:
        stored = NpyFile(folder / name)
        stored.expect(dtypes, length, width)
        return stored

    return read_part(f"{KEYWORDS}/{name}", opened)


def _offsets(folder: Path, name: str, n_lists: int | None = None) -> np.ndarray:
    """The offsets of n_lists lists (any number when None) stored in name, as int64: from 0,
    never falling; IndexDamaged naming the file otherwise."""
    length = None if n_lists is None else n_lists + 1
    ptr = _opened(folder, name, (np.int64, np.int32), length).read_all().astype(np.int64)
    if not len(ptr) or ptr[0] != 0 or np.any(ptr[1:] < ptr[:-1]):
        raise _damaged(name, f"{len(ptr)} offsets, not rising from 0")
    return ptr


def _check_runs(
    ptr: np.ndarray, runs: np.ndarray, indptr: np.ndarray, docs: NpyFile, n_docs: int
) -> None:
    """Each term's runs hold exactly its postings, of passages below n_docs."""
    ends = np.concatenate([[0], np.cumsum(runs[:, 1], dtype=np.int64)])
    if (
        np.any(runs[:, 1] <= 0)
        or np.any(runs[:, 0] < 0)
        or np.any(runs[:, 0] > max(n_docs - 1, 0) >> LOW_BITS)
        or not np.array_equal(ends[ptr], indptr)
    ):
        raise _damaged(
            POSTINGS_RUNS,
            f"{len(runs)} runs by {len(ptr) - 1} terms do not cover their {indptr[-1]} "
            f"postings of {n_docs} passages",
        )
    # a run below the last passage's high bits holds passages below it whatever its low
    # bits; a term's run of those high bits is its last, ending at its highest passage
    high = max(n_docs - 1, 0) >> LOW_BITS
    _check_last_passages(docs, ends[1:][runs[:, 0] == high] - 1, n_docs, high)


def _check_last_passages(docs: NpyFile, at: np.ndarray, n_docs: int, high: int = 0) -> None:
    """The postings at these positions (each the last, so the highest, of its term or run: a
    term's postings are in passage order), with these high bits, are of passages below n_docs."""
    if not len(at):
        return
    last = docs.take(at).astype(np.int64) | (high << LOW_BITS)
    if int(last.max()) >= n_docs or int(last.min()) < 0:
        name = docs.path.name
        raise _damaged(name, f"a posting of passage {int(last.max())} of {n_docs}")


@dataclass(frozen=True, slots=True)
class StoredPostings:
    """A keyword index's files opened and checked against each other (IndexDamaged naming the
    file that disagrees): the cheap checks, so a wrong writer fails the load, not a question."""

    vocab: list[str]
    indptr: np.ndarray  # int64
    lengths: np.ndarray  # int32, one per passage
    docs: NpyFile
    tf: NpyFile
    runs: PassageRuns | None

    @classmethod
    def open(cls, folder: Path) -> StoredPostings:
        vocab = read_part(
            f"{KEYWORDS}/{VOCAB}", lambda: json.loads((folder / VOCAB).read_text("utf-8"))
        )
        if not isinstance(vocab, list):
            raise _damaged(VOCAB, "not a list of words")
        indptr = _offsets(folder, POSTINGS_INDPTR, len(vocab))
        n = int(indptr[-1])
        lengths = _opened(folder, LENGTHS, (np.int32, np.int64)).read_all()
        n_docs = len(lengths)
        # the file says its layout: low bits and their runs, or (written before) whole passages
        docs = _opened(folder, POSTINGS_DOCS, (np.uint16, np.int32), n)
        tf = _opened(folder, POSTINGS_TF, (np.uint8,), n)
        runs = None
        if docs.dtype == np.uint16:
            runs = PassageRuns.load(folder, indptr, docs, n_docs)
        else:
            _check_last_passages(docs, indptr[1:][indptr[1:] > indptr[:-1]] - 1, n_docs)
        return cls(vocab, indptr, lengths, docs, tf, runs)


@dataclass(frozen=True, slots=True)
class PassageRuns:
    """The high bits of postings that store their passages' low LOW_BITS only: term t's
    postings in runs ptr[t] to ptr[t + 1], each run's passages sharing its high bits."""

    ptr: np.ndarray  # int64, one more than terms
    rows: NpyFile  # int32 (high bits, postings in the run) a run, in posting order
    most: int  # runs of the term with the most

    @classmethod
    def load(cls, folder: Path, indptr: np.ndarray, docs: NpyFile, n_docs: int) -> PassageRuns:
        """The runs stored in folder, checked to cover each term's postings (their low bits in
        docs) exactly, with passages below n_docs."""
        ptr = _offsets(folder, POSTINGS_RUNS_PTR, len(indptr) - 1)
        rows = _opened(folder, POSTINGS_RUNS, (np.int32,), int(ptr[-1]), width=2)
        _check_runs(ptr, rows.read_all(), indptr, docs, n_docs)
        return cls(ptr, rows, int(np.diff(ptr).max(initial=0)))

    def complete(self, t: int, docs: np.ndarray, scratch: Scratch) -> None:
        """Term t's passages made whole from their low bits: each run's high bits added."""
        runs = self.rows.read_into(int(self.ptr[t]), int(self.ptr[t + 1]), scratch.runs)
        at = 0
        for high, count in runs.tolist():
            if high:
                docs[at : at + count] |= high << LOW_BITS
            at += count


@dataclass(frozen=True, slots=True)
class Postings:
    """Each term's posting lists: the passages of term t and a value for each (its term
    frequency, or an older index's BM25 score), postings indptr[t] to indptr[t + 1]."""

    indptr: np.ndarray  # int64, one more than terms
    docs: np.ndarray | NpyFile  # int32, or uint16 low bits completed by runs
    values: np.ndarray | NpyFile  # uint8 term frequencies, or float32 scores
    runs: PassageRuns | None = None

    def read(self, t: int, scratch: Scratch) -> tuple[np.ndarray, np.ndarray]:
        """Term t's passages (in scratch.docs) and values as stored (those of files read into
        scratch)."""
        lo, hi = int(self.indptr[t]), int(self.indptr[t + 1])
        docs = scratch.docs[: hi - lo]
        if isinstance(self.docs, np.ndarray):
            assert isinstance(self.values, np.ndarray)
            docs[...] = self.docs[lo:hi]
            return docs, self.values[lo:hi]
        assert isinstance(self.values, NpyFile)
        docs[...] = self.docs.read_into(lo, hi, scratch.stored_docs)
        if self.runs is not None:
            self.runs.complete(t, docs, scratch)
        return docs, self.values.read_into(lo, hi, scratch.stored_values)

    @property
    def doc_freq(self) -> np.ndarray:
        return np.diff(self.indptr)


class Scratch:
    """The arrays one term's scores are computed in, kept for the next question: a fresh array
    of a million values costs more in page faults than the arithmetic done in it."""

    def __init__(self, size: int, postings: Postings) -> None:
        self.stored_docs = np.zeros(size, postings.docs.dtype)
        self.stored_values = np.zeros(size, postings.values.dtype)
        self.runs = np.zeros((postings.runs.most if postings.runs else 0, 2), np.int32)
        self.docs = np.zeros(size, np.intp)  # what numpy indexes with, cast once
        self.scores = np.zeros(size, np.float32)
        self.norm = np.zeros(size, np.float32)


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
        folder.mkdir(parents=True, exist_ok=True)
        docs, tf = self.postings.docs, self.postings.values
        assert isinstance(docs, np.ndarray) and isinstance(tf, np.ndarray)
        runs_ptr, runs = _passage_runs(self.postings.indptr, docs)
        np.save(folder / POSTINGS_INDPTR, self.postings.indptr)
        np.save(folder / POSTINGS_DOCS, docs.astype(np.uint16))  # integer casts wrap: low bits
        np.save(folder / POSTINGS_RUNS_PTR, runs_ptr)
        np.save(folder / POSTINGS_RUNS, runs)
        np.save(folder / POSTINGS_TF, tf)
        np.save(folder / LENGTHS, self.lengths.astype(np.int32))
        if self.stored_vocab is not None:  # the vocabulary grows only: unchanged, it is linked
            link_or_copy(self.stored_vocab, folder / VOCAB)
        else:
            (folder / VOCAB).write_text(json.dumps(self.vocab, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        """The index saved in folder (or by bm25s, before the stored term frequencies), its
        posting lists left in their files."""
        if (folder / OLD_PARAMS).exists():
            return cls._load_old(folder)
        stored = StoredPostings.open(folder)
        postings = Postings(stored.indptr, stored.docs, stored.tf, stored.runs)
        terms = {t: i for i, t in enumerate(stored.vocab)}
        n_docs, norm = len(stored.lengths), _norm(stored.lengths)
        return cls(terms, postings, n_docs, norm)

    @classmethod
    def _load_old(cls, folder: Path) -> KeywordIndex:
        """A folder bm25s saved: its BM25 scores precomputed, by term."""
        n_docs = int(json.loads((folder / OLD_PARAMS).read_text(encoding="utf-8"))["num_docs"])
        vocab = json.loads((folder / OLD_VOCAB).read_text(encoding="utf-8"))
        indptr = _offsets(folder, OLD_INDPTR)
        # bm25s's own index() adds its empty token to the vocabulary after the score matrix,
        # with no posting list when no passage is empty: a term without one holds no passage
        terms = {w: t for w, t in vocab.items() if t < len(indptr) - 1}
        if len(terms) < len(vocab) - 1 or len(set(terms.values())) != len(indptr) - 1:
            raise _damaged(OLD_INDPTR, f"{len(indptr) - 1} posting lists for {len(vocab)} terms")
        n = int(indptr[-1])
        docs = _opened(folder, OLD_DOCS, (np.int32,), n)
        _check_last_passages(docs, indptr[1:][indptr[1:] > indptr[:-1]] - 1, n_docs)
        postings = Postings(indptr, docs, _opened(folder, OLD_SCORES, (np.float32,), n))
        return cls(terms, postings, n_docs, None)

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

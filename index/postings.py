"""The keyword index's folder, which index.bm25 scores from: posting lists by term (each
posting's passage and term frequency), every passage's length in tokens, the vocabulary. Written
from a built index; on load its files are opened and checked against each other, and a term's
postings read from them when a question asks (an older folder's bm25s scores the same way)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.integrity import link_or_copy
from index.layout import KEYWORDS, IndexDamaged, read_part
from index.npyfile import NpyFile

# posting lists by term: indptr per term, then each posting's passage and term frequency
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


def save_postings(
    folder: Path,
    postings: Postings,
    lengths: np.ndarray,
    vocab: list[str],
    stored_vocab: Path | None,
) -> None:
    """A built index's postings (held in arrays), passage lengths and vocabulary into folder;
    stored_vocab, a file holding exactly this vocabulary, is linked rather than written."""
    folder.mkdir(parents=True, exist_ok=True)
    docs, tf = postings.docs, postings.values
    assert isinstance(docs, np.ndarray) and isinstance(tf, np.ndarray)
    runs_ptr, runs = _passage_runs(postings.indptr, docs)
    np.save(folder / POSTINGS_INDPTR, postings.indptr)
    np.save(folder / POSTINGS_DOCS, docs.astype(np.uint16))  # integer casts wrap: low bits
    np.save(folder / POSTINGS_RUNS_PTR, runs_ptr)
    np.save(folder / POSTINGS_RUNS, runs)
    np.save(folder / POSTINGS_TF, tf)
    np.save(folder / LENGTHS, lengths.astype(np.int32))
    if stored_vocab is not None:  # the vocabulary grows only: unchanged, it is linked
        link_or_copy(stored_vocab, folder / VOCAB)
    else:
        (folder / VOCAB).write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")


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


def _last_of_each_term(indptr: np.ndarray) -> np.ndarray:
    """Where each term with postings has its last one (its highest passage)."""
    return indptr[1:][indptr[1:] > indptr[:-1]] - 1


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
            _check_last_passages(docs, _last_of_each_term(indptr), n_docs)
        return cls(vocab, indptr, lengths, docs, tf, runs)

    def passages(self) -> np.ndarray:
        """Every posting's passage, whole (its run's high bits added to its low bits), read
        from the file and checked to be below the passages' count."""
        docs = self.docs.read_all()
        if self.runs is not None:  # low bits: their runs' high bits added
            runs = self.runs.rows.read_all()
            low, docs = docs, np.repeat(runs[:, 0] << LOW_BITS, runs[:, 1])
            docs |= low
        if len(docs) and int(docs.max()) >= len(self.lengths):
            reason = f"a posting of passage {int(docs.max())} of {len(self.lengths)}"
            raise _damaged(POSTINGS_DOCS, reason)
        return docs


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


def read_old_scores(folder: Path) -> tuple[dict[str, int], Postings, int]:
    """A folder bm25s saved (before the stored term frequencies): its terms' ids, their BM25
    scores precomputed as posting lists (left in their files), and its passages' count."""
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
    _check_last_passages(docs, _last_of_each_term(indptr), n_docs)
    postings = Postings(indptr, docs, _opened(folder, OLD_SCORES, (np.float32,), n))
    return terms, postings, n_docs


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

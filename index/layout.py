"""The index folder's layout: the one module that names its files, and its manifest.

A data dir holds `index` (a link to the published build), `builds/<generation>/` (the build
folders), `.write.lock` and the embedding cache; a build folder holds the files named here.
Importing this module loads nothing heavy, so the CLI can read a manifest cheaply.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from index.integrity import manifest_checksum

FORMAT_VERSION = 8
# format 2: no stored tokens (updated by one rebuild); 3: answer units as a JSON list (UNITS);
# 4: answer-unit vectors in float16 (5: int8 codes, build_params["unit_vectors"]); 5: each
# passage's title and text in CHUNKS (6: its offsets into its article, build_params["passages"]);
# 6: answer-unit vectors as int8 codes (7: 6-bit codes about UNIT_MEAN); 7: articles as JSON
# lines (ARTICLES), passages as JSON lines (CHUNKS), the keyword index as bm25s's score matrix
# and a token table (8: PACKED_ARTICLES, CHUNK_SPANS, term frequencies: index.bm25). Each part is
# read by the files present, so an older build serves as it is; its next update writes format 8.
READABLE_FORMATS = (2, 3, 4, 5, 6, 7, 8)

# in a data dir
INDEX_LINK = "index"  # the published build (a symlink into builds/)
BUILDS = "builds"
PARTIAL_PREFIX = ".partial-"  # a build folder still being written
WRITE_LOCK = ".write.lock"
EVAL_FOLDER = "eval"  # indexes of other corpora that `wenda eval --corpus` builds

# in a build folder
MANIFEST = "manifest.json"
ARTICLES = "articles.jsonl"  # format 7 and before: one JSON record per line
# format 8: each article's JSON record compressed on its own (zlib), one after another, and the
# n + 1 byte offsets of those records
PACKED_ARTICLES = "articles.packed"
ARTICLE_OFFSETS = "article_offsets.npy"  # int64
# format 8: the zlib dictionary every packed record is compressed with (a build without one: none)
ARTICLES_ZDICT = "articles.zdict"
# format 8: what a date or source filter reads of each article, by row (index.texts.ArticleFields):
# its iso_date as the int32 YYYYMMDD (-1: none), its source's place in ARTICLE_SOURCE_NAMES
ARTICLE_DATES = "article_dates.npy"
ARTICLE_SOURCES = "article_sources.npy"  # int32
ARTICLE_SOURCE_NAMES = "article_sources.json"  # the distinct sources, a JSON list of strings
CHUNKS = "chunks.jsonl"  # per passage: chunk_id, doc_id and its start, end in its article's text
# format 8: int32 (start, end) per passage in its article's text (its article: CHUNK_ARTICLES; its
# chunk_id: corpus.chunking.chunk_id of the three), instead of CHUNKS
CHUNK_SPANS = "chunk_spans.npy"
VECTORS = "vectors.faiss"
KEYWORDS = "bm25"  # a folder of its own (KeywordIndex.save)
UNITS = "sentences.json"  # format 3 and before: the answer units, [doc_id, start, end] each
UNIT_TABLE = "sentence_units.npy"  # int32 (article row, start, end) per answer unit
# one row per answer unit: 6-bit codes about UNIT_MEAN (int8 codes in formats 5-6, float16 before)
UNIT_VECTORS = "sentence_vectors.npy"
UNIT_MEAN = "sentence_mean.npy"  # float32, the mean unit vector UNIT_VECTORS is coded about (7)
ARTICLE_IDS = "article_ids.json"  # the articles' ids, in row order (an update reads no article)
CHUNK_ARTICLES = "chunk_articles.npy"  # int32, each passage's row in articles
# A flat index's vectors are not rewritten by an update: VECTORS and UNIT_VECTORS are the base
# (a hard link to the previous build's file, rows of removed articles left in place), each
# update's new rows are a part of their own (`vectors.added-<n>.npy`,
# `sentence_vectors.added-<n>.npy`, linked on as well), and the *_ROWS files give each
# passage's (answer unit's) row of base + parts. Without them, row i is passage (unit) i.
VECTOR_ROWS = "vector_rows.npy"  # int64, one per passage
UNIT_ROWS = "sentence_rows.npy"  # int64, one per answer unit

T = TypeVar("T")


class IndexNotFound(RuntimeError):
    """No index in the data dir."""


class IndexMismatch(RuntimeError):
    """The index on disk was built differently from what the service is configured with."""


class IndexDamaged(IndexMismatch):
    """A file of the index folder is missing, truncated, or disagrees with the manifest."""

    def __init__(self, name: str, reason: str) -> None:
        self.path = f"{INDEX_LINK}/{name}"  # relative to the data dir: no server path in a response
        super().__init__(
            f"index file {self.path} is damaged ({reason}): "
            "run `wenda index --rebuild` to rebuild the index"
        )


class DamagedFile(ValueError):
    """What a reader found wrong with a file, in words that name no path: read_part tells it
    as IndexDamaged naming the file."""


def read_part(name: str, read: Callable[[], T]) -> T:
    """read() of the index file `name`, any failure of it (each reader fails its own way on a
    truncated or missing file) told as IndexDamaged naming the file; a DamagedFile's reason is
    kept, and an IndexDamaged raised by read (naming a file of a part's folder) passes as it is."""
    try:
        return read()
    except IndexDamaged:
        raise
    except FileNotFoundError as exc:
        raise IndexDamaged(name, "missing") from exc
    except DamagedFile as exc:
        raise IndexDamaged(name, str(exc)) from exc
    except Exception as exc:
        raise IndexDamaged(name, f"unreadable: {type(exc).__name__}") from exc


@dataclass(frozen=True, slots=True)
class Manifest:
    format_version: int
    model: str
    dim: int
    articles: int
    chunks: int
    corpus_hash: str
    built_at: str
    index_type: str
    build_seconds: float
    embedded: int  # texts embedded by this build (the rest came from the cache)
    sentences: int  # answer units with a vector of their own
    # added in format 3 (absent from format 2 manifests)
    generation: str = ""  # the build folder's name; changes with every published state
    corpus_paths: list[str] = field(default_factory=list)  # what `wenda index` read
    build_params: dict[str, Any] = field(default_factory=dict)  # see index.store.build_config
    changes: dict[str, int] = field(default_factory=dict)  # of the update that published it
    # {file: {"bytes", "sha256"}} of every file of the build but the manifest, compared before
    # the build is published and before it is served (absent from older manifests)
    files: dict[str, Any] = field(default_factory=dict)
    # rows stored in the vector files when an update reused them: {"vectors", "vectors_added",
    # "units", "units_added"}; empty when the files hold exactly the passages and units in order
    stored_rows: dict[str, Any] = field(default_factory=dict)


def has_index(data_dir: Path) -> bool:
    return (data_dir / INDEX_LINK / MANIFEST).exists()


def read_manifest(folder: Path) -> Manifest:
    """The manifest of an index folder, refused with what to run when unreadable or of another format."""
    try:
        raw = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexDamaged(MANIFEST, "missing") from exc
    except (OSError, ValueError) as exc:
        raise IndexDamaged(MANIFEST, f"unreadable: {type(exc).__name__}") from exc
    version = raw.get("format_version") if isinstance(raw, dict) else None
    if version not in READABLE_FORMATS:
        raise IndexMismatch(
            f"index format {version}, this wenda reads format {FORMAT_VERSION}: run `wenda index`"
        )
    checksum = raw.pop("checksum", None)  # absent from manifests written before it was added
    if checksum is not None and checksum != manifest_checksum(raw):
        raise IndexDamaged(MANIFEST, "edited: its fields no longer match its checksum")
    try:
        return Manifest(**raw)
    except TypeError as exc:
        raise IndexMismatch(
            f"index at {folder} has a malformed manifest: run `wenda index` to rebuild it"
        ) from exc


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """The manifest with a checksum of its own fields, so that an edited one is told apart."""
    raw = asdict(manifest)
    raw["checksum"] = manifest_checksum(raw)
    (folder / MANIFEST).write_text(json.dumps(raw, indent=2, ensure_ascii=False), encoding="utf-8")


def published_manifest(data_dir: Path) -> Manifest | None:
    """The manifest of the data dir's published index; None when there is none or it is
    unreadable."""
    if not has_index(data_dir):
        return None
    try:
        return read_manifest((data_dir / INDEX_LINK).resolve())
    except IndexMismatch:
        return None


def current_generation(data_dir: Path) -> str | None:
    """What data_dir/index points at (cheap: one readlink), changing with every published
    state; None when there is no index."""
    link = data_dir / INDEX_LINK
    try:
        return os.readlink(link)
    except OSError:
        pass
    try:  # an index folder put in place by hand rather than published
        return f"folder@{(link / MANIFEST).stat().st_mtime_ns}"
    except OSError:
        return None

"""Passages in a Milvus collection: their vectors, their text for Milvus's BM25 full-text
search (its jieba analyzer) and their article's metadata for filters; searched by keywords, by
vector, or both fused as the FAISS backend fuses (`fuse_rankings`).

A row's key hashes the model, the passage id and the passage text, so a changed passage is a
new row: the rows of a generation are written before it is published and the rows no generation
holds any more are deleted after it, and a server keeps only the hits of the generation it
serves (`MilvusRetriever`). pymilvus is imported here only: the FAISS backend never needs it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from corpus.model import Article, Chunk
from corpus.plain import iso_date
from corpus.text import normalize
from index.backend import ArticleFilter, Asked, FusionWeights, PassageSearch, Rankings
from index.embedder import Embedder
from index.encoding import passage_input
from index.folder import LoadedIndex
from index.layout import IndexMismatch

# Milvus's built-in Chinese analyzer, in jieba's search mode as index/bm25.py tokenises
ANALYZER = {"tokenizer": {"type": "jieba", "mode": "search"}}
BM25_PARAMS = {"bm25_k1": 1.5, "bm25_b": 0.75}  # bm25s's (Lucene) defaults, as the FAISS backend
TEXT_MAX_BYTES = 16384  # a passage is at most 400 characters plus its headline (UTF-8: 3 bytes)
ID_MAX_BYTES = 2048
WRITE_BATCH = 512  # rows sent to Milvus in one request
SCAN_BATCH = 4096
# every character jieba does not keep inside a word becomes a space (so Milvus's analyzer makes
# the tokens index/bm25.py makes: punctuation is no term)
_NOT_WORD = re.compile(r"[^\w+#&._%-]+")


def analysed_text(text: str) -> str:
    """The text Milvus's analyzer tokenises: NFKC, lower case, punctuation as spaces."""
    return _NOT_WORD.sub(" ", normalize(text).lower()).strip()


def row_key(model: str, chunk: Chunk) -> str:
    """A passage's row key: the same passage text of the same article gives the same key."""
    digest = hashlib.sha256(f"{model}\0{chunk.chunk_id}\0{passage_input(chunk)}".encode())
    return digest.hexdigest()[:32]


def day_number(article: Article) -> int:
    """The article's date as YYYYMMDD (0: none), compared in Milvus filters."""
    day = iso_date(str(article.metadata.get("date", "")))
    return int(day.replace("-", "")) if day else 0


def filter_expression(only: ArticleFilter | None) -> str:
    """The Milvus boolean expression admitting what only admits ("" for everything)."""
    if only is None:
        return ""
    terms = []
    if only.doc_ids is not None:
        terms.append(f"doc_id in {_strings(sorted(only.doc_ids))}")
    if only.source is not None:
        terms.append(f"source == {_strings([only.source])[1:-1]}")
    if only.date_from or only.date_to:
        terms.append("day > 0")
    if only.date_from:
        terms.append(f"day >= {int(only.date_from.replace('-', ''))}")
    if only.date_to:
        terms.append(f"day <= {int(only.date_to.replace('-', ''))}")
    return " and ".join(terms)


def _strings(values: Sequence[str]) -> str:
    """A Milvus list literal of strings (double-quoted, backslashes and quotes escaped)."""
    quoted = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "[" + ", ".join(quoted) + "]"


class CollectionMismatch(IndexMismatch):
    """The named collection exists but was not made for this model (another dimension)."""


class MilvusUnavailable(IndexMismatch):
    """Milvus did not answer a search: as a missing index, the service answers 503 saying so."""


@dataclass(frozen=True, slots=True)
class MilvusTarget:
    uri: str
    collection: str
    token: str = ""
    dense_index: str = "FLAT"  # the dense field's index type (FLAT, HNSW, IVF_SQ8, AUTOINDEX)
    shards: int = 1  # set when the collection is created
    replicas: int = 1  # in-memory copies a cluster loads it as (query nodes serving it)


log = logging.getLogger("wenda")
_clients: dict[tuple[str, str], Any] = {}
# Milvus Lite gives no MVCC timestamp for an iterator; pymilvus warns of it on every scan
SCAN_LOG = "pymilvus.client.iterator.query_iterator"


def connect(target: MilvusTarget) -> Any:
    """One MilvusClient per address in a process (it holds a gRPC channel)."""
    from pymilvus import MilvusClient

    key = (target.uri, target.token)
    if key not in _clients:
        _clients[key] = MilvusClient(uri=target.uri, token=target.token)
    return _clients[key]


class MilvusPassages:
    """One collection of passages: created when missing (never dropped), written by key,
    searched by BM25 or by vector."""

    def __init__(self, target: MilvusTarget) -> None:
        self.target = target
        self.name = target.collection
        self.client = connect(target)

    def ensure(self, dim: int) -> None:
        """Create the collection when it does not exist; CollectionMismatch when it exists with
        vectors of another dimension."""
        if self.client.has_collection(self.name):
            fields = self.client.describe_collection(self.name)["fields"]
            dims = [int(f["params"].get("dim", 0)) for f in fields if f["name"] == "dense"]
            if dims != [dim]:
                raise CollectionMismatch(
                    f"Milvus collection {self.name} holds {dims} vectors, the model makes {dim}: "
                    "set WENDA_MILVUS_COLLECTION to another name (or drop that collection)"
                )
            return
        # Strong: a generation is published only after its rows are written, so every search
        # must see them
        self.client.create_collection(
            self.name,
            schema=self._schema(dim),
            index_params=self._indexes(),
            consistency_level="Strong",
            num_shards=self.target.shards,
        )
        if self.target.replicas > 1:
            self.client.release_collection(self.name)
            self.client.load_collection(self.name, replica_number=self.target.replicas)

    def _schema(self, dim: int) -> Any:
        from pymilvus import DataType, Function, FunctionType, MilvusClient

        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=64)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=ID_MAX_BYTES)
        schema.add_field("chunk_id", DataType.VARCHAR, max_length=ID_MAX_BYTES)
        schema.add_field("source", DataType.VARCHAR, max_length=ID_MAX_BYTES)
        schema.add_field("day", DataType.INT64)
        schema.add_field(
            "text",
            DataType.VARCHAR,
            max_length=TEXT_MAX_BYTES,
            enable_analyzer=True,
            analyzer_params=ANALYZER,
        )
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_function(
            Function(
                name="text_bm25",
                function_type=FunctionType.BM25,
                input_field_names=["text"],
                output_field_names=["sparse"],
            )
        )
        return schema

    def _indexes(self) -> Any:
        params = self.client.prepare_index_params()
        params.add_index(
            field_name="dense", index_type=self.target.dense_index, metric_type="COSINE"
        )
        params.add_index(
            field_name="sparse",
            index_type="SPARSE_INVERTED_INDEX",
            metric_type="BM25",
            params=BM25_PARAMS,
        )
        return params

    # ------------------------------------------------------------------ writing

    def upsert(
        self,
        model: str,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        articles_by_id: Mapping[str, Article],
    ) -> int:
        """Write the rows of chunks (row i's vector is vectors[i]); returns how many."""
        for start in range(0, len(chunks), WRITE_BATCH):
            rows = []
            for chunk, vector in zip(
                chunks[start : start + WRITE_BATCH],
                vectors[start : start + WRITE_BATCH],
                strict=True,
            ):
                article = articles_by_id[chunk.doc_id]
                rows.append(
                    {
                        "pk": row_key(model, chunk),
                        "doc_id": chunk.doc_id,
                        "chunk_id": chunk.chunk_id,
                        "source": str(article.metadata.get("source", "")),
                        "day": day_number(article),
                        "text": analysed_text(passage_input(chunk)),
                        "dense": np.asarray(vector, dtype=np.float32).tolist(),
                    }
                )
            self.client.upsert(self.name, data=rows)
        return len(chunks)

    def keys(self, doc_ids: Iterable[str] | None = None) -> set[str]:
        """The row keys held (of these articles' passages, when given)."""
        docs = None if doc_ids is None else sorted(set(doc_ids))
        if docs == []:
            return set()
        expression = "" if docs is None else f"doc_id in {_strings(docs)}"
        found: set[str] = set()
        logging.getLogger(SCAN_LOG).setLevel(logging.ERROR)  # set here: pymilvus sets its own
        scan = self.client.query_iterator(
            self.name, filter=expression, output_fields=["pk"], batch_size=SCAN_BATCH
        )
        try:
            while batch := scan.next():
                found.update(row["pk"] for row in batch)
        finally:
            scan.close()
        return found

    def delete(self, keys: Iterable[str]) -> int:
        wanted = sorted(keys)
        for start in range(0, len(wanted), WRITE_BATCH):
            self.client.delete(self.name, ids=wanted[start : start + WRITE_BATCH])
        return len(wanted)

    def flush(self) -> None:
        """Seal what was written (Milvus Lite searches unsealed rows by rebuilding their index
        on every search: 3 s a BM25 search of 1,859 passages here, 15-60 ms once sealed)."""
        self.client.flush(self.name)

    def count(self) -> int:
        result = self.client.query(self.name, filter="", output_fields=["count(*)"])
        return int(result[0]["count(*)"])

    # ------------------------------------------------------------------ searching

    def bm25(self, question: str, limit: int, expression: str = "") -> list[tuple[str, float]]:
        """(key, BM25 score) of the best limit passages for the question's words, best first."""
        text = analysed_text(question)
        found = self._search(text, "sparse", "BM25", limit, expression) if text else []
        # Milvus Lite reports BM25 as a negated distance, Milvus as the score: the order is theirs
        return [(key, abs(score)) for key, score in found]

    def dense(
        self, query_vec: np.ndarray, limit: int, expression: str = ""
    ) -> list[tuple[str, float]]:
        """(key, cosine) of the limit passages nearest the question's vector, nearest first."""
        vector = np.asarray(query_vec, dtype=np.float32).tolist()
        return self._search(vector, "dense", "COSINE", limit, expression)

    def _search(
        self, query: Any, field: str, metric: str, limit: int, expression: str
    ) -> list[tuple[str, float]]:
        from pymilvus import MilvusException

        try:
            found = self.client.search(
                self.name,
                data=[query],
                anns_field=field,
                limit=limit,
                filter=expression,
                search_params={"metric_type": metric},
                output_fields=["pk"],
            )[0]
        except MilvusException as exc:
            raise MilvusUnavailable(
                f"Milvus at {self.target.uri} did not search {self.name}: {exc.message}"
            ) from exc
        return [(hit["pk"], float(hit["distance"])) for hit in found]


class MilvusRetriever(PassageSearch):
    """The served generation's passages searched in Milvus (index.backend.PassageSearch): a hit
    whose row is not in this generation (written for the next one, or left by the last) is
    skipped, so a server never answers from passages it does not hold."""

    def __init__(
        self,
        index: LoadedIndex,
        embedder: Embedder | None,
        passages: MilvusPassages,
        fusion: FusionWeights | None = None,
    ) -> None:
        super().__init__(index, embedder, fusion)
        self.passages = passages
        self.rows = {row_key(index.manifest.model, c): i for i, c in enumerate(index.chunks)}
        held = passages.count()
        if held < len(self.rows):  # searches still answer, from the passages Milvus holds
            log.warning(
                "Milvus collection %s holds %d rows, the index served %d passages: run "
                "`wenda index --if-missing` to fill it",
                passages.name,
                held,
                len(self.rows),
            )

    def rankings(self, asked: Asked) -> Rankings:
        expression = filter_expression(asked.only)
        keyword = (
            self._served(self.passages.bm25(asked.question, asked.depth, expression))
            if asked.mode != "dense"
            else []
        )
        nearest = (
            self._served(self.passages.dense(asked.vector, asked.depth, expression))
            if asked.vector is not None
            else []
        )
        scores = dict(keyword)
        return Rankings(keyword, nearest, lambda i: scores.get(i, 0.0))

    def _served(self, ranking: list[tuple[str, float]]) -> list[tuple[int, float]]:
        return [(self.rows[key], s) for key, s in ranking if key in self.rows]

"""What is embedded for passages and answer units, and embedding it through the cache."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from corpus.chunking import answer_spans, chunk_article
from corpus.model import Article, Chunk
from index.cache import EmbeddingCache, text_key
from index.embedder import Embedder, vectors_name
from index.vectors import quantize_units, unit_mean

Progress = Callable[[int, int], None]


def passage_input(chunk: Chunk) -> str:
    """What is embedded and keyword-indexed for a passage: its headline, then its text."""
    return f"{chunk.title}\n{chunk.text}" if chunk.title else chunk.text


def sentence_units(articles: Sequence[Article]) -> list[tuple[str, int, int]]:
    """Every answer unit (sentence or clause window) of the corpus as (doc_id, start, end)."""
    return [(a.doc_id, s, e) for a in articles for s, e in answer_spans(a.text)]


def sentence_input(article: Article, start: int, end: int) -> str:
    """What is embedded for an answer unit: the headline gives a sentence the subject it omits."""
    text = article.text[start:end]
    return f"{article.title}\n{text}" if article.title else text


def chunk_corpus(articles: Sequence[Article]) -> list[Chunk]:
    return [c for a in articles for c in chunk_article(a)]


def embed_with_cache(
    embedder: Embedder,
    texts: Sequence[str],
    cache: EmbeddingCache | None,
    progress: Progress | None = None,
    batch: int = 64,
) -> tuple[np.ndarray, int]:
    """Vectors for texts, embedding only those not in the cache; returns (vectors, embedded)."""
    keys = [text_key(vectors_name(embedder), t) for t in texts]
    found = {
        k: v
        for k, v in (cache.get_many(keys) if cache else {}).items()
        if v.shape == (embedder.dim,)
    }
    first_of: dict[str, int] = {}
    for i, k in enumerate(keys):
        first_of.setdefault(k, i)
    # each distinct text not in the cache is embedded once, similar lengths batched together
    todo = sorted((i for k, i in first_of.items() if k not in found), key=lambda i: len(texts[i]))
    total = len(todo) + len(found)
    if progress:
        progress(len(found), total)
    for b in range(0, len(todo), batch):
        ids = todo[b : b + batch]
        vecs = embedder.embed_passages([texts[i] for i in ids])
        found.update(zip((keys[i] for i in ids), vecs, strict=True))
        if cache:
            cache.put_many([keys[i] for i in ids], vecs)
        if progress:
            progress(len(found), total)
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for i, k in enumerate(keys):
        vectors[i] = found[k]
    return vectors, len(todo)


@dataclass(slots=True)
class EncodedArticles:
    """Articles cut into passages and answer units, each with its vector."""

    chunks: list[Chunk]
    vectors: np.ndarray  # float32, row i is chunks[i]
    inputs: list[str]  # passage_input of each chunk (what BM25 tokenises)
    units: list[tuple[str, int, int]]
    unit_vectors: np.ndarray  # coded about unit_mean (quantize_units), row i is units[i]
    unit_mean: np.ndarray
    embedded: int  # texts embedded (the rest came from the cache)


def encode_articles(
    articles: Sequence[Article],
    embedder: Embedder,
    cache: EmbeddingCache | None,
    progress: Progress | None,
    mean: np.ndarray | None = None,
) -> EncodedArticles:
    """Chunks, their vectors and inputs, answer units and their vectors, texts embedded. The
    units are coded about mean: an index's own when they extend it, else the mean of theirs."""
    chunks = chunk_corpus(articles)
    inputs = [passage_input(c) for c in chunks]
    by_id = {a.doc_id: a for a in articles}
    units = sentence_units(articles)
    unit_inputs = [sentence_input(by_id[d], s, e) for d, s, e in units]
    all_vectors, embedded = embed_with_cache(embedder, inputs + unit_inputs, cache, progress)
    unit_vectors = all_vectors[len(inputs) :]
    mean = unit_mean(unit_vectors) if mean is None else mean
    return EncodedArticles(
        chunks,
        all_vectors[: len(inputs)],
        inputs,
        units,
        quantize_units(unit_vectors, mean),
        mean,
        embedded,
    )

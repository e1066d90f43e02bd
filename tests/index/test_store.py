import json
from pathlib import Path

import pytest

from corpus.model import Article
from index.cache import EmbeddingCache
from index.store import FORMAT_VERSION, IndexMismatch, IndexNotFound, build_index, load_index


def articles(n: int = 5) -> list[Article]:
    return [
        Article(doc_id=f"d{i}", title=f"第{i}篇", text=f"这是第{i}篇文章。它讲了第{i}件事。" * 3)
        for i in range(n)
    ]


class CountingEmbedder:
    def __init__(self, inner):
        self.inner, self.name, self.dim, self.calls = inner, inner.name, inner.dim, 0

    def embed_passages(self, texts):
        self.calls += len(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def test_build_writes_a_self_describing_folder(tmp_path: Path, fake_embedder) -> None:
    manifest = build_index(articles(), fake_embedder, tmp_path)
    raw = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert raw["format_version"] == FORMAT_VERSION
    assert raw["model"] == fake_embedder.name and raw["dim"] == fake_embedder.dim
    assert raw["articles"] == 5 and raw["chunks"] == manifest.chunks > 0
    assert len(raw["corpus_hash"]) == 64 and raw["built_at"]
    loaded = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert loaded.vectors.ntotal == manifest.chunks
    assert [a.doc_id for a in loaded.articles] == [f"d{i}" for i in range(5)]


def test_rebuilding_an_unchanged_corpus_embeds_nothing(tmp_path: Path, fake_embedder) -> None:
    counting = CountingEmbedder(fake_embedder)
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    first = build_index(articles(), counting, tmp_path / "data", cache)
    # each passage and each distinct sentence is embedded once
    assert counting.calls == first.embedded == first.chunks + 2 * 5
    second = build_index(articles(), counting, tmp_path / "data", cache)
    assert counting.calls == first.embedded and second.embedded == 0
    third = build_index(articles(6), counting, tmp_path / "data", cache)
    assert third.embedded == 1 + 2  # only the new article's passage and its two sentences
    assert counting.calls == first.embedded + 3


def test_sentence_vectors_are_stored_for_every_answer_unit(tmp_path: Path, fake_embedder) -> None:
    build_index(articles(2), fake_embedder, tmp_path)
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert len(index.sentence_rows) == index.manifest.sentences == len(index.sentence_vectors) == 12
    doc = index.articles_by_id["d1"]
    row = index.sentence_rows[("d1", 0, 8)]
    assert doc.text[0:8] == "这是第1篇文章。"
    expected = fake_embedder.embed_passages([f"{doc.title}\n这是第1篇文章。"])[0]
    assert abs(float(index.sentence_vectors[row].astype("float32") @ expected) - 1.0) < 1e-2


def test_failed_build_leaves_the_old_index_serving(tmp_path: Path, fake_embedder) -> None:
    build_index(articles(3), fake_embedder, tmp_path)

    class Exploding:
        name, dim = fake_embedder.name, fake_embedder.dim

        def embed_passages(self, texts):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        build_index(articles(4), Exploding(), tmp_path)
    loaded = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert loaded.manifest.articles == 3
    assert not [p for p in (tmp_path / "builds").iterdir() if p.name.startswith(".partial")]


def test_swap_keeps_only_the_new_build(tmp_path: Path, fake_embedder) -> None:
    build_index(articles(2), fake_embedder, tmp_path)
    build_index(articles(3), fake_embedder, tmp_path)
    assert len(list((tmp_path / "builds").iterdir())) == 1
    assert load_index(tmp_path, fake_embedder.name, fake_embedder.dim).manifest.articles == 3


def test_missing_index_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFound, match="wenda index"):
        load_index(tmp_path, "m", 3)


def test_index_of_another_model_is_refused_with_what_to_run(tmp_path: Path, fake_embedder) -> None:
    build_index(articles(2), fake_embedder, tmp_path)
    with pytest.raises(
        IndexMismatch, match=r"built with fake-bigram.*configured with other.*wenda index"
    ):
        load_index(tmp_path, "other", 384)


def test_index_of_an_older_format_is_refused_with_what_to_run(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(articles(2), fake_embedder, tmp_path)
    manifest = tmp_path / "index" / "manifest.json"
    raw = json.loads(manifest.read_text())
    raw["format_version"] = 1
    del raw["sentences"]
    manifest.write_text(json.dumps(raw))
    with pytest.raises(IndexMismatch, match=r"index format 1.*wenda index"):
        load_index(tmp_path, fake_embedder.name, fake_embedder.dim)

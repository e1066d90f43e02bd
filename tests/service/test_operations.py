"""The operations under the CLI and the bench, called directly with the fake embedder."""

import json
from pathlib import Path

import pytest

from corpus.model import Article
from service import operations
from service.settings import Settings


def write_corpus(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        {"id": f"a{i}", "title": f"第{i}篇", "text": f"第{i}篇说港口吞吐量增长{i}成。"}
        for i in range(n)
    ]
    path = folder / "docs.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), "utf-8")
    return path


def test_eval_data_dir_is_stable_per_corpus_and_inside_the_data_dir(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first = operations.eval_data_dir(tmp_path / "data", [a])
    assert first == operations.eval_data_dir(tmp_path / "data", [a])
    assert first != operations.eval_data_dir(tmp_path / "data", [b])
    assert first.parent == tmp_path / "data" / "eval"


def test_an_eval_index_is_built_once_and_leaves_the_data_dirs_own_index_alone(
    tmp_path: Path, fake_embedder
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    operations.build(settings, fake_embedder, [Article("own", "自己的", "自己的文章。")])
    own = (tmp_path / "data" / "index" / "manifest.json").read_bytes()
    docs = write_corpus(tmp_path / "cmrc", 3)
    service, eval_settings = operations.eval_service(settings, fake_embedder, [docs])
    assert eval_settings.data_dir.parent == tmp_path / "data" / "eval"
    assert [a.doc_id for a in service.index.articles] == ["a0", "a1", "a2"]
    generation = service.index.manifest.generation
    again, _ = operations.eval_service(settings, fake_embedder, [docs])
    assert again.index.manifest.generation == generation  # current: not rebuilt
    assert (tmp_path / "data" / "index" / "manifest.json").read_bytes() == own
    # the eval index shares the data dir's embedding cache
    assert [p.name for p in (tmp_path / "data" / "cache").iterdir()] == [
        "embeddings-fake-bigram.sqlite"
    ]


def test_an_index_built_another_way_is_rebuilt_from_its_own_articles(
    tmp_path: Path, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.store

    settings = Settings(data_dir=tmp_path / "data")
    mine = [Article("x", "标题", "一篇自己的文章。"), Article("y", "另一篇", "第二篇文章。")]
    current = index.store.build_config

    def older(model: str, dim: int, index_type: str) -> dict:  # as an older wenda recorded it
        return {**current(model, dim, index_type), "tokenizer": "jieba-search/older"}

    monkeypatch.setattr(index.store, "build_config", older)
    operations.build(settings, fake_embedder, mine)
    monkeypatch.undo()
    assert not operations.is_built_as_configured(settings, fake_embedder)
    m, changes = operations.rebuild_as_configured(settings, fake_embedder)
    assert operations.is_built_as_configured(settings, fake_embedder)
    assert m.articles == 2 and m.embedded == 0  # every text came from the cache
    assert not changes.any()


def test_an_eval_service_answers_with_the_callers_settings(tmp_path: Path, fake_embedder) -> None:
    settings = Settings(data_dir=tmp_path / "data", min_confidence=0.3, reader=False, top_k=3)
    docs = write_corpus(tmp_path / "cmrc", 2)
    service, eval_settings = operations.eval_service(settings, fake_embedder, [docs])
    for kept in (eval_settings, service.settings):
        assert (kept.min_confidence, kept.reader, kept.top_k) == (0.3, False, 3)
    assert service.answer_settings.min_confidence == 0.3
    assert eval_settings.corpus == [docs] and eval_settings.data_dir != settings.data_dir
    assert eval_settings.cache_dir == settings.embedding_cache_dir

"""Date and source filters by the arrays stored beside the articles (index.texts.ArticleFields):
the same passages as the article-by-article comparison (ArticleFilter.admits), after updates
too, and builds without the arrays still filtered article by article."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corpus.model import Article
from index.backend import ArticleFilter
from index.folder import load_folder
from index.layout import IndexDamaged, read_manifest
from index.retriever import Retriever
from index.store import build_index, load_index, update_index
from tests.index.older_formats import as_format_7, without_article_fields

DATES = ["2024-07-08", "2024/7/9", "2024年7月10日 08:30", "", "昨天", "1998.12.31", "2024-07-08"]
SOURCES = ["新华社", "人民日报", "", 5, "新华社"]


def article(i: int, date: object = None, source: object = None) -> Article:
    meta: dict[str, object] = {}
    if date is not None:
        meta["date"] = date
    if source is not None:
        meta["source"] = source
    return Article(f"d{i}", f"第{i}篇", f"这是第{i}篇文章。铜价上涨了{i}成。", metadata=meta)


ARTICLES = [
    article(i, DATES[i % len(DATES)] if i % 9 else None, SOURCES[i % 5] if i % 4 else None)
    for i in range(24)
]
FILTERS = [
    ArticleFilter(date_from="2024-07-09"),
    ArticleFilter(date_to="2024-07-08"),
    ArticleFilter(date_from="2024-07-08", date_to="2024-07-09"),
    ArticleFilter(date_from="1990-01-01", date_to="1998-12-31"),
    ArticleFilter(source="新华社"),
    ArticleFilter(source="5"),
    ArticleFilter(source=""),
    ArticleFilter(source="路透社"),
    ArticleFilter(source="人民日报", date_from="2024-07-01"),
    ArticleFilter(doc_ids=frozenset({"d1", "d2", "d8", "n1", "gone"}), date_to="2024-12-31"),
    ArticleFilter(date_from="2024-7-9"),  # not YYYY-MM-DD: compared as strings, article by article
]


def by_articles(index, only: ArticleFilter) -> np.ndarray:
    """The mask the article-by-article comparison gives."""
    return np.array([only.admits(index.articles[int(r)]) for r in index.chunk_articles])


def assert_filters_agree(data_dir: Path, fake_embedder, stored: bool) -> None:
    index = load_index(data_dir, fake_embedder.name, fake_embedder.dim)
    assert (index.article_fields is not None) is stored
    retriever = Retriever(index, fake_embedder)
    for only in FILTERS:
        index.articles._cached.cache_clear()
        allowed = retriever.allowed_rows(only)
        if stored and only is not FILTERS[-1]:  # no article read
            assert index.articles._cached.cache_info().currsize == 0
        assert allowed.tolist() == by_articles(index, only).tolist(), only
    admitted = {
        c.doc_id
        for c in index.chunks
        if ArticleFilter(source="新华社").admits(index.articles_by_id[c.doc_id])
    }
    hits = retriever.search("铜价上涨", 50, "bm25", only=ArticleFilter(source="新华社"))
    assert hits and {h.chunk.doc_id for h in hits} == admitted


def test_a_build_filters_by_its_stored_fields_as_article_by_article(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(ARTICLES, fake_embedder, tmp_path)
    folder = (tmp_path / "index").resolve()
    assert np.load(folder / "article_dates.npy").dtype == np.int32
    assert_filters_agree(tmp_path, fake_embedder, stored=True)


def test_an_update_keeps_the_fields_in_step(tmp_path: Path, fake_embedder) -> None:
    build_index(ARTICLES, fake_embedder, tmp_path)
    upsert = [article(1, "2024-07-09", "路透社"), article(30, "2025-01-01", "新华社"), article(2)]
    update_index(tmp_path, fake_embedder, upsert=upsert, remove=["d3", "d7", "d8"])
    assert_filters_agree(tmp_path, fake_embedder, stored=True)
    update_index(tmp_path, fake_embedder, remove=[f"d{i}" for i in range(1, 24, 5)])
    assert_filters_agree(tmp_path, fake_embedder, stored=True)


@pytest.mark.parametrize("older", [without_article_fields, as_format_7])
def test_a_build_without_the_fields_filters_article_by_article_and_an_update_stores_them(
    tmp_path: Path, fake_embedder, older
) -> None:
    build_index(ARTICLES, fake_embedder, tmp_path)
    older(tmp_path)
    assert_filters_agree(tmp_path, fake_embedder, stored=False)
    update_index(tmp_path, fake_embedder, upsert=[article(40, "2024-07-09", "新华社")])
    assert_filters_agree(tmp_path, fake_embedder, stored=True)


def test_fields_of_another_length_are_damage_named(tmp_path: Path, fake_embedder) -> None:
    build_index(ARTICLES, fake_embedder, tmp_path)
    folder = (tmp_path / "index").resolve()
    np.save(folder / "article_sources.npy", np.zeros(3, np.int32))
    with pytest.raises(IndexDamaged, match=r"index/article_sources\.npy"):
        load_folder(folder, read_manifest(folder))

"""An index whose keyword index bm25s saved (before the stored term frequencies) still serves,
and an update goes on from it: converted from its token table when it kept one, else built
afresh; either way the result is a full build's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import index.editing
from corpus.model import Article
from index.bm25 import tokenize
from index.encoding import passage_input
from index.store import build_index, load_index, update_index
from tests.index.older_bm25 import as_bm25s_keywords

QUESTIONS = ("第2篇文章讲了什么", "钨矿公司产量", "第5件事")


def articles(n: int) -> list[Article]:
    return [
        Article(doc_id=f"d{i}", title=f"第{i}篇", text=f"这是第{i}篇文章。它讲了第{i}件事。" * 3)
        for i in range(n)
    ]


NEW = Article(doc_id="n1", title="新闻", text="钨矿公司今年产量翻番。工人增加到三百人。")


def bm25s_build(data_dir: Path, fake_embedder, keep_tokens: bool) -> None:
    """A build of articles(4) whose keyword index is in bm25s's layout."""
    build_index(articles(4), fake_embedder, data_dir)
    chunks = load_index(data_dir, fake_embedder.name, fake_embedder.dim).chunks
    as_bm25s_keywords(data_dir, [tokenize(passage_input(c)) for c in chunks], keep_tokens)


def assert_scores_as(a: Path, b: Path, fake_embedder) -> None:
    """The keyword index of a scores every passage as b's, passages matched by id."""
    x = load_index(a, fake_embedder.name, fake_embedder.dim)
    y = load_index(b, fake_embedder.name, fake_embedder.dim)
    assert x.keywords.doc_freq == y.keywords.doc_freq
    rows = {c.chunk_id: i for i, c in enumerate(y.chunks)}
    order = [rows[c.chunk_id] for c in x.chunks]
    for q in QUESTIONS:
        theirs = y.keywords.scores(tokenize(q))[order]
        assert np.allclose(x.keywords.scores(tokenize(q)), theirs, atol=1e-6)


@pytest.mark.parametrize("keep_tokens", [True, False])
def test_a_bm25s_keyword_index_serves_as_a_fresh_build(
    tmp_path: Path, fake_embedder, keep_tokens: bool
) -> None:
    bm25s_build(tmp_path / "old", fake_embedder, keep_tokens)
    build_index(articles(4), fake_embedder, tmp_path / "new")
    assert (
        load_index(tmp_path / "old", fake_embedder.name, fake_embedder.dim).folder
        / "bm25"
        / "params.index.json"
    ).exists()
    assert_scores_as(tmp_path / "old", tmp_path / "new", fake_embedder)


@pytest.mark.parametrize("keep_tokens", [True, False])
def test_an_update_of_a_bm25s_keyword_index_is_a_full_build(
    tmp_path: Path, fake_embedder, monkeypatch: pytest.MonkeyPatch, keep_tokens: bool
) -> None:
    bm25s_build(tmp_path / "old", fake_embedder, keep_tokens)
    tokenised: list[str] = []

    def counted(text: str) -> list[str]:
        tokenised.append(text)
        return tokenize(text)

    monkeypatch.setattr(index.editing, "tokenize", counted)
    update_index(tmp_path / "old", fake_embedder, upsert=[NEW], remove=["d1"])
    after = [a for a in articles(4) if a.doc_id != "d1"] + [NEW]
    # with its tokens only the new article's passage is tokenised; without, every passage
    assert len(tokenised) == (1 if keep_tokens else len(after))
    build_index(after, fake_embedder, tmp_path / "full")
    assert_scores_as(tmp_path / "old", tmp_path / "full", fake_embedder)
    folder = load_index(tmp_path / "old", fake_embedder.name, fake_embedder.dim).folder / "bm25"
    assert (folder / "postings_tf.npy").exists() and not (folder / "params.index.json").exists()


def test_a_removal_from_a_bm25s_keyword_index_links_its_vocabulary(
    tmp_path: Path, fake_embedder
) -> None:
    bm25s_build(tmp_path, fake_embedder, keep_tokens=True)
    before = load_index(tmp_path, fake_embedder.name, fake_embedder.dim).folder / "bm25"
    update_index(tmp_path, fake_embedder, remove=["d2"])
    after = load_index(tmp_path, fake_embedder.name, fake_embedder.dim).folder / "bm25"
    vocab = "token_vocab.json"
    assert after != before and (after / vocab).stat().st_ino == (before / vocab).stat().st_ino

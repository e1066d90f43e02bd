"""A build folder's passages: stored as their place in their article (format 8: int32 offsets
beside each passage's article row; 6-7: chunks.jsonl records), read back as the article's title
and text[start:end], character for character."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corpus.chunking import chunk_article
from corpus.model import Article, Chunk
from index.folder import chunk_record
from index.kept import StoredTexts, passages_file
from index.layout import IndexDamaged
from index.store import build_index, load_index, update_index
from tests.index.older_formats import as_format_7, stored_passages


def long_article(i: int) -> Article:
    """Several passages, with characters outside the BMP (two UTF-16 units, four UTF-8 bytes),
    full-width spaces and paragraph breaks where passages start and end."""
    sentences = [f"第{i}篇第{k}句讲𠮷野家的🍜和　全角空格，价格上涨了{k}成。" for k in range(36)]
    paragraphs = ["".join(sentences[k : k + 12]) for k in range(0, 36, 12)]
    return Article(f"d{i}", f"标题{i}🚀", "  " + "\n\n".join(paragraphs) + "\n")


ARTICLES = [long_article(i) for i in range(4)]


def test_a_build_stores_passages_as_offsets_and_reads_them_back_as_article_slices(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(ARTICLES, fake_embedder, tmp_path)
    folder = (tmp_path / "index").resolve()
    spans = np.load(folder / "chunk_spans.npy")  # format 8: two offsets a passage, nothing else
    assert not (folder / "chunks.jsonl").exists()
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    expected = [c for a in ARTICLES for c in chunk_article(a)]
    assert spans.dtype == np.int32 and spans.tolist() == [[c.start, c.end] for c in expected]
    assert len(expected) > len(ARTICLES)  # articles of several passages
    assert list(index.chunks) == expected
    for c in index.chunks:
        article = index.articles_by_id[c.doc_id]
        assert c.text == article.text[c.start : c.end] and c.title == article.title


def test_passages_an_update_adds_are_stored_as_offsets_too(tmp_path: Path, fake_embedder) -> None:
    build_index(ARTICLES[:3], fake_embedder, tmp_path)
    changed = Article("d1", "改写🚀", "改写后的𠮷文章。只有一句话🍜。")
    update_index(tmp_path, fake_embedder, upsert=[ARTICLES[3], changed], remove=["d2"])
    assert not ((tmp_path / "index").resolve() / "chunks.jsonl").exists()
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert [(c.doc_id, c.start, c.end) for c in index.chunks] == [
        (r["doc_id"], r["start"], r["end"]) for r in stored_passages(tmp_path)
    ]
    now = [ARTICLES[0], changed, ARTICLES[3]]
    assert sorted(index.chunks, key=lambda c: c.chunk_id) == sorted(
        (c for a in now for c in chunk_article(a)), key=lambda c: c.chunk_id
    )


TEXT = ARTICLES[0].text


@pytest.mark.parametrize(
    "passage",
    [
        Chunk("d0:2-9", "d0", "标题0🚀", TEXT[2:10], 2, 9),  # not the text at its offsets
        Chunk("d0:0-10", "d0", "标题0🚀", TEXT[0:10].strip(), 0, 10),  # stripped
        Chunk("d0:2-10", "d0", "标题0", TEXT[2:10], 2, 10),  # another title
    ],
)
def test_a_passage_that_is_not_its_articles_slice_is_not_stored(passage: Chunk) -> None:
    with pytest.raises(ValueError, match="not its article's text"):
        chunk_record(passage, ARTICLES[0])


def test_a_passage_not_named_by_its_place_is_not_stored() -> None:
    """Only a passage's place is stored: its id must be the one chunk_id gives that place."""
    passage = Chunk("d0:a", "d0", "标题0🚀", TEXT[2:10], 2, 10)
    with pytest.raises(ValueError, match="not named by its place"):
        chunk_record(passage, ARTICLES[0])


def test_one_decision_names_a_folders_passages_file_format_8s_first(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(ARTICLES[:2], fake_embedder, tmp_path / "lines")
    as_format_7(tmp_path / "lines")
    lines = (tmp_path / "lines" / "index").resolve() / "chunks.jsonl"
    build_index(ARTICLES[:2], fake_embedder, tmp_path)
    folder = (tmp_path / "index").resolve()
    (folder / "chunks.jsonl").write_bytes(lines.read_bytes())  # both layouts: the offsets read
    texts = StoredTexts.of(folder)
    assert passages_file(folder) == "chunk_spans.npy"
    assert texts is not None and texts.chunk_spans is not None and texts.chunk_lines is None
    (folder / "chunk_spans.npy").unlink()
    texts = StoredTexts.of(folder)
    assert passages_file(folder) == "chunks.jsonl"
    assert texts is not None and texts.chunk_spans is None and texts.chunk_lines is not None
    (folder / "chunks.jsonl").unlink()
    assert passages_file(folder) == "chunk_spans.npy"  # the file of format 8 missing
    with pytest.raises(IndexDamaged, match=r"chunk_spans\.npy"):
        StoredTexts.of(folder)

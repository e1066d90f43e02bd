import json
from pathlib import Path

import pytest

from corpus.loading import CorpusError, EmptyCorpus, load_corpus


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8"
    )
    return path


def test_jsonl_articles_keep_ids_titles_and_extra_fields(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"id": f"d{i}", "title": f"题{i}", "text": f"正文{i}。", "url": f"u{i}"}
            for i in range(5)
        ],
    )
    articles = load_corpus([path])
    assert [a.doc_id for a in articles] == ["d0", "d1", "d2", "d3", "d4"]
    assert articles[2].title == "题2" and articles[2].text == "正文2。"
    assert articles[2].metadata == {"url": "u2"}


def test_bad_jsonl_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "title": "t", "text": "x"}\n{not json}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"bad.jsonl:2"):
        load_corpus([path])


def test_missing_text_field_is_reported(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "b.jsonl", [{"id": "a", "title": "t"}])
    with pytest.raises(CorpusError, match="'text'"):
        load_corpus([path])


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "c.jsonl", [{"id": "a", "text": "一。"}, {"id": "a", "text": "二。"}]
    )
    with pytest.raises(CorpusError, match="twice"):
        load_corpus([path])


def test_empty_folder_and_missing_path_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(EmptyCorpus, match="no articles"):
        load_corpus([tmp_path])
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus([tmp_path / "nope.txt"])


def test_text_file_articles_get_stable_ids_from_the_file(tmp_path: Path) -> None:
    page = "标题一\n\n张三 李四\n\n第一篇文章的正文在这里。\n"
    path = tmp_path / "page 1.txt"
    path.write_text(page, encoding="utf-8")
    first = load_corpus([path])
    # one plain article: the id is the file's stem (a page's articles get "-1", "-2", …)
    assert [a.doc_id for a in first] == ["page_1"] and first[0].byline == "张三 李四"
    assert [a.doc_id for a in load_corpus([path])] == [a.doc_id for a in first]


def test_the_bundled_corpus_folder_holds_only_articles() -> None:
    from service.settings import BUNDLED_CORPUS, Settings

    assert Settings().corpus == [BUNDLED_CORPUS]
    files = sorted(p for p in BUNDLED_CORPUS.rglob("*") if p.is_file())
    assert files and all(p.suffix in (".txt", ".md", ".jsonl") for p in files)
    articles = load_corpus([BUNDLED_CORPUS])
    assert {a.source for a in articles} == {str(p) for p in files}  # every file is articles


def test_a_readme_beside_a_corpus_folder_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.md").write_text("# 标题\n\n正文一句。\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# 说明\n\n这不是文章。\n", encoding="utf-8")
    assert [a.title for a in load_corpus([tmp_path / "articles"])] == ["标题"]

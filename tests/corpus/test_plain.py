from pathlib import Path

import pytest

from corpus.loading import load_corpus
from corpus.plain import parse_article, read_credit_line
from tests.conftest import SEED

PLAIN = """海川港新航线开通
本报通讯员 李明 张晓
2024-07-08 来源:海川日报 记者 赵丽
7月6日,海川港至新加坡的集装箱航线正式开通,首航船舶载货1200标准箱。
港务集团表示,新航线每周一班。
"""
MARKDOWN = """# 青禾镇举办第三届稻香节

记者 赵丽

2024年9月15日，青禾镇第三届稻香节在万亩稻田开幕，吸引游客两万余人。

## 丰收市集

市集上共有86个摊位。
"""
NO_HEADLINE = """12月28日上午9时,石岭县第一座跨江大桥正式通车,全长1.6公里,总投资9.8亿元。
大桥通车后,两岸通行时间由40分钟缩短为5分钟。
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_headline_byline_and_date_source_line_become_title_and_metadata(tmp_path: Path) -> None:
    [a] = load_corpus([write(tmp_path, "port.txt", PLAIN)])
    assert a.doc_id == "port" and a.title == "海川港新航线开通"
    assert a.byline == "李明 张晓 赵丽"
    assert a.metadata == {"date": "2024-07-08", "source": "海川日报"}
    assert a.text.startswith("7月6日,海川港") and "来源" not in a.text and "李明" not in a.text


def test_markdown_heading_is_the_title_without_hashes(tmp_path: Path) -> None:
    [a] = load_corpus([write(tmp_path, "rice.md", MARKDOWN)])
    assert a.title == "青禾镇举办第三届稻香节" and a.byline == "赵丽"
    assert "#" not in a.text and "丰收市集\n市集上共有86个摊位。" in a.text
    # the date inside the first sentence is body text, not a credit line
    assert a.text.startswith("2024年9月15日") and "date" not in a.metadata


def test_without_headline_the_title_is_the_first_sentence_past_its_time(tmp_path: Path) -> None:
    [a] = load_corpus([write(tmp_path, "bridge.txt", NO_HEADLINE)])
    assert a.title == "石岭县第一座跨江大桥正式通车,全长1.6公里"
    assert a.text == NO_HEADLINE.strip() and a.byline == ""


def test_a_newspaper_page_is_still_split_and_format_can_be_forced(tmp_path: Path) -> None:
    assert len(load_corpus([SEED])) == 4
    assert len(load_corpus([SEED], text_format="article")) == 1
    path = write(tmp_path, "port.txt", PLAIN)
    assert load_corpus([path], text_format="page")[0].title != "海川港新航线开通"


@pytest.mark.parametrize(
    ("line", "byline", "metadata"),
    [
        ("本报通讯员 李明 张晓", "李明 张晓", {}),
        ("记者 赵丽", "赵丽", {}),
        ("李明 张晓", "李明 张晓", {}),
        ("2024年7月8日 来源：海川日报", "", {"date": "2024-07-08", "source": "海川日报"}),
        ("链接: https://example.org/a/1", "", {"url": "https://example.org/a/1"}),
        ("新航线每周一班", None, None),
        ("2024年7月8日，新航线开通", None, None),
    ],
)
def test_credit_lines(line: str, byline: str | None, metadata: dict | None) -> None:
    found = read_credit_line(line)
    if byline is None:
        assert found is None
    else:
        assert found is not None and (found.byline, found.metadata) == (byline, metadata)


def test_empty_body_is_no_article() -> None:
    assert parse_article("# 只有标题\n记者 赵丽\n", "x") is None

"""One table per line rule of the page splitter (corpus/page_lines.py), and the shared
punctuation vocabulary they read."""

import pytest

from corpus.page_lines import brackets_closed, is_bare_headline, is_headline, parse_byline
from corpus.punctuation import BRACKET_PAIRS, CLOSERS, SENTENCE_SPAN_CLOSERS, is_cjk


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("李明 张晓", ("李明 张晓", False)),
        ("欧阳修 司马光", ("欧阳修 司马光", False)),  # compound surnames
        ("（记者 王芳）", ("王芳", True)),  # a closing byline, its role dropped
        ("本报通讯员 李明 张晓", None),  # a role and names on one line open no article here
        ("今天天气很好", None),
    ],
)
def test_parse_byline(text: str, expected: tuple[str, bool] | None) -> None:
    assert parse_byline(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("海川港新航线开通", True), ("海川港新航线开通。今天", False), ("", False)],
)
def test_is_headline(text: str, expected: bool) -> None:
    assert is_headline(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("海川港新航线开通", True), ("海川港,新航线开通", False), ("港", False)],
)
def test_is_bare_headline(text: str, expected: bool) -> None:
    assert is_bare_headline(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("《人民日报》", True), ("《人民日报", False), ("〈注〉", True), ("〈注", False)],
)
def test_brackets_closed(text: str, expected: bool) -> None:
    assert brackets_closed(text) is expected


def test_the_vocabulary_is_one_set_of_pairs_and_two_named_closer_sets() -> None:
    assert ("〈〉" in BRACKET_PAIRS) and len(set(BRACKET_PAIRS)) == 7
    assert set(SENTENCE_SPAN_CLOSERS) < set(CLOSERS)
    assert set(CLOSERS) - set(SENTENCE_SPAN_CLOSERS) == {"〉", "】"}
    assert is_cjk("㐀") and is_cjk("中") and not is_cjk("a") and not is_cjk("。")

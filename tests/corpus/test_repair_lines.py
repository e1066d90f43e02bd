"""One table per line rule of the repair (corpus/repair_lines.py): cases it must catch and
cases it must leave alone."""

import pytest

from corpus.repair_lines import (
    continues_plainly,
    ends_sentence,
    looks_like_heading,
    number_cut,
    reads_unfinished,
    runs_into,
    short_scrap,
)

BODY = "7月7日下午,鼎城区人民法院内,一场关于工伤认定的行政诉讼案开庭。"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("他说。", True),
        ("他说：", True),  # a colon introduces the list that follows
        ("他说“好。”", True),  # closing quotes after the mark
        ("他说", False),
        ("", False),
    ],
)
def test_ends_sentence(text: str, expected: bool) -> None:
    assert ends_sentence(text) is expected


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("工人们", "们都来了", True),  # a bound particle cannot open a phrase
        ("他们", "，然后", True),  # nor can a comma
        ("inter", "national", True),  # a Latin word cut in two
        ("我们的", "的确如此", False),  # 的确 is a word, not the particle 的
        ("今天", "天气好", False),
        ("Hello", "World", False),  # a capital opens a new word
    ],
)
def test_continues_plainly(left: str, right: str, expected: bool) -> None:
    assert continues_plainly(left, right) is expected


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("小水", "果摊", True),  # 水果 runs across the break
        ("他们", "，然后", True),  # plainly, by form
        ("今天", "明天", False),
    ],
)
def test_runs_into(left: str, right: str, expected: bool) -> None:
    assert runs_into(left, right) is expected


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("2010", "年底", True),
        ("共12", "月份", True),
        ("2024年", "7月8日", True),  # a date cut after its year
        ("12月", "19日", True),
        ("共12", "人", False),  # 人 is no unit of the list: a count may end a line
    ],
)
def test_number_cut(left: str, right: str, expected: bool) -> None:
    assert number_cut(left, right) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发展的", True),  # ends on a particle
        ("这是一个, 测试", True),  # a last clause of two characters
        ("甲，乙，丙", True),  # three clauses
        ("经济发展", False),
        ("关于", False),  # one word, a preposition of two characters
    ],
)
def test_reads_unfinished(text: str, expected: bool) -> None:
    assert reads_unfinished(text) is expected


@pytest.mark.parametrize(
    ("text", "following", "expected"),
    [
        ("公平之道", BODY, True),
        ("公平之道。", BODY, False),  # sentence punctuation
        ("全区为863名劳动者追回工资共计868万元,法定", "期限内结案率100%。", False),
        ("公平之道", "期限内", False),  # a scrap after it: a broken sentence
        ("公平之道（上", BODY, False),  # a bracket left open
        ("一二三四五六七八九十" * 3 + "一", BODY, False),  # over HEADING_MAX_CHARS
    ],
)
def test_looks_like_heading(text: str, following: str, expected: bool) -> None:
    assert looks_like_heading(text, following) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("期限内", True), ("期限内结案。", False), ("一二三四五六七八九十一二三", False)],
)
def test_short_scrap(text: str, expected: bool) -> None:
    assert short_scrap(text) is expected

"""Newspaper pages, lines and characters: a page read as lines of a kind (text, byline, closing
byline, sub-headline), and what a line's shape says (a byline of personal names, a headline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from corpus.punctuation import BRACKET_PAIRS, CJK, CLAUSE_MARKS, HEADLINE_STOPS

# Common single-character surnames; a byline name starts with one of these or a compound surname.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳"
    "甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解"
    "牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边"
    "卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝蔺湛谈揭粟钮铁阎"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "令狐",
    "公孙",
    "慕容",
    "尉迟",
)
_BYLINE_ROLES = ("本报记者", "特约记者", "见习记者", "通讯员", "记者")
_NAME_RE = re.compile(rf"[{CJK}]{{2,4}}")
_PAREN_RE = re.compile(r"^[(（](.*)[)）]$")
_SUBTITLE_RE = re.compile(r"^(?:——|—|--)\s*\S")


class LineKind(Enum):
    TEXT = "text"
    BYLINE = "byline"  # names on a line of their own, opening an article
    CLOSING_BYLINE = "closing_byline"  # names in parentheses, closing an article
    SUBTITLE = "subtitle"


@dataclass(frozen=True, slots=True)
class Line:
    start: int  # offsets into the raw page, surrounding whitespace left out
    end: int
    text: str
    kind: LineKind


def _is_name(token: str) -> bool:
    if not _NAME_RE.fullmatch(token):
        return False
    for surname in _COMPOUND_SURNAMES:
        if token.startswith(surname):
            return 3 <= len(token) <= 4
    return token[0] in _SURNAMES and len(token) <= 3


def parse_byline(text: str) -> tuple[str, bool] | None:
    """The names of a byline line, space-separated, and whether it was in parentheses; else None.

    A byline is two to four personal names (surname plus one or two characters) separated by
    spaces, or one name after a role such as 记者.
    """
    stripped = text.strip()
    paren = _PAREN_RE.match(stripped)
    if paren:
        stripped = paren.group(1).strip()
    names: list[str] = []
    has_role = False
    for token in stripped.split():
        for role in _BYLINE_ROLES:
            if token.startswith(role):
                token, has_role = token[len(role) :], True
                break
        if not token:
            continue
        if not _is_name(token):
            return None
        names.append(token)
    if not (2 <= len(names) <= 4 or (has_role and 1 <= len(names) <= 6)):
        return None
    return " ".join(names), bool(paren)


def is_headline(text: str) -> bool:
    """A short line that ends no sentence inside: a headline when a byline or subtitle follows.

    Exclamation and question marks may stand inside a headline, never a full stop.
    """
    return 1 <= len(text) <= 40 and not any(c in HEADLINE_STOPS for c in text)


def is_bare_headline(text: str) -> bool:
    """A headline standing alone: short, without clause punctuation or dash, brackets closed."""
    return (
        3 <= len(text) <= 30
        and is_headline(text)
        and not any(c in CLAUSE_MARKS for c in text)
        and "——" not in text
        and brackets_closed(text)
    )


def brackets_closed(text: str) -> bool:
    return all(text.count(pair[0]) == text.count(pair[1]) for pair in BRACKET_PAIRS)


def page_lines(page: str) -> list[Line]:
    """The non-blank lines of a page with their raw offsets and layout kind."""
    lines: list[Line] = []
    for m in re.finditer(r"[^\n]+", page):
        s, e = m.start(), m.end()
        while s < e and page[s].isspace():
            s += 1
        while e > s and page[e - 1].isspace():
            e -= 1
        if s == e:
            continue
        text = page[s:e]
        kind = LineKind.TEXT
        byline = parse_byline(text)
        if byline is not None:
            kind = LineKind.CLOSING_BYLINE if byline[1] else LineKind.BYLINE
        elif _SUBTITLE_RE.match(text) and len(text) <= 60:
            kind = LineKind.SUBTITLE
        lines.append(Line(s, e, text, kind))
    return lines

"""The words damaged pages are dressed and damaged with: reporters' names, series tags,
headline tails, section headings made of a paragraph's clauses, stray Latin words and marks."""

from __future__ import annotations

import random
import re

# A comma between digits separates thousands, not clauses: "5,800" is not cut into "5" and "800".
CLAUSE_RE = re.compile(r"(?:[^，。；：、,;:！？!?“”「」『』（）()《》]|(?<=\d),(?=\d))+")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂华建国志红文辉力斌宇浩凯俊峰晨雪琳鹏飞翔云海波宁婷颖欣怡佳"
SERIES = (
    "奋进新征程·{place}见闻({n})",
    "走基层·看变化({n})",
    "高质量发展调研行·{place}篇",
    "新时代新作为·{place}({n})",
    "一线观察({n})",
)
PLACES = ("湘江两岸", "山乡巨变", "产业一线", "城乡之间", "园区内外", "乡村振兴")
NUMERALS = "一二三四五六七八九十"
HEADLINE_TAILS = ("的前世今生", "面面观", "探访记", "新观察", "那些事", "纪事")
FOREIGN_WORDS = [
    "displays",
    "shows",
    "the",
    "and",
    "of",
    "with",
    "page",
    "news",
    "report",
    "data",
    "table",
    "figure",
    "image",
    "text",
    "line",
    "column",
    "section",
    "more",
    "from",
    "this",
    "that",
    "which",
    "about",
    "after",
    "before",
    "under",
    "over",
    "between",
    "into",
    "through",
    "during",
    "without",
    "within",
    "along",
    "across",
    "behind",
    "beyond",
    "plus",
    "except",
    "times",
    "people",
    "year",
    "years",
    "day",
    "week",
    "city",
    "state",
    "world",
    "system",
    "group",
    "number",
    "part",
    "place",
    "case",
    "point",
    "fact",
]
STRAY_MARKS = "■□◆●▲★※|"
# Particles that cannot open a phrase, so cannot open a heading either.
BOUND_STARTS = "的了着们得之"
OPEN_PHRASE_ENDINGS = (
    "的地得之在和与及或是把被将对从向于以为并而且但等其该这那每各了就也都还又才很更最"
)


def reporter_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def section_heading(rng: random.Random, paragraph: str) -> str | None:
    # the opening clause is left out: a heading that repeats the next line's first words is no heading
    # and a heading, being a whole phrase, neither starts on a particle nor ends on one or an "etc."
    clauses = [
        c
        for c in CLAUSE_RE.findall(paragraph)[1:]
        if 4 <= len(c) <= 12 and c[-1] not in OPEN_PHRASE_ENDINGS and c[0] not in BOUND_STARTS
    ]
    if not clauses:
        return None
    first = rng.choice(clauses)
    second = rng.choice(clauses)
    style = rng.randrange(4)
    if style == 0 or second == first:
        return first
    return first + ("，", "：", "——")[style - 1] + second

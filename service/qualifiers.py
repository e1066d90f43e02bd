"""The words a figure is told with that change what it says: a bound (不低于5元, 3吨以下, 不足1000
只), a rate (每小时50公里, 每家每年8万元, 105万吨/年), a return period (100年一遇), both
directions (双向六车道), a range's first end (60元到80元) and a duration's larger units (10小时
42分18秒). The reader often leaves them out; a short answer without them says something else."""

from __future__ import annotations

import re

from corpus.text import normalize, pos_tags, word_bounds
from service.short_answer import Span

_CHANGED = (
    "提高增加增长上升下降降低减少缩短扩大提升调整拓宽延长加密改为"  # 由8级提高到12级: no range
)
_DIGIT = r"[0-9０-９一二三四五六七八九十百千万亿两.．]"
# before the figure, right next to it
_BEFORE = re.compile(
    r"(?:不足|不到|不低于|不少于|不超过|不高于|不大于|不小于|(?:不得|不能|不应|不宜|不可|严禁)?"
    r"(?:超过|高于|低于|少于|多于)|至少|最多|最少|逾"
    r"|(?:每[^\s\d，。；、,;在为达是约有的共]{1,2}?){1,2}|双向|单向)$"
)
# after the figure, right next to it
_AFTER = re.compile(r"(?:以上|以下|以内|之内|左右|上下|一遇|/年|/小时)")
# a range's first end (60元到80元, 3至5天) or a duration's larger units (10小时42分, 2分46秒)
_RANGE_START = re.compile(rf"({_DIGIT}+)([^\d\s，。；、,;{_CHANGED}]{{0,2}})(?:到|至|~|～|-|—)$")
_LARGER_UNITS = re.compile(rf"(?:{_DIGIT}+(?:小时|个小时|天|分钟?))+$")
_STARTS_IN_UNITS = re.compile(rf"^{_DIGIT}+(?:分|秒)")
_FIGURE_START = re.compile(rf"^[约近]?{_DIGIT}")
_FIGURE_END = re.compile(rf"{_DIGIT}[^\s，。；、,;]{{0,4}}$")
_UNIT = re.compile(rf"^[约近]?{_DIGIT}+")
_NEAR = 6
# the thing a question counts, named after its question word and measure (多少个品系的蚊子: 品系的蚊子)
_COUNTED_ASKED = re.compile(
    r"(?:几|多少)[个家名位座片张块条只辆台处所项批种艘架间栋套枚头株棵户]?([\u4e00-\u9fff]{2,})"
)
_THING_ENDS = "vxu"  # what may follow a thing named: a verb, a mark, a particle (的)
_ENDS_THING = frozenset("吗呢啊吧")
_THING_CHARS = 2  # a thing named in one character (床) is too loose to match  # how far back a qualifier or a range's first end may stand


def qualified(sentence: str, fact: Span) -> Span:
    """fact widened over the words around it that change what the figure it tells says; fact
    itself when it tells no figure."""
    said = sentence[fact.start : fact.end]
    if not _FIGURE_START.search(said) or not _FIGURE_END.search(said):
        return fact
    lo, hi = fact.start, fact.end
    before = sentence[max(lo - _NEAR, 0) : lo]
    if _STARTS_IN_UNITS.search(said) and (larger := _LARGER_UNITS.search(before)):
        lo -= len(larger.group(0))
    elif (first := _RANGE_START.search(before)) and first.group(2) in ("", _unit(said)):
        lo -= len(first.group(0))  # 60元到80元, 7至12岁; not 一度跌至12%
    if bound := _BEFORE.search(sentence[max(lo - _NEAR, 0) : lo]):
        lo -= len(bound.group(0))
    if bound_after := _AFTER.match(sentence, hi):
        hi = bound_after.end()
    return Span(lo, hi)


def with_counted(question: str, sentence: str, fact: Span) -> Span:
    """fact widened over the thing it counts where the question names it whole next to its
    question word (多少个品系的蚊子: 12个品系; 几片足球场: 足球场4片), in two characters or more,
    never into a word of the sentence."""
    asked = _COUNTED_ASKED.search(normalize(question))
    if asked is None or not _FIGURE_END.search(sentence[fact.start : fact.end]):
        return fact
    thing = _thing(asked.group(1))
    if len(thing) < _THING_CHARS:
        return fact
    bounds = word_bounds(sentence)
    if sentence.startswith(thing, fact.end) and fact.end + len(thing) in bounds:
        return Span(fact.start, fact.end + len(thing))
    if sentence.endswith(thing, 0, fact.start) and fact.start - len(thing) in bounds:
        return Span(fact.start - len(thing), fact.end)
    return fact


def _thing(words: str) -> str:
    """The nouns words open with (企业 of 企业签约进驻, 品系 of 品系的蚊子), when what follows them
    ends the thing (not 河湖 of 河湖长), else ""."""
    thing = ""
    for word, flag in pos_tags(words):
        if flag.startswith("n"):
            thing += word
            continue
        return thing if flag[:1] in _THING_ENDS or word in _ENDS_THING else ""
    return thing


def _unit(figure: str) -> str:
    """What a figure counts in (元 of 80元)."""
    return _UNIT.sub("", figure)

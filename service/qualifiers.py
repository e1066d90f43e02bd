"""The words a figure is told with that change what it says: a bound (不低于5元, 3吨以下, 不足1000
只), a rate (每小时50公里, 每家每年8万元, 105万吨/年), a return period (100年一遇), both
directions (双向六车道), a range's first end (60元到80元) and a duration's larger units (10小时
42分18秒). The reader often leaves them out; a short answer without them says something else."""

from __future__ import annotations

import re

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
_NEAR = 6  # how far back a qualifier or a range's first end may stand


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


def _unit(figure: str) -> str:
    """What a figure counts in (元 of 80元)."""
    return _UNIT.sub("", figure)

"""The words a figure is told with that change what it says: a bound (不低于5元, 3吨以下, 不足1000
只), a rate (每小时50公里, 每家每年8万元, 105万吨/年), a return period (100年一遇), both
directions (双向六车道), a range's first end (60元到80元), a duration's larger units (10小时
42分18秒) and a rank's 第 (第12届: twelve editions is another fact). The reader often leaves them
out; a short answer without them says something else. Also what the question counts, when the
sentence says it right after the figure (几个市县: 12个市县)."""

from __future__ import annotations

import itertools
import re

from corpus.text import normalize, pos_tags, word_bounds
from service.short_answer import MAX_SHORT_CHARS, Span

# words of change: a figure after them (上调10元至90元, 由8级提高到12级) is no range's first end
_CHANGED = (
    "提高|增加|增长|上升|下降|降低|减少|缩短|扩大|提升|调整|拓宽|延长|加密|改为|上调|下调|调高|调低"
    "|上涨|下跌|增至|降至"
)
_DIGIT = r"[0-9０-９一二三四五六七八九十百千万亿两.．]"
_NOT_IN_A_FIGURE = r"(?<![0-9０-９.．])"  # a figure read whole (13.98万元, not .98万元)
# before the figure, right next to it: a comparison (高于1.8%的预期) bounds only when told as a
# must (不得低于26℃)
_BEFORE = re.compile(
    r"(?:不足|不到|不低于|不少于|不超过|不高于|不大于|不小于|(?:不得|不能|不应|不宜|不可|严禁)"
    r"(?:超过|高于|低于|少于|多于)|超过|至少|最多|最少|逾"
    r"|(?:每[^\s\d，。；、,;在为达是约有的共]{1,2}?){1,2}|双向|单向|第)$"
)
# after the figure, right next to it, a word of its own (not 上下 of 上下车)
_AFTER = re.compile(r"(?:及?(?:以上|以下|以内)|之内|左右|上下|一遇|/年|/小时)")
# a range's first end (60元到80元, 3至5天, 7月10日至12日), not after a word of change
_RANGE_START = re.compile(
    rf"{_NOT_IN_A_FIGURE}((?:{_DIGIT}+[年月])*{_DIGIT}+)([^\d\s，。；、,;]{{0,3}}?)"
    r"(?:到|至|~|～|-|—)$"
)
_AFTER_CHANGE = re.compile(rf"(?:{_CHANGED})$")
# a duration's larger units (10小时42分18秒, 2分46秒; not 36分钟 before a score of 27分)
_LARGER_UNITS = {
    "分": re.compile(rf"{_NOT_IN_A_FIGURE}(?:{_DIGIT}+(?:小时|个小时|天))+$"),
    "秒": re.compile(rf"{_NOT_IN_A_FIGURE}(?:{_DIGIT}+(?:小时|个小时|天|分|分钟))+$"),
}
_STARTS_IN_UNITS = re.compile(rf"^{_DIGIT}+([分秒])")
_FIGURE_START = re.compile(rf"^[约近]?{_DIGIT}")
_FIGURE_END = re.compile(rf"{_DIGIT}[^\s，。；、,;]{{0,4}}$")
_UNIT = re.compile(rf"^[约近]?{_DIGIT}+")
_NOT_RANK = frozenset("及落门府宅次")  # what makes a word of 第 before it (及第, 门第)
_NEAR = 12  # how far back a qualifier or a range's first end may stand


def qualified(sentence: str, fact: Span) -> Span:
    """fact widened over the words around it that change what the figure it tells says; fact
    itself when it tells no figure."""
    said = sentence[fact.start : fact.end]
    if not _FIGURE_START.search(said) or not _FIGURE_END.search(said):
        return fact
    lo, hi = fact.start, fact.end
    near = max(lo - _NEAR, 0)
    units = _STARTS_IN_UNITS.search(said)
    larger = units and _LARGER_UNITS[units.group(1)].search(sentence, near, lo)
    first = _RANGE_START.search(sentence, near, lo)
    if larger:
        lo = larger.start()
    elif (
        first
        and first.group(2) in ("", _unit(said))
        and not _AFTER_CHANGE.search(sentence, near, first.start())
    ):
        lo = first.start()  # 60元到80元, 7至12岁; not 一度跌至12%, 上调10元至90元
    bound = _BEFORE.search(sentence, max(lo - _NEAR, 0), lo)
    # a rank's 第, not the end of another word (及第, 门第: 进士及第3名 is no rank)
    if bound and (
        bound.group(0) != "第" or sentence[bound.start() - 1 : bound.start()] not in _NOT_RANK
    ):
        lo = bound.start()
    bound_after = _AFTER.match(sentence, hi)
    if bound_after and bound_after.end() in word_bounds(sentence):
        hi = bound_after.end()
    return Span(lo, hi)


def _unit(figure: str) -> str:
    """What a figure counts in (元 of 80元)."""
    return _UNIT.sub("", figure)


# what a count question counts: 几个 | 市县, 多少枚 | 金牌
_ENDING = frozenset("呢吗啊呀了")  # what may close a question after what it counts
_COUNTED_NOUN = re.compile(
    r"(?:几|多少)([个名位家座所条项次枚件台辆只头间处批支场种户张本部艘架块棵株片套])"
)


def counted(question: str, sentence: str, fact: Span) -> Span:
    """fact (12个) widened over what the question counts (会去几个市县?) when the sentence says it
    right after the figure (12个市县): the nouns after the counter that end the question, not a
    noun a verb goes on from (多少场公益演出: 34场公益 says less than the figure alone)."""
    question = normalize(question)
    asked = _COUNTED_NOUN.search(question)
    if asked is None or not sentence[fact.start : fact.end].endswith(asked.group(1)):
        return fact
    after = pos_tags(question[asked.end() :])
    nouns = list(itertools.takewhile(lambda tagged: tagged[1].startswith("n"), after))
    if not nouns or any(flag != "x" and word not in _ENDING for word, flag in after[len(nouns) :]):
        return fact
    hi = fact.end + sum(len(word) for word, _ in nouns)
    if sentence[fact.end : hi] != "".join(word for word, _ in nouns):
        return fact
    if hi not in word_bounds(sentence) or hi - fact.start > MAX_SHORT_CHARS:
        return fact
    return Span(fact.start, hi)

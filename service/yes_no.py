"""Yes/no answers: which clause of a sentence decides the question, and whether it says 是 or 否.

A clause decides when it holds what is asked, the predicate (the words nearest the question's
end) most, or says yes or no itself: a negation (未发生), the other side (收费吗? … 免费) or the way a
comparison went (比去年晚吗? … 提前了7天). One that does neither decides nothing, and the answer
then carries no 是/否.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from corpus.text import normalize, pos_tags

if TYPE_CHECKING:
    from service.short_answer import Span

_NEGATION = re.compile(r"不|没有|没|未|无|否|非|禁止|严禁|拒绝|暂停|停止|停运|取消")
# asked whether a thing has happened, told it is only planned: 动工了吗? … 计划明年开工 (否)
_DONE_ASKED = re.compile(r"已经|已|了吗|了没|了没有|过吗")
_PLANNED = re.compile(r"计划|预计|拟(?:于|在|建|将)|将于|将在|即将|准备|有望|力争|争取")
# a yes/no question asked of one side and told the other: 收费吗? … 免费开放 (否)
_PAID = re.compile(r"收费|花钱|要钱|付费|掏钱|交钱|买门票|买票|要门票|门票")
_FREE = re.compile(r"免费|免收|免票|免门票")
# which way a comparison goes: 比去年晚吗? … 比去年提前了7天 (否); 比去年多吗? … 基本持平 (否)
_ASKED_WAY = re.compile(
    r"[比较](?!赛|例|重|分)[^，。？?]{0,12}?(多|少|高|低|早|晚|快|慢|大|小|贵|便宜|长|短|涨|降|增|减)"
)
_TOLD_WAY = (
    ("more", re.compile(r"增加|增长|上升|上涨|提高|升高|多了|高于|超过|多于|扩大|涨")),
    ("less", re.compile(r"减少|下降|下跌|降低|少了|低于|不足|少于|缩小|回落")),
    ("earlier", re.compile(r"提前|早于|提早")),
    ("later", re.compile(r"推迟|延后|晚于|推后|延迟")),
    ("same", re.compile(r"持平|相当|相同|不变|一样|相近")),
)
_WAY_OF = {
    word: way
    for way, words in (
        ("more", ("多", "高", "大", "贵", "长", "快", "涨", "增")),
        ("less", ("少", "低", "小", "便宜", "短", "慢", "降", "减")),
        ("earlier", ("早",)),
        ("later", ("晚",)),
    )
    for word in words
}
# the share of the question's words a clause without a yes or no in it must hold to decide
_DECIDING_SHARE = 0.5
_OPPOSITE_WAY = {"more": "less", "less": "more", "earlier": "later", "later": "earlier"}


def deciding_clause(
    question: str,
    sentence: str,
    clauses: Sequence[tuple[int, int]],
    words: Sequence[tuple[str, float]],
    neighbour: Callable[[str], bool] = lambda _clause: False,
) -> tuple[int, int] | None:
    """The (start, end) of the clause of sentence (both normalised) that decides the question:
    of those holding the question's last word (its predicate: 自首了吗? … 不构成自首, not the
    clause naming the defendant) if any, one that says yes or no first, then the one holding the
    most weight of the question's words (word, weight); None when no clause holds the predicate,
    says yes or no or holds half of the weight. A clause about a neighbour of what the question
    names (neighbour: 二期 for 一期) decides nothing."""
    best: tuple[bool, bool, float, int, int] | None = None
    total = sum(weight for _, weight in words)
    predicate = words[-1][0] if words else None  # the question's last word: what is asked of it
    for lo, hi in clauses:
        clause = sentence[lo:hi]
        if neighbour(clause):  # 二期工程尚未完工 does not decide 一期工程完工了吗?
            continue
        held = sum(weight for word, weight in words if word in clause)
        if _PAID.search(question) and _FREE.search(clause):  # 收费吗? is told as 免费
            held += max((weight for _, weight in words), default=1.0)
        if not held:
            continue
        says = bool(_NEGATION.search(clause) or _FREE.search(clause) or _told_way(clause))
        told = predicate is not None and predicate in clause
        if not says and not told and held < _DECIDING_SHARE * total:
            continue
        score = (told, says, held)
        if best is None or score > best[:3]:
            best = (*score, lo, hi)
    return None if best is None else (best[3], best[4])


def _told_way(phrase: str) -> str | None:
    return next((way for way, pattern in _TOLD_WAY if pattern.search(phrase)), None)


def yes_or_no(question: str, phrase: str) -> str:
    """是 or 否 for a yes/no question: 否 when the deciding phrase negates what is asked, tells
    the other side of it (收费吗? 免费), a comparison the other way (比去年晚吗? 提前了7天) or
    only the plan of what is asked as done (动工了吗? 计划明年开工)."""
    asked = _ASKED_WAY.search(question)
    way = _WAY_OF[asked.group(1)] if asked else _told_way(question)  # 人口在增加吗? asks a way too
    if way in _OPPOSITE_WAY:
        told = _told_way(phrase)
        if told == "same" or told == _OPPOSITE_WAY[way]:
            return "否"
        if told == way:
            return "是"
    if _PAID.search(question) and not _FREE.search(question) and _FREE.search(phrase):
        return "否"
    if _DONE_ASKED.search(question) and _PLANNED.search(phrase) and not _PLANNED.search(question):
        return "否"
    plain = re.sub(
        r"是不是|是否|有没有|能不能|会不会|可不可以|要不要|了没有?(?=[?？]*$)", "", question
    )
    return "否" if _negates(phrase, plain) != _negates(plain, phrase) else "是"


def _negates(text: str, other: str) -> bool:
    """Whether text holds a negation that other does not share: the 无 of a name both say
    (无瓣海桑) negates nothing, nor does a negation told the same way in both (不收费)."""
    return any(
        text[max(m.start() - 1, 0) : m.end()] not in other
        and text[m.start() : m.end() + 1] not in other
        for m in _NEGATION.finditer(text)
    )


def deciding_span(question: str, sentence: str) -> Span | None:
    """The clause of sentence that decides a yes/no question (deciding_clause), trimmed."""
    # both read this module: imported when asked
    from service.neighbours import names_sibling
    from service.short_answer import WH, clause_spans, trim

    q = normalize(question)
    words = [
        (word, 1.0 + q.find(word) / max(len(q), 1))  # nearer the end: the predicate weighs more
        for word, flag in pos_tags(q)
        if len(word) >= 2
        and not WH.fullmatch(word)
        and flag[:1] not in ("r", "u")
        and word not in ("没有", "是否")  # 开放了没有? asks of 开放
    ]
    best = deciding_clause(
        q,
        normalize(sentence),
        clause_spans(sentence),
        words,
        lambda clause: names_sibling(q, frozenset(), clause),
    )
    return None if best is None else trim(sentence, *best)

"""What a follow-up carries over from the question before it: the thing that question counted
(多少座 | 校内泳池, for 还有几座在建?), and its subject less a plan's word when the follow-up asks
what is done (现在已经修好多少了? after 今年计划改造多少公里农村公路?)."""

from __future__ import annotations

import re

from corpus.text import pos_tags
from service.measures import DURATION, UNIT_FAMILIES
from service.referents import WHEN
from service.substitution import ASKING

_COUNT_ASKED = re.compile(r"多少|几")
_DONE = re.compile(r"已经|已(?!知)")
_PLANNED = re.compile(r"计划|打算|准备|预计|拟")


def _counted(question: str) -> tuple[str, str]:
    """The measure and the thing a question counts after its last 多少 or 几 (多少座 | 校内泳池,
    多少 | 快递从业人员, 几 | 座; 几个月: 个月, a span of time, and no thing)."""
    asks = [m.end() for m in _COUNT_ASKED.finditer(question)]
    if not asks:
        return "", ""
    tags = [(w, f) for w, f in pos_tags(question[asks[-1] :]) if w.strip("?？。.!！ ")]
    # a measure word (座, 公里), not a particle (多少了)
    first = tags[0] if tags else ("", "")
    measure = (
        first[0] if first[1] == "q" or len(first[0]) == 1 and first[1][:1] not in "uyx" else ""
    )
    thing = "".join(w for w, _ in (tags[1:] if measure else tags))
    if measure + thing in DURATION:  # 几个月: 个 and 月 measure a span of time
        return measure + thing, ""
    return measure, thing


def _same_measure(measure: str, asked: str) -> bool:
    """Whether a follow-up's measure counts what the question's did: none, the same, or one of
    its family (公斤 and 吨, 公里 and 米); a span of time counts no thing of a question that
    counted another (多少部戏, then 一共办了多少天?)."""
    if asked in DURATION and asked != measure:
        return False
    return (
        not measure
        or asked in ("", measure)
        or any(set(measure) & family and set(asked) & family for family in UNIT_FAMILIES)
    )


def counted_thing(question: str, follow_up: str) -> str:
    """The thing question counts (多少座 | 校内泳池) when follow_up counts more of it: it asks
    多少 or 几 in the same measure or none, and names no thing of its own; "" when question's
    count names no thing (多少人 | 参加) or more than a name (多少人参加了什么)."""
    measure, thing = _counted(question)
    asked_measure, _ = _counted(follow_up)
    if not _COUNT_ASKED.search(follow_up) or not _same_measure(measure, asked_measure):
        return ""
    if any(f[:1] == "n" and len(w) > 1 and w not in WHEN for w, f in pos_tags(follow_up)):
        return ""
    if not 2 <= len(thing) <= 8 or not all("\u4e00" <= ch <= "\u9fff" for ch in thing):
        return ""
    if ASKING.search(thing) or "的" in thing:
        return ""
    return thing if any(f[:1] in ("n", "l") for _, f in pos_tags(thing)) else ""


def without_plan(subject: str, follow_up: str) -> str:
    """subject without its words of a plan (计划, 打算) when follow_up asks what is done (已经),
    each a word of its own: not inside a word (虚拟电厂, 计划生育) nor a name in quotes
    ("春苗计划")."""
    if not _DONE.search(follow_up) or _PLANNED.search(follow_up):
        return subject
    if re.search('[“"「《]', subject):
        return subject
    return "".join(w for w, _ in pos_tags(subject) if not _PLANNED.fullmatch(w))

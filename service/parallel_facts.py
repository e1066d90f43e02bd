"""Which of a sentence's facts of one kind the question asks: of figures or dates in the same unit
told in clauses side by side (左洞长9836米，右洞长9871米; 最低为50元、最高为380元), the one whose
own words hold a word of the question's the other's do not (左 of 左边那个洞有多长), where the
other's hold none of the question's the first's do not (a part told after its whole, 其中南区20个,
has the whole's words too); when the question asks how much a figure changed (比去年涨了多少), the
change told (比去年上调10元) rather than the level (158元); and of a value changed in one clause
(由原来的40张增加到120张), the end the question asks (原来: 40张)."""

from __future__ import annotations

import os
import re
from itertools import pairwise
from typing import NamedTuple

from corpus.text import NAME_OR_SHORT_FLAGS, normalize, pos_tags, words
from service.short_answer import (
    CLAUSE_MARKS,
    FUNCTION_CHARS,
    SENTENCE_MARKS,
    WH,
    Span,
    asked_kind,
    clause_end,
    clause_start,
    rule_spans,
    typed_spans,
)

_KINDS = ("number", "time")  # facts told in parallel with a unit that tells them apart
_SIDE_BY_SIDE = CLAUSE_MARKS + "、"  # what parts parallel facts (a clause mark or a list's 、)
# a figure's words that tell only of a change to it (由60万元提高到80万元: 80万元 is 60万元's)
_CHANGE_WORDS = frozenset(
    "提高增加增长上升下降降低减少缩短扩大提升调整下调上调到至为达了约近由原来再又"
)
# a question asking how much a figure changed against a time or another thing, the word of
# change right before its question word (比去年多种了多少亩; not 比亚迪…是多少, 评比, 较大的, 增幅是多少)
_ASKS_CHANGE = re.compile(
    r"(?:(?<![无对评])比(?![赛例重率分如方较尔亚])|较(?=去年|上年|前年|上月|同期|往年|以前|原来))"
    r"[^，。？?]{0,12}?(?:涨|增|多|少|降|减|高|低|贵|便宜|早|晚|提高|提前|缩短|上升|下降|"
    r"暖|冷|热|快|慢|长|短|大|小|重|轻)"
    r"[\u4e00-\u9fff]{0,2}?了?(?:多少|几)"
)
# words of change a figure is told or asked right after (增长18.9%, 涨了多少)
_GROWTH = "增长|增加|提高|上升|上涨|下降|降低|减少|缩短|涨|降|减|增"
# or with no thing compared, a word of change right before the question word (进口增长多少,
# 多了多少名; not 新增多少, a count of new things, nor 最多多少, 至少几, 缺少多少, 顶多几)
_ASKS_GROWTH = re.compile(rf"(?<![最至不顶缺很新])(?:(?:{_GROWTH})了?|[多少]了)(?:多少|几)")
# a figure told as a change: after 比…/较…/同比 and a word of change (比去年上调10元)
_CHANGE_TOLD = re.compile(
    r"(?:比|较|同比)[^，。；]{0,16}?(?:增长|增加|提高|上升|上调|下降|降低|减少|缩短|下调|提前|推迟|"
    r"高出|多出|偏高|偏低|偏多|偏少|高|低|多|少|涨|降|增|减)了?(?:约|近|超过|逾)?$"
)
# or right after a word of change (增长18.9%, 新增了74名; not 增加到120张, a level)
_GROWTH_TOLD = re.compile(rf"(?:新增|上调|下调|{_GROWTH})了?(?:约|近|超过|逾)?$")
_RESPECTIVELY = "分别"
_NO_SIDE = frozenset("省市县区镇乡村")  # parts of places' names, which tell no side apart
_SIDE_CHARS = 2  # a side is told in a character or two (南塔, 下行, 女子组)
CHANGED_FROM = frozenset(("由", "从"))  # a value changed from (由一期的52小时缩短到) is its own
_TO = re.compile(r"[到至为]\s*$")
_DATE_SHAPE = re.compile(r"\d\s*[年月日号]")  # a date: its shape is its unit (N月N日)
_DIGIT_RUN = re.compile(r"\d+")
_QUALIFIERS = re.compile(r"^[约近超过逾仅达共合计每隔]+")
_UNIT_WORD = re.compile(r"[\u4e00-\u9fff]{1,2}(?=[，,；;、。]|$)")
# words with 一 that count nothing (一共, 统一): no side of 一期 vs 二期
_NO_NUMERAL = re.compile(r"一[共起直般定样下些点旦同再向道律]|[统唯万专]一")
_LIST_LINKS = ("、", "和", "及")  # what joins a list's items
# a question asking the value before a change (not 过去一年, 年底之前), or after it
_ASKS_BEFORE = re.compile(
    r"原来|原先|原本|本来|过去(?!的?[一二三四五六七八九十两几\d]+[年个天周月])|此前|当初|起初|最初"
    r"|(?<![底末初月日年季])(?:以前|之前)|以往|那时|[造建整标扩革点固治迁级装]前"
)
_BEFORE_WORDS = frozenset(("原", "原有", "旧"))  # words of their own (原床位数; not 朔原省)
_ASKS_AFTER = re.compile(
    r"现在|如今|目前|眼下|[造建整标扩革点固治迁级装完]后|改完|以后"
    # what it was raised or cut to (升到几级, 提高到多少, 调整为多少)
    r"|[升提增涨降减调扩缩][高加长低少整大短]?[到至为]了?(?:多少|几)"
)
# a word of change and its 到/至/为 (增加到, 拓宽至每天, 降至), not a range's 至 alone
_CHANGED_TO = re.compile(r"[^，。；,;、]{0,5}?[\u4e00-\u9fff][到至为][^，。；,;、\d]{0,4}")
_RATE = re.compile(r"每[\u4e00-\u9fff]")  # 每人, 每月: said of both ends of a change
_FROM_WORDS = 8  # 由/从 is at most this far before the old value (由试点前的)


class _Asked(NamedTuple):
    """The question's words (its question words left out) and their content characters."""

    text: str
    chars: frozenset[str]


_PARTS = "其中"  # parts told after their whole
# a place's name with its level (武陵区, 湖南省; not 城镇, 南区, 沿海地区, 美国进口)
_PLACE = re.compile(r"[\u4e00-\u9fff]{2,6}(?<!地)[省市县区镇乡村州]")
# a word naming a place by its level (市, 全市, 该区, 高新区; not 农村, 城镇)
_LEVELLED = re.compile(r"[全本该各此]?[省市县区镇乡村州]|[\u4e00-\u9fff]{2,6}[省市县区镇乡村州]")
_WHOLE_ASKED = re.compile(r"总共|一共|共计|合计|总计|加起来")  # not 累计 (to date), 总量 (its own)
_TRAILING_LINK = re.compile(r"[为达是约近共有]+$")  # 出口货物为: the words, not their link
_LEADING_LINK = re.compile(r"^[而但则]?(?:同类|同样|同等|普通)?的?")  # 而同类柴油重卡: 柴油重卡
_FIGURE = re.compile(r"^[0-9０-９.．,，一二三四五六七八九十百千万亿两零〇几多余来]+")


def named_parallel(question: str, text: str, fact: Span) -> Span:
    """fact, or the fact of the kind asked told beside it in the same unit that the question
    names (its own words hold a question word fact's and the rest of text do not, and fact's
    hold no question word its do not). A fact that runs over parallel facts (开展职业培训多少人:
    1481人,创业培训229人) is first narrowed to the one of them the question names; a total
    asked (一共) is the whole's, not that of a part told after it (其中投产茶园31万亩) that the
    question does not name."""
    kind = asked_kind(question) or _kind_told(question, text, fact)
    if kind not in _KINDS:
        return fact
    words_asked = _NO_NUMERAL.sub(" ", WH.sub(" ", normalize(question)))
    asked = _Asked(words_asked, _meaning(words_asked))
    facts = sorted(typed_spans(kind, text, question), key=lambda sp: sp.start)
    inner = [sp for sp in facts if fact.start <= sp.start and sp.end <= fact.end]
    if len(inner) > 1:
        fact = _named_inside(asked, kind, text, fact, inner, facts)
    if _WHOLE_ASKED.search(question):
        fact = _whole_of(asked, text, fact, facts)
    parts = [sp for sp in facts if _part_of(text, sp, fact)]
    others = [sp for sp in rule_spans(kind, question, text) + parts if not _overlap(sp, fact)]
    if not others:
        return fact
    if not any(_overlap(sp, fact) for sp in facts):
        facts = sorted([*facts, fact], key=lambda sp: sp.start)
    seen = {fact}
    while named := next(
        (sp for sp in others if sp not in seen and _names_other(asked, text, fact, sp, facts)), None
    ):  # the one named over each other (下行 of 往返180元 → 上行120元 → 下行90元)
        fact = named
        seen.add(fact)
    return fact


def _named_inside(
    asked: _Asked, kind: str, text: str, fact: Span, inner: list[Span], facts: list[Span]
) -> Span:
    """fact, or the one of the parallel facts inside it the question (its words, asked) names
    over each other one in its unit."""
    last = inner[-1]
    if last.end < fact.end and not _UNIT_WORD.fullmatch(text, last.end, fact.end):
        return fact  # the span ends in a figure the rules do not read (186毫克)
    unit = _unit(text[last.start : last.end])  # the unit the span ends in
    for named in inner:
        rivals = [sp for sp in inner if sp != named and _unit(text[sp.start : sp.end]) == unit]
        if (
            _unit(text[named.start : named.end]) == unit
            and rivals
            and all(_names_other(asked, text, sp, named, facts) for sp in rivals)
        ):
            # a unit word the rules do not know stays (96.3万标箱)
            tail = kind == "number" and _UNIT_WORD.match(text, named.end, fact.end)
            return Span(named.start, tail.end() if tail else named.end)
    return fact


def _names_other(asked: _Asked, text: str, fact: Span, other: Span, facts: list[Span]) -> bool:
    """Whether the question (its words, asked) names other, a fact told beside fact in its
    unit, and not fact."""
    if _unit(text[other.start : other.end]) != _unit(text[fact.start : fact.end]):
        return False
    listed = _listed(text, fact, other)
    if not (_side_by_side(text, fact, other) or listed):
        return False
    part = _part_of(text, other, fact)  # other told as a part of fact (其中南区20个)
    lo, hi, own = _own_words(text, fact, facts)
    o_lo, o_hi, its = _own_words(text, other, facts)
    (own_hi, own_after), (its_hi, its_after) = (
        _words_after(text, fact, facts),
        _words_after(text, other, facts),
    )
    if own_after and its_after and min(own_hi, its_hi) == max(fact.start, other.start):
        # each figure's words follow it (112家县级医院和1046家乡镇卫生院): those before the first
        # (平台已连接全省) are the list's, both facts'
        own, its = own_after, its_after
    # the sentence's subject opening the first fact's words is both facts' (大桥 of 大桥南塔高186米，
    # 北塔高172米): it is left to the rest of the sentence, and so are the words the second says
    # once for both (_elided)
    elif lo < o_lo:
        lo, _, own = _own_words(text, fact, facts, _subject(text, lo, fact, o_lo, other))
        own = not part and _elided(text, lo, fact, o_lo, other) or own
    else:
        o_lo, _, its = _own_words(text, other, facts, _subject(text, o_lo, other, lo, fact))
        its = not _part_of(text, fact, other) and _elided(text, o_lo, other, lo, fact) or its
    first, last = min(lo, o_lo), max(hi, o_hi)
    between = text[min(hi, o_hi) : max(lo, o_lo)] if min(hi, o_hi) < max(lo, o_lo) else ""
    rest = text[:first] + between + text[last:]
    elsewhere = _meaning(rest)
    # a part told after its whole (48个，其中南区20个) has the whole's words too
    if part:
        if not _names_part(asked.text, text[o_lo:o_hi], text[lo:hi]):
            return False
        its = (its - _meaning(_PARTS)) | own
    # 左洞长 and 右洞长 share 洞长 (parallel); 全长 and 设计时速 tell different things
    parallel = own & its or listed
    told_apart = (asked.chars & (its - own)) - elsewhere - _NO_SIDE  # 市 of 该市 names no 市区
    # a word the question shares with the rest of the sentence alone names neither (雪 of 冰雪大世界)
    named_own = asked.chars & (own - its) - _said_elsewhere(asked.text, rest, text[lo:hi])
    return bool(parallel and told_apart and not named_own)


def _subject(text: str, lo: int, first: Span, o_lo: int, second: Span) -> int:
    """How many characters open the words before first (from lo) that say whose both facts are:
    _subject_length's, or a place's name opening them (武陵区 of 武陵区城镇新增就业8210人，新增
    农村劳动力转移就业574人) when the second's words name no place nor anything by name
    (全市, 高新区, 华为), or 0. Not a side jieba tags a place (城镇, 南区: a place's name
    here has a level and three characters at least)."""
    told = _subject_length(text, lo, first, o_lo, second)
    if told:
        return told
    tags = pos_tags(text[lo : first.start])
    if not tags or tags[0][1] != "ns" or not _PLACE.fullmatch(tags[0][0]):
        return 0  # not 服务区, a kind of place
    theirs = pos_tags(text[o_lo : second.start])
    # a name of anything (华为 nr, 阿里巴巴 nrt, 欧盟 j) or a place by its level (全市), by
    # its tag's family as service.stand_ins reads names
    if any(f.startswith(NAME_OR_SHORT_FLAGS) or _LEVELLED.fullmatch(w) for w, f in theirs):
        return 0
    return len(tags[0][0])


def _whole_of(asked: _Asked, text: str, fact: Span, facts: list[Span]) -> Span:
    """The whole fact is told as a part of in the clause of 其中 or a list right after it
    (全县茶园面积38万亩, of 其中投产茶园31万亩), when the question does not name the part; or fact."""
    unit = _unit(text[fact.start : fact.end])[-1:]  # 亿元 and 万元 count alike
    for whole in facts:
        between = text[whole.end : fact.start]
        if (
            _part_of(text, fact, whole)
            and not any(ch in CLAUSE_MARKS for ch in between[between.find(_PARTS) :])
            and _unit(text[whole.start : whole.end])[-1:] == unit
        ):
            lo, hi, _ = _own_words(text, fact, facts)
            w_lo, w_hi, _ = _own_words(text, whole, facts)
            if not _names_part(asked.text, text[lo:hi], text[w_lo:w_hi]):
                return whole
    return fact


def _names_part(question: str, part: str, whole: str) -> bool:
    """Whether the question names the part in a word (jieba's) of two characters or more its
    words hold and the whole's do not (南区 of 其中南区20个; not 外 of 国内外游客 against 其中国外
    游客)."""
    return any(
        len(_meaning(w)) >= _SIDE_CHARS and w in part and w not in whole for w in words(question)
    )


def _said_elsewhere(question: str, rest: str, own: str) -> frozenset[str]:
    """The question's characters that stand only in words of two or more characters it shares
    with rest and not with own (雪 of 冰雪大世界, 今年朔阳冰雪大世界用了多少冰 against 雪15万立方米)."""
    inside: set[int] = set()
    for i in range(len(question)):
        for j in range(len(question), i + 1, -1):
            if question[i:j] in rest and question[i:j] not in own:
                inside.update(range(i, j))
                break
    alone = {ch for i, ch in enumerate(question) if i not in inside}
    return frozenset(question[i] for i in inside) - alone


def _kind_told(question: str, text: str, fact: Span) -> str | None:
    """The kind of fact a short form asking with no question word is answered with (出口通关时间?
    6.2小时: a number), or None."""
    if WH.search(normalize(question)):
        return None
    return next((k for k in _KINDS if fact in typed_spans(k, text, question)), None)


def _listed(text: str, a: Span, b: Span) -> bool:
    """Whether a and b are items of one list (冰块18万立方米、雪15万立方米; 112家医院和1046家卫生院)."""
    first, second = sorted((a, b), key=lambda sp: sp.start)
    between = text[first.end : second.start]
    return not any(ch in CLAUSE_MARKS for ch in between) and any(w in between for w in _LIST_LINKS)


def _part_of(text: str, part: Span, whole: Span) -> bool:
    """Whether part is told as one of whole's parts in the clauses right after it
    (服务区共建成充电桩48个，其中北区28个、南区20个)."""
    between = text[whole.end : part.start]
    at = between.find(_PARTS)
    return (
        whole.end <= part.start
        and at >= 0
        and not any(ch in SENTENCE_MARKS for ch in between)  # before its sentence or list ends
        and sum(ch in CLAUSE_MARKS for ch in between[:at]) <= 1
    )


def _elided(text: str, lo: int, first: Span, o_lo: int, second: Span) -> frozenset[str]:
    """The first fact's own words when the second's are a side and words the first's hold, the
    rest of the first's said once for both (出口货物为0.8小时 against 目前进口货物整体通关时间为6.2小时:
    进口货物), or nothing."""
    mine = text[lo : first.start]
    theirs = _LEADING_LINK.sub("", _TRAILING_LINK.sub("", text[o_lo : second.start]))
    for side in range(1, _SIDE_CHARS + 1):
        core = theirs[side:]
        at = mine.find(core) if len(core) >= _SIDE_CHARS else -1
        if (
            at >= side
            and mine[at - side : at] != theirs[:side]
            and _meaning(_TRAILING_LINK.sub("", mine[at + len(core) :]))  # words said once
            and not set(mine[: at - side]) & set(theirs[:side])  # 电视机 against 电脑: no subject
        ):
            return _meaning(mine[at - side : at + len(core)])
    return frozenset()


def asked_change(question: str, text: str, fact: Span) -> Span:
    """fact, or when the question asks a change (比去年多种了多少亩) and fact is told as no change,
    the figure told as one in fact's sentence (比去年增加2.3万亩)."""
    q = normalize(question)
    if asked_kind(question) != "number" or not (_ASKS_CHANGE.search(q) or _ASKS_GROWTH.search(q)):
        return fact
    if _told_as_change(text, fact):
        return fact
    told = [sp for sp in rule_spans("number", question, text) if _told_as_change(text, sp)]
    if len(told) != 1 or _RESPECTIVELY in text[clause_start(text, told[0].start) : told[0].end]:
        return fact  # 分别增长9.2%和11.5%: which is whose is not read
    return told[0]


def asked_side(question: str, text: str, fact: Span) -> Span:
    """fact, or when fact is one end of a value changed in its clause (床位由原来的40张增加到120张),
    the end the question asks: the old value for 原来/以前/改造前 or the words told of it (去年的),
    the new one for 现在/改造后."""
    kind = asked_kind(question) or _kind_told(question, text, fact)
    if kind not in _KINDS:
        return fact
    q = normalize(question)
    facts = sorted(typed_spans(kind, text, question), key=lambda sp: sp.start)
    for old, new in pairwise(facts):
        frm = _changed_from(text, old, new)
        # fact is one of them, or holds it with words of its own (8小时以内 for 8小时)
        on_old = _overlap(fact, old)
        if frm is None or on_old == _overlap(fact, new):
            continue
        told = _RATE.sub("", frm)  # 每人每月 is said of both values
        before = bool(_ASKS_BEFORE.search(q) or _BEFORE_WORDS & set(words(q))) or any(
            told[i : i + 2] in q for i in range(len(told) - 1) if "的" not in told[i : i + 2]
        )
        after = bool(_ASKS_AFTER.search(q))
        if before and not after:
            return fact if on_old else old
        if after and not before:
            return new if on_old else fact
    return fact


def _changed_from(text: str, old: Span, new: Span) -> str | None:
    """The words told of old (原来的, 去年的) when new is the value old changed to in one clause
    (由原来的40张增加到120张, 从170元提高到190元), else None."""
    if not _CHANGED_TO.fullmatch(text, old.end, new.start):
        return None  # 从3月1日至6月30日, 从60元到120元: a range, no change
    lo = clause_start(text, old.start)
    at = max(text.rfind(w, lo, old.start) for w in CHANGED_FROM)
    return text[at + 1 : old.start] if at >= 0 and old.start - at <= _FROM_WORDS else None


def _told_as_change(text: str, fact: Span) -> bool:
    """Whether fact is told as a change (比去年上调10元, 同比增长9.2%, 偏高约0.4米, 新增了74名)."""
    before = text[clause_start(text, fact.start) : fact.start]
    return bool(_CHANGE_TOLD.search(before) or _GROWTH_TOLD.search(before))


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _meaning(text: str) -> frozenset[str]:
    """text's Chinese characters that carry meaning (not particles or function words)."""
    return frozenset(ch for ch in text if "\u4e00" <= ch <= "\u9fff") - FUNCTION_CHARS


def _unit(figure: str) -> str:
    """What a figure counts in (亩 of 约5.8万亩; N月N日 of 3月1日), to tell parallel figures from
    others."""
    plain = _QUALIFIERS.sub("", normalize(figure))
    return _DIGIT_RUN.sub("N", plain) if _DATE_SHAPE.search(plain) else _FIGURE.sub("", plain)


def _side_by_side(text: str, a: Span, b: Span) -> bool:
    """Whether a clause mark or a list's 、 stands between a and b (not 由A提高到B: A is B's)."""
    lo, hi = sorted((a.start, b.start))
    return any(ch in _SIDE_BY_SIDE for ch in text[lo:hi])


def _subject_length(text: str, lo: int, first: Span, o_lo: int, second: Span) -> int:
    """How many characters open the words before first (from lo) that say whose both facts are:
    those before the side the second's words line up with (大桥 of 大桥南塔高 against 北塔高, whose
    塔高 they end in alike), or 0."""
    mine, theirs = text[lo : first.start], text[o_lo : second.start]
    alike = len(os.path.commonprefix([mine[::-1], theirs[::-1]]))
    side = len(theirs) - alike
    if not alike or not 0 < side <= _SIDE_CHARS:
        return 0  # 甲厂产能由3万吨 against 乙厂由2万吨: more than a side differs
    skip = max(len(mine) - len(theirs), 0)
    # 电视机每台 against 电脑每台: 电 is of the side (电视机), not a subject both share
    return 0 if set(mine[:skip]) & set(theirs[:side]) else skip


def _own_words(
    text: str, fact: Span, facts: list[Span], skip: int = 0
) -> tuple[int, int, frozenset[str]]:
    """Where fact's own words run in text (from the previous fact or its clause's start, less
    skip characters, to the next fact or its clause's end) and their content characters."""
    lo, before = _words_before(text, fact, facts)
    lo, before = lo + skip, before[skip:]
    hi, after = _words_after(text, fact, facts)
    return lo, hi, _meaning(before) | after


def _words_after(text: str, fact: Span, facts: list[Span]) -> tuple[int, frozenset[str]]:
    """Where fact's words after it end (the next fact or its clause's end) and their content
    characters; none when they tell only of a change (由3万吨提高到5万吨: 提高到 tells of 5万吨)."""
    nxt = min((sp.start for sp in facts if sp.start >= fact.end), default=len(text))
    hi = min(nxt, clause_end(text, fact.end, _SIDE_BY_SIDE))
    after = text[fact.end : hi]
    if hi == nxt and (not _meaning(after) - _CHANGE_WORDS or _TO.search(after)):
        return hi, frozenset()
    return hi, _meaning(after)


def _words_before(text: str, fact: Span, facts: list[Span]) -> tuple[int, str]:
    """fact's words before it; when they tell only of a change, the previous fact's with them
    (由60万元提高到80万元) or, at a clause's start, the previous clause's (…黄竹镇，达412毫米)."""
    prev = max((sp.end for sp in facts if sp.end <= fact.start), default=0)
    start = clause_start(text, fact.start, _SIDE_BY_SIDE)
    lo = max(prev, start)
    own = text[lo : fact.start]
    if lo > start:  # a previous fact ends in this clause: fact may be its changed value
        previous = next(sp for sp in facts if sp.end == lo)
        p_lo, p_own = _words_before(text, previous, facts)
        if (
            not _meaning(own) - _CHANGE_WORDS
            or any(w in p_own for w in CHANGED_FROM)
            and _TO.search(own)
        ):
            return p_lo, p_own + own
    if _meaning(own) - _CHANGE_WORDS:
        return lo, own
    if start > 0 and prev < start - 1:
        lo = max(prev, clause_start(text, start - 1, _SIDE_BY_SIDE))
    return lo, text[lo : fact.start]

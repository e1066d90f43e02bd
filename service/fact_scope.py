"""Whether a fact is told in another scope than the question asks it in: a party's claim for
a court's award (请求判令…共计142万元 for 判了多少), a plan or estimate for what is done (预计理赔
约2100万元 for 已经实际赔付多少), an earlier event for this one (去年6月…也曾遭遇 for 这次冰雹), another
level of government (中央财政支持3800万元 for 省财政), the other trip (首趟班列 for 回程), a list's
total for one of its items (医疗费、死亡赔偿金、丧葬费等共计142万元 for 丧葬费), one day for a
longer time (开通首日，客运量达6.8万人次 for 第一个月), or two's total for one of them (沚东区和芦渡区
…总投资14.2亿元 for 沚东区段). Each is read from the sentence up to the fact, so what is told after
it never counts (but the two a total is told of, named in the fact's own clause after it)."""

from __future__ import annotations

import re

from corpus.text import pos_tags
from service.short_answer import SENTENCE_MARKS, clause_end, clause_start

# a lawsuit told, a party's claim (请求判令 is still the claim), and a court's ruling
_LAWSUIT = re.compile(r"法院|法庭|起诉|诉至|原告|被告|诉讼|仲裁|判令|判决")
_CLAIM = re.compile(r"请求|诉请|诉称|索赔|主张")
# 要求/索要 are a party's claim in a civil suit only (被告人…索要财物 is the crime)
_CLAIM_IN_SUIT = re.compile(r"要求|索要")
_CIVIL = re.compile(r"起诉|诉至|原告|申请人|仲裁")
_RULING = re.compile(
    r"(?<!请求)(?<!要求)(?<!诉请)(?:判决|判令|判处|裁定|裁决|认定|酌定|判赔|驳回|法院|法庭|调解|达成"
    r"|查明|获赔|和解|执行)"
)
_SUPPORTED = re.compile(r"(?<!请求)(?<!要求)(?:支持|准许)")
# a question asking what the court ruled (判了多少, 最终获赔), not the claim (一开始要的, 索赔多少)
_RULING_ASKED = re.compile(r"判|法院|法庭|裁定|获赔|最终|最后|终审|[一二]审|调解")
_CLAIM_ASKED = re.compile(
    r"请求|诉请|索赔|要求|主张|起诉|要多少|要了多少|要的|索要|讨要|想要|开口|提出"
)

# what is done asked (已经实际赔付), and a plan or estimate told with nothing done in its clause
_DONE_ASKED = re.compile(r"已经|实际|(?<!将)已(?!知)|真正")
_PLAN_ASKED = re.compile(r"计划|预计|打算|准备|将|要|拟|目标|预期|规划|能|会")
# a plan or estimate: not 争取到 (obtained), 将近, 将3500名…纳入, nor 计划/规划 as a noun (年度计划的65%)
_PLANNED = re.compile(
    r"预计|(?<![年度略的])(?:计划|规划)(?![的内中书])|拟|有望|力争|争取(?!到)|预期"
    r"|(?<!即)将(?=于|在|达|超|新|建|投|开|完|实|全|陆|逐|进|继|有)"
)
_DONE_TOLD = re.compile(r"已|实际|完成了|累计")

# this event asked (这次冰雹), an earlier one told (去年6月，…也曾遭遇)
_THIS_ASKED = re.compile(r"这次|这场|本次|此次|这回|这轮|本轮|这一次")
_EARLIER = re.compile(r"去年|前年|上次|上一次|此前|曾经|也曾|往年|上一轮|上轮|历史上|\d+年前")
_EARLIER_ASKED = re.compile(f"{_EARLIER.pattern}|之前|以前|原来")
# an opening clause that is only an earlier time (去年6月，…): the sentence tells of then
_EARLIER_OPENING = re.compile(
    r"^(?:去年|前年|此前|往年|上次|上一次|\d+年前)(?:[0-9一二三四五六七八九十]+月)?(?:[0-9]+日)?(?:份|底|初)?$"
)
_NOW_TOLD = re.compile(
    r"这次|本次|此次|这场|本轮|此轮|本届|这届|今年|目前|当前|现在|今天|本赛季|第[0-9一二三四五六七八九十]+届"
)

# a level of government paying (省财政, 市级补助, 县里): another level's money is not the one asked
_LEVEL = re.compile(
    r"(?<![城社景园小辖山郊片街校院库矿林牧灾])(中央|国家|省|市|县|区|乡|镇)"
    r"(?:级?财政|级?政府|本级|级(?=补助|补贴|资金|配套|投入))"
    r"|(省|市|县)里"  # 县里 of a county's money; not 城区里, 社区里, nor 省级 of a 国家级 title
)

# the return trip and the first or outward one (回程 asked, 首趟班列…货值 told)
_BACK = re.compile(r"回程|返程|归程")
_OUT = re.compile(r"去程|首趟|首班")

# a first week or month (开通第一个月, 首周, 前三天) and a first day: the day an event's own (开通首日,
# 启用当天), not the day a report was given (记者当天获悉, 截至当天) nor 当天然气
_PERIOD = (
    r"首[周月]|第一[周个]|头一?[周个]|前[两三四五六七八九十2-9][0-9十]*(?:天|日|周|个月)"
    r"|(?:一|两|三|[0-9]+)(?:周|个月|个星期)(?:内|里|来|以来)"
)
_EVENT = r"开通|开馆|启用|通车|开业|开幕|投运|投用|运营|上映|开放|开园|首发"
_PERIOD_ASKED = re.compile(_PERIOD)
_DAY_ASKED = re.compile(r"首日|当天|当日|第一天|头一天|那一?天")
_DAY_TOLD = re.compile(rf"首日|第一天|头一天|(?:{_EVENT})的?当[天日]")

# two of a kind joined (沚东区和芦渡区, 男子组和女子组), and a total told right before a figure (总投资,
# 、共; not 总队, 公共): the figure is the two's when the total opens its clause right after the
# pair's, or its own clause names the pair after it; not when it is told of each (分别, 均, 各)
_PAIR = re.compile(
    r"([\u4e00-\u9fff]{1,3}([区县镇乡村组段队]))(?:和|与|及|、)([\u4e00-\u9fff]{1,3}\2)"
)
_WHOLE = (
    r"(?:总投资|总额|总计|共计|合计|总共|一共|共有|(?<![\u4e00-\u9fff])共)(?:约|达|为|超过|近)?"
)
_WHOLE_OPENING = re.compile(f"^{_WHOLE}$")
_WHOLE_TOLD = re.compile(f"{_WHOLE}$")
_EACH = re.compile(r"分别|各自|各[为有获得]|均[为达是]|都[为是]|每")
_BOTH_ASKED = re.compile(r"两个?[区县镇乡村组段队]|[二两]者")

# a list's total told right before the figure (丧葬费等共计, 在内合计), and a total asked
_TOTAL_TOLD = re.compile(
    r"(?:等|在内的?)?[\u4e00-\u9fff]{0,4}?(?:共计|合计|总计|总共|一共|共|累计)"
    r"(?:达到|达|为|约|超过|近|逾)?$"
)
_TOTAL_CUT = re.compile(r"(?:共计|合计|总计|总共|一共|共|累计).*$")
# a total asked (service.own_fact, service.followup read it too); a list's sum is asked also by
# the words of a whole (共, 全部, 一起)
TOTAL_ASKED = re.compile(r"总共|一共|共计|合计|总计|加起来|累计|总数|总量|总额")
_SUM_ASKED = re.compile(rf"{TOTAL_ASKED.pattern}|共|总|全部|一起")
_JOINING = frozenset(("和", "及", "与", "以及"))


def other_scope(question: str, text: str, start: int, end: int) -> bool:
    """Whether the fact text[start:end] is told in another scope than question asks it in (the
    module's kinds); question and text normalised alike, offsets into text."""
    lo = clause_start(text, start)  # the fact's clause
    opened = clause_start(text, start, SENTENCE_MARKS)  # and its sentence
    return (
        _claim_for_award(question, text[opened:start])
        or _plan_for_done(question, text[clause_start(text, max(end - 1, 0)) : end])
        or _earlier_for_this(question, text[:end])
        or _total_for_item(question, text[lo:start])
        or _other_level(question, text[lo:end])
        or _other_trip(question, text[:end])
        or _day_for_period(question, text[opened:end])
        or _whole_for_part(question, text, lo, start, end)
    )


def _claim_for_award(question: str, before: str) -> bool:
    """The court's ruling asked (判了多少), a lawsuit told, and the figure inside a party's claim
    (its claim word after the last ruling word)."""
    if not _RULING_ASKED.search(question) or _CLAIM_ASKED.search(question):
        return False
    if not _LAWSUIT.search(before):
        return False
    if _SUPPORTED.search(before):
        return False  # 法院支持了原告要求…的请求: the claim is what was ruled
    claimed = (_CLAIM, _CLAIM_IN_SUIT) if _CIVIL.search(before) else (_CLAIM,)
    claims = [m.end() for pattern in claimed for m in pattern.finditer(before)]
    rulings = [m.end() for m in _RULING.finditer(before)]
    return bool(claims) and max(claims) > max(rulings, default=-1)


def _plan_for_done(question: str, clause: str) -> bool:
    """已经/实际 asked, and the fact's clause a plan or estimate with nothing told done."""
    if not _DONE_ASKED.search(question) or _PLAN_ASKED.search(question):
        return False
    return bool(_PLANNED.search(clause)) and not _DONE_TOLD.search(clause)


def _earlier_for_this(question: str, told: str) -> bool:
    """这次/这场 asked, and the sentence telling of an earlier time: it opens with a clause that
    is only that time (去年6月，洺阳市也曾遭遇一次冰雹袭击…), and names no time of now (本届)."""
    if not _THIS_ASKED.search(question) or _EARLIER_ASKED.search(question):
        return False
    clauses = re.split("[，,]", told, maxsplit=1)
    opening = clauses[0] if len(clauses) > 1 else ""  # a sentence of one clause opens with none
    return bool(_EARLIER_OPENING.match(opening)) and not _NOW_TOLD.search(told)


def _total_for_item(question: str, clause: str) -> bool:
    """The fact told as a list's total (医疗费、死亡赔偿金、丧葬费等共计) and one item of that list
    asked, not the total."""
    if _SUM_ASKED.search(question) or not _TOTAL_TOLD.search(clause):
        return False
    items = [it.split("等")[0] for it in _list_items(_TOTAL_CUT.sub("", clause))]
    named = [it for it in items if len(it) >= 2 and it[-2:] in question]
    return len(items) >= 2 and len(named) == 1  # two named: their sum is asked


def _list_items(text: str) -> list[str]:
    """text cut at its list marks: 、 and a 和/及/与 jieba reads as a conjunction (not 涉及,
    参与, 与会)."""
    items, run = [], ""
    for word, flag in pos_tags(text):
        if word == "、" or word in _JOINING and flag == "c":
            items.append(run)
            run = ""
        else:
            run += word
    return [*items, run]


def _other_level(question: str, clause: str) -> bool:
    """省财政 asked, and the fact's clause told of another level only (其中中央财政支持3800万元;
    省级示范园由680元… for 市级)."""
    asked = {_level(m) for m in _LEVEL.finditer(question)}
    told = {_level(m) for m in _LEVEL.finditer(clause)}
    return bool(asked and told) and not asked & told


def _other_trip(question: str, told: str) -> bool:
    """The return trip asked and only the first or outward one told (首趟班列…货值约1860万元 for
    回程), or the other way round."""
    for asked, other in ((_BACK, _OUT), (_OUT, _BACK)):
        if asked.search(question) and not other.search(question):
            return bool(other.search(told)) and not asked.search(told)
    return False


def _day_for_period(question: str, told: str) -> bool:
    """A first week or month asked (开通第一个月运了多少人) and only an event's first day told in
    the sentence up to the fact (开通首日，…客运量达6.8万人次), or a day asked (通车那天) and only a
    first week or month told (开通首月…). A time since (开通以来) or a running total (累计) is
    neither: 建馆以来单日最高 asks of a day."""
    if _PERIOD_ASKED.search(question) and not _DAY_ASKED.search(question):
        return bool(_DAY_TOLD.search(told)) and not _PERIOD_ASKED.search(told)
    if _DAY_ASKED.search(question):
        return bool(_PERIOD_ASKED.search(told)) and not _DAY_ASKED.search(told)
    return False


def _whole_for_part(question: str, text: str, lo: int, start: int, end: int) -> bool:
    """One of two of a kind asked (沚东区段投资多少) and the figure text[start:end] a total told of
    both: its clause (from lo) opening with the total right after a clause naming the pair (涉及沚东区和
    芦渡区两个区，总投资14.2亿元), or naming the pair after it (、共168名车手参加了男子组和女子组的角逐)."""
    before = text[lo:start]
    clause = text[lo : clause_end(text, end)]
    if not _WHOLE_TOLD.search(before) or _EACH.search(clause) or _BOTH_ASKED.search(question):
        return False
    if _WHOLE_OPENING.match(before) and lo > 0:
        pairs = _PAIR.finditer(text, clause_start(text, lo - 1), lo)
    else:
        pairs = _PAIR.finditer(text, end, lo + len(clause))
    return any(
        sum(_named_in(question, pair.group(k)) for k in (1, 3)) == 1
        and not _named_in(before, pair.group(1))
        and not _named_in(before, pair.group(3))
        for pair in pairs
    )


def _named_in(text: str, name: str) -> bool:
    """Whether text names name, by its last three characters or, for a short one, whole
    (及沚东区 is 沚东区; 东区 alone is no name), not inside a longer name (一村 in 十一村)."""
    tail = name[-3:] if len(name) >= 3 else name
    at = text.find(tail)
    if at < 0:
        return False
    longer = len(name) < 3 and at > 0 and "\u4e00" <= text[at - 1] <= "\u9fff"
    return not longer


def _level(found: re.Match[str]) -> str:
    """The level _LEVEL found: 国家 is 中央, 乡 and 镇 are one (乡镇财政 for 乡政府)."""
    level = found.group(1) or found.group(2)
    return {"国家": "中央", "乡": "镇"}.get(level, level)

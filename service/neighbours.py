"""Whether a sentence speaks of a neighbour of what a question names instead of the thing
itself: another numbered thing (3号线 for 4号线), the contrasting one (男子 for 女子), the head
for a deputy, another placing, the other side of a change, another time (去年 for 今年), another
place of a kind (东湖区 for 西岭区) or route; and whether the fact a sentence gives is told of
such a neighbour or of a whole while a part is asked."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from corpus.text import normalize, pos_tags, words
from index.bm25 import tokenize
from service.evidence import asks_for_money, naming_terms, states_sum
from service.short_answer import (
    CLAUSE_MARKS,
    Span,
    asked_kind,
    asked_role,
    best_placed,
    clause_start,
    normal_form,
    question_anchors,
    rule_spans,
)

if TYPE_CHECKING:
    from service.answer import Candidate

_CJK_DIGITS = "0-9０-９一二三四五六七八九十百千两"
# a numbered thing (3号线, 第二届, 11月底): another number with the same suffix is another thing
_NUMBERED = re.compile(rf"第?[{_CJK_DIGITS}]+([\u4e00-\u9fff]{{1,2}})")
# measure words: 一只羊 or 两年 is a count, not the first of numbered things
_COUNTERS = "只个年天次位名家台辆条种件人项所座张头户株棵艘架回场"
# units and times: a figure's own word (2023年 | 开工, 200元 | 补贴), never a numbered thing's
_UNITS = "年月日天时分秒元角万亿千百个岁人次名米吨斤亩克度倍成"
# a role and whether the question asks its deputy (副局长) or the head
_ROLE = re.compile(
    r"(副?)((?:总|董事|局|厅|处|科|市|县|区|镇|乡|村|馆|校|院|所|站|队|部|行|社|关|园|会)长"
    r"|(?:常务)?主任|总经理|经理|书记|主席|总监|总裁|总工程师|主教练)"
)
# when a thing was begun, and when finished or opened (an event's two ends)
_BEGUN = re.compile(r"开工|动工|开建|奠基|破土|启动")
_ENDED = re.compile(r"建成|完工|竣工|落成|贯通|通车|开通|投产|投用|启用|开业|解除|闭幕")
_NOT_A_RATE = "功效频汇利税概比速"  # 功率, 效率: words of their own, no rate of a thing
_RATE = re.compile(r"([\u4e00-\u9fff]{2})率")  # 近视率: a rate of 近视
_ROLE_LAST = re.compile(f"(?:{_ROLE.pattern})$")  # the role a name is told right after
# a code of letters and digits (Y8线, T2航站楼, G721次), read as a word of its own
_BESIDE = frozenset("由比较从与和同跟")  # a code held up beside the one told
_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2})(\d{1,4})(?![\d.])")
# a numbered stage or grade its one suffix character names (一期/二期, 一等座/二等座, 一审/二审),
# which _NUMBERED misses when more words follow (一期总投资)
_ORDINAL_SUFFIXES = "期届等审批轮季代级号"
_ORDINAL = re.compile(rf"第?[{_CJK_DIGITS}]+([{_ORDINAL_SUFFIXES}])")
# first characters that set two otherwise equal words apart (男子/女子, 新馆/旧馆, 上半年/下半年)
_CONTRAST = "男女新旧老上下前后东西南北大小正副首末高低内外主客早晚"
# contrasting first characters that mean the same side (老馆, 旧馆 and 原馆 are one building)
_ONE_WORD = "[\u4e00-\u9fff]?"  # a short name's own word between (新园区 for 新区)
_SAME_SIDE = {c: "老旧原" for c in "老旧原"}
# times that set two otherwise equal facts apart (去年的产量 is not 今年的)
_TIME_FAMILIES = (
    ("今年", "去年", "明年", "前年"),
    ("上半年", "下半年"),
    ("本届", "上届"),
    ("春季", "夏季", "秋季", "冬季"),
)
_SEASON_DAYS = re.compile(r"([春夏秋冬])天")  # 冬天 is told as 冬季 too
# places in a contest: the 冠军 told does not answer who came second
_PLACINGS = (
    ("冠军", "夺冠", "第一名", "金奖", "金牌"),
    ("亚军", "第二名", "银奖", "银牌"),
    ("季军", "第三名", "铜奖", "铜牌"),
)
# a 哪个X question asks for an X (哪个法院: the court is the answer)
_WHICH = re.compile(r"哪(?:个|家|所|座|间)([\u4e00-\u9fff]{2})")
# a contrast told after the word (改造前, 改造后)
_TRAILING_CONTRAST = {"前": "后", "后": "前"}
_NOT_AFTER = frozenset(
    [
        "前身",
        "前往",
        "前来",
        "前进",
        "前景",
        "前者",
        "前后",
        "前夕",
        "后来",
        "后面",
        "后续",
        "后者",
        "后果",
        "后勤",
        "后方",
    ]
)
_OTHER_YEAR = frozenset(("去年", "明年", "前年"))
_NAMED_YEAR = re.compile(r"(?:19|20)\d{2}年")
_LAST_EDITION = re.compile(r"[上前]一届")  # 上一届 is 上届
_THIS_EDITION = re.compile(r"这一?届|今届")  # 这届 is 本届
# a time held up for comparison (比去年, 较去年, 同去年相比) is not the time a sentence tells of,
# though one that gives that time's figure (比去年的49.3%, 比去年同期的5.1万只) tells it too
_TIMES = "|".join(w for f in _TIME_FAMILIES for w in f)
_COMPARED = re.compile(f"(?:比|较|与|同|和)(?:{_TIMES})")
_ASKED_COMPARED = re.compile(f"(?:比|较)(?:{_TIMES})")
_FIGURE_AFTER = r"(?:同期|全年)?的[^，。；,;\d]{0,3}\d"
# kinds of place a sentence names one of while the question names another (西岭区, 东湖区)
_SIBLING_SUFFIXES = ("街道", "社区", "院区", "校区", "分馆", "区", "县", "镇", "乡", "村")
_PLACE = re.compile(rf"([\u4e00-\u9fff]{{2}})(?:{'|'.join(_SIBLING_SUFFIXES)})")
# a route named by its ends (淇州至漠河航线, 沣川到宁堰的城际铁路): the far end, and any end told
_ROUTE = re.compile(
    r"[\u4e00-\u9fff]{2}(?:至|到|—)([\u4e00-\u9fff]{2,3}?)(?:的)?"
    r"(?:航线|航班|高铁|铁路|高速|城际|公路|专线|班车|列车|直飞)"
)


_CLAUSE_MARK = re.compile(f"[{CLAUSE_MARKS}]")
# the words a figure is told of after it: 1988年的 | 一桥
_OWNER = re.compile(r"(?:(?<=的)|的)[^，。；,;、\s]{1,4}")  # 的 the fact's own or next
# a total asked, and a figure told per unit
_TOTAL_ASKED = re.compile(r"总共|一共|共计|合计|总计|加起来|累计|总数|总量|总额")
_PER_UNIT = re.compile(r"每[^\d，。；,;]?|人均|户均|亩均|平均|单[场站台家个日次笔仓]")
# a phase or batch a question asks of (一期, 第二批), not a count of them (两期, 分两期)
_PART = re.compile(r"(?<![分共两几])第?[0-9０-９一二三四五六七八九十]+(?:期|批|阶段|标段)")
_PARTS_COUNTED = re.compile(r"[分共两二三四五]期")  # 分两期建设: a whole of phases
_WHOLE = re.compile(r"总|共|全部")
_FORMER = ("原", "前", "代")  # 原局长, 代县长: not the one in office
_IN_A_NUMBER = frozenset("0123456789０１２３４５６７８９.．")
_MAGNITUDES = "万亿千百"
_RELATIVE = frozenset("上下这本每该同")  # 下一届, 这一期: an edition or phase told relatively
_OWN_KINDS = ("number", "time", "person", "place")  # facts a sentence may tell of a neighbour
# what holds a neighbour up beside the thing told: for comparison up to its verb (比老厂降低22%;
# 由/从 only a value changed from: 由一期的52小时缩短到), or as a companion (与2号线换乘)
_COMPARING = frozenset(("比", "较", "较之", "相比", "由", "从"))
_FROM = frozenset(("由", "从"))
_COMPANION = frozenset(("与", "和", "同", "跟"))
# a dimension asked (多长) and the word a figure is told with (宽约2.4米, 高度为)
_DIMENSION_ASKED = re.compile(r"多(长|高)")
_BEFORE_FIGURE = re.compile(r"\D*")
_DIMENSION_TOLD = re.compile(r"(?<![增延成生提最升加拉])([长宽高深厚])度?(?:约|为|达|仅|近)?$")


def _starts(text: str, word: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(word), text)]


def names_sibling(question: str, named: frozenset[str], text: str) -> bool:
    """Whether text is about a neighbour of what the question names while the question's own
    is absent: another number of a numbered thing (3号线 for 4号线), the contrasting word (男子
    for 女子), the head for a deputy or the deputy for the head (局长, 副局长), another placing
    (冠军 for 亚军), the time after (改造后 for 改造前), another time (今年 for 去年) or another
    place of a kind (东湖区 for 西岭区)."""
    return (
        _other_number(question, text)
        or _other_code(question, text)
        or _contrasting(question, named, text)
        or _other_rank(question, text)
        or _other_placing(question, text)
        or _other_side_after(question, text)
        or _other_time(question, text)
        or _other_end(question, text)
        or not _place_answers(question, text)
        and _other_place(question, named, text)
    )


def _place_answers(question: str, text: str) -> bool:
    """Whether the place a 哪个X question asks for is told (在哪个法院开庭: 鼎城区人民法院 is the
    answer, not a neighbour of 武陵区)."""
    asked = _WHICH.search(question)
    return asked is not None and asked.group(1) in text


def _other_number(question: str, text: str) -> bool:
    """3号线 asked, 4号线 told; 一期 asked, 二期 told — unless the question names that one too
    (第一只幼崽隔了多久生的第二只)."""
    starts = _word_starts(question)
    for m in [*_NUMBERED.finditer(question), *_ORDINAL.finditer(question)]:
        own, suffix = m.group(0), m.group(1)
        if len(suffix) == 2 and suffix[0] not in _UNITS and m.start(1) + 1 in starts:
            own, suffix = own[:-1], suffix[0]  # Y6线 | 一共: the thing is 6线, not 6线一
        if suffix[0] == "号" and question[m.start() - 1 : m.start()] == "月":
            continue  # 5月3号: a day, not a numbered thing
        if question[m.start() - 1 : m.start()] in _RELATIVE:
            continue  # 下一届, 这一期: the next or this one, not the first
        if question[m.start() - 1 : m.start()] in _IN_A_NUMBER or m.group(1)[0] in _MAGNITUDES:
            continue  # 59.9万人, 3万人: an amount, not a numbered thing
        if not own.startswith("第") and _counted(own, suffix):
            continue
        own = own.removeprefix("第")  # 第二期 is told as 二期
        head = own[: own.index(suffix) + 1]  # 一级 of 一级保护, told as 一级重点保护
        if own in text or suffix[0] in _ORDINAL_SUFFIXES and head in text:
            continue
        told = re.finditer(rf"([{_CJK_DIGITS}]+){re.escape(suffix)}", text)
        if any(t.group(1) + suffix[0] not in question and _numbers(text, t) for t in told):
            return True
    return False


def _other_code(question: str, text: str) -> bool:
    """Y8线 asked, Y6线 told: another code of letters and digits (T2, G721) with the same letters,
    the one asked not told."""
    told = {  # not one held up beside it: 由T2的28条增加到56条, 与T2相连
        m.group(0).upper(): m.group(1).upper()
        for m in _CODE.finditer(text)
        if text[m.start() - 1 : m.start()] not in _BESIDE
    }
    for m in _CODE.finditer(question):
        own, letters = m.group(0).upper(), m.group(1).upper()
        if own not in told and any(t != own and lt == letters for t, lt in told.items()):
            return True
    return False


def _word_starts(text: str) -> frozenset[int]:
    """The offsets where text's jieba words begin."""
    at, starts = 0, set()
    for w in words(text):
        starts.add(at)
        at += len(w)
    return frozenset(starts)


def _numbers(text: str, told: re.Match[str]) -> bool:
    """Whether told names a numbered thing, not a count: 两桥 and 4台 (a counter without 第)
    count; 二年级 does not."""
    suffix = told.group(0)[len(told.group(1)) :]
    if suffix in _COUNTERS and text[told.start() - 1 : told.start()] != "第":
        return False
    return not _counted(told.group(0), suffix)


def _counted(own: str, suffix: str) -> bool:
    """一只羊, 两期, 百米: a count or a round measure, not a numbered thing (一年级, 一期, 十号线
    and 第一次 are)."""
    number = own[: own.index(suffix)]
    if own[0] == "两" or number in ("百", "千"):
        return True
    return own[0] == "一" and suffix[0] in _COUNTERS and not suffix.startswith("年级")


def _other_rank(question: str, text: str) -> bool:
    """副局长 asked, only the 局长 told; the 局长 asked, only a 副局长 told (roles as whole words:
    城市长远 names no 市长)."""
    asked = _roles(question)
    if not asked:
        return False
    told = _roles(text)
    return any((not deputy, word) in told and (deputy, word) not in told for deputy, word in asked)


def _roles(text: str) -> set[tuple[bool, str]]:
    """The roles text names as words (县委书记, 副局长, 副 | 主任): (whether the deputy, the role)."""
    cut = words(text)
    found = set()
    for i, w in enumerate(cut):
        m = next((_ROLE.fullmatch(w[-n:]) for n in (5, 4, 3, 2) if _ROLE.fullmatch(w[-n:])), None)
        if m:
            deputy = m.group(1) == "副" or w.startswith("副") or (i > 0 and cut[i - 1] == "副")
            found.add((deputy, m.group(2)))
    return found


def _other_placing(question: str, text: str) -> bool:
    """亚军 asked, only the 冠军 told (placings as whole words: 资金奖励 names no 金奖)."""
    said = set(words(question))
    asked = [p for p in _PLACINGS if said.intersection(p)]
    if len(asked) != 1:
        return False
    told = set(words(text))
    if told.intersection(asked[0]):
        return False
    return any(told.intersection(p) for p in _PLACINGS if p is not asked[0])


def _other_side_after(question: str, text: str) -> bool:
    """改造前 asked, only 改造后 told (前 and 后 as words of their own: 前身 and 后来 are not)."""
    asked = _after_words(question)
    if not asked:
        return False
    told = _after_words(text)
    return any((w, _TRAILING_CONTRAST[side]) in told and (w, side) not in told for w, side in asked)


def _after_words(text: str) -> set[tuple[str, str]]:
    """(word, 前 or 后) for each word text follows with 前 or 后 (改造前有: 改造, 前), not with a
    word of their own (前身, 后来)."""
    cut = words(text)
    return {
        (w, after[0])
        for w, after in zip(cut, cut[1:], strict=False)
        if len(w) >= 2 and after[0] in _TRAILING_CONTRAST and after[:2] not in _NOT_AFTER
    }


@lru_cache(maxsize=1024)
def _single_characters(question: str) -> frozenset[str]:
    """The question's words of one character (老 of 老 | 图书馆); asked of every unit, so cached."""
    return frozenset(t for t in tokenize(question) if len(t) == 1)


def _contrasting(question: str, named: frozenset[str], text: str, loose: bool = False) -> bool:
    """女子 asked, 男子 told; 老图书馆 asked, only 新馆 told (老/旧/原 are one side); loose, the
    short name may hold a word of its own between (老所区 asked: 新园区)."""
    # a contrasting character the tagger cut off its word (老 | 图书馆) is read with it
    alone = _single_characters(question)
    led = {
        question[i - 1] + w
        for w in named
        for i in _starts(question, w)
        if i > 0 and question[i - 1] in alone and len(w) >= 2
    }
    for word in named | {w for w in led if w[0] in _CONTRAST}:
        if len(word) < 2 or word[0] not in _CONTRAST or word in text:
            continue
        if all(i > 0 and question[i - 1] == "多" for i in _starts(question, word)):
            continue  # 多大功率 asks how great, it names no 大功率
        rest = word[1:]
        same_side = _SAME_SIDE.get(word[0], word[0])
        others = [c for c in _CONTRAST if c not in same_side]
        if any(c + rest in text for c in others):
            return True
        if (  # the neighbour named short (新馆 for 老图书馆), not rest itself (高峰 for 晚高峰)
            len(rest) >= 2
            and not any(c in text for c in same_side)
            and re.search(
                f"[{''.join(others)}]{_ONE_WORD if loose else ''}{re.escape(rest[-1])}",
                text.replace(rest, ""),
            )
        ):
            return True
    return False


def _other_time(question: str, text: str) -> bool:
    """去年 asked, only 今年 told; a sentence that names no year tells of this one, one that names
    a year (2024年) may be the one asked, and one held up for comparison (比去年) is not told."""
    question, text = (
        _SEASON_DAYS.sub(r"\1季", _THIS_EDITION.sub("本届", _LAST_EDITION.sub("上届", x)))
        for x in (question, text)
    )
    told = re.sub(f"{_COMPARED.pattern}(?!{_FIGURE_AFTER})", "", text)
    bare = _COMPARED.sub("", text)
    # 比去年多吗 asks of this year; 今年和明年分别… asks of both
    question = _ASKED_COMPARED.sub("", question)
    for family in _TIME_FAMILIES:
        asked = [w for w in family if w in question]
        if not asked or any(w in told for w in asked):
            continue
        if any(w in bare for w in family):
            return True
        if "上届" in asked and "上届" in text:  # 比上届增长约三成: this edition's figure
            return True
        if _OTHER_YEAR.issuperset(asked) and not _NAMED_YEAR.search(text):
            return True
    return False


def _other_end(question: str, text: str) -> bool:
    """淇州至漠河航线 asked, only the one 至河内 told: a route's other end."""
    asked = _ROUTE.search(question)
    if asked is None or asked.group(1) in text:
        return False
    return any(m.group(1) != asked.group(1) for m in _ROUTE.finditer(text))


def _other_place(question: str, named: frozenset[str], text: str) -> bool:
    """西岭区 asked, only 东湖区 told."""
    places = [
        m.group(0)
        for m in _PLACE.finditer(question)
        if m.group(0) not in text and (m.group(1) in named or m.group(0) in named)
    ]
    if not places:
        return False
    longer = [w for w in tokenize(text) if len(w) >= 3 and w not in question]
    for place in places:
        suffix = next(x for x in _SIBLING_SUFFIXES if place.endswith(x))
        if any(w.endswith(suffix) and not w.startswith(place[:2]) for w in longer):
            return True
    return False


def fact_of_another(question: str, text: str, start: int, end: int) -> bool:
    """Whether the fact text[start:end] is told of a neighbour of what the question names: its
    clause, up to the fact, names another numbered thing, the contrasting one, another placing,
    the other side of a change or another route (一期装机多大: 二期装机容量150万千瓦, in a sentence
    naming 一期 elsewhere), or it is another dimension (多长: 宽约2.4米). A name or a place is
    weighed by the words before it only: it may itself be the other one asked for (南山手以及
    哪个地区: 东山手)."""
    q, t = normalize(question), normal_form(text)
    lo = clause_start(t, start)
    dimension = _DIMENSION_ASKED.search(q)
    # the words before the figure, its own leading ones too (长约0.8米: 长约)
    lead = _BEFORE_FIGURE.match(t, start, end)
    told = _DIMENSION_TOLD.search(t[lo:start] + (lead.group(0) if lead else ""))
    if dimension and told and told.group(1) != dimension.group(1):
        return True
    kind = asked_kind(q)
    named = kind in ("person", "place")
    # a figure told of what follows it (建于1988年的一桥) is that one's
    owner = _OWNER.match(t, end)
    whose = "" if named or owner is None else owner.group(0)
    clause = _without_compared(t[lo : start if named else end] + whose, start - lo, q)
    return (
        kind == "time"
        and _other_event(q, _event_clause(t, lo, end))
        or kind != "time"
        and _other_year(q, clause)
        or _told_other_time(q, clause)
        or kind == "number"
        and (_per_unit(q, t[lo:start]) or _other_rate(q, clause))
        or kind == "person"
        and _titled_otherwise(q, t[lo:start])
        or _other_number(q, clause)
        or _other_code(q, clause)
        or _contrasting(q, naming_terms(q) | _long_words(q), clause, loose=True)
        or _other_placing(q, clause)
        or _other_side_after(q, clause)
        or _other_end(q, clause)
    )


def _other_event(question: str, clause: str) -> bool:
    """When a thing was finished asked, the clause telling when it was begun (建成 asked: 计划于
    2026年开工), or the other way round."""
    for asked, other in ((_BEGUN, _ENDED), (_ENDED, _BEGUN)):
        if asked.search(question) and not other.search(question):
            return bool(other.search(clause)) and not asked.search(clause)
    return False


def _long_words(text: str) -> frozenset[str]:
    """text's jieba words of three characters or more (老所区, which naming_terms reads as 所区)."""
    return frozenset(w for w in words(text) if len(w) >= 3)


def _event_clause(text: str, lo: int, end: int) -> str:
    """The clause of text from lo holding end, and the next one when it names no event (8月25日，
    冯关市启动…)."""
    after = _CLAUSE_MARK.search(text, end)
    stop = after.start() if after else len(text)
    if after and not (_BEGUN.search(text, lo, stop) or _ENDED.search(text, lo, stop)):
        later = _CLAUSE_MARK.search(text, stop + 1)
        stop = later.start() if later else len(text)
    return text[lo:stop]


def _told_other_time(question: str, clause: str) -> bool:
    """今年 asked, the fact's clause told of 去年 (and not of 今年)."""
    question, clause = (_SEASON_DAYS.sub(r"\1季", x) for x in (question, clause))
    for family in _TIME_FAMILIES:
        asked = [w for w in family if w in question]
        if asked and not any(w in clause for w in asked) and any(w in clause for w in family):
            return True
    return False


def _other_year(question: str, clause: str) -> bool:
    """2023年 asked, the fact's clause told of 2024年 only."""
    asked = _NAMED_YEAR.findall(question)
    told = _NAMED_YEAR.findall(clause)
    return bool(asked and told) and not set(asked) & set(told)


def _other_rate(question: str, clause: str) -> bool:
    """肥胖率 asked, the fact's clause told of 近视率 (a rate of another thing)."""
    asked = [a for a in _RATE.findall(question) if a[-1] not in _NOT_A_RATE]
    told = _RATE.findall(clause)
    return (
        bool(asked and told)
        and not any(a in clause for a in asked)
        and not any(w in question for w in told)
    )


def _titled_otherwise(question: str, before: str) -> bool:
    """A role asked (董事长是谁) and the name told right after another (总经理华启东, or the
    deputy's for the head's)."""
    asked = _ROLE.search(asked_role(question) or "")
    told = _ROLE_LAST.search(before)
    if asked is None or told is None:
        return False
    deputy = bool(asked.group(1)) or "副" + asked.group(2) in question  # 副 | 主席 asked
    # 副县长 for 县长, 总经理 for 董事长
    return bool(told.group(1)) != deputy or not told.group(2).endswith(asked.group(2))


def _per_unit(question: str, before: str) -> bool:
    """A total asked (一共多少册) and a figure told per unit (每家藏书不少于3000册)."""
    return bool(_TOTAL_ASKED.search(question) and _PER_UNIT.search(before)) and not (
        _PER_UNIT.search(question)
    )


def _without_compared(clause: str, fact: int, question: str) -> str:
    """clause without the neighbours it holds up beside the thing told: for comparison, when the
    fact at offset fact comes after the comparison's verb (比老厂降低22%: 老厂; but the 52小时 of
    由一期的平均52小时缩短到 is 一期's own), or as a companion (与2号线换乘); never words the
    question says itself (南山手 of 东山手和南山手, when it asks for the other)."""
    tags = pos_tags(clause)
    at = [0]
    for w, _ in tags:
        at.append(at[-1] + len(w))
    dropped: set[int] = set()
    for i, (w, _) in enumerate(tags[:-1]):
        if w in _COMPANION:
            dropped.add(i + 1)
        if w not in _COMPARING:
            continue
        # the comparison runs to its verb: a word of two characters or more (上 of 较上一届 is not)
        verb = next(
            (k for k in range(i + 1, len(tags)) if tags[k][1] == "v" and len(tags[k][0]) > 1),
            len(tags),
        )
        changed = w not in _FROM or any(ch.isdigit() for ch in clause[at[i] : at[verb]])
        if changed and at[verb] <= fact:
            dropped.update(range(i + 1, verb))
    return "".join(w for i, (w, _) in enumerate(tags) if i not in dropped or w in question)


def tells_the_whole(question: str, text: str, start: int, end: int) -> bool:
    """Whether the figure text[start:end] is a whole while the question asks of a part the
    sentence names only after it, in another clause (一期占地多少: 规划总占地420亩，分两期建设，
    其中一期…, or not at all: 分两期实施，总投资38.6亿元; but 总投资12亿元的一期工程 and
    共有15家企业入选第二批 tell the part's own)."""
    q, t = normalize(question), normal_form(text)
    if asked_kind(q) != "number":
        return False
    asked = [m.group(0).removeprefix("第") for m in _PART.finditer(q)]
    parts = [p for p in asked if p in t]
    lo = clause_start(t, start)
    after = _CLAUSE_MARK.search(t, end)
    clause = t[lo : after.start() if after else len(t)]
    if asked and not parts and _PARTS_COUNTED.search(t):  # 二期 asked: 分两期实施，总投资38.6亿元
        return bool(_WHOLE.search(clause))
    outside = all(t.find(p) >= lo + len(clause) for p in parts)
    return bool(parts and _WHOLE.search(clause)) and outside


def own_fact(question: str, text: str, fact: Span) -> Span | None:
    """fact, or when a number, time, person or place asked is told there of a neighbour
    (fact_of_another) or is the question's own (_not_its_own), the one of its kind in text that is
    not, placed best among the question's words; None when text tells no other."""
    kind = asked_kind(question)
    if kind not in _OWN_KINDS or not _not_its_own(question, text, fact):
        return fact
    own = [
        sp
        for sp in rule_spans(kind, question, text, strict=True)
        if not _not_its_own(question, text, sp)
    ]
    return best_placed(own, text, question_anchors(question, text))


def _not_its_own(question: str, text: str, fact: Span) -> bool:
    """Whether fact is told of a neighbour (fact_of_another) or is what the question itself
    says (首批32名运维人员里有几名女性: 32名)."""
    said = normal_form(text[fact.start : fact.end])
    return (
        len(said) >= 2
        and said in normalize(question)
        or fact_of_another(question, text, fact.start, fact.end)
    )


def names_other_role(question: str, best: Candidate) -> bool:
    """A 谁 question about a role (县长, 局长, 冠军) is answered only by a sentence that names the
    role, in itself or its lead-in: a name beside another role answers another question."""
    role = asked_role(question)
    if role is None:
        return False
    chunk = best.hit.chunk
    near = normalize(chunk.title + chunk.text[: max(best.start - chunk.start, 0)][-40:] + best.text)
    role = normalize(role)
    tail = role[-2:]  # 医院院长 is named as 该院院长

    def opens(i: int) -> int:  # where the role named at i begins: 原法定代表人's 法
        whole = i + 2 - len(role)
        return whole if whole >= 0 and near[whole : i + 2] == role else i

    # 副局长 is not 局长, nor 原院长 the 院长 now
    return not any(
        "副" not in near[max(i - 2, 0) : i] and near[i - 1 : i] not in _FORMER
        for i in (opens(m.start()) for m in re.finditer(re.escape(tail), near))
    )


def tells_of_another(question: str, best: Candidate) -> bool:
    """Whether best, however likely, answers another question: it is about a neighbour of what
    is asked (conflict: 3号线 for 4号线), names another holder of the role asked (names_other_role),
    or states no sum of money for a price or a sum asked (门票多少钱: 41.2万人次, 投资多少: 20万千瓦)."""
    return bool(
        best.conflict
        or names_other_role(question, best)
        or asks_for_money(question)
        and not states_sum(best.text)
    )

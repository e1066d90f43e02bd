"""Whether the fact chosen for an answer is told of what the question asks: not of a neighbour
(service.neighbours: 二期装机容量150万千瓦 for 一期, 冠军 for 亚军), another role, year, rate or
event (计划于2026年开工 for 建成), a per-unit figure for a total, the question's own figure, or a
whole while a part is asked (分两期实施，总投资38.6亿元 for 二期); own_fact gives the one that is,
or none."""

from __future__ import annotations

import re

from corpus.text import normalize, pos_tags, words
from service.evidence import naming_terms
from service.fact_scope import TOTAL_ASKED, other_scope
from service.measures import MEASURES
from service.neighbours import (
    COMPANION,
    COMPARING,
    NAMED_YEAR,
    ROLE,
    TIME_FAMILIES,
    contrasting,
    other_code,
    other_end,
    other_number,
    time_words,
    untold_times,
)
from service.other_side import other_placing, other_side_after
from service.parallel_facts import CHANGED_FROM, asked_change, asked_side, named_parallel
from service.referents import named_person
from service.short_answer import (
    Span,
    asked_kind,
    asked_measure,
    asked_role,
    best_placed,
    clause_end,
    clause_start,
    holds_measure,
    normal_form,
    question_anchors,
    rule_spans,
)

# when a thing was begun, and when finished or opened (an event's two ends)
_BEGUN = re.compile(
    r"开工|动工|开建|奠基|破土|启动|开幕|拉开帷幕|开赛"
)  # not 揭幕 (碑揭幕 is 落成)
_ENDED = re.compile(
    r"建成|完工|竣工|落成|贯通|通车|开通|投产|投用|启用|开业|解除|闭幕|落下帷幕|落幕|收官"
)
_NOT_A_RATE = "功效频汇利税概比速"  # 功率, 效率: words of their own, no rate of a thing
_RATE = re.compile(r"([\u4e00-\u9fff]{2})率(?![先领])")  # 近视率: a rate of 近视
_ROLE_LAST = re.compile(f"(?:{ROLE.pattern})$")  # the role a name is told right after
# the words a figure is told of after it: 1988年的 | 一桥
_OWNER = re.compile(r"(?:(?<=的)|的)[^，。；,;、\s]{1,4}")  # 的 the fact's own or next
_EITHER = re.compile(r"还是|[和与或].{1,12}?(?:哪|谁)")  # a choice between things it names
_SPAN_ENDS = frozenset("自从至")
_NAMING_TAGS = ("n", "a", "j", "b", "eng")  # nouns and names (a name jieba does not know: a)
_SINCE = re.compile(r"[^，。；,;]{0,6}?(?:以来|起)")
# a figure told per unit
_PER_UNIT = re.compile(r"每(?![逢当])[^\d，。；,;]?|人均|户均|亩均|平均|单[场站台家个日次笔仓]")
_TOTAL_TOLD = re.compile(r"累计|共|总")  # 每年分红累计发放120万元: a total after the 每
# a phase or batch a question asks of (一期, 第二批), not a count of them (两期, 分两期)
_PART = re.compile(r"(?<![分共两几])第?[0-9０-９一二三四五六七八九十]+(?:期|批|阶段|标段)")
# a place in order (第三, 第5次, 第21位; not 第三方, 第二天, 第一时间), and a question asking
# one (排第几, 第几次), each with the word it counts in, if any
_ORDINAL = re.compile(
    r"第([0-9０-９一二三四五六七八九十百千]+)(?:([名位次届场家批轮个棒])|(?![\u4e00-\u9fff]))"
)
_ORDINAL_ASKED = re.compile(r"第几([名位次届场家批轮个棒])?")
_PLACE_WORDS = frozenset("名位")  # a placing: 排第几 is answered with 第五 or 第五名
_PARTS_COUNTED = re.compile(r"(?:分|共)[两二三四五六]期|两期")  # 分两期建设: a whole of phases
_WHOLE = re.compile(r"总|共|全部")
_OWN_KINDS = ("number", "time", "person", "place")  # facts a sentence may tell of a neighbour
# an opening clause that sets a time or condition, or holds a thing up beside, names no subject
_SETTING = re.compile(r"^(?:随着|与|较|比|在|自|从|当|经过)|(?:后|以来|时|期间|相比|以前|之前)$")
_SUBJECT_AGAIN = re.compile(r"[原旧老新该这此其本][\u4e00-\u9fff]")  # 原馆, 该校, 这座
# places of one level: a township's figure is not another's (马岭镇 for 青杠乡), a county's neither
_LEVELS = ("乡镇", "区县")
_TOWN = re.compile(r"([\u4e00-\u9fff]{2})([乡镇区县])(?![村镇长级城里委政])")  # not 乡村, 县长
_CLAUSE_OPENER = re.compile(r"^\s*(?:其中|而|但|则)?")
_NO_NAME = frozenset("城乡镇区县个的全各该本每和等在与及是为省市这那其两")  # 城乡, 各乡镇, 两县
# a year opening a clause: the time the sentence tells of (not 恢复到2019年的, 于2018年建成)
_SCOPE_YEAR = re.compile(r"(?:^|[，,；;：:])\s*((?:19|20)\d{2}年)(?!\d|以来|起|底)")
_RELATIVE_YEAR = re.compile("|".join((*TIME_FAMILIES[0], "当年", "同年")))  # 今年, 当年
# the words a place is told after (送往, 位于): what follows is the place said
_TOWARDS = re.compile(r"^(?:[送运迁发寄]往|送到|运到|位于|设在|落户|前往|迁至|在|于|到|往)")
# measures a figure must be told in (今年多大: 6岁, not 219.08分; 缴存比例: 12%, not 70万元)
_MEASURED = (
    (
        re.compile(
            r"(?<![十一二三四五六七八九0-9])几岁|多少岁|(?:年龄|年纪|岁数)(?:是|有)?多(?:大|少)"
            r"|多大(?:年纪|岁数)|(?:今年|现在|当时)多大了?\s*[?？]?\s*$"
        ),
        re.compile(r"岁|个?月|天"),
    ),
    (
        re.compile(
            r"(?:比例|占比|比重)(?:最高|最低)?(?:是|为|有|大概|大约)?(?:多少|多大)|百分之几|几成"
        ),
        re.compile(r"[%％‰成比]|百分点|分之"),
    ),
    (
        re.compile(r"多少钱|(?:票价|电价|水价|房价|售价|价格)(?:是|为|大概|大约)?多少"),
        re.compile(r"元|钱|免费|块|镑"),
    ),
    # a month or a day asked is not told by a year (几月份举行: 2029年)
    (
        re.compile(r"几月|哪个月|哪一个月|什么月份|哪月"),
        re.compile(r"月|季|旬|[春夏秋冬]|底|初|末|节"),
    ),
    (
        re.compile(r"哪天|哪一天|几号|什么日子|哪日"),
        re.compile(r"日|号|天|节|周|星期|[初廿卅]|月[一二三四五六七八九十]"),
    ),
)
# a short question naming a placing, asking its holder (少年组冠军?): a figure is none
_WON_BY = re.compile(
    r"(?:冠军|亚军|季军|第[一二三]名)(?:由|被)([^，,。；;]{2,16}?)(?:获得|夺得|摘得|收入囊中)"
)
_HOLDER_ASKED = re.compile(r"(?:冠军|亚军|季军|得主|获得者|第[一二三]名|状元)\s*[?？]*\s*$")
# a body's name asked (那家合作社叫什么名字; not 公司是什么时候注册的)
_BODY_NAME_ASKED = re.compile(
    r"(合作社|公司|协会|企业|品牌|基地|学校|医院|酒店|餐厅|商场|超市|银行|平台|基金|学会|联盟"
    r"|剧团|乐队|球队)(?:的)?(?:名字|名称)?(?:叫|是)(?:什么|啥)(?!时候|时间|地方|原因|样)"
)
# the kinds of body a name may end in, each told apart from the others
_BODY_KINDS = ("合作社", "协会", "学会", "联盟", "基金会", "剧团", "乐队")
_MEASURE_UNITS = tuple(u for _, u in MEASURES)  # the units of each measure a question asks
# a dimension asked (多长) and the word a figure is told with (宽约2.4米, 高度为)
_DIMENSION_ASKED = re.compile(r"多(长|高|宽)")  # not 深/厚: 积雪深度 tells 多厚
_BEFORE_FIGURE = re.compile(r"\D*")
_DIMENSION_TOLD = re.compile(
    r"(?<![增延成生提最升加拉])([长宽高深厚])[度程]?(?:约|为|达到|达|仅|近)?$"
)


def fact_of_another(question: str, text: str, start: int, end: int) -> bool:
    """Whether the fact text[start:end] is told of another than what the question asks. Its
    clause up to the fact's end and the words it is told of after 的 (建于1988年的一桥), less
    the things held up beside it (比老厂, 与2号线), name another numbered thing or code, the
    contrasting one, another placing, the other side of a change, another route, another time
    or named year (一期装机多大: 二期装机容量150万千瓦, in a sentence naming 一期 elsewhere; a
    clause naming no year is of the year the sentence named before it); or
    the fact is another dimension (多长: 宽约2.4米), a figure per unit for a total asked, a rate
    of another thing, a name told after another role, or a date of the event's other end
    (建成 asked: 计划于2026年开工). A name or a place is weighed by the words before it only: it
    may itself be the other one asked for (南山手以及哪个地区: 东山手)."""
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
    terms = naming_terms(q) | _long_words(q)
    return (
        kind == "time"
        and _other_event(q, _event_clause(t, lo, end))
        or kind != "time"
        and (_other_year(q, clause) or _other_scope_year(q, clause, t[:lo]))
        or _told_other_time(q, clause)
        or kind == "number"
        and (_per_unit(q, t[lo:start]) or _other_rate(q, clause))
        or kind == "person"
        and _titled_otherwise(q, t[lo:start])
        or other_number(q, clause)
        or other_code(q, clause)
        or contrasting(q, terms, clause, loose=True)
        or other_placing(q, clause)
        or other_side_after(q, clause)
        or other_end(q, clause)
        or not named
        and (_other_town(q, clause, t) or lo > 0 and _opened_by_neighbour(q, terms, t, end))
        or _list_mate(q, t, t[lo : start if named else end])
        or other_scope(q, t, start, end)
    )


def _opened_by_neighbour(question: str, terms: frozenset[str], text: str, end: int) -> bool:
    """Whether the sentence opens with the neighbour of what is asked and says the one asked
    nowhere up to the fact: a later clause naming no subject tells of the one it opened with
    (老馆 asked: 新馆建筑面积2.8万平方米，展区面积超过1.9万平方米). Not an opening that holds the
    neighbour up beside (与老馆相比, 较老馆扩大了三倍) or tells a time or condition (新馆建成后),
    nor a sentence naming a subject again before the fact (原馆, 该校, 这座老建筑). terms: the
    question's naming words, as contrasting reads them."""
    lead = clause_end(text, 0)
    first = text[:lead]
    if _SETTING.search(first) or _SUBJECT_AGAIN.search(text, lead, end):
        return False
    opened = _without_compared(first, len(first), question)
    return contrasting(question, terms, opened, loose=True) and contrasting(
        question, terms, text[:end], loose=True
    )


def _other_town(question: str, clause: str, sentence: str) -> bool:
    """青杠乡 asked, a fact's clause opening with 马岭镇 and not naming it, in a sentence naming
    both (受灾最重的是马岭镇和青杠乡：马岭镇受灾果园8400亩): another place of its level (乡 and 镇
    are one, 区 and 县 another), read as two characters and the level's word (names jieba does
    not know), never a word like 城乡 or 各县."""
    asked = [
        m.group(0)
        for m in _TOWN.finditer(question)
        if not set(m.group(1)) & _NO_NAME and m.group(0) in sentence
    ]
    if not asked or any(place in clause for place in asked):
        return False
    level = {lv for place in asked for lv in _LEVELS if place[-1] in lv}
    told = _TOWN.match(_CLAUSE_OPENER.sub("", clause))  # the clause's subject, named first
    return (
        told is not None
        and not set(told.group(1)) & _NO_NAME
        and told.group(1) not in question
        and any(told.group(2) in lv for lv in level)
        and told.group(0) in sentence.replace(told.group(0), "", 1)  # named before it is told of
    )


def _list_mate(question: str, text: str, clause: str) -> bool:
    """Whether text lists two items side by side (至吉隆坡、布达佩斯两条航线: any two joined by
    、) and the fact's clause names one of them and not the other, the one the question names
    (其中布达佩斯航线每周执飞3班 for 吉隆坡航线几班)."""
    tags = pos_tags(text)
    for k in range(1, len(tags) - 1):
        (one, f), (mark, _), (other, g) = tags[k - 1 : k + 2]
        # names and nouns (jieba tags a name it does not know as it may: 清迈 a)
        naming = f.startswith(_NAMING_TAGS) and g.startswith(_NAMING_TAGS)
        if mark != "、" or min(len(one), len(other)) < 2 or not naming:
            continue
        for asked, told in ((one, other), (other, one)):
            said = asked in question and told not in question
            if said and told in clause and asked not in clause:
                return True
    return False


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
    stop = clause_end(text, end)
    if stop < len(text) and not (_BEGUN.search(text, lo, stop) or _ENDED.search(text, lo, stop)):
        stop = clause_end(text, stop + 1)
    return text[lo:stop]


def _told_other_time(question: str, clause: str) -> bool:
    """今年 asked, the fact's clause told of 去年 (and not of 今年)."""
    clause = time_words(clause)
    return any(
        any(w in clause for w in family) for family, _ in untold_times(time_words(question), clause)
    )


def _other_year(question: str, clause: str) -> bool:
    """2023年 asked, the fact's clause told of 2024年 only."""
    asked = NAMED_YEAR.findall(question)
    told = [  # not a year a span is counted from or to (自2019年开馆以来, 截至2023年底)
        m.group(0)
        for m in NAMED_YEAR.finditer(clause)
        if clause[m.start() - 1 : m.start()] not in _SPAN_ENDS and not _SINCE.match(clause, m.end())
    ]
    return bool(asked and told) and not set(asked) & set(told)


def _other_scope_year(question: str, clause: str, before: str) -> bool:
    """2023年 asked, the fact's clause naming no time and the sentence opening a clause before
    it with another year (2024年该馆共接待…，其中新馆…): the sentence's year is the fact's."""
    if NAMED_YEAR.search(clause) or _RELATIVE_YEAR.search(clause):
        return False
    if any(year in before for year in NAMED_YEAR.findall(question)):
        return False  # 2024年初，…总结了2023年工作，…: the year asked is told
    return _other_year(question, " ".join(m.group(1) for m in _SCOPE_YEAR.finditer(before)))


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
    asked = ROLE.search(asked_role(question) or "")
    told = _ROLE_LAST.search(before)
    if asked is None or told is None:
        return False
    if "兼" in before[max(told.start() - 8, 0) : told.start()] and asked.group(0) in before[-16:]:
        return False  # 董事长兼总经理林铮: both roles are his
    deputy = bool(asked.group(1)) or "副" + asked.group(2) in question  # 副 | 主席 asked
    # 副县长 for 县长, 总经理 for 董事长
    return bool(told.group(1)) != deputy or not told.group(2).endswith(asked.group(2))


def _per_unit(question: str, before: str) -> bool:
    """A total asked (一共多少册) and a figure told per unit (每家藏书不少于3000册, but not 每年
    分红累计发放120万元)."""
    per = [m.end() for m in _PER_UNIT.finditer(before)]
    if not per or not TOTAL_ASKED.search(question) or _PER_UNIT.search(question):
        return False
    return not _TOTAL_TOLD.search(before, per[-1])


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
        if w in COMPANION:
            dropped.add(i + 1)
        if w not in COMPARING:
            continue
        # the comparison runs to its verb: a word of two characters or more (上 of 较上一届 is not)
        verb = next(
            (k for k in range(i + 1, len(tags)) if tags[k][1] == "v" and len(tags[k][0]) > 1),
            len(tags),
        )
        changed = w not in CHANGED_FROM or any(ch.isdigit() for ch in clause[at[i] : at[verb]])
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
    clause = t[lo : clause_end(t, end)]
    if asked and not parts and _PARTS_COUNTED.search(t):  # 二期 asked: 分两期实施，总投资38.6亿元
        return bool(_WHOLE.search(clause))
    outside = all(t.find(p) >= lo + len(clause) for p in parts)
    return bool(parts and _WHOLE.search(clause)) and outside


def _asked_ordinal(question: str, text: str, fact: Span) -> Span:
    """fact, or when the question asks a place in order (排第几, 第几次) and fact tells none (a
    time, a score: 2小时13分07秒), the one such place text tells in the word asked (第几次: 第三次;
    排第几: 第五 or 第五名) that the question does not say itself (第五届…排第几)."""
    q = normalize(question)
    asked = _ORDINAL_ASKED.search(q)
    if asked is None or "第" in text[fact.start : fact.end]:
        return fact
    wanted = {asked.group(1)} if asked.group(1) else {None, *_PLACE_WORDS}
    # not one the question says itself, whole or inside its own (第三 of 第三十届: _not_its_own
    # would read it as the question's and give way to another figure)
    told = [
        m
        for m in _ORDINAL.finditer(text)
        if m.group(2) in wanted and normalize(m.group(0)) not in q
    ]
    return Span(told[0].start(), told[0].end()) if len(told) == 1 else fact


def own_fact(question: str, text: str, fact: Span) -> Span | None:
    """fact (or the parallel fact or the change the question asks: service.parallel_facts; the
    place in order asked: _asked_ordinal), or when a number, time, person or place asked is told
    there of a neighbour (fact_of_another) or is the question's own (_not_its_own), the one of
    its kind in text that is not, placed best among the question's words; None when text tells
    no other, or when fact is told in another scope (service.fact_scope: a claim, a plan, a
    whole), as the sentence's other figures are."""
    fact = asked_side(
        question, text, asked_change(question, text, named_parallel(question, text, fact))
    )
    fact = _asked_ordinal(question, text, fact)
    kind = asked_kind(question)
    if kind is None and _unkinded_not_own(question, text, fact):
        if not _HOLDER_ASKED.search(normalize(question)):
            return None
        # 冠军? told a time (4分21秒): the holder the placing is told of (冠军由女骑手其其格获得)
        won = _WON_BY.search(text)
        name = (named_person(won.group(1)) if won else None) or ""
        at = text.find(name, won.start(1)) if won and name else -1
        return Span(at, at + len(name)) if at >= 0 else None
    if kind not in _OWN_KINDS or not _not_its_own(question, text, fact):
        return fact
    if other_scope(normalize(question), normal_form(text), fact.start, fact.end):
        return None  # told as a claim, a plan, a whole…: the sentence's other figures are too
    own = [
        sp
        for sp in rule_spans(kind, question, text, strict=True)
        if not _not_its_own(question, text, sp)
    ]
    return best_placed(own, text, question_anchors(question, text))


def _unkinded_not_own(question: str, text: str, fact: Span) -> bool:
    """A short question with no question word (汤德旺死亡赔偿金? 少年组冠军?): its fact is not its
    own when told in another scope (fact_scope), or a figure for a placing's holder."""
    said = text[fact.start : fact.end]
    figure = any(ch.isdigit() for ch in said)
    q, t = normalize(question), normal_form(text)
    return figure and (bool(_HOLDER_ASKED.search(q)) or other_scope(q, t, fact.start, fact.end))


def _not_its_own(question: str, text: str, fact: Span) -> bool:
    """Whether fact is told of a neighbour (fact_of_another), is what the question itself says
    (首批32名运维人员里有几名女性: 32名) or is not in the measure asked (an age, a share, a price)."""
    said = _TOWARDS.sub("", normal_form(text[fact.start : fact.end]))  # 送往X公司: X公司
    q = normalize(question)
    return (
        len(said) >= 2
        and said in q
        and not _EITHER.search(q)  # 2023年和2024年哪年更高: one of the question's own
        or any(asked.search(q) and not held.search(said) for asked, held in _MEASURED)
        or fact_of_another(question, text, fact.start, fact.end)
        or _other_measure(question, text, fact)
        or _other_body(q, text, fact)
    )


def _other_body(question: str, text: str, fact: Span) -> bool:
    """A body's name asked (那家合作社叫什么名字) and the fact a role (猕猴桃产业协会会长) or
    another kind of body (…协会 for a 合作社; but 泷西农商行 may be a 银行's, …有限公司 a 企业's)."""
    asked = _BODY_NAME_ASKED.search(question)
    if asked is None:
        return False
    said = text[fact.start : fact.end]
    other = next((b for b in _BODY_KINDS if said.endswith(b)), None)
    person = all(f.startswith("nr") for _, f in pos_tags(said))  # 骆某: a person, no body
    return person or bool(_ROLE_LAST.search(said)) or other is not None and other != asked.group(1)


def _other_measure(question: str, text: str, fact: Span) -> bool:
    """Whether fact states no figure in the measure asked (几倍: 86万元; 多少人: 1600多名 is one)
    where the rules find one that does (3倍多). 个 counts anything (多少个嫌疑人: 42名)."""
    measure = asked_measure(question)
    if asked_kind(question) != "number" or measure in (None, ("个",)):
        return False
    # a measure asked by name, else the one its unit is of
    units = (
        measure
        if measure in _MEASURE_UNITS
        else next((u for u in _MEASURE_UNITS if set(measure) & set(u)), measure)
    )
    return not holds_measure(text[fact.start : fact.end], units) and bool(
        rule_spans("number", question, text, strict=True)
    )

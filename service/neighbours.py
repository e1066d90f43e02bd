"""Whether a sentence speaks of a neighbour of what a question names instead of the thing
itself: another numbered thing (3号线 for 4号线) or code (Y6 for Y8), the contrasting one (男子
for 女子), the head for a deputy, another placing, the other side of a change, another time
(去年 for 今年), another place of a kind (东湖区 for 西岭区) or route; and whether the best unit
answers another question (tells_of_another). service.own_fact weighs the fact a sentence gives
with the same tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from corpus.text import NAME_FLAGS, normalize, pos_tags, words
from index.bm25 import tokenize
from service.evidence import asks_for_money, states_sum
from service.other_side import other_extreme, other_placing, other_side_after, other_side_told
from service.short_answer import (
    asked_role,
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
# a court asked of, a party's claim told, and a court's ruling told
_COURT = re.compile(r"法院|法庭|合议庭|法官")
_CLAIMED = re.compile(r"辩称|指控|诉称|主张|声称|请求")
_RULED = re.compile(r"法院|法庭|合议庭|法官|判决|裁定|判处|判令|认定|采纳|驳回|支持")
# a role and whether the question asks its deputy (副局长) or the head
ROLE = re.compile(
    r"(副?)((?:总|董事|局|厅|处|科|市|县|区|镇|乡|村|馆|校|院|所|站|队|部|行|社|关|园|会)长"
    r"|(?:常务)?主任|总经理|经理|书记|主席|总监|总裁|总工程师|主教练)"
)
# a code of letters and digits (Y8线, T2航站楼, G721次), read as a word of its own
# what holds a neighbour up beside the thing told: for comparison up to its verb (比老厂降低22%;
# 由/从 only a value changed from: 由一期的52小时缩短到), or as a companion (与2号线换乘)
COMPARING = frozenset(("比", "较", "较之", "相比", "由", "从"))
COMPANION = frozenset(("与", "和", "同", "跟"))
# a code held up beside the one told (由T2的28条, 与T2相连): the one-character words of both
_BESIDE = frozenset(w for w in COMPARING | COMPANION if len(w) == 1)
_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2})(\d{1,4})(?![\d.])")
# a numbered stage or grade its one suffix character names (一期/二期, 一等座/二等座, 一审/二审),
# which _NUMBERED misses when more words follow (一期总投资)
_ORDINAL_SUFFIXES = "期届等审批轮季代级号"
_FIRST_OF = re.compile(r"首([批期届轮季])")  # 首批 is 第一批
_ORDINAL = re.compile(rf"第?[{_CJK_DIGITS}]+([{_ORDINAL_SUFFIXES}])")
# first characters that set two otherwise equal words apart (男子/女子, 新馆/旧馆, 上半年/下半年)
_CONTRAST = "男女新旧老上下前后东西南北大小正副首末高低内外主客早晚进出"
# contrasting first characters that mean the same side (老馆, 旧馆 and 原馆 are one building)
_PLACE_ENDS = "区馆院厂园校站楼所场"  # the loose short name only of a place (新园区, not 高龄人)
_ONE_WORD = "[\u4e00-\u9fff]?"  # a short name's own word between (新园区 for 新区)
_SAME_SIDE = {c: "老旧原" for c in "老旧原"}
_QUARTERS = "东西南北"
_TWO_HAN = re.compile("[\u4e00-\u9fff]{2}")
# another site of an institution (东院区, 新校区, 分馆; not 部分院系)
_SITE = re.compile(r"[\u4e00-\u9fff](?:院区|校区)|(?<!部)分[院校馆部]")
# the words each contrasts with: its own kind only (大桥 asked, 旧桥 told is no other bridge)
CONTRAST_FAMILIES: tuple[str, ...] = ("男女", "新旧老", "上下", "前后", _QUARTERS, "大小", "正副")
CONTRAST_FAMILIES += ("主副", "主客", "首末", "高低", "内外", "早晚", "进出")


def contrasting_with(head: str) -> list[str]:
    """The first characters that set a word apart from one opening with head (男 for 女; 新
    for 老, not 旧 or 原: one side)."""
    same_side = _SAME_SIDE.get(head, head)
    return [c for f in CONTRAST_FAMILIES if head in f for c in f if c not in same_side]


# times that set two otherwise equal facts apart (去年的产量 is not 今年的)
TIME_FAMILIES = (
    ("今年", "去年", "明年", "前年"),
    ("上半年", "下半年"),
    ("本届", "上届"),
    ("春季", "夏季", "秋季", "冬季"),
)
# a season of a year told in one word (今冬 is 今年冬季, 去冬 去年冬季, 明春 明年春季)
_SEASON_OF_YEAR = re.compile(r"([今去明])([春夏秋冬])")
_SEASONS_OF_YEARS = re.compile(r"(?:[今去明][春夏秋冬])+")
_YEAR_OF = {"今": "今年", "去": "去年", "明": "明年"}
_SEASON_DAYS = re.compile(r"([春夏秋冬])天")  # 冬天 is told as 冬季 too
# a 哪个X question asks for an X (哪个法院: the court is the answer)
_WHICH = re.compile(r"哪(?:个|家|所|座|间)([\u4e00-\u9fff]{2})")
_OTHER_YEAR = frozenset(("去年", "明年", "前年"))
NAMED_YEAR = re.compile(r"(?:19|20)\d{2}年")
_LAST_EDITION = re.compile(r"[上前]一届|前届")  # 上一届 and 前届 are 上届
# an edition a sentence tells of by number or year, or as one before (卫冕冠军 won the last one,
# 去年 an annual event's)
_NAMED_EDITION = re.compile(
    rf"第?[{_CJK_DIGITS}〇]+届|首届|(?:19|20)\d{{2}}(?:年|赛季)|[二〇一九零]{{4}}年|卫冕|曾经|曾[以获夺拿是]"
    r"|此前|以往|往届|历届|上一?次|上回|去年"
)
# an earlier time asked, and what names such a time in a sentence: one naming none tells of now
# (去年 asked, a sentence naming no year; 上届 asked, one naming no edition and none before)
_BEFORE_NAMED = ((_OTHER_YEAR, NAMED_YEAR), (frozenset(("上届",)), _NAMED_EDITION))
_TITLE = re.compile(r"上届(?=冠军|亚军|季军|得主)")  # a title held from the last edition
_THIS_EDITION = re.compile(r"这一?届|今届|这次|本次")  # 这届, 这次 are 本届
# a time held up for comparison (比去年, 较去年, 同去年相比) is not the time a sentence tells of,
# though one that gives that time's figure (比去年的49.3%, 比去年同期的5.1万只) tells it too
_TIMES = "|".join(w for f in TIME_FAMILIES for w in f)
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


_FORMER = ("原", "前", "代")  # 原局长, 代县长: not the one in office
_IN_A_NUMBER = frozenset("0123456789０１２３４５６７８９.．")
_MAGNITUDES = "万亿千百"
_RELATIVE = frozenset("上下这本每该同")  # 下一届, 这一期: an edition or phase told relatively
# the stages, editions and instances a headline names the article's subject by (二期, 第三届, 二审)
_STAGES = "期届批轮审"
# before a stage told, what makes it no name of the subject: how many (分三期, 共三期), a relative
# one (新一轮, 上一届) or one held up beside (与一期相比, 在一期的基础上)
_NOT_THE_STAGE = _RELATIVE | frozenset("新分共比与较在从由")


def _starts(text: str, word: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(word), text)]


def names_sibling(question: str, named: frozenset[str], text: str) -> bool:
    """Whether text is about a neighbour of what the question names while the question's own
    is absent: another number of a numbered thing (3号线 for 4号线), the contrasting word (男子
    for 女子), the head for a deputy or the deputy for the head (局长, 副局长), another placing
    (冠军 for 亚军), the time after (改造后 for 改造前), another time (今年 for 去年), another
    named one of a kind (淇州队 for 沣川队), another place of a kind (东湖区 for 西岭区), the
    other end of a range (最高 for 最便宜) or the other side (农村 for 城区)."""
    return (
        other_number(question, text)
        or other_code(question, text)
        or contrasting(question, named, text)
        or _other_rank(question, text)
        or other_placing(question, text)
        or other_side_after(question, text)
        or other_extreme(question, text)
        or other_side_told(question, text)
        or _other_time(question, text)
        or other_end(question, text)
        or _other_site(question, text)
        or _other_named_kind(question, text)
        or not _place_answers(question, text)
        and _other_place(question, named, text)
    )


_ASKS_ANOTHER = re.compile(r"哪|对手|对阵|输给|战胜|负于|来自")
_COMPARED_WITH = re.compile(r"[比较与同跟]$")  # the word right before the other one
_KIND_ENDS = "队市县区镇乡村库场港站司团院校路桥湖河山馆园厂"  # 水库, 机场, 公司, 集团…


def _named_kinds(text: str) -> set[tuple[str, str]]:
    """(name, kind) of each proper name text says right before a noun of its kind (沣川 | 队,
    白鹤 | 水库)."""
    tags = pos_tags(text)
    return {
        (w, k)
        for (w, f), (k, g) in zip(tags, tags[1:], strict=False)
        if f.startswith(NAME_FLAGS) and len(w) >= 2 and len(k) <= 3 and k[-1] in _KIND_ENDS
    }


def _other_named_kind(question: str, text: str) -> bool:
    """沣川队 asked, only 淇州队 told: another one of the kind the question names one of; not
    when the question asks for one of that kind or its opponent (沣川队输给了哪个队, 对手), nor
    for one told to compare with (比淇州队多10球)."""
    if _ASKS_ANOTHER.search(question):
        return False
    asked = [(w, k) for w, k in _named_kinds(question) if w not in text and k in text]
    if not asked:
        return False
    told = _named_kinds(text)
    return any(
        k == kind and w not in question and not _COMPARED_WITH.search(text, 0, text.find(w + k))
        for w, k in told
        for _, kind in asked
    )


def _place_answers(question: str, text: str) -> bool:
    """Whether the place a 哪个X question asks for is told (在哪个法院开庭: 鼎城区人民法院 is the
    answer, not a neighbour of 武陵区)."""
    asked = _WHICH.search(question)
    return asked is not None and asked.group(1) in text


def other_number(question: str, text: str, stages: bool = False) -> bool:
    """3号线 asked, 4号线 told; 一期 asked, 二期 told — unless the question names that one too
    (第一只幼崽隔了多久生的第二只). With stages, only a stage or edition asked (一期, 第三批, 第二届)
    against one told as the thing itself (not 分三期, 上一届, 与一期相比): what a headline names of
    the article's whole subject. 首批 is read as 第一批 (首期, 首届, 首轮 alike)."""
    question, text = _FIRST_OF.sub(r"第一\1", question), _FIRST_OF.sub(r"第一\1", text)
    starts = _word_starts(question)
    numbered = [] if stages else _NUMBERED.finditer(question)
    for m in [*numbered, *_ORDINAL.finditer(question)]:
        own, suffix = m.group(0), m.group(1)
        if stages and suffix not in _STAGES:
            continue
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
        if any(
            t.group(1) + suffix[0] not in question
            and _numbers(text, t)
            and not (stages and text[t.start() - 1 : t.start()] in _NOT_THE_STAGE)
            for t in told
        ):
            return True
    return False


def other_code(question: str, text: str) -> bool:
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
    if len(suffix) == 1 and suffix in _COUNTERS and text[told.start() - 1 : told.start()] != "第":
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
        m = next((ROLE.fullmatch(w[-n:]) for n in (5, 4, 3, 2) if ROLE.fullmatch(w[-n:])), None)
        if m:
            deputy = m.group(1) == "副" or w.startswith("副") or (i > 0 and cut[i - 1] == "副")
            found.add((deputy, m.group(2)))
    return found


@lru_cache(maxsize=1024)
def _single_characters(question: str) -> frozenset[str]:
    """The question's words of one character (老 of 老 | 图书馆); asked of every unit, so cached."""
    return frozenset(t for t in tokenize(question) if len(t) == 1)


def contrasting(question: str, named: frozenset[str], text: str, loose: bool = False) -> bool:
    """女子 asked, 男子 told; 老图书馆 asked, only 新馆 told (老/旧/原 are one side); loose, the
    short name may hold a word of its own between (老所区 asked: 新园区)."""
    if any(_other_quarter(word, question, text) for word in named):
        return True
    # a contrasting character the tagger cut off its word (老 | 图书馆) is read with it
    alone = _single_characters(question)
    led = {
        question[i - 1] + w
        for w in named
        for i in _starts(question, w)
        if i > 0 and question[i - 1] in alone and len(w) >= 2
    }
    # or one it tags a modifier of its own before a word it cut small (新 | 冷 | 库容量: 新冷库)
    led |= {question[i : i + 3] for i in _modifiers_alone(question)}
    for word in named | {w for w in led if w[0] in _CONTRAST}:
        if len(word) < 2 or word[0] not in _CONTRAST or word in text:
            continue
        if all(i > 0 and question[i - 1] == "多" for i in _starts(question, word)):
            continue  # 多大功率 asks how great, it names no 大功率
        rest = word[1:]
        same_side = _SAME_SIDE.get(word[0], word[0])
        others = contrasting_with(word[0])
        if any(c + rest in text and c + rest not in question for c in others):
            return True  # not one the question names too (沙溪大桥旧桥 asked: 旧桥 told)
        if len(rest) < 2 or any(c in text for c in same_side):
            continue
        short = re.search(  # the neighbour named short (新馆 for 老图书馆), not rest itself
            f"[{''.join(others)}]{_ONE_WORD if loose and rest[-1] in _PLACE_ENDS else ''}"
            f"{re.escape(rest[-1])}",
            text.replace(rest, ""),
        )
        if short and short.group(0) not in question:  # 新图书馆比老馆多几个: 老馆 asked too
            return True
    return False


@lru_cache(maxsize=1024)
def _modifiers_alone(question: str) -> tuple[int, ...]:
    """Where the question has a contrasting character the tagger reads as a modifier word of its
    own (新 | 冷 | 库容量), two characters of a thing after it: not a verb's first (进行了) nor a
    time's (前 | 三季度)."""
    at, found = 0, []
    for w, flag in pos_tags(question):
        if w in _CONTRAST and flag in ("a", "b") and _TWO_HAN.fullmatch(question[at + 1 : at + 3]):
            found.append(at)
        at += len(w)
    return tuple(found)


def _other_site(question: str, text: str) -> bool:
    """本部 asked, only another site told (东院区, 新校区, 分馆): a part of an institution for
    its main one."""
    return "本部" in question and "本部" not in text and bool(_SITE.search(text))


def _other_quarter(word: str, question: str, text: str) -> bool:
    """城西 asked, only 城东 told: a place named by its quarter (东西南北 last) for another's."""
    head = word[:-1]
    if len(word) < 2 or word[-1] not in _QUARTERS or head[-1] in _QUARTERS or word in text:
        return False  # 东西 is a thing
    return any(head + c in text and head + c not in question for c in _QUARTERS)


def time_words(text: str) -> str:
    """text with its times in one form each: 上一届 as 上届, 这届 as 本届, 冬天 as 冬季, 今冬 as
    今年冬季."""
    if _SEASON_OF_YEAR.search(text):  # whole words only (今冬, 今冬明春; not 文明春运, 去冬奥会)
        text = "".join(
            _SEASON_OF_YEAR.sub(lambda m: f"{_YEAR_OF[m.group(1)]}{m.group(2)}季", w)
            if _SEASONS_OF_YEARS.fullmatch(w)
            else w
            for w in words(text)
        )
    return _SEASON_DAYS.sub(r"\1季", _THIS_EDITION.sub("本届", _LAST_EDITION.sub("上届", text)))


def untold_times(question: str, told: str) -> Iterator[tuple[tuple[str, ...], list[str]]]:
    """Each family of times (TIME_FAMILIES) the question asks one of that told does not tell,
    with the ones asked (去年 asked, a text of 今年: the year family, [去年])."""
    for family in TIME_FAMILIES:
        asked = [w for w in family if w in question]
        if asked and not any(w in told for w in asked):
            yield family, asked


def _other_time(question: str, text: str) -> bool:
    """去年 asked, only 今年 told; a sentence that names no year tells of this one, one that names
    a year (2024年) may be the one asked, and one held up for comparison (比去年) is not told."""
    question, text = time_words(question), time_words(text)
    told = re.sub(f"{_COMPARED.pattern}(?!{_FIGURE_AFTER})", "", text)
    bare = _TITLE.sub("", _COMPARED.sub("", text))  # 上届冠军渔湾村队 names a team, not a time
    # 比去年多吗 asks of this year; 今年和明年分别… asks of both
    question = _ASKED_COMPARED.sub("", question)
    for family, asked in untold_times(question, told):
        if any(w in bare for w in family):
            return True
        if "上届" in asked and "上届" in text:  # 比上届增长约三成: this edition's figure
            return True
        if any(was.issuperset(asked) and not named.search(text) for was, named in _BEFORE_NAMED):
            return True
    return False


def other_end(question: str, text: str) -> bool:
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


def claim_for_ruling(question: str, text: str) -> bool:
    """Whether a question asks what a court ruled (法院认定…吗, 法院认了…吗) and text tells only
    what a party claimed (公诉机关指控, 辩称, 诉称), naming no court nor ruling."""
    return bool(_COURT.search(question) and _CLAIMED.search(text) and not _RULED.search(text))


def tells_of_another(question: str, best: Candidate) -> bool:
    """Whether best, however likely, answers another question: it is about a neighbour of what
    is asked (conflict: 3号线 for 4号线), names another holder of the role asked (names_other_role),
    tells a party's claim for a court's ruling (claim_for_ruling), or states no sum of money for a
    price or a sum asked (门票多少钱: 41.2万人次, 投资多少: 20万千瓦)."""
    return bool(
        best.conflict
        or names_other_role(question, best)
        or claim_for_ruling(question, best.text)
        or asks_for_money(question)
        and not states_sum(best.text)
    )

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

from corpus.text import NAME_FLAGS, normalize, pos_tags

if TYPE_CHECKING:
    from service.short_answer import Span

_NEGATION = re.compile(
    r"不|没有|没|未|无|否|非|禁止|严禁|拒绝|暂停|停止|停运|取消|零(?:排放|事故|伤亡|死亡|污染)"
)
# words holding a negation's character that negate nothing asked
_NO_NEGATION = re.compile(
    r"非法|非遗|非常|无人机|无线|无障碍|无偿|无论|未来|不锈钢|不仅|不断|不久|不少|否则"
)
# asked whether a thing has happened, told it is only planned: 动工了吗? … 计划明年开工 (否)
_DONE_ASKED = re.compile(r"已经|已|了吗|了没|了没有|过吗")
# (将 not of 已将其纳入, 将近一年)
_PLANNED = re.compile(
    r"计划|预计|拟(?:于|在|建|将)|(?<!已)将(?!近|军|士)|准备|有望|力争|争取|推进中|前期|申报|筹备"
)
# a yes/no question asked of one side and told the other: 收费吗? … 免费开放 (否)
_PAID = re.compile(
    r"收费|收钱|花钱|要钱|付费|付钱|掏钱|交钱|自费|门票|买票|租金|[交缴付][^，。？?]{0,6}?费"
)
_FREE = re.compile(r"免费|免收|免票|免门票|不收取?|不另收|不用花钱|不花钱|不要钱|零租金")
# the first asked (头一回, 首次, 第一) and another told (第三次): 否; the first told: 是
_FIRST = re.compile(r"第一|第1(?!\d)|首[次个台座家位届批]|头一|头回|首创")
_LATER = re.compile(r"第(?:[二三四五六七八九十]|[2-9]|1\d)")
# 以前拍到过吗? … 首次记录到 (否); not the 过 of 通过吗
_BEFORE_ASKED = re.compile(r"以前|此前|(?<![通超经])过[吗没]")
# all asked (都 as an adverb, not of 首都; 全部) and a part told (仅, 已有203个): 否
_ALL_ASKED = frozenset(("全都", "全部", "所有"))
_MUST = re.compile(r"必须|一定要|强制")  # a must asked, a choice told: 否
_OPTIONAL = re.compile(r"自愿|可选|自主选择|自行选择")
_MAINLY_ASKED = re.compile(r"主要|为主")  # what most is asked, another told most: 否
_MAINLY_TOLD = re.compile(r"以(.{1,8}?)为主")
_ONLY = re.compile(r"(?<!不)仅(?!用|需)|只(?:有|在|限)")  # 仅在新港区开展, not 不仅 or 只是
_PART_TOLD = re.compile(rf"{_ONLY.pattern}|部分|已有\d|中已有|中有\d")
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
# what a question asks and the other side a clause tells of it (拆掉吗? … 保留; 直飞吗? … 经停;
# 也用机器人了吗? … 仍以人工为主): 否. Continued: the side told goes on with other words than the
# question's (也免费开放吗? … 依旧免费开放 says 是)
_CONTRASTS = tuple(
    (re.compile(asked), re.compile(told), continued)
    for asked, told, continued in (
        (r"拆|推倒", r"保留|保存|原址保护", False),
        (r"直飞", r"经停|中转", False),
        (r"单独|独自|独家|自己", r"合资|联合|共同|合作", False),
        (r"24小时", r"\d+时至\d+时|开放至", False),
        (r"也|改用|换成|用上", r"仍以|仍坚持|仍然采用|仍采用|依旧", True),
        (r"查出|发现|阳性|不合格|超标", r"阴性|均合格|全部合格|均未", False),
        # a court's outcome: an appeal against accepting the judgment, a final one
        (
            r"服判|服从|服(?:一审|二审)?判决|认了?(?:这个|一审|二审)?判决|接受了?判决",
            r"上诉",
            False,
        ),
        (r"上诉", r"服判|服从判决|终审|不再上诉", False),
        (r"改判", r"维持原判|驳回上诉", False),
    )
)
_PLACED = re.compile(r"^[在以按为于从]")
# the share of the question's words a clause without a yes or no in it must hold to decide
# what the question says its subject is, after 是
_IS = re.compile(r"是不是|(?<![还就都也不])是(?!否)")
# a value of a measure (12月, 第一座, 3号): another of the same measure is another value
_VALUE = re.compile(r"(第?)([0-9０-９]+|[一二三四五六七八九十两]+)([月日号座届期次批])")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
_DECIDING_SHARE = 0.5
_OPPOSITE_WAY = {"more": "less", "less": "more", "earlier": "later", "later": "earlier"}
# the words a yes/no question asks with, not what it asks of
_NOT_ASKED = frozenset(
    ("是", "有", "会", "能", "要", "可", "可以", "能够", "需要", "没有", "有没有", "是不是")
    + ("是否", "还", "也", "都", "就", "了", "吗", "呢")
)
# pronouns, particles, adverbs, numbers, prepositions, localities: 还开吗 asks of 开
_NOT_ASKING = frozenset("rudypcxmqf")


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
    asks_way = bool(_ASKED_WAY.search(question) or _told_way(question))
    for lo, hi in clauses:
        clause = sentence[lo:hi]
        other_value = _other_value(question, clause, sentence)
        # 二期工程尚未完工 does not decide 一期工程完工了吗?, but 第二座 does 是第一座吗?
        if neighbour(clause) and not other_value:
            continue
        held = sum(weight for word, weight in words if word in clause)
        if _PAID.search(question) and _FREE.search(clause):  # 收费吗? is told as 免费
            held += max((weight for _, weight in words), default=1.0)
        contrasted = _contrasted(question, clause)
        if not held and not contrasted:  # 还能上诉吗? … 该判决为终审判决
            continue
        # a way (超过, 下降) says yes or no only to a question asking one
        way = asks_way and _told_way(clause)
        says = bool(_NEGATION.search(clause) or _FREE.search(clause) or way)
        says = says or contrasted or other_value
        told = predicate is not None and predicate in clause
        if not says and not told and held < _DECIDING_SHARE * total:
            continue
        score = (told, says, held)
        if best is None or score > best[:3]:
            best = (*score, lo, hi)
    return None if best is None else (best[3], best[4])


def _told_way(phrase: str) -> str | None:
    return next((way for way, pattern in _TOLD_WAY if pattern.search(phrase)), None)


def yes_or_no(question: str, phrase: str, affirm: bool = True) -> str | None:
    """是 or 否 for a yes/no question, or None when the deciding phrase says neither plainly: 否
    when it negates what is asked, tells the other side of it (收费吗? 免费; 直飞吗? 经停), a
    comparison the other way (比去年晚吗? 提前了7天), only the plan of what is asked as done
    (动工了吗? 计划明年开工), another than the first asked (头一回吗? 第三次), first now when
    before is asked (以前拍到过吗? 首次记录到), a part when all is asked (都完成了吗? 已完成1.1万
    亩), a choice when a must is asked, another most when what most is asked, or only another
    named (仅在新港区); no verdict when it names another than the one asked otherwise; 是 when it
    tells the way or the side asked, or (affirm) holds what is asked of (_affirms) without a
    negation."""
    asked = _ASKED_WAY.search(question)
    way = _WAY_OF[asked.group(1)] if asked else _told_way(question)  # 人口在增加吗? asks a way too
    other = _other_named(question, phrase)  # 卢国梁也上诉了吗? … 卢国栋当庭表示上诉
    # the way told of another than the one asked of decides nothing (阿里巴巴增长了吗? … 京东增长了)
    if way in _OPPOSITE_WAY and not other:
        told = _told_way(phrase)
        if told == "same" or told == _OPPOSITE_WAY[way]:
            return "否"
        if told == way:
            return "是"
    if _contrasted(question, phrase) or _other_value(question, phrase):  # 直飞吗? … 经停朔阳
        return "否"
    if other:
        return "否" if _ONLY.search(phrase) else None  # 老港区能办吗? … 仅在新港区开展 (否)
    # the clause asked (没摇中，下一批还能参加吗? asks of 参加), without its A-not-A (用没用)
    plain = re.sub(
        r"是不是|是否|可不可以|了没有?(?=[?？]*$)|([\u4e00-\u9fff])[没不]\1",
        "",
        re.split(r"[，,；;]", question)[-1],
    )
    free = _FREE.search(phrase)
    if free and not _NEGATION.search(phrase, max(free.start() - 3, 0), free.start()):
        rest = phrase[: free.start()] + phrase[free.end() :]  # 不收取 says free, no no
        if _FREE.search(question) and not _negates(rest, plain):  # 不用花钱? … 入住免费
            return "是"
        if _PAID.search(question):
            return "否"
    elif free and _FREE.search(question):  # 可以不花钱吗? … 暂不享受免费乘车
        return "否"
    if _planned_only(question, phrase):
        return "否"
    if _FIRST.search(question) and _LATER.search(phrase) and not _FIRST.search(phrase):
        return "否"
    if _BEFORE_ASKED.search(question) and _FIRST.search(phrase):
        return "否"
    if _asks_all(question) and _PART_TOLD.search(phrase):
        return "否"
    if _MUST.search(question) and _OPTIONAL.search(phrase):  # 必须执行吗? … 可自愿选择执行
        return "否"
    mainly = _MAINLY_TOLD.search(phrase)
    if mainly and _MAINLY_ASKED.search(question):  # 主要是桂味吗? … 出口以妃子笑为主
        return "是" if mainly.group(1) in question else "否"
    if _negates(phrase, plain) != _negates(plain, phrase):
        return "否"
    return "是" if affirm and _affirms(plain, phrase) else None


def _other_named(question: str, phrase: str) -> bool:
    """Whether phrase names another than what the question names (卢国栋 for 卢国梁, 东方航空
    for 春秋航空) or a neighbour of it (新港区 for 老港区)."""
    from service.neighbours import names_sibling  # it reads this module: imported when asked

    if names_sibling(question, frozenset(w for w, _ in pos_tags(question)), phrase):
        return True
    names = {w for w, flag in pos_tags(question) if flag.startswith(NAME_FLAGS) and len(w) >= 2}
    told = {w for w, flag in pos_tags(phrase) if flag.startswith(NAME_FLAGS) and len(w) >= 2}
    return (
        bool(names) and not any(w in phrase for w in names) and any(w not in question for w in told)
    )


def _contrasted(question: str, phrase: str) -> bool:
    """Whether phrase tells the other side of what the question asks (_CONTRASTS), the question
    not asking that side itself."""
    for asked, told, continued in _CONTRASTS:
        side = told.search(phrase)
        if asked.search(question) and side and not told.search(question):
            after = _PLACED.sub("", phrase[side.end() :])[:2]  # 依旧在线下: 线下
            if not (continued and len(after) == 2 and after in question):
                return True
    return False


def _other_value(question: str, phrase: str, sentence: str = "") -> bool:
    """Whether the question asks whether its subject is of a value (是12月关的吗, 是第一座吗) and
    phrase tells another of that measure instead (10月已关闭的, 第二座), the sentence it is of
    (when given) telling the value asked nowhere (一期12月完工，二期6月完工: 是 for 一期)."""
    asked = _IS.split(question, maxsplit=1)
    if len(asked) < 2:
        return False
    for m in _VALUE.finditer(asked[1]):
        value = (m.group(1), _amount(m.group(2)), m.group(3))
        told = [(v.group(1), _amount(v.group(2)), v.group(3)) for v in _VALUE.finditer(phrase)]
        said = [(v.group(1), _amount(v.group(2)), v.group(3)) for v in _VALUE.finditer(sentence)]
        if value in told or value in said:
            return False  # 三月 is 3月
        if any(t[0] == value[0] and t[2] == value[2] for t in told):
            return True
    return False


def _amount(numeral: str) -> int | None:
    """The number a numeral says (3, 三, 十二, 二十五), or None past 99."""
    plain = normalize(numeral)
    if plain.isdigit():
        return int(plain)
    tens, _, ones = plain.partition("十")
    if "十" not in plain:
        return _CN_DIGITS.get(plain)
    high = _CN_DIGITS.get(tens, None) if tens else 1
    low = _CN_DIGITS.get(ones, None) if ones else 0
    return None if high is None or low is None else high * 10 + low


def _planned_only(question: str, phrase: str) -> bool:
    """Done asked (动工了吗?), only a plan or work under way told (计划明年开工, 仍在推进中)."""
    if not _DONE_ASKED.search(question) or _PLANNED.search(question):
        return False
    return bool(_PLANNED.search(phrase))


def _asks_all(question: str) -> bool:
    """Whether the question asks of all (都完成了吗, 全部, 所有; 都 as an adverb, not 首都's)."""
    return any(w in _ALL_ASKED or w == "都" and flag == "d" for w, flag in pos_tags(question))


def _affirms(question: str, phrase: str) -> bool:
    """Whether phrase holds what the question asks of: its last word that is no particle,
    pronoun, adverb or number (出院了吗? … 已康复出院; 还开吗? 开), or the first asked as told
    (头一台吗? … 尚属首台)."""
    if _FIRST.search(question) and _FIRST.search(phrase):
        return True
    asked = [
        w for w, flag in pos_tags(question) if w not in _NOT_ASKED and flag[:1] not in _NOT_ASKING
    ]
    return bool(asked) and asked[-1] in phrase


def _negates(text: str, other: str) -> bool:
    """Whether text holds a negation that other does not share: the 无 of a name both say
    (无瓣海桑) negates nothing, nor does a negation told the same way in both (不收费) or a word
    that only holds one (非法, 无人机, 不断)."""
    text = _NO_NEGATION.sub("", text)
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
    norm = normalize(sentence)
    clauses = clause_spans(sentence)
    best = deciding_clause(
        q, norm, clauses, words, lambda clause: names_sibling(q, frozenset(), clause)
    )
    if best is None:  # no clause holds the question's words: the one clause that negates, when
        # no other shares a character with what is asked (开业了吗? … 正式营业，停车场暂未启用)
        asked = set(words[-1][0]) if words else set()
        negating = [(lo, hi) for lo, hi in clauses if _negates(norm[lo:hi], q)]
        others = [(lo, hi) for lo, hi in clauses if asked & set(norm[lo:hi])]
        if len(negating) == 1 and not set(others) - set(negating):
            best = negating[0]
    return None if best is None else trim(sentence, *best)

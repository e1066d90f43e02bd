"""The fact itself: the shortest span of an answering sentence that answers the question.

For 多少/几 the number with its unit, for 谁 the name, for 哪里 the place, for 何时 the date, for
为什么 the reason phrase, for a yes/no question the deciding phrase; for other questions the words
that stand where the question's wh-word stands, found by lining the question up with the sentence;
with a span reader (service/reader.py), its span for all but numbers, dates and yes/no verdicts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from corpus.text import normalize, pos_tags
from service.measures import DURATION, MEASURES, PEOPLE
from service.yes_no import deciding_span

MAX_SHORT_CHARS = 40  # a short answer longer than this is no short answer

_DIGITS = "0-9０-９"
_CN_DIGITS = "一二三四五六七八九十百千万亿两零〇几"
# a grade in Roman numerals before 级 or 类 (水质Ⅲ类, 劣Ⅴ类, Ⅱ级应急响应), as written or as NFKC
# spells it where that keeps the length (Ⅴ: V; Ⅲ stays, its NFKC form III being longer)
_ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫIVX"
_GRADE = rf"(?<![A-Za-z])[{_ROMAN}]+(?=[级类])"
# a number: digits with separators, Chinese numerals or a grade's Roman ones; an optional
# magnitude and approximation
_HAS_NUMERAL = re.compile(rf"[{_DIGITS}{_CN_DIGITS}半]|{_GRADE}")
_NUM = rf"(?:[{_DIGITS}][{_DIGITS},，.．]*|[{_CN_DIGITS}]+|{_GRADE})(?:[.．点][{_DIGITS}]+)?"
_UNITS = (
    r"(?:平方公里|平方千米|平方米|立方米|公里|千米|厘米|毫米|纳米|微米|米|公斤|千克|克|吨|公顷|亩|斤|"
    r"千瓦时|千瓦|兆瓦|瓦|毫升|升|帕|赫兹|马力|英里|℃|°C|摄氏度|"
    r"小时|分钟|秒钟?|个月|周年|年|天|日|周|岁|"
    r"个百分点|%|％|‰|倍|成|"
    r"亿元|万元|元|美元|欧元|英镑|日元|港元|块钱|"
    r"人次|余人|名|人|户|家|个|件|项|条|辆|台|所|次|场|层|床|套|株|头|只|篇|本|册|部|款|种|"
    r"批|届|期|艘|架|位|处|间|首|支|枚|票|份|张|片|块|座|栋|节|站|门|类|级|号|度|分|笔|起|宗|例|轮|趟|班|列|圈)"
)
_UNIT_RE = re.compile(_UNITS)
_MAGNITUDE = r"(?:多|余|来|几)?(?:[万亿千百])?(?:多|余)?"
# a number with its unit, the further numbers of a compound (2小时31分15秒), a sign below zero
_NUMBER_SPAN = re.compile(
    rf"(?:约|近|超过|逾)?(?:零下|[-－−](?=[{_DIGITS}.]+(?:℃|°C|摄氏度)))?"  # -3.5℃, not 2-3天
    rf"{_NUM}{_MAGNITUDE}{_UNITS}?(?:{_NUM}{_MAGNITUDE}{_UNITS})*"
)
_DATE_SPAN = re.compile(
    rf"(?:(?:公元前?)?[{_DIGITS}{_CN_DIGITS}]{{2,4}}年(?:[{_DIGITS}{_CN_DIGITS}]{{1,2}}月)?"
    rf"(?:[{_DIGITS}{_CN_DIGITS}]{{1,3}}[日号])?(?:[上下]午|凌晨|晚|早)?(?:[{_DIGITS}]{{1,2}}[时点](?:[{_DIGITS}]{{1,2}}分)?)?"
    rf"|[{_DIGITS}{_CN_DIGITS}]{{1,2}}月(?:[{_DIGITS}{_CN_DIGITS}]{{1,3}}[日号])?(?:[上下]午|凌晨|晚|早)?"
    rf"(?:[{_DIGITS}]{{1,2}}[时点](?:[{_DIGITS}]{{1,2}}分)?)?"
    rf"|[{_DIGITS}{_CN_DIGITS}]{{1,2}}世纪[{_DIGITS}{_CN_DIGITS}]*年代(?:[初中末])?"
    rf"|(?:今年|去年|明年|前年)(?:[{_DIGITS}{_CN_DIGITS}]{{1,2}}月)?(?:[上下]半年|年初|年底|年末)?)"
)
# a date or a day of one (2022年, 6日, 6日晚, 15日8时)
_DATED = re.compile(
    rf"{_DATE_SPAN.pattern}|[{_DIGITS}{_CN_DIGITS}]{{1,3}}[日号](?:[上下]午|凌晨|晚|早)?"
    rf"(?:[{_DIGITS}]{{1,2}}[时点])?"
)
_TIME_UNITS = {*DURATION, "月", "日", "秒钟", "周年"}  # a span of time's or a calendar's
# a news article's opening credit (本报讯（记者 王磊 通讯员 赵晓雯）, 新华社北京1日电（记者 …）):
# its names and places are the paper's, not the story's
_BYLINE = re.compile(r"^[^，。（(]{0,24}[（(][^）)]*(?:记者|通讯员|编辑|摄影|撰稿)[^）)]*[）)]")
_REASON = re.compile(r"(?:因为|由于|因|为了|鉴于|出于)[^，。；,;！？!?]{2,40}")
_CLAUSE = re.compile(r"[^，。；：,;:！？!?、]+")
_PUNCT = "，。；：,;:！？!?、“”\"'‘’（）()《》【】"
_OPENING = "“‘「『《（(【\"'"  # marks a quoted name opens with
CLAUSE_MARKS = "，。；：,;:！？!?"  # what ends a clause (a quote or a 、 does not)
SENTENCE_MARKS = "。；;！？!?"  # what ends a sentence or a list (not a comma, a 、 or …)
_LINKING = "的是为"  # what a question puts between its words and the fact, a sentence often not

# a quantity a short question names last, asking its amount without 多少 (座位数? 主塔高度?)
_QUANTITY_NAMED = re.compile(
    r"(?:数|率|数量|高度|长度|宽度|深度|面积|重量|价格|票价|金额|时速|速度|雨强|雨量|温度|年龄|"
    r"人口|产量|产值|总投资|投资额|里程|全长|海拔|工资|收入|营收|水位|得分|降幅|增幅)\s*[?？]*\s*$"
)
# what a question asks for, most specific first
_ASK = (
    (
        "time",
        re.compile(
            r"何时|[什啥]么?时候|啥时|哪一年|哪年|几月|哪天|哪一天|哪几天|何年|日期|多少年|哪个月|几号|几点|何日"
        ),
    ),
    ("reason", re.compile(r"为什么|为何|什么原因|原因是|原因|怎么会|因为什么")),
    ("yesno", re.compile(r"是否|是不是|有没有|能不能|会不会|可不可以|要不要|吗\s*[?？]?\s*$")),
    (
        "number",
        re.compile(
            r"多少|(?<!哪)几[个位家次年天岁名人项笔件所倍种条只户座层辆台站场届期成]?|多[大高长重远久宽深厚]|"
            r"百分之几|比例|人数|数量|面积|金额"
        ),
    ),
    ("person", re.compile(r"谁|哪位|何人|什么人|名字|叫什么|姓名")),
    (
        "place",
        re.compile(
            r"哪里|哪儿|何地|何处|什么地方|在哪|哪个(?:省|市|县|区|国家|地区|城市|社区|街道|镇|村)|位于|哪国"
        ),
    ),
)
# characters that carry no subject of their own
FUNCTION_CHARS = frozenset(
    "的了是在有和与及或被把对于也都就还又那这其之个们吗呢吧啊么么要会能可以得着过"
)
_ASKS_RATE = re.compile(r"率|比例|百分之|占比|比重")  # asks for a share: a percentage answers
_ASKED_UNIT = re.compile(r"(?:多少|几)([\u4e00-\u9fff%％]{1,4})")
WH = re.compile(
    r"[什啥]么?时候|啥时|什么地方|什么人|什么样的?|为什么|为何|多少|多[大高长重远久宽深厚]|"
    r"哪一[年天个位家种]?|哪[个位家些种里儿年天国]?|谁|何时|何地|何人|何处|什么|几[^\s]?|怎样|怎么样?|如何"
)


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # offsets into the sentence given
    end: int


Read = Callable[[str, str], "Span | None"]  # a reader: the span of a sentence answering a question


def asked_kind(question: str) -> str | None:
    """What the question asks for: time, reason, yesno, number, person, place, or None."""
    q = normalize(question)
    for kind, pattern in _ASK:
        if pattern.search(q):
            return kind
    # a short form without a question word names the quantity it asks (新馆座位数? 合格率?)
    return "number" if _QUANTITY_NAMED.search(q) and not WH.search(q) else None


def holds_amount_in(text: str, unit: str) -> bool:
    """Whether text states a number in unit (1200张 for 张)."""
    return any(unit in m.group(0) for m in _NUMBER_SPAN.finditer(text))


def asked_unit(question: str) -> str | None:
    """The unit a 多少/几 question counts in (多少张床: 张), when it names one."""
    m = _ASKED_UNIT.search(normalize(question))
    if m is None:
        return None
    after = m.group(1)
    return next(
        (after[:n] for n in range(len(after), 0, -1) if _UNIT_RE.fullmatch(after[:n])), None
    )


_STAGES = "期届审级类"
# what a 几个/多少个 question counts (几个站: 站; 几个月 counts time), read in the clause naming it
_COUNTED = re.compile(r"(?:几|多少)个([\u4e00-\u9fff]{1,2})")
_YEAR = re.compile(rf"[{_DIGITS}]{{4}}年")
_NAMED_UNIT = re.compile(rf"(?:多少|几)({_UNITS})")


def asked_measure(question: str) -> tuple[str, ...] | None:
    """The units a quantity question can be answered in (门票多少钱: 元), when it says."""
    q = normalize(question)
    if asked_kind(q) not in ("number", "time"):
        return None
    named = _NAMED_UNIT.search(q)  # 多少公里, 几座: the question names its unit
    if named and named.group(1) != "年":  # 几年 asks for a duration or a year: no one unit
        unit = named.group(1)
        people = unit in PEOPLE or unit == "个" and q.startswith("人", named.end())
        return PEOPLE if people else (unit,)  # 多少名, 几个人: people, however counted
    # the measure named last is the one asked (欠薪案件的结案率是多少: a rate, not a sum)
    named_at = [
        (max(m.end() for m in pattern.finditer(q)), -n, units)
        for n, (pattern, units) in enumerate(MEASURES)
        if pattern.search(q)
    ]
    return max(named_at)[2] if named_at else None


def holds_measure(text: str, units: tuple[str, ...]) -> bool:
    """Whether text states a number in one of units (not a calendar year, not an area for a
    length or a volume: 平方米 holds 米 and 方)."""
    for m in _NUMBER_SPAN.finditer(text):
        span = m.group(0)
        if _YEAR.fullmatch(span) or ("平方" in span and not any("平方" in u for u in units)):
            continue
        if any(u in span for u in units):
            return True
    return False


_PERSON_WH = re.compile(r"谁|哪位|何人|什么人|什么|姓名|名字")
_GENERIC_ROLES = frozenset({"人", "名字", "姓名", "什么", "人士"})


def asked_role(question: str) -> str | None:
    """The role a 谁 question asks the holder of (县长是谁: 县长; 谁设计了新馆: None), the noun
    nearest the question word, before it first."""
    if asked_kind(question) != "person":
        return None
    tags = list(pos_tags(normalize(question)))
    at = next((i for i, (w, _) in enumerate(tags) if _PERSON_WH.fullmatch(w)), None)
    if at is None:
        return None

    def is_role(word: str, flag: str) -> bool:
        return (
            flag.startswith("n")
            and not flag.startswith(("nr", "ns"))
            and word not in _GENERIC_ROLES
        )

    before = [w for w, f in tags[max(0, at - 3) : at] if is_role(w, f)]
    return before[-1] if before else None


def focus_chars(question: str, reach: int = 4) -> frozenset[str]:
    """The content characters beside the question's wh-word: what is asked about it (封了多少条路:
    封, 路), the part a paraphrase most often keeps a character of."""
    q = normalize(question)
    wh = WH.search(q)
    if wh is None:
        return frozenset()
    near = q[max(0, wh.start() - reach) : wh.start()] + q[wh.end() : wh.end() + reach]
    return frozenset(ch for ch in near if "\u4e00" <= ch <= "\u9fff" and ch not in FUNCTION_CHARS)


def clause_spans(sentence: str) -> list[tuple[int, int]]:
    return [m.span() for m in _CLAUSE.finditer(sentence)]


def question_anchors(question: str, sentence: str) -> list[int]:
    """Positions in the sentence where the question's words (two characters or more) end."""
    q = normalize(question)
    s = normalize(sentence)
    out: list[int] = []
    for word, flag in pos_tags(q):
        if len(word) < 2 or WH.fullmatch(word) or flag.startswith("r") or flag.startswith("u"):
            continue
        start = s.find(word)
        while start >= 0:
            out.append(start + len(word) // 2)
            start = s.find(word, start + 1)
    return out


def best_placed(spans: list[Span], sentence: str, anchors: list[int]) -> Span | None:
    """The span whose clause holds most of the question's words; the nearest to them on a tie."""
    if not spans:
        return None
    if not anchors:
        return spans[0]
    clauses = clause_spans(sentence)

    def place(sp: Span) -> tuple[int, float]:
        lo, hi = next(((a, b) for a, b in clauses if a <= sp.start < b), (sp.start, sp.end))
        held = sum(lo <= a < hi for a in anchors)
        return (-held, min(abs((sp.start + sp.end) / 2 - a) for a in anchors))

    return min(spans, key=place)


def _new_to_question(text: str, question: str) -> bool:
    return normalize(text) not in normalize(question)


def normal_form(text: str) -> str:
    """text NFKC-normalised where that keeps its length (offsets carry over: not ……, ㎡, ①)."""
    return norm if len(norm := normalize(text)) == len(text) else text


def typed_spans(kind: str, sentence: str, question: str) -> list[Span]:
    norm = normal_form(sentence)
    if kind == "time":
        found = [Span(*m.span()) for m in _DATE_SPAN.finditer(norm)]
    elif kind == "number":
        found = [
            Span(*m.span())
            for m in _NUMBER_SPAN.finditer(norm)
            if any(ch.isdigit() or ch in _CN_DIGITS or ch in _ROMAN for ch in m.group(0))
        ]
        # a bare Chinese numeral inside a word (一些, 统一) or an ordinal (第一条) is no amount
        found = [
            sp
            for sp in found
            if (
                any(ch.isdigit() or ch in _ROMAN for ch in norm[sp.start : sp.end])
                or sp.end - sp.start > 1
                and norm[sp.end - 1] not in _CN_DIGITS
            )
            and norm[max(sp.start - 1, 0) : sp.start] != "第"
            and not _names_with_number(norm, sp)
            # a stage or grade (一期, 二审, 第三届) is no amount unless the question names it
            and not (norm[sp.end - 1] in _STAGES and norm[sp.end - 1] not in question)
        ]
        if "倍" not in question:  # a multiple (老馆的3倍) answers only a 几倍 question
            found = [sp for sp in found if "倍" not in norm[sp.start : sp.end]] or found
        measure = asked_measure(question)  # 投了多少钱: a sum in 元, not the 6.8万平方米 beside it
        if measure:
            held = [sp for sp in found if holds_measure(norm[sp.start : sp.end], measure)]
            found = held or found
        unit = "%" if _ASKS_RATE.search(normalize(question)) else asked_unit(question)
        if unit:
            # 多少人 asks for a count of people: a number in that unit answers before any other
            same = [sp for sp in found if unit in norm[sp.start : sp.end]]
            found = same or found
    elif kind == "reason":
        found = [Span(*m.span()) for m in _REASON.finditer(norm)]
    elif kind in ("person", "place"):
        flags = ("nr",) if kind == "person" else ("ns", "nt")
        found = []
        pos = 0
        for word, flag in pos_tags(sentence):
            if flag.startswith(flags) and len(word) >= 2:
                found.append(Span(pos, pos + len(word)))
            pos += len(word)
        byline = _BYLINE.match(norm)
        found = [
            sp for sp in _merge_adjacent(found, sentence) if not byline or sp.start >= byline.end()
        ]
    else:
        found = []
    return [sp for sp in found if _new_to_question(sentence[sp.start : sp.end], question)]


def _names_with_number(norm: str, sp: Span) -> bool:
    """A bare number run into a word (58众创, 3M公司) is part of a name, not an amount."""
    text = norm[sp.start : sp.end]
    return text[-1:].isdigit() and bool(
        re.match(r"[\u4e00-\u9fffA-Za-z]", norm[sp.end : sp.end + 1])
    )


def _merge_adjacent(spans: list[Span], sentence: str) -> list[Span]:
    """Names tagged as pieces (国家 图书馆, 欧阳 修) joined when nothing stands between them."""
    merged: list[Span] = []
    for sp in spans:
        if merged and merged[-1].end == sp.start:
            merged[-1] = Span(merged[-1].start, sp.end)
        else:
            merged.append(sp)
    return merged


def _longest_end(piece: str, s: str) -> Span | None:
    """Where s holds the longest end of piece (2 to 12 characters)."""
    for n in range(min(len(piece), 12), 1, -1):
        at = s.find(piece[-n:])
        if at >= 0:
            return Span(at, at + n)
    return None


def _aligned_span(question: str, sentence: str) -> Span | None:
    """The words of the sentence standing where the question's wh-word stands: after the
    longest piece of the question before it, before the longest piece after it."""
    q = normalize(question).rstrip("?？。.!！ ")
    s = normalize(sentence)
    if len(s) != len(sentence):
        s = sentence
    wh = WH.search(q)
    if wh is None:
        return None
    left, right = q[: wh.start()], q[wh.end() :]
    found = _longest_end(left, s)
    bare = left.rstrip(_LINKING)  # 风格是什么: 风格为前卫金属; 湖南的什么: 湖南“鲁尔区”
    if found is None and bare != left:
        found = _longest_end(bare, s)
    lo = None if found is None else found.end
    hi = None
    for n in range(min(len(right), 12), 1, -1):
        at = s.find(right[:n], lo or 0)
        if at >= 0:
            hi = at
            break
    if lo is not None and hi is not None and hi > lo:
        return trim(s, lo, hi)
    if found is not None:  # the answer runs from the question's left words to the clause's end
        start = found.end  # past an opening quote: 湖南“鲁尔区” answers 湖南的什么 with its quote
        while start < len(s) and s[start] in _OPENING:
            start += 1
        # a list (德性、创意、服务) is one answer: 、 does not end it
        end = next((i for i in range(start, len(s)) if s[i] in _PUNCT and s[i] != "、"), len(s))
        after = trim(s, found.end, end) if end > found.end else None
        if (
            after is not None
            or len(right) > 1
            or found.start == 0
            or s[found.start - 1] not in "是为"
        ):
            return after
        # nothing after them, nothing to find after the question's wh-word (哪一部: a measure
        # word), and 是 before them: what they are said of answers (《四十二章经》是现存中国最早的佛经)
        return _before_in_clause(s, found.start, CLAUSE_MARKS)
    if hi is not None:  # the answer runs from the clause's start to the question's right words
        return _before_in_clause(s, hi)
    return None


def clause_start(s: str, at: int, marks: str = CLAUSE_MARKS) -> int:
    """Where the clause holding position at of s begins: right after the nearest of marks."""
    return max((i + 1 for i in range(0, at) if s[i] in marks), default=0)


def clause_end(s: str, at: int, marks: str = CLAUSE_MARKS) -> int:
    """Where the clause holding position at of s ends: at the first of marks from at on."""
    return next((i for i in range(at, len(s)) if s[i] in marks), len(s))


def _before_in_clause(s: str, at: int, marks: str = _PUNCT) -> Span | None:
    """What stands in s before position at, back to the nearest of marks, trimmed."""
    start = clause_start(s, at, marks)
    return trim(s, start, at) if at > start else None


def trim(s: str, lo: int, hi: int) -> Span | None:
    while lo < hi and (s[lo] in _PUNCT or s[lo].isspace() or s[lo] in "是为了的"):
        lo += 1
    while hi > lo and (s[hi - 1] in _PUNCT or s[hi - 1].isspace() or s[hi - 1] in "的是"):
        hi -= 1
    if hi <= lo or hi - lo > MAX_SHORT_CHARS:
        return None
    return Span(lo, hi)


# the pairs of marks a name or title is told between: its short answer keeps both
_MARK_PAIRS = {"《": "》", "“": "”", "「": "」", "『": "』", "‘": "’", "【": "】"}


def with_marks(sentence: str, fact: Span) -> Span:
    """fact with the marks it is told between (《邵氏闻见录》, “十三太保”): a mark it closes or opens
    without the other half gets that from beside it, or is left out when that is not there; a
    name that is all of what a pair of marks holds takes both (not a figure: 12 of “12”). The
    fact as it was when its marks cannot be paired so."""
    lo, hi = fact.start, fact.end
    said = sentence[lo:hi]
    for opening, closing in _MARK_PAIRS.items():
        unopened, unclosed = _unpaired(said, opening, closing)
        if unopened == 1 and sentence[fact.start - 1 : fact.start] == opening:
            lo = fact.start - 1
        elif unopened == 1 and said.endswith(closing):
            hi = fact.end - 1
        if unclosed == 1 and sentence[fact.end : fact.end + 1] == closing:
            hi = fact.end + 1
        elif unclosed == 1 and said.startswith(opening):
            lo = fact.start + 1
        enclosed = sentence[lo - 1 : lo] == opening and sentence[hi : hi + 1] == closing
        if not unopened and not unclosed and opening not in said and enclosed:
            lo, hi = lo - 1, hi + 1
    marked = sentence[lo:hi]
    paired = all(_unpaired(marked, o, c) == (0, 0) for o, c in _MARK_PAIRS.items())
    if hi <= lo or hi - lo > MAX_SHORT_CHARS or not paired or said[:1].isdigit():
        return fact
    return Span(lo, hi)


def _unpaired(said: str, opening: str, closing: str) -> tuple[int, int]:
    """How many closing marks in said close none of its own, and how many opening ones stay open."""
    unopened = open_now = 0
    for ch in said:
        if ch == opening:
            open_now += 1
        elif ch == closing:
            if open_now:
                open_now -= 1
            else:
                unopened += 1
    return unopened, open_now


def extract(question: str, sentence: str, read: Read | None = None) -> Span | None:
    """The span of sentence that answers question, or None when no short span does: a yes/no
    question's deciding clause; any other fact by read (the reader: it finds the number or date
    asked more often than the rules, 80 % against 72 %), else by the rules."""
    kind = asked_kind(question)
    if kind == "yesno":
        return deciding_span(question, sentence)
    found = read(question, sentence) if read else None
    # a figure asked and none in the reader's span (多少钱: 青石): the rules' figure, if any;
    # a measure asked and the reader's span a date (升到几级: 6日 beside Ⅲ级): the rules' figure
    # in that measure, if the sentence has one
    figureless = (
        kind == "number" and found and not _HAS_NUMERAL.search(sentence[found.start : found.end])
    )
    measure = asked_measure(question) if kind == "number" and found else None
    dated = (
        found is not None
        and measure is not None
        and not set(measure) & _TIME_UNITS
        and _DATED.fullmatch(normal_form(sentence)[found.start : found.end]) is not None
    )
    measured = rule_spans("number", question, sentence, strict=True) if dated else []
    if measured:
        return best_placed(measured, sentence, question_anchors(question, sentence))
    if found is not None and not figureless:
        return found
    if kind is not None:
        best = best_placed(
            rule_spans(kind, question, sentence), sentence, question_anchors(question, sentence)
        )
        if best is not None:
            return best
        if kind in ("number", "time"):
            return found  # no figure or date in it: the words around the question's are none
    return _aligned_span(question, sentence)


def rule_spans(kind: str, question: str, sentence: str, strict: bool = False) -> list[Span]:
    """The facts of the kind asked the rules find in sentence, those in a clause naming what is
    counted first; a number written as a date (2024年) answers a 多少 question only when nothing
    else does. strict: never, and a measure asked (元, 岁) must be the figure's."""
    typed = typed_spans(kind, sentence, question)
    if kind == "number":
        plain = [sp for sp in typed if not _DATE_SPAN.fullmatch(sentence[sp.start : sp.end])]
        measure = asked_measure(question) if strict else None
        if measure:
            plain = [sp for sp in plain if holds_measure(sentence[sp.start : sp.end], measure)]
        typed = _in_clause_naming(
            _quantity_stem(question), sentence, plain or ([] if strict else typed)
        )
    return typed


def _quantity_stem(question: str) -> str:
    """What a question counts or rates (站 of 几个站?, 座位 of 新馆座位数?, 合格 of 合格率?), or ""."""
    q = normalize(question)
    counted = _COUNTED.search(q)
    if counted and not counted.group(1).startswith(("月", "小时", "钟头", "星期", "礼拜")):
        return counted.group(1)
    m = _QUANTITY_NAMED.search(q)
    if m is None or any(pattern.search(q) for _, pattern in _ASK):
        return ""
    return q[max(m.start() - 2, 0) : m.start()] if m.group(0).strip("?？ ") in "数率" else ""


def _in_clause_naming(stem: str, sentence: str, spans: list[Span]) -> list[Span]:
    """spans in a clause that names stem, when any is (设置阅览座位4500个 for 座位数)."""
    if not stem:
        return spans
    clauses = [(lo, hi) for lo, hi in clause_spans(sentence) if stem in normalize(sentence[lo:hi])]
    inside = [sp for sp in spans if any(lo <= sp.start < hi for lo, hi in clauses)]
    return inside or spans

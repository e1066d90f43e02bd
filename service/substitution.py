"""那X呢: what the new thing X of a follow-up stands for in the previous question ("那北园呢"
after a question about the 南园: 南园), and the previous question with X in its place."""

from __future__ import annotations

import os
import re
from collections import Counter
from itertools import takewhile

from corpus.text import NAME_FLAGS, longest_common_substring, pos_tags, tagged
from corpus.text import word_bounds as word_bounds_of
from service.neighbours import ROLE, contrasting_with
from service.qualifiers import qualified
from service.referents import CLAUSE_END, QUOTED
from service.short_answer import Span

# a time a question is asked of (2023年, 去年同期, 上半年, 这届): a year or an edition, the part
# of it named after (去年全年, 今年1到8月, 2023年一季度), or a part alone (全年, 5月份); not a
# date's month (5月1日); a first day, week or month is one too (首日, 第一个月; not 首日封, and
# not 当天, which may be the earlier turn's own day)
_YEAR = r"(?:(?:19|20)\d{2}年|今年|去年|明年|前年|(?:本|这一?|今|上一?|下一?)届)"
_PART = (
    r"(?:同期|全年|上半年|下半年|前?[一二三四1-4]季度|前[0-9一二三四五六七八九十]{1,2}个月"
    r"|[0-9]{1,2}月?(?:到|至|-|—|~)[0-9]{1,2}月份?|[0-9]{1,2}月(?![0-9０-９]+日)(?:份|底|初|末)?"
    r"|首[月周]|首日(?!封)|第一(?:天|周|个月)|头一?(?:天|周|个月))"
)
YEAR = re.compile(_YEAR)
TIME = re.compile(f"{_YEAR}{_PART}*|{_PART}+")
_HAS_PART = re.compile(_PART)
# a time told against another (原来 for 现在, 改造前 for 改造后): replaced like a year
_PHASE = re.compile(
    r"现在|目前|如今|原来|原先|以前|此前"
    r"|(?:改造|改革|调整|集采|整治|搬迁|通车|开通|投产|建成|完工|竣工|投用|启用|达产|满产)[前后]"
)
# a phase a 那X呢 turn names by an event (那满产以后呢, 那投产之前呢): swapped like 现在
_EVENT_PHASE = re.compile(r"[\u4e00-\u9fff]{1,4}(?:以后|之后|以前|之前)")
COUNTING = "0-9０-９一二三四五六七八九十两几"
_COUNT_AFTER = re.compile(f"[{COUNTING}]")
ADMIN = frozenset("省市县区镇乡村")  # what may follow a place's name as a word of its own
_MAX_RUN = 3  # words in the run a 那X呢 turn's X replaces
NOT_NAMING = frozenset("是有的了在对被把和与及都也还就能会要将从到给向于之")  # one character each
_NOT_IN_A_RUN = NOT_NAMING | frozenset("至~～-—")  # nor a range's mark (65岁 | 至 | 69岁)
_NUMERALS = frozenset("第一二三四五六七八九十两0123456789")  # a stage's number (一审, 第二批, 3期)
_NOT_SHARED = "的了和与及 "  # characters whose sharing says nothing of two names
_NOT_SHARED_ENDS = tuple(_NOT_SHARED.strip())  # a word ending so belongs with what follows
ASKING = re.compile(
    r"什么|多少|多久|多长|多大|多高|多远|多重|多宽|多深|几|哪|谁|怎|如何|为何|是否|有没有|是不是|吗"
)
# the party or standing committee a role is held in, said right before it (县委书记, 党委副书记)
_ORGAN = re.compile(r"(?:[省市县区镇乡村]?党|[省市县区镇乡村团纪])委$")
_COMMITTEE_POST = re.compile(r"书记|常委|秘书长|部长")
# a whole area (全市) that a follow-up narrows to a place in it (那黄竹镇呢)
WHOLE_AREA = re.compile(r"全(?:国|省|市|县|区|镇|乡|村|球|世界)")
_PLACE_NAME = re.compile(r"[\u4e00-\u9fff]{1,6}(?:省|市|县|区|镇|乡|村|街道|社区)$")
# a figure told with a bound or as a range (超过50万千瓦, 70到75岁, 60岁以上): it stands for
# the earlier figure with its bounds, all of them (50万千瓦以内, 年满75岁不满80岁)
_BOUNDED = re.compile(
    rf"[{COUNTING}](?:[^\s{COUNTING}]{{0,3}})(?:到|至|~|-)[{COUNTING}]|以上|以下|以内|之内"
    r"|超过|不满|未满|年满|不足|不到|低于|高于|少于|多于"
)
_OTHER_END = re.compile(rf"(?:不满|未满|不足|不到|低于|少于|到|至|~|-)[{COUNTING}]+")
_UNIT_AFTER = re.compile(rf"[{COUNTING}]([^{COUNTING}]{{0,3}})$")


def word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen text[start:end] to whole jieba words."""
    bounds = word_bounds_of(text)
    lo = max((b for b in bounds if b <= start), default=start)
    hi = min((b for b in bounds if b >= end), default=end)
    return lo, hi


def _shared_ends(span: str, core: str) -> int:
    """How many characters span and core share at their starts and at their ends (南园 and 北园:
    1, 沙渠1号 and 沙渠3号: 3); a shared run of digits alone counts for nothing (74岁, 75岁以上)."""
    pre = len(os.path.commonprefix([span, core]))
    suf = len(os.path.commonprefix([span[::-1], core[::-1]]))
    suf = min(suf, min(len(span), len(core)) - pre)
    shared = span[:pre] + span[len(span) - suf :]
    return 0 if shared.isdigit() or not shared.strip(_NOT_SHARED) else pre + suf


def _ordinals_meet(span: str, core: str) -> int:
    """1 when the characters before the end span and core share are numerals both (案二审 and 一审:
    二 and 一, the counterpart of a stage by its number, not 审 of 法院审的), else 0."""
    suf = len(os.path.commonprefix([span[::-1], core[::-1]]))
    if not 0 < suf < min(len(span), len(core)):
        return 0
    return int(span[-suf - 1] in _NUMERALS and core[-suf - 1] in _NUMERALS)


def counterpart(previous: str, core: str) -> tuple[int, int] | None:
    """The run of previous's whole words that core stands for: the one sharing most characters
    with it at either end (南园 for 北园, 沙渠1号 for 沙渠3号, 最佳男演员 for 最佳导演, 中晚籼稻
    for 早籼稻, 局长 for 副局长); on a tie, the one whose numeral meets core's before the end they
    share (案二审 for 一审: _ordinals_meet), then the one with more of core's characters anywhere
    (初级雪道 for 高级道), then of the closest length, then the shorter; None when no
    run of naming words shares an end with core."""
    bounds = word_bounds_of(previous)
    best: tuple[tuple[int, int, int, int, int], tuple[int, int]] | None = None
    for a in range(len(bounds) - 1):
        for b in range(a + 1, min(a + _MAX_RUN, len(bounds) - 1) + 1):
            lo, hi = bounds[a], bounds[b]
            piece = previous[bounds[b - 1] : hi]
            if piece in _NOT_IN_A_RUN or ASKING.search(piece) or CLAUSE_END.search(piece):
                break
            span = previous[lo:hi]
            shared = 0 if core in span else _shared_ends(span, core)
            alike = sum((Counter(span) & Counter(core)).values())  # 初级雪道, 高级道: 级 too
            key = (
                shared,
                _ordinals_meet(span, core),
                alike,
                -abs(len(span) - len(core)),
                -len(span),
            )
            if shared and (best is None or key > best[0]):
                best = (key, (lo, hi))
    return None if best is None else best[1]


def _place_in(text: str) -> tuple[int, int] | None:
    """Where text names its first place (冷水江市, 青溪 | 县), or None."""
    tags = tagged(text)
    for k, (at, word, flag) in enumerate(tags):
        if flag.startswith("ns") and len(word) >= 2:
            after = tags[k + 1][1] if k + 1 < len(tags) else ""
            return at, at + len(word) + (len(after) if after in ADMIN else 0)
    return None


def _phase_word(text: str) -> tuple[int, int] | None:
    """Where text says a phase of time as a whole word (现在, 改造后), not inside another
    (表现在) nor before a count (此前3年)."""
    bounds = set(word_bounds_of(text))
    for m in _PHASE.finditer(text):
        # 改造后 may be cut 改造 | 后一天 (no count after it: a day's figure), 此前3年 is a span
        done = len(m.group(0)) > 2
        ends = m.end() in bounds or done
        if m.start() in bounds and ends and (done or not _COUNT_AFTER.match(text, m.end())):
            return m.start(), m.end()
    return None


def _bounded_figure(previous: str, lo: int, hi: int) -> tuple[int, int]:
    """previous[lo:hi] widened over its figure's bounds and its range's other end (50万千瓦 |
    以内, 年满75岁 | 不满80岁): what a figure told with a bound stands for whole."""
    widened = qualified(previous, Span(lo, hi))
    lo, hi = widened.start, widened.end
    unit = _UNIT_AFTER.search(previous, lo, hi)
    other = _OTHER_END.match(previous, hi)
    if unit and unit.group(1) and other and previous.startswith(unit.group(1), other.end()):
        hi = other.end() + len(unit.group(1))
    return lo, hi


def _whole_counterpart(previous: str, run: tuple[int, int], core: str) -> tuple[int, int]:
    """run widened over what goes with it and not with core: the word before it when it goes
    with run alone (_goes_with_run), and a person's name after it (主犯 | 蒋志强 for 从犯)."""
    lo, hi = run
    before = next((t for t in tagged(previous) if t[0] + len(t[1]) == lo), None)
    if before is None and lo in (bounds := word_bounds_of(previous)) and lo > 0:
        # the tagger cuts otherwise than the plain cut run is of (栖 | 梧县, 栖梧 | 县): untagged
        start = bounds[bounds.index(lo) - 1]
        before = (start, previous[start:lo], "")
    if before is not None and len(before[1]) <= 2 and _goes_with_run(before, previous[lo:hi], core):
        # a name cut with the contrasted character at its end keeps the rest (鹤屿 | 湖东 | 片区
        # for 西片区: 鹤屿湖西片区), a word of time does not (中晚 | 籼稻 for 早籼稻)
        word, flag = before[1:]
        named = flag.startswith(NAME_FLAGS) and len(word) > 1
        lo = lo - 1 if named and _contrasted(word[-1], core[0]) else before[0]
    return lo, _past_name(previous, hi)


def _contrasted(told: str, asked: str) -> bool:
    """Whether two characters are two sides of one contrast (东 and 西, 新 and 老)."""
    return asked in contrasting_with(told)


def _goes_with_run(before: tuple[int, str, str], span: str, core: str) -> bool:
    """Whether the word before span (the counterpart of core) is span's own and not core's: a
    modifier core contrasts (男性 | 墓主 for 女墓主: 女 against 男; not a name, 东湖 | 北门 for
    南门), or, a name (or a word the tagger cut otherwise) or one holding the other side (中晚 |
    籼稻 for 早籼稻), span's own name when core sets itself apart by a contrast alone (河西 |
    院区 for 老院区: the old site is not 河西's) or is of another level (栖梧 | 县人民医院 for
    省肿瘤医院: no county names a province's); never a word ending in 的 (项 | 目的 | 首席)."""
    _, word, flag = before
    if not flag.startswith(NAME_FLAGS) and core[0] in contrasting_with(word[0]):
        return True
    if word.endswith(_NOT_SHARED_ENDS):
        return False
    # a name, a place word (城北) or a word the tagger cut otherwise (no tag)
    named = (flag.startswith((*NAME_FLAGS, "s")) or not flag) and len(word) > 1
    other_side = any(_contrasted(c, core[0]) for c in word)
    contrast_alone = core[1:] == span and bool(contrasting_with(core[0])) and (named or other_side)
    # a level of government before an institution (县 | 人民医院), not a rank (省级示范园) nor
    # a place's own level before another (江华 | 市村民 for 镇居民: 市 is 江华's)
    levels = span[:1] + core[:1]
    other_level = (
        named
        and len(span) >= 3
        and span[1] not in ADMIN
        and all(c in ADMIN for c in levels)
        and levels[0] != levels[1]
        and "级" not in span[1:2] + core[1:2]
    )
    return contrast_alone or other_level


# a person's name: a surname and a given name jieba tags apart (蒋 | 志强), a name of three
# characters tagged whole (王小明), or one kept unsaid (张某, 韦某强, 钱某某); two characters
# tagged a name are too often another word (祝贺, 亚军)
_KEPT_NAME = re.compile(
    r"[\u4e00-\u9fff]某(?:某|[^\W\d_判被犯系的是在因与和等说称了将已也都对向从])?"
)


def _past_name(previous: str, at: int) -> int:
    """Where a person's name that previous says from at ends (蒋志强 of 主犯蒋志强): it goes
    with the role or thing before it; at when no name starts there."""
    kept = _KEPT_NAME.match(previous, at)
    if kept:
        return kept.end()
    tags = [t for t in tagged(previous) if t[0] >= at]
    if not tags or tags[0][0] != at or not tags[0][2].startswith("nr"):
        return at
    first = tags[0][1]
    if len(first) == 1 and len(tags) > 1 and tags[1][2].startswith("nr"):
        return at + 1 + len(tags[1][1])  # 蒋 | 志强
    return at + 3 if len(first) == 3 else at


def name_kind(flag: str) -> str:
    """What a word opening a name says: a name (吉隆坡, 沙渠), a figure (2号, 首座), or neither."""
    return "name" if flag[:2] in ("nr", "ns", "nt") else "figure" if flag == "m" else ""


def _swap_opening(previous: str, run: tuple[int, int], core: str) -> str | None:
    """previous with core's opening words for the word of their kind before run, when run does
    not open with one (吉隆坡航线 for 布达佩斯 | 全 | 货机航线, 2号站 for 首座 | 换电站): the
    rest of run stays when it ends in the rest of core (吉隆坡全货机航线, 2号换电站: 站 is the
    换电站), else core takes run's place. Only over modifiers (全), never to the word opening
    previous, the place or owner all of it is framed in (梧阳 | 热电厂 | 那江口电厂呢 asks of
    梧阳's); None when there is no such word."""
    core_tags = pos_tags(core)
    kind = name_kind(core_tags[0][1]) if core_tags else ""
    opening = "".join(w for w, _ in takewhile(lambda t: name_kind(t[1]) == kind, core_tags))
    tags = tagged(previous)
    k = next((k for k, (at, w, _) in enumerate(tags) if at + len(w) > run[0]), len(tags))
    # core no more than its opening (那小冲村呢) has no rest to keep; a run the tagger cuts
    # otherwise than jieba's plain cut (大 | 冲村, 大冲村) has no word before it to widen to
    if not kind or opening == core or k == len(tags) or name_kind(tags[k][2]) == kind:
        return None
    if tags[k][0] != run[0]:
        return None
    for lo, word, flag in reversed(tags[max(k - 2, 1) : k]):
        end = lo + len(word)
        if name_kind(flag) == kind:
            if previous[end : run[1]].endswith(core[len(opening) :]):
                return previous[:lo] + opening + previous[end:]
            return previous[:lo] + core + previous[run[1] :]
        if flag[:1] not in ("a", "b"):
            break
    return None


def _swap_quoted(previous: str, core: str) -> str | None:
    """previous with its name in quotes swapped for core's name: a plain name for the one a
    question opens with after its kind (台风“摩羯” | 那贝碧嘉呢; not a thing for a quoted slogan:
    学校食堂“明厨亮灶”, “五一”假期), a quoted one with the words before it that core says again
    said once (台风“摩羯” | 那超强台风“贝碧嘉”呢); None when neither is there."""
    quoted, named = QUOTED.search(previous), QUOTED.search(core)
    if quoted is None:
        return None
    if named is None:
        opens = 0 < quoted.start() <= 3 and len(core) <= 4
        if opens and not any(f[:2] == "ns" for _, f in pos_tags(core)):
            return f"{previous[: quoted.start()]}“{core}”{previous[quoted.end() :]}"
        return None
    before = previous[: quoted.start()]
    said = len(os.path.commonprefix([before[::-1], core[: named.start()][::-1]]))
    return previous[: quoted.start() - said] + core + previous[quoted.end() :]


def _swap_time(previous: str, timed: str, phase: bool) -> str:
    """previous with the time or phase timed for the one it tells, or timed first when it tells
    none: a year asked swaps the year told (去年 for 今年 of 今年1到8月), a part the whole time
    told, keeping its year (全年 for 1到8月 of 今年1到8月), a phase a phase told first."""
    part = _HAS_PART.search(timed)
    year = (TIME if part else YEAR).search(previous)
    kept = YEAR.match(previous, year.start()) if year and part else None
    if kept and not YEAR.match(timed):
        timed = kept.group(0) + timed
    first, then = (_phase_word(previous), year and year.span())
    told = (first or then) if phase else (then or first)
    if told is None:
        return timed + previous
    return previous[: told[0]] + timed + previous[told[1] :]


def time_apart(core: str) -> tuple[str, str] | None:
    """A 那X呢 turn's X as the thing it names and the time or phase it adds first or last
    (城西厂 | 现在, 现在 | 网上卖, 去年 | 东院区): each is swapped on its own."""
    for when in (TIME, _PHASE):
        for m in when.finditer(core):
            rest = (core[: m.start()] + core[m.end() :]).strip("的 ")
            if rest and (m.start() == 0 or m.end() == len(core)):
                return rest, m.group(0)
    return None


def substitute(previous: str, core: str) -> str | None:
    """previous with the words that core replaces swapped for core, or None when nothing lines up."""
    timed = core.removesuffix("的")
    phase = _PHASE.fullmatch(timed) or _EVENT_PHASE.fullmatch(timed)
    if TIME.fullmatch(timed) or phase:  # 那2023年呢, 那去年同期呢, 那原来呢, 那满产以后呢
        return _swap_time(previous, timed, phase is not None)
    swapped = _swap_quoted(previous, core)
    if swapped is not None:
        return swapped
    role = ROLE.search(previous) if ROLE.fullmatch(timed) else None
    if role is not None:  # 新集团的董事长是谁 | 那总经理呢: the role for the role
        # 县委 of 县委书记 is the role's, unless the new role is the committee's too (副书记)
        organ = None if _COMMITTEE_POST.search(timed) else _ORGAN.search(previous, 0, role.start())
        lo = organ.start() if organ else role.start()
        return previous[:lo] + timed + previous[_past_name(previous, role.end()) :]
    run = counterpart(previous, timed)
    if run is not None:
        if _BOUNDED.search(timed):
            run = _bounded_figure(previous, *run)
        run = _whole_counterpart(previous, run, timed)
        swapped = _swap_opening(previous, run, timed)
        if swapped is not None:
            return swapped
        lo = run[0]
        # what core says before the counterpart and previous too goes once (那到高铁站呢: 到火车站)
        lo -= next((k for k in (2, 1) if lo >= k and previous[lo - k : lo] == timed[:k]), 0)
        return previous[:lo] + timed + previous[run[1] :]
    named_place = _PLACE_NAME.match(core) and any(f.startswith("ns") for _, f in pos_tags(core))
    place = _place_in(previous) if named_place and "的" not in core else None
    if place is not None:  # 那安化县呢 after 冷水江市海利化工园区…: the place, not 化
        return previous[: place[0]] + core + previous[place[1] :]
    i, j, n = longest_common_substring(previous, core)
    if n >= 2 or (n == 1 and len(core) <= 3):
        lo, hi = word_bounds(previous, i, i + n)
        # core's words before the shared text stand for as many characters before it in previous
        # (那4号线呢: 4 replaces 3; 那钱某某呢: 钱 replaces 许 of 许某某)
        if j and i:
            lo = min(lo, max(i - j, word_bounds(previous, i - 1, i)[0]))
        # keep the parts of core around the shared text aligned with the previous words
        return previous[:lo] + core + previous[hi:]
    area = WHOLE_AREA.search(previous)
    if area and _PLACE_NAME.match(core):  # 全市平均降雨量多少 → 黄竹镇平均降雨量多少
        return previous[: area.start()] + core + previous[area.end() :]
    core_words = pos_tags(core)
    head_flag = next((f for _, f in reversed(core_words) if name_kind(f) == "name"), None)
    if head_flag is None:
        return None
    # core's words after its name (梧阳 | 工厂) stand for the noun after previous's (柏城 | 基地)
    head_at = max(k for k, (_, f) in enumerate(core_words) if f == head_flag)
    more = core_words[head_at + 1 :]
    tags = tagged(previous)
    for k, (at, word, flag) in enumerate(tags):
        if flag[:2] == head_flag[:2]:
            after = tags[k + 1] if k + 1 < len(tags) else (0, "", "")
            swapped = word + after[1] if more and after[2] in ("n", "nz", "nt") else word
            return previous[:at] + core + previous[at + len(swapped) :]
    return None

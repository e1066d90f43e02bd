"""What a follow-up's pronouns stand for: the person an earlier answer to a 谁 question names
(他说…: 院长是秦卫东), the thing an answer to a 哪家 question names (它…: 是云岫酒庄), else the
subject of the previous question (它, 该馆, 这家公司)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from corpus.text import NAME_FLAGS, SURNAMES, pos_tags, tagged

_MARKER = re.compile(r"\[\d+\]")
_PERSONAL = frozenset({"他", "她", "他们", "她们"})
_PLURAL = frozenset({"他们", "她们"})  # a group: the subject, whatever it is
_THING = frozenset({"它", "它们", "其", "该", "此", "该馆", "该院", "该县", "该市", "该区", "该校"})
_MODAL = frozenset({"该"})  # 该怎么看: should, no thing
# the words a thing of a kind is named with before its noun: nouns, names of places, adjectives,
# distinguishing words, verbal nouns, times (省 | 肿瘤 | 医院 | 日间 | 化疗 | 中心)
_OF_KIND = ("n", "a", "b", "vn", "j", "t")
_CLASSIFIERS = "个家座条所项位次种款批名支只件部"  # what 这 counts a thing by (这支队)
_BARE = frozenset("这那该此")  # a demonstrative without its classifier (这 | 支队)
_DEMONSTRATIVE = re.compile(r"^(?:这|那|该|此)(?:个|家|座|条|所|项|位|次|种|款|批|名)?$")
# a person's name as an answer gives it: Chinese characters, a foreign name's · between them
_NAME = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff·]*[\u4e00-\u9fff]")
_NAME_LENGTHS = (3, 2, 4, 5, 6, 7)  # most likely first
_ROLE_ENDS = "长员师手将农人记任理席官夫民"  # what a role ends in (局长, 选手, 茶农, 妹夫, 居民)
_ANIMAL_ENDS = "猫虎狮象豹熊犬豚"  # an animal's kind before its name (大熊猫晴晴, 江豚淘淘)
# an animal's kind ends in these, so no name opens on their last character (熊猫 | 晴晴)
_ANIMAL_TAILS = frozenset(
    ("熊猫", "猫熊", "老虎", "北虎", "南虎", "狮子", "大象", "洲象", "江豚", "海豚")
)
# the last character of what stands before a name: a role, an animal's kind, 是, 为, a colon
_BEFORE_NAME = frozenset(_ROLE_ENDS + _ANIMAL_ENDS + "是为叫:：")
_ROLE_END = frozenset(_ROLE_ENDS + "主")  # a role after 的, 庄主 too
_SAID = re.compile(r"(?:介绍|表示|说|指出|透露|称|认为|强调|告诉记者)$")
# a question asking which thing (哪家公司, 哪条, 叫什么, 增长最快的是哪里; not where: 在哪条路上,
# 终点站是哪里)
ASKS_WHICH = re.compile(
    r"(?<![在从])哪(?:家|个(?!地方)|座|所|只|匹|条|款|种|部|支|艘|架|件)|叫什么|什么名字"
    r"|最[^，。？?]{1,6}的是哪里"
)
# the verb closing an answer after the name it gives (由李明负责招商, 由朔原航空执飞, 是张华发现的)
_CLOSING = re.compile(
    r"(?:负责|获得|发现|执飞|运营|承建|主持|担任|组织|夺得|摘得|设计|创作|带队|举报|捐献|制造|生产|研制)"
    r"[\u4e00-\u9fff]{0,2}?的?$"
)
QUOTED = re.compile(r"“[^”]{1,12}”|《[^》]{1,20}》")  # a name in quotes or a title
_THING_NAME_FLAGS = ("ns", "nt", "nz", "j")
_BY = re.compile(r"由于.*")
CLAUSE_END = re.compile(r"[，。；,;！!？?\n]")
WHEN = frozenset(("时候", "时间", "时期", "阶段", "季节"))  # 这个时候 is a time, not a subject


def without_markers(answer: str) -> str:
    """An earlier answer without its citation markers ([1])."""
    return _MARKER.sub("", answer)


def named_person(answer: str) -> str | None:
    """The person an earlier answer to a 谁 question names: the name that closes its first
    clause after a role, 是 or 的 (副局长季红梅, 院长是秦卫东, 17岁的贺屿, a bare 唐建军), else
    the first word tagged as a person's name."""
    text = without_markers(answer)
    first = _without_verbs(_SAID.sub("", _first_clause(text)))
    for length in _NAME_LENGTHS:
        name = first[-length:]
        before = first[:-length][-1:]
        if (
            len(first) >= length
            and _NAME.fullmatch(name)
            and name[0] not in "是为由"  # 局长是斯琴: 斯琴
            and before + name[0] not in _ANIMAL_TAILS  # 大熊猫晴晴: 晴晴, not 猫晴晴 (but 熊伟)
            and "的" not in name
            and (length <= 3 or not _tells_more(name))  # not 李福生多次反映, 王丽投诉
            and (
                before in _BEFORE_NAME
                or before == "的"
                and not _common_noun(name)  # 17岁的贺屿, not 的草书作品, 的得主
                or not before
                and (length <= 4 or "·" in name)
            )
        ):
            return name
    return next((w for w, f in pos_tags(text) if f.startswith("nr") and len(w) >= 2), None)


def _tells_more(words: str) -> bool:
    """Whether words hold more than a name: a verb or a number (李福生多次反映), or a name the
    tagger knows and more after it (赵小红 | 报警)."""
    tags = pos_tags(words)
    named_first = len(tags) > 1 and tags[0][1] == "nr" and len(tags[0][0]) > 1
    return named_first or any(f.startswith(("v", "m")) for _, f in tags)


def answered_thing(answer: str, question: str) -> str | None:
    """The thing an earlier answer to question (哪家, 叫什么) names: a name in quotes (“塞上长城”),
    the one 是 or 由 names (是云岫酒庄, 由朔原航空执飞; Y6线 of Y6线是环线 for 哪条是环线), a first
    clause that only names (澄坪绿源再生资源公司, 比亚迪，…), its opening name (欧盟位居第二), or
    a short answer that is the whole of it (快途出行)."""
    first = _first_clause(without_markers(answer))
    quoted = QUOTED.search(first)
    if quoted:
        return quoted.group(0)
    plain = _BY.sub("", _without_verbs(first))  # 由于 gives no doer
    for mark in ("是", "由"):
        if mark in plain:
            before, _, after = plain.rpartition(mark)
            thing = before if after and after in question else after
            return thing if len(thing) >= 2 else None
    tags = pos_tags(first)
    # a clause that only names (比亚迪，全年销量…), not a time (近日，…) or a figure (全长42公里)
    naming = not any(f.startswith(("v", "t", "m")) for _, f in tags)
    if naming and 2 <= len(first) <= 16:
        return first
    word, flag = tags[0] if tags else ("", "")
    if len(word) >= 2 and flag.startswith(_THING_NAME_FLAGS):
        return word
    whole = first == without_markers(answer).strip().rstrip("。.！!")  # the answer is the name
    return first if whole and 2 <= len(first) <= 6 else None


def _first_clause(text: str) -> str:
    return CLAUSE_END.split(text.strip(), maxsplit=1)[0].strip()


def _without_verbs(clause: str) -> str:
    """clause less the verb that closes it after a name (由…方庆负责, 是…唐筱雨发现的)."""
    return _CLOSING.sub("", clause) or clause


def _common_noun(word: str) -> bool:
    """Whether word is told as a thing or a role rather than a name: a common noun of two
    characters or more (作品, 总经理), a verb or number (得主, 导演, 第一名), a role's last
    character (庄主)."""
    return word[-1] in _ROLE_END or any(
        f == "n" and len(w) > 1 or f.startswith(("v", "m")) for w, f in pos_tags(word)
    )


def _asks_what_to_do(tags: Sequence[tuple[str, str]], i: int) -> bool:
    """Whether the word at i is followed by a question word or a verb (该怎么看, 该如何, 该去哪):
    it says what should be done, it names nothing."""
    return i + 1 < len(tags) and tags[i + 1][1][:1] in ("r", "l", "v", "d")


def _of_kind(previous: str, kind: str) -> str | None:
    """The thing of a kind (鸭子, 桥) that previous names, with the nouns before it (几只 | 青头 |
    潜鸭 for 鸭子): what 这种鸭子 stands for; None when previous names none but the kind."""
    head = kind[:-1] if len(kind) == 2 and kind[-1] in "子儿" else kind
    titled = next(
        (m.group(0) for m in QUOTED.finditer(previous) if m.group(0)[1:-1].endswith(head)), None
    )
    if titled:
        return titled  # 这个条例: 《滢湖保护条例》
    tags = pos_tags(previous)
    at = next((k for k in range(len(tags) - 1, -1, -1) if tags[k][0].endswith(head)), None)
    if at is None or not tags[at][1].startswith("n"):
        return None
    first = at
    while first > 0 and tags[first - 1][1].startswith(_OF_KIND):
        first -= 1
    while tags[first][1] == "t":
        first += 1  # 今年 | 鹿鸣湖: the time asked of is no part of the thing
    # the kind alone (这个问题 after 投诉了什么问题) names no one thing
    return "".join(w for w, _ in tags[first : at + 1]) if first < at else None


def replace_pronouns(
    question: str, subject: str, person: str | None, thing: str | None = None, previous: str = ""
) -> str | None:
    """question with its pronouns replaced by what they stand for (a person for 他/她, the thing
    answered or else the subject for 它/这家公司; the thing of that kind previous names for
    这种鸭子), or None when it has none."""
    named = thing or subject
    tags = pos_tags(question)
    spoken = any(w in _PERSONAL for w, _ in tags)  # 他说这个项目…: a person frames the question
    out: list[str] = []
    changed = False
    i = 0
    while i < len(tags):
        word, flag = tags[i]
        next_is_noun = (
            i + 1 < len(tags) and tags[i + 1][1].startswith("n") and tags[i + 1][0] not in WHEN
        )
        if word in _PERSONAL and (person or _a_person(subject) or word in _PLURAL and subject):
            out.append(person or subject)
            changed = True
        elif word in _THING and named and not (word in _MODAL and _asks_what_to_do(tags, i)):
            out.append(named)
            changed = True
        elif (
            _DEMONSTRATIVE.match(word)
            and next_is_noun
            and (
                stands := _demonstrated(
                    word, tags[i + 1][0], subject, person, thing, previous, spoken
                )
            )
        ):
            out.append(stands)
            changed = True
            i += 1
        else:
            out.append(word)
        i += 1
    return "".join(out) if changed else None


def _demonstrated(
    word: str,
    noun: str,
    subject: str,
    person: str | None,
    thing: str | None,
    previous: str,
    spoken: bool,
) -> str | None:
    """What 这家公司 (word and its noun) stands for: the person answered for 这位局长, the thing
    answered, the thing of that kind previous names, or the subject, but never a person for a
    thing (这次降雨 is not 首席预报员) nor, where a person frames the question (spoken), a subject
    of another kind (他说这个项目…: not 鹭坪市); None when none is (the words stay as they are)."""
    if word in _BARE and len(noun) == 2 and noun[0] in _CLASSIFIERS:
        noun = noun[1:]  # 这 | 支队: the tagger glued the classifier to the noun (这支队)
    of_person = person if word[-1:] in "位名" else None
    of_kind = of_person or thing or _of_kind(previous, noun)
    if of_kind:
        return of_kind
    if _a_person(subject) and not _a_person(noun):
        return None  # no person for a thing
    # in a question a person frames (spoken: 他说这个项目…), the subject only when a word of it
    # ends in the kind (这条线: 霁州5号线一期, 号线) or any body for 这家公司; else the subject
    kind = noun in _BODIES or any(w.endswith(noun) for w, _ in pos_tags(subject))
    return subject if kind or not spoken else None


# what a word naming a person ends in, past a role's (_ROLE_ENDS): 庄主, 木匠, 从犯, 学生, 冠军
_PERSON_ENDS = _ROLE_ENDS + "主匠犯生军户工家娃童友嫂哥姐爷奶叔姨女男士王"


def _a_person(subject: str) -> bool:
    """Whether subject may be who 他 or 她 is: it ends in a person's name or a word for one (not
    马鬃岭, 沙河养老中心, 白鹭湖保护区)."""
    if not subject:
        return False
    last, flag = pos_tags(subject)[-1]
    return subject[-1] in _PERSON_ENDS or flag.startswith("nr") and len(last) >= 2


_BODIES = frozenset(("公司", "企业", "单位", "机构", "集团"))  # 这家公司 stands for any of them
_ASKS_WHO = re.compile(r"谁|哪位|什么人|叫什么|名字")
_THING_FLAGS = ("n", "m", "s", "f", "j", "b", "q")  # what a 的 before a person's name follows


def person_of(previous: str, answer: str) -> str | None:
    """Who 他 or 她 in the turn after previous (answered by answer) stands for: the person the
    answer to a 谁 question names (院长是秦卫东), else the first one previous names after a word
    for a person or 的 (护鹤员施文才, 芷渡莲湖乡的谢长顺), else the one the answer names that
    previous opens with (柴某明判了几年? 柴某明被判处…); None when none."""
    if _ASKS_WHO.search(previous):
        return named_person(answer)
    named = _named_after_role(previous)
    if named:
        return named
    told = named_person(answer)
    return told if told and previous.startswith(told) else None


def _named_after_role(text: str) -> str | None:
    """The first person's name text gives right after a word for a person or a thing's 的 (护鹤员
    施文才, 第一代演员焦鸣凤, 新村的乔振华, 从犯卞晓川): a common surname opening a word the tagger
    takes for a name, or opening one character of its own (or ending a word it cut wrongly: 员施 |
    文才) before a given name of one or two characters; not another word (的高度) nor a name with
    the next word's first character (王明 | 是). (的黄牛 it cannot tell: jieba tags 黄牛 a name.)"""
    tags = tagged(text)
    # 的 after a thing or place (新村的乔振华), not after a verb (打的潘某: whom it was done to)
    after_thing = {at + len(w) + 1 for at, w, f in tags if f.startswith(_THING_FLAGS)}
    for k, (start, word, flag) in enumerate(tags):
        for at in range(start, start + len(word)):
            after = (
                text[at - 1 : at] in _PERSON_ENDS or text[at - 1 : at] == "的" and at in after_thing
            )
            if at == 0 or not after or text[at] not in SURNAMES:
                continue
            if at == start and 2 <= len(word) <= 3 and flag.startswith("nr"):
                return word  # 卞晓川, 王明
            _, given, given_flag = tags[k + 1] if k + 1 < len(tags) else (0, "", "")
            alone = at == start + len(word) - 1  # the surname a word of its own, or its end
            # a given name the tagger takes for a name, an adverb or adjective (韩 | 立新: d), or a
            # noun of two characters (文才); not one noun character (黄 | 牛) nor a verb
            named = given_flag.startswith((*NAME_FLAGS, "d", "a")) or (
                given_flag == "n" and len(given) == 2
            )
            if alone and named and len(given) <= 2:
                return text[at] + given  # 焦 | 鸣凤, 员施 | 文才
    return None

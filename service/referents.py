"""What a follow-up's pronouns stand for: the person an earlier answer to a 谁 question names
(他说…: 院长是秦卫东), else the subject of the previous question (它, 该馆, 这家公司)."""

from __future__ import annotations

import re

from corpus.text import pos_tags

_MARKER = re.compile(r"\[\d+\]")
_PERSONAL = frozenset({"他", "她", "他们", "她们"})
_THING = frozenset({"它", "它们", "其", "该", "此", "该馆", "该院", "该县", "该市", "该区", "该校"})
_DEMONSTRATIVE = re.compile(r"^(?:这|那|该|此)(?:个|家|座|条|所|项|位|次|种|款|批|名)?$")
# a person's name as an answer gives it: Chinese characters, a foreign name's · between them
_NAME = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff·]*[\u4e00-\u9fff]")
_NAME_LENGTHS = (3, 2, 4, 5, 6, 7)  # most likely first
_ROLE_ENDS = "长员师手将农人记任理席官"  # what a role ends in (局长, 选手, 小将, 茶农)
# the last character of what stands before a name: a role, 是, 为, a colon
_BEFORE_NAME = frozenset(_ROLE_ENDS + "是为:：")
_ROLE_END = frozenset(_ROLE_ENDS + "主")  # a role after 的, 庄主 too
_SAID = re.compile(r"(?:介绍|表示|说|指出|透露|称|认为|强调|告诉记者)$")
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
    first = _SAID.sub("", CLAUSE_END.split(text.strip(), maxsplit=1)[0].strip())
    for length in _NAME_LENGTHS:
        name = first[-length:]
        before = first[:-length][-1:]
        if (
            len(first) >= length
            and _NAME.fullmatch(name)
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


def _common_noun(word: str) -> bool:
    """Whether word is told as a thing or a role rather than a name: a common noun of two
    characters or more (作品, 总经理), a verb or number (得主, 导演, 第一名), a role's last
    character (庄主)."""
    return word[-1] in _ROLE_END or any(
        f == "n" and len(w) > 1 or f.startswith(("v", "m")) for w, f in pos_tags(word)
    )


def replace_pronouns(question: str, subject: str, person: str | None) -> str | None:
    """question with its pronouns replaced by what they stand for, or None when it has none."""
    tags = pos_tags(question)
    out: list[str] = []
    changed = False
    i = 0
    while i < len(tags):
        word, flag = tags[i]
        next_is_noun = (
            i + 1 < len(tags) and tags[i + 1][1].startswith("n") and tags[i + 1][0] not in WHEN
        )
        if word in _PERSONAL and (person or subject):
            out.append(person or subject)
            changed = True
        elif word in _THING and subject:
            out.append(subject)
            changed = True
        elif _DEMONSTRATIVE.match(word) and next_is_noun and subject:
            out.append(subject)  # 这家公司: the demonstrative and its noun stand for the subject
            changed = True
            i += 1
        else:
            out.append(word)
        i += 1
    return "".join(out) if changed else None

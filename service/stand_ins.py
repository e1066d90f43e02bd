"""What 该厂, 该院 or 该村 in a sentence of an article stands for: the thing of that kind the
article named before it (沣川市城东污水处理厂 for 该厂 in 该厂始建于2006年), the one its headline
names or the last, so that a sentence telling of it is read as telling of that thing, not of
the one a question names (城西污水处理厂)."""

from __future__ import annotations

import re
from functools import lru_cache

from corpus.text import NAME_OR_SHORT_FLAGS, normalize, tagged
from service.neighbours import COMPANION, COMPARING

# a thing told by its kind alone: 该 or 此 and the kind's word
# (not 因此院方, 从此; not 该市场, 该院士: a longer word)
_STAND_IN = re.compile(
    r"(?:该|(?<![因如从彼])此)"
    r"(公司|集团|企业|项目|中心|医院|学校|厂|院|校|馆|站|港|园|库|所|局|县|市|区|镇|乡|村)"
    r"(?![场士民域区长])"
)
_LEVEL = re.compile(r"[省市县区](?=.)")  # 市 of 沣川市城西污水处理厂, which a headline drops
_LOOK_BACK = 300  # how far before the sentence the thing may be named (a paragraph or so)
# words before a kind that name no one thing of it (全市, 各区, 本院, 该厂, 这所学校)
_NO_THING = frozenset("该此本这那各每全其")
_NAMING = ("n", "ns", "nt", "nz", "nr", "j", "b", "l", "m")  # words naming a thing (一医院)


def stand_in(article: str, start: int, text: str, title: str = "") -> str:
    """text (article[start:start + len(text)]) with its first 该/此 + kind replaced by the thing
    of that kind the article named in the 300 characters before it: the one its title names
    too, else the last not held up beside another; text itself when it has none or the article
    names none."""
    m = _STAND_IN.search(text)
    if m is None:
        return text
    window = article[max(0, start - _LOOK_BACK) : start]
    if start > _LOOK_BACK:  # from a sentence's start, not inside a name
        window = window[window.find("。") + 1 :]
    kind = m.group(1)
    named = _named(window + text[: m.start()], kind)
    headline = normalize(title)
    own = [n for n, compared in named if not compared]
    best = next((n for n, _ in named if _titled(n, headline)), own[0] if own else None)
    return text if best is None else text[: m.start()] + best + text[m.end() :]


def _titled(name: str, headline: str) -> bool:
    """Whether the headline names name, perhaps without its place's level (沣川城西污水处理厂
    for 沣川市城西污水处理厂)."""
    return name in headline or _LEVEL.sub("", name) in headline


@lru_cache(maxsize=4096)  # tagging is the cost: the units of one article are read again and again
def _named(before: str, kind: str) -> tuple[tuple[str, bool], ...]:
    """The things before names whose names end in kind (城东污水处理厂 | 厂), each with the
    naming words before it in its clause, the last first; and whether it is held up beside
    another (比城东污水处理厂, 与城东厂: not the one the text goes on about)."""
    tags = tagged(before)
    out: list[tuple[str, bool]] = []
    for k in range(len(tags) - 1, -1, -1):
        _, word, flag = tags[k]
        if not normalize(word).endswith(kind) or len(word) > len(kind) and flag[:1] == "v":
            continue  # 出院, 上市: a verb (the kind alone, 厂 or 站, may be tagged anything)
        lo = k
        while lo > 0 and tags[lo - 1][2].startswith(_NAMING) and tags[lo - 1][1][-1] not in "的":
            lo -= 1
        _, first, flag = tags[lo - 1] if lo > 0 else (0, "", "")
        if k == lo and len(first) == 1 and "\u4e00" <= first <= "\u9fff" and flag[:1] in "fsang":
            lo -= 1  # a name the tagger cut (上 | 河村)
        name = normalize("".join(w for _, w, _ in tags[lo : k + 1]))
        if name[0] in _NO_THING or len(name) <= len(kind) + 1:
            continue  # 该厂 again, 全市, 新馆: no thing named
        # a name's own words (沣川市, 云栖村)
        if any(f.startswith(NAME_OR_SHORT_FLAGS) for _, _, f in tags[lo : k + 1]):
            compared = lo > 0 and tags[lo - 1][1] in COMPARING | COMPANION
            out.append((name, compared))  # not 重点县: a description names no one thing
    return tuple(out)

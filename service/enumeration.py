"""A fact that is one item of a list is answered with the whole list (制造甘油、塑料和人造橡胶,
罗迪尼亚大陆、潘诺西亚大陆): the reader and the rules often stop at one item, and a list asked
for (有哪些, 有什么用途, 又名什么) is answered by all of it."""

from __future__ import annotations

import re

from corpus.text import normalize, tagged
from service.evidence import naming_terms
from service.short_answer import CLAUSE_MARKS, Span, asked_kind, clause_end, clause_start

_SEPARATOR = "、"
_LINKS = ("以及", "和", "及", "与", "或者", "或")  # what joins a list's last item
# what asks for more than one: a list joined by a link only (美国及加拿大) answers these
_ASKS_MANY = re.compile(r"哪些|哪几|哪两|哪三|分别|都有|有哪")
_NOT_ITEMS = ("number", "time", "yesno", "reason")  # figures and dates are told one by one
# what asks for one (哪一个国家, 哪条河): one item answers it
_ASKS_ONE = re.compile(r"哪一|哪个|哪位|哪家|哪条|哪座|哪种|哪国|哪所|哪支|哪部|谁")
_BREAKS = (_SEPARATOR, *_LINKS, "等")  # what stands between items or ends a list
_ITEM_BREAK = re.compile("|".join(_BREAKS))
# the words that end a list's last item or open its first: a verb (not a verbal noun), a
# preposition, a particle, an adverb, a pronoun, 等, a word the question says (主要出口什么:
# 出口); and a count after the last (两个本科专业), not an ordinal (第11号线)
_ENDS_ITEM = ("v", "p", "u", "d", "r", "y")
_COUNT = re.compile(r"^[0-9０-９一二两三四五六七八九十百千万几多]+[个种家项类名位所条座批款门]$")
_MAX_LIST = 60  # characters: a list longer than this is told, not answered


def enumerated(question: str, sentence: str, fact: Span) -> Span:
    """fact widened over the list it is an item of, within its clause; fact itself when it is
    none, when it alone names what the question names or the question names the others, or
    when the question asks for one, a figure, a date, a reason or yes/no."""
    if asked_kind(question) in _NOT_ITEMS or _ASKS_ONE.search(question):
        return fact
    words = _words(sentence)
    starts = {at for at, _, _ in words}
    ends = {at + len(w) for at, w, _ in words}
    if fact.start not in starts or fact.end not in ends:
        return fact
    # a link joins items where the clause lists with 、 too, or the question asks for many
    clause = sentence[clause_start(sentence, fact.start) : clause_end(sentence, fact.end)]
    linked = _SEPARATOR in clause or bool(_ASKS_MANY.search(question))
    asked = normalize(question).lower()
    lo = _first_item(words, fact.start, linked, asked)
    hi = _last_item(words, fact.end, linked, asked)
    if lo is None or hi is None or (lo, hi) == (fact.start, fact.end) or hi - lo > _MAX_LIST:
        return fact  # an end that is no item's: no list to answer with
    # the item the question names and the others do not (什么规格的CT: 64排CT) is asked alone
    said = normalize(sentence[fact.start : fact.end]).lower()
    rest = normalize(sentence[lo : fact.start] + sentence[fact.end : hi]).lower()
    if any(len(w) >= 2 and w in said and w not in rest for w in naming_terms(normalize(question))):
        return fact
    # the other items named by the question (除了教义、僧人，还有哪一种): the one left is asked
    if any(len(item) >= 2 and item in asked for item in _ITEM_BREAK.split(rest)):
        return fact
    return Span(lo, hi)


def _words(sentence: str) -> list[tuple[int, str, str]]:
    """(start, word, part of speech) of each of sentence's words, a title in 《》 one word (an
    unclosed one is its words)."""
    out: list[tuple[int, str, str]] = []
    title: list[tuple[int, str, str]] = []
    for at, word, flag in tagged(sentence):
        if title and word in CLAUSE_MARKS:  # 《 never closed in its clause: no title
            out.extend(title)
            title = []
        if title or word == "《":
            title.append((at, word, flag))
            if word == "》":
                out.append((title[0][0], "".join(w for _, w, _ in title), "nz"))
                title = []
        else:
            out.append((at, word, flag))
    return out + title


def _joins(word: str, linked: bool) -> bool:
    """Whether word joins two items: 、, or a link where links join items."""
    return word == _SEPARATOR or linked and word in _LINKS


def _last_item(words: list[tuple[int, str, str]], end: int, linked: bool, asked: str) -> int | None:
    """Where the list told from end on ends: over each 、 (or link) and the item after it; None
    when a 、 is followed by no item."""
    k = next((i for i, (at, _, _) in enumerate(words) if at == end), len(words))
    while k < len(words) and _joins(words[k][1], linked):
        k += 1
        item = k
        while k < len(words) and (
            _in_item(words[k], item == k, asked)
            and (item == k or not _COUNT.match(words[k][1]))
            or _listed_on(words, k, 1)
        ):
            k += 1
        if k == item:
            return None
        end = words[k - 1][0] + len(words[k - 1][1])
    return end


def _first_item(
    words: list[tuple[int, str, str]], start: int, linked: bool, asked: str
) -> int | None:
    """Where the list told up to start begins: back over each 、 (or link) and the item
    before it; None when one is no item (nothing, or one character cut off its words: 较 | 新)."""
    k = next((i for i, (at, _, _) in enumerate(words) if at == start), 0)
    while k > 0 and _joins(words[k - 1][1], linked):
        k -= 1
        item = k
        while k > 0 and (_in_item(words[k - 1], item == k, asked) or _listed_on(words, k - 1, -1)):
            k -= 1
        if k == item or item == k + 1 and len(words[k][1]) < 2:
            return None
        start = words[k][0]
    return start


def _listed_on(words: list[tuple[int, str, str]], k: int, step: int) -> bool:
    """Whether words[k] stands inside a middle item: a 、 follows it that way (step 1 onwards,
    -1 back) before a clause mark, with no verb before that 、 but the one next to it
    (国际工程外包 between two 、; not 平板电脑销往欧洲、北美)."""
    j = k
    while 0 <= j < len(words) and not _stops(words[j][1]):
        next_is_separator = 0 <= j + step < len(words) and words[j + step][1] == _SEPARATOR
        if words[j][2].startswith("v") and words[j][2] != "vn" and not next_is_separator:
            return False
        j += step
    return j != k and 0 <= j < len(words) and words[j][1] == _SEPARATOR


def _stops(text: str) -> bool:
    return text in CLAUSE_MARKS or text in _BREAKS


def _in_item(word: tuple[int, str, str], first: bool, asked: str) -> bool:
    """Whether a word belongs to a list item: not a clause mark, a 、 or a link; any word right
    next to the 、 (烹饪、书法), else a word naming a thing that the question does not say as a
    verb (主要出口什么: 出口 钢材)."""
    _, text, flag = word
    if _stops(text):
        return False
    if first:
        return True
    said = len(text) >= 2 and text.lower() in asked and not flag.startswith("n")
    return not said and (not flag.startswith(_ENDS_ITEM) or flag == "vn")

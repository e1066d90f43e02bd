"""Repairs, lines and characters: what a line's form and words say about a break (does the
next line go on with it, is it a heading, is a number cut from its unit), and the paragraph a
repair works on. Every rule reads only the text; each threshold is named with its reason.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import jieba

from corpus.punctuation import (
    BRACKET_PAIRS,
    CJK,
    CLOSERS,
    COMMAS,
    FINAL_MARKS,
    SENTENCE_MARKS,
    is_cjk,
)
from corpus.text import pos_tags

Span = tuple[int, int]

# Characters that cannot open a phrase: a line starting with one continues the line above.
_BOUND_STARTS = "的了着们得之"
# Characters that, standing alone at the end of a line, leave the phrase open.
_OPEN_ENDINGS = set(
    "的地得之在和与及或是把被将对从向于以为并而且但等其该这那每各了就也都还又才很更最"
)
# Parts of speech (jieba's tags) of one-character words that leave a phrase open when they end
# a line: prepositions, conjunctions and particles.
_OPEN_POS = frozenset({"p", "c", "u", "ud", "ug", "uj", "ul", "uv", "uz"})
# Characters that follow a number as its unit or measure word: a line ending on digits whose
# next line opens on one of these has a number cut from its unit.
_UNITS = "年月日时分秒岁个名位次号届期万亿千百米克斤吨元倍度条座所家辆架艘项件种部本场余多"
_CJK_RUN_END = re.compile(rf"[{CJK}]{{1,4}}$")
_CJK_RUN_START = re.compile(rf"^[{CJK}]{{1,4}}")
# A word across a line break raises the best segmentation's log-probability by this much or more.
JOIN_GAIN_WORD = 2.0
# A pair of characters across a break that the page uses this much above chance (in nats) is
# a term cut in two.
PAIR_MIN_PMI = 3.0
# A section heading is a short phrase; a line longer than this is text.
HEADING_MAX_CHARS = 30
# A line this short that does not end a sentence is a scrap of a broken one.
SCRAP_MAX_CHARS = 12
# Under a heading, a line of at most this many characters is the rest of a broken sentence.
UNDER_HEADING_MIN_CHARS = 10
# A line longer than this reads as running text, not as a heading or a scrap.
BODY_LINE_MIN_CHARS = 30
# jieba reads a line's first or last word from this many characters: any word fits in them.
WORD_WINDOW_CHARS = 8


@dataclass(slots=True)
class Paragraph:
    """A working paragraph: its text is the concatenation of raw page spans."""

    spans: list[Span]
    line: int  # index of its first line on the page: a stable key and the reading order
    heading: bool = False
    byline: bool = False  # a closing byline kept in place so it moves with its article's text
    raw_end_final: bool = True  # whether the printed line ended a sentence

    def text(self, page: str) -> str:
        return "".join(page[s:e] for s, e in self.spans)

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]

    def offsets(self) -> list[int]:
        """The raw page offset of each character of the paragraph's text."""
        return [k for s, e in self.spans for k in range(s, e)]

    def remove(self, start: int, end: int) -> Span:
        """Remove text[start:end] and return the raw span it came from."""
        offsets = self.offsets()
        removed = (offsets[start], offsets[end - 1] + 1)
        kept = offsets[:start] + offsets[end:]
        spans: list[Span] = []
        for k in kept:
            if spans and spans[-1][1] == k:
                spans[-1] = (spans[-1][0], k + 1)
            else:
                spans.append((k, k + 1))
        self.spans = spans
        return removed


def ends_sentence(text: str) -> bool:
    """Whether text ends with sentence-final punctuation (closing quotes and brackets allowed)."""
    stripped = text.rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in FINAL_MARKS


@lru_cache(maxsize=1)
def jieba_tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(60)
    jieba.dt.check_initialized()
    return jieba.dt


def _log_prob(text: str) -> float:
    dt = jieba_tokenizer()
    route: dict[int, tuple[float, int]] = {}
    dt.calc(text, dt.get_DAG(text), route)
    return route[0][0]


@lru_cache(maxsize=65536)
def _gain(tail: str, head: str) -> float:
    return max(0.0, _log_prob(tail + head) - _log_prob(tail) - _log_prob(head))


def join_gain(left: str, right: str) -> float:
    """How much more likely jieba finds the Chinese text across a break joined than apart.

    0 when no dictionary word spans the break; `JOIN_GAIN_WORD` or more when one does
    ("小水" + "果" forms 水果).
    """
    tail = _CJK_RUN_END.search(left.rstrip())
    head = _CJK_RUN_START.search(right.lstrip())
    if not tail or not head:
        return 0.0
    return _gain(tail.group(), head.group())


@lru_cache(maxsize=16384)
def starts_bound(text: str) -> bool:
    """Whether text opens on a mark or a one-character particle that needs text before it."""
    stripped = text.lstrip()
    if not stripped:
        return False
    if stripped[0] in COMMAS + FINAL_MARKS + CLOSERS + "·":
        return True
    first = jieba_tokenizer().lcut(stripped[:6])[0]
    return len(first) == 1 and first in _BOUND_STARTS


def continues_plainly(left: str, right: str) -> bool:
    """Whether the line right can only go on with the text of line left, by its form alone.

    It does when it opens on punctuation or a bound particle (们, 的), or when a Latin word is
    cut in two (its rest opens in lower case).
    """
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return False
    if starts_bound(right[:WORD_WINDOW_CHARS]):
        return True
    return left[-1].isascii() and left[-1].isalpha() and right[0].isascii() and right[0].islower()


def runs_into(left: str, right: str) -> bool:
    """Whether the line right plainly goes on with the text of line left.

    It does when it can only go on by its form, or when a dictionary word runs across the break.
    """
    return continues_plainly(left, right) or join_gain(left, right) >= JOIN_GAIN_WORD


def goes_on(left: str, right: str) -> bool:
    """Whether line right goes on with line left, so left stands as no heading or headline.

    Besides `runs_into`: left stops mid-phrase (`reads_unfinished`), or a number at its end is
    cut from its unit or the rest of its date (`number_cut`).
    """
    left, right = left.rstrip(), right.lstrip()
    return (
        number_cut(left, right) or runs_into(left, right) or (bool(left) and reads_unfinished(left))
    )


def looks_like_heading(text: str, next_text: str | None) -> bool:
    """Whether a line reads as a section heading rather than the first part of a broken line.

    A heading is short, has no sentence punctuation, does not end mid-clause, and no word runs
    across from it into the line that follows.
    """
    stripped = text.strip()
    if (
        not stripped
        or len(stripped) > HEADING_MAX_CHARS
        or any(c in SENTENCE_MARKS for c in stripped)
    ):
        return False
    # a heading neither ends mid-clause nor starts on a mark or particle that needs text before it
    if stripped[-1] in COMMAS or stripped[0] in COMMAS + FINAL_MARKS + CLOSERS + _BOUND_STARTS:
        return False
    if any(stripped.count(pair[0]) != stripped.count(pair[1]) for pair in BRACKET_PAIRS):
        return False  # a bracket left open goes on in the next line
    if stripped.endswith("——"):
        return True
    if reads_unfinished(stripped):
        return False
    if next_text is not None:
        following = next_text.strip()
        if goes_on(stripped, following):
            return False
        # a heading opens a paragraph; a scrap of text after it (unfinished, or a few characters)
        # means a broken sentence
        if short_scrap(following) or len(following) <= UNDER_HEADING_MIN_CHARS:
            return False
    return True


# Clause marks; a comma or colon between digits groups thousands or tells the time.
_CLAUSE_SPLIT_RE = re.compile(r"[，、：]|(?<!\d)[,:]|[,:](?!\d)")
_COMMA_SPLIT_RE = re.compile(r"[，、]|(?<!\d),|,(?!\d)")


@lru_cache(maxsize=16384)
def reads_unfinished(text: str) -> bool:
    """Whether a short line stops mid-phrase, so it cannot be a heading.

    A heading is one or two whole phrases. A line cut at random often ends on a particle, a
    preposition or a conjunction, after a clause of one or two characters, or runs to three
    clauses.
    """
    clauses = _CLAUSE_SPLIT_RE.split(text)
    if len(clauses) > 1 and len(clauses[-1].strip()) <= 2:
        return True
    if len(_COMMA_SPLIT_RE.split(text)) >= 3:
        return True
    word, flag = _last_word(text)
    return len(word) == 1 and (word in _OPEN_ENDINGS or flag in _OPEN_POS)


def _last_word(text: str) -> tuple[str, str]:
    """The last word of text and its part of speech, as jieba tags it."""
    tagged = pos_tags(text[-WORD_WINDOW_CHARS:])
    return tagged[-1] if tagged else ("", "")


def number_cut(left: str, right: str) -> bool:
    """Whether a line break cuts a number from its unit (`2010` ⏎ `年`, `12月` ⏎ `19日`)."""
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return False
    if left[-1].isdigit() and right[0] in _UNITS:
        return True
    return left[-1] in "年月" and re.match(r"\d{1,2}[月日号]", right) is not None


def snippet(text: str, limit: int = 12) -> str:
    return text if len(text) <= limit else text[: limit // 2] + "…" + text[-limit // 2 :]


def pair_recurs(page: str, left: str, right: str) -> bool:
    """Whether the Chinese characters either side of a break are a pair the page uses elsewhere.

    The pair must stand in the page's text `PAIR_MIN_PMI` nats more often than its characters'
    counts predict: a name or term of the article, cut by the break.
    """
    left, right = left.rstrip(), right.lstrip()
    if not left or not right or not (is_cjk(left[-1]) and is_cjk(right[0])):
        return False
    together = page.count(left[-1] + right[0])
    if not together:
        return False
    expected = page.count(left[-1]) * page.count(right[0]) / len(page)
    return math.log(together / expected) >= PAIR_MIN_PMI


def short_scrap(text: str) -> bool:
    return len(text.strip()) <= SCRAP_MAX_CHARS and not ends_sentence(text)


def is_cut(para: Paragraph) -> bool:
    """Whether a paragraph stops mid-sentence (and is body text)."""
    return not (para.raw_end_final or para.heading or para.byline)

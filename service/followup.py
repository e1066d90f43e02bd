"""Follow-up questions: rewrite an elliptical turn ("那创业培训呢?") into a full question."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import jieba

from corpus.text import normalize, pos_tags

_LEAD = re.compile(r"^(?:那么|那|还有|另外|以及|至于|而|那如果)\s*")
_TAIL = re.compile(r"\s*(?:呢|怎么样|怎样|如何|又如何|又是多少|的情况)?\s*[?？。.!！]*\s*$")
_ASKS = re.compile(r"多少|几|什么|谁|哪|何|怎么|如何|为什么|是否|吗")


@dataclass(frozen=True, slots=True)
class Turn:
    role: str  # "user" | "assistant"
    content: str


def is_elliptical(question: str) -> bool:
    """A turn that leans on the previous one: it opens with 那/还有…, ends in 呢, or asks nothing."""
    q = normalize(question).strip()
    if _LEAD.match(q) or re.search(r"呢\s*[?？]?\s*$", q):
        return True
    return not _ASKS.search(q) and len(q) <= 12


def core_of(question: str) -> str:
    """The new topic of an elliptical turn, without its 那…呢 frame."""
    q = normalize(question).strip()
    return _TAIL.sub("", _LEAD.sub("", q)).strip()


def longest_common_substring(a: str, b: str) -> tuple[int, int, int]:
    """(start in a, start in b, length) of the longest common substring."""
    best = (0, 0, 0)
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best[2]:
                    best = (i - cur[j], j - cur[j], cur[j])
        prev = cur
    return best


def word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen text[start:end] to whole jieba words."""
    pos = 0
    lo, hi = start, end
    for word in jieba.cut(text):
        w_start, w_end = pos, pos + len(word)
        if w_start <= start < w_end:
            lo = w_start
        if w_start < end <= w_end:
            hi = w_end
        pos = w_end
    return lo, hi


def substitute(previous: str, core: str) -> str | None:
    """previous with the words that core replaces swapped for core, or None when nothing lines up."""
    i, j, n = longest_common_substring(previous, core)
    if n >= 2 or (n == 1 and len(core) <= 3):
        lo, hi = word_bounds(previous, i, i + n)
        # keep the parts of core around the shared text aligned with the previous words
        return previous[:lo] + core + previous[hi:]
    core_words = pos_tags(core)
    head_flag = next((f for w, f in reversed(core_words) if f[:2] in ("ns", "nr", "nt")), None)
    if head_flag is None:
        return None
    for word, flag in pos_tags(previous):
        if flag[:2] == head_flag[:2]:
            return previous.replace(word, core, 1)
    return None


def resolve_question(question: str, history: Sequence[Turn]) -> str:
    """The question to retrieve and answer with: question itself, or an elliptical follow-up
    rewritten against the last user turn."""
    previous = next(
        (t.content for t in reversed(history) if t.role == "user" and t.content.strip()), None
    )
    if previous is None or not is_elliptical(question):
        return question
    core = core_of(question)
    if not core:
        return previous
    prev = normalize(previous).strip()
    return substitute(prev, core) or f"{prev} {core}"

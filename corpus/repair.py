"""Repairs of OCR damage on a newspaper page: line joins, moved-back continuations, dropped noise.

Every function here sees only the page text. Paragraphs are lists of spans into the raw page, so
each repair can be recorded as an `Edit` with source offsets and the repaired text can always be
rebuilt from the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import jieba

from corpus.model import Edit

Span = tuple[int, int]

# Sentence-final marks after which a paragraph may end; a colon introduces a list that follows.
_FINAL = "。！？!?；;：:…"
_CLOSERS = "”’」』）)》〉】\"'"
_CLAUSE = "，,、"
_SENTENCE_MARKS = "。！？!?；;…"
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
_CJK_RUN_END = re.compile(rf"[{_CJK}]{{1,4}}$")
_CJK_RUN_START = re.compile(rf"^[{_CJK}]{{1,4}}")
# A word across a line break raises the best segmentation's log-probability by this much or more.
JOIN_GAIN_WORD = 2.0


@dataclass(slots=True)
class Paragraph:
    """A working paragraph: its text is the concatenation of raw page spans."""

    spans: list[Span]
    line: int  # index of its first line on the page, for reading order
    heading: bool = False
    raw_end_final: bool = True  # whether the line as printed ended a sentence
    notes: list[Edit] = field(default_factory=list)

    def text(self, page: str) -> str:
        return "".join(page[s:e] for s, e in self.spans)

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


def ends_sentence(text: str) -> bool:
    """Whether text ends with sentence-final punctuation (closing quotes and brackets allowed)."""
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _FINAL


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(60)
    jieba.dt.check_initialized()
    return jieba.dt


def _log_prob(text: str) -> float:
    dt = _tokenizer()
    route: dict[int, tuple[float, int]] = {}
    dt.calc(text, dt.get_DAG(text), route)
    return route[0][0]


@lru_cache(maxsize=65536)
def join_gain(left: str, right: str) -> float:
    """How much more likely jieba finds the Chinese text across a break joined than apart.

    0 when no dictionary word spans the break; above `JOIN_GAIN_WORD` when one does
    ("小水" + "果" forms 水果).
    """
    tail = _CJK_RUN_END.search(left.rstrip())
    head = _CJK_RUN_START.search(right.lstrip())
    if not tail or not head:
        return 0.0
    t, h = tail.group(), head.group()
    return max(0.0, _log_prob(t + h) - _log_prob(t) - _log_prob(h))


def looks_like_heading(text: str, next_text: str | None) -> bool:
    """Whether a line reads as a section heading rather than the first part of a broken line.

    A heading is short, has no sentence punctuation, does not end mid-clause, and no word runs
    across from it into the line that follows.
    """
    stripped = text.strip()
    if not stripped or len(stripped) > 30 or any(c in _SENTENCE_MARKS for c in stripped):
        return False
    if stripped[-1] in _CLAUSE:
        return False
    if stripped.endswith("——"):
        return True
    return not (next_text is not None and join_gain(stripped, next_text) >= JOIN_GAIN_WORD)


def join_local_breaks(page: str, paras: list[Paragraph]) -> tuple[list[Paragraph], list[Edit]]:
    """Join each paragraph that the printed line cut mid-sentence with the one that continues it.

    A paragraph is joined with the next when it did not end a sentence and neither is a heading;
    a heading ending in a dash is joined with the heading line that completes it.
    """
    out: list[Paragraph] = []
    edits: list[Edit] = []
    for para in paras:
        if out:
            prev = out[-1]
            joinable_body = not prev.raw_end_final and not prev.heading and not para.heading
            dash_heading = prev.heading and para.heading and prev.text(page).rstrip().endswith("——")
            if joinable_body or dash_heading:
                left, right = prev.text(page), para.text(page)
                edits.append(
                    Edit(
                        "join",
                        prev.end,
                        para.start,
                        f"line break removed: …{left[-8:]}⏎{right[:8]}…",
                    )
                )
                prev.spans.extend(para.spans)
                prev.raw_end_final = para.raw_end_final
                continue
        out.append(Paragraph(list(para.spans), para.line, para.heading, para.raw_end_final))
    return out, edits

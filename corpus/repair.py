"""Repairs of OCR damage on a newspaper page: dropped noise, moved-back continuations, line joins.

Every function here sees only the page text. A paragraph is a list of spans into the raw page, so
each repair is recorded as an `Edit` with source offsets and the repaired text can always be
rebuilt from the page.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import jieba
import numpy as np

from corpus.model import Edit

Span = tuple[int, int]

# Marks after which a paragraph may end; a colon introduces the list that follows.
_FINAL = "。！？!?；;：:…"
_SENTENCE_MARKS = "。！？!?；;…"
_CLOSERS = "”’」』）)》〉】\"'"
_CLAUSE = "，,、"
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_CJK_RUN_END = re.compile(rf"[{_CJK}]{{1,4}}$")
_CJK_RUN_START = re.compile(rf"^[{_CJK}]{{1,4}}")
_CJK_WORD = re.compile(rf"[{_CJK}]{{2,}}")
# A word across a line break raises the best segmentation's log-probability by this much or more.
JOIN_GAIN_WORD = 2.0
_GAIN_CAP = 8.0
# Lower-case Latin words wedged between Chinese text; brackets and quotes are left out of the
# flanks because a word inside them is usually a deliberate gloss.
_FLANK = rf"[{_CJK}，。、；：！？,;:!?]"
_FOREIGN_RE = re.compile(
    rf"(?<={_FLANK})[ \u3000]*[a-z]{{2,}}(?: [a-z]{{2,}})*[ \u3000]*(?={_FLANK})"
)
# Layout and scanner debris that printed news text does not contain mid-sentence.
_STRAY_RE = re.compile(r"[ \u3000]*[■□▪▫◆◇●◎▲△▼▽★☆※¤¦|�][ \u3000]*")
# A verbatim repeat this long inside one article is a layout artifact, not a quotation.
REPEAT_MIN_CHARS = 30
# A continuation found elsewhere is moved back only when its evidence scores above this.
MOVE_MIN_SCORE = 0.35


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


def _snippet(text: str, limit: int = 12) -> str:
    return text if len(text) <= limit else text[: limit // 2] + "…" + text[-limit // 2 :]


def drop_noise(page: str, para: Paragraph) -> list[Edit]:
    """Drop stray Latin words and layout debris from inside a paragraph's Chinese text."""
    edits: list[Edit] = []
    for pattern, what in ((_FOREIGN_RE, "foreign word"), (_STRAY_RE, "stray mark")):
        text = para.text(page)
        hits = [m for m in pattern.finditer(text) if m.start() > 0 and m.end() < len(text)]
        for m in reversed(hits):
            start, end = para.remove(m.start(), m.end())
            edits.append(Edit("drop", start, end, f"{what} {m.group().strip()!r}"))
    return edits


def mark_headings(page: str, paras: Sequence[Paragraph]) -> None:
    """Flag the paragraphs that are section headings and record how each printed line ended."""
    for pos, para in enumerate(paras):
        text = para.text(page)
        para.raw_end_final = ends_sentence(text)
        if para.byline:
            continue
        nxt = next((p for p in paras[pos + 1 :] if not p.byline), None)
        prev = paras[pos - 1] if pos > 0 else None
        after_break = prev is None or prev.heading or prev.byline or prev.raw_end_final
        para.heading = nxt is not None and after_break and looks_like_heading(text, nxt.text(page))


def is_cut(para: Paragraph) -> bool:
    """Whether a paragraph stops mid-sentence (and is body text)."""
    return not (para.raw_end_final or para.heading or para.byline)


class _Topics:
    """Tf-idf vectors of a page's paragraphs, to tell which article a paragraph is about."""

    def __init__(self, page: str, paras: Sequence[Paragraph]) -> None:
        self.row = {p.line: k for k, p in enumerate(paras)}
        bags = [Counter(_content_words(p.text(page))) for p in paras]
        df = Counter(w for bag in bags for w in bag)
        vocab = {w: k for k, w in enumerate(df)}
        n = len(paras)
        matrix = np.zeros((n, max(1, len(vocab))), dtype=np.float64)
        for k, bag in enumerate(bags):
            for w, tf in bag.items():
                matrix[k, vocab[w]] = (1 + math.log(tf)) * math.log((n + 1) / df[w])
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        matrix /= np.where(norms > 0, norms, 1)
        self.gram = matrix @ matrix.T

    def rows(self, paras: Sequence[Paragraph]) -> list[int]:
        return [self.row[p.line] for p in paras]

    def affinity(self, item: int, group: Sequence[int]) -> float:
        """Cosine of a paragraph with the summed vectors of a group (0 for an empty group)."""
        if not group:
            return 0.0
        norm2 = float(self.gram[np.ix_(group, group)].sum())
        if norm2 <= 0:
            return 0.0
        return float(self.gram[item, group].sum()) / math.sqrt(norm2)


@lru_cache(maxsize=4096)
def _content_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in _tokenizer().lcut(text) if _CJK_WORD.fullmatch(w))


@dataclass(frozen=True, slots=True)
class _Block:
    article: int
    first: int  # paragraph positions in that article's body, inclusive
    last: int
    score: float


def _capped_gain(left: Paragraph, right: Paragraph, page: str) -> float:
    return min(join_gain(left.text(page), right.text(page)), _GAIN_CAP) / _GAIN_CAP


def _best_continuation(
    page: str, bodies: Sequence[list[Paragraph]], x: int, topics: _Topics
) -> _Block | None:
    """The run of paragraphs, in a later article, that best continues article x's cut end.

    Evidence: a word formed across the cut, the run's topic matching article x better than the
    article it sits in, and the text around the run reading on once the run is taken out.
    """
    cut = bodies[x][-1]
    x_rows = topics.rows(bodies[x])
    best: _Block | None = None
    for y in range(x + 1, len(bodies)):
        body = bodies[y]
        y_rows = topics.rows(body)
        for first, start in enumerate(body):
            if start.heading or start.byline:
                continue
            before = body[first - 1] if first > 0 else None
            join = _capped_gain(cut, start, page)
            for last in range(first, len(body)):
                end = body[last]
                if end.heading or not (end.raw_end_final or end.byline or last == len(body) - 1):
                    continue
                rest = y_rows[:first] + y_rows[last + 1 :]
                topic = 0.0
                for para, row in zip(body[first : last + 1], y_rows[first : last + 1], strict=True):
                    weight = min(1.0, len(para.text(page)) / 40)
                    topic += weight * (topics.affinity(row, x_rows) - topics.affinity(row, rest))
                seam = 0.0
                if before is not None and is_cut(before):
                    after = body[last + 1] if last + 1 < len(body) else None
                    if after is None:
                        seam = -0.5  # the text the run interrupted would be left hanging
                    else:
                        seam = _capped_gain(before, after, page) - _capped_gain(before, start, page)
                score = join + topic + seam
                if best is None or score > best.score:
                    best = _Block(y, first, last, score)
    return best


def move_continuations(page: str, bodies: list[list[Paragraph]], edits: list[list[Edit]]) -> None:
    """Move back each article's continuation printed after other articles' text.

    An article whose text stops mid-sentence at its end is continued by the best-scoring run of
    paragraphs in a later article, if any scores above `MOVE_MIN_SCORE`. Both articles record
    the move.
    """
    for x in range(len(bodies)):
        for _ in range(3):  # an article may jump more than once
            if not bodies[x] or not is_cut(bodies[x][-1]):
                break
            topics = _Topics(page, [p for body in bodies for p in body])
            block = _best_continuation(page, bodies, x, topics)
            if block is None or block.score < MOVE_MIN_SCORE:
                break
            source = bodies[block.article]
            run = source[block.first : block.last + 1]
            del source[block.first : block.last + 1]
            cut = bodies[x][-1]
            span_start, span_end = run[0].start, run[-1].end
            cut_text, run_text = cut.text(page), run[0].text(page)
            edits[x].append(
                Edit(
                    "move",
                    span_start,
                    span_end,
                    f"{len(run)} paragraph(s) moved back after …{cut_text[-8:]} "
                    f"(score {block.score:.2f})",
                )
            )
            edits[block.article].append(
                Edit(
                    "move",
                    span_start,
                    span_end,
                    f"{len(run)} paragraph(s) moved out: {_snippet(run_text)}",
                )
            )
            bodies[x].extend(run)


def _repeat_at(text: str, pos: int, earlier: str) -> int:
    """Length of the longest prefix of text[pos:] found verbatim in earlier (0 if short)."""
    probe = text[pos : pos + REPEAT_MIN_CHARS]
    if len(probe) < REPEAT_MIN_CHARS or probe not in earlier:
        return 0
    length = REPEAT_MIN_CHARS
    while pos + length < len(text) and text[pos : pos + length + 1] in earlier:
        length += 1
    return length


def drop_repeats(page: str, body: list[Paragraph]) -> list[Edit]:
    """Drop spans of `REPEAT_MIN_CHARS` or more that repeat earlier text of the same article."""
    edits: list[Edit] = []
    earlier = ""
    for para in body:
        text = para.text(page)
        pos = 0
        drops: list[Span] = []
        while pos < len(text):
            length = _repeat_at(text, pos, earlier + "\n" + text[:pos])
            if length:
                drops.append((pos, pos + length))
                pos += length
            else:
                pos += 1
        for start, end in reversed(drops):
            raw = para.remove(start, end)
            edits.append(Edit("drop", raw[0], raw[1], f"repeated text {_snippet(text[start:end])}"))
        earlier += "\n" + text
    body[:] = [p for p in body if p.spans]
    return edits


def join_breaks(page: str, body: list[Paragraph]) -> list[Edit]:
    """Join each paragraph that stops mid-sentence with the paragraph that continues it.

    A heading ending in a dash is joined with the heading line that completes it; a closing
    byline and a heading are never joined with body text.
    """
    out: list[Paragraph] = []
    edits: list[Edit] = []
    for para in body:
        if out:
            prev = out[-1]
            body_join = is_cut(prev) and not (para.heading or para.byline)
            dash_heading = prev.heading and para.heading and prev.text(page).endswith("——")
            if body_join or dash_heading:
                left, right = prev.text(page), para.text(page)
                edits.append(Edit("join", prev.end, para.start, f"…{left[-8:]}⏎{right[:8]}…"))
                prev.spans.extend(para.spans)
                prev.raw_end_final = para.raw_end_final
                continue
        out.append(para)
    body[:] = out
    return edits


def repair_articles(page: str, bodies: list[list[Paragraph]]) -> list[list[Edit]]:
    """Repair the bodies of a page's articles in place; return each article's edits.

    In order: noise dropped from every paragraph, headings marked, cut articles' continuations
    moved back, long verbatim repeats dropped, lines broken mid-sentence joined.
    """
    edits: list[list[Edit]] = [[] for _ in bodies]
    for body, found in zip(bodies, edits, strict=True):
        for para in body:
            if not para.byline:
                found.extend(drop_noise(page, para))
        mark_headings(page, body)
    move_continuations(page, bodies, edits)
    for body, found in zip(bodies, edits, strict=True):
        found.extend(drop_repeats(page, body))
        found.extend(join_breaks(page, body))
    return edits

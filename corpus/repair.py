"""Repairs of OCR damage on a newspaper page, as named steps run in order (`REPAIR_STEPS`):
noise dropped, headings marked, continuations moved back, repeats dropped, breaks joined.

Every step sees only the page text. A paragraph is a list of spans into the raw page, so each
repair is recorded as an `Edit` with source offsets and the rule that made it, and the repaired
text can always be rebuilt from the page. The line-level rules are in corpus/repair_lines.py,
the moves in corpus/repair_moves.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from corpus.model import Edit
from corpus.punctuation import CJK, is_cjk
from corpus.repair_lines import (
    BODY_LINE_MIN_CHARS,
    Paragraph,
    Span,
    ends_sentence,
    is_cut,
    looks_like_heading,
    pair_recurs,
    short_scrap,
    snippet,
)
from corpus.repair_moves import move_continuations

# the steps of repair_articles, in the order they run
REPAIR_STEPS = ("drop_noise", "mark_headings", "move_continuations", "drop_repeats", "join_breaks")

# Lower-case Latin words wedged between Chinese text; brackets and quotes are left out of the
# flanks because a word inside them is usually a deliberate gloss.
_FLANK = rf"[{CJK}，。、；：！？,;:!?]"
_FOREIGN_RE = re.compile(
    rf"(?<={_FLANK})[ \u3000]*[a-z]{{2,}}(?: [a-z]{{2,}})*[ \u3000]*(?={_FLANK})"
)
# Layout and scanner debris that printed news text does not contain mid-sentence.
_STRAY_RE = re.compile(r"[ \u3000]*[■□▪▫◆◇●◎▲△▼▽★☆※¤¦|�][ \u3000]*")
# A verbatim repeat this long inside one article is a layout artifact, not a quotation.
REPEAT_MIN_CHARS = 30


def drop_noise(page: str, para: Paragraph) -> list[Edit]:
    """Drop stray Latin words and layout debris from inside a paragraph's Chinese text."""
    edits: list[Edit] = []
    # a Latin word needs Chinese on one side, a mark on both: next to other symbols they are text
    for pattern, what, sides in (
        (_FOREIGN_RE, "foreign word", 1),
        (_STRAY_RE, "stray mark", 2),
    ):
        text = para.text(page)
        hits = [
            m
            for m in pattern.finditer(text)
            if m.start() > 0
            and m.end() < len(text)
            and is_cjk(text[m.start() - 1]) + is_cjk(text[m.end()]) >= sides
        ]
        for m in reversed(hits):
            start, end = para.remove(m.start(), m.end())
            detail = f"{what} {m.group().strip()!r}"
            edits.append(Edit("drop", start, end, detail, f"drop_noise/{what.replace(' ', '_')}"))
    return edits


def mark_headings(page: str, paras: Sequence[Paragraph]) -> None:
    """Flag the paragraphs that are section headings and record how each printed line ended."""
    for pos, para in enumerate(paras):
        text = para.text(page)
        para.raw_end_final = ends_sentence(text)
        if para.byline:
            continue
        rest = [p.text(page) for p in paras[pos + 1 : pos + 3] if not p.byline]
        following = rest[0] if rest else None
        # the paragraph under a heading may itself be broken after a few characters: read it whole
        if (
            following is not None
            and len(rest) == 2
            and short_scrap(following)
            and (ends_sentence(rest[1]) or len(rest[1]) > BODY_LINE_MIN_CHARS)
        ):
            following += rest[1]
        prev = paras[pos - 1] if pos > 0 else None
        # a section heading opens a section of running text, never the article itself
        after_break = prev is not None and (
            prev.byline
            or prev.raw_end_final
            or (prev.heading and prev.text(page).rstrip().endswith("——"))
        )
        para.heading = (
            following is not None
            and after_break
            and looks_like_heading(text, following)
            and not pair_recurs(page, text, following)
        )


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
            detail = f"repeated text {snippet(text[start:end])}"
            edits.append(Edit("drop", raw[0], raw[1], detail, "drop_repeats"))
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
                rule = "join_breaks/cut_sentence" if body_join else "join_breaks/dash_heading"
                detail = f"…{left[-8:]}⏎{right[:8]}…"
                edits.append(Edit("join", prev.end, para.start, detail, rule))
                prev.spans.extend(para.spans)
                prev.raw_end_final = para.raw_end_final
                continue
        out.append(para)
    body[:] = out
    return edits


def repair_articles(
    page: str, bodies: list[list[Paragraph]], signed: Sequence[bool]
) -> list[list[Edit]]:
    """Repair the bodies of a page's articles in place; return each article's edits.

    `signed[i]` says whether article i has a byline in its header (so no closing byline).

    In order: noise dropped from every paragraph, headings marked, cut articles' continuations
    moved back, long verbatim repeats dropped, lines broken mid-sentence joined.
    """
    edits: list[list[Edit]] = [[] for _ in bodies]
    for body, found in zip(bodies, edits, strict=True):
        for para in body:
            if not para.byline:
                found.extend(drop_noise(page, para))
        mark_headings(page, body)
    move_continuations(page, bodies, signed, edits)
    for body, found in zip(bodies, edits, strict=True):
        mark_headings(page, body)  # a moved-back run now follows the text it continues
        found.extend(drop_repeats(page, body))
        found.extend(join_breaks(page, body))
    return edits

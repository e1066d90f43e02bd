"""Synthetic damaged newspaper pages, with the truth of every article and every damage kept apart.

Articles are composed from the evaluation corpora's paragraphs (grouped by title; a lone long
paragraph is cut into paragraphs at sentence ends), given headlines, bylines, sub-headlines,
series tags and section headings, laid out as a page like the seed page, and damaged in known
places: lines broken mid-sentence, an article cut and its continuation printed after other
articles' text, stray Latin words and marks, and a span repeated from earlier in the article.
Only `Page.text` is meant for the repair; everything else on `Page` is the truth it is scored on.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.newspaper_sources import (
    CJK_RE,
    CLOSERS,
    FINAL,
    SourceArticle,
    compact,
    load_source_articles,
)
from bench.newspaper_words import (
    CLAUSE_RE,
    FOREIGN_WORDS,
    HEADLINE_TAILS,
    NUMERALS,
    PLACES,
    SERIES,
    STRAY_MARKS,
    reporter_name,
    section_heading,
)

Span = tuple[int, int]


@dataclass(slots=True)
class _Seg:
    text: str
    tag: str = ""  # "" original text, else the damage: "foreign", "stray", "repeat"


@dataclass(eq=False, slots=True)
class _Line:
    segs: list[_Seg]
    role: str  # "header", "body", "heading", "byline"
    owner: int  # index of the article it belongs to
    order: int = -1  # position of its paragraph in the owner's body, for body lines

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segs)


@dataclass(slots=True)
class _Join:
    left: _Line
    right: _Line


@dataclass(slots=True)
class _Move:
    article: int
    first: _Line
    last: _Line
    window: str  # the truth text across the cut, which a restored article reads through
    tail: str  # the truth text the continuation ends with


@dataclass(frozen=True, slots=True)
class TruthArticle:
    title: str  # series tag + space + headline, or "" when printed without a headline
    byline: str
    text: str  # paragraphs and section headings joined with "\n"
    key: str  # the first characters of the body, compacted: how the article is recognised


@dataclass(frozen=True, slots=True)
class TruthMove:
    article: int  # index of the article the continuation belongs to
    span: Span  # the continuation's place on the damaged page
    window: str  # compact truth text across the cut
    tail: str  # compact truth text the continuation ends with


@dataclass(frozen=True, slots=True)
class Page:
    text: str  # the damaged page: the only thing the repair may see
    articles: tuple[TruthArticle, ...]
    joins: tuple[Span, ...]  # line breaks that cut a sentence: (end of left line, start of right)
    noise: tuple[tuple[Span, str], ...]  # inserted text and its kind
    moves: tuple[TruthMove, ...]


def _cut_position(rng: random.Random, text: str, margin: int) -> int | None:
    """A position inside text, away from its ends, not right after the end of a sentence."""
    candidates = [
        k
        for k in range(margin, len(text) - margin)
        if text[k - 1] not in FINAL + CLOSERS and CJK_RE.match(text[k - 1])
    ]
    return rng.choice(candidates) if candidates else None


def _split_line(line: _Line, pos: int) -> tuple[_Line, _Line]:
    """Two lines holding line's text before and after pos (pos falls in original text)."""
    left: list[_Seg] = []
    right: list[_Seg] = []
    offset = 0
    for seg in line.segs:
        end = offset + len(seg.text)
        if end <= pos:
            left.append(seg)
        elif offset >= pos:
            right.append(seg)
        else:
            left.append(_Seg(seg.text[: pos - offset], seg.tag))
            right.append(_Seg(seg.text[pos - offset :], seg.tag))
        offset = end
    return (
        _Line(left, line.role, line.owner, line.order),
        _Line(right, line.role, line.owner, line.order),
    )


@dataclass(slots=True)
class _Layout:
    lines: list[_Line] = field(default_factory=list)
    joins: list[_Join] = field(default_factory=list)
    moves: list[_Move] = field(default_factory=list)

    def split(self, line: _Line, pos: int) -> tuple[_Line, _Line]:
        """Break line at pos in place, keeping joins and moves pointing at the right halves."""
        left, right = _split_line(line, pos)
        k = self.lines.index(line)
        self.lines[k : k + 1] = [left, right]
        for join in self.joins:
            if join.left is line:
                join.left = right
            if join.right is line:
                join.right = left
        for move in self.moves:
            if move.first is line:
                move.first = left
            if move.last is line:
                move.last = right
        return left, right


def _original_positions(line: _Line, margin: int) -> list[int]:
    """Positions between two Chinese characters of original text, at least margin from the ends."""
    positions: list[int] = []
    offset = 0
    text = line.text
    for seg in line.segs:
        if not seg.tag:
            for k in range(
                max(offset + 1, margin), min(offset + len(seg.text), len(text) - margin)
            ):
                if CJK_RE.match(text[k - 1]) and CJK_RE.match(text[k]):
                    positions.append(k)
        offset += len(seg.text)
    return positions


def _insert(line: _Line, pos: int, seg: _Seg) -> None:
    offset = 0
    for k, current in enumerate(line.segs):
        end = offset + len(current.text)
        if offset < pos < end or (pos == end and not current.tag):
            cut = pos - offset
            line.segs[k : k + 1] = [
                _Seg(current.text[:cut], current.tag),
                seg,
                _Seg(current.text[cut:], current.tag),
            ]
            return
        offset = end
    raise ValueError("position outside original text")


def make_page(rng: random.Random, pool: Sequence[SourceArticle]) -> Page:
    """One damaged page of three to five articles, with its truth."""
    chosen = rng.sample(list(pool), rng.randint(3, 5))
    layout = _Layout()
    truths: list[TruthArticle] = []
    article_lines: list[list[_Line]] = []
    for index, source in enumerate(chosen):
        lines, truth = _compose_article(rng, index, source)
        article_lines.append(lines)
        truths.append(truth)
    _add_moves(rng, layout, article_lines, truths)
    for lines in article_lines:
        layout.lines.extend(lines)
    _add_noise(rng, layout, truths)
    _add_breaks(rng, layout)
    return _render(layout, truths)


def _compose_article(
    rng: random.Random, index: int, source: SourceArticle
) -> tuple[list[_Line], TruthArticle]:
    paras = list(source.paragraphs[: rng.randint(3, 8)])
    body: list[tuple[str, str]] = [("body", p) for p in paras]
    if len(paras) >= 3 and rng.random() < 0.5:
        for k in sorted(rng.sample(range(1, len(paras)), min(2, len(paras) - 1)), reverse=True):
            heading = section_heading(rng, paras[k])
            if heading:
                body.insert(k, ("heading", heading))
    headline = source.title if len(source.title) >= 5 else source.title + rng.choice(HEADLINE_TAILS)
    byline = " ".join(reporter_name(rng) for _ in range(rng.randint(2, 4)))
    headless = rng.random() < 0.15
    closing = not headless and rng.random() < 0.35
    series = ""
    if not headless and rng.random() < 0.15:
        series = rng.choice(SERIES).format(place=rng.choice(PLACES), n=rng.choice(NUMERALS))
    subtitle = ""
    if not headless and rng.random() < 0.3:
        clauses = [c for c in CLAUSE_RE.findall(paras[0]) if 6 <= len(c) <= 20]
        if clauses:
            subtitle = "——" + clauses[0]
    header: list[str] = []
    if series:
        header.append(series)
    if not headless:
        header.append(headline)
    if subtitle:
        header.append(subtitle)
    if not closing:
        header.append(byline)
    lines = [_Line([_Seg(text)], "header", index) for text in header]
    lines.extend(_Line([_Seg(text)], role, index, order) for order, (role, text) in enumerate(body))
    if closing:
        lines.append(_Line([_Seg(f"({byline})")], "byline", index))
    title = "" if headless else (f"{series} {headline}" if series else headline)
    text = "\n".join(t for _, t in body)
    return lines, TruthArticle(title, byline, text, compact(paras[0])[:10])


def _add_moves(
    rng: random.Random,
    layout: _Layout,
    article_lines: list[list[_Line]],
    truths: Sequence[TruthArticle],
) -> None:
    """Cut up to two articles mid-sentence and print each continuation inside a later article."""
    count = rng.choices((0, 1, 2), weights=(0.2, 0.6, 0.2))[0]
    used: set[int] = set()
    for _ in range(count):
        sources = [x for x in range(len(article_lines) - 1) if x not in used]
        if not sources:
            return
        x = rng.choice(sources)
        targets = [y for y in range(x + 1, len(article_lines)) if y not in used]
        body = [
            ln
            for ln in article_lines[x]
            if ln.role == "body" and ln.order >= 1 and len(ln.text) >= 30
        ]
        if not targets or not body:
            continue
        y = rng.choice(targets)
        line = rng.choice(body)
        pos = _cut_position(rng, line.text, 12)
        if pos is None:
            continue
        used.update((x, y))
        lines = article_lines[x]
        k = lines.index(line)
        head, rest = _split_line(line, pos)
        fragment = [rest, *lines[k + 1 :]]
        article_lines[x] = [*lines[:k], head]
        layout.joins.append(_Join(head, rest))
        window = compact(head.text)[-8:] + compact(rest.text)[:8]
        last_text = next(ln.text for ln in reversed(fragment) if ln.role != "byline")
        layout.moves.append(_Move(x, fragment[0], fragment[-1], window, compact(last_text)[-10:]))
        _insert_block(rng, layout, article_lines, y, fragment)


def _insert_block(
    rng: random.Random,
    layout: _Layout,
    article_lines: list[list[_Line]],
    y: int,
    block: list[_Line],
) -> None:
    """Print block inside article y: between paragraphs, inside one, or after its end."""
    lines = article_lines[y]
    body = [k for k, ln in enumerate(lines) if ln.role in ("body", "heading")]
    mode = rng.choices(("between", "inside", "after"), weights=(0.4, 0.4, 0.2))[0]
    if mode == "inside":
        long_body = [k for k in body if lines[k].role == "body" and len(lines[k].text) >= 30]
        if long_body:
            k = rng.choice(long_body)
            pos = _cut_position(rng, lines[k].text, 12)
            if pos is not None:
                left, right = _split_line(lines[k], pos)
                layout.joins.append(_Join(left, right))
                article_lines[y] = [*lines[:k], left, *block, right, *lines[k + 1 :]]
                return
        mode = "between"
    if mode == "between":
        k = rng.choice(body)
        article_lines[y] = [*lines[: k + 1], *block, *lines[k + 1 :]]
        return
    article_lines[y] = [*lines, *block]


def _add_noise(rng: random.Random, layout: _Layout, truths: Sequence[TruthArticle]) -> None:
    """Stray Latin words and marks between Chinese characters; one span repeated later."""
    body = [ln for ln in layout.lines if ln.role == "body"]
    for _ in range(rng.randint(0, 3)):
        line = rng.choice(body)
        positions = _original_positions(line, 12)
        if positions:
            word = rng.choice(FOREIGN_WORDS)
            spaced = rng.choice((f" {word}", f"{word}", f" {word} "))
            _insert(line, rng.choice(positions), _Seg(spaced, "foreign"))
    for _ in range(rng.choice((0, 0, 1))):
        line = rng.choice(body)
        positions = _original_positions(line, 12)
        if positions:
            _insert(line, rng.choice(positions), _Seg(rng.choice(STRAY_MARKS), "stray"))
    if rng.random() < 0.5:
        _add_repeat(rng, body, truths)


def _add_repeat(rng: random.Random, body: Sequence[_Line], truths: Sequence[TruthArticle]) -> None:
    """Copy 30–80 characters of a paragraph into a later paragraph of the same article."""
    owners = [a for a in range(len(truths)) if len({ln.order for ln in body if ln.owner == a}) >= 2]
    if not owners:
        return
    owner = rng.choice(owners)
    paragraphs = truths[owner].text.split("\n")
    lines = [ln for ln in body if ln.owner == owner and ln.order >= 1]
    if not lines:
        return
    target = rng.choice(lines)
    source = paragraphs[rng.randrange(0, target.order)]
    starts = [0] + [m.end() for m in re.finditer(r"[，。；、：]", source)]
    starts = [s for s in starts if len(source) - s >= 30]
    positions = _original_positions(target, 12)
    if not starts or not positions:
        return
    start = rng.choice(starts)
    length = rng.randint(30, min(80, len(source) - start))
    _insert(target, rng.choice(positions), _Seg(source[start : start + length], "repeat"))


def _add_breaks(rng: random.Random, layout: _Layout) -> None:
    """Break some paragraphs' lines mid-sentence, as a column end does."""
    for line in [ln for ln in layout.lines if ln.role == "body"]:
        if rng.random() >= 0.15 or len(line.text) < 16:
            continue
        offset = 0
        candidates: list[int] = []
        for seg in line.segs:
            if not seg.tag:
                candidates.extend(
                    k
                    for k in range(
                        max(offset + 1, 6), min(offset + len(seg.text), len(line.text) - 4)
                    )
                    if line.text[k - 1] not in FINAL + CLOSERS
                )
            offset += len(seg.text)
        if candidates:
            left, right = layout.split(line, rng.choice(candidates))
            layout.joins.append(_Join(left, right))


def _render(layout: _Layout, truths: Sequence[TruthArticle]) -> Page:
    starts: dict[int, int] = {}
    parts: list[str] = []
    offset = 0
    for line in layout.lines:
        starts[id(line)] = offset
        parts.append(line.text)
        offset += len(line.text) + 2
    text = "\n\n".join(parts) + "\n"

    def start(line: _Line) -> int:
        return starts[id(line)]

    def end(line: _Line) -> int:
        return starts[id(line)] + len(line.text)

    noise: list[tuple[Span, str]] = []
    for line in layout.lines:
        pos = start(line)
        for seg in line.segs:
            if seg.tag:
                noise.append(((pos, pos + len(seg.text)), seg.tag))
            pos += len(seg.text)
    joins = tuple(sorted((end(j.left), start(j.right)) for j in layout.joins))
    moves = tuple(
        TruthMove(m.article, (start(m.first), end(m.last)), m.window, m.tail) for m in layout.moves
    )
    return Page(text, tuple(truths), joins, tuple(noise), moves)


def make_pages(
    count: int, seed: int = 0, pool: Sequence[SourceArticle] | None = None
) -> list[Page]:
    """count damaged pages, the same for the same seed."""
    pool = load_source_articles() if pool is None else pool
    rng = random.Random(seed)
    return [make_page(rng, pool) for _ in range(count)]

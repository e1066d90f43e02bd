"""Cutting articles into passages on sentence boundaries, with offsets into the article."""

from __future__ import annotations

import re

from corpus.model import Article, Chunk
from corpus.text import sentence_spans, word_bounds

MAX_ANSWER_CHARS = 160  # an answer unit never exceeds the answer's length limit
# versions of the rules below, recorded in the index manifest: change one with the rules, so that
# an index cut by the old rules is rebuilt rather than extended
CHUNKING_RULES = "sentences-packed/v1"
ANSWER_UNIT_RULES = "sentences+clause-windows/v1"
# passage sizes in characters (recorded in the index manifest)
TARGET_CHARS, MAX_CHARS, MIN_CHARS = 300, 400, 150
_CLAUSE_RE = re.compile(r"[^，,、：:]*(?:[，,、：:]+|$)")


def chunk_id(doc_id: str, start: int, end: int) -> str:
    return f"{doc_id}:{start}-{end}"


def split_long_span(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Pieces of text[start:end] no longer than max_chars, cut after commas where possible and
    otherwise between jieba words, never inside a word."""
    if end - start <= max_chars:
        return [(start, end)]
    cuts: list[int] = [
        m.end() for m in _CLAUSE_RE.finditer(text, start, end) if m.end() > m.start()
    ]
    if len(cuts) < 2:  # between jieba words
        cuts = [start + b for b in word_bounds(text[start:end])[1:]]
    pieces: list[tuple[int, int]] = []
    piece_start = last = start
    for cut in cuts:
        if cut - piece_start > max_chars and last > piece_start:
            pieces.append((piece_start, last))
            piece_start = last
        last = cut
    pieces.append((piece_start, end))
    # a single word longer than max_chars stays whole rather than being cut inside
    return [p for p in pieces if p[1] > p[0]]


def answer_spans(
    text: str, start: int = 0, end: int | None = None, max_chars: int = MAX_ANSWER_CHARS
) -> list[tuple[int, int]]:
    """The units an answer is made of in text[start:end]: its sentences, and for a sentence over
    max_chars every window of whole clauses (whole words, for an overlong clause) that fits."""
    spans: list[tuple[int, int]] = []
    for s, e in sentence_spans(text, start, end):
        if e - s <= max_chars:
            spans.append((s, e))
            continue
        clauses = [
            piece
            for m in _CLAUSE_RE.finditer(text, s, e)
            if m.end() > m.start()
            for piece in split_long_span(text, m.start(), m.end(), max_chars)
        ]
        for i, (c_start, _) in enumerate(clauses):
            j = i
            while j + 1 < len(clauses) and clauses[j + 1][1] - c_start <= max_chars:
                j += 1
            spans.append((c_start, clauses[j][1]))
    return spans


def chunk_article(
    article: Article,
    target_chars: int = TARGET_CHARS,
    max_chars: int = MAX_CHARS,
    min_chars: int = MIN_CHARS,
) -> list[Chunk]:
    """Passages of about target_chars (at most max_chars unless one word is longer), made of
    whole sentences, each overlapping the previous one by its last sentence."""
    text = article.text
    units: list[tuple[int, int]] = []
    for s, e in sentence_spans(text):
        units.extend(split_long_span(text, s, e, max_chars))
    chunks: list[Chunk] = []
    i = 0
    while i < len(units):
        j = i
        size = units[i][1] - units[i][0]
        while j + 1 < len(units):
            nxt_end = units[j + 1][1]
            grown = nxt_end - units[i][0]
            paragraph_break = "\n" in text[units[j][1] : units[j + 1][0]]
            if grown > max_chars or (size >= target_chars and paragraph_break):
                break
            j += 1
            size = grown
        start, end = units[i][0], units[j][1]
        chunks.append(
            Chunk(
                chunk_id(article.doc_id, start, end),
                article.doc_id,
                article.title,
                text[start:end],
                start,
                end,
            )
        )
        if j + 1 >= len(units):
            break
        # overlap by one sentence, unless that sentence would make the next passage mostly repeat
        overlap = j if j > i and units[j][1] - units[j][0] < min_chars else j + 1
        i = overlap
    return chunks

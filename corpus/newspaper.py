"""Splitting an OCR'd newspaper page into the articles a reader of the printed page would see.

A page is a run of lines. An article opens with a header: an optional series tag, a headline, an
optional sub-headline (`——…`) and a byline of personal names; the headline may be missing (the
title then comes from the first sentence) and the byline may instead close the article in
parentheses. The rules below look only at the shape of lines, never at particular words.
"""

from __future__ import annotations

from collections.abc import Sequence

from corpus.model import Article, Edit
from corpus.page_headers import Header, find_headers
from corpus.page_lines import Line, LineKind, is_bare_headline, page_lines, parse_byline
from corpus.punctuation import SENTENCE_MARKS
from corpus.repair import repair_articles
from corpus.repair_lines import (
    Paragraph,
    ends_sentence,
    goes_on,
)
from corpus.repair_moves import PageVocabulary
from corpus.text import last_clause_cut, sentence_spans, words_within

TITLE_MAX_CHARS = 24


def _title_from_text(text: str) -> str:
    """A headline-length title from the first sentence, cut at a clause or word boundary."""
    spans = sentence_spans(text)
    if not spans:
        return ""
    first = text[spans[0][0] : spans[0][1]].rstrip(SENTENCE_MARKS + "”’")
    if len(first) <= TITLE_MAX_CHARS:
        return first
    cut = last_clause_cut(first, TITLE_MAX_CHARS)
    if cut >= 6:
        return first[:cut]
    return words_within(first, TITLE_MAX_CHARS) or first[:TITLE_MAX_CHARS]


def _body_paragraphs(lines: Sequence[Line], start: int, stop: int) -> list[Paragraph]:
    """The lines start..stop as working paragraphs; closing bylines stay in place, flagged."""
    return [
        Paragraph(
            spans=[(lines[k].start, lines[k].end)],
            line=k,
            byline=lines[k].kind is LineKind.CLOSING_BYLINE,
        )
        for k in range(start, stop)
    ]


def _edits_by_part(edits: Sequence[Edit], parts: Sequence[list[Paragraph]]) -> list[list[Edit]]:
    """Give each edit to the part whose text it touches (the first part when unclear)."""
    extents = [[(p.start, p.end) for p in part if p.spans] for part in parts]
    out: list[list[Edit]] = [[] for _ in parts]
    for edit in edits:
        owner = next(
            (
                k
                for k, spans in enumerate(extents)
                if any(s <= edit.source_start <= e for s, e in spans)
            ),
            0,
        )
        out[owner].append(edit)
    return out


def _split_at_signed_end(
    page: str, header: Header, body: list[Paragraph]
) -> list[tuple[Header, list[Paragraph]]]:
    """Split off the unsigned article a closing byline reveals inside an article signed on top.

    After the repair a closing byline still inside such an article signs an article of its own
    that begins at a bare headline above it: the one that leaves the two articles' texts least
    alike.
    """
    closing = next((k for k, p in enumerate(body) if p.byline), None)
    if not header.byline or closing is None:
        return [(header, body)]
    texts = [p.text(page) for p in body]
    candidates = [
        k
        for k in range(1, closing - 1)
        if is_bare_headline(texts[k])
        and not body[k + 1].byline
        and not goes_on(texts[k], texts[k + 1])
        and not texts[k - 1].endswith("——")
        and (len(texts[k + 1]) > 30 or ends_sentence(texts[k + 1]))
    ]
    if not candidates:
        return [(header, body)]

    vocabulary = PageVocabulary(texts)

    def evidence(k: int) -> float:
        # the two articles' texts are about different things
        return -vocabulary.similarity(" ".join(texts[:k]), " ".join(texts[k + 1 : closing]))

    k = max(candidates, key=evidence)
    opened = Header(first_line=body[k].line, body_line=body[k].line + 1, title=texts[k])
    return [(header, body[:k]), (opened, body[k + 1 :])]


def _split_after_closing_bylines(
    page: str, headers: list[Header], bodies: list[list[Paragraph]], edits: list[list[Edit]]
) -> list[tuple[Header, list[Paragraph], list[Edit]]]:
    """Cut the repaired bodies where a closing byline shows that another article begins.

    Text after a closing byline is another article; a closing byline inside an article signed
    on top signs an article that begins at a bare headline above it.
    """
    out: list[tuple[Header, list[Paragraph], list[Edit]]] = []
    for header, body, found in zip(headers, bodies, edits, strict=True):
        parts: list[tuple[Header, list[Paragraph]]] = []
        current: list[Paragraph] = []
        current_header = header
        for pos, para in enumerate(body):
            current.append(para)
            if para.byline and any(not p.byline for p in body[pos + 1 :]):
                parts.extend(_split_at_signed_end(page, current_header, current))
                current = []
                current_header = Header(first_line=para.line + 1, body_line=para.line + 1)
        parts.extend(_split_at_signed_end(page, current_header, current))
        assigned = _edits_by_part(found, [b for _, b in parts])
        out.extend((h, b, e) for (h, b), e in zip(parts, assigned, strict=True))
    return out


def split_articles(page: str, doc_prefix: str) -> list[Article]:
    """The articles of an OCR'd newspaper page, in reading order, with their repairs recorded.

    Each article gets doc_id f"{doc_prefix}-{n}" (n from 1), a title (series tag + space +
    headline when there is a series tag; the first sentence, cut to headline length, when there
    is no headline), its byline, its cleaned body (one paragraph a line, section headings kept as
    their own lines) and metadata {"subtitle", "series"} where printed. Edits hold offsets into
    `page`. Articles without body text are left out.
    """
    lines = page_lines(page)
    if not lines:
        return []
    headers = find_headers(lines)
    stops = [h.first_line for h in headers[1:]] + [len(lines)]
    bodies = [
        _body_paragraphs(lines, h.body_line, stop) for h, stop in zip(headers, stops, strict=True)
    ]
    edits = repair_articles(page, bodies, [bool(h.byline) for h in headers])
    articles: list[Article] = []
    for header, body, found in _split_after_closing_bylines(page, headers, bodies, edits):
        text = "\n".join(p.text(page) for p in body if not p.byline).strip()
        if not text:
            continue
        closing = [parse_byline(p.text(page)) for p in body if p.byline]
        headline = header.title or _title_from_text(text)
        title = f"{header.series} {headline}" if header.series else headline
        metadata: dict[str, str] = {}
        if header.subtitle:
            metadata["subtitle"] = header.subtitle
        if header.series:
            metadata["series"] = header.series
        articles.append(
            Article(
                doc_id=f"{doc_prefix}-{len(articles) + 1}",
                title=title,
                text=text,
                byline=header.byline or next((c[0] for c in closing if c), ""),
                metadata=metadata,
                edits=tuple(sorted(found, key=lambda e: (e.source_start, e.source_end))),
            )
        )
    return articles


def describe_articles(articles: Sequence[Article]) -> str:
    """The articles as plain text for a person to check: header, body, and each repair made."""
    blocks: list[str] = []
    for article in articles:
        head = [f"=== {article.doc_id}  {article.title}"]
        if article.byline:
            head.append(f"byline: {article.byline}")
        for key, value in article.metadata.items():
            head.append(f"{key}: {value}")
        head.append(f"{len(article.text)} chars, {len(article.edits)} edits")
        head.append("")
        head.append(article.text)
        if article.edits:
            head.append("")
            head.append("edits (offsets into the page):")
            for edit in article.edits:
                rule = f" ({edit.rule})" if edit.rule else ""
                head.append(
                    f"  {edit.kind:<5} [{edit.source_start}:{edit.source_end}] {edit.detail}{rule}"
                )
        blocks.append("\n".join(head))
    return "\n\n".join(blocks) + ("\n" if blocks else "")

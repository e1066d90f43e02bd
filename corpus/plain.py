"""One article as a person writes it: a headline (a Markdown heading or a short first line), then
credit lines (byline, date, source, link) that become metadata, then the body.

Only the shape of lines is read: a credit line is one made only of a date, a `来源:` source, a
link and reporter names after a role (记者, 通讯员…); nothing of it stays in the title or body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.model import Article
from corpus.punctuation import CJK, HEADLINE_STOPS, SENTENCE_MARKS
from corpus.text import last_clause_cut, sentence_spans, words_within

HEADLINE_MAX_CHARS = 40
TITLE_MAX_CHARS = 24
CREDIT_LINES_MAX = 3  # credit lines are read only right under the headline (or at the top)
_HEADING_RE = re.compile(r"^#{1,6}\s+")
_DATE_RE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-年/.]\s*(?P<m>\d{1,2})\s*[-月/.]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
)
_SOURCE_RE = re.compile(rf"(?:来源|来自|稿源|出处)\s*[:：]\s*(?P<source>[{CJK}\w·]+)")
_URL_RE = re.compile(r"(?:(?:原文)?链接\s*[:：]\s*)?(?P<url>https?://\S+)")
_ROLE_RE = re.compile(
    rf"(?:本报|新华社|央视|本台)?(?:特约|见习|实习)?(?:记者|通讯员|撰稿|文|图|编辑)\s*[:：/]?\s*"
    rf"(?P<names>[{CJK}]{{2,4}}(?:[\s、,，]+[{CJK}]{{2,4}})*)"
)
_NAMES_RE = re.compile(rf"^[{CJK}]{{2,4}}(?:[\s、]+[{CJK}]{{2,4}}){{1,3}}$")
_WHEN_CLAUSE_RE = re.compile(
    r"^(?:[0-9０-９]+\s*[年月日号时点分]|[上下中]午|早上|晚上|凌晨|今天|昨天|近日|日前|\s)+[，,、]"
)
_LEFTOVER_RE = re.compile(rf"[{CJK}A-Za-z0-9]")
_PAGE_BYLINES = 2  # a file whose split yields this many signed articles is a newspaper page


@dataclass(slots=True)
class Credits:
    """What credit lines say about an article."""

    byline: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


def iso_date(value: str) -> str | None:
    """The YYYY-MM-DD of a date written 2024-07-08, 2024/7/8, 2024.7.8 or 2024年7月8日."""
    found = _DATE_RE.search(value)
    if not found:
        return None
    return f"{found['y']}-{int(found['m']):02d}-{int(found['d']):02d}"


def read_credit_line(line: str) -> Credits | None:
    """The byline, date, source and link of a credit line; None when the line says anything
    else (then it is body text)."""
    credits = Credits()
    rest = line
    date = _DATE_RE.search(rest)
    if date:
        credits.metadata["date"] = iso_date(date[0]) or date[0]
        rest = rest[: date.start()] + " " + rest[date.end() :]
    url = _URL_RE.search(rest)
    if url:
        credits.metadata["url"] = url["url"]
        rest = rest[: url.start()] + " " + rest[url.end() :]
    source = _SOURCE_RE.search(rest)
    if source:
        credits.metadata["source"] = source["source"]
        rest = rest[: source.start()] + " " + rest[source.end() :]
    names: list[str] = []
    for role in _ROLE_RE.finditer(rest):
        names.extend(n for n in re.split(r"[\s、,，]+", role["names"]) if n)
    rest = _ROLE_RE.sub(" ", rest)
    if not names and _NAMES_RE.match(rest.strip()) and not credits.metadata:
        names, rest = rest.split(), ""
    credits.byline = " ".join(names)
    if _LEFTOVER_RE.search(rest) or not (credits.byline or credits.metadata):
        return None
    return credits


def is_headline(line: str) -> bool:
    """A short line ending no sentence: a headline when text follows it."""
    return (
        1 <= len(line) <= HEADLINE_MAX_CHARS
        and not any(c in HEADLINE_STOPS for c in line)
        and read_credit_line(line) is None
    )


def title_from_text(text: str) -> str:
    """A headline-length title from the first sentence, cut between words; a leading clause
    that only says when (12月28日上午9时,…) is not title enough on its own."""
    spans = sentence_spans(text)
    if not spans:
        return ""
    first = text[spans[0][0] : spans[0][1]].rstrip(SENTENCE_MARKS + "”’")
    when = _WHEN_CLAUSE_RE.match(first)
    if when and len(first) - when.end() >= 6:
        first = first[when.end() :]
    if len(first) <= TITLE_MAX_CHARS:
        return first
    cut = last_clause_cut(first, TITLE_MAX_CHARS)
    if cut >= TITLE_MAX_CHARS // 3:
        return first[:cut]
    return words_within(first, TITLE_MAX_CHARS).rstrip("，,、：:") or first[:TITLE_MAX_CHARS]


def parse_article(text: str, doc_id: str) -> Article | None:
    """The article of one plain file: title, byline and metadata from its first lines, the rest
    its body (one paragraph a line); None when there is no body text."""
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    if not lines:
        return None
    title = ""
    first = lines[0]
    heading = _HEADING_RE.match(first)
    if heading or (len(lines) > 1 and is_headline(first)):
        title = first[heading.end() :].strip() if heading else first
        lines = lines[1:]
    credits = Credits()
    while lines and len(credits.metadata) + bool(credits.byline) < 2 * CREDIT_LINES_MAX:
        found = read_credit_line(lines[0])
        if found is None:
            break
        credits.byline = " ".join(filter(None, (credits.byline, found.byline)))
        credits.metadata.update(found.metadata)
        lines = lines[1:]
    body = "\n".join(_HEADING_RE.sub("", ln) for ln in lines)
    if not body.strip():
        return None
    return Article(
        doc_id=doc_id,
        title=title or title_from_text(body),
        text=body,
        byline=credits.byline,
        metadata=dict(credits.metadata),
    )


def looks_like_page(signed_articles: int) -> bool:
    """A newspaper page holds several articles under bylines of their own."""
    return signed_articles >= _PAGE_BYLINES

"""Newspaper pages, evidence and headers: where each article opens (series tag, headline,
sub-headline, byline) and the evidence that a bare line ends the article above or opens one.

The rules look only at the shape of lines and the page's own words; each weight is named with
its reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from corpus.model import Edit
from corpus.page_lines import (
    Line,
    LineKind,
    brackets_closed,
    is_bare_headline,
    is_headline,
    parse_byline,
)
from corpus.punctuation import CLAUSE_MARKS
from corpus.repair_lines import (
    JOIN_GAIN_WORD,
    continues_plainly,
    ends_sentence,
    goes_on,
    join_gain,
    pair_recurs,
    runs_into,
)
from corpus.repair_moves import PageVocabulary, content_words
from corpus.text import pos_tags

# A bare line above a byline, after a finished sentence, ends the article above only when it is
# this many times likelier to the text above than to the text under the byline.
SCRAP_LIKENESS = 2.0
# Text this alike (tf-idf cosine) to the opening of the article it is printed in goes on with it.
HOST_LIKENESS = 0.11
# Choosing the headline a left-over closing byline signs: a bonus for standing in the byline's
# own stretch of text, and a penalty for sharing words with the lines above (their article's).
SAME_STRETCH_BONUS = 0.02
ABOVE_WORDS_WEIGHT = 0.2
FUNCTION_OPENING_PENALTY = 0.1
# A series tag is usually marked: 栏目·主题, a number in brackets, or 【】.
_SERIES_MARK_RE = re.compile(r"[·•]|[(（【〔][一二三四五六七八九十\d]+[)）】〕]$|【")


@dataclass(slots=True)
class Header:
    first_line: int  # the article's first line (header included)
    body_line: int  # its first body line
    title: str = ""
    series: str = ""
    subtitle: str = ""
    byline: str = ""
    edits: list[Edit] = field(default_factory=list)


def _after_article_end(lines: Sequence[Line], k: int, floor: int) -> bool:
    """Whether line k starts the page's unclaimed text or follows a closing byline."""
    return k - 1 < floor or lines[k - 1].kind is LineKind.CLOSING_BYLINE


def _ends_article_above(lines: Sequence[Line], j: int, i: int, floor: int) -> bool:
    """Whether line j, right above a byline on line i, reads as the end of the article above.

    It does when its words are the article above's rather than those of the article under the
    byline; a bare headline-like line after a finished sentence must be `SCRAP_LIKENESS` times
    more about the text above, since headlines usually stand there.
    """
    line = lines[j].text
    if j - 1 >= floor and lines[j - 1].kind is LineKind.CLOSING_BYLINE:
        return False  # the article above ended with its byline
    above = [ln.text for ln in lines[max(floor, j - 5) : j] if _body_like(ln)]
    follows_cut = (
        j - 1 >= floor and _body_like(lines[j - 1]) and not ends_sentence(lines[j - 1].text)
    )
    below = [ln.text for ln in lines[i + 1 : i + 6] if ln.kind is LineKind.TEXT]
    similarity = _vocabulary(lines).similarity
    if is_bare_headline(line) and not follows_cut:
        # a headline is about the text under its byline; only a line much more about the text
        # above, which finished its sentence, is a scrap of that text
        prev = lines[j - 1] if j - 1 >= floor else None
        if prev is not None and prev.kind is LineKind.TEXT and ends_sentence(prev.text):
            return _continued_later(lines, j, i, any_line=True) and similarity(
                line, " ".join(above)
            ) > SCRAP_LIKENESS * similarity(line, " ".join(below))
    prev_open = (
        j - 1 >= floor
        and lines[j - 1].kind is LineKind.TEXT
        and not ends_sentence(lines[j - 1].text)
    )
    if is_bare_headline(line) and prev_open:
        # a bare line under a line left unfinished (a sentence whose rest is printed elsewhere,
        # or a series tag) is a headline unless that line plainly runs into it, and no line
        # further down takes it on as well
        open_text = lines[j - 1].text
        if continues_plainly(open_text, line):
            return True
        gain = join_gain(open_text, line)
        return gain >= JOIN_GAIN_WORD and all(
            join_gain(open_text, ln.text) < gain
            for ln in lines[i + 1 :]
            if ln.kind is LineKind.TEXT
        )
    # the line above's sentence plainly goes on into this one, or this one leaves a bracket open
    if follows_cut and (continues_plainly(lines[j - 1].text, line) or not brackets_closed(line)):
        return True
    return similarity(line, " ".join(above)) > similarity(line, " ".join(below))


@lru_cache(maxsize=8)
def _page_vocabulary(texts: tuple[str, ...]) -> PageVocabulary:
    return PageVocabulary(texts)


def _vocabulary(lines: Sequence[Line]) -> PageVocabulary:
    """The vocabulary of the page the lines make up, built once per page."""
    return _page_vocabulary(tuple(ln.text for ln in lines))


def _header_before(lines: Sequence[Line], i: int, floor: int) -> tuple[int, str, str, list[str]]:
    """Walk back from line i over sub-headlines, a headline and a series tag.

    Returns the header's first line, the headline, the series tag and the sub-headlines.
    """
    j = i - 1
    subtitles: list[str] = []
    while j >= floor and lines[j].kind is LineKind.SUBTITLE and len(subtitles) < 2:
        subtitles.insert(0, lines[j].text)
        j -= 1
    first, headline, series = j + 1, "", ""
    if (
        j >= floor
        and lines[j].kind is LineKind.TEXT
        and is_headline(lines[j].text)
        and brackets_closed(lines[j].text)
        and (subtitles or not _ends_article_above(lines, j, i, floor))
        and (subtitles or not _continued_later(lines, j, i))
    ):
        headline, first = lines[j].text, j
        series = _series_above(lines, j, floor)
        if series:
            first = j - 1
    return first, headline, series, subtitles


def _continued_later(lines: Sequence[Line], j: int, i: int, any_line: bool = False) -> bool:
    """Whether line j, above a byline on line i, reads as a paragraph cut off whose rest is
    printed further down the page, after other text: a line there goes on from it plainly or
    with a dictionary word across the cut. Only lines that read as running text (with clause
    punctuation) are tested: a headline's last word may well begin some other line."""
    text = lines[j].text
    if not any_line and not any(c in CLAUSE_MARKS for c in text):
        return False
    page_text = "\n".join(ln.text for ln in lines)
    return any(
        lines[m].kind is LineKind.TEXT
        and lines[m - 1].kind is LineKind.TEXT
        and (runs_into(text, lines[m].text) or pair_recurs(page_text, text, lines[m].text))
        for m in range(i + 2, len(lines))
    )


def _body_like(line: Line) -> bool:
    """A line of running text: long, or ending or containing sentence or clause punctuation."""
    return line.kind is LineKind.TEXT and (
        len(line.text) > 30 or ends_sentence(line.text) or any(c in CLAUSE_MARKS for c in line.text)
    )


def find_headers(lines: Sequence[Line]) -> list[Header]:
    """Article headers in reading order, each with the line range it opens."""
    headers: list[Header] = []
    floor = 0  # lines before this belong to an earlier header or body already claimed

    def open_at(i: int, body_line: int, byline: str = "") -> None:
        nonlocal floor
        first, headline, series, subtitles = _header_before(lines, i, floor)
        if headers and first <= headers[-1].body_line - 1:
            first = headers[-1].body_line
        headers.append(
            Header(
                first_line=first,
                body_line=body_line,
                title=headline,
                series=series,
                subtitle=" ".join(subtitles),
                byline=byline,
            )
        )
        floor = body_line

    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < n else None
        if line.kind is LineKind.BYLINE:
            open_at(i, i + 1, parse_byline(line.text)[0])  # type: ignore[index]
        elif line.kind is LineKind.SUBTITLE and (nxt is None or nxt.kind is not LineKind.BYLINE):
            if i - 1 >= floor and is_headline(lines[i - 1].text):
                open_at(i, i + 1)
        elif (
            line.kind is LineKind.CLOSING_BYLINE
            and i - 1 >= floor
            and (lines[i - 1].kind is LineKind.SUBTITLE or is_bare_headline(lines[i - 1].text))
            and nxt is not None
            and _body_like(nxt)
        ):
            # a parenthesised byline right under a headline opens the article
            open_at(i, i + 1, parse_byline(line.text)[0])  # type: ignore[index]
        elif (
            line.kind is LineKind.TEXT
            and nxt is not None
            and _opens_alone(lines, i, floor, headers[-1] if headers else None)
        ):
            series = _series_above(lines, i, floor)
            first = i - 1 if series else i
            headers.append(Header(first, body_line=i + 1, title=line.text, series=series))
            floor = i + 1
        i += 1
    if not headers or headers[0].first_line > 0:
        headers.insert(0, Header(first_line=0, body_line=0))
    return _open_for_unowned_bylines(lines, headers)


def _headline_evidence(
    lines: Sequence[Line], k: int, low: int, high: int, vocabulary: PageVocabulary
) -> float:
    """How much bare line k reads as a new article's headline rather than a section heading.

    The text above and below a headline (within lines low..high, at most five lines each) are
    about different things; around a section heading they are about the same.
    """
    before = " ".join(ln.text for ln in lines[max(low, k - 5) : k] if ln.kind is LineKind.TEXT)
    after = " ".join(ln.text for ln in lines[k + 1 : min(high, k + 6)] if ln.kind is LineKind.TEXT)
    return -vocabulary.similarity(before, after)


_DATE_ONLY_RE = re.compile(r"^[\d\s年月日号时分.\-－—]+$")
# jieba's tags for words that open a clause rather than a name: conjunctions, prepositions,
# adverbs, pronouns and particles.
_CLAUSE_OPENING_POS = frozenset({"c", "p", "d", "r", "u", "ud", "ug", "uj", "ul", "uv", "uz"})


def _opens_like_a_clause(text: str) -> bool:
    """Whether a line opens as a clause does (on a conjunction, preposition, adverb or pronoun)
    or is only a date: a section heading pulled from running text, seldom a headline."""
    if _DATE_ONLY_RE.match(text):
        return True
    tagged = pos_tags(text[:8])
    return bool(tagged) and tagged[0][1] in _CLAUSE_OPENING_POS


def _shares_words_above(lines: Sequence[Line], k: int, top: int) -> float:
    """The share of the (up to eight) text lines above line k, from line top, that use a word
    of two or more characters of line k."""
    words = set(content_words(lines[k].text))
    above = [ln.text for ln in lines[top:k] if ln.kind is LineKind.TEXT][-8:]
    if not words or not above:
        return 0.0
    return sum(1 for text in above if words & set(content_words(text))) / len(above)


def _open_for_unowned_bylines(lines: Sequence[Line], headers: list[Header]) -> list[Header]:
    """Open articles until every closing byline on the page signs an article of its own.

    Each closing byline signs one article above it that has no byline of its own. A closing
    byline left without one opens an article at the bare headline above it with the strongest
    evidence of a new article: anywhere above, as a byline travels with a moved continuation.
    """
    headers = sorted(headers, key=lambda h: h.first_line)
    vocabulary = _vocabulary(lines)
    taken = {h.first_line for h in headers} | {h.body_line - 1 for h in headers}
    starts = [h.first_line for h in headers] + [len(lines)]
    pending = 0
    for c, line in enumerate(lines):
        pending += sum(1 for h in headers if h.first_line == c and not h.byline)
        if line.kind is not LineKind.CLOSING_BYLINE:
            continue
        if pending:
            pending -= 1
        else:

            def opens_here(k: int) -> bool:
                return (
                    k not in taken
                    and lines[k].kind is LineKind.TEXT
                    and is_bare_headline(lines[k].text)
                    and _text_under(lines, k)
                    and not goes_on(lines[k].text, lines[k + 1].text)
                    and lines[k - 1].kind is not LineKind.SUBTITLE
                    and not lines[k - 1].text.endswith("——")
                )

            candidates = [k for k in range(1, c - 1) if opens_here(k)]
            segment = max(s for s in starts if s <= c)

            def evidence(k: int, segment: int = segment) -> float:
                top = max(s for s in starts if s <= k)
                bottom = min(s for s in starts if s > k)
                # the byline usually stands in the same stretch of text as its headline, whose
                # words are not those of the article above it
                return (
                    _headline_evidence(lines, k, top, bottom, vocabulary)
                    + SAME_STRETCH_BONUS * (k > segment)
                    - ABOVE_WORDS_WEIGHT * _shares_words_above(lines, k, top)
                    - FUNCTION_OPENING_PENALTY * _opens_like_a_clause(lines[k].text)
                )

            if candidates:
                k = max(candidates, key=evidence)
                headers.append(Header(first_line=k, body_line=k + 1, title=lines[k].text))
                taken.add(k)
    return sorted(headers, key=lambda h: h.first_line)


def _series_above(lines: Sequence[Line], i: int, floor: int) -> str:
    """The series tag printed right above the headline on line i, or ""."""
    k = i - 1
    if (
        k >= floor
        and lines[k].kind is LineKind.TEXT
        and is_bare_headline(lines[k].text)
        and (_SERIES_MARK_RE.search(lines[k].text) or _after_article_end(lines, k, floor))
    ):
        return lines[k].text
    return ""


def _text_under(lines: Sequence[Line], i: int) -> bool:
    """Whether running text follows line i: a body-like line, or one broken short (over twelve
    characters, leaving a bracket open or plainly running into the line after it)."""
    nxt = lines[i + 1]
    if _body_like(nxt):
        return True
    if nxt.kind is not LineKind.TEXT:
        return False
    return len(nxt.text) > 12 or (
        i + 2 < len(lines)
        and lines[i + 2].kind is LineKind.TEXT
        and not ends_sentence(nxt.text)
        and (not brackets_closed(nxt.text) or goes_on(nxt.text, lines[i + 2].text))
    )


def _opens_alone(lines: Sequence[Line], i: int, floor: int, host: Header | None = None) -> bool:
    """Whether a bare headline with body text right under it opens an article by local evidence.

    The evidence: a marked series tag above it, or it is the page's first line, or the line
    above closed an article (a closing byline) or stops mid-sentence without running into it
    (the article above jumps elsewhere). A closing byline inside an article signed on top (host)
    has travelled with a moved continuation: the line under it opens an article only when the
    text below is not about the host's opening.
    """
    line, nxt = lines[i], lines[i + 1]
    if not is_bare_headline(line.text) or not _text_under(lines, i) or goes_on(line.text, nxt.text):
        return False
    if i + 2 < len(lines) and lines[i + 2].kind in (LineKind.BYLINE, LineKind.SUBTITLE):
        return False  # a series tag over the headline of the article whose byline follows
    series = _series_above(lines, i, floor)
    if series and _SERIES_MARK_RE.search(series):
        return True
    first = i - 1 if series else i
    if first == 0:
        return True
    if first - 1 < floor or _opens_like_a_clause(line.text):
        return False
    prev = lines[first - 1]
    if prev.kind is LineKind.CLOSING_BYLINE:
        if host is None or not host.byline:
            return True
        opening = [ln.text for ln in lines[host.body_line : host.body_line + 4]]
        below = [ln.text for ln in lines[i + 1 : i + 6] if ln.kind is LineKind.TEXT]
        return _vocabulary(lines).similarity(" ".join(opening), " ".join(below)) < HOST_LIKENESS
    if prev.kind is not LineKind.TEXT or prev.text.endswith("——"):
        return False
    if ends_sentence(prev.text) or join_gain(prev.text, lines[first].text) >= JOIN_GAIN_WORD:
        return False
    if _continues_earlier(lines, first):
        return False
    # a scrap of the interrupted paragraph is about its text; a headline about the text below
    above = [ln.text for ln in lines[max(floor, first - 5) : first] if _body_like(ln)]
    below = [ln.text for ln in lines[i + 1 : i + 6] if ln.kind is LineKind.TEXT]
    similarity = _vocabulary(lines).similarity
    return similarity(line.text, " ".join(below)) > similarity(line.text, " ".join(above))


def _continues_earlier(lines: Sequence[Line], i: int) -> bool:
    """Whether line i goes on from a sentence left unfinished higher up the page, with a
    dictionary word formed across the cut: a continuation printed away from its article."""
    text = lines[i].text
    return any(
        lines[k].kind is LineKind.TEXT
        and _body_like(lines[k])
        and not ends_sentence(lines[k].text)
        and join_gain(lines[k].text, text) >= JOIN_GAIN_WORD
        for k in range(i - 1)
    )

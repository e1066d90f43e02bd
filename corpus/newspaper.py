"""Splitting an OCR'd newspaper page into the articles a reader of the printed page would see.

A page is a run of lines. An article opens with a header: an optional series tag, a headline, an
optional sub-headline (`——…`) and a byline of personal names; the headline may be missing (the
title then comes from the first sentence) and the byline may instead close the article in
parentheses. The rules below look only at the shape of lines, never at particular words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

import jieba

from corpus.model import Article, Edit
from corpus.repair import (
    JOIN_GAIN_WORD,
    PageVocabulary,
    Paragraph,
    content_words,
    continues_plainly,
    ends_sentence,
    goes_on,
    join_gain,
    pair_recurs,
    repair_articles,
    runs_into,
)
from corpus.text import pos_tags, sentence_spans

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
# Common single-character surnames; a byline name starts with one of these or a compound surname.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳"
    "甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解"
    "牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边"
    "卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝蔺湛谈揭粟钮铁阎"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "令狐",
    "公孙",
    "慕容",
    "尉迟",
)
_BYLINE_ROLES = ("本报记者", "特约记者", "见习记者", "通讯员", "记者")
_NAME_RE = re.compile(rf"[{_CJK}]{{2,4}}")
_PAREN_RE = re.compile(r"^[(（](.*)[)）]$")
_SUBTITLE_RE = re.compile(r"^(?:——|—|--)\s*\S")
_SENTENCE_MARKS = "。！？!?；;…"
_HEADLINE_STOPS = "。；;…"
_CLAUSE_MARKS = "，,、：:；;"
TITLE_MAX_CHARS = 24
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
_BRACKETS = ("()", "（）", "《》", "“”", "「」", "【】")
# A series tag is usually marked: 栏目·主题, a number in brackets, or 【】.
_SERIES_MARK_RE = re.compile(r"[·•]|[(（【〔][一二三四五六七八九十\d]+[)）】〕]$|【")


class LineKind(Enum):
    TEXT = "text"
    BYLINE = "byline"  # names on a line of their own, opening an article
    CLOSING_BYLINE = "closing_byline"  # names in parentheses, closing an article
    SUBTITLE = "subtitle"


@dataclass(frozen=True, slots=True)
class Line:
    start: int  # offsets into the raw page, surrounding whitespace left out
    end: int
    text: str
    kind: LineKind


@dataclass(slots=True)
class _Header:
    first_line: int  # the article's first line (header included)
    body_line: int  # its first body line
    title: str = ""
    series: str = ""
    subtitle: str = ""
    byline: str = ""
    edits: list[Edit] = field(default_factory=list)


def _is_name(token: str) -> bool:
    if not _NAME_RE.fullmatch(token):
        return False
    for surname in _COMPOUND_SURNAMES:
        if token.startswith(surname):
            return 3 <= len(token) <= 4
    return token[0] in _SURNAMES and len(token) <= 3


def parse_byline(text: str) -> tuple[str, bool] | None:
    """The names of a byline line, space-separated, and whether it was in parentheses; else None.

    A byline is two to four personal names (surname plus one or two characters) separated by
    spaces, or one name after a role such as 记者.
    """
    stripped = text.strip()
    paren = _PAREN_RE.match(stripped)
    if paren:
        stripped = paren.group(1).strip()
    names: list[str] = []
    has_role = False
    for token in stripped.split():
        for role in _BYLINE_ROLES:
            if token.startswith(role):
                token, has_role = token[len(role) :], True
                break
        if not token:
            continue
        if not _is_name(token):
            return None
        names.append(token)
    if not (2 <= len(names) <= 4 or (has_role and 1 <= len(names) <= 6)):
        return None
    return " ".join(names), bool(paren)


def _is_headline(text: str) -> bool:
    """A short line that ends no sentence inside: a headline when a byline or subtitle follows.

    Exclamation and question marks may stand inside a headline, never a full stop.
    """
    return 1 <= len(text) <= 40 and not any(c in _HEADLINE_STOPS for c in text)


def _is_bare_headline(text: str) -> bool:
    """A headline standing alone: short, without clause punctuation or dash, brackets closed."""
    return (
        3 <= len(text) <= 30
        and _is_headline(text)
        and not any(c in _CLAUSE_MARKS for c in text)
        and "——" not in text
        and _brackets_closed(text)
    )


def _brackets_closed(text: str) -> bool:
    return all(text.count(pair[0]) == text.count(pair[1]) for pair in _BRACKETS)


def page_lines(page: str) -> list[Line]:
    """The non-blank lines of a page with their raw offsets and layout kind."""
    lines: list[Line] = []
    for m in re.finditer(r"[^\n]+", page):
        s, e = m.start(), m.end()
        while s < e and page[s].isspace():
            s += 1
        while e > s and page[e - 1].isspace():
            e -= 1
        if s == e:
            continue
        text = page[s:e]
        kind = LineKind.TEXT
        byline = parse_byline(text)
        if byline is not None:
            kind = LineKind.CLOSING_BYLINE if byline[1] else LineKind.BYLINE
        elif _SUBTITLE_RE.match(text) and len(text) <= 60:
            kind = LineKind.SUBTITLE
        lines.append(Line(s, e, text, kind))
    return lines


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
    if _is_bare_headline(line) and not follows_cut:
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
    if _is_bare_headline(line) and prev_open:
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
    if follows_cut and (continues_plainly(lines[j - 1].text, line) or not _brackets_closed(line)):
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
        and _is_headline(lines[j].text)
        and _brackets_closed(lines[j].text)
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
    if not any_line and not any(c in _CLAUSE_MARKS for c in text):
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
        len(line.text) > 30
        or ends_sentence(line.text)
        or any(c in _CLAUSE_MARKS for c in line.text)
    )


def _find_headers(lines: Sequence[Line]) -> list[_Header]:
    """Article headers in reading order, each with the line range it opens."""
    headers: list[_Header] = []
    floor = 0  # lines before this belong to an earlier header or body already claimed

    def open_at(i: int, body_line: int, byline: str = "") -> None:
        nonlocal floor
        first, headline, series, subtitles = _header_before(lines, i, floor)
        if headers and first <= headers[-1].body_line - 1:
            first = headers[-1].body_line
        headers.append(
            _Header(
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
            if i - 1 >= floor and _is_headline(lines[i - 1].text):
                open_at(i, i + 1)
        elif (
            line.kind is LineKind.CLOSING_BYLINE
            and i - 1 >= floor
            and (lines[i - 1].kind is LineKind.SUBTITLE or _is_bare_headline(lines[i - 1].text))
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
            headers.append(_Header(first, body_line=i + 1, title=line.text, series=series))
            floor = i + 1
        i += 1
    if not headers or headers[0].first_line > 0:
        headers.insert(0, _Header(first_line=0, body_line=0))
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


def _open_for_unowned_bylines(lines: Sequence[Line], headers: list[_Header]) -> list[_Header]:
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
                    and _is_bare_headline(lines[k].text)
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
                headers.append(_Header(first_line=k, body_line=k + 1, title=lines[k].text))
                taken.add(k)
    return sorted(headers, key=lambda h: h.first_line)


def _series_above(lines: Sequence[Line], i: int, floor: int) -> str:
    """The series tag printed right above the headline on line i, or ""."""
    k = i - 1
    if (
        k >= floor
        and lines[k].kind is LineKind.TEXT
        and _is_bare_headline(lines[k].text)
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
        and (not _brackets_closed(nxt.text) or goes_on(nxt.text, lines[i + 2].text))
    )


def _opens_alone(lines: Sequence[Line], i: int, floor: int, host: _Header | None = None) -> bool:
    """Whether a bare headline with body text right under it opens an article by local evidence.

    The evidence: a marked series tag above it, or it is the page's first line, or the line
    above closed an article (a closing byline) or stops mid-sentence without running into it
    (the article above jumps elsewhere). A closing byline inside an article signed on top (host)
    has travelled with a moved continuation: the line under it opens an article only when the
    text below is not about the host's opening.
    """
    line, nxt = lines[i], lines[i + 1]
    if (
        not _is_bare_headline(line.text)
        or not _text_under(lines, i)
        or goes_on(line.text, nxt.text)
    ):
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


def _title_from_text(text: str) -> str:
    """A headline-length title from the first sentence, cut at a clause or word boundary."""
    spans = sentence_spans(text)
    if not spans:
        return ""
    first = text[spans[0][0] : spans[0][1]].rstrip(_SENTENCE_MARKS + "”’")
    if len(first) <= TITLE_MAX_CHARS:
        return first
    cuts = [k for k, c in enumerate(first[: TITLE_MAX_CHARS + 1]) if c in "，,、；;：:"]
    if cuts and cuts[-1] >= 6:
        return first[: cuts[-1]]
    title = ""
    for word in jieba.cut(first):
        if len(title) + len(word) > TITLE_MAX_CHARS:
            break
        title += word
    return title or first[:TITLE_MAX_CHARS]


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
    page: str, header: _Header, body: list[Paragraph]
) -> list[tuple[_Header, list[Paragraph]]]:
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
        if _is_bare_headline(texts[k])
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
    opened = _Header(first_line=body[k].line, body_line=body[k].line + 1, title=texts[k])
    return [(header, body[:k]), (opened, body[k + 1 :])]


def _split_after_closing_bylines(
    page: str, headers: list[_Header], bodies: list[list[Paragraph]], edits: list[list[Edit]]
) -> list[tuple[_Header, list[Paragraph], list[Edit]]]:
    """Cut the repaired bodies where a closing byline shows that another article begins.

    Text after a closing byline is another article; a closing byline inside an article signed
    on top signs an article that begins at a bare headline above it.
    """
    out: list[tuple[_Header, list[Paragraph], list[Edit]]] = []
    for header, body, found in zip(headers, bodies, edits, strict=True):
        parts: list[tuple[_Header, list[Paragraph]]] = []
        current: list[Paragraph] = []
        current_header = header
        for pos, para in enumerate(body):
            current.append(para)
            if para.byline and any(not p.byline for p in body[pos + 1 :]):
                parts.extend(_split_at_signed_end(page, current_header, current))
                current = []
                current_header = _Header(first_line=para.line + 1, body_line=para.line + 1)
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
    headers = _find_headers(lines)
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
                head.append(
                    f"  {edit.kind:<5} [{edit.source_start}:{edit.source_end}] {edit.detail}"
                )
        blocks.append("\n".join(head))
    return "\n\n".join(blocks) + ("\n" if blocks else "")

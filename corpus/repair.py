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

from corpus.model import Edit
from corpus.text import pos_tags

Span = tuple[int, int]

# Marks after which a paragraph may end; a colon introduces the list that follows.
_FINAL = "。！？!?；;：:…"
_SENTENCE_MARKS = "。！？!?；;…"
_CLOSERS = "”’」』）)》〉】\"'"
_CLAUSE = "，,、"
_BRACKET_PAIRS = ("()", "（）", "《》", "“”", "「」", "【】", "〈〉")
# Characters that cannot open a phrase: a line starting with one continues the line above.
_BOUND_STARTS = "的了着们得之"
# Characters that, standing alone at the end of a line, leave the phrase open.
_OPEN_ENDINGS = set(
    "的地得之在和与及或是把被将对从向于以为并而且但等其该这那每各了就也都还又才很更最"
)
# Parts of speech (jieba's tags) of one-character words that leave a phrase open when they end
# a line: prepositions, conjunctions and particles.
_OPEN_POS = frozenset({"p", "c", "u", "ud", "ug", "uj", "ul", "uv", "uz"})
# Characters that follow a number as its unit or measure word: a line ending on digits whose
# next line opens on one of these has a number cut from its unit.
_UNITS = "年月日时分秒岁个名位次号届期万亿千百米克斤吨元倍度条座所家辆架艘项件种部本场余多"
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_CJK_RUN_END = re.compile(rf"[{_CJK}]{{1,4}}$")
_CJK_RUN_START = re.compile(rf"^[{_CJK}]{{1,4}}")
_CJK_WORD = re.compile(rf"[{_CJK}]{{2,}}")
# A word across a line break raises the best segmentation's log-probability by this much or more.
JOIN_GAIN_WORD = 2.0
_GAIN_CAP = 8.0
# Character pairs that say what a text is about: digits are left out, as numbers are no topic.
_PAIR_RE = re.compile(rf"[{_CJK}A-Za-z]{{2}}")
# An article's pair counts are smoothed with this many pairs' worth of the page's counts, so a
# small sample of text stays close to the page and absent pairs are no evidence.
_PRIOR = 50.0
# How many of the likeliest continuation starts get their end chosen with the full model.
_STARTS_RESCORED = 3
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
# A pair of characters across a break that the page uses this much above chance (in nats) is
# a term cut in two.
PAIR_MIN_PMI = 3.0
# A continuation found elsewhere is moved back only when its evidence scores above this: a cut
# article goes on somewhere, so a best run with evidence a little against it still is the one.
MOVE_MIN_SCORE = -2.0


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


@lru_cache(maxsize=16384)
def _starts_bound(text: str) -> bool:
    """Whether text opens on a mark or a one-character particle that needs text before it."""
    stripped = text.lstrip()
    if not stripped:
        return False
    if stripped[0] in _CLAUSE + _FINAL + _CLOSERS + "·":
        return True
    first = _tokenizer().lcut(stripped[:6])[0]
    return len(first) == 1 and first in _BOUND_STARTS


def continues_plainly(left: str, right: str) -> bool:
    """Whether the line right can only go on with the text of line left, by its form alone.

    It does when it opens on punctuation or a bound particle (们, 的), or when a Latin word is
    cut in two (its rest opens in lower case).
    """
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return False
    if _starts_bound(right[:8]):
        return True
    return left[-1].isascii() and left[-1].isalpha() and right[0].isascii() and right[0].islower()


def runs_into(left: str, right: str) -> bool:
    """Whether the line right plainly goes on with the text of line left.

    It does when it can only go on by its form, or when a dictionary word runs across the break.
    """
    return continues_plainly(left, right) or join_gain(left, right) >= JOIN_GAIN_WORD


def goes_on(left: str, right: str) -> bool:
    """Whether line right goes on with line left, so left stands as no heading or headline.

    Besides `runs_into`: left stops mid-phrase (`reads_unfinished`), or a number at its end is
    cut from its unit or the rest of its date (`number_cut`).
    """
    left, right = left.rstrip(), right.lstrip()
    return (
        number_cut(left, right) or runs_into(left, right) or (bool(left) and reads_unfinished(left))
    )


def looks_like_heading(text: str, next_text: str | None) -> bool:
    """Whether a line reads as a section heading rather than the first part of a broken line.

    A heading is short, has no sentence punctuation, does not end mid-clause, and no word runs
    across from it into the line that follows.
    """
    stripped = text.strip()
    if not stripped or len(stripped) > 30 or any(c in _SENTENCE_MARKS for c in stripped):
        return False
    # a heading neither ends mid-clause nor starts on a mark or particle that needs text before it
    if stripped[-1] in _CLAUSE or stripped[0] in _CLAUSE + _FINAL + _CLOSERS + _BOUND_STARTS:
        return False
    if any(stripped.count(pair[0]) != stripped.count(pair[1]) for pair in _BRACKET_PAIRS):
        return False  # a bracket left open goes on in the next line
    if stripped.endswith("——"):
        return True
    if reads_unfinished(stripped):
        return False
    if next_text is not None:
        following = next_text.strip()
        if goes_on(stripped, following):
            return False
        # a heading opens a paragraph; a scrap of text after it (unfinished, or a few characters)
        # means a broken sentence
        if _short_scrap(following) or len(following) <= 10:
            return False
    return True


# Clause marks; a comma or colon between digits groups thousands or tells the time.
_CLAUSE_SPLIT_RE = re.compile(r"[，、：]|(?<!\d)[,:]|[,:](?!\d)")
_COMMA_SPLIT_RE = re.compile(r"[，、]|(?<!\d),|,(?!\d)")


@lru_cache(maxsize=16384)
def reads_unfinished(text: str) -> bool:
    """Whether a short line stops mid-phrase, so it cannot be a heading.

    A heading is one or two whole phrases. A line cut at random often ends on a particle, a
    preposition or a conjunction, after a clause of one or two characters, or runs to three
    clauses.
    """
    clauses = _CLAUSE_SPLIT_RE.split(text)
    if len(clauses) > 1 and len(clauses[-1].strip()) <= 2:
        return True
    if len(_COMMA_SPLIT_RE.split(text)) >= 3:
        return True
    word, flag = _last_word(text)
    return len(word) == 1 and (word in _OPEN_ENDINGS or flag in _OPEN_POS)


def _last_word(text: str) -> tuple[str, str]:
    """The last word of text and its part of speech, as jieba tags it."""
    tagged = pos_tags(text[-8:])
    return tagged[-1] if tagged else ("", "")


def number_cut(left: str, right: str) -> bool:
    """Whether a line break cuts a number from its unit (`2010` ⏎ `年`, `12月` ⏎ `19日`)."""
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return False
    if left[-1].isdigit() and right[0] in _UNITS:
        return True
    return left[-1] in "年月" and re.match(r"\d{1,2}[月日号]", right) is not None


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u4dbf" or "\u4e00" <= char <= "\u9fff"


def _snippet(text: str, limit: int = 12) -> str:
    return text if len(text) <= limit else text[: limit // 2] + "…" + text[-limit // 2 :]


def drop_noise(page: str, para: Paragraph) -> list[Edit]:
    """Drop stray Latin words and layout debris from inside a paragraph's Chinese text."""
    edits: list[Edit] = []
    # a Latin word needs Chinese on one side, a mark on both: next to other symbols they are text
    for pattern, what, sides in ((_FOREIGN_RE, "foreign word", 1), (_STRAY_RE, "stray mark", 2)):
        text = para.text(page)
        hits = [
            m
            for m in pattern.finditer(text)
            if m.start() > 0
            and m.end() < len(text)
            and _is_cjk(text[m.start() - 1]) + _is_cjk(text[m.end()]) >= sides
        ]
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
        rest = [p.text(page) for p in paras[pos + 1 : pos + 3] if not p.byline]
        following = rest[0] if rest else None
        # the paragraph under a heading may itself be broken after a few characters: read it whole
        if (
            following is not None
            and len(rest) == 2
            and _short_scrap(following)
            and (ends_sentence(rest[1]) or len(rest[1]) > 30)
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


def pair_recurs(page: str, left: str, right: str) -> bool:
    """Whether the Chinese characters either side of a break are a pair the page uses elsewhere.

    The pair must stand in the page's text `PAIR_MIN_PMI` nats more often than its characters'
    counts predict: a name or term of the article, cut by the break.
    """
    left, right = left.rstrip(), right.lstrip()
    if not left or not right or not (_is_cjk(left[-1]) and _is_cjk(right[0])):
        return False
    together = page.count(left[-1] + right[0])
    if not together:
        return False
    expected = page.count(left[-1]) * page.count(right[0]) / len(page)
    return math.log(together / expected) >= PAIR_MIN_PMI


def _short_scrap(text: str) -> bool:
    return len(text.strip()) <= 12 and not ends_sentence(text)


def is_cut(para: Paragraph) -> bool:
    """Whether a paragraph stops mid-sentence (and is body text)."""
    return not (para.raw_end_final or para.heading or para.byline)


class _Topics:
    """Character-pair language models of a page's text, to tell which article a paragraph is from.

    A model of some paragraphs is their pair counts smoothed towards the whole page's, so pairs
    common everywhere weigh nothing and pairs particular to one article weigh much.
    """

    def __init__(self, page: str, paras: Sequence[Paragraph]) -> None:
        self.counts = {p.line: Counter(_pairs(p.text(page))) for p in paras}
        background: Counter[str] = Counter()
        for bag in self.counts.values():
            background.update(bag)
        total = sum(background.values())
        vocab = len(background) + 1
        self.background = {b: (n + 1) / (total + vocab) for b, n in background.items()}
        self.unseen = 1 / (total + vocab)

    def model(self, paras: Sequence[Paragraph]) -> tuple[Counter[str], int]:
        bag: Counter[str] = Counter()
        for para in paras:
            bag.update(self.counts[para.line])
        return bag, sum(bag.values())

    def log_ratio(
        self, para: Paragraph, a: tuple[Counter[str], int], b: tuple[Counter[str], int]
    ) -> float:
        """log P(para | a) - log P(para | b), in nats."""
        (bag_a, n_a), (bag_b, n_b) = a, b
        total = 0.0
        for pair, n in self.counts[para.line].items():
            bg = self.background.get(pair, self.unseen)
            if not (bag_a[pair] or bag_b[pair]):
                continue  # text new to both says nothing about which it belongs to
            p_a = (bag_a[pair] + _PRIOR * bg) / (n_a + _PRIOR)
            p_b = (bag_b[pair] + _PRIOR * bg) / (n_b + _PRIOR)
            total += n * math.log(p_a / p_b)
        return total


def _pairs(text: str) -> list[str]:
    return [text[k : k + 2] for k in range(len(text) - 1) if _PAIR_RE.fullmatch(text[k : k + 2])]


@lru_cache(maxsize=4096)
def content_words(text: str) -> tuple[str, ...]:
    """jieba's words of two or more Chinese characters in text."""
    return tuple(w for w in _tokenizer().lcut(text) if _CJK_WORD.fullmatch(w))


class PageVocabulary:
    """Characters and character pairs of one page, weighted by how few of its lines use them."""

    def __init__(self, texts: Sequence[str]) -> None:
        df: Counter[str] = Counter()
        for text in texts:
            df.update(set(_terms(text)))
        n = len(texts) + 1
        self.idf = {t: math.log(n / k) for t, k in df.items()}

    def similarity(self, left: str, right: str) -> float:
        """Tf-idf cosine of two texts over the page's characters and character pairs."""
        a, b = self._vector(left), self._vector(right)
        dot = sum(v * b[t] for t, v in a.items() if t in b)
        norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
        return dot / norm if norm else 0.0

    def _vector(self, text: str) -> dict[str, float]:
        counts = Counter(_terms(text))
        return {t: (1 + math.log(n)) * self.idf.get(t, 0.0) for t, n in counts.items()}


def _terms(text: str) -> list[str]:
    chars = [c for c in text if _is_cjk(c)]
    return chars + _pairs(text)


@dataclass(frozen=True, slots=True)
class _Block:
    article: int
    first: int  # paragraph positions in that article's body, inclusive
    last: int
    score: float


def _capped_gain(left: Paragraph, right: Paragraph, page: str) -> float:
    return min(join_gain(left.text(page), right.text(page)), _GAIN_CAP)


def _cut_evidence(cut: Paragraph, start: Paragraph, page: str) -> float:
    """How much the text across the cut reads as one: a dictionary word, or a pair of characters
    the page uses far above chance (a name or term of the article cut in two)."""
    if pair_recurs(page, cut.text(page), start.text(page)[:1]):
        return _GAIN_CAP
    return _capped_gain(cut, start, page)


def _runs(
    bodies: Sequence[list[Paragraph]], signed: Sequence[bool], x: int
) -> list[tuple[int, int, int]]:
    """Every run (article, first, last) of a later article that could be x's continuation."""
    runs: list[tuple[int, int, int]] = []
    for y in range(x + 1, len(bodies)):
        body = bodies[y]
        for first, start in enumerate(body):
            # a continuation is printed after some of the other article's text, never before it
            if first == 0 or start.heading or start.byline:
                continue
            for last in range(first, len(body)):
                end = body[last]
                if end.heading or not (end.raw_end_final or end.byline or last == len(body) - 1):
                    continue
                after = body[last + 1] if last + 1 < len(body) else None
                # a closing byline right under the run signs it, unless article x is signed
                # on top and the article the run stands in is not
                if (
                    not end.byline
                    and after is not None
                    and after.byline
                    and not (signed[x] and not signed[y])
                ):
                    continue
                # text after a closing byline has lost its own article: a run starting there
                # takes all of it, up to the next closing byline
                orphan = body[first - 1].byline
                if orphan and not end.byline and last < len(body) - 1:
                    continue
                runs.append((y, first, last))
                if end.byline:
                    break  # a closing byline ends the article it signs
    return runs


def _best_continuation(
    page: str,
    bodies: Sequence[list[Paragraph]],
    signed: Sequence[bool],
    x: int,
    topics: _Topics,
) -> _Block | None:
    """The run of paragraphs, in a later article, that best continues article x's cut end.

    Evidence, in nats: a word formed across the cut; how much likelier the run's text is under
    article x's language model than under that of the article it sits in; and the text around
    the run reading on once the run is taken out. The run's start is chosen against the other
    article's text above it, then its end against all of that article's text left around it.
    """
    cut = bodies[x][-1]
    x_model = topics.model(bodies[x])

    def score(y: int, first: int, last: int, y_model: tuple[Counter[str], int]) -> float:
        body = bodies[y]
        before, start = body[first - 1], body[first]
        after = body[last + 1] if last + 1 < len(body) else None
        topic = sum(topics.log_ratio(p, x_model, y_model) for p in body[first : last + 1])
        seam = 0.0
        if before.byline:
            seam = _GAIN_CAP / 2  # text after a closing byline has lost its own article
        elif is_cut(before):
            if after is None or after.heading or after.byline:
                seam = -_GAIN_CAP  # the text the run interrupted would be left hanging
            else:
                seam = _cut_evidence(before, after, page) - _cut_evidence(before, start, page)
        # a paragraph opening on a mark or a bound particle can only go on from a cut sentence,
        # the cut's or, when that line stops mid-sentence, the line above it
        host_reads_on = not is_cut(before) or (
            after is not None and _cut_evidence(before, after, page) >= JOIN_GAIN_WORD
        )
        bound = host_reads_on and _starts_bound(start.text(page)[:8])
        opening = _GAIN_CAP / 2 if bound else 0.0
        # a closing byline inside an article signed on top signs another article: one without
        # a byline of its own, whose continuation it ends
        signs = _GAIN_CAP if body[last].byline and signed[y] and not signed[x] else 0.0
        return _cut_evidence(cut, start, page) + topic + seam + opening + signs

    runs = _runs(bodies, signed, x)
    by_start: dict[tuple[int, int], float] = {}
    for y, first, last in runs:
        value = score(y, first, last, topics.model(bodies[y][:first]))
        by_start[(y, first)] = max(value, by_start.get((y, first), value))
    starts = sorted(by_start, key=lambda k: by_start[k], reverse=True)[:_STARTS_RESCORED]
    best: _Block | None = None
    for y, first, last in runs:
        if (y, first) not in starts:
            continue
        body = bodies[y]
        value = score(y, first, last, topics.model(body[:first] + body[last + 1 :]))
        # on a tie the longer run: a continuation usually runs to its article's end
        if best is None or value >= best.score:
            best = _Block(y, first, last, value)
    return best


def move_continuations(
    page: str, bodies: list[list[Paragraph]], signed: Sequence[bool], edits: list[list[Edit]]
) -> None:
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
            block = _best_continuation(page, bodies, signed, x, topics)
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

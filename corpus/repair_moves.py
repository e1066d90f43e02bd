"""Repairs, moves: an article cut mid-sentence whose continuation was printed after other
articles' text gets it back; the run chosen by character-pair topic models and seam evidence.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from corpus.model import Edit
from corpus.punctuation import CJK, is_cjk
from corpus.repair_lines import (
    JOIN_GAIN_WORD,
    Paragraph,
    is_cut,
    jieba_tokenizer,
    join_gain,
    pair_recurs,
    snippet,
    starts_bound,
)

_CJK_WORD = re.compile(rf"[{CJK}]{{2,}}")
_GAIN_CAP = 8.0
# Character pairs that say what a text is about: digits are left out, as numbers are no topic.
_PAIR_RE = re.compile(rf"[{CJK}A-Za-z]{{2}}")
# An article's pair counts are smoothed with this many pairs' worth of the page's counts, so a
# small sample of text stays close to the page and absent pairs are no evidence.
_PRIOR = 50.0
# How many of the likeliest continuation starts get their end chosen with the full model.
_STARTS_RESCORED = 3
# A continuation found elsewhere is moved back only when its evidence scores above this: a cut
# article goes on somewhere, so a best run with evidence a little against it still is the one.
MOVE_MIN_SCORE = -2.0
# An article's text may jump this many times (continued, continued again, ...).
MAX_MOVES_PER_ARTICLE = 3


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
    return tuple(w for w in jieba_tokenizer().lcut(text) if _CJK_WORD.fullmatch(w))


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
    chars = [c for c in text if is_cjk(c)]
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
        bound = host_reads_on and starts_bound(start.text(page)[:8])
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
        for _ in range(MAX_MOVES_PER_ARTICLE):
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
                    "move_continuations",
                )
            )
            edits[block.article].append(
                Edit(
                    "move",
                    span_start,
                    span_end,
                    f"{len(run)} paragraph(s) moved out: {snippet(run_text)}",
                    "move_continuations",
                )
            )
            bodies[x].extend(run)

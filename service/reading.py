"""The reading stage: the span reader reads the unit the selection model ranked best (and the
runner-up when it scores close), and its margin (how much likelier its best span than no answer)
joins the evidence the abstention decision weighs (service.answer_model.ReadModel, trained by
`python -m bench.train_reading`), and so does the siblings reader's on the same unit (paired;
weighed by `python -m bench.train_siblings`); of the two, the one likelier to answer is cited.
The same reading gives the unit's fact, the span both readers find likeliest (a second cited unit
is read for its own)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, NamedTuple, Protocol

from corpus.text import SENTENCE_END, words_within
from service.answer_model import SIBLING_MARGIN, AnswerModel, ReadModel, probability
from service.evidence import as_told_in, names_only
from service.neighbours import tells_of_another
from service.reader import HEADLINE_END
from service.reader import reading as decoded
from service.short_answer import Read as ReadSpan
from service.short_answer import Span, asked_kind

if TYPE_CHECKING:
    from service.answer import Candidate
    from service.reader import Logits, Reading

# a reader: its Reading of a sentence (after its lead: lead, below) for a question, None
# where it cannot read it: read(question, sentence, lead)
Reader = Callable[[str, str, str], "Reading | None"]
UNREAD_MARGIN = 0.0  # the margin of a unit the reader cannot read (no offsets for its text)
# the runner-up is read too when the picker scores it within this of the best: on the realistic
# set's trained parts, a third of the questions, and 92% of those whose runner-up the stage
# finds likelier to answer
RIVAL_GAP = 2.0
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wenda-read")
_SIBLINGS_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wenda-read-siblings")
# the decision was trained on questions as people ask them first: a follow-up rewritten against
# the earlier turns (its words stitched from two questions) reads less sure than it is, and is
# answered from this share of the bar up (0.8 measured on the held-out realistic parts 5 and 15
# at 145bd60: answer hit up 0.5 and 1.4 points, wrong when answering down 0.1 point each; 0.7
# chosen in session 30 on the trained parts' follow-ups, 803/26 -> 815/28 right/wrong, and checked
# once on the held-out parts 5, 8, 15, 19 and 20: 252/7 -> 254/8)
REWRITTEN_SHARE = 0.7
# a question that only names what it asks (新馆座位数?) gives the stage less to go on than one
# with a question word, and is answered from this share of the bar up (held-out realistic parts
# 5, 8 and 15, in aggregate: answer hit up 0.9 to 1.4 points; wrong when answering
# 0.117 -> 0.116, 0.078 -> 0.077, 0.053 -> 0.058)
NAMED_ONLY_SHARE = 0.7
# a yes/no question whose fact says 是 or 否 plainly is answered from this share of the bar up
# (on the realistic set's trained parts, 15 such answers between 0.5 and 1 of it, none wrong)
DECIDED_SHARE = 0.5


LEAD_CHARS = 60  # at most this much of the sentence before a unit is read (its last whole words)
_SENTENCE_END = re.compile(f"[{SENTENCE_END}]")


def lead(headline: str, before: str) -> str:
    """What a reader trained with leads reads before a sentence: its article's headline and the
    sentence before it in its paragraph (before: the text before the sentence; at most its last
    LEAD_CHARS characters, whole words), what 该县 or 新馆 stand for, which line or race the story
    is about; the headline alone for a paragraph's first sentence."""
    paragraph = before[before.rfind("\n") + 1 :].rstrip().rstrip(SENTENCE_END + "，,")
    cut = max((m.end() for m in _SENTENCE_END.finditer(paragraph)), default=0)
    said = paragraph[cut:].strip()
    if len(said) > LEAD_CHARS:
        said = words_within(said, LEAD_CHARS, last=True)
    return f"{headline}{HEADLINE_END}{said}" if said and headline else said or headline


class Judged(NamedTuple):
    ranked: Sequence[Candidate]  # the unit most likely to answer first
    confidence: float
    threshold: float
    fact_of: Callable[[Candidate], ReadSpan] | None
    # the other contenders read, each as the ranking it heads with its confidence, likeliest first
    others: tuple[tuple[Sequence[Candidate], float], ...] = ()


def bars(
    threshold: float, question: str, rewritten: bool, floor: float | None = None
) -> tuple[float, float]:
    """The confidence under which to abstain from question (rewritten from the earlier turns of
    a conversation or not), and the lower one down to which a yes/no answer whose fact says 是
    or 否 plainly still stands: the model's threshold lowered by the shares above, or a floor
    the user set (WENDA_MIN_CONFIDENCE) as it is."""
    if floor is not None:
        return floor, floor
    shares = (
        REWRITTEN_SHARE if rewritten else 1.0,
        NAMED_ONLY_SHARE if names_only(question) else 1.0,
    )
    bar = threshold * min(shares)
    return bar, bar * DECIDED_SHARE if asked_kind(question) == "yesno" else bar


def read_features(evidence: dict[str, float], margin: float) -> dict[str, float]:
    """The abstention evidence (service.features.decision_features) and the reader's margin."""
    return evidence | {"read_margin": margin}


def read_confidence(model: ReadModel, evidence: dict[str, float], reading: Reading | None) -> float:
    """The probability that the best unit answers, its evidence and its reading weighed (with
    the siblings reader's margin, or the reader's own where the siblings reader did not read
    it)."""
    margin = UNREAD_MARGIN if reading is None else reading.margin
    features = read_features(evidence, margin) | {SIBLING_MARGIN: sibling_margin(reading)}
    return probability(model.logit(features))


def sibling_margin(reading: Reading | None) -> float:
    """The siblings reader's margin in reading; the reader's own where the siblings reader did
    not read the unit (UNREAD_MARGIN where neither could)."""
    if reading is None:
        return UNREAD_MARGIN
    return reading.margin if reading.sibling is None else reading.sibling


class Scorer(Protocol):
    """A reader's logits of a sentence (after its lead) for a question (SpanReader.logits)."""

    def logits(self, question: str, sentence: str, headline: str = "") -> Logits | None: ...


def paired(reader: Scorer, siblings: Scorer) -> Reader:
    """The reading of reader (its margin, which the stage was trained on), with the span both
    readers find likeliest (their start and end logits averaged: on gold units better than
    reader alone and about as well as the siblings reader or better, character F1 CMRC 2018
    77.0 and 77.7 alone against 77.6, DRCD 81.4 and 81.6 against 82.1, the held-out realistic
    parts 89.9 and 90.2 against 90.4; an ad hoc script, session 44) and the siblings reader's
    margin on the same sentence
    (service.reader.SIBLINGS_WEIGHTS: a reader taught that a sentence about 客车 does not
    answer a question about 货车), which the stage weighs beside reader's
    (ReadModel.siblings). The siblings reader reads at the same time on a pool of its own
    (never _POOL, whose readings wait on it)."""

    def read_both(question: str, text: str, lead: str) -> Reading | None:
        second = _SIBLINGS_POOL.submit(siblings.logits, question, text, lead)
        found = reader.logits(question, text, lead)
        other = second.result()
        if found is None:
            return None
        spans, own = found
        read = decoded(text, spans, own)
        if other is None:
            return read
        sibling = decoded(text, *other).margin
        if other[0] != spans:  # read otherwise (a reader trained without leads): margin alone
            return read._replace(sibling=sibling)
        both = decoded(text, spans, (own + other[1]) / 2)
        return read._replace(span=both.span, sibling=sibling)

    return read_both


def readings(read: Reader, question: str, units: Sequence[Candidate]) -> list[Reading | None]:
    """read's reading of each unit, the first on this thread and the others at the same time on
    the pool's (a reading runs one thread of ONNX Runtime, which lets go of the GIL: two cost
    a lone question about as much as one on two cores)."""
    later = [_POOL.submit(read_unit, read, question, c) for c in units[1:]]
    return [read_unit(read, question, units[0]), *(f.result() for f in later)]


def read_unit(read: Reader, question: str, unit: Candidate) -> Reading | None:
    """read's reading of unit, after its lead (unit_lead)."""
    return read(question, unit.text, unit_lead(unit))


def unit_lead(unit: Candidate) -> str:
    """What unit is read after: its article's headline and the sentence before it in its
    passage's paragraph (lead)."""
    chunk = unit.hit.chunk
    return lead(chunk.title, chunk.text[: max(unit.start - chunk.start, 0)])


def contenders(question: str, ranked: Sequence[Candidate]) -> list[Candidate]:
    """The units read for the decision: the best, and the runner-up when the picker scores it
    within RIVAL_GAP of the best and it answers the question asked, not another
    (neighbours.tells_of_another: 门票多少钱? 接待游客41.2万人次)."""
    best = ranked[0]
    close = [c for c in ranked[1:2] if c.score >= best.score - RIVAL_GAP]
    return [best, *(c for c in close if not tells_of_another(question, c))]


def judged(
    question: str,
    ranked: Sequence[Candidate],
    evidence_of: Callable[[Sequence[Candidate]], dict[str, float]],
    model: AnswerModel,
    read: Reader | None,
) -> Judged:
    """ranked with the unit most likely to answer first, that probability (rounded), the
    threshold below which to abstain, and how to find a unit's fact with the reader (None
    without one). With a reader and a model trained for it, the contenders are read and each
    weighed as the best (evidence_of the ranking it heads, and its margin): the likeliest leads
    (the picker's best on a tie), the others follow it (others), and those readings give their
    facts; otherwise the picker's ranking and the model's own decision."""
    read = None if read is None else told(read)
    if read is None or model.read is None:
        facts = None if read is None else facts_by(read, question)
        return Judged(
            ranked, round(model.answer_probability(evidence_of(ranked)), 4), model.threshold, facts
        )
    units = contenders(question, ranked)
    found = readings(read, question, units)
    weighed: list[tuple[Sequence[Candidate], float]] = []
    for unit, reading in zip(units, found, strict=True):
        heads = [unit, *(c for c in ranked if c is not unit)]
        weighed.append((heads, read_confidence(model.read, evidence_of(heads), reading)))
    # the likeliest first (the picker's best on a tie: a stable sort)
    (order, confidence), *others = sorted(weighed, key=lambda w: -w[1])
    known = dict(zip((c.text for c in units), found, strict=True))
    facts = facts_by(read, question, known)
    rounded = tuple((o, round(c, 4)) for o, c in others)
    return Judged(order, round(confidence, 4), model.read.bar, facts, rounded)


def told(read: Reader) -> Reader:
    """read, reading the question as each sentence says its words (evidence.as_told_in)."""

    def read_told(question: str, text: str, headline: str) -> Reading | None:
        return read(as_told_in(question, text), text, headline)

    return read_told


def facts_by(
    read: Reader, question: str, known: Mapping[str, Reading | None] | None = None
) -> Callable[[Candidate], ReadSpan]:
    """How extract asks the reader for a unit's fact: from its reading known already (by its
    text), else from a new one."""
    known = known or {}

    def for_unit(c: Candidate) -> ReadSpan:
        def span(_question: str, _sentence: str) -> Span | None:
            found = known[c.text] if c.text in known else read_unit(read, question, c)
            return None if found is None else found.span

        return span

    return for_unit

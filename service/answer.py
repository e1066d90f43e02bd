"""Extractive answers: score the sentences of the best passages with a learned model, decide
whether any answers, and cite the fact and its sentence exactly."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from corpus.chunking import MAX_ANSWER_CHARS, answer_spans
from corpus.model import Article
from corpus.text import normalize
from index.backend import Hit
from service.answer_model import AnswerModel, load_model
from service.enumeration import enumerated
from service.evidence import (
    char_pairs,
    content_chars,
    has_type,
    holds_term,
    naming_terms,
    question_terms,
    share_held,
    standard_question,
)
from service.features import decision_features, feature_rows
from service.neighbours import names_sibling, other_number, tells_of_another
from service.own_fact import own_fact, tells_the_whole
from service.qualifiers import counted, qualified
from service.reading import Reader, bars, judged
from service.referents import without_markers
from service.short_answer import (
    Read,
    Span,
    asked_kind,
    asked_measure,
    asked_unit,
    extract,
    focus_chars,
    holds_amount_in,
    holds_measure,
    with_marks,
)
from service.stand_ins import stand_in
from service.statement import statement
from service.yes_no import yes_or_no

SentenceSimilarity = Callable[[str, int, int], float | None]  # (doc_id, start, end) -> cosine
ABSTAIN_MESSAGE = "这些文章里没有找到答案。"

_CLAUSE_BREAK = re.compile(r"[，。；：！？,;:!?\s]+")


@dataclass(frozen=True, slots=True)
class Citation:
    marker: int
    doc_id: str
    title: str
    chunk_id: str
    text: str
    start: int
    end: int
    score: float


@dataclass(frozen=True, slots=True)
class ShortAnswer:
    text: str
    marker: int
    doc_id: str
    start: int  # offsets into the article's text
    end: int


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    abstained: bool
    citations: tuple[Citation, ...]
    confidence: float  # the model's probability that the best sentence answers, 0..1
    short: ShortAnswer | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """An answer unit of a retrieved passage, with the evidence the model weighs."""

    hit_rank: int
    hit: Hit
    start: int
    end: int
    text: str
    coverage: float  # IDF share of the question's terms in the sentence (evidence.holds_term)
    context: float  # IDF share found only in the headline or the paragraph's lead-in
    missing: float  # share of the heaviest naming term found nowhere near
    chars: float  # share of the question's character pairs in the sentence and its held terms
    conflict: float  # 1 when the sentence names a sibling of a thing the question names
    typed: float  # 1 when the sentence holds a fact of the kind asked for
    cosine: float  # question and sentence embeddings; 0 without them
    focus: float = 0.0  # share of the characters beside the question's wh-word in the sentence
    char1: float = 0.0  # share of the question's content characters in the sentence
    unit: float = 0.0  # 1 when the sentence holds a number in the unit a 多少 question asks for
    lead: float = 0.0  # 1 for a unit of the article's first paragraph
    adjacent: float = 0.0  # 1 when the fact asked for follows right after a question word
    measure: float = 0.0  # 1 / -1: the sentence does / does not state the measure asked (元, 岁)
    anchored: float = 0.0  # the most of a clause of the previous answer the sentence holds
    found: frozenset[str] = field(default_factory=frozenset)  # question terms the text holds
    score: float = 0.0  # the selection model's logit


@dataclass(frozen=True, slots=True)
class AnswerSettings:
    depth: int = 5  # how many of the best passages answers are looked for in
    min_confidence: float | None = None  # abstain below this; None: the model's own threshold
    typed_depth: int = 8  # sentences checked for a name or place (part-of-speech tagging is slow)
    max_answer_chars: int = 100  # the statement around the fact; the whole sentence if shorter


@dataclass(frozen=True, slots=True)
class QuestionEvidence:
    """What every answer unit is measured against, worked out once per question."""

    terms: dict[str, float]
    total: float
    named: frozenset[str]
    naming: frozenset[str]
    pairs: frozenset[str]
    focus: frozenset[str]
    content: frozenset[str]
    unit: str | None
    measure: tuple[str, ...] | None
    told: list[frozenset[str]]
    qnorm: str

    @classmethod
    def of(cls, question: str, idf: Callable[[str], float], previous: str) -> QuestionEvidence:
        terms = question_terms(question, idf)
        named = naming_terms(question)  # tag the question once, not once per term
        return cls(
            terms=terms,
            total=sum(terms.values()) or 1.0,
            named=named,
            naming=frozenset(t for t in terms if any(t in word or word in t for word in named)),
            pairs=char_pairs(question),
            focus=focus_chars(question),
            content=content_chars(question),
            unit=asked_unit(question),
            measure=asked_measure(question),
            told=answer_clauses(previous),
            qnorm=normalize(question).lower(),
        )

    def candidate(
        self, rank: int, hit: Hit, article: Article, s: int, e: int, cosine: float | None
    ) -> Candidate:
        """One answer unit (article.text[s:e]) with its evidence."""
        text = article.text[s:e]
        # 该院 stands for the hospital the article named (service.stand_ins): its words count
        norm = normalize(stand_in(article.text, s, text, article.title)).lower()
        terms = self.terms
        found = frozenset(t for t in terms if holds_term(norm, t))
        # a term the sentence says as news does (一共 as 累计) counts for the character features too
        heard = "\n".join([norm, *(t for t in found if t not in norm)])
        # the headline and the paragraph's lead-in often hold the subject a clause leaves out
        para_start = article.text.rfind("\n", 0, s) + 1
        context = normalize(article.title + article.text[max(para_start, s - 80) : s]).lower()
        near = frozenset(t for t in terms if t not in found and t in context)
        missing = max(
            (w for t, w in terms.items() if t in self.naming and t not in found and t not in near),
            default=0.0,
        )
        measure = self.measure
        return Candidate(
            hit_rank=rank,
            hit=hit,
            start=s,
            end=e,
            text=text,
            coverage=sum(terms[t] for t in found) / self.total,
            context=sum(w for t, w in terms.items() if t in near) / self.total,
            missing=missing / self.total,
            chars=share_held(heard, self.pairs),
            conflict=float(
                names_sibling(self.qnorm, self.named, norm)
                # a headline or lead-in about 一期 makes a bare clause one of 一期's, not 二期's
                or other_number(self.qnorm, f"{context}\n{norm}", stages=True)
            ),
            typed=0.0,
            cosine=-1.0 if cosine is None else cosine,
            focus=share_held(heard, self.focus),
            char1=share_held(heard, self.content),
            unit=float(self.unit is not None and holds_amount_in(norm, self.unit)),
            lead=float(para_start == 0),
            measure=0.0 if measure is None else 2.0 * holds_measure(norm, measure) - 1.0,
            anchored=max((share_held(norm, ps) for ps in self.told), default=0.0),
            found=found,
        )


def candidates(
    question: str,
    hits: Sequence[Hit],
    articles: Mapping[str, Article],
    idf: Callable[[str], float],
    settings: AnswerSettings,
    similarity: SentenceSimilarity | None = None,
    previous_answer: str = "",
) -> list[Candidate]:
    """Every answer unit of the best passages, with its evidence (not yet scored); a follow-up's
    previous answer marks the units it was cut from (the follow-up asks about their
    neighbourhood)."""
    evidence = QuestionEvidence.of(question, idf, previous_answer)
    seen: set[tuple[str, int, int]] = set()
    out: list[Candidate] = []
    for rank, hit in enumerate(hits[: settings.depth]):
        article = articles[hit.chunk.doc_id]
        for s, e in answer_spans(article.text, hit.chunk.start, hit.chunk.end, MAX_ANSWER_CHARS):
            key = (article.doc_id, s, e)
            if key in seen:
                continue
            seen.add(key)
            cosine = similarity(article.doc_id, s, e) if similarity else None
            out.append(evidence.candidate(rank, hit, article, s, e, cosine))
    known = [c.cosine for c in out if c.cosine > -1.0]
    floor = min(known) if known else 0.0  # a unit without a stored vector counts as least similar
    return [c if c.cosine > -1.0 else replace(c, cosine=floor) for c in out]


def answer_clauses(answer: str, min_chars: int = 6) -> list[frozenset[str]]:
    """The character pairs of each clause of an earlier answer long enough to find again in
    the sentence it came from (citation markers and the abstention message left out; the
    OpenAI route takes its "来源" list off the history before it gets here)."""
    if not answer or ABSTAIN_MESSAGE in answer:
        return []
    text = normalize(without_markers(answer)).lower()
    return [
        frozenset(c[i : i + 2] for i in range(len(c) - 1))
        for c in _CLAUSE_BREAK.split(text)
        if len(c) >= min_chars
    ]


def fact_follows_term(question: str, c: Candidate) -> bool:
    """Whether the fact a 多少/何时 question asks for stands right after one of its words in the
    unit (创业培训229人 for 创业培训多少人): the tightest evidence a sentence answers."""
    span = extract(question, c.text)
    if span is None:
        return False
    before = normalize(c.text[max(0, span.start - 6) : span.start]).lower()
    return any(len(t) >= 2 and t in before for t in c.found)


def with_types(question: str, cands: list[Candidate], depth: int) -> list[Candidate]:
    """Mark the units holding the kind of fact asked for; names and places need part-of-speech
    tags, so only the `depth` likeliest units (by words and meaning) are looked at for those."""
    kind = asked_kind(question)
    if kind is None or kind == "yesno":
        return cands
    cheap = kind in ("number", "time", "reason")
    order = sorted(range(len(cands)), key=lambda i: -(cands[i].coverage + cands[i].cosine))
    look = set(order if cheap else order[:depth])
    typed = [
        replace(c, typed=1.0) if i in look and has_type(c.text, kind, question) else c
        for i, c in enumerate(cands)
    ]
    if kind not in ("number", "time"):
        return typed
    return [
        replace(c, adjacent=1.0) if c.typed and fact_follows_term(question, c) else c for c in typed
    ]


def select(question: str, cands: Sequence[Candidate], model: AnswerModel) -> list[Candidate]:
    """Candidates scored by the selection model, best first; a unit about a neighbour of what
    the question names (conflict: 3号线 for 4号线, the 局长 for the 副局长) after every other."""
    scored = [
        replace(c, score=model.select_logit(f))
        for c, f in zip(cands, feature_rows(question, cands), strict=True)
    ]
    scored.sort(key=lambda c: (c.conflict > 0, -c.score, c.hit_rank, c.start))
    return scored


def short_answer_of(best: Candidate, span: Span | None, marker: int) -> ShortAnswer | None:
    if span is None:
        return None
    text = best.text[span.start : span.end]
    return ShortAnswer(
        text, marker, best.hit.chunk.doc_id, best.start + span.start, best.start + span.end
    )


def compose_answer(
    question: str,
    ranked: Sequence[Candidate],
    model: AnswerModel,
    settings: AnswerSettings,
    read: Reader | None = None,
    rewritten: bool = False,
) -> Answer:
    """The best unit as a cited statement with its fact (short_answer.extract: read, the span
    reader, else the typed rules), a second one when it answers a part of the question the first
    leaves open, or an abstention when the model doubts the best. With a reader and a model
    trained for it, the reader reads the best unit (and a close runner-up) first, its margin
    joins the decision, and the likelier leads (service.reading), over a bar of its question's
    form (reading.bars)."""
    if not ranked:
        return Answer(ABSTAIN_MESSAGE, True, (), 0.0)
    picked = ranked[0]
    judgement = judged(
        question, ranked, lambda order: decision_features(question, order), model, read
    )
    bar, decided_bar = bars(judgement.threshold, question, rewritten, settings.min_confidence)
    # the likeliest unit whose fact is the one asked: a contender read after it stands in when
    # it tells of a neighbour or a whole (新馆's figure for 老馆), if it clears the bar itself
    passed_over: list[Candidate] = []  # never cited second either
    for order, confidence in ((judgement.ranked, judgement.confidence), *judgement.others):
        if confidence < decided_bar:
            break
        answer = _answer_from(
            question, order, [picked, *passed_over], confidence < bar, judgement.fact_of, settings
        )
        if answer is not None and not answer.abstained:
            return replace(answer, confidence=confidence)
        if answer is not None:
            break
        passed_over.append(order[0])
    return Answer(ABSTAIN_MESSAGE, True, (), judgement.confidence)


def _answer_from(
    question: str,
    ranked: Sequence[Candidate],
    passed_over: Sequence[Candidate],
    doubtful: bool,
    fact_of: Callable[[Candidate], Read] | None,
    settings: AnswerSettings,
) -> Answer | None:
    """The answer ranked's best unit gives (with a second one, _second), an abstention when it is
    doubtful and says no 是/否, or None when it answers another question (tells_of_another) or
    tells its fact of a neighbour or a whole only (facts_of)."""
    if tells_of_another(question, ranked[0]):
        return None
    chosen = [ranked[0], *_second(ranked, passed_over)]
    facts = facts_of(question, chosen, fact_of)
    if facts is None:
        return None
    citations = tuple(
        Citation(
            marker=n,
            doc_id=c.hit.chunk.doc_id,
            title=c.hit.chunk.title,
            chunk_id=c.hit.chunk.chunk_id,
            text=c.text,
            start=c.start,
            end=c.end,
            score=round(c.score, 4),
        )
        for n, c in enumerate(chosen, 1)
    )
    parts = [
        f"{statement(question, c, fact, settings)}[{n}]"
        for n, (c, fact) in enumerate(zip(chosen, facts, strict=True), 1)
    ]
    short = short_answer_of(chosen[0], facts[0], 1)
    verdict = yes_no_verdict(question, short, doubtful)
    if doubtful and verdict is None:
        return Answer(ABSTAIN_MESSAGE, True, (), 0.0)
    text = "".join(parts) if verdict is None else f"{verdict}。{''.join(parts)}"
    return Answer(text, False, citations, 0.0, short)


def _second(ranked: Sequence[Candidate], passed_over: Sequence[Candidate]) -> list[Candidate]:
    """The unit cited after the best, when one of the next two answers a part of the question
    the best leaves open (a question term it holds and the best does not); not one passed over:
    the picker's best when the stage found it less likely to answer (service.reading), or a
    likelier one telling a neighbour's fact."""
    best = ranked[0]
    for c in ranked[1:3]:
        if any(c is p for p in passed_over):
            continue
        overlaps = c.hit.chunk.doc_id == best.hit.chunk.doc_id and (
            c.start < best.end and best.start < c.end
        )
        if (
            c.found - best.found
            and c.coverage >= 0.3
            and c.score >= best.score - 1.0
            and not overlaps
            and not c.conflict
        ):
            return [c]
    return []


def yes_no_verdict(question: str, short: ShortAnswer | None, doubtful: bool) -> str | None:
    """是 or 否 (its answer opens with it) when a yes/no question's deciding phrase says one;
    doubtful, only one that a rule reads (not what is asked merely held: yes_or_no's affirm)."""
    if asked_kind(question) != "yesno" or short is None:
        return None
    return yes_or_no(normalize(question), short.text, affirm=not doubtful)


def facts_of(
    question: str, chosen: Sequence[Candidate], fact_of: Callable[[Candidate], Read] | None
) -> list[Span | None] | None:
    """Each chosen unit's fact (short_answer.extract), the best's with its qualifiers and list;
    None when the best tells it of a neighbour only, or a whole a part of which is asked."""
    facts = [extract(question, c.text, None if fact_of is None else fact_of(c)) for c in chosen]
    if facts[0] is None:
        return facts
    first = own_fact(question, chosen[0].text, facts[0])
    if first is None or tells_the_whole(question, chosen[0].text, first.start, first.end):
        return None
    text = chosen[0].text
    fact = enumerated(question, text, counted(question, text, qualified(text, first)))
    return [with_marks(text, fact), *facts[1:]]


def answer_question(
    question: str,
    hits: Sequence[Hit],
    articles: Mapping[str, Article],
    idf: Callable[[str], float],
    settings: AnswerSettings | None = None,
    similarity: SentenceSimilarity | None = None,
    model: AnswerModel | None = None,
    previous_answer: str = "",
    read: Reader | None = None,
    rewritten: bool = False,  # question was rewritten from the earlier turns (a follow-up)
) -> Answer:
    settings = settings or AnswerSettings()
    model = model or load_model()
    question = standard_question(question)
    cands = candidates(question, hits, articles, idf, settings, similarity, previous_answer)
    cands = with_types(question, cands, settings.typed_depth)
    ranked = select(question, cands, model)
    return compose_answer(question, ranked, model, settings, read, rewritten)


__all__ = [
    "ABSTAIN_MESSAGE",
    "MAX_ANSWER_CHARS",
    "Answer",
    "AnswerSettings",
    "Candidate",
    "Citation",
    "ShortAnswer",
    "Span",
    "answer_question",
    "yes_no_verdict",
]

"""Extractive answers: pick the sentences that answer the question and cite them exactly."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from corpus.chunking import MAX_ANSWER_CHARS, answer_spans
from corpus.model import Article
from corpus.text import normalize, pos_tags
from index.bm25 import tokenize
from index.retriever import Hit

SentenceSimilarity = Callable[[str, int, int], float | None]  # (doc_id, start, end) -> cosine
ABSTAIN_MESSAGE = "这些文章里没有找到答案。"

# question words and particles: they say what is asked, not what to match
QUESTION_WORDS = frozenset(
    [
        "多少",
        "几",
        "几个",
        "几位",
        "几家",
        "几年",
        "几次",
        "什么",
        "甚么",
        "哪",
        "哪个",
        "哪些",
        "哪里",
        "哪儿",
        "哪一",
        "哪家",
        "哪位",
        "哪年",
        "哪种",
        "哪国",
        "谁",
        "何",
        "何时",
        "何地",
        "何人",
        "如何",
        "怎么",
        "怎样",
        "为何",
        "为什么",
        "是否",
        "吗",
        "呢",
        "吧",
        "啊",
        "的",
        "了",
        "是",
        "在",
        "有",
        "和",
        "与",
        "及",
        "或",
        "被",
        "把",
        "对",
        "于",
        "也",
        "都",
        "就",
        "还",
        "又",
        "请问",
        "请",
        "那",
        "那么",
        "这",
        "这个",
        "那个",
        "其",
        "之",
        "中",
        "上",
        "下",
        "等",
        "个",
        "位",
        "名",
        "年",
        "月",
        "日",
        "由",
        "以",
        "从",
        "到",
        "为",
        "所",
    ]
)

_NUMBER = r"[0-9０-９一二三四五六七八九十百千万亿两零〇]+(?:[.．点][0-9０-９]+)?"
_Q_NUMBER = re.compile(
    r"多少|几[个位家次年天岁名人项笔件所倍种条只户]?|多大|多高|多长|多重|多远|多久|百分之|比例|人数|数量|面积|金额|几成"
)
_Q_TIME = re.compile(
    r"何时|什么时候|哪一年|哪年|几月|哪天|哪一天|何年|日期|时间|年份|哪个月|何日|多少年"
)
_Q_PERSON = re.compile(r"谁|哪位|何人|什么人|名字|叫什么|姓名")
_Q_PLACE = re.compile(
    r"哪里|哪儿|何地|什么地方|哪个(?:省|市|县|区|国家|地区|城市|社区|街道|镇|村|法院)|在哪|位于|哪国|哪一国"
)
_HAS_NUMBER = re.compile(_NUMBER)
_HAS_TIME = re.compile(rf"{_NUMBER}\s*[年月日号时]|[春夏秋冬]季|世纪|年代|朝|今年|去年|明年|当天")


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
class Answer:
    text: str
    abstained: bool
    citations: tuple[Citation, ...]
    support: float  # how much of the question the cited text covers, 0..1
    missing: float = 0.0  # the heaviest question term's share of the weight, when the text lacks it


@dataclass(frozen=True, slots=True)
class Candidate:
    hit_rank: int
    hit: Hit
    start: int
    end: int
    text: str
    score: float
    coverage: float
    missing: float  # share of the question's weight held by its heaviest term found nowhere near


@dataclass(frozen=True, slots=True)
class AnswerSettings:
    depth: int = 5  # how many of the best passages answers are looked for in
    min_support: float = 0.4  # below this share of the question's weight found, abstain
    max_missing: float = 0.35  # abstain when one absent question term holds more of the weight
    # a second sentence joins the answer when scored at least this share of the best
    second_margin: float = 0.5
    rank_prior: float = 0.05  # bonus of the best passage's sentences, falling with rank
    type_bonus: float = 0.5  # bonus of a sentence holding the kind of fact asked for
    context_weight: float = 0.5  # weight of question words found only in the headline or lead-in
    dense_weight: float = 10.0  # weight of the cosine of question and sentence embeddings


def naming_terms(question: str) -> frozenset[str]:
    """Words of the question that name things (nouns, names, numbers, foreign words): an answer
    must mention them, while verbs and modifiers are often paraphrased."""
    return frozenset(
        normalize(word).lower()
        for word, flag in pos_tags(question)
        if flag[:1] in ("n", "m", "e") or flag == "eng"
    )


def question_terms(question: str, idf: Callable[[str], float]) -> dict[str, float]:
    """Content terms of the question with their IDF weights."""
    terms: dict[str, float] = {}
    for tok in tokenize(question):
        if (
            tok in QUESTION_WORDS
            or len(tok) == 1
            and not ("\u4e00" <= tok <= "\u9fff" or tok.isalnum())
        ):
            continue
        terms[tok] = idf(tok)
    return terms


def expected_type(question: str) -> str | None:
    """What kind of fact the question asks for: time, number, person or place."""
    q = normalize(question)
    if _Q_TIME.search(q):
        return "time"
    if _Q_NUMBER.search(q):
        return "number"
    if _Q_PERSON.search(q):
        return "person"
    if _Q_PLACE.search(q):
        return "place"
    return None


def has_type(text: str, kind: str | None, question: str) -> bool:
    """Whether text holds a fact of the expected kind that the question itself does not."""
    if kind is None:
        return False
    t = normalize(text)
    if kind in ("number", "time"):
        pattern = _HAS_TIME if kind == "time" else _HAS_NUMBER
        q = normalize(question)
        return any(m.group(0) not in q for m in pattern.finditer(t))
    flag = "nr" if kind == "person" else "ns"
    return any(f.startswith(flag) and w not in question for w, f in pos_tags(t))


def score_candidates(
    question: str,
    hits: Sequence[Hit],
    articles: dict[str, Article],
    idf: Callable[[str], float],
    settings: AnswerSettings,
    similarity: SentenceSimilarity | None = None,
) -> list[Candidate]:
    """Every sentence of the best passages, scored for how well it answers the question: the
    question's words it holds, the kind of fact asked, its passage's rank and, given similarity,
    how close its meaning is to the question."""
    terms = question_terms(question, idf)
    total = sum(terms.values()) or 1.0
    kind = expected_type(question)
    named = naming_terms(question)  # tag the question once, not once per term
    naming = {t for t in terms if any(t in word or word in t for word in named)}
    seen: set[tuple[str, int, int]] = set()
    cands: list[Candidate] = []
    sims: list[float | None] = []
    for rank, hit in enumerate(hits[: settings.depth]):
        article = articles[hit.chunk.doc_id]
        title_norm = normalize(article.title).lower()
        for s, e in answer_spans(article.text, hit.chunk.start, hit.chunk.end, MAX_ANSWER_CHARS):
            key = (article.doc_id, s, e)
            if key in seen:
                continue
            seen.add(key)
            text = article.text[s:e]
            norm = normalize(text).lower()
            found = sum(w for t, w in terms.items() if t in norm)
            # the headline and the paragraph's lead-in often hold the subject a clause leaves out
            para_start = article.text.rfind("\n", 0, s) + 1
            context = title_norm + normalize(article.text[max(para_start, s - 80) : s]).lower()
            in_context = sum(w for t, w in terms.items() if t not in norm and t in context)
            coverage = (found + settings.context_weight * in_context) / total
            missing = (
                max(
                    (
                        w
                        for t, w in terms.items()
                        if t in naming and t not in norm and t not in context
                    ),
                    default=0.0,
                )
                / total
            )
            score = coverage + settings.rank_prior / (1 + rank)
            sims.append(similarity(article.doc_id, s, e) if similarity else None)
            cands.append(Candidate(rank, hit, s, e, text, score, coverage, missing))
    known = [x for x in sims if x is not None]
    if known:
        floor = min(known)  # a unit without a stored vector counts as the least similar
        cands = [
            replace(c, score=c.score + settings.dense_weight * (floor if x is None else x))
            for c, x in zip(cands, sims, strict=True)
        ]
    if kind is not None and cands:
        # only a unit within the bonus of the best can win by it: tag just those (POS tagging is slow)
        bar = max(c.score for c in cands) - settings.type_bonus
        cands = [
            replace(c, score=c.score + settings.type_bonus)
            if c.score >= bar and has_type(c.text, kind, question)
            else c
            for c in cands
        ]
    cands.sort(key=lambda c: (-c.score, c.hit_rank, c.start))
    return cands


def compose_answer(cands: Sequence[Candidate], settings: AnswerSettings) -> Answer:
    """The best sentence, plus the next best when it fits within the length limit, with markers."""
    if not cands:
        return Answer(ABSTAIN_MESSAGE, True, (), 0.0, 1.0)
    # whether to answer rests on the words found, not on which unit the embeddings prefer
    evidence = max(cands, key=lambda c: (c.coverage, -c.missing))
    if evidence.coverage < settings.min_support or evidence.missing > settings.max_missing:
        return Answer(ABSTAIN_MESSAGE, True, (), evidence.coverage, evidence.missing)
    chosen = [cands[0]]
    for c in cands[1:]:
        if c.score < settings.second_margin * cands[0].score:
            break
        overlaps = any(
            c.hit.chunk.doc_id == o.hit.chunk.doc_id and c.start < o.end and o.start < c.end
            for o in chosen
        )
        if not overlaps and len(c.text) + len(chosen[0].text) <= MAX_ANSWER_CHARS:
            chosen.append(c)
            break
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
    text = "".join(f"{c.text}[{c.marker}]" for c in citations)
    return Answer(text, False, citations, evidence.coverage, evidence.missing)


def answer_question(
    question: str,
    hits: Sequence[Hit],
    articles: dict[str, Article],
    idf: Callable[[str], float],
    settings: AnswerSettings | None = None,
    similarity: SentenceSimilarity | None = None,
) -> Answer:
    settings = settings or AnswerSettings()
    return compose_answer(
        score_candidates(question, hits, articles, idf, settings, similarity), settings
    )

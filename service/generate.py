"""Generated answers (opt-in): a model of the user's choice words the answer from numbered
evidence sentences, and every sentence it writes is checked against the sentences it cites.

The extractive answer stays the default and the fallback: without a model, when the picker
abstains, when the model is down, slow or declines, or when none of its sentences holds up.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal, Protocol

from corpus.text import SENTENCE_END, normalize, pos_tags
from index.retriever import ArticleFilter, Mode
from service.answer import (
    Answer,
    Citation,
    ShortAnswer,
    candidates,
    select,
    with_types,
)
from service.answer_model import load_model
from service.followup import Turn
from service.qa import AskResult, QAService
from service.settings import Settings

log = logging.getLogger("wenda")

EVIDENCE_SENTENCES = (
    8  # a 0.5B model answered as well over 8 sentences as over 5 passages, 3x faster
)
MAX_DRAFT_TOKENS = 200
# a sentence whose words are mostly not the evidence's says something the evidence does not
MIN_WORDING_OVERLAP = 0.5
SEED = 0  # with temperature 0, the same draft for the same evidence

AnsweredBy = Literal["extractive", "generated"]

SYSTEM_PROMPT = (
    "你是新闻问答助手。只根据用户给出的编号证据句回答问题，用简体中文，一到三句话。"
    "每句话的句号前用[编号]标出它依据的证据句，例如：武陵区新增就业8210人[1]。"
    "数字、人名、地名、机构名和日期必须照抄证据句，不要添加证据句里没有的内容。"
    "如果证据句不能回答问题，只回答：无法回答。"
)
# a draft saying it cannot answer: the extractive picker's answer (or abstention) stands
DECLINES = (
    "无法回答",
    "不能回答",
    "无法确定",
    "没有提到",
    "未提及",
    "没有提及",
    "无法得知",
    "没有找到",
)

_MARKER = re.compile(r"\[(\d+)\]")
_MARKERS_AT = re.compile(r"\s*(?:\[\d+\]\s*)+")
_DIGITS = re.compile(r"\d+(?:[.,，]\d+)*%?")
_CN_NUMBER = re.compile(r"[零一二三四五六七八九十百千万亿两]{2,}")
_DIGIT_GROUP = re.compile(r"(?<=\d)[,，](?=\d)")
# proper names jieba tags: people, places, organisations, other proper nouns, foreign words
NAME_TAGS = frozenset(["nr", "nrfg", "nrt", "ns", "nt", "nz", "eng"])
_ENDS = set(SENTENCE_END + "\n")


@dataclass(frozen=True, slots=True)
class Evidence:
    """One numbered sentence the model may answer from."""

    number: int
    doc_id: str
    title: str
    chunk_id: str
    text: str
    start: int
    end: int
    score: float


@dataclass(frozen=True, slots=True)
class Checked:
    """A sentence of the draft as written, the evidence it cites, and why it was dropped."""

    sentence: str
    cites: tuple[int, ...]
    problem: str | None = None  # None: every number, name and date is in the cited evidence

    @property
    def supported(self) -> bool:
        return self.problem is None


@dataclass(frozen=True, slots=True)
class Generated:
    """The answer given, which path gave it, and what the verifier did with the draft."""

    result: AskResult
    answered_by: AnsweredBy
    draft: str = ""
    checked: tuple[Checked, ...] = ()
    fallback: str | None = None  # why the extractive answer was given, when it was
    first_sentence_ms: float | None = None  # from the question to the first verified sentence
    first_token_ms: float | None = None  # from the question to the model's first piece of text
    model: str | None = None  # the model asked, when one was
    extractive: AskResult | None = None  # the picker's answer, whichever path answered

    @property
    def drafted(self) -> bool:
        """The model was asked and wrote something."""
        return bool(self.draft.strip())

    @property
    def cut(self) -> bool:
        """Some sentence of the draft was dropped, yet something survived."""
        return self.answered_by == "generated" and any(not c.supported for c in self.checked)

    @property
    def replaced(self) -> bool:
        """The model drafted an answer, and none of it held up: the extractive answer stood."""
        return self.fallback == "nothing supported"

    @property
    def declined(self) -> bool:
        return self.fallback == "the model declined"

    @property
    def failed(self) -> bool:
        """The model was down, answered an error or took longer than the timeout."""
        return (self.fallback or "").startswith("model failed")


class GenerationFailed(Exception):
    """The model could not be reached, answered with an error, or took too long."""


class Generator(Protocol):
    name: str

    def stream(self, messages: Sequence[Mapping[str, str]]) -> Iterator[str]:
        """The reply's text in pieces as the model writes it; raises GenerationFailed."""
        ...


class OpenAICompatibleGenerator:
    """Any server speaking OpenAI's /v1/chat/completions (llama.cpp, Ollama, vLLM, hosted)."""

    def __init__(
        self, base_url: str, model: str, api_key: str | None = None, timeout: float = 60.0
    ) -> None:
        import httpx

        self.name = model
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.timeout = timeout
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(
            headers=headers, timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0))
        )

    def stream(self, messages: Sequence[Mapping[str, str]]) -> Iterator[str]:
        import httpx

        body = {
            "model": self.name,
            "messages": list(messages),
            "stream": True,
            "temperature": 0,
            "seed": SEED,
            "max_tokens": MAX_DRAFT_TOKENS,
        }
        deadline = time.monotonic() + self.timeout
        try:
            with self.client.stream("POST", self.url, json=body) as resp:
                if resp.status_code != 200:
                    resp.read()
                    raise GenerationFailed(f"HTTP {resp.status_code}: {resp.text[:200]}")
                for line in resp.iter_lines():
                    if time.monotonic() > deadline:
                        raise GenerationFailed(f"no complete draft within {self.timeout:g} s")
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    choices = json.loads(data).get("choices") or [{}]
                    piece = (choices[0].get("delta") or {}).get("content")
                    if piece:
                        yield piece
        except httpx.HTTPError as exc:
            raise GenerationFailed(f"{type(exc).__name__}: {exc}") from exc
        except (json.JSONDecodeError, AttributeError) as exc:
            raise GenerationFailed(f"not an OpenAI stream: {exc}") from exc


@lru_cache(maxsize=4)
def _generator(base_url: str, model: str, api_key: str | None, timeout: float) -> Generator:
    return OpenAICompatibleGenerator(base_url, model, api_key, timeout)


def generator_for(settings: Settings) -> Generator | None:
    """The configured model (WENDA_LLM_BASE_URL), or None: extractive answers only."""
    if not settings.llm_base_url:
        return None
    return _generator(
        settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout
    )


def pick_evidence(
    service: QAService, result: AskResult, limit: int = EVIDENCE_SENTENCES
) -> list[Evidence]:
    """The sentences the extractive answer cites, then the picker's next best, none overlapping."""
    index = service.index
    query_vec = service.retriever.query_vector(result.question, "hybrid")
    cands = candidates(
        result.question,
        result.hits,
        index.articles_by_id,
        index.keywords.idf,
        service.answer_settings,
        service.sentence_similarity(query_vec),
    )
    ranked = select(
        result.question,
        with_types(result.question, cands, service.answer_settings.typed_depth),
        load_model(),
    )
    units = [
        (c.doc_id, c.title, c.chunk_id, c.text, c.start, c.end, c.score)
        for c in result.answer.citations
    ] + [
        (
            c.hit.chunk.doc_id,
            c.hit.chunk.title,
            c.hit.chunk.chunk_id,
            c.text,
            c.start,
            c.end,
            c.score,
        )
        for c in ranked
    ]
    chosen: list[Evidence] = []
    for doc_id, title, chunk_id, text, start, end, score in units:
        if len(chosen) == limit:
            break
        if any(e.doc_id == doc_id and e.start < end and start < e.end for e in chosen):
            continue
        chosen.append(
            Evidence(len(chosen) + 1, doc_id, title, chunk_id, text, start, end, round(score, 4))
        )
    return chosen


def prompt_messages(question: str, evidence: Sequence[Evidence]) -> list[dict[str, str]]:
    lines = "\n".join(f"[{e.number}]（《{e.title}》）{e.text}" for e in evidence)
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"证据句：\n{lines}\n\n问题：{question}"},
    ]


def _number_form(text: str) -> str:
    return _DIGIT_GROUP.sub("", normalize(text))


def facts_of(sentence: str) -> list[str]:
    """The numbers, dates and names a sentence states: what its citations must hold."""
    plain = _number_form(_MARKER.sub("", sentence))
    facts = [m.group().rstrip("%") for m in _DIGITS.finditer(plain)]
    facts += _CN_NUMBER.findall(plain)
    # a surname alone (李 of 李明说) is a name too; other one-character tags are too loose
    facts += [
        w
        for w, flag in pos_tags(plain)
        if flag in NAME_TAGS and (len(w.strip()) > 1 or flag == "nr") and w.strip()
    ]
    return list(dict.fromkeys(f.strip() for f in facts if f.strip()))


def check_sentence(sentence: str, evidence: Mapping[int, Evidence]) -> Checked:
    """Supported when it cites evidence that exists and every number, date and name it states
    is in the cited sentences (a name may also come from a cited article's headline)."""
    cites = tuple(dict.fromkeys(int(n) for n in _MARKER.findall(sentence)))
    if not cites:
        return Checked(sentence, cites, "cites no evidence")
    unknown = [n for n in cites if n not in evidence]
    if unknown:
        return Checked(sentence, cites, f"cites evidence that does not exist: {unknown}")
    if not _MARKER.sub("", sentence).strip(SENTENCE_END + "，,、 \n"):
        return Checked(sentence, cites, "says nothing")
    cited = _number_form(" ".join(evidence[n].text for n in cites)).lower()
    headlines = normalize(" ".join(evidence[n].title for n in cites)).lower()
    for fact in facts_of(sentence):
        form = fact.lower()
        if form in cited:
            continue
        is_number = bool(_DIGITS.fullmatch(fact) or _CN_NUMBER.fullmatch(fact))
        if not is_number and form in headlines:
            continue
        kind = "number or date" if is_number else "name"
        return Checked(sentence, cites, f"{kind} {fact!r} is not in the cited evidence")
    pairs = char_pairs(sentence)
    if pairs:
        share = sum(p in cited or p in headlines for p in pairs) / len(pairs)
        if share < MIN_WORDING_OVERLAP:
            return Checked(sentence, cites, f"only {share:.0%} of its wording is in the evidence")
    return Checked(sentence, cites)


def char_pairs(sentence: str) -> set[str]:
    """Adjacent word-character pairs of a sentence's text, markers and punctuation left out."""
    plain = _number_form(_MARKER.sub("", sentence)).lower()
    runs = re.findall(r"\w+", plain)
    return {run[i : i + 2] for run in runs for i in range(len(run) - 1)}


def _says_something(piece: str) -> bool:
    """Not only punctuation and markers (a 。 left after a model's "…人;[1]。")."""
    return bool(re.search(r"\w", _MARKER.sub("", piece)))


class SentenceReader:
    """Whole sentences out of a stream of pieces; citation markers after a sentence's final
    punctuation stay with that sentence."""

    def __init__(self) -> None:
        self.buffer = ""

    def feed(self, piece: str) -> list[str]:
        self.buffer += piece
        done: list[str] = []
        while True:
            cut = self._sentence_end()
            if cut is None:
                return done
            sentence, self.buffer = self.buffer[:cut], self.buffer[cut:]
            if _says_something(sentence):
                done.append(sentence.strip())

    def flush(self) -> list[str]:
        rest, self.buffer = self.buffer.strip(), ""
        return [rest] if _says_something(rest) else []

    def _sentence_end(self) -> int | None:
        text = self.buffer
        for i, ch in enumerate(text):
            if ch not in _ENDS:
                continue
            j = i + 1
            while j < len(text) and text[j] in _ENDS:
                j += 1
            m = _MARKERS_AT.match(text, j)
            j = m.end() if m else j
            # the sentence is whole once something other than a marker or its start follows
            rest = text[j:]
            if rest and not re.fullmatch(r"\s*\[?\d*", rest):
                return j
            return None
        return None


def verify(draft: str, evidence: Sequence[Evidence]) -> list[Checked]:
    """Every sentence of a whole draft, checked against the evidence it cites."""
    reader = SentenceReader()
    by_number = {e.number: e for e in evidence}
    return [check_sentence(s, by_number) for s in reader.feed(draft) + reader.flush()]


def declines(text: str) -> bool:
    return any(d in text for d in DECLINES)


@dataclass(slots=True)
class Composer:
    """Supported sentences with their markers renumbered 1, 2, … in order of first use."""

    evidence: Mapping[int, Evidence]
    order: list[int] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    def add(self, checked: Checked) -> str:
        for n in checked.cites:
            if n not in self.order:
                self.order.append(n)
        text = _MARKER.sub(lambda m: f"[{self.order.index(int(m.group(1))) + 1}]", checked.sentence)
        text = re.sub(r"(\[\d+\])\1+", r"\1", text)
        self.parts.append(text)
        return text

    def answer(self, extractive: Answer) -> Answer:
        citations = tuple(
            Citation(
                marker=i,
                doc_id=e.doc_id,
                title=e.title,
                chunk_id=e.chunk_id,
                text=e.text,
                start=e.start,
                end=e.end,
                score=e.score,
            )
            for i, e in enumerate((self.evidence[n] for n in self.order), 1)
        )
        short: ShortAnswer | None = None
        if extractive.short is not None:
            s = extractive.short
            marker = next(
                (
                    c.marker
                    for c in citations
                    if c.doc_id == s.doc_id and c.start <= s.start and s.end <= c.end
                ),
                None,
            )
            short = replace(s, marker=marker) if marker is not None else None
        return Answer("".join(self.parts), False, citations, extractive.confidence, short)


# what answer_stream yields: the retrieved passages with the picker's answer, each verified
# sentence as soon as it is whole, then the outcome
Event = (
    tuple[Literal["retrieved"], AskResult]
    | tuple[Literal["sentence"], str]
    | tuple[Literal["result"], Generated]
)


def answer_stream(
    service: QAService,
    question: str,
    history: Sequence[Turn] = (),
    top_k: int | None = None,
    filter: ArticleFilter | None = None,  # noqa: A002 (the contract's name)
    generator: Generator | None = None,
    mode: Mode | None = None,
) -> Iterator[Event]:
    """The retrieved passages (with the picker's answer), verified sentences of the model's
    answer as they are written, then the Generated outcome. Without a model, when the picker
    abstains, or when nothing holds up: the extractive answer."""
    t0 = time.perf_counter()
    result = service.ask(question, history, top_k, mode, filter)
    yield ("retrieved", result)
    if generator is None or result.answer.abstained:
        reason = "no model" if generator is None else "the picker abstained"
        model = generator.name if generator is not None else None
        yield (
            "result",
            Generated(result, "extractive", fallback=reason, extractive=result, model=model),
        )
        return
    evidence = pick_evidence(service, result)
    by_number = {e.number: e for e in evidence}
    reader, composer = SentenceReader(), Composer(by_number)
    draft, checked, first_ms, failure = "", [], None, None
    token_ms: float | None = None
    t_gen = time.perf_counter()
    try:
        for piece in generator.stream(prompt_messages(result.question, evidence)):
            if token_ms is None:
                token_ms = round((time.perf_counter() - t0) * 1000, 2)
            draft += piece
            for sentence in reader.feed(piece):
                c = check_sentence(sentence, by_number)
                checked.append(c)
                if c.supported:
                    if first_ms is None:
                        first_ms = round((time.perf_counter() - t0) * 1000, 2)
                    yield ("sentence", composer.add(c))
        for sentence in reader.flush():
            c = check_sentence(sentence, by_number)
            checked.append(c)
            if c.supported:
                first_ms = first_ms or round((time.perf_counter() - t0) * 1000, 2)
                yield ("sentence", composer.add(c))
    except GenerationFailed as exc:
        log.warning("generated answer failed, answering extractively: %s", exc)
        failure = f"model failed: {exc}"
    t_end = time.perf_counter()
    timings = {
        **result.timings_ms,
        "generate": round((t_end - t_gen) * 1000, 2),
        "total": round((t_end - t0) * 1000, 2),
    }
    if composer.parts:
        answer = composer.answer(result.answer)
        given = replace(result, answer=answer, timings_ms=timings)
        yield (
            "result",
            Generated(
                given,
                "generated",
                draft,
                tuple(checked),
                first_sentence_ms=first_ms,
                first_token_ms=token_ms,
                extractive=result,
                model=generator.name,
            ),
        )
        return
    if failure is None:
        failure = (
            "the model wrote nothing"
            if not draft.strip()
            else "the model declined"
            if declines(draft)
            else "nothing supported"
        )
    fallback = replace(result, timings_ms=timings)
    yield (
        "result",
        Generated(
            fallback,
            "extractive",
            draft,
            tuple(checked),
            failure,
            first_token_ms=token_ms,
            extractive=result,
            model=generator.name,
        ),
    )


def generate_answer(
    service: QAService,
    question: str,
    history: Sequence[Turn] = (),
    top_k: int | None = None,
    filter: ArticleFilter | None = None,  # noqa: A002 (the contract's name)
    generator: Generator | None = None,
    mode: Mode | None = None,
) -> Generated:
    """The whole answer: the verified generated one, or the extractive one (answer_stream)."""
    events = answer_stream(service, question, history, top_k, filter, generator, mode)
    for kind, value in events:
        if kind == "result":
            assert isinstance(value, Generated)
            return value
    raise AssertionError("answer_stream ended without a result")

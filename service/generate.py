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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal, ParamSpec, Protocol

from index.backend import ArticleFilter
from index.modes import Mode
from service.answer import (
    Answer,
    ShortAnswer,
    candidates,
    select,
    with_types,
)
from service.answer_model import load_model
from service.followup import Turn
from service.qa import AskResult, QAService
from service.settings import Settings
from service.verify import MARKER, Checked, Evidence, SentenceReader, check_sentence

log = logging.getLogger("wenda")
P = ParamSpec("P")

EVIDENCE_SENTENCES = (
    8  # a 0.5B model answered as well over 8 sentences as over 5 passages, 3x faster
)
MAX_DRAFT_TOKENS = 200
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
    lines = "\n".join(f"[{e.marker}]（《{e.title}》）{e.text}" for e in evidence)
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"证据句：\n{lines}\n\n问题：{question}"},
    ]


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
        text = MARKER.sub(lambda m: f"[{self.order.index(int(m.group(1))) + 1}]", checked.sentence)
        text = re.sub(r"(\[\d+\])\1+", r"\1", text)
        self.parts.append(text)
        return text

    def answer(self, extractive: Answer) -> Answer:
        citations = tuple(
            replace(e, marker=i) for i, e in enumerate((self.evidence[n] for n in self.order), 1)
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
    drafting = Drafting(pick_evidence(service, result), t0)
    try:
        for sentence in drafting.sentences(
            generator.stream(prompt_messages(result.question, drafting.evidence))
        ):
            yield ("sentence", sentence)
    except GenerationFailed as exc:
        log.warning("generated answer failed, answering extractively: %s", exc)
        drafting.failure = f"model failed: {exc}"
    yield ("result", drafting.outcome(result, generator.name))


class Drafting:
    """One model draft as it is written: each whole sentence checked, the supported ones
    composed, the times of the first piece and the first verified sentence."""

    def __init__(self, evidence: Sequence[Evidence], t0: float) -> None:
        self.evidence = evidence
        self.by_number = {e.marker: e for e in evidence}
        self.reader, self.composer = SentenceReader(), Composer(self.by_number)
        self.draft = ""
        self.checked: list[Checked] = []
        self.t0, self.t_gen = t0, time.perf_counter()
        self.first_ms: float | None = None
        self.token_ms: float | None = None
        self.failure: str | None = None

    def _since_question_ms(self) -> float:
        return round((time.perf_counter() - self.t0) * 1000, 2)

    def _supported(self, sentences: list[str]) -> Iterator[str]:
        for sentence in sentences:
            c = check_sentence(sentence, self.by_number)
            self.checked.append(c)
            if c.supported:
                if self.first_ms is None:
                    self.first_ms = self._since_question_ms()
                yield self.composer.add(c)

    def sentences(self, pieces: Iterator[str]) -> Iterator[str]:
        """The supported sentences, renumbered, each as soon as it is whole."""
        for piece in pieces:
            if self.token_ms is None:
                self.token_ms = self._since_question_ms()
            self.draft += piece
            yield from self._supported(self.reader.feed(piece))
        yield from self._supported(self.reader.flush())

    def outcome(self, result: AskResult, model: str) -> Generated:
        """The generated answer if any sentence held up, else the extractive one and why."""
        t_end = time.perf_counter()
        timings = {
            **result.timings_ms,
            "generate": round((t_end - self.t_gen) * 1000, 2),
            "total": round((t_end - self.t0) * 1000, 2),
        }
        if self.composer.parts:
            answer = self.composer.answer(result.answer)
            given = replace(result, answer=answer, timings_ms=timings)
            return Generated(
                given,
                "generated",
                self.draft,
                tuple(self.checked),
                first_sentence_ms=self.first_ms,
                first_token_ms=self.token_ms,
                extractive=result,
                model=model,
            )
        failure = self.failure or (
            "the model wrote nothing"
            if not self.draft.strip()
            else "the model declined"
            if declines(self.draft)
            else "nothing supported"
        )
        return Generated(
            replace(result, timings_ms=timings),
            "extractive",
            self.draft,
            tuple(self.checked),
            failure,
            first_token_ms=self.token_ms,
            extractive=result,
            model=model,
        )


def whole(stream: Callable[P, Iterator[Event]]) -> Callable[P, Generated]:
    """A function of stream's arguments giving only the outcome its events end with."""

    def outcome(*args: P.args, **kwargs: P.kwargs) -> Generated:
        for kind, value in stream(*args, **kwargs):
            if kind == "result":
                assert isinstance(value, Generated)
                return value
        raise AssertionError(f"{stream.__name__} ended without a result")

    return outcome


# the whole answer: the verified generated one, or the extractive one
generate_answer = whole(answer_stream)

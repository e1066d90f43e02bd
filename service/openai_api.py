"""OpenAI-compatible edge (CONTRACT.md): /v1/models and /v1/chat/completions, so that chat
clients (Open WebUI, LobeChat, the `openai` package) can ask the service as they ask a model."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from service.api import Service
from service.deps import bearer_matches
from service.followup import Turn
from service.generate import Generated, answer_stream, generate_answer, generator_for
from service.qa import QAService
from service.schemas import MAX_HISTORY_TURNS, MAX_QUESTION_CHARS, AskResponse, encodable

MODEL_ID = "wenda"
SOURCES_HEADING = "来源："
_SOURCES = re.compile(rf"\n+{SOURCES_HEADING}.*\Z", re.S)


def api_key(request: Request) -> None:
    """With WENDA_API_KEY set, clients send it as `Authorization: Bearer <key>` (401 otherwise)."""
    key: str | None = request.app.state.live.settings.api_key
    if not key:
        return
    if not bearer_matches(request, key):
        raise HTTPException(
            status_code=401,
            detail="wrong or missing API key: send `Authorization: Bearer <WENDA_API_KEY>`",
            headers={"WWW-Authenticate": "Bearer"},
        )


router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"], dependencies=[Depends(api_key)])


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None

    @field_validator("content")
    @classmethod
    def valid_unicode(
        cls, value: str | list[dict[str, Any]] | None
    ) -> str | list[dict[str, Any]] | None:
        if isinstance(value, str):
            encodable(value)
        for part in value if isinstance(value, list) else []:
            encodable(str(part.get("text", "")))
        return value

    def text(self) -> str:
        """The message's text; of a list of parts, the text parts joined."""
        if isinstance(self.content, str):
            return self.content
        return "".join(
            str(p.get("text", "")) for p in self.content or [] if p.get("type") == "text"
        )


class ChatRequest(BaseModel):
    """An OpenAI chat request; sampling options (temperature, …) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: StrictBool = False  # not 0/1: the schema says boolean


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "wenda"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


def unprocessable(field: str, message: str) -> HTTPException:
    return HTTPException(
        status_code=422, detail=[{"field": field, "message": message, "type": "value_error"}]
    )


def question_and_history(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    """The last user message is the question; the user and assistant turns before it, the
    history (an assistant turn without the source list this service appended to it)."""
    last = next((i for i in range(len(messages) - 1, -1, -1) if messages[i].role == "user"), None)
    if last is None:
        raise unprocessable("messages", "no message with role 'user': ask something")
    question = messages[last].text().strip()
    if not question:
        raise unprocessable(f"messages.{last}.content", "the question is empty: ask something")
    if len(question) > MAX_QUESTION_CHARS:
        raise unprocessable(
            f"messages.{last}.content",
            f"question has {len(question)} characters; at most {MAX_QUESTION_CHARS} are allowed",
        )
    history = [
        Turn(m.role, _SOURCES.sub("", m.text()).strip() if m.role == "assistant" else m.text())
        for m in messages[:last]
        if m.role in ("user", "assistant") and m.text().strip()
    ]
    return question, history[-MAX_HISTORY_TURNS:]


def sources(body: AskResponse) -> str:
    """The short source list after an answer: title, date when known, the quoted sentence."""
    if body.abstained or not body.citations:
        return ""
    lines = [
        f"[{c.marker}] 《{c.title}》{f' {c.date}' if c.date else ''}：“{c.text.strip()}”"
        for c in body.citations
    ]
    return f"\n\n{SOURCES_HEADING}\n" + "\n".join(lines)


def response_body(service: QAService, outcome: Generated) -> AskResponse:
    body = AskResponse.of(outcome.result, service.index.articles_by_id)
    body.answered_by = outcome.answered_by
    return body


def wenda_extra(body: AskResponse) -> dict[str, Any]:
    """What clients ignore and wenda-aware clients read: the /ask body's structured parts."""
    return body.model_dump(
        include={
            "citations",
            "passages",
            "abstained",
            "short_answer",
            "resolved_question",
            "answered_by",
            "timings_ms",
        }
    )


def pieces(text: str, size: int = 16) -> Iterator[str]:
    """text in short pieces, never cutting a [n] marker."""
    for m in re.finditer(rf"(?:\[\d+\]|.){{1,{size}}}", text, re.S):
        yield m.group()


def chunk(cid: str, created: int, delta: dict[str, Any], finish: str | None = None) -> str:
    body = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL_ID,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def completion_chunks(
    service: QAService, question: str, history: list[Turn], cid: str, created: int
) -> Iterator[str]:
    """The answer as chat.completion.chunk events: verified sentences as they are written (or
    the extractive answer in pieces), the source list, a last chunk carrying `wenda`, [DONE]."""
    yield chunk(cid, created, {"role": "assistant", "content": ""})
    try:
        outcome: Generated | None = None
        events = answer_stream(
            service, question, history, generator=generator_for(service.settings)
        )
        for kind, value in events:
            if kind == "sentence":
                yield chunk(cid, created, {"content": value})
            elif kind == "result":
                outcome = value  # type: ignore[assignment]
        assert outcome is not None
        body = response_body(service, outcome)
        if outcome.answered_by == "extractive":
            for piece in pieces(body.answer):
                yield chunk(cid, created, {"content": piece})
        if extra := sources(body):
            yield chunk(cid, created, {"content": extra})
        last = json.loads(chunk(cid, created, {}, "stop")[6:])
        last["wenda"] = wenda_extra(body)
        yield f"data: {json.dumps(last, ensure_ascii=False)}\n\n"
    except Exception as exc:  # the stream has started: report in-band, as OpenAI servers do
        error = {"message": f"answer failed: {type(exc).__name__}", "type": "server_error"}
        yield f"data: {json.dumps({'error': error}, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"


@router.get("/models", response_model=ModelList)
def models(request: Request) -> ModelList:
    return ModelList(data=[ModelCard(id=MODEL_ID, created=request.app.state.openai_created)])


@router.post("/chat/completions", response_model=None)
def chat_completions(body: ChatRequest, service: Service) -> dict[str, Any] | StreamingResponse:
    """The answer to the last user message, the earlier messages its history, in OpenAI's
    chat.completion (or, with stream, chat.completion.chunk) format plus a `wenda` object."""
    question, history = question_and_history(body.messages)
    cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if body.stream:
        return StreamingResponse(
            completion_chunks(service, question, history, cid, created),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )
    outcome = generate_answer(service, question, history, generator=generator_for(service.settings))
    answer = response_body(service, outcome)
    return {
        "id": cid,
        "object": "chat.completion",
        "created": created,
        "model": MODEL_ID,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.answer + sources(answer)},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "wenda": wenda_extra(answer),
    }

"""POST /ask and POST /ask/stream: a question (with its history) answered with citations."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from service.deps import Service
from service.followup import Turn
from service.generate import Event, Generated, answer_stream, generator_for
from service.qa import QAService
from service.schemas import AskRequest, AskResponse, PassageOut

log = logging.getLogger("wenda")
router = APIRouter(tags=["ask"])


@router.post("/ask", response_model=AskResponse)
def ask(body: AskRequest, service: Service) -> AskResponse:
    for kind, value in ask_events(service, body):
        if kind == "result":
            return response_of(service, value)  # type: ignore[arg-type]
    raise AssertionError("answer_stream ended without a result")


@router.post("/ask/stream", responses={200: {"content": {"text/event-stream": {}}}})
def ask_stream(body: AskRequest, service: Service) -> StreamingResponse:
    return StreamingResponse(
        answer_events(service, body),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache"},
    )


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def ask_events(service: QAService, body: AskRequest) -> Iterator[Event]:
    """answer_stream for an /ask body, with the configured model (if any)."""
    history = [Turn(t.role, t.content) for t in body.history]
    only = body.filter.to_filter() if body.filter else None
    generator = generator_for(service.settings)
    return answer_stream(service, body.question, history, body.top_k, only, generator)


def response_of(service: QAService, outcome: Generated) -> AskResponse:
    response = AskResponse.of(outcome.result, service.index.articles_by_id)
    response.answered_by = outcome.answered_by
    return response


def answer_events(service: QAService, body: AskRequest) -> Iterator[str]:
    """passages, then the answer in pieces (a model's verified sentences as it writes them),
    then citations, then the whole response."""
    try:
        outcome: Generated | None = None
        for kind, value in ask_events(service, body):
            if kind == "retrieved":
                hits = value.hits  # type: ignore[union-attr]
                yield sse("passages", [PassageOut.of(h).model_dump() for h in hits])
            elif kind == "sentence":
                yield sse("delta", {"text": value})
            else:
                outcome = value  # type: ignore[assignment]
        assert outcome is not None
        response = response_of(service, outcome)
        if outcome.answered_by == "extractive":  # a generated answer was sent as it was written
            for piece in answer_pieces(response.answer):
                yield sse("delta", {"text": piece})
        yield sse("citations", [c.model_dump() for c in response.citations])
        yield sse("done", response.model_dump())
    except Exception as exc:  # the stream has started: report in-band, not drop the connection
        log.exception("stream failed")
        yield sse("error", {"detail": f"answer failed: {type(exc).__name__}"})


def answer_pieces(answer: str, size: int = 16) -> Iterator[str]:
    """The answer cut into short pieces, never inside a [n] marker."""
    piece = ""
    i = 0
    while i < len(answer):
        if answer[i] == "[":
            close = answer.find("]", i)
            if close != -1:
                piece += answer[i : close + 1]
                i = close + 1
                continue
        piece += answer[i]
        i += 1
        if len(piece) >= size:
            yield piece
            piece = ""
    if piece:
        yield piece

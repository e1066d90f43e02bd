"""GET /healthz (the index served) and GET /config (the limits the web chat checks against)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from service.answer import ABSTAIN_MESSAGE
from service.deps import Service
from service.request_limits import (
    DEFAULT_TOP_K,
    MAX_HISTORY_TURNS,
    MAX_QUESTION_CHARS,
    MODES,
    TOP_K_MAX,
    TOP_K_MIN,
)
from service.schemas import Health, IndexInfo

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz(service: Service) -> Health:
    m = service.index.manifest
    return Health(
        status="ok",
        index=IndexInfo(
            articles=m.articles,
            chunks=m.chunks,
            model=m.model,
            built_at=m.built_at,
            generation=m.generation or None,
        ),
    )


@router.get("/config")
def config() -> dict[str, Any]:
    """The request limits and the abstention message, defined once in the service; the web chat
    reads them instead of keeping copies (answered with or without an index)."""
    return {
        "max_question_chars": MAX_QUESTION_CHARS,
        "max_history_turns": MAX_HISTORY_TURNS,
        "top_k": {"min": TOP_K_MIN, "max": TOP_K_MAX, "default": DEFAULT_TOP_K},
        "modes": list(MODES),
        "abstain_message": ABSTAIN_MESSAGE.rstrip("。"),
    }

"""The routes' dependencies, as `Annotated` aliases: the current QA service (or 503), the live
service behind it, and the admin check for changing articles."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from service.live import LiveService
from service.qa import QAService
from service.settings import Settings


def live_service(request: Request) -> LiveService:
    live: LiveService = request.app.state.live
    return live


Live = Annotated[LiveService, Depends(live_service)]


def qa_service(live: Live) -> QAService:
    """The service over the current index generation, or 503 saying how to build the index."""
    service = live.service
    if service is None:
        detail = without_server_paths(live.error or "index not loaded", live.settings)
        raise HTTPException(status_code=503, detail=detail)
    return service


def without_server_paths(message: str, settings: Settings) -> str:
    """message with the data dir's absolute path written as <data dir>: a response does not
    tell a client where the server keeps its files."""
    paths = {str(settings.data_dir), str(settings.data_dir.resolve())}
    for path in sorted(paths, key=len, reverse=True):
        message = message.replace(path, "<data dir>")
    return message


def bearer_matches(request: Request, secret: str) -> bool:
    """Whether the request carries `Authorization: Bearer <secret>` (compared in constant time)."""
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(given.strip(), secret)


def admin(request: Request, live: Live) -> None:
    """Changing articles needs the admin token: 403 when none is configured, 401 when wrong."""
    token = live.settings.admin_token
    if not token:
        raise HTTPException(
            status_code=403,
            detail="changing articles over HTTP is off: start `wenda serve` with "
            "WENDA_ADMIN_TOKEN set, then send `Authorization: Bearer <that token>`",
        )
    if not bearer_matches(request, token):
        raise HTTPException(
            status_code=401,
            detail="wrong or missing admin token: send `Authorization: Bearer <WENDA_ADMIN_TOKEN>`",
            headers={"WWW-Authenticate": "Bearer"},
        )


Service = Annotated[QAService, Depends(qa_service)]
Admin = Depends(admin)  # for a route's dependencies=[Admin]: it returns nothing

"""Limits at the HTTP edge: how big a request body may be, and how many questions are answered
at once (the rest wait briefly, then get a fast 503 rather than an unbounded queue)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

QUESTION_PATHS = frozenset({"/ask", "/ask/stream", "/v1/chat/completions"})


async def send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    data = json.dumps(body, ensure_ascii=False).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


def too_large(limit: int) -> dict[str, Any]:
    return {"detail": f"request body over {limit} bytes: send less"}


class BodyLimit:
    """413 for a body over `limit` bytes (`upload_limit` for POST /articles), told by its
    Content-Length before anything is read, or counted while it is read; 408 for a body not
    complete within `body_seconds` of its first read (a client trickling bytes holds a worker)."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int, body_seconds: float) -> None:
        self.app, self.limit, self.upload_limit = app, limit, upload_limit
        self.body_seconds = body_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        uploads = scope["method"] == "POST" and scope["path"] == "/articles"
        limit = self.upload_limit if uploads else self.limit
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await send_json(send, 413, too_large(limit), {"Connection": "close"})
            return
        seen = 0
        deadline: float | None = None  # set at the first read of the body
        complete = False
        started = False

        async def counted_receive() -> Message:
            nonlocal seen, deadline, complete
            if complete:  # later reads wait for a disconnect while a response streams
                return await receive()
            deadline = deadline or loop_time() + self.body_seconds
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop_time()))
            except TimeoutError:
                raise HTTPException(408, too_slow(self.body_seconds)) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, too_large(limit)["detail"])
                complete = not message.get("more_body", False)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except HTTPException as exc:  # raised while a body was read outside a route
            if exc.status_code not in (408, 413) or started:
                raise
            await send_json(send, exc.status_code, {"detail": exc.detail}, {"Connection": "close"})


def too_slow(seconds: float) -> str:
    return f"request body not received within {seconds:g} s: send it at once"


class QuestionSlots:
    """At most `slots` questions answered at once, and of them at most `large_slots` whose body
    is over `large_bytes` (or of unknown size): long questions and histories cost a few times an
    ordinary one, so a few clients sending them must not take every slot. A question that finds
    no slot free within `wait_seconds` answers 503 with Retry-After. A slot is held until the
    response (a stream included) has been sent."""

    def __init__(
        self, app: ASGIApp, slots: int, large_slots: int, large_bytes: int, wait_seconds: float
    ) -> None:
        self.app, self.large_bytes, self.wait_seconds = app, large_bytes, wait_seconds
        self.slots = asyncio.Semaphore(slots)
        self.large_slots = asyncio.Semaphore(large_slots)

    def is_large(self, scope: Scope) -> bool:
        declared = dict(scope["headers"]).get(b"content-length", b"")
        return not declared.isdigit() or int(declared) > self.large_bytes

    async def take(self, slots: asyncio.Semaphore, deadline: float) -> bool:
        """A slot of slots, waited for until deadline (loop time); False when none came."""
        if not slots.locked():
            await slots.acquire()
            return True
        try:
            await asyncio.wait_for(slots.acquire(), max(0.0, deadline - loop_time()))
        except TimeoutError:
            return False
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in QUESTION_PATHS:
            await self.app(scope, receive, send)
            return
        deadline = loop_time() + self.wait_seconds
        pools = [self.large_slots, self.slots] if self.is_large(scope) else [self.slots]
        taken: list[asyncio.Semaphore] = []
        try:
            for pool in pools:
                if not await self.take(pool, deadline):
                    await send_json(
                        send,
                        503,
                        {"detail": "busy answering other questions: retry in a second"},
                        {"Retry-After": "1"},
                    )
                    return
                taken.append(pool)
            await self.app(scope, receive, send)
        finally:
            for pool in taken:
                pool.release()


def loop_time() -> float:
    return asyncio.get_running_loop().time()

"""Limits at the HTTP edge: how big a request body may be, and how many questions are answered
at once (the rest wait briefly, then get a fast 503 rather than an unbounded queue)."""

from __future__ import annotations

import asyncio
import json
import math
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


class SlotPool:
    """`size` slots, the questions waiting for one, and how long a question holds one (a moving
    average of the last ones), from which the wait of a newcomer is foretold."""

    def __init__(self, size: int) -> None:
        self.size, self.free = size, asyncio.Semaphore(size)
        self.waiting = 0
        self.held_seconds: float | None = None  # none answered yet: nothing to foretell from

    def foretold_wait(self) -> float:
        """Seconds until a newcomer gets a slot: 0 when one is free; else the releases it
        waits for (one per question ahead of it, and its own), at size per held_seconds."""
        if not self.free.locked():
            return 0.0
        return (self.waiting + 1) * (self.held_seconds or 0.0) / self.size

    async def take(self, deadline: float) -> bool:
        """A slot, waited for until deadline (loop time); False when none came."""
        if not self.free.locked():
            await self.free.acquire()
            return True
        self.waiting += 1
        try:
            await asyncio.wait_for(self.free.acquire(), max(0.0, deadline - loop_time()))
        except TimeoutError:
            return False
        finally:
            self.waiting -= 1
        return True

    def give_back(self, held: float | None) -> None:
        """The slot, after a question held it for held seconds (None: it was not answered)."""
        self.free.release()
        if held is not None:
            before = self.held_seconds
            self.held_seconds = held if before is None else 0.8 * before + 0.2 * held


class QuestionSlots:
    """At most `slots` questions answered at once, and of them at most `large_slots` whose body
    is over `large_bytes` (or of unknown size): long questions and histories cost a few times an
    ordinary one, so a few clients sending them must not take every slot. Admission is decided
    at arrival: a question whose foretold wait (the questions ahead of it times how long one
    holds a slot lately) is over `wait_seconds` answers 503 with Retry-After at once; one that
    waits anyway gets 503 when `wait_seconds` have passed. A slot is held until the response (a
    stream included) has been sent. Every answer says how long it waited for its slot
    (`Server-Timing: queue;dur=<ms>`)."""

    def __init__(
        self, app: ASGIApp, slots: int, large_slots: int, large_bytes: int, wait_seconds: float
    ) -> None:
        self.app, self.large_bytes, self.wait_seconds = app, large_bytes, wait_seconds
        self.slots, self.large_slots = SlotPool(slots), SlotPool(large_slots)

    def is_large(self, scope: Scope) -> bool:
        declared = dict(scope["headers"]).get(b"content-length", b"")
        return not declared.isdigit() or int(declared) > self.large_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in QUESTION_PATHS:
            await self.app(scope, receive, send)
            return
        arrived = loop_time()
        deadline = arrived + self.wait_seconds
        pools = [self.large_slots, self.slots] if self.is_large(scope) else [self.slots]
        taken: list[SlotPool] = []
        admitted: float | None = None
        try:
            for pool in pools:
                foretold = pool.foretold_wait()
                if foretold > self.wait_seconds or not await pool.take(deadline):
                    headers = {
                        "Retry-After": retry_after(foretold),
                        "Server-Timing": queue_timing(loop_time() - arrived),
                    }
                    await send_json(send, 503, busy(), headers)
                    return
                taken.append(pool)
            admitted = loop_time()
            await self.app(scope, receive, with_queue_timing(send, admitted - arrived))
        finally:
            held = None if admitted is None else loop_time() - admitted
            for pool in taken:
                pool.give_back(held)


def busy() -> dict[str, str]:
    return {"detail": "busy answering other questions: retry after Retry-After seconds"}


def retry_after(foretold: float) -> str:
    """Whole seconds, at least 1: when a slot is foretold to be free."""
    return str(max(1, math.ceil(foretold)))


def queue_timing(seconds: float) -> str:
    return f"queue;dur={seconds * 1000:.1f}"


def with_queue_timing(send: Send, waited: float) -> Send:
    """send, adding Server-Timing with the wait for a slot to the response's headers."""

    async def timed_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            header = (b"server-timing", queue_timing(waited).encode())
            message = {**message, "headers": [*message.get("headers", []), header]}
        await send(message)

    return timed_send


def loop_time() -> float:
    return asyncio.get_running_loop().time()

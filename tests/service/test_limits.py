"""service/limits.py's question slots, driven as ASGI in one event loop: admission is decided
at arrival from the questions ahead and how long one holds a slot."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

from service.limits import QuestionSlots

Message = MutableMapping[str, Any]


def ask_scope() -> dict[str, Any]:
    body_size = b"20"
    return {
        "type": "http",
        "method": "POST",
        "path": "/ask",
        "headers": [(b"content-length", body_size)],
    }


class Answerer:
    """An ASGI app answering 200 once its question's gate opens (or after `seconds`)."""

    def __init__(self) -> None:
        self.gates: list[asyncio.Event] = []
        self.seconds = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.seconds:
            await asyncio.sleep(self.seconds)
        else:
            gate = asyncio.Event()
            self.gates.append(gate)
            await gate.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


async def answer(slots: QuestionSlots) -> dict[str, Any]:
    """The status and headers a question got."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await slots(ask_scope(), receive, send)
    start = sent[0]
    return {"status": start["status"], **{k.decode(): v.decode() for k, v in start["headers"]}}


def test_a_question_foretold_to_wait_past_the_bound_gets_503_at_once_with_retry_after() -> None:
    async def scenario() -> None:
        app = Answerer()
        slots = QuestionSlots(app, slots=1, large_slots=1, large_bytes=1000, wait_seconds=0.55)
        app.seconds = 0.3  # one question answered: a slot is held about 0.3 s
        assert (await answer(slots))["status"] == 200
        app.seconds = 0.0
        holding = asyncio.create_task(answer(slots))
        while not app.gates:
            await asyncio.sleep(0.01)
        queued = asyncio.create_task(answer(slots))  # one question ahead: foretold ~0.3 s
        await asyncio.sleep(0.05)
        refused = await asyncio.wait_for(answer(slots), 5)  # two ahead: ~0.6 s, over 0.55
        assert refused["status"] == 503
        assert refused["retry-after"] == "1" and refused["server-timing"].startswith("queue;dur=")
        assert not holding.done() and not queued.done()  # refused while the slot was still held
        app.gates[0].set()
        while len(app.gates) < 2:
            await asyncio.sleep(0.01)
        app.gates[1].set()
        assert (await holding)["status"] == 200
        got = await queued
        assert got["status"] == 200 and got["server-timing"].startswith("queue;dur=")

    asyncio.run(scenario())


def test_with_no_question_answered_yet_a_newcomer_waits_for_the_bound_then_gets_503() -> None:
    async def scenario() -> None:
        app = Answerer()
        slots = QuestionSlots(app, slots=1, large_slots=1, large_bytes=1000, wait_seconds=0.1)
        holding = asyncio.create_task(answer(slots))
        while not app.gates:
            await asyncio.sleep(0.01)
        refused = await asyncio.wait_for(answer(slots), 5)
        assert refused["status"] == 503 and refused["retry-after"] == "1"
        waited_ms = float(refused["server-timing"].split("dur=")[1])
        assert waited_ms >= 100  # it did wait for a slot before being refused
        app.gates[0].set()
        assert (await holding)["status"] == 200

    asyncio.run(scenario())

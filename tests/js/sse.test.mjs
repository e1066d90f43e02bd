// Server-Sent Events as the chat reads them from a streamed fetch body.
import assert from "node:assert/strict";
import { test } from "node:test";

import { parseEventBlock, readEvents } from "../../service/static/sse.js";

function responseOf(chunks) {
  const bytes = new TextEncoder();
  const body = new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(bytes.encode(chunk));
      controller.close();
    },
  });
  return { body };
}

async function all(response) {
  const events = [];
  for await (const event of readEvents(response)) events.push(event);
  return events;
}

test("an event block gives its name and its data lines joined", () => {
  assert.deepEqual(parseEventBlock("event: delta\ndata: a\ndata: b"), { name: "delta", data: "a\nb" });
  assert.deepEqual(parseEventBlock("data:x"), { name: "message", data: "x" });
  assert.equal(parseEventBlock(": a comment\nevent: ping"), null);
});

test("events split across chunks and CRLF line ends come out whole", async () => {
  const events = await all(
    responseOf(['event: passages\r\ndata: [1', ']\r', '\n\r\nevent: done\ndata: {"a":"答"}\n\n']),
  );
  assert.deepEqual(events, [
    { name: "passages", data: "[1]" },
    { name: "done", data: '{"a":"答"}' },
  ]);
});

test("a last event without its blank line is still delivered", async () => {
  assert.deepEqual(await all(responseOf(["event: error\ndata: {}"])), [{ name: "error", data: "{}" }]);
});

test("a multi-byte character cut between chunks is decoded whole", async () => {
  const bytes = new TextEncoder().encode("data: 答案\n\n");
  const body = new ReadableStream({
    start(controller) {
      controller.enqueue(bytes.slice(0, 8));
      controller.enqueue(bytes.slice(8));
      controller.close();
    },
  });
  assert.deepEqual(await all({ body }), [{ name: "message", data: "答案" }]);
});

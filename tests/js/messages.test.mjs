// What the chat tells the user, and the service's limits it reads from GET /config.
import assert from "node:assert/strict";
import { test } from "node:test";

import { configOf, loadConfig } from "../../service/static/config.js";
import {
  cleanShortAnswer,
  describeHttpError,
  networkAware,
  readJson,
  sameQuestion,
  snippet,
} from "../../service/static/messages.js";

test("a malformed short answer is dropped, a partial one keeps its text", () => {
  assert.equal(cleanShortAnswer(null), null);
  assert.equal(cleanShortAnswer({ text: "  " }), null);
  assert.deepEqual(cleanShortAnswer({ text: "8210人", marker: 1, doc_id: 7, start: 2.5 }), {
    text: "8210人",
    marker: 1,
    doc_id: "",
    start: -1,
    end: -1,
  });
});

test("questions differing only in spaces and a final question mark are the same", () => {
  assert.ok(sameQuestion(" 多少人? ", "多少人？"));
  assert.ok(!sameQuestion("多少人", "多少钱"));
});

test("a snippet is cut at its length in code points, with an ellipsis", () => {
  assert.equal(snippet("a  b\nc"), "a b c");
  assert.equal(snippet("𠀾".repeat(5), 3), "𠀾𠀾𠀾…");
});

test("a 422 on the question names the limit and the question's length", () => {
  const body = { detail: [{ field: "question", message: "too long", type: "string_too_long" }] };
  assert.match(describeHttpError(422, body, "问".repeat(2001), 2000), /最多 2000 个字,这个问题有 2001 个字/);
  const blank = { detail: [{ field: "question", message: "empty", type: "value_error" }] };
  assert.equal(describeHttpError(422, blank, "  ", 2000), "问题是空的,请先输入问题。");
});

test("a 503 says the index is missing in the service's words", () => {
  assert.match(describeHttpError(503, { detail: "run `wenda index`" }), /服务还不能回答:run `wenda index`/);
  assert.match(describeHttpError(500, null), /服务出错了\(500\),请稍后再试/);
});

test("the limits come from the service's /config, none when it does not answer", async () => {
  const served = { max_question_chars: 2000, max_history_turns: 20, abstain_message: "没有答案" };
  const ok = async () => ({ ok: true, json: async () => served });
  assert.deepEqual(await loadConfig(ok), {
    maxQuestionChars: 2000,
    maxHistoryTurns: 20,
    abstainMessage: "没有答案",
  });
  const down = async () => {
    throw new TypeError("fetch failed");
  };
  assert.deepEqual(await loadConfig(down), configOf({}));
  assert.equal(configOf({}).maxQuestionChars, Infinity);
});

test("an unreachable service is said in words, any other error by its message", () => {
  assert.match(networkAware(new TypeError("Failed to fetch"), "没有发出去"), /^没有发出去:连不上问答服务/);
  assert.equal(networkAware(new Error("索引里没有这篇文章"), "没能载入原文"), "没能载入原文:索引里没有这篇文章");
});

test("an error response without JSON reads as null", async () => {
  assert.deepEqual(await readJson({ json: async () => ({ detail: "x" }) }), { detail: "x" });
  assert.equal(await readJson({ json: async () => JSON.parse("<html>") }), null);
});

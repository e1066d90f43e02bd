// What the chat holds while the page is open: the service's limits, the conversation (kept in
// localStorage across reloads) and the answer on its way, if any.
import { configOf } from "./config.js";
import { cleanShortAnswer } from "./messages.js";

export const STORAGE_KEY = "wenda.chat.v1";

export const state = {
  // the limits and the abstention wording are the service's (GET /config)
  config: configOf({}),
  // A turn is {role: "user", content, failed?} | {role: "assistant", answer, abstained,
  // citations, passages, shortAnswer, resolvedQuestion, state} | {role: "error", content}.
  // shortAnswer is null or {text, marker, doc_id, start, end}; resolvedQuestion is "" unless the
  // service read the question differently from how it was typed (a resolved follow-up).
  turns: loadTurns(),
  busy: false,
  controller: null, // the AbortController of the answer on its way
};

function loadTurns() {
  let parsed;
  try {
    parsed = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
  } catch {
    return [];
  }
  if (!parsed || !Array.isArray(parsed.turns)) return [];
  const clean = [];
  for (const t of parsed.turns) {
    if (!t || typeof t !== "object") continue;
    if (t.role === "user" && typeof t.content === "string") {
      clean.push({ role: "user", content: t.content, failed: Boolean(t.failed) });
    } else if (t.role === "assistant" && typeof t.answer === "string") {
      clean.push({
        role: "assistant",
        answer: t.answer,
        abstained: Boolean(t.abstained),
        citations: Array.isArray(t.citations) ? t.citations : [],
        passages: Array.isArray(t.passages) ? t.passages : [],
        shortAnswer: cleanShortAnswer(t.shortAnswer),
        resolvedQuestion: typeof t.resolvedQuestion === "string" ? t.resolvedQuestion : "",
        state: t.state === "error" ? "error" : "done",
        errorText: typeof t.errorText === "string" ? t.errorText : "",
      });
    } else if (t.role === "error" && typeof t.content === "string") {
      clean.push({ role: "error", content: t.content });
    }
  }
  // A question whose answer never arrived (the page was closed mid-answer) is marked unsent.
  clean.forEach((t, i) => {
    if (t.role === "user" && !(clean[i + 1] && clean[i + 1].role !== "user")) t.failed = true;
  });
  return clean;
}

export function saveTurns() {
  const settled = state.turns.filter((t) => t.role !== "assistant" || t.state !== "streaming");
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ version: 1, turns: settled }));
  } catch {
    // Storage full or disabled: the chat still works, it just won't survive a reload.
  }
}

// The earlier state.turns the service needs for a follow-up, oldest first, at most 20.
export function historyForRequest() {
  const history = [];
  state.turns.forEach((t, i) => {
    const next = state.turns[i + 1];
    if (t.role === "user" && !t.failed && next && next.role === "assistant" && next.state === "done") {
      history.push({ role: "user", content: t.content });
      history.push({ role: "assistant", content: next.answer });
    }
  });
  return history.slice(-state.config.maxHistoryTurns);
}

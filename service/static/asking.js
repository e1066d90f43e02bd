// Asking: the composer, a question sent to /ask/stream and its answer read as it streams, a
// failure shown in words with the question given back, a new chat.
import { appendTurn, refreshAssistant, renderAll, renderUser, scrollToBottom, turnNodes } from "./answers.js";
import { ui } from "./dom.js";
import { checkHealth, markServiceDown } from "./library.js";
import { cleanShortAnswer, describeHttpError, detailText, networkAware, readJson, sameQuestion } from "./messages.js";
import { codePointLength } from "./offsets.js";
import { closePanel } from "./panel.js";
import { readEvents } from "./sse.js";
import { historyForRequest, saveTurns, STORAGE_KEY, state } from "./state.js";

class StreamFailure extends Error {}

function setBusy(value) {
  state.busy = value;
  ui.send.disabled = value;
  ui.send.setAttribute("aria-label", value ? "正在回答,请稍候" : "发送问题");
  ui.conversation.setAttribute("aria-busy", value ? "true" : "false");
  document.body.classList.toggle("is-busy", value);
}

function restoreQuestion(question) {
  if (!ui.input.value.trim()) {
    ui.input.value = question;
    updateComposer();
  }
  ui.input.focus();
}

function failQuestion(userTurn, assistantTurn, message) {
  userTurn.failed = true;
  const oldNode = turnNodes.get(userTurn);
  if (oldNode) oldNode.replaceWith(renderUser(userTurn));
  if (assistantTurn) {
    if (assistantTurn.answer) {
      assistantTurn.state = "error";
      assistantTurn.errorText = message;
      refreshAssistant(assistantTurn);
    } else {
      state.turns = state.turns.filter((t) => t !== assistantTurn);
      turnNodes.get(assistantTurn)?.remove();
    }
  }
  const errorTurn = { role: "error", content: message };
  state.turns.push(errorTurn);
  appendTurn(errorTurn);
  saveTurns();
  scrollToBottom();
}

async function ask(question) {
  const history = historyForRequest();
  const userTurn = { role: "user", content: question, failed: false };
  state.turns.push(userTurn);
  appendTurn(userTurn);
  saveTurns();

  const assistantTurn = {
    role: "assistant",
    answer: "",
    abstained: false,
    citations: [],
    passages: [],
    shortAnswer: null,
    resolvedQuestion: "",
    state: "streaming",
  };
  state.turns.push(assistantTurn);
  appendTurn(assistantTurn);
  setBusy(true);
  state.controller = new AbortController();
  const mine = state.controller;

  try {
    const response = await postQuestion(question, history, mine.signal);
    if (!response) return;
    if (!(await readAnswer(response, question, assistantTurn, mine.signal))) return;
    assistantTurn.state = "done";
    refreshAssistant(assistantTurn);
    saveTurns();
  } catch (error) {
    if (mine.signal.aborted) return;
    const message = error instanceof StreamFailure ? error.message : `出错了:${error.message}`;
    failQuestion(userTurn, assistantTurn, message);
    restoreQuestion(question);
    scrollToBottom();
  } finally {
    if (state.controller === mine) {
      state.controller = null;
      setBusy(false);
    }
  }
}

// The response of /ask/stream, or null when the question was withdrawn (a new chat); a
// StreamFailure saying why when there is none to read.
async function postQuestion(question, history, signal) {
  let response;
  try {
    response = await fetch("/ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ question, history }),
      signal,
    });
  } catch (error) {
    if (signal.aborted) return null;
    markServiceDown();
    throw new StreamFailure(networkAware(error, "没有发出去"));
  }
  if (ui.health.dataset.state === "down") checkHealth();
  if (!response.ok) {
    const body = await readJson(response);
    throw new StreamFailure(describeHttpError(response.status, body, question, state.config.maxQuestionChars));
  }
  if (!response.body) throw new StreamFailure("浏览器读不到流式回答。");
  return response;
}

// The stream's events into assistantTurn as they come; false when the question was withdrawn,
// a StreamFailure when the stream broke or ended before `done`.
async function readAnswer(response, question, assistantTurn, signal) {
  let finished = false;
  try {
    for await (const event of readEvents(response)) {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        throw new StreamFailure("服务发来了看不懂的数据。");
      }
      finished = applyEvent(assistantTurn, question, event.name, data) || finished;
    }
  } catch (error) {
    if (signal.aborted) return false;
    if (error instanceof StreamFailure) throw error;
    throw new StreamFailure("回答中断了:和服务的连接断开了。");
  }
  if (!finished) throw new StreamFailure("回答中断了:服务没有发完回答。");
  return true;
}

// One event of the stream into the turn; true for `done`, which carries the whole answer.
function applyEvent(assistantTurn, question, name, data) {
  if (name === "passages" && Array.isArray(data)) {
    assistantTurn.passages = data;
  } else if (name === "delta" && data && typeof data.text === "string") {
    assistantTurn.answer += data.text;
    refreshAssistant(assistantTurn);
  } else if (name === "citations" && Array.isArray(data)) {
    assistantTurn.citations = data;
    refreshAssistant(assistantTurn);
  } else if (name === "done" && data) {
    assistantTurn.answer = typeof data.answer === "string" ? data.answer : assistantTurn.answer;
    assistantTurn.abstained = Boolean(data.abstained);
    assistantTurn.citations = Array.isArray(data.citations) ? data.citations : assistantTurn.citations;
    assistantTurn.passages = Array.isArray(data.passages) ? data.passages : assistantTurn.passages;
    assistantTurn.shortAnswer = assistantTurn.abstained ? null : cleanShortAnswer(data.short_answer);
    const resolved = typeof data.resolved_question === "string" ? data.resolved_question.trim() : "";
    assistantTurn.resolvedQuestion = resolved && !sameQuestion(question, resolved) ? resolved : "";
    return true;
  } else if (name === "error") {
    throw new StreamFailure(`回答时出错了:${detailText(data && data.detail) || "未知错误"}`);
  }
  return false;
}

export function updateComposer() {
  const length = codePointLength(ui.input.value.trim());
  const max = state.config.maxQuestionChars;
  const over = length > max;
  ui.count.textContent = length > max * 0.9 ? `${length}/${max}` : "";
  ui.count.classList.toggle("is-over", over);
  ui.input.setAttribute("aria-invalid", over ? "true" : "false");
  // Grow with the text up to a few lines, then scroll inside the box.
  ui.input.rows = 1;
  let rows = 1;
  while (ui.input.scrollHeight > ui.input.clientHeight + 1 && rows < 8) {
    rows += 1;
    ui.input.rows = rows;
  }
}

export function submit() {
  if (state.busy) return;
  const question = ui.input.value;
  if (!question.trim()) {
    ui.input.focus();
    return;
  }
  ui.input.value = "";
  updateComposer();
  ask(question.trim());
}

export function newChat() {
  if (state.controller) {
    state.controller.abort();
    state.controller = null;
    setBusy(false);
  }
  state.turns = [];
  saveTurns();
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored to remove.
  }
  closePanel();
  renderAll();
  ui.input.focus();
}

// The web chat: asks /ask/stream, shows answers with citation markers, opens cited articles.
// Every piece of text from questions, answers and articles goes in through textContent or
// createTextNode, never as HTML.
import { configOf, loadConfig } from "./config.js";
import { articleLines, codePointLength, factRange, highlightRange } from "./offsets.js";
import { readEvents } from "./sse.js";
import { cleanShortAnswer, describeHttpError, detailText, sameQuestion, snippet } from "./messages.js";

const STORAGE_KEY = "wenda.chat.v1";
// the limits and the abstention wording are the service's (GET /config)
let config = configOf({});
const LONG_QUESTION_CHARS = 280;
const RELATED_SHOWN = 3;
const MARKER_RE = /\[(\d+)\]/g;

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
const ui = {
  conversation: byTestId("conversation"),
  empty: byTestId("empty-state"),
  form: byTestId("composer"),
  input: byTestId("question-input"),
  count: byTestId("question-count"),
  send: byTestId("send"),
  newChat: byTestId("new-chat"),
  health: byTestId("health"),
  panel: byTestId("article-panel"),
  panelClose: byTestId("article-close"),
  panelScroll: byTestId("article-scroll"),
  articleTitle: byTestId("article-title"),
  headTitle: byTestId("panel-head-title"),
  articleByline: byTestId("article-byline"),
  articleNote: byTestId("article-note"),
  articleText: byTestId("article-text"),
  examples: byTestId("example-questions"),
  emptyArticles: byTestId("empty-articles"),
  library: byTestId("library"),
  libraryToggle: byTestId("library-toggle"),
  libraryClose: byTestId("library-close"),
  librarySearch: byTestId("library-search"),
  libraryList: byTestId("library-list"),
  libraryCount: byTestId("library-count"),
  libraryStatus: byTestId("library-status"),
  adminToken: byTestId("admin-token"),
  uploadFile: byTestId("upload-file"),
  uploadSend: byTestId("upload-send"),
};
const TOKEN_KEY = "wenda.admin-token";
const EXAMPLES_SHOWN = 3;
const EMPTY_ARTICLES_SHOWN = 6;
let articles = [];
let shownGeneration = null;

// A turn is {role: "user", content, failed?} | {role: "assistant", answer, abstained,
// citations, passages, shortAnswer, resolvedQuestion, state} | {role: "error", content}.
// shortAnswer is null or {text, marker, doc_id, start, end}; resolvedQuestion is "" unless the
// service read the question differently from how it was typed (a resolved follow-up).
let turns = loadTurns();
let busy = false;
let controller = null;
let panelTrigger = null;
let panelRequest = 0;
const articleCache = new Map();
const turnNodes = new WeakMap();

// ---------- small DOM helpers ----------

function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "className") node.className = value;
    else if (key === "testid") node.dataset.testid = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}






// ---------- storage ----------

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

function saveTurns() {
  const settled = turns.filter((t) => t.role !== "assistant" || t.state !== "streaming");
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ version: 1, turns: settled }));
  } catch {
    // Storage full or disabled: the chat still works, it just won't survive a reload.
  }
}

// The earlier turns the service needs for a follow-up, oldest first, at most 20.
function historyForRequest() {
  const history = [];
  turns.forEach((t, i) => {
    const next = turns[i + 1];
    if (t.role === "user" && !t.failed && next && next.role === "assistant" && next.state === "done") {
      history.push({ role: "user", content: t.content });
      history.push({ role: "assistant", content: next.answer });
    }
  });
  return history.slice(-config.maxHistoryTurns);
}

// ---------- rendering ----------

function renderAll() {
  ui.conversation.replaceChildren();
  if (turns.length === 0) {
    ui.conversation.append(ui.empty);
    return;
  }
  for (const t of turns) ui.conversation.append(renderTurn(t));
}

function renderTurn(t) {
  if (t.role === "user") return renderUser(t);
  if (t.role === "error") return renderError(t.content);
  return renderAssistant(t);
}

function renderUser(t) {
  const node = h(
    "div",
    { className: "msg msg-user", testid: "msg-user" },
    h("div", { className: "bubble" }, h("div", { className: "user-text", testid: "user-text" }, t.content)),
  );
  if (codePointLength(t.content) > LONG_QUESTION_CHARS) {
    node.classList.add("is-long");
    const toggle = h("button", {
      type: "button",
      className: "btn btn-small expand",
      testid: "expand-question",
      "aria-expanded": "false",
      text: "展开全文",
    });
    toggle.addEventListener("click", () => {
      const expanded = node.classList.toggle("is-expanded");
      toggle.setAttribute("aria-expanded", String(expanded));
      toggle.textContent = expanded ? "收起" : "展开全文";
    });
    node.append(toggle);
  }
  if (t.failed) {
    node.classList.add("is-failed");
    node.append(h("p", { className: "msg-note", text: "未得到回答" }));
  }
  turnNodes.set(t, node);
  return node;
}

function renderError(text) {
  return h(
    "div",
    { className: "msg msg-error", testid: "msg-error", role: "alert" },
    h("span", { className: "error-icon", "aria-hidden": "true", text: "!" }),
    h("p", { className: "error-text", testid: "error-text" }, text),
  );
}

function renderAssistant(t) {
  const node = h("article", { className: "msg msg-assistant", testid: "msg-assistant", "aria-label": "回答" });
  turnNodes.set(t, node);
  fillAssistant(t);
  return node;
}

function citationFor(t, marker) {
  return t.citations.find((c) => Number(c.marker) === marker);
}

// What the article panel highlights for a citation: the cited sentence and, when the short
// answer names this citation, the fact inside it.
function citationTarget(t, citation) {
  const fact = t.shortAnswer;
  const names = fact && fact.marker === Number(citation.marker) && (!fact.doc_id || fact.doc_id === citation.doc_id);
  return { citation, fact: names ? fact : null };
}

function markerButton(t, citation, testid) {
  const marker = Number(citation.marker);
  return h("button", {
    type: "button",
    className: "marker",
    testid,
    "data-marker": marker,
    "aria-label": `引用 ${marker}:查看《${citation.title}》原文`,
    text: String(marker),
    onclick: (event) => openArticle(citation.doc_id, citation.title, citationTarget(t, citation), event.currentTarget),
  });
}

// The fact in bold, with the marker of the citation it comes from. The marker stays on the
// fact's last line (the glue does not wrap; the fact inside it does).
function shortAnswerLine(t) {
  const fact = t.shortAnswer;
  const citation = citationFor(t, fact.marker);
  return h(
    "p",
    { className: "short-answer-line", testid: "short-answer-line" },
    h(
      "span",
      { className: "marker-glue" },
      h("strong", { className: "short-answer", testid: "short-answer", text: fact.text }),
      citation ? markerButton(t, citation, "short-answer-marker") : null,
    ),
  );
}

function fillAnswerText(target, t) {
  target.replaceChildren();
  let last = 0;
  for (const match of t.answer.matchAll(MARKER_RE)) {
    const before = t.answer.slice(last, match.index);
    // The character before a marker travels with it, so a line never starts with a marker.
    const tail = Array.from(before).pop() || "";
    target.append(document.createTextNode(before.slice(0, before.length - tail.length)));
    const glued = h("span", { className: "marker-glue" }, tail);
    target.append(glued);
    const marker = Number(match[1]);
    const citation = citationFor(t, marker);
    if (citation) {
      glued.append(markerButton(t, citation, "citation-marker"));
    } else {
      glued.append(h("span", { className: "marker is-pending", "aria-hidden": "true", text: String(marker) }));
    }
    last = match.index + match[0].length;
  }
  if (last < t.answer.length) target.append(document.createTextNode(t.answer.slice(last)));
}

function fillAssistant(t) {
  const node = turnNodes.get(t);
  node.dataset.state = t.state === "done" && t.abstained ? "abstained" : t.state;
  node.replaceChildren();
  if (t.state === "done" && t.resolvedQuestion) {
    node.append(
      h("p", { className: "resolved-question", testid: "resolved-question", text: `理解为:${t.resolvedQuestion}` }),
    );
  }
  const bubble = h("div", { className: "bubble" });
  node.append(bubble);

  if (t.state === "done" && t.abstained) {
    const abstention = config.abstainMessage || t.answer;
    bubble.append(h("p", { className: "abstention", testid: "abstention", text: abstention }));
    const own = t.answer.replace(/[\s。.!!]/g, "");
    if (own && own !== abstention.replace(/[\s。.!!]/g, "")) {
      bubble.append(h("p", { className: "answer answer-aside", testid: "answer-text", text: t.answer }));
    }
  } else {
    if (t.state === "done" && t.shortAnswer) bubble.append(shortAnswerLine(t));
    const answer = h("div", { className: "answer", testid: "answer-text" });
    fillAnswerText(answer, t);
    bubble.append(answer);
  }

  if (t.state === "streaming" && !t.answer) {
    bubble.append(
      h(
        "div",
        { className: "typing", testid: "typing", role: "status", "aria-label": "正在查找并回答" },
        h("span", { "aria-hidden": "true" }),
        h("span", { "aria-hidden": "true" }),
        h("span", { "aria-hidden": "true" }),
      ),
    );
  }
  if (t.state === "error" && t.errorText) {
    bubble.append(h("p", { className: "inline-error", role: "alert", testid: "error-text", text: t.errorText }));
  }

  if (t.state !== "done") return;

  if (!t.abstained && t.citations.length > 0) {
    const list = h("div", { className: "sources", testid: "sources", role: "group", "aria-label": "来源" });
    list.append(h("span", { className: "sources-label", text: "来源" }));
    for (const citation of t.citations) {
      list.append(
        h(
          "button",
          {
            type: "button",
            className: "chip",
            testid: "source-chip",
            "data-marker": citation.marker,
            "aria-label": `来源 ${citation.marker}:${citation.title}`,
            title: citation.text,
            onclick: (event) =>
              openArticle(citation.doc_id, citation.title, citationTarget(t, citation), event.currentTarget),
          },
          h("span", { className: "chip-num", text: String(citation.marker) }),
          h(
            "span",
            { className: "chip-body" },
            h("span", { className: "chip-quote", testid: "chip-quote", text: snippet(citation.text || "") }),
            h("span", {
              className: "chip-meta",
              testid: "chip-meta",
              text: [citation.title || citation.doc_id, citation.date, citation.source].filter(Boolean).join(" · "),
            }),
          ),
        ),
      );
    }
    node.append(list);
  }

  if (t.abstained && t.passages.length > 0) {
    const items = h("ul", { className: "related-list" });
    t.passages.forEach((passage, i) => {
      items.append(
        h(
          "li",
          { hidden: i >= RELATED_SHOWN },
          h(
            "button",
            {
              type: "button",
              className: "related",
              testid: "related-passage",
              "aria-label": `相关段落:${passage.title},打开原文`,
              onclick: (event) => openArticle(passage.doc_id, passage.title, { passage }, event.currentTarget),
            },
            h("span", { className: "related-title", text: passage.title || passage.doc_id }),
            h("span", { className: "related-snippet", text: snippet(passage.text || "") }),
          ),
        ),
      );
    });
    const block = h(
      "section",
      { className: "related-block", testid: "related-passages", "aria-label": "相关段落" },
      h("h3", { className: "related-heading", text: "相关段落" }),
      h("p", { className: "related-hint", text: "这些段落和问题最接近,但没有直接回答它,请自行判断。" }),
      items,
    );
    const hiddenCount = t.passages.length - RELATED_SHOWN;
    if (hiddenCount > 0) {
      const more = h("button", {
        type: "button",
        className: "btn btn-small related-more",
        testid: "related-more",
        text: `再显示 ${hiddenCount} 段`,
      });
      more.addEventListener("click", () => {
        items.querySelectorAll("li[hidden]").forEach((li) => {
          li.hidden = false;
        });
        more.remove();
        items.querySelectorAll(".related")[RELATED_SHOWN]?.focus();
      });
      block.append(more);
    }
    node.append(block);
  }

  const copy = h("button", {
    type: "button",
    className: "btn btn-small copy",
    testid: "copy-answer",
    "aria-label": "复制回答和来源",
    text: "复制",
  });
  copy.addEventListener("click", () => copyAnswer(t, copy));
  node.append(h("div", { className: "msg-actions" }, copy));
}

function appendTurn(t) {
  if (ui.empty.isConnected) ui.empty.remove();
  const stick = isNearBottom();
  ui.conversation.append(renderTurn(t));
  if (stick || t.role === "user") scrollToBottom();
}

function refreshAssistant(t) {
  const stick = isNearBottom();
  fillAssistant(t);
  if (stick) scrollToBottom();
}

function isNearBottom() {
  const c = ui.conversation;
  return c.scrollHeight - c.scrollTop - c.clientHeight < 120;
}

function scrollToBottom() {
  ui.conversation.scrollTop = ui.conversation.scrollHeight;
}

// ---------- copying ----------

function answerAsText(t) {
  const strip = (s) => s.replace(MARKER_RE, "[$1]");
  if (t.abstained) {
    const lines = [`${(config.abstainMessage || t.answer).replace(/。$/, "")}。`];
    if (t.passages.length) {
      lines.push("", "相关段落:");
      for (const p of t.passages) lines.push(`- ${p.title}:${snippet(p.text || "")}`);
    }
    return lines.join("\n");
  }
  const lines = [];
  if (t.resolvedQuestion) lines.push(`理解为:${t.resolvedQuestion}`, "");
  if (t.shortAnswer) {
    const marker = citationFor(t, t.shortAnswer.marker) ? `[${t.shortAnswer.marker}]` : "";
    lines.push(`${t.shortAnswer.text}${marker}`, "");
  }
  lines.push(strip(t.answer));
  if (t.citations.length) {
    lines.push("", "来源:");
    for (const c of t.citations) lines.push(`[${c.marker}] ${c.title}:「${c.text}」`);
  }
  return lines.join("\n");
}

async function copyAnswer(t, button) {
  const text = answerAsText(t);
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    const area = h("textarea", { className: "visually-hidden", readonly: true, "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
  }
  button.textContent = ok ? "已复制" : "复制失败";
  button.dataset.copied = ok ? "true" : "false";
  setTimeout(() => {
    button.textContent = "复制";
    delete button.dataset.copied;
  }, 2000);
}

// ---------- the article panel ----------

async function loadArticle(docId) {
  if (articleCache.has(docId)) return articleCache.get(docId);
  const response = await fetch(`/articles/${encodeURIComponent(docId)}`, {
    headers: { Accept: "application/json" },
  });
  if (!response.ok) {
    const body = await readJson(response);
    throw new Error(
      response.status === 404 ? "索引里没有这篇文章(可能在回答之后重建过索引)。" : describeHttpError(response.status, body),
    );
  }
  const article = await response.json();
  articleCache.set(docId, article);
  return article;
}



function showPanel(trigger) {
  panelTrigger = trigger || null;
  ui.panel.hidden = false;
  document.body.classList.add("panel-open");
}

function closePanel() {
  if (ui.panel.hidden) return;
  panelRequest += 1;
  ui.panel.hidden = true;
  document.body.classList.remove("panel-open");
  document.querySelectorAll(".is-active-source").forEach((n) => n.classList.remove("is-active-source"));
  if (panelTrigger && panelTrigger.isConnected) panelTrigger.focus();
  panelTrigger = null;
}

async function openArticle(docId, title, target, trigger) {
  const request = ++panelRequest;
  document.querySelectorAll(".is-active-source").forEach((n) => n.classList.remove("is-active-source"));
  if (trigger) trigger.classList.add("is-active-source");
  showPanel(trigger);
  ui.panel.setAttribute("aria-busy", "true");
  ui.articleTitle.textContent = title || docId;
  ui.headTitle.textContent = title || docId;
  ui.articleByline.textContent = "";
  ui.articleNote.textContent = "";
  ui.articleText.replaceChildren(h("p", { className: "article-loading", text: "正在载入原文…" }));
  ui.articleTitle.focus({ preventScroll: true });

  let article;
  try {
    article = await loadArticle(docId);
  } catch (error) {
    if (request !== panelRequest) return;
    ui.panel.removeAttribute("aria-busy");
    ui.articleText.replaceChildren(
      h("p", { className: "inline-error", role: "alert", text: networkAware(error, "没能载入原文") }),
    );
    return;
  }
  if (request !== panelRequest) return;
  ui.panel.removeAttribute("aria-busy");

  const text = String(article.text || "");
  ui.articleTitle.textContent = article.title || title || docId;
  ui.headTitle.textContent = ui.articleTitle.textContent;
  ui.articleByline.textContent = [article.byline, article.date, article.source].filter(Boolean).join(" · ");
  const range = highlightRange(text, target);
  ui.articleNote.textContent = range.note;
  const fact = factRange(text, range, target.fact);
  const { blocks, mark } = articleBlocks(text, range, fact);
  ui.articleText.replaceChildren(...blocks);
  if (mark) mark.scrollIntoView({ block: "center", behavior: "instant" });
  else ui.panelScroll.scrollTop = 0;
}

// One <p> per line of the article. The lines the highlight touches share one <p>, so the
// highlight stays a single <mark> holding exactly text[start:end]; the fact, when given, is a
// <mark class="fact"> nested inside it holding exactly text[fact.start:fact.end].
function articleBlocks(text, range, fact) {
  const lines = articleLines(text, range);
  let mark = null;
  const blocks = [];
  for (const [from, to] of lines) {
    if (range.start >= from && range.end <= to && range.start >= 0) {
      mark = fact
        ? h(
            "mark",
            { testid: "article-mark", className: "cited" },
            text.slice(range.start, fact.start),
            h("mark", { testid: "article-fact", className: "fact" }, text.slice(fact.start, fact.end)),
            text.slice(fact.end, range.end),
          )
        : h("mark", { testid: "article-mark", className: "cited" }, text.slice(range.start, range.end));
      blocks.push(h("p", {}, text.slice(from, range.start), mark, text.slice(range.end, to)));
    } else if (text.slice(from, to).trim()) {
      blocks.push(h("p", {}, text.slice(from, to)));
    }
  }
  return { blocks, mark };
}

// ---------- asking ----------

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function networkAware(error, prefix) {
  if (error instanceof TypeError) return `${prefix}:连不上问答服务。请确认 wenda serve 正在运行,然后再试一次。`;
  return `${prefix}:${error.message}`;
}






class StreamFailure extends Error {}

function setBusy(value) {
  busy = value;
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
      turns = turns.filter((t) => t !== assistantTurn);
      turnNodes.get(assistantTurn)?.remove();
    }
  }
  const errorTurn = { role: "error", content: message };
  turns.push(errorTurn);
  appendTurn(errorTurn);
  saveTurns();
  scrollToBottom();
}

async function ask(question) {
  const history = historyForRequest();
  const userTurn = { role: "user", content: question, failed: false };
  turns.push(userTurn);
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
  turns.push(assistantTurn);
  appendTurn(assistantTurn);
  setBusy(true);
  controller = new AbortController();
  const mine = controller;

  try {
    let response;
    try {
      response = await fetch("/ask/stream", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify({ question, history }),
        signal: mine.signal,
      });
    } catch (error) {
      if (mine.signal.aborted) return;
      markServiceDown();
      throw new StreamFailure(networkAware(error, "没有发出去"));
    }
    if (ui.health.dataset.state === "down") checkHealth();
    if (!response.ok) {
      const body = await readJson(response);
      throw new StreamFailure(describeHttpError(response.status, body, question, config.maxQuestionChars));
    }
    if (!response.body) throw new StreamFailure("浏览器读不到流式回答。");

    let finished = false;
    try {
      for await (const event of readEvents(response)) {
        let data;
        try {
          data = JSON.parse(event.data);
        } catch {
          throw new StreamFailure("服务发来了看不懂的数据。");
        }
        if (event.name === "passages" && Array.isArray(data)) {
          assistantTurn.passages = data;
        } else if (event.name === "delta" && data && typeof data.text === "string") {
          assistantTurn.answer += data.text;
          refreshAssistant(assistantTurn);
        } else if (event.name === "citations" && Array.isArray(data)) {
          assistantTurn.citations = data;
          refreshAssistant(assistantTurn);
        } else if (event.name === "done" && data) {
          assistantTurn.answer = typeof data.answer === "string" ? data.answer : assistantTurn.answer;
          assistantTurn.abstained = Boolean(data.abstained);
          assistantTurn.citations = Array.isArray(data.citations) ? data.citations : assistantTurn.citations;
          assistantTurn.passages = Array.isArray(data.passages) ? data.passages : assistantTurn.passages;
          assistantTurn.shortAnswer = assistantTurn.abstained ? null : cleanShortAnswer(data.short_answer);
          const resolved = typeof data.resolved_question === "string" ? data.resolved_question.trim() : "";
          assistantTurn.resolvedQuestion = resolved && !sameQuestion(question, resolved) ? resolved : "";
          finished = true;
        } else if (event.name === "error") {
          throw new StreamFailure(`回答时出错了:${detailText(data && data.detail) || "未知错误"}`);
        }
      }
    } catch (error) {
      if (mine.signal.aborted) return;
      if (error instanceof StreamFailure) throw error;
      throw new StreamFailure("回答中断了:和服务的连接断开了。");
    }
    if (!finished) throw new StreamFailure("回答中断了:服务没有发完回答。");

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
    if (controller === mine) {
      controller = null;
      setBusy(false);
    }
  }
}

// ---------- the composer ----------

function updateComposer() {
  const length = codePointLength(ui.input.value.trim());
  const max = config.maxQuestionChars;
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

function submit() {
  if (busy) return;
  const question = ui.input.value;
  if (!question.trim()) {
    ui.input.focus();
    return;
  }
  ui.input.value = "";
  updateComposer();
  ask(question.trim());
}

function newChat() {
  if (controller) {
    controller.abort();
    controller = null;
    setBusy(false);
  }
  turns = [];
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

// ---------- service status ----------

function markServiceDown() {
  ui.health.dataset.state = "down";
  ui.health.textContent = "连不上服务";
}

async function checkHealth() {
  let response;
  try {
    response = await fetch("/healthz", { headers: { Accept: "application/json" } });
  } catch {
    markServiceDown();
    return;
  }
  const body = await readJson(response);
  if (response.ok && body && body.index) {
    const { articles: count, chunks, model, built_at: builtAt, generation } = body.index;
    ui.health.dataset.state = "ok";
    ui.health.textContent = `已索引 ${count} 篇文章 · ${chunks} 个段落`;
    ui.health.title = `模型 ${model},建于 ${builtAt}`;
    if (generation !== shownGeneration) {
      shownGeneration = generation;
      loadArticles();
    }
  } else {
    ui.health.dataset.state = "warn";
    const detail = body ? detailText(body.detail) : "";
    ui.health.textContent = `索引不可用${detail ? `:${detail}` : ""}`;
  }
}

// ---------- the article library ----------

function articleMeta(a) {
  return [a.date, a.source, a.byline].filter(Boolean).join(" · ");
}

function exampleQuestions(list) {
  // questions made from the indexed articles' headlines, the newest (by date) first
  const dated = [...list].sort((a, b) => String(b.date || "").localeCompare(String(a.date || "")));
  return dated.slice(0, EXAMPLES_SHOWN).map((a) => `${a.title}是怎么回事?`);
}

function renderEmptyState() {
  ui.examples.replaceChildren();
  for (const question of exampleQuestions(articles)) {
    ui.examples.append(
      h("button", {
        type: "button",
        className: "btn btn-small example",
        testid: "example-question",
        text: question,
        onclick: () => {
          ui.input.value = question;
          updateComposer();
          submit();
        },
      }),
    );
  }
  ui.emptyArticles.replaceChildren(
    ...articles.slice(0, EMPTY_ARTICLES_SHOWN).map((a) =>
      h(
        "li",
        {},
        h("button", {
          type: "button",
          className: "link",
          text: a.title || a.doc_id,
          onclick: (event) => openArticle(a.doc_id, a.title, {}, event.currentTarget),
        }),
        h("span", { className: "article-meta", text: articleMeta(a) }),
      ),
    ),
  );
}

function renderLibrary() {
  const query = ui.librarySearch.value.trim().toLowerCase();
  const token = ui.adminToken.value.trim();
  const shown = articles.filter((a) =>
    [a.title, a.doc_id, a.date, a.source, a.byline].some((v) => String(v || "").toLowerCase().includes(query)),
  );
  ui.libraryCount.textContent = query ? `${shown.length} / ${articles.length}` : String(articles.length);
  ui.libraryList.replaceChildren(
    ...shown.map((a) => {
      const item = h(
        "li",
        { className: "library-item", testid: "library-item", "data-doc-id": a.doc_id },
        h("button", {
          type: "button",
          className: "link library-title",
          text: a.title || a.doc_id,
          onclick: (event) => openArticle(a.doc_id, a.title, {}, event.currentTarget),
        }),
        h("span", { className: "article-meta", testid: "library-meta", text: articleMeta(a) }),
      );
      if (token) {
        item.append(
          h("button", {
            type: "button",
            className: "btn btn-small danger",
            testid: "library-delete",
            "aria-label": `删除文章:${a.title}`,
            text: "删除",
            onclick: () => deleteArticle(a),
          }),
        );
      }
      return item;
    }),
  );
}

async function loadArticles() {
  let response;
  try {
    response = await fetch("/articles", { headers: { Accept: "application/json" } });
  } catch {
    return;
  }
  if (!response.ok) return;
  const body = await readJson(response);
  articles = Array.isArray(body) ? body : [];
  renderEmptyState();
  renderLibrary();
}

function adminHeaders() {
  return { Authorization: `Bearer ${ui.adminToken.value.trim()}` };
}

async function changeArticles(request, done) {
  ui.libraryStatus.textContent = "正在更新索引…";
  let response;
  try {
    response = await request();
  } catch (error) {
    ui.libraryStatus.textContent = networkAware(error, "更新失败");
    return;
  }
  const body = await readJson(response);
  if (!response.ok) {
    ui.libraryStatus.textContent = `更新失败(${response.status}):${body ? detailText(body.detail) : ""}`;
    return;
  }
  ui.libraryStatus.textContent = done(body);
  articleCache.clear();
  await loadArticles();
  checkHealth();
}

function deleteArticle(a) {
  if (!window.confirm(`删除「${a.title || a.doc_id}」?`)) return;
  changeArticles(
    () => fetch(`/articles/${encodeURIComponent(a.doc_id)}`, { method: "DELETE", headers: adminHeaders() }),
    () => `已删除「${a.title || a.doc_id}」`,
  );
}

function uploadArticles() {
  const files = [...(ui.uploadFile.files || [])];
  if (!files.length) {
    ui.libraryStatus.textContent = "先选择要上传的文件";
    return;
  }
  const form = new FormData();
  for (const file of files) form.append("file", file);
  changeArticles(
    () => fetch("/articles", { method: "POST", headers: adminHeaders(), body: form }),
    (body) => `新增 ${body.added.length} 篇,更新 ${body.replaced.length} 篇,共 ${body.articles} 篇`,
  );
}

function toggleLibrary(open) {
  ui.library.hidden = !open;
  ui.libraryToggle.setAttribute("aria-expanded", String(open));
  if (open) {
    renderLibrary();
    ui.librarySearch.focus();
  }
}

// ---------- wiring ----------

ui.form.addEventListener("submit", (event) => {
  event.preventDefault();
  submit();
});
ui.input.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  submit();
});
ui.input.addEventListener("input", updateComposer);
ui.newChat.addEventListener("click", newChat);
ui.panelClose.addEventListener("click", closePanel);
ui.libraryToggle.addEventListener("click", () => toggleLibrary(ui.library.hidden));
ui.libraryClose.addEventListener("click", () => toggleLibrary(false));
ui.librarySearch.addEventListener("input", renderLibrary);
try {
  ui.adminToken.value = sessionStorage.getItem(TOKEN_KEY) || "";
} catch {
  // No session storage: the token is typed again after a reload.
}
ui.adminToken.addEventListener("input", () => {
  try {
    sessionStorage.setItem(TOKEN_KEY, ui.adminToken.value.trim());
  } catch {
    // Kept for this page only.
  }
  renderLibrary();
});
ui.uploadSend.addEventListener("click", uploadArticles);
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !event.isComposing && !ui.panel.hidden) {
    event.preventDefault();
    closePanel();
  }
});

config = await loadConfig();
renderAll();
scrollToBottom();
updateComposer();
checkHealth();
// the service may publish new articles at any time: the list follows its generation
setInterval(checkHealth, 15000);
ui.input.focus();
document.body.dataset.ready = "true";

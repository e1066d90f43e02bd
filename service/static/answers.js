// The conversation on the page: questions, answers with their markers, short answer, sources or
// related passages, and copying an answer with its sources.
import { h, ui } from "./dom.js";
import { snippet } from "./messages.js";
import { codePointLength } from "./offsets.js";
import { openArticle } from "./panel.js";
import { state } from "./state.js";

const LONG_QUESTION_CHARS = 280;
const RELATED_SHOWN = 3;
const MARKER_RE = /\[(\d+)\]/g;
// the element each turn is shown in
export const turnNodes = new WeakMap();

export function renderAll() {
  ui.conversation.replaceChildren();
  if (state.turns.length === 0) {
    ui.conversation.append(ui.empty);
    return;
  }
  for (const t of state.turns) ui.conversation.append(renderTurn(t));
}

function renderTurn(t) {
  if (t.role === "user") return renderUser(t);
  if (t.role === "error") return renderError(t.content);
  return renderAssistant(t);
}

export function renderUser(t) {
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
  node.append(answerBubble(t));
  if (t.state !== "done") return;
  if (!t.abstained && t.citations.length > 0) node.append(sourcesList(t));
  if (t.abstained && t.passages.length > 0) node.append(relatedBlock(t));
  node.append(copyActions(t));
}

// The answer itself: the abstention, or the short answer and the text with markers; the typing
// dots while nothing has come, the error when the stream broke.
function answerBubble(t) {
  const bubble = h("div", { className: "bubble" });
  if (t.state === "done" && t.abstained) {
    const abstention = state.config.abstainMessage || t.answer;
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
  return bubble;
}

// The cited sentences as chips opening their articles.
function sourcesList(t) {
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
  return list;
}

// After an abstention: the passages closest to the question, the first few shown.
function relatedBlock(t) {
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
  return block;
}

function copyActions(t) {
  const copy = h("button", {
    type: "button",
    className: "btn btn-small copy",
    testid: "copy-answer",
    "aria-label": "复制回答和来源",
    text: "复制",
  });
  copy.addEventListener("click", () => copyAnswer(t, copy));
  return h("div", { className: "msg-actions" }, copy);
}

export function appendTurn(t) {
  if (ui.empty.isConnected) ui.empty.remove();
  const stick = isNearBottom();
  ui.conversation.append(renderTurn(t));
  if (stick || t.role === "user") scrollToBottom();
}

export function refreshAssistant(t) {
  const stick = isNearBottom();
  fillAssistant(t);
  if (stick) scrollToBottom();
}

function isNearBottom() {
  const c = ui.conversation;
  return c.scrollHeight - c.scrollTop - c.clientHeight < 120;
}

export function scrollToBottom() {
  ui.conversation.scrollTop = ui.conversation.scrollHeight;
}

function answerAsText(t) {
  const strip = (s) => s.replace(MARKER_RE, "[$1]");
  if (t.abstained) {
    const lines = [`${(state.config.abstainMessage || t.answer).replace(/。$/, "")}。`];
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

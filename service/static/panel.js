// The article panel: a cited article with the cited sentence highlighted and the fact inside it.
import { h, ui } from "./dom.js";
import { describeHttpError, networkAware, readJson } from "./messages.js";
import { articleLines, factRange, highlightRange } from "./offsets.js";

const articleCache = new Map();
let panelTrigger = null;
let panelRequest = 0;

// The articles changed: what was loaded may be gone or different.
export function forgetArticles() {
  articleCache.clear();
}

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

export function closePanel() {
  if (ui.panel.hidden) return;
  panelRequest += 1;
  ui.panel.hidden = true;
  document.body.classList.remove("panel-open");
  document.querySelectorAll(".is-active-source").forEach((n) => n.classList.remove("is-active-source"));
  if (panelTrigger && panelTrigger.isConnected) panelTrigger.focus();
  panelTrigger = null;
}

export async function openArticle(docId, title, target, trigger) {
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

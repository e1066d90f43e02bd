// The service's state and its articles: the health line, example questions and articles of the
// empty state, the library with search, upload and delete (with the admin token).
import { h, ui } from "./dom.js";
import { detailText, networkAware, readJson } from "./messages.js";
import { forgetArticles, openArticle } from "./panel.js";
import { submit, updateComposer } from "./asking.js";

const EXAMPLES_SHOWN = 3;
const EMPTY_ARTICLES_SHOWN = 6;
let articles = [];
let shownGeneration = null;
// counts the times the service was found unreachable: a health answer asked for before the
// latest of them is older news and must not show the service as up again
let downMarks = 0;

export function markServiceDown() {
  downMarks += 1;
  ui.health.dataset.state = "down";
  ui.health.textContent = "连不上服务";
}

export async function checkHealth() {
  const marksBefore = downMarks;
  let response;
  try {
    response = await fetch("/healthz", { headers: { Accept: "application/json" } });
  } catch {
    markServiceDown();
    return;
  }
  const body = await readJson(response);
  if (downMarks !== marksBefore) return;
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

export function renderLibrary() {
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
  forgetArticles();
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

export function uploadArticles() {
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

export function toggleLibrary(open) {
  ui.library.hidden = !open;
  ui.libraryToggle.setAttribute("aria-expanded", String(open));
  if (open) {
    renderLibrary();
    ui.librarySearch.focus();
  }
}

// The page's elements by their test ids, and h(): every element the chat makes, with text set
// through textContent or text nodes, never as HTML.
export const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
export const ui = {
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

export function h(tag, props = {}, ...children) {
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

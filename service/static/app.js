// The web chat: asks /ask/stream, shows answers with citation markers, opens cited articles.
// Every piece of text from questions, answers and articles goes in through textContent or
// createTextNode, never as HTML. This module wires the page; the work is in answers.js (the
// conversation), asking.js (the composer and the stream), panel.js (the article panel),
// library.js (health and articles) over the pure helpers of offsets.js, sse.js, messages.js
// and config.js.
import { renderAll, scrollToBottom } from "./answers.js";
import { newChat, submit, updateComposer } from "./asking.js";
import { loadConfig } from "./config.js";
import { ui } from "./dom.js";
import { checkHealth, renderLibrary, toggleLibrary, uploadArticles } from "./library.js";
import { closePanel } from "./panel.js";
import { state } from "./state.js";

const TOKEN_KEY = "wenda.admin-token";

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

state.config = await loadConfig();
renderAll();
scrollToBottom();
updateComposer();
checkHealth();
// the service may publish new articles at any time: the list follows its generation
setInterval(checkHealth, 15000);
ui.input.focus();
document.body.dataset.ready = "true";

// The chat's texts: the short answer checked, questions compared, snippets, and what an error
// response says to the user. Pure functions (no DOM), tested by tests/js/*.test.mjs.
import { codePointLength } from "./offsets.js";

export const SNIPPET_CHARS = 90;

// The service's short_answer, or null when it is missing or malformed.
export function cleanShortAnswer(value) {
  if (!value || typeof value !== "object" || typeof value.text !== "string" || !value.text.trim()) return null;
  const int = (n) => (Number.isInteger(n) ? n : -1);
  return {
    text: value.text,
    marker: int(value.marker),
    doc_id: typeof value.doc_id === "string" ? value.doc_id : "",
    start: int(value.start),
    end: int(value.end),
  };
}

// Two questions are the same when they differ only in surrounding whitespace and a final ?/？.
export function sameQuestion(a, b) {
  const norm = (s) => String(s).trim().replace(/[?？]$/, "").trim();
  return norm(a) === norm(b);
}

export function snippet(text, chars = SNIPPET_CHARS) {
  const flat = text.replace(/\s+/g, " ").trim();
  const shown = Array.from(flat);
  return shown.length > chars ? `${shown.slice(0, chars).join("")}…` : flat;
}

export function detailText(detail) {
  if (typeof detail === "string") return detail;
  if (detail === undefined || detail === null) return "";
  return JSON.stringify(detail);
}

export function describeValidationItem(item, question, maxChars = Infinity) {
  // FastAPI's own shape is {loc, msg, type}; ours may flatten it to {field, message, type}.
  let loc = [];
  if (Array.isArray(item.loc)) loc = item.loc.map(String);
  else if (typeof item.field === "string") loc = item.field.split(".");
  const type = String(item.type || "");
  const msg = String(item.msg || item.message || "");
  if (loc.includes("question")) {
    const length = codePointLength(question.trim());
    if (type.includes("too_long") || length > maxChars) {
      return `问题太长了:最多 ${maxChars} 个字,这个问题有 ${length} 个字。请缩短后再发送。`;
    }
    if (type.includes("too_short") || type === "missing" || length === 0) return "问题是空的,请先输入问题。";
    return `问题不符合要求:${msg}`;
  }
  if (loc.includes("history")) return `对话历史不符合要求,可以点“新对话”重新开始:${msg}`;
  return `请求不符合要求(${loc.join(".") || "未知字段"}):${msg}`;
}

export function describeHttpError(status, body, question = "", maxChars = Infinity) {
  const detail = body ? body.detail : undefined;
  if (status === 422 || status === 400) {
    if (Array.isArray(detail) && detail.length) {
      return detail.map((item) => describeValidationItem(item || {}, question, maxChars)).join(" ");
    }
    if (codePointLength(question.trim()) > maxChars) {
      return `问题太长了:最多 ${maxChars} 个字。${detailText(detail)}`;
    }
    return `问题不符合要求:${detailText(detail) || "请检查输入"}`;
  }
  if (status === 503) return `服务还不能回答:${detailText(detail) || "没有可用的索引,请先运行 wenda index"}`;
  if (status >= 500) return `服务出错了(${status})${detail ? `:${detailText(detail)}` : ",请稍后再试。"}`;
  return `请求失败(${status})${detail ? `:${detailText(detail)}` : "。"}`;
}

// An error response's JSON body, or null when it has none.
export async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

// What went wrong, prefixed; a TypeError from fetch means the service could not be reached.
export function networkAware(error, prefix) {
  if (error instanceof TypeError) return `${prefix}:连不上问答服务。请确认 wenda serve 正在运行,然后再试一次。`;
  return `${prefix}:${error.message}`;
}

// The chat's offset helpers: the service counts code points, JS strings UTF-16 units.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  articleLines,
  codePointLength,
  factRange,
  highlightRange,
  utf16Index,
} from "../../service/static/offsets.js";

const ARTICLE = "海川港𠀾新航线开通。\n首航船舶载货1200标准箱。\n\n第三段。";

test("a code point beyond the BMP counts once", () => {
  assert.equal(codePointLength("港𠀾"), 2);
  assert.equal("港𠀾".length, 3);
});

test("code-point offsets map to UTF-16 indexes past an astral character", () => {
  assert.equal(utf16Index(ARTICLE, 3), 3);
  assert.equal(utf16Index(ARTICLE, 4), 5);
  assert.equal(utf16Index("ab", 10), 2);
});

test("a citation whose offsets match is highlighted where they say", () => {
  const text = "首航船舶载货1200标准箱。";
  const start = [...ARTICLE].indexOf("首");
  const citation = { start, end: start + [...text].length, text };
  const range = highlightRange(ARTICLE, { citation });
  assert.equal(ARTICLE.slice(range.start, range.end), citation.text);
  assert.equal(range.note, "");
});

test("a citation whose offsets are stale is found by its text, with a note", () => {
  const citation = { start: 0, end: 3, text: "第三段。" };
  const range = highlightRange(ARTICLE, { citation });
  assert.equal(ARTICLE.slice(range.start, range.end), "第三段。");
  assert.match(range.note, /对不上/);
});

test("a citation not in the article highlights nothing and says so", () => {
  const range = highlightRange(ARTICLE, { citation: { start: 0, end: 2, text: "没有" } });
  assert.deepEqual([range.start, range.end], [-1, -1]);
  assert.match(range.note, /没有找到/);
});

test("the fact lies inside the highlighted sentence, by offsets or by its text", () => {
  const sentence = { start: ARTICLE.indexOf("首"), end: ARTICLE.indexOf("箱") + 2 };
  const cp = [...ARTICLE].indexOf("1");
  const byOffsets = factRange(ARTICLE, sentence, { text: "1200标准箱", start: cp, end: cp + 7 });
  assert.equal(ARTICLE.slice(byOffsets.start, byOffsets.end), "1200标准箱");
  const byText = factRange(ARTICLE, sentence, { text: "1200标准箱", start: -1, end: -1 });
  assert.deepEqual(byText, byOffsets);
  assert.equal(factRange(ARTICLE, sentence, { text: "新航线", start: -1, end: -1 }), null);
  assert.equal(factRange(ARTICLE, { start: -1, end: -1 }, { text: "1200" }), null);
});

test("the lines a highlight spans are merged into one paragraph", () => {
  const text = "一。\n二。\n三。";
  assert.deepEqual(articleLines(text, { start: -1, end: -1 }), [[0, 2], [3, 5], [6, 8]]);
  assert.deepEqual(articleLines(text, { start: 3, end: 7 }), [[0, 2], [3, 8]]);
});

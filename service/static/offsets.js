// Offsets: the service counts Unicode code points (Python str), JS strings index UTF-16 units;
// where a citation and its fact lie in an article, and the article's lines around them.
// Pure functions (no DOM), tested by tests/js/*.test.mjs.

export function codePointLength(text) {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

// Citation offsets count Unicode code points (Python str); JS strings index UTF-16 units.
export function utf16Index(text, codePoints) {
  let i = 0;
  for (let n = 0; n < codePoints && i < text.length; n += 1) {
    i += text.codePointAt(i) > 0xffff ? 2 : 1;
  }
  return i;
}

// Where to highlight, as UTF-16 [start, end), plus a note when the citation does not match.
export function highlightRange(text, target) {
  if (target.citation) {
    const c = target.citation;
    const start = utf16Index(text, Number(c.start));
    const end = utf16Index(text, Number(c.end));
    if (end > start && text.slice(start, end) === c.text) return { start, end, note: "" };
    const found = c.text ? text.indexOf(c.text) : -1;
    const note = "引用的位置和原文对不上,下面标出的是原文中相同的句子。";
    if (found >= 0) return { start: found, end: found + c.text.length, note };
    return { start: -1, end: -1, note: "在原文中没有找到引用的句子。" };
  }
  if (target.passage && target.passage.text) {
    const found = text.indexOf(target.passage.text);
    if (found >= 0) return { start: found, end: found + target.passage.text.length, note: "" };
  }
  return { start: -1, end: -1, note: "" };
}

// Where the short answer lies inside the highlighted sentence, as UTF-16 [start, end), or null.
// Its offsets are into the whole article; when they do not match (or the sentence was found
// elsewhere), the fact's text is looked up inside the highlighted sentence instead.
export function factRange(text, range, fact) {
  if (!fact || range.start < 0) return null;
  if (fact.start >= 0 && fact.end > fact.start) {
    const start = utf16Index(text, fact.start);
    const end = utf16Index(text, fact.end);
    if (start >= range.start && end <= range.end && text.slice(start, end) === fact.text) return { start, end };
  }
  const inside = text.slice(range.start, range.end).indexOf(fact.text);
  if (inside < 0) return null;
  return { start: range.start + inside, end: range.start + inside + fact.text.length };
}

// The article's lines as [from, to) UTF-16 ranges, the lines the cited range spans merged into
// one, so that the highlight is one paragraph.
export function articleLines(text, range) {
  let lines = [];
  for (let from = 0; ; ) {
    const newline = text.indexOf("\n", from);
    lines.push([from, newline < 0 ? text.length : newline]);
    if (newline < 0) break;
    from = newline + 1;
  }
  if (range.start >= 0) {
    const first = lines.findIndex(([, lineEnd]) => range.start <= lineEnd);
    let last = lines.findIndex(([, lineEnd]) => range.end <= lineEnd);
    if (last < 0) last = lines.length - 1;
    lines = [...lines.slice(0, first), [lines[first][0], lines[last][1]], ...lines.slice(last + 1)];
  }
  return lines;
}

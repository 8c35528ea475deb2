/** The one place that finds where two versions of a text differ. */

/**
 * The span that changed between `before` and `after`: everything outside it is a
 * common prefix or a common suffix. `before[start, oldEnd)` became `after[start, newEnd)`.
 * Runs on every keystroke over the whole document: the common prefix and suffix
 * are found by comparing chunks (native string equality), then characters.
 */
export function changedSpan(before: string, after: string): { start: number; oldEnd: number; newEnd: number } {
  // The parser, the line index and the rule memo of one lint all ask for the
  // same pair of texts: the last answer is kept (the texts are compared by
  // reference first, so a hit costs nothing; the span is never mutated).
  const l = last;
  if (l && l.before === before && l.after === after) return l.span;
  const span = compute(before, after);
  last = { before, after, span };
  return span;
}

type Span = { readonly start: number; readonly oldEnd: number; readonly newEnd: number };
let last: { before: string; after: string; span: Span } | null = null;

function compute(before: string, after: string): { start: number; oldEnd: number; newEnd: number } {
  const max = Math.min(before.length, after.length);
  let start = 0;
  for (let c = 4096; c >= 8; c >>= 3) {
    while (start + c <= max && before.slice(start, start + c) === after.slice(start, start + c)) start += c;
  }
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  const bl = before.length;
  const al = after.length;
  const limit = max - start;
  let suffix = 0;
  for (let c = 4096; c >= 8; c >>= 3) {
    while (suffix + c <= limit && before.slice(bl - suffix - c, bl - suffix) === after.slice(al - suffix - c, al - suffix)) suffix += c;
  }
  while (suffix < limit && before.charCodeAt(bl - 1 - suffix) === after.charCodeAt(al - 1 - suffix)) suffix++;
  return { start, oldEnd: bl - suffix, newEnd: al - suffix };
}

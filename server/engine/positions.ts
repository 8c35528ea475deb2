/**
 * The one offset <-> position conversion of the project. Offsets and characters
 * are UTF-16 code units, as in JavaScript strings and in LSP's default encoding.
 * Line breaks are `\n`, `\r\n` and a lone `\r`, as in LSP.
 */
import { changedSpan } from './textDiff';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/**
 * Line starts of `text` from those of the text before one edit. A line starts at
 * q > 0 when text[q-1] is `\n`, or `\r` not followed by `\n`: it depends on the
 * characters at q-1 and q only. Old starts whose two characters both lie before
 * the change are kept, those whose two characters both lie after it shift by the
 * change in length, and the positions in between are scanned.
 */
function derive(old: readonly number[], text: string, span: { start: number; oldEnd: number; newEnd: number }): number[] {
  const { start, oldEnd, newEnd } = span;
  const from = Math.max(start, 1);
  // Old starts < from (0 is always one of them).
  const lo = firstAtOrAfter(old, from, (q) => q);
  const out = old.slice(0, lo);
  const to = Math.min(newEnd, text.length);
  for (let q = from; q <= to; q++) {
    const c = text.charCodeAt(q - 1);
    if (c === 10 || (c === 13 && text.charCodeAt(q) !== 10)) out.push(q);
  }
  // Old starts > oldEnd, moved.
  let i = lo;
  while (i < old.length && old[i] <= oldEnd) i++;
  const delta = newEnd - oldEnd;
  for (; i < old.length; i++) out.push(old[i] + delta);
  return out;
}

/**
 * In `items` sorted by their start (`startOf`), the index of the first one that
 * starts at or after `offset`; `items.length` when none does. A binary search.
 */
export function firstAtOrAfter<T>(items: readonly T[], offset: number, startOf: (item: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (startOf(items[mid]) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class LineIndex {
  /**
   * The index of `text`, derived from `previous` (the index of an earlier version
   * of the same document, when there is one) through the span that changed.
   */
  static of(text: string, previous?: LineIndex | null): LineIndex {
    if (!previous) return new LineIndex(text);
    if (previous.text === text) return previous;
    return new LineIndex(text, previous, changedSpan(previous.text, text));
  }

  /** Offset of the first character of each line. */
  readonly lineStarts: number[];

  /**
   * The index of `text`, built from scratch; or, given `previous` (the index of
   * an earlier version of the same document) and `span` (where the two differ:
   * `previous.text[start, oldEnd)` became `text[start, newEnd)`, see
   * textDiff.changedSpan), derived from it: line starts before the change are
   * kept, those after it shifted, and only the changed text is scanned. Equal to
   * a fresh index either way.
   */
  constructor(readonly text: string, previous?: LineIndex, span?: { start: number; oldEnd: number; newEnd: number }) {
    if (previous && span) {
      this.lineStarts = derive(previous.lineStarts, text, span);
      return;
    }
    const starts = [0];
    // Most files have no `\r`: finding `\n` with indexOf is much faster than a loop.
    if (text.indexOf('\r') < 0) {
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      } else if (c === 10 /* \n */) {
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  offsetToPosition(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.lineStarts[lo] };
  }

  positionToOffset(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[pos.line];
    const end = this.lineEnd(pos.line);
    return Math.min(start + Math.max(0, pos.character), end);
  }

  /** Offset just past the last character of `line`, before its line break. */
  lineEnd(line: number): number {
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.text.length;
    let end = next;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  toRange(start: number, end: number): Range {
    return { start: this.offsetToPosition(start), end: this.offsetToPosition(end) };
  }

  /** The leading spaces/tabs of the line holding `offset`. */
  indentAt(offset: number): string {
    const line = this.offsetToPosition(offset).line;
    const start = this.lineStarts[line];
    let i = start;
    while (i < this.text.length && (this.text[i] === ' ' || this.text[i] === '\t')) i++;
    return this.text.slice(start, i);
  }

  /** The file's line break style, judged by its first line break. */
  get eol(): string {
    const m = /\r\n|\r|\n/.exec(this.text);
    return m ? m[0] : '\n';
  }
}

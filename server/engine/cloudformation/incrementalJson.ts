/**
 * Incremental parsing of JSON templates, the counterpart of incremental.ts for
 * YAML: the text is cut at the entries of the top-level object and of its
 * `Resources` object, each entry (with the blanks around it) is parsed on its own
 * inside `{...}` and reused, ranges shifted, while its text does not change. A
 * keystroke then costs the parse of one resource.
 *
 * The result must be the full parser's to the last range: nodes keep the
 * trailing blanks the full parse gives them (each piece runs from one separator
 * to the next), and the two objects the pieces hang from get the ranges the
 * parser gives a flow collection (from `{` to after `}`, then the blanks up to
 * and including one line break). Anything unusual — a comment, a tag, an
 * anchor, a top level that is not one object, a piece with an error, a
 * duplicate key — returns null, and the caller parses the whole text.
 */
import { Document, isMap, isScalar, Pair, YAMLMap, type Scalar } from 'yaml';
import { collectRanges, detach, emptyKeysOf, hasDuplicateKey, shiftRanges } from './ranges';
import { changedSpan } from '../textDiff';
import { offsetRange } from '../offsetRange';

interface Piece {
  base: number;
  pair: Pair;
  /** Empty keys (`{: 1}`) in the piece, which YAML flow syntax allows. */
  emptyKeys: Scalar[];
  /** The range arrays of all its nodes (ranges.ts). */
  ranges: number[][];
  /** Its text, copied out of the document (see incremental.ts). */
  key: string;
}

export interface JsonPieceCache {
  pieces: Map<string, Piece>;
  /** The text of the last incremental parse and its cut, to cut the next text from where it changed. */
  lastText: string;
  lastCut: Cut | null;
}

export function newJsonPieceCache(): JsonPieceCache {
  return { pieces: new Map(), lastText: '', lastCut: null };
}

interface Span {
  /** After the separator before the entry (`{` or `,`). */
  start: number;
  /** At the separator after it (`,` or `}`). */
  end: number;
}

interface Cut {
  open: number;
  close: number;
  top: Span[];
  /** Index in `top` of the `"Resources"` entry whose value is an object, or -1. */
  resourcesIndex: number;
  resOpen: number;
  resClose: number;
  /** From after `"Resources":` to the `{` of its object. */
  res: Span[];
}

const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * Finds the entries of the top-level object and of its `Resources` object with
 * a small scanner (strings, nesting); null when the text is not one object of
 * plain JSON.
 */
function cut(text: string, last?: { cut: Cut; text: string }): Cut | null {
  // A lone carriage return is a line break to YAML but not to this scanner.
  if (text.indexOf('\r') >= 0 && /\r(?!\n)/.test(text)) return null;
  const n = text.length;
  let i = 0;
  while (i < n && isBlank(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== 123) return null;
  let open = i;
  let top: Span[] = [];
  let res: Span[] = [];
  let resourcesIndex = -1;
  let resOpen = -1;
  let resClose = -1;
  let depth = 0;
  let entryStart = -1;
  let resEntryStart = -1;
  /** Depth-1 key text of the current top-level entry, once read. */
  let topKey: string | null = null;
  let inResources = false;
  let expectKey = false;
  // The scan resumes after the last entry of `Resources` that ends before the
  // change (the state there follows from the unchanged text before it), and stops
  // at the first entry boundary after the change that was one before: the rest
  // is the last cut, moved.
  let splice: { at: Map<number, number>; delta: number; from: number; old: Cut } | null = null;
  const old = last?.cut;
  if (old && last && old.resourcesIndex >= 0) {
    const span = changedSpan(last.text, text);
    let k = -1;
    // Entries of Resources end at a comma (all but the last): resume after the last one wholly before the change.
    for (let j = 0; j < old.res.length - 1 && old.res[j].end < span.start; j++) k = j;
    if (k >= 0) {
      open = old.open;
      top = old.top.slice(0, old.resourcesIndex);
      res = old.res.slice(0, k + 1);
      resOpen = old.resOpen;
      entryStart = old.top[old.resourcesIndex].start;
      resEntryStart = old.res[k].end + 1;
      topKey = 'Resources';
      inResources = true;
      depth = 2;
      i = resEntryStart;
    }
    const at = new Map<number, number>();
    for (let j = 0; j < old.res.length - 1; j++) at.set(old.res[j].end, j);
    splice = { at, delta: span.newEnd - span.oldEnd, from: span.newEnd, old };
  }
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A quote must open a string: one inside a plain scalar (`a"b`) is text to YAML.
      let b = i - 1;
      while (b >= 0 && isBlank(text.charCodeAt(b))) b--;
      const pc = b >= 0 ? text.charCodeAt(b) : 123;
      if (pc !== 123 && pc !== 91 && pc !== 44 && pc !== 58) return null;
      const s = i;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
        else if (d === 10 || d === 13) return null;
      }
      if (i >= n) return null;
      if (depth === 1 && expectKey) {
        topKey = text.slice(s + 1, i);
        expectKey = false;
      }
      continue;
    }
    // # ! & * ': comments, tags, anchors, aliases, single-quoted strings (which the scanner does not read).
    if (c === 35 || c === 33 || c === 38 || c === 42 || c === 39) return null;
    if (c === 123 || c === 91) {
      depth++;
      if (depth === 1) {
        entryStart = i + 1;
        expectKey = true;
      } else if (depth === 2 && c === 123 && topKey === 'Resources' && resourcesIndex < 0 && /^\s*:\s*$/.test(text.slice(lastKeyEnd(text, i), i))) {
        inResources = true;
        resOpen = i;
        resEntryStart = i + 1;
      }
      continue;
    }
    if (c === 125 || c === 93) {
      if (depth === 2 && inResources) {
        if (c !== 125) return null;
        res.push(offsetRange(resEntryStart, i));
        resClose = i;
        inResources = false;
        resourcesIndex = top.length;
      }
      depth--;
      if (depth === 0) {
        if (c !== 125) return null;
        top.push(offsetRange(entryStart, i));
        for (let k = i + 1; k < n; k++) if (!isBlank(text.charCodeAt(k))) return null;
        return { open, close: i, top, resourcesIndex, resOpen, resClose, res };
      }
      if (depth < 0) return null;
      continue;
    }
    if (c === 44) {
      if (depth === 1) {
        top.push(offsetRange(entryStart, i));
        entryStart = i + 1;
        expectKey = true;
        topKey = null;
      } else if (depth === 2 && inResources) {
        res.push(offsetRange(resEntryStart, i));
        resEntryStart = i + 1;
        const j = splice && i >= splice.from ? splice.at.get(i - splice.delta) : undefined;
        if (j !== undefined) {
          // From here on the text is the last one's, and so is the cut.
          const { old: o, delta: d } = splice!;
          const move = (sp: Span): Span => offsetRange(sp.start + d, sp.end + d);
          for (let m = j + 1; m < o.res.length; m++) res.push(move(o.res[m]));
          top.push(offsetRange(entryStart, o.top[o.resourcesIndex].end + d));
          for (let m = o.resourcesIndex + 1; m < o.top.length; m++) top.push(move(o.top[m]));
          return { open, close: o.close + d, top, resourcesIndex: top.length - 1 - (o.top.length - 1 - o.resourcesIndex), resOpen, resClose: o.resClose + d, res };
        }
      }
    }
  }
  return null;
}

/** Where the key before `at` ends (the closing quote + 1), skipping back over blanks and the colon. */
function lastKeyEnd(text: string, at: number): number {
  let k = at - 1;
  while (k >= 0 && text.charCodeAt(k) !== 34) k--;
  return k + 1;
}

/** The end of a collection's node: after `}`, the blanks, and one line break. */
function nodeEnd(text: string, after: number): number {
  let k = after;
  while (k < text.length && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k++;
  if (text.charCodeAt(k) === 13 && text.charCodeAt(k + 1) === 10) return k + 2;
  if (text.charCodeAt(k) === 10 || text.charCodeAt(k) === 13) return k + 1;
  return k;
}

/**
 * The pair of one entry: its text (blanks around it included) parsed inside
 * braces, cached by text, moved to `start`.
 */
function pieceAt(text: string, span: Span, cache: JsonPieceCache, next: Map<string, Piece>, parse: (t: string) => Document | null, emptyKeys: Scalar[]): Pair | null {
  const t = text.slice(span.start, span.end);
  if (!/\S/.test(t)) return null;
  let piece = next.get(t) === undefined ? cache.pieces.get(t) : undefined;
  if (!piece) {
    const d = parse(`{${t}}`);
    if (!d || d.errors.length || !isMap(d.contents) || !(d.contents as YAMLMap).flow || (d.contents as YAMLMap).items.length !== 1) return null;
    const emptyKeys = emptyKeysOf(d.contents);
    const pair = (d.contents as YAMLMap).items[0] as Pair;
    piece = { base: 1, pair, emptyKeys, ranges: collectRanges([pair]), key: detach(t) };
  }
  if (piece.base !== span.start) {
    shiftRanges(piece.ranges, span.start - piece.base);
    piece.base = span.start;
  }
  next.set(piece.key, piece);
  emptyKeys.push(...piece.emptyKeys);
  return piece.pair;
}

/** The template parsed piece by piece, or null (the caller parses it whole). */
export function parseJsonIncremental(text: string, cache: JsonPieceCache, parse: (t: string) => Document | null): { doc: Document; emptyKeys: Scalar[] } | null {
  const c = cut(text, cache.lastCut ? { cut: cache.lastCut, text: cache.lastText } : undefined);
  if (!c || c.resourcesIndex < 0 || c.res.length < 2) return null;
  const next = new Map<string, Piece>();
  const emptyKeys: Scalar[] = [];
  const root = new YAMLMap();
  root.flow = true;
  for (let k = 0; k < c.top.length; k++) {
    if (k !== c.resourcesIndex) {
      const p = pieceAt(text, c.top[k], cache, next, parse, emptyKeys);
      if (!p) return null;
      root.items.push(p);
      continue;
    }
    // `"Resources": {` ... `}`: the key parsed with an empty object, the entries one by one.
    const span = c.top[k];
    const head = `${text.slice(span.start, c.resOpen)}{}${text.slice(c.resClose + 1, span.end)}`;
    const d = parse(`{${head}}`);
    if (!d || d.errors.length || !isMap(d.contents) || (d.contents as YAMLMap).items.length !== 1) return null;
    const pair = (d.contents as YAMLMap).items[0] as Pair;
    if (!isScalar(pair.key) || pair.key.value !== 'Resources' || !isMap(pair.value)) return null;
    shiftRanges(collectRanges([pair.key]), span.start - 1);
    const resources = new YAMLMap();
    resources.flow = true;
    resources.range = [c.resOpen, c.resClose + 1, nodeEnd(text, c.resClose + 1)];
    for (const s of c.res) {
      const p = pieceAt(text, s, cache, next, parse, emptyKeys);
      if (!p) return null;
      resources.items.push(p);
    }
    root.items.push(new Pair(pair.key, resources));
  }
  if (hasDuplicateKey(root) || hasDuplicateKey(root.get('Resources', true) as unknown as YAMLMap)) return null;
  root.range = [c.open, c.close + 1, nodeEnd(text, c.close + 1)];
  cache.pieces = next;
  cache.lastCut = c;
  cache.lastText = text;
  const doc = new Document();
  doc.contents = root;
  return { doc, emptyKeys };
}


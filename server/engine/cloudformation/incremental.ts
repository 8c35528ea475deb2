/**
 * Incremental parsing of block-style YAML templates. A template is a map of a
 * few top-level sections, and `Resources` is a map of many independent entries:
 * we cut the text at those entries, parse each piece on its own and reuse the
 * pieces whose text did not change (shifting their ranges). A keystroke then
 * costs the parse of one resource instead of the whole file.
 *
 * Anything unusual (anchors/aliases, directives, several documents, flow style
 * at the top, a piece that does not parse on its own) returns null and the
 * caller parses the whole text, so the result is always the full parser's.
 */
import { Document, isMap, isScalar, Pair, YAMLMap, type Node, type Scalar } from 'yaml';
import { newJsonPieceCache, type JsonPieceCache } from './incrementalJson';
import { collectRanges, detach, emptyKeysOf, hasDuplicateKey, shiftRanges } from './ranges';
import { changedSpan } from '../textDiff';
import type { LineIndex } from '../positions';

interface Piece {
  /** Offset its nodes' ranges currently include. */
  base: number;
  /** The pairs of the piece's top-level map. */
  pairs: Pair[];
  /** Keys of the piece that are empty (a line holding only `:`), in document order. */
  emptyKeys: Scalar[];
  /** The range arrays of all its nodes (ranges.ts). */
  ranges: number[][];
  /**
   * Its text, copied out of the document: the piece is parsed from (and keyed by)
   * the copy, so that its nodes' strings do not keep the whole document of that
   * keystroke alive for as long as the piece (or facts read from it) lives.
   */
  key: string;
}

/** An incremental parse: the document, and its empty keys (which the full parse would find by visiting it all). */
export interface IncrementalParse {
  doc: Document;
  emptyKeys: Scalar[];
}

/** An anchor (`&a`) or alias (`*a`) outside quotes and comments, on any line of `text`. */
function hasAnchorOrAlias(text: string): boolean {
  if (text.indexOf('&') < 0 && text.indexOf('*') < 0) return false;
  return /(^|[\s\[{,:-])[&*][A-Za-z0-9_]/m.test(text.replace(/"[^"\n]*"|'[^'\n]*'|#.*$/gm, ''));
}

export interface PieceCache {
  pieces: Map<string, Piece>;
  /** The pieces of the last JSON parse (incrementalJson.ts). */
  json: JsonPieceCache;
  /** The text of the last (YAML) incremental parse, and where its pieces were: start → [end, piece]. */
  lastText: string;
  placed: Map<number, [number, Piece]>;
  /** The line index of the last parse, the next one is derived from. */
  lines?: LineIndex;
}

export function newPieceCache(): PieceCache {
  return { pieces: new Map(), json: newJsonPieceCache(), lastText: '', placed: new Map() };
}

const KEY_AT_COLUMN_0 = /^(?:"[^"\n]*"|'[^'\n]*'|[^\s#\-?:][^\n:]*?)\s*:(?:\s|$)/;

const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 11 || c === 12;

/** Cuts `text` into [start, end) pieces: top-level sections, and each entry of `Resources`. */
function cut(text: string): { start: number; end: number; resource: boolean }[] | null {
  const starts: { start: number; resource: boolean }[] = [];
  let inResources = false;
  let resIndent = -1;
  let pos = 0;
  const len = text.length;
  while (pos < len) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = len;
    const c0 = text.charCodeAt(pos);
    // A line (without its `\r`) that starts with neither a space nor `#`: a top-level key.
    if (pos < nl && !(c0 === 13 && pos + 1 === nl) && c0 !== 32 && c0 !== 35) {
      const line = text.slice(pos, nl).replace(/\r$/, '');
      const c = line[0];
      if (c === '\t' || c === '{' || c === '[' || c === '%' || line.startsWith('---') || line.startsWith('...')) return null;
      if (!KEY_AT_COLUMN_0.test(line)) return null;
      starts.push({ start: pos, resource: false });
      inResources = /^(?:Resources|"Resources"|'Resources')\s*:\s*(#.*)?$/.test(line);
      resIndent = -1;
    } else if (inResources) {
      // The first non-blank character of the line (any other whitespace: the exact, slow test).
      let j = pos;
      while (j < nl && isBlank(text.charCodeAt(j))) j++;
      const cj = j < nl ? text.charCodeAt(j) : -1;
      let ind = -1;
      if (cj > 127 || cj === 0xa0) {
        const line = text.slice(pos, nl).replace(/\r$/, '');
        if (line.trim() && !line.trimStart().startsWith('#')) ind = line.length - line.trimStart().length;
      } else if (cj !== -1 && cj !== 35) {
        ind = j - pos;
      }
      if (ind >= 0) {
        if (resIndent < 0) resIndent = ind;
        if (ind === resIndent) starts.push({ start: pos, resource: true });
      }
    }
    pos = nl + 1;
  }
  if (!starts.length || starts[0].start !== 0 && text.slice(0, starts[0].start).trim().replace(/^#.*$/gm, '').trim()) return null;
  return starts.map((s, i) => ({ start: i === 0 ? 0 : s.start, end: i + 1 < starts.length ? starts[i + 1].start : text.length, resource: s.resource }));
}

/**
 * A piece the parser declines (`parsePiece` returning null) or that does not
 * parse cleanly on its own makes the whole text go to the full parser, and so do
 * anchors and aliases anywhere: each
 * piece is checked when it is parsed (the test is line by line, and pieces are
 * whole lines), and a cached piece passed it before.
 */
export function parseIncremental(
  text: string,
  cache: PieceCache,
  parsePiece: (t: string) => Document | null,
): IncrementalParse | null {
  const ranges = cut(text);
  if (!ranges || ranges.length < 4) return null;
  const next = new Map<string, Piece>();
  const placed = new Map<number, [number, Piece]>();
  const used = new Set<Piece>();
  const emptyKeys: Scalar[] = [];
  const root = new YAMLMap();
  let resources: YAMLMap | null = null;
  // Pieces wholly before or after the changed span have the text they had at the
  // last parse, at the same place or moved by the change: found by position. The
  // others by their text (an undo, a piece moved elsewhere), or parsed.
  const span = changedSpan(cache.lastText, text);
  const delta = span.newEnd - span.oldEnd;
  for (const r of ranges) {
    let piece: Piece | undefined;
    const old = r.end <= span.start ? cache.placed.get(r.start) : r.start >= span.newEnd ? cache.placed.get(r.start - delta) : undefined;
    if (old && old[0] === (r.end <= span.start ? r.end : r.end - delta) && !used.has(old[1])) piece = old[1];
    let t: string | undefined;
    if (!piece) {
      t = text.slice(r.start, r.end);
      piece = cache.pieces.get(t);
      if (piece && used.has(piece)) piece = undefined;
    }
    if (!piece) {
      t ??= text.slice(r.start, r.end);
      if (hasAnchorOrAlias(t)) return null;
      const own = detach(t);
      const d = parsePiece(own);
      if (!d || d.errors.length || !isMap(d.contents) && d.contents !== null) return null;
      if (d.contents !== null && (d.contents as YAMLMap).flow) return null;
      const pairs = d.contents ? [...(d.contents as YAMLMap).items] : [];
      piece = { base: 0, pairs, emptyKeys: emptyKeysOf(d.contents), ranges: collectRanges(pairs), key: own };
    }
    if (piece.base !== r.start) {
      shiftRanges(piece.ranges, r.start - piece.base);
      piece.base = r.start;
    }
    used.add(piece);
    next.set(piece.key, piece);
    placed.set(r.start, [r.end, piece]);
    for (const k of piece.emptyKeys) emptyKeys.push(k);
    if (r.resource) {
      if (!resources) return null;
      resources.items.push(...piece.pairs);
    } else {
      for (const p of piece.pairs) {
        if (isScalar(p.key) && p.key.value === 'Resources' && (p.value === null || isScalar(p.value) && p.value.value === null)) {
          resources = new YAMLMap();
          root.items.push(new Pair(p.key, resources));
        } else {
          root.items.push(p);
        }
      }
    }
  }
  if (resources) {
    const items = resources.items;
    if (items.length) {
      const first = (items[0].key as Node).range![0];
      const last = items[items.length - 1];
      const end = ((last.value as Node | null)?.range ?? (last.key as Node).range!)[2];
      resources.range = [first, end, end];
    }
  }
  // Duplicate keys across pieces: let the full parser report them.
  if (hasDuplicateKey(root) || (resources && hasDuplicateKey(resources))) return null;
  root.range = [0, text.length, text.length];
  cache.pieces = next;
  cache.placed = placed;
  cache.lastText = text;
  const doc = new Document();
  doc.contents = root;
  return { doc, emptyKeys };
}


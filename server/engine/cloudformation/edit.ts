/**
 * Minimal, style-keeping edits on CloudFormation YAML and JSON: set a scalar
 * keeping its quotes, insert keys into block or flow maps with the file's own
 * indentation, line endings and JSON spacing.
 */
import { isMap, isScalar, Scalar, type Node, type YAMLMap } from 'yaml';
import type { TextEdit } from '../types';
import type { CfnTemplate } from './model';
import { getNode, intrinsic } from './nodes';
import { textEdit } from '../offsetRange';

/** A value to write: a scalar (string/number/boolean) or a nested map. */
export type EditValue = string | number | boolean | { [key: string]: EditValue };

/** Start offset of a node including a short-form tag (`!Ref x`) written before it. */
function nodeStartWithTag(tpl: CfnTemplate, node: Node): number {
  const start = node.range![0];
  const tag = (node as Scalar).tag;
  if (!tag || !tag.startsWith('!')) return start;
  const idx = tpl.text.lastIndexOf(tag, start);
  return idx >= 0 && /^\s*$/.test(tpl.text.slice(idx + tag.length, start)) ? idx : start;
}

function scalarText(tpl: CfnTemplate, value: string | number | boolean, like?: Scalar): string {
  if (typeof value !== 'string') return String(value);
  if (tpl.isJson || like?.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  if (like?.type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  return /^[A-Za-z0-9_./-]+$/.test(value) && !/^(true|false|yes|no|on|off|null|~|[0-9.]+)$/i.test(value) ? value : JSON.stringify(value);
}

/** Replace a value node with a scalar, keeping the quoting style of the old scalar. */
export function replaceValue(tpl: CfnTemplate, node: Node, value: string | number | boolean): TextEdit {
  const start = nodeStartWithTag(tpl, node);
  return textEdit(start, node.range![1], scalarText(tpl, value, isScalar(node) ? node : undefined));
}

const unitCache = new WeakMap<CfnTemplate, string>();

/**
 * The indentation step of the file (spaces or a tab), guessed from its first 400
 * lines. Computed once per parsed template: every fix of every rule asks.
 */
export function indentUnit(tpl: CfnTemplate): string {
  let unit = unitCache.get(tpl);
  if (unit === undefined) {
    unit = guessIndentUnit(tpl);
    unitCache.set(tpl, unit);
  }
  return unit;
}

function guessIndentUnit(tpl: CfnTemplate): string {
  const counts = new Map<number, number>();
  let prev = 0;
  let tabs = 0;
  const { text, lineStarts } = tpl.lines;
  const n = Math.min(400, lineStarts.length);
  for (let i = 0; i < n; i++) {
    const start = lineStarts[i];
    const end = tpl.lines.lineEnd(i);
    // Most lines: spaces, then a printable ASCII character other than `#`.
    let p = start;
    while (p < end && text.charCodeAt(p) === 32) p++;
    const c = p < end ? text.charCodeAt(p) : -1;
    let ind = p - start;
    if (!(c > 32 && c < 127 && c !== 35)) {
      const line = text.slice(start, end);
      if (!line.trim() || /^\s*#/.test(line)) continue;
      if (line.startsWith('\t')) tabs++;
      ind = /^ */.exec(line)![0].length;
    }
    const d = ind - prev;
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
    prev = ind;
  }
  if (tabs > 2) return '\t';
  let best = 2;
  let bestCount = 0;
  for (const [d, c] of counts) if (c > bestCount || (c === bestCount && d < best)) { best = d; bestCount = c; }
  return ' '.repeat(best);
}

function renderBlock(tpl: CfnTemplate, key: string, value: EditValue, indent: string, unit: string, eol: string): string {
  if (typeof value === 'object') {
    let out = `${indent}${key}:${eol}`;
    let first = true;
    for (const [k, v] of Object.entries(value)) {
      if (!first) out += eol;
      first = false;
      out += renderBlock(tpl, k, v, indent + unit, unit, eol);
    }
    return out;
  }
  return `${indent}${key}: ${scalarText(tpl, value)}`;
}

function renderFlow(tpl: CfnTemplate, key: string, value: EditValue, indent: string, unit: string, eol: string, multiline: boolean, colon: string): string {
  const k = JSON.stringify(key);
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    let inner = '';
    for (let i = 0; i < entries.length; i++) {
      const [kk, vv] = entries[i];
      if (!multiline) inner += (i > 0 ? ', ' : '') + renderFlow(tpl, kk, vv, '', unit, eol, false, colon);
      else inner += (i > 0 ? ',' + eol : '') + indent + unit + renderFlow(tpl, kk, vv, indent + unit, unit, eol, true, colon);
    }
    if (!multiline) return `${k}${colon}{ ${inner} }`;
    return `${k}${colon}{${eol}${inner}${eol}${indent}}`;
  }
  return `${k}${colon}${JSON.stringify(value)}`;
}

/**
 * Insert `key: value` as the last entry of `map`. Works for block maps (YAML) and
 * flow maps (JSON, or YAML `{}`), single- or multi-line.
 */
export function insertEntry(tpl: CfnTemplate, map: YAMLMap, key: string, value: EditValue): TextEdit | null {
  const text = tpl.text;
  const eol = tpl.lines.eol;
  const unit = indentUnit(tpl);
  if (!map.range) return null;
  if (map.flow) {
    const open = map.range[0];
    const close = text.lastIndexOf('}', map.range[1] - 1);
    if (text[open] !== '{' || close < open) return null;
    const multiline = text.slice(open, close).includes('\n');
    const colon = /"\s*:\s/.test(text.slice(open, Math.min(close, open + 400))) || !/"\s*:/.test(text.slice(open, close)) ? ': ' : ':';
    if (map.items.length === 0) {
      if (!multiline) return textEdit(open + 1, close, ` ${renderFlow(tpl, key, value, '', unit, eol, false, colon)} `);
      const indent = tpl.lines.indentAt(open);
      return textEdit(open + 1, close, `${eol}${indent}${unit}${renderFlow(tpl, key, value, indent + unit, unit, eol, true, colon)}${eol}${indent}`);
    }
    const last = map.items[map.items.length - 1];
    const lastEnd = (last.value as Node | null)?.range?.[1] ?? (last.key as Node).range![1];
    if (!multiline) return textEdit(lastEnd, lastEnd, `, ${renderFlow(tpl, key, value, '', unit, eol, false, colon)}`);
    const indent = tpl.lines.indentAt((last.key as Node).range![0]);
    return textEdit(lastEnd, lastEnd, `,${eol}${indent}${renderFlow(tpl, key, value, indent, unit, eol, true, colon)}`);
  }
  if (map.items.length === 0) return null;
  const firstKey = map.items[0].key as Node;
  const keyStart = firstKey.range![0];
  const lineStart = tpl.lines.lineStarts[tpl.lines.offsetToPosition(keyStart).line];
  // Keys of a block map all sit in the first key's column; a map that starts on
  // its parent's line (`- Key: v` in a sequence) is indented by that column.
  const indent = /^[ \t]*$/.test(text.slice(lineStart, keyStart))
    ? text.slice(lineStart, keyStart)
    : ' '.repeat(keyStart - lineStart);
  const last = map.items[map.items.length - 1];
  const lastNode = (last.value as Node | null) ?? (last.key as Node);
  let end = lastNode.range![1];
  const rendered = renderBlock(tpl, key, value, indent, unit, eol);
  // Block scalars end after their final line break: insert at the next line's start.
  if (end > 0 && (text[end - 1] === '\n' || text[end - 1] === '\r')) return textEdit(end, end, rendered + eol);
  const line = tpl.lines.offsetToPosition(end).line;
  end = tpl.lines.lineEnd(line);
  return textEdit(end, end, eol + rendered);
}

/**
 * Make `map.path[0].path[1]...key` equal to `value`: set it when present, create the
 * missing maps when not. Returns null when something on the path is not a plain map
 * (an intrinsic function, an alias): then no exact fix is possible.
 */
export function ensureValue(tpl: CfnTemplate, map: YAMLMap, path: string[], key: string, value: string | number | boolean): TextEdit | null {
  let cur = map;
  for (let i = 0; i < path.length; i++) {
    const next = getNode(cur, path[i]);
    if (next === undefined) {
      let nested: EditValue = { [key]: value };
      for (let j = path.length - 1; j > i; j--) nested = { [path[j]]: nested };
      return insertEntry(tpl, cur, path[i], nested);
    }
    // A long-form intrinsic (`{"Fn::If": [...]}`) is a map too, but no place to add keys.
    if (!isMap(next) || (next as YAMLMap).tag || intrinsic(next)) return null;
    cur = next as YAMLMap;
  }
  const existing = getNode(cur, key);
  if (existing === undefined) return insertEntry(tpl, cur, key, value);
  if (!existing.range) return null;
  return replaceValue(tpl, existing, value);
}

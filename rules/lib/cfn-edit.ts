/**
 * CloudFormation edits for tag lists, which the engine's edit.ts (maps and
 * scalars only) does not cover: append `{Key, Value}` to an existing `Tags`
 * list, or add a `Tags` list with one entry to a map. Block and flow style,
 * YAML and JSON, the file's own indentation, sequence style and line endings.
 */
import { isMap, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { indentUnit } from '../../server/engine/cloudformation/edit';
import { compactSequences } from '../../server/engine/units';
import type { CfnTemplate } from '../../server/engine/cloudformation/model';
import type { TextEdit } from '../../server/engine/types';
import { textEdit } from '../../server/engine/offsetRange';

/** A tag value: a plain string, or a `Fn::Sub` template string. */
export type CfnTagValue = { sub: boolean; text: string };

/** The quote character the file uses most in YAML (double when tied). */
function preferredQuote(tpl: CfnTemplate): '"' | "'" {
  const single = (tpl.text.match(/:\s+'/g) ?? []).length;
  const double = (tpl.text.match(/:\s+"/g) ?? []).length;
  return single > double ? "'" : '"';
}

function yamlString(tpl: CfnTemplate, text: string, forceQuotes: boolean): string {
  const plainOk = /^[A-Za-z0-9_./-]+$/.test(text) && !/^(true|false|yes|no|on|off|null|~|[0-9.]+)$/i.test(text);
  if (plainOk && !forceQuotes) return text;
  return preferredQuote(tpl) === "'" ? `'${text.replace(/'/g, "''")}'` : JSON.stringify(text);
}

/** The value as YAML (`!Sub "..."`, `name`) or JSON (`{ "Fn::Sub": "..." }`, `"name"`). */
function renderValue(tpl: CfnTemplate, v: CfnTagValue): string {
  if (tpl.isJson) return v.sub ? `{ "Fn::Sub": ${JSON.stringify(v.text)} }` : JSON.stringify(v.text);
  return v.sub ? `!Sub ${yamlString(tpl, v.text, true)}` : yamlString(tpl, v.text, false);
}

/** `{Key: Name, Value: x}` on one line, in the file's flavour. */
function flowTag(tpl: CfnTemplate, key: string, v: CfnTagValue, spaced: boolean): string {
  const k = tpl.isJson ? `"Key": ${JSON.stringify(key)}` : `Key: ${yamlString(tpl, key, false)}`;
  const val = tpl.isJson ? `"Value": ${renderValue(tpl, v)}` : `Value: ${renderValue(tpl, v)}`;
  return spaced ? `{ ${k}, ${val} }` : `{${k}, ${val}}`;
}

/** Leading spaces/tabs of the line holding `offset`, or spaces up to it when text precedes it. */
function columnIndent(tpl: CfnTemplate, offset: number): string {
  const line = tpl.lines.offsetToPosition(offset).line;
  const start = tpl.lines.lineStarts[line];
  const before = tpl.text.slice(start, offset);
  return /^[ \t]*$/.test(before) ? before : ' '.repeat(offset - start);
}

/** Offset just after the line holding `end` (before its line break), or `end` when it already ends a line. */
function afterLine(tpl: CfnTemplate, end: number): { at: number; lead: boolean } {
  const t = tpl.text;
  if (end > 0 && (t[end - 1] === '\n' || t[end - 1] === '\r')) return { at: end, lead: false };
  return { at: tpl.lines.lineEnd(tpl.lines.offsetToPosition(end).line), lead: true };
}

/** Appends a `{Key, Value}` entry to a tag list. Null when the list has an unusual shape. */
export function appendTag(tpl: CfnTemplate, seq: YAMLSeq, key: string, value: CfnTagValue): TextEdit | null {
  const text = tpl.text;
  const eol = tpl.lines.eol;
  if (!seq.range) return null;
  const items = seq.items as Node[];
  if (seq.flow) {
    const open = seq.range[0];
    const close = text.lastIndexOf(']', seq.range[1] - 1);
    if (text[open] !== '[' || close < open) return null;
    if (items.length === 0) return textEdit(open + 1, close, flowTag(tpl, key, value, true));
    const last = items[items.length - 1];
    if (!last?.range) return null;
    const multiline = text.slice(open, close).includes('\n');
    if (!multiline || !isMap(last) || !(last as YAMLMap).flow) {
      const spaced = isMap(last) ? /^\{\s/.test(text.slice(last.range[0], last.range[0] + 2)) : true;
      return multiline
        ? textEdit(last.range[1], last.range[1], `,${eol}${columnIndent(tpl, last.range[0])}${flowTag(tpl, key, value, spaced)}`)
        : textEdit(last.range[1], last.range[1], `, ${flowTag(tpl, key, value, spaced)}`);
    }
    const lastMap = last as YAMLMap;
    const lastText = text.slice(last.range[0], last.range[1]);
    const indent = columnIndent(tpl, last.range[0]);
    if (!lastText.includes('\n')) {
      const spaced = /^\{\s/.test(lastText);
      return textEdit(last.range[1], last.range[1], `,${eol}${indent}${flowTag(tpl, key, value, spaced)}`);
    }
    // A multi-line object per tag: mirror its layout.
    const firstKey = lastMap.items[0]?.key as Node | undefined;
    const inner = firstKey?.range ? columnIndent(tpl, firstKey.range[0]) : indent + indentUnit(tpl);
    const k = tpl.isJson ? `"Key": ${JSON.stringify(key)}` : `Key: ${yamlString(tpl, key, false)}`;
    const v = tpl.isJson ? `"Value": ${renderValue(tpl, value)}` : `Value: ${renderValue(tpl, value)}`;
    return textEdit(last.range[1], last.range[1], `,${eol}${indent}{${eol}${inner}${k},${eol}${inner}${v}${eol}${indent}}`);
  }
  const last = items[items.length - 1];
  if (!last?.range) return null;
  // `- Key: ...`: the dash sits before the item, on its line.
  let dash = last.range[0] - 1;
  while (dash >= 0 && (text[dash] === ' ' || text[dash] === '\t')) dash--;
  if (text[dash] !== '-') return null;
  const dashIndent = columnIndent(tpl, dash);
  const { at, lead } = afterLine(tpl, last.range[1]);
  let entry: string;
  if (isMap(last) && (last as YAMLMap).flow) {
    entry = `${dashIndent}- ${flowTag(tpl, key, value, /^\{\s/.test(text.slice(last.range[0], last.range[0] + 2)))}`;
  } else {
    const pad = ' '.repeat(Math.max(1, last.range[0] - dash - 1));
    const inner = dashIndent + ' '.repeat(last.range[0] - dash);
    entry = `${dashIndent}-${pad}Key: ${yamlString(tpl, key, false)}${eol}${inner}Value: ${renderValue(tpl, value)}`;
  }
  return lead ? textEdit(at, at, eol + entry) : textEdit(at, at, entry + eol);
}

/**
 * Adds `Tags` holding one `{Key, Value}` entry as the last entry of `map` (block
 * or flow). Null when the map is empty in block style or has an unusual shape.
 */
export function insertTags(tpl: CfnTemplate, map: YAMLMap, key: string, value: CfnTagValue): TextEdit | null {
  const text = tpl.text;
  const eol = tpl.lines.eol;
  const unit = indentUnit(tpl);
  if (!map.range || map.items.length === 0) return null;
  const last = map.items[map.items.length - 1];
  const lastKey = last.key as Node;
  const lastEnd = ((last.value as Node | null) ?? lastKey).range?.[1];
  if (!lastKey?.range || lastEnd === undefined) return null;
  if (map.flow) {
    const open = map.range[0];
    const close = text.lastIndexOf('}', map.range[1] - 1);
    if (text[open] !== '{' || close < open) return null;
    const name = tpl.isJson ? '"Tags"' : 'Tags';
    if (!text.slice(open, close).includes('\n')) {
      return textEdit(lastEnd, lastEnd, `, ${name}: [${flowTag(tpl, key, value, true)}]`);
    }
    const indent = columnIndent(tpl, lastKey.range[0]);
    const inner = indent + unit;
    const k = tpl.isJson ? `"Key": ${JSON.stringify(key)}` : `Key: ${yamlString(tpl, key, false)}`;
    const v = tpl.isJson ? `"Value": ${renderValue(tpl, value)}` : `Value: ${renderValue(tpl, value)}`;
    const obj = `${inner}{${eol}${inner}${unit}${k},${eol}${inner}${unit}${v}${eol}${inner}}`;
    return textEdit(lastEnd, lastEnd, `,${eol}${indent}${name}: [${eol}${obj}${eol}${indent}]`);
  }
  const firstKey = map.items[0].key as Node;
  if (!firstKey?.range) return null;
  const indent = columnIndent(tpl, firstKey.range[0]);
  const dashIndent = compactSequences(tpl) ? indent : indent + unit;
  const entry = `${indent}Tags:${eol}${dashIndent}- Key: ${yamlString(tpl, key, false)}${eol}${dashIndent}  Value: ${renderValue(tpl, value)}`;
  const { at, lead } = afterLine(tpl, lastEnd);
  return lead ? textEdit(at, at, eol + entry) : textEdit(at, at, entry + eol);
}

/**
 * Small, minimal edits on Terraform files, so that no rule computes offsets by
 * hand. Each returns one `TextEdit` on the original text that keeps the file's
 * indentation style and line endings and never touches a comment.
 */
import type { OffsetRange, TextEdit } from '../types';
import type { TfAttribute, TfBlock, TfExpr, TfFile } from './model';
import { objectItems } from './parser';
import { textEdit } from '../offsetRange';

/** Replaces the attribute's expression with `valueText` (Terraform source, e.g. `"required"`). */
export function setAttributeValue(file: TfFile, attr: TfAttribute, valueText: string): TextEdit {
  const indent = file.lines.indentAt(attr.range.start);
  return textEdit(attr.expr.range.start, attr.expr.range.end, reindent(valueText, indent, file.lines.eol));
}

/** Adds `name = value` as the last item of `block`, on a line of its own, unaligned. */
function insertRawAttribute(file: TfFile, block: TfBlock, name: string, valueText: string): TextEdit {
  const eol = file.lines.eol;
  return insertItem(file, block, (indent) => `${name} = ${reindent(valueText, indent, eol)}`);
}

/**
 * A nested block `blockType { ... }` holding `attributes` (name, value source)
 * as the last item of `block`. Consecutive attributes are aligned on `=` as
 * `terraform fmt` does.
 */
function insertRawBlock(file: TfFile, block: TfBlock, blockType: string, attributes: [string, string][]): TextEdit {
  const eol = file.lines.eol;
  const unit = indentUnit(file);
  return insertItem(file, block, (indent) => {
    if (attributes.length === 0) return `${blockType} {}`;
    const inner = indent + unit;
    const multiLine = attributes.some(([, v]) => /[\r\n]/.test(v));
    let width = 0;
    if (!multiLine) for (const [n] of attributes) width = Math.max(width, n.length);
    let body = '';
    for (const [n, v] of attributes) body += `${inner}${n.padEnd(width)} = ${reindent(v, inner, eol)}${eol}`;
    return `${blockType} {${eol}${body}${indent}}`;
  });
}

/**
 * The file's indentation step: the first nested item that starts its own line,
 * minus its block's indentation; two spaces when the file shows none.
 */
export function indentUnit(file: TfFile): string {
  const found = findUnit(file, file.blocks);
  return found ?? '  ';
}

function findUnit(file: TfFile, blocks: readonly TfBlock[]): string | undefined {
  for (const b of blocks) {
    const own = file.lines.indentAt(b.range.start);
    for (const item of items(b)) {
      if (!startsLine(file.text, item.start)) continue;
      const ind = file.lines.indentAt(item.start);
      if (ind.length > own.length && ind.startsWith(own)) return ind.slice(own.length);
    }
    const inner = findUnit(file, b.blocks);
    if (inner) return inner;
  }
  return undefined;
}

/** Attributes and nested blocks of `block`, in source order. */
function items(block: TfBlock): { start: number; end: number }[] {
  // Built by pushing (see arrays.ts): one kind of array whatever runs optimized.
  const all: { start: number; end: number }[] = [];
  for (const a of block.attributes) all.push(a.range);
  for (const b of block.blocks) all.push(b.range);
  return all.sort((a, b) => a.start - b.start);
}

/** Only spaces/tabs between the start of the line and `offset`. */
function startsLine(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const c = text[i];
    if (c === '\n' || c === '\r') return true;
    if (c !== ' ' && c !== '\t') return false;
  }
  return true;
}

/** The indentation for a new item of `block`: its existing items' indentation, else one step deeper than the block. */
function itemIndent(file: TfFile, block: TfBlock): string {
  const list = items(block);
  for (let i = list.length - 1; i >= 0; i--) {
    if (startsLine(file.text, list[i].start)) return file.lines.indentAt(list[i].start);
  }
  return file.lines.indentAt(block.range.start) + indentUnit(file);
}

function insertItem(file: TfFile, block: TfBlock, make: (indent: string) => string): TextEdit {
  const text = file.text;
  const eol = file.lines.eol;
  const close = block.closeBrace;
  const blockIndent = file.lines.indentAt(block.range.start);
  const sameLine = file.lines.offsetToPosition(block.openBrace).line === file.lines.offsetToPosition(close).line;

  if (sameLine && block.openBrace >= 0) {
    // `x {}` or `x { a = 1 }`: expand to one item per line.
    const indent = blockIndent + indentUnit(file);
    const inner = text.slice(block.openBrace + 1, close).trim();
    const existing = inner ? `${indent}${inner}${eol}` : '';
    return textEdit(block.openBrace + 1, close, `${eol}${existing}${indent}${make(indent)}${eol}${blockIndent}`);
  }

  const indent = itemIndent(file, block);
  if (startsLine(text, close)) {
    // The usual layout: `}` on its own line. Insert a whole line before it.
    const at = file.lines.lineStarts[file.lines.offsetToPosition(close).line];
    return textEdit(at, at, `${indent}${make(indent)}${eol}`);
  }

  // `  a = 1 }`: the brace follows the last item; move it to its own line.
  let from = close;
  while (from > 0 && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
  return textEdit(from, close, `${eol}${indent}${make(indent)}${eol}${blockIndent}`);
}

/**
 * Multi-line source text placed at `indent`: continuation lines get the indent
 * and the file's line ending. A plain `<<EOT` heredoc is left alone, since its
 * body is taken verbatim.
 */
function reindent(value: string, indent: string, eol: string): string {
  if (!/[\r\n]/.test(value)) return value;
  const lines = value.split(/\r\n|\r|\n/);
  if (/<<[A-Za-z_]/.test(value)) return lines.join(eol);
  return lines.map((l, i) => (i === 0 || l === '' ? l : indent + l)).join(eol);
}

function lineOf(file: TfFile, offset: number): number {
  return file.lines.offsetToPosition(offset).line;
}

/**
 * The `=` width `terraform fmt` gives the run of single-line attributes that ends
 * with the last item of `block`: the longest name of the run. 0 when the block
 * ends with a nested block or a multi-line attribute.
 */
function trailingRunWidth(file: TfFile, block: TfBlock): number {
  const items: { attr: TfAttribute | null; range: OffsetRange }[] = [];
  for (const a of block.attributes) items.push({ attr: a, range: a.range });
  for (const b of block.blocks) items.push({ attr: null, range: b.range });
  items.sort((a, b) => a.range.start - b.range.start);
  let width = 0;
  let expectLine = -1;
  for (let i = items.length - 1; i >= 0; i--) {
    const { attr, range } = items[i];
    if (!attr) break;
    const first = lineOf(file, range.start);
    const last = lineOf(file, range.end);
    if (first !== last) break;
    if (expectLine >= 0 && last !== expectLine) break;
    width = Math.max(width, attr.name.length);
    expectLine = first - 1;
  }
  return width;
}

/**
 * Adds `name = value` as the last item of `block`, on a line of its own, with the
 * name padded to the `=` column of the attributes right above, as `terraform fmt`
 * would write it. A name longer than theirs goes
 * after a blank line, which starts a new alignment run, so that the lines above
 * need no realigning; so does an attribute that follows a nested block or a
 * multi-line value.
 */
export function insertAttribute(file: TfFile, block: TfBlock, name: string, valueText: string): TextEdit {
  const sameLine = lineOf(file, block.openBrace) === lineOf(file, block.closeBrace);
  const width = sameLine && block.attributes.length === 1 ? block.attributes[0].name.length : trailingRunWidth(file, block);
  const padded = width > name.length ? name.padEnd(width) : name;
  const edit = insertRawAttribute(file, block, padded, valueText);
  // A longer name would make `terraform fmt` realign the run above: start a new run after a blank line.
  if (!sameLine && width > 0 && name.length > width) return textEdit(edit.start, edit.end, file.lines.eol + edit.newText);
  // After a nested block or a multi-line value, set the new line apart as well.
  if (!sameLine && width === 0 && (block.attributes.length > 0 || block.blocks.length > 0)) return textEdit(edit.start, edit.end, file.lines.eol + edit.newText);
  return edit;
}

/**
 * Adds `key = valueText` as the last item of an object expression: on its own
 * line (aligned like the items above) in a multi-line object, after a comma in a
 * one-line object. Null when the expression is not an object literal.
 */
export function insertObjectItem(file: TfFile, expr: TfExpr, key: string, valueText: string): TextEdit | null {
  const items = objectItems(expr);
  if (!items) return null;
  const text = file.text;
  const open = text.indexOf('{', expr.range.start);
  const close = text.lastIndexOf('}', expr.range.end - 1);
  if (open < 0 || close < open) return null;
  const eol = file.lines.eol;
  const multiLine = lineOf(file, open) !== lineOf(file, close);
  if (!multiLine) {
    if (items.length === 0) return textEdit(open + 1, close, ` ${key} = ${valueText} `);
    const last = items[items.length - 1];
    // Items of a one-line object are separated by commas; keep a trailing one if present.
    let end = last.range.end;
    const after = text.slice(end, close);
    const comma = /^\s*,/.exec(after);
    if (comma) end += comma[0].length;
    return textEdit(end, end, `${comma ? ' ' : ', '}${key} = ${valueText}${comma ? ',' : ''}`);
  }
  if (items.length === 0) {
    const indent = file.lines.indentAt(open) + indentUnit(file);
    return textEdit(open + 1, close, `${eol}${indent}${key} = ${valueText}${eol}${file.lines.indentAt(open)}`);
  }
  const last = items[items.length - 1];
  const indent = file.lines.indentAt(last.range.start);
  // Align on `=` with the run of one-line items right above, as `terraform fmt` does.
  let width = 0;
  let expect = -1;
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i];
    const a = lineOf(file, it.range.start);
    const b = lineOf(file, it.range.end);
    if (a !== b || (expect >= 0 && b !== expect)) break;
    width = Math.max(width, it.keyExpr.range.end - it.keyExpr.range.start);
    expect = a - 1;
  }
  const shown = width > key.length ? key.padEnd(width) : key;
  let end = last.range.end;
  const comma = /^[ \t]*,/.exec(text.slice(end, close));
  if (comma) end += comma[0].length;
  const lineEnd = file.lines.lineEnd(lineOf(file, end));
  // After the last item's line (and any comment on it), unless `}` shares that line.
  if (lineEnd <= close) return textEdit(lineEnd, lineEnd, `${eol}${indent}${shown} = ${valueText}${comma ? ',' : ''}`);
  return textEdit(end, end, `${eol}${indent}${shown} = ${valueText}`);
}

/**
 * Adds a nested block `blockType { ... }` holding `attributes` as the last item of
 * `block`, set off by a blank line when it follows an attribute, as nested blocks
 * usually are.
 */
export function insertBlock(file: TfFile, block: TfBlock, blockType: string, attributes: [string, string][]): TextEdit {
  const edit = insertRawBlock(file, block, blockType, attributes);
  const sameLine = lineOf(file, block.openBrace) === lineOf(file, block.closeBrace);
  const last = [...block.attributes, ...block.blocks].sort((a, b) => b.range.start - a.range.start)[0];
  if (!sameLine && last && 'expr' in last) return textEdit(edit.start, edit.end, file.lines.eol + edit.newText);
  return edit;
}

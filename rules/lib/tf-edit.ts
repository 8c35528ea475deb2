/**
 * Terraform edits the engine's edit.ts does not offer yet: an attribute inserted
 * in `terraform fmt` alignment with the attributes above it, and an item added
 * to an object expression (`tags = { ... }`).
 */
import { indentUnit, insertAttribute, insertBlock } from '../../server/engine/terraform/edit';
import type { TfBlock, TfExpr, TfFile } from '../../server/engine/terraform/model';
import { objectItems } from '../../server/engine/terraform/parser';
import type { TextEdit } from '../../server/engine/types';

function lineOf(file: TfFile, offset: number): number {
  return file.lines.offsetToPosition(offset).line;
}

/**
 * The `=` width `terraform fmt` gives the run of single-line attributes that ends
 * with the last item of `block`: the longest name of the run. 0 when the block
 * ends with a nested block or a multi-line attribute.
 */
function trailingRunWidth(file: TfFile, block: TfBlock): number {
  const items = [
    ...block.attributes.map((a) => ({ attr: a, range: a.range })),
    ...block.blocks.map((b) => ({ attr: null, range: b.range })),
  ].sort((a, b) => a.range.start - b.range.start);
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
 * `insertAttribute`, with the name padded to the `=` column of the attributes
 * right above, as `terraform fmt` would write it. A name longer than theirs goes
 * after a blank line, which starts a new alignment run, so that the lines above
 * need no realigning; so does an attribute that follows a nested block or a
 * multi-line value.
 */
export function insertAlignedAttribute(file: TfFile, block: TfBlock, name: string, valueText: string): TextEdit {
  const sameLine = lineOf(file, block.openBrace) === lineOf(file, block.closeBrace);
  const width = sameLine && block.attributes.length === 1 ? block.attributes[0].name.length : trailingRunWidth(file, block);
  const padded = width > name.length ? name.padEnd(width) : name;
  const edit = insertAttribute(file, block, padded, valueText);
  // A longer name would make `terraform fmt` realign the run above: start a new run after a blank line.
  if (!sameLine && width > 0 && name.length > width) return { ...edit, newText: file.lines.eol + edit.newText };
  // After a nested block or a multi-line value, set the new line apart as well.
  if (!sameLine && width === 0 && (block.attributes.length > 0 || block.blocks.length > 0)) return { ...edit, newText: file.lines.eol + edit.newText };
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
    if (items.length === 0) return { start: open + 1, end: close, newText: ` ${key} = ${valueText} ` };
    const last = items[items.length - 1];
    // Items of a one-line object are separated by commas; keep a trailing one if present.
    let end = last.range.end;
    const after = text.slice(end, close);
    const comma = /^\s*,/.exec(after);
    if (comma) end += comma[0].length;
    return { start: end, end, newText: `${comma ? ' ' : ', '}${key} = ${valueText}${comma ? ',' : ''}` };
  }
  if (items.length === 0) {
    const indent = file.lines.indentAt(open) + indentUnit(file);
    return { start: open + 1, end: close, newText: `${eol}${indent}${key} = ${valueText}${eol}${file.lines.indentAt(open)}` };
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
  if (lineEnd <= close) return { start: lineEnd, end: lineEnd, newText: `${eol}${indent}${shown} = ${valueText}${comma ? ',' : ''}` };
  return { start: end, end, newText: `${eol}${indent}${shown} = ${valueText}` };
}

/**
 * `insertBlock`, set off by a blank line when it follows an attribute, as nested
 * blocks usually are.
 */
export function insertSpacedBlock(file: TfFile, block: TfBlock, blockType: string, attributes: [string, string][]): TextEdit {
  const edit = insertBlock(file, block, blockType, attributes);
  const sameLine = lineOf(file, block.openBrace) === lineOf(file, block.closeBrace);
  const last = [...block.attributes, ...block.blocks].sort((a, b) => b.range.start - a.range.start)[0];
  if (!sameLine && last && 'expr' in last) return { ...edit, newText: file.lines.eol + edit.newText };
  return edit;
}

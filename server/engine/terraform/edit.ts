/**
 * Small, minimal edits on Terraform files, so that no rule computes offsets by
 * hand. Each returns one `TextEdit` on the original text that keeps the file's
 * indentation style and line endings and never touches a comment.
 */
import type { TextEdit } from '../types';
import type { TfAttribute, TfBlock, TfFile } from './model';

/** Replaces the attribute's expression with `valueText` (Terraform source, e.g. `"required"`). */
export function setAttributeValue(file: TfFile, attr: TfAttribute, valueText: string): TextEdit {
  const indent = file.lines.indentAt(attr.range.start);
  return { start: attr.expr.range.start, end: attr.expr.range.end, newText: reindent(valueText, indent, file.lines.eol) };
}

/** Adds `name = value` as the last item of `block`, on a line of its own. */
export function insertAttribute(file: TfFile, block: TfBlock, name: string, valueText: string): TextEdit {
  const eol = file.lines.eol;
  return insertItem(file, block, (indent) => `${name} = ${reindent(valueText, indent, eol)}`);
}

/**
 * Adds a nested block `blockType { ... }` holding `attributes` (name, value source)
 * as the last item of `block`. Consecutive attributes are aligned on `=` as
 * `terraform fmt` does.
 */
export function insertBlock(file: TfFile, block: TfBlock, blockType: string, attributes: [string, string][]): TextEdit {
  const eol = file.lines.eol;
  const unit = indentUnit(file);
  return insertItem(file, block, (indent) => {
    if (attributes.length === 0) return `${blockType} {}`;
    const inner = indent + unit;
    const multiLine = attributes.some(([, v]) => /[\r\n]/.test(v));
    const width = multiLine ? 0 : Math.max(...attributes.map(([n]) => n.length));
    const body = attributes.map(([n, v]) => `${inner}${n.padEnd(width)} = ${reindent(v, inner, eol)}`);
    return `${blockType} {${eol}${body.join(eol)}${eol}${indent}}`;
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
  const all = [...block.attributes.map((a) => a.range), ...block.blocks.map((b) => b.range)];
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
    return { start: block.openBrace + 1, end: close, newText: `${eol}${existing}${indent}${make(indent)}${eol}${blockIndent}` };
  }

  const indent = itemIndent(file, block);
  if (startsLine(text, close)) {
    // The usual layout: `}` on its own line. Insert a whole line before it.
    const at = file.lines.lineStarts[file.lines.offsetToPosition(close).line];
    return { start: at, end: at, newText: `${indent}${make(indent)}${eol}` };
  }

  // `  a = 1 }`: the brace follows the last item; move it to its own line.
  let from = close;
  while (from > 0 && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
  return { start: from, end: close, newText: `${eol}${indent}${make(indent)}${eol}${blockIndent}` };
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

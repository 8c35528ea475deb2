/**
 * The edits behind "Suppress <rule> for this line / resource / file": they write
 * our own syntax (see suppress.ts) with a `<reason>` placeholder, extend a
 * suppression that is already there instead of stacking a second one, and never
 * put a comment where it would change content (inside a block scalar, a heredoc,
 * a continued Dockerfile instruction, or in front of Dockerfile parser
 * directives). JSON templates have no comments: their line and resource
 * suppressions go into the resource's Metadata, the file's into the template's.
 */
import { isMap, isSeq, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { indentUnit, insertEntry } from './cloudformation/edit';
import { getNode } from './cloudformation/nodes';
import type { CfnTemplate } from './cloudformation/model';
import { CfnSuppressionView, DfSuppressionView, TfSuppressionView, type SuppressionView } from './suppress';
import type { Finding, Fix, TextEdit } from './types';
import { textEdit } from './offsetRange';

export type SuppressScope = 'line' | 'resource' | 'file';

export const REASON_PLACEHOLDER = '<reason>';
const LIST_PLACEHOLDER = 'IACLINTLISTPLACEHOLDER';

/** A suggestion that suppresses `finding` at `scope`, or null when that scope does not apply. */
export function suppressionFix(view: SuppressionView, finding: Finding, scope: SuppressScope): Fix | null {
  const edit = suppressionEdit(view, finding, scope);
  if (!edit) return null;
  const where = scope === 'line' ? 'this line'
    : scope === 'file' ? 'this file'
    : (finding.resource ?? view.resourceAt(finding.range.start)?.id ?? 'this resource');
  return { title: `Suppress ${finding.ruleId} for ${where}`, kind: 'suggestion', changes: [{ path: finding.path, edits: [edit] }] };
}

function suppressionEdit(view: SuppressionView, f: Finding, scope: SuppressScope): TextEdit | null {
  if (view instanceof CfnSuppressionView) {
    const tpl = view.tpl;
    const res = (f.resource ? tpl.resourceById.get(f.resource) : undefined)
      ?? (() => {
        const span = view.resourceAt(f.range.start);
        return span ? tpl.resourceById.get(span.id) : undefined;
      })();
    if (scope === 'file') return view.commentsAllowed ? fileComment(view, f.ruleId, 0) : metadataIgnore(tpl, tpl.root, f.ruleId);
    if (scope === 'resource') return res ? metadataIgnore(tpl, res.body, f.ruleId) : null;
    if (view.commentsAllowed) return lineComment(view, f.ruleId, view.anchorLine(f.range.start));
    // JSON: the nearest thing to a line is the resource.
    return null;
  }
  if (view instanceof TfSuppressionView) {
    if (scope === 'file') return fileComment(view, f.ruleId, 0);
    if (scope === 'line') return lineComment(view, f.ruleId, view.anchorLine(f.range.start));
    const block = view.file.blocks.find((b) => b.address !== null && b.address === f.resource)
      ?? view.file.blocks.find((b) => f.range.start >= b.range.start && f.range.start <= b.range.end);
    if (!block?.address) return null;
    return lineComment(view, f.ruleId, view.lines.offsetToPosition(block.range.start).line);
  }
  if (view instanceof DfSuppressionView) {
    if (scope === 'resource') return null;
    if (scope === 'line') return lineComment(view, f.ruleId, view.anchorLine(f.range.start));
    // After the parser directives (`# syntax=`, `# escape=`), which must stay first.
    const afterDirectives = view.df.directives.reduce((l, d) => Math.max(l, view.lines.offsetToPosition(d.range.end).line + 1), 0);
    return fileComment(view, f.ruleId, afterDirectives);
  }
  return null;
}

/** An own-line `iac-lint-ignore` comment (of `kind`) on `line`: where to add an id. */
function existingDirective(view: SuppressionView, line: number, file: boolean): { idsEnd: number } | null {
  if (line < 0) return null;
  for (const c of view.comments()) {
    const l = view.lines.offsetToPosition(c.range.start).line;
    if (l !== line) continue;
    const before = view.text.slice(view.lines.lineStarts[l], c.range.start);
    if (!/^\s*$/.test(before)) continue;
    const m = new RegExp(`^(#|//)\\s*iac-lint-ignore${file ? '-file' : ''}(\\s+[^\\s,]+(\\s*,\\s*[^\\s,]+)*)`).exec(c.text);
    if (m && (file || !/^(#|\/\/)\s*iac-lint-ignore-file/.test(c.text))) return { idsEnd: c.range.start + m[0].length };
  }
  return null;
}

function lineComment(view: SuppressionView, ruleId: string, line: number): TextEdit {
  const existing = existingDirective(view, line - 1, false);
  if (existing) return textEdit(existing.idsEnd, existing.idsEnd, `, ${ruleId}`);
  const start = view.lines.lineStarts[line] ?? view.text.length;
  const indent = /^[ \t]*/.exec(view.text.slice(start, view.lines.lineEnd(Math.min(line, view.lines.lineCount - 1))))![0];
  return textEdit(start, start, `${indent}# iac-lint-ignore ${ruleId} -- ${REASON_PLACEHOLDER}${view.lines.eol}`);
}

function fileComment(view: SuppressionView, ruleId: string, line: number): TextEdit {
  for (let l = 0; l < view.lines.lineCount; l++) {
    const existing = existingDirective(view, l, true);
    if (existing) return textEdit(existing.idsEnd, existing.idsEnd, `, ${ruleId}`);
  }
  const start = line < view.lines.lineCount ? view.lines.lineStarts[line] : view.text.length;
  const eol = view.lines.eol;
  const needsBreak = start === view.text.length && start > 0 && !/[\r\n]$/.test(view.text);
  return textEdit(start, start, `${needsBreak ? eol : ''}# iac-lint-ignore-file ${ruleId} -- ${REASON_PLACEHOLDER}${eol}`);
}

/** Adds `{id, reason}` to `<map>.Metadata.iac-lint.ignore`, creating what is missing. */
function metadataIgnore(tpl: CfnTemplate, map: YAMLMap, ruleId: string): TextEdit | null {
  const meta = getNode(map, 'Metadata', tpl);
  if (!meta) return withList(tpl, insertEntry(tpl, map, 'Metadata', { 'iac-lint': { ignore: LIST_PLACEHOLDER } }), ruleId);
  if (!isMap(meta)) return null;
  const ours = getNode(meta as YAMLMap, 'iac-lint', tpl);
  if (!ours) return withList(tpl, insertEntry(tpl, meta as YAMLMap, 'iac-lint', { ignore: LIST_PLACEHOLDER }), ruleId);
  if (!isMap(ours)) return null;
  const ignore = getNode(ours as YAMLMap, 'ignore', tpl);
  if (!ignore) return withList(tpl, insertEntry(tpl, ours as YAMLMap, 'ignore', LIST_PLACEHOLDER), ruleId);
  if (!isSeq(ignore)) return null;
  return appendItem(tpl, ignore as YAMLSeq, ruleId);
}

function flowItem(tpl: CfnTemplate, ruleId: string): string {
  return tpl.isJson ? `{"id": ${JSON.stringify(ruleId)}, "reason": "${REASON_PLACEHOLDER}"}` : `{id: ${ruleId}, reason: "${REASON_PLACEHOLDER}"}`;
}

/** Replaces the list placeholder written by insertEntry with a one-item list in the file's style. */
function withList(tpl: CfnTemplate, edit: TextEdit | null, ruleId: string): TextEdit | null {
  if (!edit) return null;
  const t = edit.newText;
  // insertEntry writes flow maps (JSON, YAML `{}`) with quoted scalars, block maps without.
  const quoted = `"${LIST_PLACEHOLDER}"`;
  if (t.includes(quoted)) return textEdit(edit.start, edit.end, t.replace(quoted, `[${flowItem(tpl, ruleId)}]`));
  const at = t.indexOf(LIST_PLACEHOLDER);
  if (at < 0) return null;
  const lineStart = Math.max(t.lastIndexOf('\n', at), t.lastIndexOf('\r', at)) + 1;
  const indent = /^[ \t]*/.exec(t.slice(lineStart))![0];
  const eol = tpl.lines.eol;
  const item = `${indent}${indentUnit(tpl)}`;
  const list = `${eol}${item}- id: ${ruleId}${eol}${item}  reason: ${REASON_PLACEHOLDER}`;
  return textEdit(edit.start, edit.end, t.slice(0, at).replace(/ $/, '') + list + t.slice(at + LIST_PLACEHOLDER.length));
}

function appendItem(tpl: CfnTemplate, seq: YAMLSeq, ruleId: string): TextEdit | null {
  const text = tpl.text;
  const eol = tpl.lines.eol;
  if (!seq.range) return null;
  const last = seq.items[seq.items.length - 1] as Node | undefined;
  if (seq.flow) {
    const close = text.lastIndexOf(']', seq.range[1] - 1);
    if (close < seq.range[0]) return null;
    if (!last?.range) return textEdit(close, close, flowItem(tpl, ruleId));
    const end = last.range[1];
    const multiline = text.slice(seq.range[0], close).includes('\n');
    if (!multiline) return textEdit(end, end, `, ${flowItem(tpl, ruleId)}`);
    return textEdit(end, end, `,${eol}${tpl.lines.indentAt(last.range[0])}${flowItem(tpl, ruleId)}`);
  }
  if (!last?.range) return null;
  const dash = text.lastIndexOf('-', last.range[0]);
  const lineStart = tpl.lines.lineStarts[tpl.lines.offsetToPosition(dash).line];
  const before = text.slice(lineStart, dash);
  const indent = /^[ \t]*$/.test(before) ? before : ' '.repeat(dash - lineStart);
  let end = last.range[1];
  const item = `${indent}- id: ${ruleId}${eol}${indent}  reason: ${REASON_PLACEHOLDER}`;
  if (end > 0 && (text[end - 1] === '\n' || text[end - 1] === '\r')) return textEdit(end, end, item + eol);
  end = tpl.lines.lineEnd(tpl.lines.offsetToPosition(end).line);
  return textEdit(end, end, eol + item);
}

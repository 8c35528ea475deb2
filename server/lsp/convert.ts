/** Engine types → LSP types. The only place that does this conversion. */
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeAction, CodeActionKind, Diagnostic, DiagnosticSeverity, type TextEdit as LspTextEdit, type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { docsUrl } from '../engine/docs';
import { UNUSED_SUPPRESSION } from '../engine/suppress';
import { FILE_TOO_LARGE } from '../engine/linter';
import { LineIndex } from '../engine/positions';
import { changedSpan } from '../engine/textDiff';
import type { Finding, Fix, Severity } from '../engine/types';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export const SOURCE = 'iac-lint';
const SUPPRESSION_DOCS = 'https://github.com/iac-lint/iac-lint/blob/main/docs/suppression.md#unused-suppressions';
const SIZE_LIMIT_DOCS = 'https://github.com/iac-lint/iac-lint#large-files';

/** Untitled documents get a path whose name tells the engine their format. */
export function uriToPath(uri: string, languageId?: string): string {
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  const name = encodeURIComponent(uri);
  switch (languageId) {
    case 'terraform': return `/__untitled__/${name}/main.tf`;
    case 'dockerfile': return `/__untitled__/${name}/Dockerfile`;
    case 'json': return `/__untitled__/${name}.json`;
    default: return `/__untitled__/${name}.yaml`;
  }
}

export function pathToUri(path: string, known: Map<string, string>): string {
  return known.get(path) ?? pathToFileURL(path).href;
}

export function toDiagnostic(f: Finding, lines: LineIndex, key: number): Diagnostic {
  const d: Diagnostic = {
    range: lines.toRange(f.range.start, f.range.end),
    severity: SEVERITY[f.severity],
    source: SOURCE,
    code: f.ruleId,
    message: f.message,
    // The finding's index, for its code actions (the rule id is `code` already).
    data: { key },
  };
  if (f.ruleId === UNUSED_SUPPRESSION) d.codeDescription = { href: SUPPRESSION_DOCS };
  else if (f.ruleId === FILE_TOO_LARGE) d.codeDescription = { href: SIZE_LIMIT_DOCS };
  else if (!f.ruleId.includes('error')) d.codeDescription = { href: docsUrl(f.ruleId) };
  return d;
}

/** What was published for a document: the findings and the diagnostics made of them, index for index. */
export interface Published {
  readonly findings: readonly Finding[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * The diagnostics of a document's findings (`toDiagnostic`, keyed by index).
 * Typing changes few of thousands of findings: the diagnostic published for the
 * same index last time is reused as is when it would come out equal (same rule,
 * severity and message, same line and character range), so that unchanged
 * diagnostics are not made again (nor serialized again, see `encodeMessageBytes`).
 */
export function toDiagnostics(findings: readonly Finding[], lines: LineIndex, previous?: Published): Diagnostic[] {
  const out: Diagnostic[] = new Array(findings.length);
  const prevFindings = previous?.findings;
  const prevDiags = previous?.diagnostics;
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i];
    const p = prevFindings?.[i];
    const d = prevDiags?.[i];
    if (p && d && (p === f || (p.ruleId === f.ruleId && p.severity === f.severity && p.message === f.message))) {
      const start = lines.offsetToPosition(f.range.start);
      const end = f.range.end === f.range.start ? start : lines.offsetToPosition(f.range.end);
      const r = d.range;
      if (r.start.line === start.line && r.start.character === start.character && r.end.line === end.line && r.end.character === end.character) {
        out[i] = d;
        continue;
      }
    }
    out[i] = toDiagnostic(f, lines, i);
  }
  return out;
}

export function toWorkspaceEdit(
  changes: { path: string; edits: { start: number; end: number; newText: string }[] }[],
  linesOf: (path: string) => LineIndex | undefined,
  uriOf: (path: string) => string,
): WorkspaceEdit | undefined {
  const out: Record<string, LspTextEdit[]> = {};
  for (const ch of changes) {
    const lines = linesOf(ch.path);
    if (!lines) return undefined;
    const uri = uriOf(ch.path);
    out[uri] = (out[uri] ?? []).concat(ch.edits.map((e) => ({ range: lines.toRange(e.start, e.end), newText: e.newText })));
  }
  return { changes: out };
}

export function toCodeAction(fix: Fix, diagnostic: Diagnostic, edit: WorkspaceEdit): CodeAction {
  return {
    title: fix.kind === 'exact' ? fix.title : `${fix.title} (review)`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: fix.kind === 'exact',
    edit,
  };
}

/** One edit that turns `before` into `after`: the changed middle between common prefix and suffix. */
export function minimalEdit(before: string, after: string, lines: LineIndex): LspTextEdit {
  const { start, oldEnd, newEnd } = changedSpan(before, after);
  return { range: lines.toRange(start, oldEnd), newText: after.slice(start, newEnd) };
}

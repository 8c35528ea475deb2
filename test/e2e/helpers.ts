/**
 * Helpers for the suites that run inside VS Code's extension host. Everything
 * waits by polling with a deadline (the editor, the extension and the language
 * server all work asynchronously) and fails with what it last saw.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import type { IacLintApi } from '../../client/api';
import { ENV } from './scenarios';

/** The repository (the tests run from out/test/e2e; the extension itself comes from the installed .vsix). */
export const ROOT = nodePath.resolve(__dirname, '..', '..', '..');
export const EXTENSION_ID = 'iac-lint.iac-lint';
export const SOURCE = 'iac-lint';
export const FIX_ALL_KIND = 'source.fixAll.iac-lint';
export const DOCS_BASE = 'https://github.com/iac-lint/iac-lint/blob/main/rules/';

/** Measurements for the result file (see index.ts). */
export const metrics = new Map<string, number>();
export function recordMetric(name: string, value: number): void {
  metrics.set(name, Math.round(value * 10) / 10);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something truthy; fails after `timeoutMs` with `what` and the last `state()`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: { timeoutMs?: number; state?: () => unknown } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) {
      const state = options.state ? `; last seen: ${JSON.stringify(options.state())}` : '';
      throw new Error(`timed out after ${options.timeoutMs ?? 30_000} ms waiting for ${what}${state}`);
    }
    await sleep(50);
  }
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'VS Code opened no workspace folder');
  return folder.uri.fsPath;
}

export function uriOf(relative: string): vscode.Uri {
  return vscode.Uri.file(nodePath.join(workspaceRoot(), relative));
}

export async function openEditor(relative: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uriOf(relative));
  return vscode.window.showTextDocument(doc, { preview: false });
}

export async function extensionApi(): Promise<IacLintApi> {
  const ext = vscode.extensions.getExtension<IacLintApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  return ext.activate();
}

export function ruleOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

export function iacDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

const SEVERITY = ['error', 'warning', 'info', 'hint'] as const;

/** A diagnostic as the tests spell it: rule id, severity, 0-based range and the text it underlines. */
export interface Seen {
  rule: string;
  severity: (typeof SEVERITY)[number];
  range: [number, number, number, number];
  text: string;
}

export function describeDiagnostics(doc: vscode.TextDocument): Seen[] {
  return iacDiagnostics(doc.uri)
    .map((d) => ({
      rule: ruleOf(d),
      severity: SEVERITY[d.severity],
      range: [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character] as Seen['range'],
      text: doc.getText(d.range),
    }))
    .sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1] || a.rule.localeCompare(b.rule));
}

/** Waits until the document's iac-lint diagnostics satisfy `ok` (default: there are some). */
export function waitForDiagnostics(
  doc: vscode.TextDocument,
  ok: (seen: Seen[]) => boolean = (seen) => seen.length > 0,
  what = 'iac-lint diagnostics',
): Promise<Seen[]> {
  return waitFor(`${what} on ${vscode.workspace.asRelativePath(doc.uri)}`, () => {
    const seen = describeDiagnostics(doc);
    return ok(seen) && seen;
  }, { state: () => describeDiagnostics(doc) });
}

export const rulesIn = (seen: Seen[]): string[] => seen.map((s) => s.rule);

/**
 * The quick fixes VS Code offers where a diagnostic of `rule` sits, via the same
 * provider call the light bulb makes. (The API returns actions without their
 * diagnostics: callers tell overlapping findings' fixes apart by title.)
 */
export async function quickFixesAt(doc: vscode.TextDocument, rule: string): Promise<vscode.CodeAction[]> {
  const diagnostic = iacDiagnostics(doc.uri).find((d) => ruleOf(d) === rule);
  assert.ok(diagnostic, `no ${rule} diagnostic on ${vscode.workspace.asRelativePath(doc.uri)}`);
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
    'vscode.executeCodeActionProvider', doc.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value,
  );
  return actions.filter((a): a is vscode.CodeAction => 'kind' in a && !!a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind));
}

export async function codeActionsOfKind(doc: vscode.TextDocument, kind: string): Promise<vscode.CodeAction[]> {
  const whole = new vscode.Range(0, 0, doc.lineCount, 0);
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
    'vscode.executeCodeActionProvider', doc.uri, whole, kind,
  );
  return actions.filter((a): a is vscode.CodeAction => 'kind' in a && !!a.kind && a.kind.value === kind);
}

export async function applyAction(action: vscode.CodeAction): Promise<void> {
  assert.ok(action.edit, `code action "${action.title}" carries no edit`);
  assert.equal(await vscode.workspace.applyEdit(action.edit), true, `VS Code refused the edit of "${action.title}"`);
}

/** Throws away unsaved changes: the next test starts from the file on disk. */
export async function revert(doc: vscode.TextDocument): Promise<void> {
  if (!doc.isDirty) return;
  await vscode.window.showTextDocument(doc, { preview: false });
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await waitFor(`${vscode.workspace.asRelativePath(doc.uri)} to be reverted`, () => !doc.isDirty);
}

export function readRepoFile(relative: string): string {
  return fs.readFileSync(nodePath.join(ROOT, relative), 'utf8');
}

/**
 * Asks the host for a screenshot of the window (the server host takes it with
 * Chromium; test-electron has no such channel and the call does nothing).
 */
export async function screenshot(name: string): Promise<void> {
  const dir = process.env[ENV.screenshots];
  if (!dir) return;
  const done = nodePath.join(dir, `${name}.done`);
  fs.writeFileSync(nodePath.join(dir, `${name}.request`), name);
  await waitFor(`the host to take screenshot ${name}`, () => fs.existsSync(done), { timeoutMs: 60_000 });
}

export { sleep };

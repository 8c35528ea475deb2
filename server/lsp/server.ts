/**
 * The language server: lints on open and on every change (debounced, stale runs
 * dropped), publishes diagnostics with the rule id in `code` and a docs link,
 * answers code actions with their edits inline and offers `source.fixAll`.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import {
  CodeAction, CodeActionKind, TextDocuments, TextDocumentSyncKind,
  type CodeActionParams, type Connection, type Diagnostic, type InitializeResult, type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { defaultConfig } from '../engine/config';
import { fixFiles } from '../engine/fixer';
import { Engine, candidateFormat, type LintResult } from '../engine/linter';
import { LineIndex } from '../engine/positions';
import { DiskWorkspace } from '../engine/workspace';
import type { WorkspaceView } from '../engine/types';
import { registerSecurityDiff } from './securityDiff'; // issue 7: git base for iam-permission-broadening
import { SOURCE, minimalEdit, pathToUri, toCodeAction, toDiagnostic, toWorkspaceEdit, uriToPath } from './convert';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.${SOURCE}`;

interface Entry {
  version: number;
  result: LintResult | null;
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const results = new Map<string, Entry>();
  const timers = new Map<string, NodeJS.Timeout>();
  const justOpened = new Set<string>();
  /** Paths of open documents → their URIs (so edits to open files use the editor's URI). */
  const openPaths = new Map<string, string>();
  let debounceMs = 30;
  let engine: Engine | undefined;
  const ready = Engine.create(defaultConfig()).then((e) => (engine = e));

  const pathOf = (doc: TextDocument): string => uriToPath(doc.uri, doc.languageId);
  const openText = (path: string): string | undefined => {
    const uri = openPaths.get(path);
    return uri ? documents.get(uri)?.getText() : undefined;
  };
  const workspace = new DiskWorkspace(openText);
  // issue 7 (security changes against a git base): base texts for iam-permission-broadening
  // and the iac-lint/securityChanges request; all of it lives in securityDiff.ts.
  const securityDiff = registerSecurityDiff({
    connection,
    pathOf: (uri) => { const d = documents.get(uri); return d ? pathOf(d) : uriToPath(uri); },
    textOf: (p) => textOf(p),
    relint: (paths) => {
      for (const doc of documents.all()) if (paths.includes(pathOf(doc))) { results.delete(doc.uri); schedule(doc.uri, 0, false); }
    },
    log: (m) => log(m),
  });
  (workspace as WorkspaceView).baseText = (p) => securityDiff.baseText(p);

  const log = (msg: string): void => connection.console.log(msg);

  connection.onInitialize((params): InitializeResult => {
    const opts = (params.initializationOptions ?? {}) as { lintDebounceMs?: number };
    if (typeof opts.lintDebounceMs === 'number' && opts.lintDebounceMs >= 0) debounceMs = opts.lintDebounceMs;
    securityDiff.initialize(params.initializationOptions); // issue 7
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: {
          codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll, FIX_ALL_KIND],
          resolveProvider: false,
        },
      },
      serverInfo: { name: 'iac-lint', version: '0.1.0' },
    };
  });

  function lintDocument(doc: TextDocument): Entry {
    const path = pathOf(doc);
    let result: LintResult | null = null;
    if (engine && candidateFormat(path)) {
      try {
        result = engine.lint({ path, text: doc.getText() }, workspace);
      } catch (e) {
        log(`lint failed for ${doc.uri}: ${(e as Error).stack ?? e}`);
      }
    }
    const entry = { version: doc.version, result };
    results.set(doc.uri, entry);
    return entry;
  }

  function publish(doc: TextDocument, entry: Entry): void {
    const diagnostics: Diagnostic[] = entry.result
      ? entry.result.findings.map((f, i) => toDiagnostic(f, entry.result!.lines, i))
      : [];
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  }

  function schedule(uri: string, delay: number, siblings: boolean): void {
    const prev = timers.get(uri);
    if (prev) clearTimeout(prev);
    timers.set(uri, setTimeout(() => {
      timers.delete(uri);
      void ready.then(() => {
        const doc = documents.get(uri);
        if (!doc) return;
        const cached = results.get(uri);
        if (cached && cached.version === doc.version && !siblings) return;
        const entry = lintDocument(doc);
        // A newer change arrived while we linted: its own run will publish.
        if (documents.get(uri)?.version !== entry.version) return;
        publish(doc, entry);
        if (siblings) relintModule(pathOf(doc), uri);
      });
    }, delay));
  }

  /** A Terraform module is one folder: other open files of it see this file's change. */
  function relintModule(path: string, except?: string): void {
    if (!/\.tf$/i.test(path)) return;
    const dir = nodePath.dirname(path);
    for (const doc of documents.all()) {
      if (doc.uri === except) continue;
      const p = pathOf(doc);
      if (/\.tf$/i.test(p) && nodePath.dirname(p) === dir) {
        results.delete(doc.uri);
        schedule(doc.uri, debounceMs, false);
      }
    }
  }

  documents.onDidOpen((e) => {
    openPaths.set(pathOf(e.document), e.document.uri);
    justOpened.add(e.document.uri);
  });
  documents.onDidChangeContent((e) => {
    const opened = justOpened.delete(e.document.uri);
    schedule(e.document.uri, opened ? 0 : debounceMs, true);
  });
  documents.onDidClose((e) => {
    const t = timers.get(e.document.uri);
    if (t) clearTimeout(t);
    timers.delete(e.document.uri);
    results.delete(e.document.uri);
    openPaths.delete(pathOf(e.document));
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    relintModule(pathOf(e.document));
  });

  connection.onDidChangeConfiguration((params) => {
    const settings = (params.settings as { 'iac-lint'?: { lintDebounceMs?: unknown } } | undefined)?.['iac-lint'];
    const ms = settings?.lintDebounceMs;
    if (typeof ms === 'number' && ms >= 0 && ms <= 5000) debounceMs = ms;
    securityDiff.configure(params.settings); // issue 7
  });

  connection.onDidChangeWatchedFiles((params) => {
    const dirs = new Set<string>();
    for (const ch of params.changes) {
      if (ch.uri.startsWith('file:') && /\.tf$/i.test(ch.uri)) dirs.add(nodePath.dirname(uriToPath(ch.uri)));
    }
    for (const dir of dirs) relintModule(nodePath.join(dir, '_.tf'));
  });

  /** A file's text as the user sees it: the open buffer, else the disk. */
  function textOf(path: string): string | undefined {
    const open = openText(path);
    if (open !== undefined) return open;
    try {
      return fs.readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  }
  function linesOf(path: string): LineIndex | undefined {
    const text = textOf(path);
    return text === undefined ? undefined : new LineIndex(text);
  }
  const uriOf = (path: string): string => pathToUri(path, openPaths);

  function fixAllEdit(doc: TextDocument): WorkspaceEdit | undefined {
    if (!engine) return undefined;
    const path = pathOf(doc);
    const fixed = fixFiles(engine, [{ path, text: doc.getText() }], workspace);
    if (fixed.changed.size === 0) return undefined;
    const changes: Record<string, ReturnType<typeof minimalEdit>[]> = {};
    for (const [p, after] of fixed.changed) {
      const before = p === path ? doc.getText() : textOf(p);
      if (before === undefined) return undefined;
      changes[p === path ? doc.uri : uriOf(p)] = [minimalEdit(before, after, new LineIndex(before))];
    }
    return { changes };
  }

  connection.onCodeAction(async (params: CodeActionParams): Promise<CodeAction[]> => {
    await ready;
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    let entry = results.get(doc.uri);
    if (!entry || entry.version !== doc.version) entry = lintDocument(doc);
    const only = params.context.only;
    const wants = (kind: string): boolean => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
    const actions: CodeAction[] = [];
    const findings = entry.result?.findings ?? [];
    if (wants(CodeActionKind.QuickFix)) {
      for (const diag of params.context.diagnostics) {
        if (diag.source !== SOURCE) continue;
        const key = (diag.data as { key?: number } | undefined)?.key;
        let finding = typeof key === 'number' ? findings[key] : undefined;
        if (!finding || finding.ruleId !== diag.code) {
          finding = findings.find((f) => f.ruleId === diag.code
            && entry!.result!.lines.offsetToPosition(f.range.start).line === diag.range.start.line);
        }
        if (!finding) continue;
        for (const fix of finding.fixes) {
          const edit = toWorkspaceEdit(fix.changes, (p) => (p === pathOf(doc) ? entry!.result!.lines : linesOf(p)), (p) => (p === pathOf(doc) ? doc.uri : uriOf(p)));
          if (edit) actions.push(toCodeAction(fix, diag, edit));
        }
      }
    }
    const exactCount = findings.filter((f) => f.fixes.some((x) => x.kind === 'exact')).length;
    const fixAllKind = only?.some((k) => k === CodeActionKind.SourceFixAll || k === FIX_ALL_KIND || k === CodeActionKind.Source)
      ? FIX_ALL_KIND
      : (!only && exactCount > 1 ? CodeActionKind.QuickFix : undefined);
    if (fixAllKind && exactCount > 0) {
      const edit = fixAllEdit(doc);
      if (edit) actions.push({ title: 'Fix all auto-fixable iac-lint problems', kind: fixAllKind, edit });
    }
    return actions;
  });

  documents.listen(connection);
  connection.listen();
}

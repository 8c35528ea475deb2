/**
 * A minimal LSP client for protocol tests: starts dist/server.js over stdio,
 * initializes, opens documents and waits for their diagnostics. It answers the
 * server's requests as VS Code would: workspace/configuration from a settings
 * map, work-done progress creation, workspace/applyEdit (recorded, applied: true),
 * capability registration; and records progress, status and log notifications.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import {
  ApplyWorkspaceEditRequest, CodeActionRequest, ConfigurationRequest, DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification, DidChangeWatchedFilesNotification, DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification, ExecuteCommandRequest, ExitNotification, HoverRequest, InitializedNotification,
  InitializeRequest, LogMessageNotification, PublishDiagnosticsNotification, RegistrationRequest, ShutdownRequest,
  WorkDoneProgress, WorkDoneProgressCancelNotification, WorkDoneProgressCreateRequest,
  type ApplyWorkspaceEditParams, type ClientCapabilities, type CodeAction, type CodeActionContext, type Diagnostic,
  type FileEvent, type Hover, type Position, type ProgressToken, type PublishDiagnosticsParams, type Range,
  type TextDocumentContentChangeEvent, type WorkspaceFolder,
} from 'vscode-languageserver-protocol';
import { ROOT } from './engine';

export interface InitializeExtra {
  /** Client capabilities merged over the defaults (diagnostics with versions, code action literals). */
  capabilities?: ClientCapabilities;
  /** Defaults to one folder: the root path. */
  workspaceFolders?: WorkspaceFolder[];
}

type ProgressValue = { kind: 'begin' | 'report' | 'end'; title?: string; message?: string; percentage?: number; cancellable?: boolean };

export class LspClient {
  readonly conn: ProtocolConnection;
  private readonly proc: ChildProcess;
  private readonly waiters: { uri: string; minVersion?: number; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private readonly watchers: { test: () => boolean; resolve: () => void }[] = [];
  readonly latest = new Map<string, PublishDiagnosticsParams>();
  /** Every publish, with the time it arrived (unless `keepLog` is false). */
  readonly log: { at: number; params: PublishDiagnosticsParams }[] = [];
  private readonly keepLog: boolean;
  /** Answers to workspace/configuration: section → value, or `${scopeUri} ${section}` for a folder. */
  settings: Record<string, unknown> = {};
  readonly configurationRequests: { section?: string; scopeUri?: string }[] = [];
  readonly progress = new Map<string, ProgressValue[]>();
  readonly appliedEdits: ApplyWorkspaceEditParams[] = [];
  readonly statuses: unknown[] = [];
  readonly logMessages: string[] = [];
  stderr = '';

  /**
   * `keepLog: false` keeps only the latest publish per document, as an editor
   * does: the latency benchmark sends hundreds of publishes of thousands of
   * diagnostics, and a client keeping them all spends its time collecting garbage.
   */
  constructor(serverPath = nodePath.join(ROOT, 'dist', 'server.js'), options: { keepLog?: boolean } = {}) {
    this.keepLog = options.keepLog ?? true;
    this.proc = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d) => (this.stderr += String(d)));
    this.conn = createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.latest.set(p.uri, p);
      if (this.keepLog) this.log.push({ at: performance.now(), params: p });
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i];
        if (w.uri === p.uri && (w.minVersion === undefined || (p.version ?? -1) >= w.minVersion)) {
          this.waiters.splice(i, 1);
          w.resolve(p);
        }
      }
      this.check();
    });
    this.conn.onRequest(ConfigurationRequest.type, (p) => p.items.map((item) => {
      this.configurationRequests.push(item);
      const scoped = item.scopeUri ? this.settings[`${item.scopeUri} ${item.section}`] : undefined;
      return scoped ?? this.settings[item.section ?? ''] ?? null;
    }));
    this.conn.onRequest(WorkDoneProgressCreateRequest.method, (p: { token: ProgressToken }) => {
      const list: ProgressValue[] = [];
      this.progress.set(String(p.token), list);
      // vscode-jsonrpc routes $/progress to a handler per token.
      this.conn.onProgress(WorkDoneProgress.type, p.token, (value) => {
        list.push(value as ProgressValue);
        this.check();
      });
      return null;
    });
    this.conn.onRequest(ApplyWorkspaceEditRequest.type, (p) => {
      this.appliedEdits.push(p);
      this.check();
      return { applied: true };
    });
    this.conn.onRequest(RegistrationRequest.method, () => null);
    this.conn.onNotification('iac-lint/status', (p: unknown) => {
      this.statuses.push(p);
      this.check();
    });
    this.conn.onNotification(LogMessageNotification.type, (p) => {
      this.logMessages.push(p.message);
      this.check();
    });
    this.conn.listen();
  }

  private check(): void {
    for (let i = this.watchers.length - 1; i >= 0; i--) {
      if (this.watchers[i].test()) {
        const w = this.watchers[i];
        this.watchers.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Resolves once `test()` holds, checked after every message from the server. */
  waitUntil(test: () => boolean, what: string, timeoutMs = 20000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = { test, resolve: () => { clearTimeout(t); resolve(); } };
      const t = setTimeout(() => {
        const i = this.watchers.indexOf(w);
        if (i >= 0) this.watchers.splice(i, 1);
        reject(new Error(`timed out waiting for ${what}; server stderr: ${this.stderr}`));
      }, timeoutMs);
      this.watchers.push(w);
    });
  }

  async initialize(rootPath: string, initializationOptions: object = {}, extra: InitializeExtra = {}): Promise<unknown> {
    const rootUri = pathToFileURL(rootPath).href;
    const base: ClientCapabilities = {
      textDocument: { publishDiagnostics: { versionSupport: true }, codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } } } },
    };
    const res = await this.conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri,
      capabilities: { ...base, ...extra.capabilities, textDocument: { ...base.textDocument, ...extra.capabilities?.textDocument } },
      workspaceFolders: extra.workspaceFolders ?? [{ uri: rootUri, name: 'ws' }],
      initializationOptions,
    });
    await this.conn.sendNotification(InitializedNotification.type, {});
    return res;
  }

  /** Resolves with the next publish for `uri` whose version is at least `minVersion`. */
  waitForDiagnostics(uri: string, minVersion?: number, timeoutMs = 10000): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms; server stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({ uri, minVersion, resolve: (p) => { clearTimeout(t); resolve(p); } });
    });
  }

  async open(uri: string, languageId: string, text: string, version = 1): Promise<Diagnostic[]> {
    const wait = this.waitForDiagnostics(uri, version);
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
    return (await wait).diagnostics;
  }

  async change(uri: string, version: number, changes: TextDocumentContentChangeEvent[], wait = true): Promise<Diagnostic[] | undefined> {
    const p = wait ? this.waitForDiagnostics(uri, version) : undefined;
    await this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
    return p ? (await p).diagnostics : undefined;
  }

  close(uri: string): Promise<void> {
    return this.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  async codeActions(uri: string, range: Range, context: CodeActionContext): Promise<CodeAction[]> {
    return ((await this.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context })) ?? []) as CodeAction[];
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
  }

  executeCommand(command: string, args: unknown[] = []): Promise<unknown> {
    return this.conn.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  filesChanged(changes: FileEvent[]): Promise<void> {
    return this.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes });
  }

  configurationChanged(settings: unknown = null): Promise<void> {
    return this.conn.sendNotification(DidChangeConfigurationNotification.type, { settings });
  }

  cancelProgress(token: string): Promise<void> {
    return this.conn.sendNotification(WorkDoneProgressCancelNotification.type, { token });
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.conn.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification(ExitNotification.type);
    } catch {
      /* already gone */
    }
    this.conn.dispose();
    await new Promise<void>((resolve) => {
      if (this.proc.exitCode !== null) return resolve();
      const t = setTimeout(() => { this.proc.kill(); resolve(); }, 2000);
      this.proc.on('exit', () => { clearTimeout(t); resolve(); });
    });
  }
}

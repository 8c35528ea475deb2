/**
 * A minimal LSP client for protocol tests: starts dist/server.js over stdio,
 * initializes, opens documents and waits for their diagnostics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as nodePath from 'node:path';
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import {
  CodeActionRequest, DidChangeTextDocumentNotification, DidCloseTextDocumentNotification, DidOpenTextDocumentNotification,
  InitializedNotification, InitializeRequest, PublishDiagnosticsNotification, ShutdownRequest, ExitNotification,
  type CodeAction, type CodeActionContext, type Diagnostic, type PublishDiagnosticsParams, type Range,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';
import { ROOT } from './engine';

export class LspClient {
  readonly conn: ProtocolConnection;
  private readonly proc: ChildProcess;
  private readonly waiters: { uri: string; minVersion?: number; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  readonly latest = new Map<string, PublishDiagnosticsParams>();
  /** Every publish, with the time it arrived (for the latency benchmark). */
  readonly log: { at: number; params: PublishDiagnosticsParams }[] = [];
  stderr = '';

  constructor(serverPath = nodePath.join(ROOT, 'dist', 'server.js')) {
    this.proc = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d) => (this.stderr += String(d)));
    this.conn = createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.latest.set(p.uri, p);
      this.log.push({ at: performance.now(), params: p });
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i];
        if (w.uri === p.uri && (w.minVersion === undefined || (p.version ?? -1) >= w.minVersion)) {
          this.waiters.splice(i, 1);
          w.resolve(p);
        }
      }
    });
    this.conn.listen();
  }

  async initialize(rootPath: string, initializationOptions: object = {}): Promise<unknown> {
    const res = await this.conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: `file://${rootPath}`,
      capabilities: { textDocument: { publishDiagnostics: { versionSupport: true }, codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } } } } },
      workspaceFolders: [{ uri: `file://${rootPath}`, name: 'ws' }],
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

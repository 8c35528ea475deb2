/**
 * The language server. Open documents are linted on open and on every change
 * (debounced, stale runs dropped) and always go first. Besides them, a workspace
 * scan lints every CloudFormation, Terraform and Dockerfile file of every
 * workspace folder from disk (discovery.ts: .gitignore, files.exclude, the
 * configuration's `ignore:`, a size limit), in the background with work-done
 * progress, cancellable, yielding to the editor between files, and keeps those
 * results fresh from watched-file events. Each folder has its own
 * `.iac-lint.yaml` (problems in it are diagnostics on it; the defaults keep
 * working); in an untrusted workspace only the built-in defaults apply.
 *
 * Diagnostics carry the rule id in `code` and a docs link; code actions carry
 * their edits inline (fixes, suppressions) or a command (open the rule's docs);
 * hovers show the rule's explanation and a good example; `source.fixAll.iac-lint`
 * and the fix-all command apply every exact fix.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import {
  CodeAction, CodeActionKind, DiagnosticSeverity, FileChangeType, TextDocuments, TextDocumentSyncKind,
  type CodeActionParams, type Connection, type Diagnostic, type Hover, type InitializeParams, type InitializeResult,
  type WorkDoneProgressServerReporter, type WorkspaceEdit, type WorkspaceFolder,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { rules as allRules } from '../../rules';
import { defaultConfig, type EngineConfig } from '../engine/config';
import { CONFIG_FILE_NAMES, findConfigFile, loadConfigFile, parseConfigText, type ConfigProblem } from '../engine/configFile';
import { discover, formatOfName, PathFilter, sniff, type IgnoreList } from '../engine/discovery';
import { fixFiles } from '../engine/fixer';
import { Engine, FILE_TOO_LARGE, INTERNAL_ERROR, PARSE_ERROR, UNUSED_SUPPRESSION, candidateFormat, type LintResult } from '../engine/linter';
import { LineIndex } from '../engine/positions';
import { suppressionFix, type SuppressScope } from '../engine/suppressFixes';
import type { Finding, WorkspaceView } from '../engine/types';
import { DiskWorkspace } from '../engine/workspace';
import { SOURCE, minimalEdit, pathToUri, toCodeAction, toDiagnostic, toDiagnostics, toWorkspaceEdit, uriToPath, type Published } from './convert';
import { docPath, hoverMarkdown } from './ruleDocs';
import { registerSecurityDiff, type SecurityDiff } from './securityDiff';
import { DEFAULT_SETTINGS, excludeGlobs, readSettings, type LogLevel, type Settings } from './settings';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.${SOURCE}`;

/** Commands the server executes (workspace/executeCommand); the client's palette commands call them. */
export const SERVER_COMMANDS = {
  scanWorkspace: 'iac-lint.server.scanWorkspace',
  cancelScan: 'iac-lint.server.cancelScan',
  fixAll: 'iac-lint.server.fixAll',
} as const;
/** Client command (contributed in package.json) that opens a rule's bundled docs. */
export const OPEN_DOCS_COMMAND = 'iac-lint.openRuleDocs';
export const STATUS_NOTIFICATION = 'iac-lint/status';
export const TRUST_NOTIFICATION = 'iac-lint/setTrusted';
export const LIST_RULES_REQUEST = 'iac-lint/listRules';
export const CONFIG_CODE = 'config';

export interface StatusParams {
  state: 'idle' | 'linting' | 'scanning';
  scan: { done: number; total: number } | null;
  problems: { errors: number; warnings: number; infos: number; files: number };
  configProblems: number;
  trusted: boolean;
}

interface Entry {
  version: number;
  result: LintResult | null;
  /** For an open `.iac-lint.yaml`: the problems of its buffer. */
  configDiagnostics?: Diagnostic[];
}

interface Folder {
  uri: string;
  path: string;
  name: string;
  engine: Engine;
  config: EngineConfig;
  /** The config file in effect (null: none, or untrusted). */
  configPath: string | null;
  configProblems: number;
  ignoreList: IgnoreList | null;
  filter: PathFilter;
  /** Only the configuration's `ignore:` list: it applies to open documents too. */
  configFilter: PathFilter | null;
  filesExclude: string[];
  settings: Settings;
  /** Closed files whose diagnostics came from disk: path → uri. */
  scanned: Map<string, string>;
  /** A full scan of this folder ran (so closed files are kept fresh). */
  scanActive: boolean;
}

interface ScanJob {
  cancelled: boolean;
  done: number;
  total: number;
  progress: WorkDoneProgressServerReporter | null;
}

const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const KNOWN_CONFIG_IDS = (): string[] => [...allRules.map((r) => r.id), UNUSED_SUPPRESSION];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const tick = () => new Promise<void>((r) => setImmediate(r));

/** A document's lint waiting to run. */
interface Pending {
  cancel(): void;
}

/** Runs `run` after `delay` ms; with no delay on the next turn of the event loop (a zero timeout waits a millisecond). */
function later(delay: number, run: () => void): Pending {
  if (delay <= 0) {
    const h = setImmediate(run);
    return { cancel: () => clearImmediate(h) };
  }
  const h = setTimeout(run, delay);
  return { cancel: () => clearTimeout(h) };
}

export function startServer(connection: Connection): void {
  new IacLintServer(connection).listen();
}

class IacLintServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly results = new Map<string, Entry>();
  /** Per open document: what its last publish was made of, for reusing unchanged diagnostics (convert.ts toDiagnostics). */
  private readonly lastPublished = new Map<string, Published>();
  private readonly timers = new Map<string, Pending>();
  private readonly justOpened = new Set<string>();
  /** Paths of open documents → their URIs (edits to open files use the editor's URI). */
  private readonly openPaths = new Map<string, string>();
  private readonly folders = new Map<string, Folder>();
  /** Diagnostics counts per published URI, for the status. */
  private readonly published = new Map<string, { errors: number; warnings: number; infos: number }>();
  private readonly urgent: string[] = [];
  private readonly urgentSet = new Set<string>();
  private pumping = false;
  private settings: Settings = structuredClone(DEFAULT_SETTINGS);
  private trusted = true;
  private pullConfig = false;
  private progressSupported = false;
  private initOptions: Record<string, unknown> = {};
  /** `iac-lint.diffBase` as last seen (initialization options, then settings). */
  private diffBase: unknown;
  private initialFolders: WorkspaceFolder[] = [];
  private defaultEngine!: Engine;
  private job: ScanJob | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private readonly workspace: DiskWorkspace;
  private resolveReady!: () => void;
  /** Folders, settings and engines are set up (after `initialized`). */
  private readonly ready = new Promise<void>((r) => (this.resolveReady = r));

  /** Base texts at the git base for iam-permission-broadening, and the securityChanges request. */
  private readonly securityDiff: SecurityDiff;

  constructor(private readonly connection: Connection) {
    this.workspace = new DiskWorkspace((p) => this.openText(p));
    this.securityDiff = registerSecurityDiff({
      connection,
      pathOf: (uri) => {
        const d = this.documents.get(uri);
        return d ? this.pathOf(d) : uriToPath(uri);
      },
      textOf: (p) => this.textOf(p),
      relint: (paths) => {
        for (const doc of this.documents.all()) {
          if (!paths.includes(this.pathOf(doc))) continue;
          this.results.delete(doc.uri);
          this.schedule(doc.uri, 0, false);
        }
      },
      log: (m) => this.log('info', m),
    });
    (this.workspace as WorkspaceView).baseText = (p) => this.securityDiff.baseText(p);
  }

  // -------------------------------------------------------------------------
  // Plumbing

  private log(level: LogLevel, msg: string): void {
    if (LEVELS[level] > LEVELS[this.settings.logLevel]) return;
    const c = this.connection.console;
    if (level === 'error') c.error(msg);
    else if (level === 'warn') c.warn(msg);
    else if (level === 'info') c.info(msg);
    else c.log(msg);
  }

  private pathOf(doc: TextDocument): string {
    return uriToPath(doc.uri, doc.languageId);
  }

  private openText(path: string): string | undefined {
    const uri = this.openPaths.get(path);
    return uri ? this.documents.get(uri)?.getText() : undefined;
  }

  private uriOf(path: string): string {
    return pathToUri(path, this.openPaths);
  }

  /** The innermost workspace folder holding `path`. */
  private folderOf(path: string): Folder | undefined {
    let best: Folder | undefined;
    for (const f of this.folders.values()) {
      const rel = nodePath.relative(f.path, path);
      if ((rel === '' || (!rel.startsWith('..') && !nodePath.isAbsolute(rel))) && (!best || f.path.length > best.path.length)) best = f;
    }
    return best;
  }

  private engineFor(path: string): Engine {
    return this.folderOf(path)?.engine ?? this.defaultEngine;
  }

  private isConfigPath(path: string): Folder | undefined {
    if (!CONFIG_FILE_NAMES.includes(nodePath.basename(path))) return undefined;
    const f = this.folderOf(path);
    return f && nodePath.dirname(path) === f.path ? f : undefined;
  }

  private publish(uri: string, diagnostics: Diagnostic[], version?: number): void {
    const counts = { errors: 0, warnings: 0, infos: 0 };
    for (const d of diagnostics) {
      if (d.severity === DiagnosticSeverity.Error) counts.errors++;
      else if (d.severity === DiagnosticSeverity.Warning) counts.warnings++;
      else counts.infos++;
    }
    if (diagnostics.length) this.published.set(uri, counts);
    else this.published.delete(uri);
    void this.connection.sendDiagnostics(version === undefined ? { uri, diagnostics } : { uri, version, diagnostics });
    this.scheduleStatus();
  }

  private scheduleStatus(): void {
    if (this.statusTimer) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = null;
      this.sendStatus();
    }, 100);
  }

  private sendStatus(): void {
    const problems = { errors: 0, warnings: 0, infos: 0, files: this.published.size };
    for (const c of this.published.values()) {
      problems.errors += c.errors;
      problems.warnings += c.warnings;
      problems.infos += c.infos;
    }
    let configProblems = 0;
    for (const f of this.folders.values()) configProblems += f.configProblems;
    const status: StatusParams = {
      state: this.job ? 'scanning' : this.timers.size > 0 ? 'linting' : 'idle',
      scan: this.job ? { done: this.job.done, total: this.job.total } : null,
      problems,
      configProblems,
      trusted: this.trusted,
    };
    void this.connection.sendNotification(STATUS_NOTIFICATION, status);
  }

  // -------------------------------------------------------------------------
  // Lifecycle

  listen(): void {
    const c = this.connection;
    c.onInitialize((p) => this.onInitialize(p));
    c.onInitialized(() => void this.onInitialized().catch((e) => this.log('error', `initialisation failed: ${(e as Error).stack ?? e}`)));
    this.documents.onDidOpen((e) => {
      this.openPaths.set(this.pathOf(e.document), e.document.uri);
      this.justOpened.add(e.document.uri);
    });
    this.documents.onDidChangeContent((e) => {
      const opened = this.justOpened.delete(e.document.uri);
      this.schedule(e.document.uri, opened ? 0 : this.settings.lintDebounceMs, true);
    });
    this.documents.onDidClose((e) => void this.onClose(e.document));
    c.onDidChangeConfiguration((p) => void this.onDidChangeConfiguration(p.settings).catch((e) => this.log('error', String(e))));
    c.onDidChangeWatchedFiles((p) => void this.onWatchedFiles(p.changes).catch((e) => this.log('error', String(e))));
    c.onCodeAction((p) => this.onCodeAction(p));
    c.onHover(async (p) => this.onHover(p.textDocument.uri, p.position));
    c.onExecuteCommand(async (p) => this.onExecuteCommand(p.command, p.arguments ?? []));
    c.onRequest(LIST_RULES_REQUEST, async (p: { uri?: string } | undefined) => this.listRules(p?.uri));
    c.onNotification(TRUST_NOTIFICATION, (p: { trusted?: unknown }) => void this.setTrusted(p?.trusted === true));
    this.documents.listen(c);
    c.listen();
  }

  private onInitialize(params: InitializeParams): InitializeResult {
    const opts = (params.initializationOptions ?? {}) as Record<string, unknown>;
    this.initOptions = opts;
    this.trusted = opts.trusted !== false;
    this.diffBase = opts.diffBase;
    this.securityDiff.initialize({ trusted: this.trusted, diffBase: this.diffBase });
    this.settings = readSettings(opts.settings, readSettings({ lintDebounceMs: opts.lintDebounceMs }));
    this.pullConfig = !!params.capabilities.workspace?.configuration;
    this.progressSupported = !!params.capabilities.window?.workDoneProgress;
    this.initialFolders = params.workspaceFolders
      ?? (params.rootUri ? [{ uri: params.rootUri, name: nodePath.basename(uriToPath(params.rootUri)) }] : []);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: {
          codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll, FIX_ALL_KIND],
          resolveProvider: false,
        },
        hoverProvider: true,
        executeCommandProvider: { commands: Object.values(SERVER_COMMANDS) },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'iac-lint', version: '0.1.0' },
    };
  }

  private async onInitialized(): Promise<void> {
    this.defaultEngine = await Engine.create(defaultConfig());
    if (this.pullConfig) {
      const section = (await this.pull([{ section: 'iac-lint' }]))[0];
      this.configureDiff(section);
      this.settings = readSettings(section, this.settings);
    }
    this.log('info', `iac-lint server started (${this.trusted ? 'trusted workspace' : 'untrusted workspace: built-in defaults only'})`);
    for (const wf of this.initialFolders) await this.addFolder(wf);
    try {
      this.connection.workspace.onDidChangeWorkspaceFolders((e) => void this.onFoldersChanged(e.added, e.removed));
    } catch {
      // the client does not support folder change notifications
    }
    this.resolveReady();
    this.sendStatus();
    if (this.settings.workspaceScan === 'onStartup') void this.scanAll();
  }

  private async pull(items: { section: string; scopeUri?: string }[]): Promise<unknown[]> {
    if (!this.pullConfig) return items.map(() => undefined);
    try {
      return await this.connection.workspace.getConfiguration(items);
    } catch (e) {
      this.log('warn', `workspace/configuration failed: ${(e as Error).message}`);
      return items.map(() => undefined);
    }
  }

  // -------------------------------------------------------------------------
  // Folders, settings and configuration files

  private async addFolder(wf: WorkspaceFolder): Promise<Folder | undefined> {
    if (!wf.uri.startsWith('file:')) return undefined;
    const path = uriToPath(wf.uri);
    const [scoped, filesExclude] = await this.pull([{ section: 'iac-lint', scopeUri: wf.uri }, { section: 'files.exclude', scopeUri: wf.uri }]);
    const folder: Folder = {
      uri: wf.uri,
      path,
      name: wf.name,
      engine: this.defaultEngine,
      config: defaultConfig(),
      configPath: null,
      configProblems: 0,
      ignoreList: null,
      filter: new PathFilter(path),
      configFilter: null,
      filesExclude: this.pullConfig ? excludeGlobs(filesExclude) : excludeGlobs(this.initOptions.filesExclude),
      settings: this.pullConfig ? readSettings(scoped, this.settings) : this.settings,
      scanned: new Map(),
      scanActive: false,
    };
    this.folders.set(wf.uri, folder);
    await this.loadConfig(folder);
    return folder;
  }

  private rebuildFilter(folder: Folder): void {
    folder.filter = new PathFilter(folder.path, {
      gitignore: folder.settings.scan.respectGitignore,
      exclude: [...folder.filesExclude, ...folder.settings.scan.exclude],
      ignore: folder.ignoreList ? [folder.ignoreList] : [],
      maxFileBytes: folder.settings.scan.maxFileSizeKB * 1024,
    });
    folder.configFilter = folder.ignoreList
      ? new PathFilter(folder.path, { gitignore: false, skipDirs: new Set(), ignore: [folder.ignoreList] })
      : null;
  }

  /** Reads the folder's `.iac-lint.yaml` (not in an untrusted workspace) and builds its engine. */
  private async loadConfig(folder: Folder): Promise<void> {
    const previous = folder.configPath;
    let config = defaultConfig();
    let problems: ConfigProblem[] = [];
    let text: string | null = null;
    folder.configPath = null;
    folder.ignoreList = null;
    const found = findConfigFile(folder.path);
    if (found && !this.trusted) {
      this.log('info', `${found}: not read, the workspace is not trusted; using the built-in defaults`);
    } else if (found) {
      const res = loadConfigFile(found, KNOWN_CONFIG_IDS());
      config = res.config;
      problems = res.problems;
      text = res.text;
      folder.configPath = found;
      folder.ignoreList = res.ignore.length ? { base: folder.path, patterns: res.ignore } : null;
      if (problems.length) this.log('warn', `${found}: ${problems.length} problem${problems.length === 1 ? '' : 's'}; the rest of the file applies`);
      else this.log('info', `${found}: loaded`);
    }
    folder.config = config;
    folder.engine = await Engine.create(config);
    folder.configProblems = problems.length;
    this.rebuildFilter(folder);
    if (previous && previous !== folder.configPath && !this.openPaths.has(previous)) this.publish(pathToUri(previous, new Map()), []);
    if (folder.configPath && !this.openPaths.has(folder.configPath)) {
      this.publish(this.uriOf(folder.configPath), text === null && problems.length === 0 ? [] : this.configDiagnostics(text ?? '', problems));
    }
    this.scheduleStatus();
  }

  private configDiagnostics(text: string, problems: ConfigProblem[]): Diagnostic[] {
    const lines = new LineIndex(text);
    return problems.map((p) => ({
      range: lines.toRange(p.range.start, p.range.end),
      severity: DiagnosticSeverity.Error,
      source: SOURCE,
      code: CONFIG_CODE,
      message: `${p.message} — this entry is ignored; the rest of the configuration applies.`,
    }));
  }

  private async onDidChangeConfiguration(pushed: unknown): Promise<void> {
    await this.ready;
    const before = this.settings;
    if (this.pullConfig) {
      const section = (await this.pull([{ section: 'iac-lint' }]))[0];
      this.configureDiff(section);
      this.settings = readSettings(section, DEFAULT_SETTINGS);
    } else {
      const p = (pushed ?? {}) as Record<string, unknown>;
      this.configureDiff(p['iac-lint']);
      if (p['iac-lint'] !== undefined) this.settings = readSettings(p['iac-lint'], this.settings);
    }
    for (const folder of this.folders.values()) {
      const [scoped, filesExclude] = await this.pull([{ section: 'iac-lint', scopeUri: folder.uri }, { section: 'files.exclude', scopeUri: folder.uri }]);
      const old = JSON.stringify([folder.settings.scan, folder.filesExclude]);
      folder.settings = this.pullConfig ? readSettings(scoped, this.settings) : this.settings;
      if (this.pullConfig) folder.filesExclude = excludeGlobs(filesExclude);
      if (old !== JSON.stringify([folder.settings.scan, folder.filesExclude])) {
        this.rebuildFilter(folder);
        if (folder.scanActive && this.settings.workspaceScan !== 'off') void this.scanAll([folder]);
      }
    }
    if (before.workspaceScan !== this.settings.workspaceScan) {
      if (this.settings.workspaceScan === 'off') this.clearScan();
      else if (this.settings.workspaceScan === 'onStartup') void this.scanAll();
    }
  }

  private async onFoldersChanged(added: WorkspaceFolder[], removed: WorkspaceFolder[]): Promise<void> {
    await this.ready;
    for (const wf of removed) {
      const f = this.folders.get(wf.uri);
      if (!f) continue;
      for (const uri of f.scanned.values()) this.publish(uri, []);
      if (f.configPath && !this.openPaths.has(f.configPath)) this.publish(this.uriOf(f.configPath), []);
      this.folders.delete(wf.uri);
    }
    const fresh: Folder[] = [];
    for (const wf of added) {
      const f = await this.addFolder(wf);
      if (f) fresh.push(f);
    }
    this.relintOpen();
    if (fresh.length && this.settings.workspaceScan === 'onStartup') void this.scanAll(fresh);
  }

  private configureDiff(section: unknown): void {
    if (section && typeof section === 'object' && 'diffBase' in section) {
      this.diffBase = (section as { diffBase: unknown }).diffBase;
      this.securityDiff.configure({ 'iac-lint': section });
    }
  }

  private async setTrusted(trusted: boolean): Promise<void> {
    await this.ready;
    if (trusted === this.trusted) return;
    this.trusted = trusted;
    this.securityDiff.initialize({ trusted, diffBase: this.diffBase });
    this.log('info', trusted ? 'Workspace trusted: reading workspace configuration files.' : 'Workspace not trusted: built-in defaults only.');
    await this.reloadAll();
  }

  /** After a configuration change: re-lint open documents and refresh the scan. */
  private async reloadAll(folders: Folder[] = [...this.folders.values()]): Promise<void> {
    for (const f of folders) await this.loadConfig(f);
    this.relintOpen(folders);
    const active = folders.filter((f) => f.scanActive);
    if (active.length && this.settings.workspaceScan !== 'off') void this.scanAll(active);
  }

  // -------------------------------------------------------------------------
  // Open documents

  private lintDocument(doc: TextDocument): Entry {
    const path = this.pathOf(doc);
    let result: LintResult | null = null;
    const folder = this.folderOf(path);
    const configFolder = this.isConfigPath(path);
    if (configFolder) {
      // The buffer is checked as you type; the saved file is what applies.
      const configDiagnostics = this.trusted
        ? this.configDiagnostics(doc.getText(), parseConfigText(doc.getText(), KNOWN_CONFIG_IDS()).problems)
        : [{
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: DiagnosticSeverity.Information,
          source: SOURCE,
          code: CONFIG_CODE,
          message: 'This workspace is not trusted: iac-lint does not read this file and uses its built-in defaults.',
        }];
      const entry: Entry = { version: doc.version, result: null, configDiagnostics };
      this.results.set(doc.uri, entry);
      return entry;
    }
    if (candidateFormat(path) && !(folder && this.ignoredByConfig(folder, path))) {
      try {
        result = this.engineFor(path).lint({ path, text: doc.getText() }, this.workspace);
      } catch (e) {
        this.log('error', `lint failed for ${doc.uri}: ${(e as Error).stack ?? e}`);
      }
    }
    const entry = { version: doc.version, result };
    this.results.set(doc.uri, entry);
    return entry;
  }

  private ignoredByConfig(folder: Folder, path: string): boolean {
    return folder.configFilter?.isIgnored(path) ?? false;
  }

  private publishEntry(doc: TextDocument, entry: Entry): void {
    if (entry.configDiagnostics) {
      this.publish(doc.uri, entry.configDiagnostics, doc.version);
      return;
    }
    const diagnostics: Diagnostic[] = entry.result ? toDiagnostics(entry.result.findings, entry.result.lines, this.lastPublished.get(doc.uri)) : [];
    if (entry.result) this.lastPublished.set(doc.uri, { findings: entry.result.findings, diagnostics });
    else this.lastPublished.delete(doc.uri);
    this.publish(doc.uri, diagnostics, doc.version);
  }

  private schedule(uri: string, delay: number, siblings: boolean): void {
    this.timers.get(uri)?.cancel();
    const handle = later(delay, () => {
      void this.ready.then(() => {
        if (this.timers.get(uri) === handle) this.timers.delete(uri);
        const doc = this.documents.get(uri);
        if (!doc) return;
        const cached = this.results.get(uri);
        if (cached && cached.version === doc.version && !siblings) return;
        const entry = this.lintDocument(doc);
        // A newer change arrived while we linted: its own run will publish.
        if (this.documents.get(uri)?.version !== entry.version) return;
        this.publishEntry(doc, entry);
        if (siblings) this.relintModule(this.pathOf(doc), uri);
        this.scheduleStatus();
      });
    });
    this.timers.set(uri, handle);
    this.scheduleStatus();
  }

  /** A Terraform module is one folder: its other files, open or scanned, see this file's change. */
  private relintModule(path: string, except?: string): void {
    if (!/\.tf$/i.test(path)) return;
    const dir = nodePath.dirname(path);
    for (const doc of this.documents.all()) {
      if (doc.uri === except) continue;
      const p = this.pathOf(doc);
      if (/\.tf$/i.test(p) && nodePath.dirname(p) === dir) {
        this.results.delete(doc.uri);
        this.schedule(doc.uri, this.settings.lintDebounceMs, false);
      }
    }
    const folder = this.folderOf(path);
    if (!folder?.scanActive) return;
    for (const p of folder.scanned.keys()) {
      if (/\.tf$/i.test(p) && nodePath.dirname(p) === dir && p !== path && !this.openPaths.has(p)) this.enqueueUrgent(p);
    }
  }

  private relintOpen(folders?: Folder[]): void {
    for (const doc of this.documents.all()) {
      const f = this.folderOf(this.pathOf(doc));
      if (folders && (!f || !folders.includes(f))) continue;
      this.results.delete(doc.uri);
      this.schedule(doc.uri, 0, false);
    }
  }

  private async onClose(doc: TextDocument): Promise<void> {
    const path = this.pathOf(doc);
    this.timers.get(doc.uri)?.cancel();
    this.timers.delete(doc.uri);
    this.results.delete(doc.uri);
    this.lastPublished.delete(doc.uri);
    this.openPaths.delete(path);
    await this.ready;
    const folder = this.folderOf(path);
    const configFolder = this.isConfigPath(path);
    if (configFolder) {
      await this.loadConfig(configFolder);
    } else if (folder?.scanActive && this.settings.workspaceScan !== 'off' && fs.existsSync(path) && !folder.filter.isIgnored(path)) {
      // Closed but still in the workspace: its diagnostics come from the disk again.
      this.lintFromDisk(folder, path, true);
    } else {
      this.publish(doc.uri, []);
    }
    this.relintModule(path);
  }

  // -------------------------------------------------------------------------
  // Workspace scan

  /** Lints a closed file from disk and publishes its diagnostics (an empty list only to clear earlier ones). */
  private lintFromDisk(folder: Folder, path: string, force = false): void {
    if (this.openPaths.has(path)) return;
    const uri = this.uriOf(path);
    const had = folder.scanned.has(path) || force;
    const clear = (): void => {
      folder.scanned.delete(path);
      if (had || this.published.has(uri)) this.publish(uri, []);
    };
    const format = formatOfName(path);
    if (!format) return clear();
    let text: string;
    try {
      const st = fs.statSync(path);
      if (!st.isFile() || st.size > folder.settings.scan.maxFileSizeKB * 1024) return clear();
      text = fs.readFileSync(path, 'utf8');
    } catch {
      return clear();
    }
    if (!sniff(format, text)) return clear();
    let result: LintResult | null = null;
    try {
      result = folder.engine.lint({ path, text }, this.workspace);
    } catch (e) {
      this.log('error', `lint failed for ${path}: ${(e as Error).stack ?? e}`);
    }
    if (!result) return clear();
    folder.scanned.set(path, uri);
    const diagnostics = result.findings.map((f, i) => toDiagnostic(f, result!.lines, i));
    if (diagnostics.length || had || this.published.has(uri)) this.publish(uri, diagnostics);
  }

  /** Yields to the event loop, and waits while open documents have lints pending: they go first. */
  private async yieldToEditor(): Promise<void> {
    await tick();
    for (let i = 0; i < 400 && this.timers.size > 0; i++) await sleep(Math.max(5, this.settings.lintDebounceMs));
  }

  private cancelScan(): void {
    if (!this.job) return;
    this.job.cancelled = true;
    this.job.progress?.done();
    this.job = null;
    this.scheduleStatus();
  }

  private clearScan(): void {
    this.cancelScan();
    for (const f of this.folders.values()) {
      for (const uri of f.scanned.values()) this.publish(uri, []);
      f.scanned.clear();
      f.scanActive = false;
    }
  }

  /** A full scan of `folders` (all by default), replacing any scan under way. */
  private async scanAll(folders: Folder[] = [...this.folders.values()]): Promise<void> {
    await this.ready;
    this.cancelScan();
    const job: ScanJob = { cancelled: false, done: 0, total: 0, progress: null };
    this.job = job;
    if (this.progressSupported) {
      try {
        job.progress = await this.connection.window.createWorkDoneProgress();
        job.progress.begin('iac-lint: scanning the workspace', 0, 'finding files', true);
        job.progress.token.onCancellationRequested(() => {
          if (this.job === job) {
            this.log('info', `workspace scan cancelled after ${job.done} of ${job.total} files`);
            this.cancelScan();
          }
        });
      } catch (e) {
        this.log('debug', `no progress UI: ${(e as Error).message}`);
        job.progress = null;
      }
    }
    if (job.cancelled) return;
    const started = Date.now();
    const work: { folder: Folder; path: string }[] = [];
    for (const folder of folders) {
      folder.scanActive = true;
      const found = new Set<string>();
      let n = 0;
      for (const ev of discover(folder.path, { maxFileBytes: folder.settings.scan.maxFileSizeKB * 1024 }, folder.filter)) {
        if (job.cancelled) return;
        if (++n % 200 === 0) {
          job.progress?.report(`finding files (${work.length})`);
          await this.yieldToEditor();
          if (job.cancelled) return;
        }
        if (ev.kind === 'unreadable') this.log('warn', `cannot read folder ${ev.path} (${ev.error})`);
        else if (ev.kind === 'too-large') this.log('debug', `${ev.path}: larger than ${folder.settings.scan.maxFileSizeKB} KB, not scanned`);
        else if (this.folderOf(ev.path) === folder) {
          found.add(ev.path);
          work.push({ folder, path: ev.path });
        }
      }
      // Files that were scanned before and are gone or ignored now.
      for (const [p, uri] of [...folder.scanned]) {
        if (!found.has(p)) {
          folder.scanned.delete(p);
          if (!this.openPaths.has(p)) this.publish(uri, []);
        }
      }
    }
    job.total = work.length;
    this.log('info', `workspace scan: ${work.length} file${work.length === 1 ? '' : 's'} in ${folders.length} folder${folders.length === 1 ? '' : 's'}`);
    for (const w of work) {
      if (job.cancelled) return;
      await this.yieldToEditor();
      if (job.cancelled) return;
      this.lintFromDisk(w.folder, w.path);
      job.done++;
      if (job.done % 25 === 0 || job.done === job.total) {
        job.progress?.report(Math.floor((job.done / Math.max(1, job.total)) * 100), `${job.done}/${job.total} files`);
        this.scheduleStatus();
      }
    }
    this.log('info', `workspace scan done: ${job.total} files in ${Date.now() - started} ms`);
    job.progress?.done();
    if (this.job === job) this.job = null;
    this.sendStatus();
  }

  private enqueueUrgent(path: string): void {
    if (this.urgentSet.has(path)) return;
    this.urgentSet.add(path);
    this.urgent.push(path);
    void this.pump();
  }

  /** Re-lints files from disk that changed (watched files, module siblings), yielding between them. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      await this.ready;
      while (this.urgent.length) {
        await this.yieldToEditor();
        const path = this.urgent.shift()!;
        this.urgentSet.delete(path);
        const folder = this.folderOf(path);
        if (folder?.scanActive && this.settings.workspaceScan !== 'off') this.lintFromDisk(folder, path);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async onWatchedFiles(changes: { uri: string; type: FileChangeType }[]): Promise<void> {
    await this.ready;
    const reload = new Set<Folder>();
    const rescan = new Set<Folder>();
    const modules = new Set<string>();
    for (const ch of changes) {
      if (!ch.uri.startsWith('file:')) continue;
      const path = uriToPath(ch.uri);
      const name = nodePath.basename(path);
      const folder = this.folderOf(path);
      if (!folder) continue;
      if (this.isConfigPath(path)) {
        reload.add(folder);
        continue;
      }
      if (name === '.gitignore') {
        folder.filter.reset();
        if (folder.scanActive) rescan.add(folder);
        continue;
      }
      if (/\.tf$/i.test(path)) modules.add(nodePath.dirname(path));
      if (ch.type === FileChangeType.Deleted) {
        // A file, or a whole folder: drop what was scanned below it.
        for (const [p, uri] of [...folder.scanned]) {
          if (p === path || p.startsWith(path + nodePath.sep)) {
            folder.scanned.delete(p);
            if (!this.openPaths.has(p)) this.publish(uri, []);
          }
        }
        continue;
      }
      if (!folder.scanActive || this.settings.workspaceScan === 'off' || this.openPaths.has(path)) continue;
      if (formatOfName(path) && !folder.filter.isIgnored(path)) this.enqueueUrgent(path);
      else if (folder.scanned.has(path)) this.enqueueUrgent(path);
    }
    for (const f of reload) await this.reloadAll([f]);
    for (const f of rescan) if (!reload.has(f)) void this.scanAll([f]);
    for (const dir of modules) this.relintModule(nodePath.join(dir, '_.tf'));
  }

  // -------------------------------------------------------------------------
  // Code actions, fix-all, hover, commands

  /** The open buffer, else the disk. */
  private textOf(path: string): string | undefined {
    const open = this.openText(path);
    if (open !== undefined) return open;
    try {
      return fs.readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  }

  private linesOf(path: string): LineIndex | undefined {
    const text = this.textOf(path);
    return text === undefined ? undefined : new LineIndex(text);
  }

  private currentEntry(doc: TextDocument): Entry {
    const entry = this.results.get(doc.uri);
    return entry && entry.version === doc.version ? entry : this.lintDocument(doc);
  }

  private fixAllEdit(doc: TextDocument): WorkspaceEdit | undefined {
    const path = this.pathOf(doc);
    if (this.isConfigPath(path) || !candidateFormat(path)) return undefined;
    const fixed = fixFiles(this.engineFor(path), [{ path, text: doc.getText() }], this.workspace);
    if (fixed.changed.size === 0) return undefined;
    const changes: Record<string, ReturnType<typeof minimalEdit>[]> = {};
    for (const [p, after] of fixed.changed) {
      const before = p === path ? doc.getText() : this.openText(p) ?? (() => {
        try {
          return fs.readFileSync(p, 'utf8');
        } catch {
          return undefined;
        }
      })();
      if (before === undefined) return undefined;
      changes[p === path ? doc.uri : this.uriOf(p)] = [minimalEdit(before, after, new LineIndex(before))];
    }
    return { changes };
  }

  private findingFor(entry: Entry, diag: Diagnostic): Finding | undefined {
    const findings = entry.result?.findings ?? [];
    const key = (diag.data as { key?: number } | undefined)?.key;
    const byKey = typeof key === 'number' ? findings[key] : undefined;
    if (byKey && byKey.ruleId === diag.code) return byKey;
    return findings.find((f) => f.ruleId === diag.code && entry.result!.lines.offsetToPosition(f.range.start).line === diag.range.start.line);
  }

  private async onCodeAction(params: CodeActionParams): Promise<CodeAction[]> {
    await this.ready;
    const doc = this.documents.get(params.textDocument.uri);
    if (!doc) return [];
    const entry = this.currentEntry(doc);
    const path = this.pathOf(doc);
    const only = params.context.only;
    const wants = (kind: string): boolean => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
    const actions: CodeAction[] = [];
    const findings = entry.result?.findings ?? [];
    const lines = (p: string) => (p === path ? entry.result!.lines : this.linesOf(p));
    const uris = (p: string) => (p === path ? doc.uri : this.uriOf(p));
    if (wants(CodeActionKind.QuickFix) && entry.result) {
      const suppress: CodeAction[] = [];
      const docs: CodeAction[] = [];
      const seen = new Set<string>();
      for (const diag of params.context.diagnostics) {
        if (diag.source !== SOURCE || diag.code === CONFIG_CODE) continue;
        const finding = this.findingFor(entry, diag);
        if (!finding) continue;
        for (const fix of finding.fixes) {
          const edit = toWorkspaceEdit(fix.changes, lines, uris);
          if (edit) actions.push(toCodeAction(fix, diag, edit));
        }
        if ([PARSE_ERROR, INTERNAL_ERROR, UNUSED_SUPPRESSION, FILE_TOO_LARGE].includes(finding.ruleId)) continue;
        const view = entry.result.suppression;
        const edits = new Set<string>();
        for (const scope of ['line', 'resource', 'file'] as SuppressScope[]) {
          const fix = view ? suppressionFix(view, finding, scope) : null;
          // A finding on a block's first line: "for this line" and "for the resource" write the same comment.
          const same = fix ? JSON.stringify(fix.changes) : '';
          if (!fix || seen.has(`${scope}:${fix.title}`) || edits.has(same)) continue;
          seen.add(`${scope}:${fix.title}`);
          edits.add(same);
          const edit = toWorkspaceEdit(fix.changes, lines, uris);
          if (edit) suppress.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diag], edit });
        }
        if (!seen.has(`docs:${finding.ruleId}`)) {
          seen.add(`docs:${finding.ruleId}`);
          docs.push({
            title: `Show documentation for ${finding.ruleId}`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diag],
            command: { title: `Show documentation for ${finding.ruleId}`, command: OPEN_DOCS_COMMAND, arguments: [finding.ruleId] },
          });
        }
      }
      actions.push(...suppress, ...docs);
    }
    const exactCount = findings.filter((f) => f.fixes.some((x) => x.kind === 'exact')).length;
    const fixAllKind = only?.some((k) => k === CodeActionKind.SourceFixAll || k === FIX_ALL_KIND || k === CodeActionKind.Source)
      ? FIX_ALL_KIND
      : (!only && exactCount > 1 ? CodeActionKind.QuickFix : undefined);
    if (fixAllKind && exactCount > 0) {
      const edit = this.fixAllEdit(doc);
      if (edit) actions.push({ title: 'Fix all auto-fixable iac-lint problems', kind: fixAllKind, edit });
    }
    return actions;
  }

  private async onHover(uri: string, position: { line: number; character: number }): Promise<Hover | null> {
    await this.ready;
    const doc = this.documents.get(uri);
    if (!doc) return null;
    const entry = this.currentEntry(doc);
    const res = entry.result;
    if (!res) return null;
    const offset = res.lines.positionToOffset(position);
    const hits = res.findings.filter((f) => (f.range.start <= offset && offset <= f.range.end)
      || (f.range.start === f.range.end && res.lines.offsetToPosition(f.range.start).line === position.line));
    if (!hits.length) return null;
    const seen = new Set<string>();
    const parts: string[] = [];
    for (const f of hits) {
      if (seen.has(f.ruleId)) continue;
      seen.add(f.ruleId);
      const rule = allRules.find((r) => r.id === f.ruleId);
      parts.push(hoverMarkdown(f.ruleId, rule, res.format, f.message, f.severity));
    }
    return { contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') }, range: res.lines.toRange(hits[0].range.start, hits[0].range.end) };
  }

  private async onExecuteCommand(command: string, args: unknown[]): Promise<unknown> {
    await this.ready;
    switch (command) {
      case SERVER_COMMANDS.scanWorkspace:
        void this.scanAll();
        return { started: true };
      case SERVER_COMMANDS.cancelScan:
        this.cancelScan();
        return { cancelled: true };
      case SERVER_COMMANDS.fixAll: {
        const a = (args[0] ?? {}) as { uri?: string; version?: number };
        const doc = a.uri ? this.documents.get(a.uri) : undefined;
        if (!doc || (typeof a.version === 'number' && a.version !== doc.version)) return { applied: false };
        const edit = this.fixAllEdit(doc);
        if (!edit) return { applied: false };
        const res = await this.connection.workspace.applyEdit({ label: 'Fix all auto-fixable iac-lint problems', edit });
        return { applied: res.applied };
      }
      default:
        this.log('warn', `unknown command ${command}`);
        return null;
    }
  }

  private listRules(uri?: string) {
    const folder = uri ? this.folderOf(uriToPath(uri)) : [...this.folders.values()][0];
    const configured = folder?.config.rules ?? {};
    return allRules.map((r) => ({
      id: r.id,
      severity: r.severity,
      configured: configured[r.id] ?? r.severity,
      description: r.description,
      formats: r.formats,
      fixable: r.fixable,
      docs: docPath(r.id),
    }));
  }
}

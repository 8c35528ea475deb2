/**
 * The VS Code front end: starts the language server, wires commands, settings,
 * the status bar, file watching and workspace trust. It holds no lint logic;
 * everything a user sees as a finding, a fix or a rule comes from the server.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { registerSecurityChanges } from './securityChanges'; // issue 7
import type { IacLintApi } from './api';
import { whenIacPresent } from './lazyStart';

const SECTION = 'iac-lint';

/** Files the server may lint. It decides cheaply whether a YAML/JSON file is a template. */
const SCHEMES = ['file', 'untitled'];
const LANGUAGES = ['yaml', 'json', 'jsonc', 'terraform', 'dockerfile'];
/** Dockerfiles another extension (or none) may have claimed under a different language id. */
const DOCKERFILE_PATTERN = '**/{Dockerfile,Containerfile,*.dockerfile,Dockerfile.*,Containerfile.*}';

/** Assignable both to vscode's and to the protocol's DocumentSelector. */
type Filter = { scheme: string; language: string } | { scheme: string; pattern: string };

export const documentSelector: Filter[] = [
  ...SCHEMES.flatMap((scheme) => LANGUAGES.map((language) => ({ scheme, language }))),
  { scheme: 'file', pattern: DOCKERFILE_PATTERN },
];

/**
 * What the server keeps fresh from disk: the IaC files of the workspace scan,
 * the configuration files and the .gitignore files that decide what is scanned.
 */
const WATCHED = [
  '**/*.{tf,yaml,yml,json,template,cfn}',
  DOCKERFILE_PATTERN,
  '**/.iac-lint.{yaml,yml}',
  '**/.gitignore',
];

/** Commands the server executes (server/lsp/server.ts SERVER_COMMANDS). */
const SERVER = {
  scanWorkspace: 'iac-lint.server.scanWorkspace',
  fixAll: 'iac-lint.server.fixAll',
};

interface Status {
  state: 'idle' | 'linting' | 'scanning';
  scan: { done: number; total: number } | null;
  problems: { errors: number; warnings: number; infos: number; files: number };
  configProblems: number;
  trusted: boolean;
}

interface RuleInfo {
  id: string;
  severity: string;
  configured: string;
  description: string;
  formats: string[];
  fixable: 'exact' | 'suggestion' | false;
  docs: string | null;
}

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;
let watchers: vscode.FileSystemWatcher[] = [];
let statusItem: vscode.LanguageStatusItem | undefined;
let statusBar: vscode.StatusBarItem | undefined;
/** Set once the workspace or an open document holds IaC (lazyStart.ts); the server waits until then. */
let iacSeen = false;
const timings: { activateMs: number; serverStartMs?: number } = { activateMs: 0 };
/** Serialises start/stop/restart so that quick toggles never race. */
let queue: Promise<void> = Promise.resolve();

function enqueue(task: () => Promise<void>): Promise<void> {
  queue = queue.then(task, task).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    output?.error(`iac-lint: ${message}`);
    void vscode.window.showErrorMessage(`iac-lint: ${message}`, 'Show Output').then((choice) => {
      if (choice) output?.show(true);
    });
  });
  return queue;
}

function isEnabled(): boolean {
  return vscode.workspace.getConfiguration(SECTION).get<boolean>('enable', true);
}

function createClient(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  // With the stdio transport the client appends `--stdio` to the arguments itself.
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio },
    debug: {
      module,
      transport: TransportKind.stdio,
      options: { execArgv: ['--nolazy', '--inspect=6009'] },
    },
  };

  const clientOptions: LanguageClientOptions = {
    documentSelector,
    outputChannel: channel,
    traceOutputChannel: channel,
    // Evaluated on every (re)start.
    initializationOptions: () => ({
      trusted: vscode.workspace.isTrusted,
      lintDebounceMs: vscode.workspace.getConfiguration(SECTION).get<number>('lintDebounceMs', 30),
      diffBase: vscode.workspace.getConfiguration(SECTION).get<string>('diffBase', 'HEAD'), // issue 7
    }),
    synchronize: {
      // Pushes a change notice; the server pulls the values with workspace/configuration.
      configurationSection: [SECTION, 'files.exclude'],
      fileEvents: watchers,
    },
    // Hovers link to the rule's docs through this command only.
    markdown: { isTrusted: { enabledCommands: ['iac-lint.openRuleDocs'] }, supportHtml: false },
    // The Problems panel is the place for findings; the output channel stays quiet.
    revealOutputChannelOn: RevealOutputChannelOn.Never,
  };

  // The id `iac-lint` makes the client honour the `iac-lint.trace.server` setting.
  const created = new LanguageClient(SECTION, 'iac-lint', serverOptions, clientOptions);
  created.onDidChangeState(({ newState }) => updateLanguageStatus(newState));
  return created;
}

function updateLanguageStatus(state: State | 'disabled'): void {
  if (!statusItem) return;
  statusItem.busy = state === State.Starting;
  statusItem.severity = vscode.LanguageStatusSeverity.Information;
  statusItem.text = 'iac-lint';
  switch (state) {
    case State.Running:
      statusItem.detail = vscode.workspace.isTrusted ? 'linting' : 'linting with built-in defaults (untrusted workspace)';
      break;
    case State.Starting:
      statusItem.detail = 'starting';
      break;
    case State.Stopped:
      statusItem.detail = 'stopped';
      statusItem.severity = vscode.LanguageStatusSeverity.Warning;
      break;
    case 'disabled':
      statusItem.detail = 'disabled by iac-lint.enable';
      break;
  }
  if (state !== State.Running) updateStatusBar(state === 'disabled' ? 'disabled' : state === State.Stopped ? 'stopped' : 'starting');
}

/** The status bar: scanning progress, then the problem count; a click opens the Problems panel. */
function updateStatusBar(s: Status | 'disabled' | 'stopped' | 'starting'): void {
  if (!statusBar) return;
  statusBar.backgroundColor = undefined;
  if (s === 'disabled' || s === 'stopped' || s === 'starting') {
    statusBar.text = s === 'starting' ? '$(sync~spin) iac-lint' : '$(circle-slash) iac-lint';
    statusBar.tooltip = s === 'disabled' ? 'iac-lint is disabled (iac-lint.enable)' : s === 'stopped' ? 'The iac-lint server stopped: see the output' : 'iac-lint is starting';
    statusBar.command = 'iac-lint.showOutput';
    statusBar.show();
    return;
  }
  const { errors, warnings, infos, files } = s.problems;
  if (s.state === 'scanning' && s.scan) {
    statusBar.text = `$(sync~spin) iac-lint ${s.scan.done}/${s.scan.total}`;
  } else if (s.state === 'linting') {
    statusBar.text = `$(sync~spin) iac-lint $(error) ${errors} $(warning) ${warnings}`;
  } else {
    statusBar.text = errors + warnings + infos === 0 ? '$(check) iac-lint' : `$(error) ${errors} $(warning) ${warnings} $(info) ${infos}`;
  }
  const lines = [
    `iac-lint: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${infos} info in ${files} file${files === 1 ? '' : 's'}`,
    s.scan ? `Scanning the workspace: ${s.scan.done} of ${s.scan.total} files` : '',
    s.configProblems ? `${s.configProblems} problem${s.configProblems === 1 ? '' : 's'} in .iac-lint.yaml` : '',
    s.trusted ? '' : 'Untrusted workspace: built-in defaults only',
  ].filter(Boolean);
  statusBar.tooltip = lines.join('\n');
  if (s.configProblems) statusBar.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  statusBar.command = 'workbench.actions.view.problems';
  statusBar.show();
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  if (!isEnabled()) {
    updateLanguageStatus('disabled');
    return;
  }
  if (!output || !iacSeen) return;
  if (!client) {
    client = createClient(context, output);
    context.subscriptions.push(client.onNotification('iac-lint/status', (s: Status) => updateStatusBar(s)));
  }
  if (client.state === State.Stopped) await client.start();
}

async function stop(): Promise<void> {
  const current = client;
  client = undefined;
  // dispose() stops a running client and leaves our output channel open.
  if (current) await current.dispose();
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stop();
  await start(context);
}

function running(): LanguageClient | undefined {
  if (client?.state === State.Running) return client;
  void vscode.window.showInformationMessage(isEnabled() ? 'The iac-lint server is not running.' : 'iac-lint is disabled (setting iac-lint.enable).');
  return undefined;
}

/** Opens the rule's documentation bundled with the extension, as a markdown preview. */
async function openRuleDocs(context: vscode.ExtensionContext, ruleId?: unknown): Promise<void> {
  let id = typeof ruleId === 'string' ? ruleId : undefined;
  if (!id) id = await pickRule();
  if (!id || !/^[a-z0-9-]+$/.test(id)) return;
  const file = [context.asAbsolutePath(`dist/docs/${id}.md`), context.asAbsolutePath(`rules/${id}.md`)].find((p) => fs.existsSync(p));
  if (!file) {
    void vscode.window.showWarningMessage(`iac-lint: no documentation for \`${id}\`.`);
    return;
  }
  await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(file));
}

async function pickRule(): Promise<string | undefined> {
  const c = running();
  if (!c) return undefined;
  const uri = vscode.window.activeTextEditor?.document.uri.toString();
  const rules = await c.sendRequest<RuleInfo[]>('iac-lint/listRules', { uri });
  const picked = await vscode.window.showQuickPick(
    rules.map((r) => ({
      label: r.id,
      description: `${r.configured === r.severity ? r.severity : `${r.configured} (default ${r.severity})`} · ${r.formats.join(', ')}${r.fixable ? ` · ${r.fixable === 'exact' ? 'fix' : 'suggestion'}` : ''}`,
      detail: r.description,
    })),
    { title: 'iac-lint rules', placeHolder: 'Pick a rule to read its documentation', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.label;
}

export async function activate(context: vscode.ExtensionContext): Promise<IacLintApi> {
  const activateStart = performance.now();
  output = vscode.window.createOutputChannel('iac-lint', { log: true });
  context.subscriptions.push(output);
  watchers = WATCHED.map((glob) => vscode.workspace.createFileSystemWatcher(glob));
  context.subscriptions.push(...watchers);

  statusItem = vscode.languages.createLanguageStatusItem('iac-lint.status', documentSelector);
  statusItem.name = 'iac-lint';
  statusItem.command = { title: 'Show Output', command: 'iac-lint.showOutput' };
  context.subscriptions.push(statusItem);
  statusBar = vscode.window.createStatusBarItem('iac-lint.problems', vscode.StatusBarAlignment.Left, 10);
  statusBar.name = 'iac-lint';
  context.subscriptions.push(statusBar);

  context.subscriptions.push(
    vscode.commands.registerCommand('iac-lint.restartServer', () => {
      if (!isEnabled()) {
        void vscode.window.showInformationMessage('iac-lint is disabled (setting iac-lint.enable).');
        return;
      }
      output?.info('Restarting the iac-lint server.');
      return enqueue(() => restart(context));
    }),
    vscode.commands.registerCommand('iac-lint.showOutput', () => output?.show(true)),
    vscode.commands.registerCommand('iac-lint.scanWorkspace', async () => {
      // Asking for a scan is a statement that the workspace holds IaC, even when
      // no file name showed it yet: start the server if it waits for that.
      if (!iacSeen && isEnabled()) {
        iacSeen = true;
        await enqueue(() => start(context));
      }
      await running()?.sendRequest(ExecuteCommandRequest.type, { command: SERVER.scanWorkspace, arguments: [] });
    }),
    vscode.commands.registerCommand('iac-lint.fixAll', async () => {
      const editor = vscode.window.activeTextEditor;
      const c = running();
      if (!editor || !c) return;
      const doc = editor.document;
      const res = await c.sendRequest(ExecuteCommandRequest.type, {
        command: SERVER.fixAll,
        arguments: [{ uri: c.code2ProtocolConverter.asUri(doc.uri), version: doc.version }],
      }) as { applied?: boolean } | null;
      if (!res?.applied) void vscode.window.setStatusBarMessage('iac-lint: nothing to fix automatically', 3000);
    }),
    vscode.commands.registerCommand('iac-lint.openRuleDocs', (ruleId?: unknown) => openRuleDocs(context, ruleId)),
    vscode.commands.registerCommand('iac-lint.listRules', async () => {
      const id = await pickRule();
      if (id) await openRuleDocs(context, id);
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(`${SECTION}.enable`)) return;
      void enqueue(() => (isEnabled() ? start(context) : stop().then(() => updateLanguageStatus('disabled'))));
    }),
    // The server reads workspace config files only when trusted: tell it, no restart needed.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      output?.info('Workspace trusted: the server now reads workspace configuration files.');
      void client?.sendNotification('iac-lint/setTrusted', { trusted: true });
      updateLanguageStatus(client?.state ?? State.Stopped);
    }),
  );

  registerSecurityChanges(context, () => client); // issue 7

  whenIacPresent(context, () => {
    iacSeen = true;
    const seenAt = performance.now();
    void enqueue(() => start(context)).then(() => {
      if (client?.state === State.Running) timings.serverStartMs ??= performance.now() - seenAt;
    });
  });

  timings.activateMs = performance.now() - activateStart;
  return { timings, serverRunning: () => client?.state === State.Running };
}

export function deactivate(): Promise<void> {
  return enqueue(stop);
}

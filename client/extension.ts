/**
 * The VS Code front end: starts the language server, wires commands, settings
 * and workspace trust. It holds no lint logic; everything a user sees as a
 * finding or a fix comes from the server.
 */
import * as vscode from 'vscode';
import {
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
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

/** Workspace config files; the server re-reads them when they change. */
const CONFIG_FILE_GLOB = '**/.iac-lint.{yaml,yml,json}';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;
let configWatcher: vscode.FileSystemWatcher | undefined;
let statusItem: vscode.LanguageStatusItem | undefined;
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

function createClient(
  context: vscode.ExtensionContext,
  channel: vscode.LogOutputChannel,
  watcher: vscode.FileSystemWatcher,
): LanguageClient {
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
    // Evaluated on every (re)start, so a restart after trust is granted sees `true`.
    initializationOptions: () => ({
      trusted: vscode.workspace.isTrusted,
      lintDebounceMs: vscode.workspace.getConfiguration(SECTION).get<number>('lintDebounceMs', 30),
    }),
    synchronize: {
      // Pushes the section on change; the server may also pull it with workspace/configuration.
      configurationSection: SECTION,
      fileEvents: watcher,
    },
  };

  // The id `iac-lint` makes the client honour the `iac-lint.trace.server` setting.
  const created = new LanguageClient(SECTION, 'iac-lint', serverOptions, clientOptions);
  created.onDidChangeState(({ newState }) => updateStatus(newState));
  return created;
}

function updateStatus(state: State | 'disabled'): void {
  if (!statusItem) return;
  statusItem.busy = state === State.Starting;
  statusItem.severity = vscode.LanguageStatusSeverity.Information;
  switch (state) {
    case State.Running:
      statusItem.text = 'iac-lint';
      statusItem.detail = vscode.workspace.isTrusted ? 'linting' : 'linting with built-in defaults (untrusted workspace)';
      break;
    case State.Starting:
      statusItem.text = 'iac-lint';
      statusItem.detail = 'starting';
      break;
    case State.Stopped:
      statusItem.text = 'iac-lint';
      statusItem.detail = 'stopped';
      statusItem.severity = vscode.LanguageStatusSeverity.Warning;
      break;
    case 'disabled':
      statusItem.text = 'iac-lint';
      statusItem.detail = 'disabled by iac-lint.enable';
      break;
  }
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  if (!isEnabled()) {
    updateStatus('disabled');
    return;
  }
  if (!output || !configWatcher || !iacSeen) return;
  if (!client) client = createClient(context, output, configWatcher);
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

export async function activate(context: vscode.ExtensionContext): Promise<IacLintApi> {
  const activateStart = performance.now();
  output = vscode.window.createOutputChannel('iac-lint', { log: true });
  context.subscriptions.push(output);
  configWatcher = vscode.workspace.createFileSystemWatcher(CONFIG_FILE_GLOB);
  context.subscriptions.push(configWatcher);

  statusItem = vscode.languages.createLanguageStatusItem('iac-lint.status', documentSelector);
  statusItem.name = 'iac-lint';
  statusItem.command = { title: 'Show Output', command: 'iac-lint.showOutput' };
  context.subscriptions.push(statusItem);

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
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(`${SECTION}.enable`)) return;
      void enqueue(() => (isEnabled() ? start(context) : stop().then(() => updateStatus('disabled'))));
    }),
    // The server reads workspace config files only when trusted; it learns that at initialize.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      output?.info('Workspace trusted: restarting the server to use workspace configuration.');
      void enqueue(() => restart(context));
    }),
  );

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

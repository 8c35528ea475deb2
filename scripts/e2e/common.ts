/**
 * What both e2e hosts share: paths, the per-scenario temporary folders, the
 * result protocol with test/e2e/index.ts, and cleanup of the processes they start.
 */
import { type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { ENV, WORKSPACE_FOLDER_NAME, type E2eResult, type Scenario } from '../../test/e2e/scenarios';

export const ROOT = nodePath.resolve(__dirname, '..', '..', '..');
export const VSIX = nodePath.join(ROOT, 'iac-lint.vsix');
export const TESTS_ENTRY = nodePath.join(ROOT, 'out', 'test', 'e2e', 'index.js');
export const RUNNER_EXTENSION = nodePath.join(ROOT, 'scripts', 'e2e', 'runner-extension');
export const ARTIFACTS = nodePath.join(ROOT, 'test-results', 'e2e');

export function log(message: string): void {
  process.stdout.write(`[e2e] ${message}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The per-scenario deadline for the whole VS Code run (override: IAC_LINT_E2E_TIMEOUT_MS). */
export const SCENARIO_TIMEOUT_MS = Number(process.env.IAC_LINT_E2E_TIMEOUT_MS) || 6 * 60_000;

export interface ScenarioRun {
  scenario: Scenario;
  /** A fresh folder for this scenario: workspace/, user-data/, extensions/, ... */
  dir: string;
  workspace: string;
  userData: string;
  extensions: string;
  /** Artifacts kept after the run (logs, screenshots): test-results/e2e/<scenario>/. */
  artifacts: string;
  resultFile: string;
  progressFile: string;
}

export function prepareScenario(tmpRoot: string, scenario: Scenario): ScenarioRun {
  const dir = nodePath.join(tmpRoot, scenario.name);
  const run: ScenarioRun = {
    scenario,
    dir,
    workspace: nodePath.join(dir, WORKSPACE_FOLDER_NAME),
    userData: nodePath.join(dir, 'user-data'),
    extensions: nodePath.join(dir, 'extensions'),
    artifacts: nodePath.join(ARTIFACTS, scenario.name),
    resultFile: nodePath.join(dir, 'result.json'),
    progressFile: nodePath.join(dir, 'progress.log'),
  };
  for (const d of [run.workspace, run.userData, run.extensions, run.artifacts]) fs.mkdirSync(d, { recursive: true });
  // A copy, so that fixes and saves never touch the repository.
  for (const source of scenario.workspace) fs.cpSync(nodePath.join(ROOT, source), run.workspace, { recursive: true });
  fs.writeFileSync(run.progressFile, '');
  return run;
}

/** Settings for a fresh profile: no welcome page, no update or telemetry traffic, trust as the scenario wants. */
export function userSettings(scenario: Scenario): Record<string, unknown> {
  return {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'security.workspace.trust.enabled': !scenario.trusted,
    // Untrusted scenarios open in restricted mode without the modal dialog.
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.emptyWindow': false,
    'git.enabled': false,
  };
}

export function writeUserSettings(run: ScenarioRun): void {
  const dir = nodePath.join(run.userData, 'User');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(nodePath.join(dir, 'settings.json'), JSON.stringify(userSettings(run.scenario), null, 2));
}

/** Environment for the VS Code process; its extension host inherits it. */
export function testEnv(run: ScenarioRun, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [ENV.scenario]: run.scenario.name,
    [ENV.result]: run.resultFile,
    [ENV.progress]: run.progressFile,
    [ENV.tests]: TESTS_ENTRY,
    ...extra,
  };
}

/** Prints what index.ts appends to the progress file since the last call. */
export function progressPrinter(file: string): () => void {
  let offset = 0;
  return () => {
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      return;
    }
    if (size <= offset) return;
    const fd = fs.openSync(file, 'r');
    try {
      const chunk = Buffer.alloc(size - offset);
      fs.readSync(fd, chunk, 0, chunk.length, offset);
      offset = size;
      process.stdout.write(chunk.toString('utf8').replace(/^(?=.)/gm, '    '));
    } finally {
      fs.closeSync(fd);
    }
  };
}

export function readResult(file: string): E2eResult | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as E2eResult;
  } catch {
    return undefined;
  }
}

export function failedResult(scenario: Scenario, error: string, started: number): E2eResult {
  return { scenario: scenario.name, passed: 0, failed: 1, durationMs: Date.now() - started, tests: [], metrics: {}, error };
}

// ---- processes -------------------------------------------------------------

const live = new Set<ChildProcess>();

/**
 * Kills a process started with `detached: true` together with everything it
 * started (its process group): SIGTERM, then SIGKILL after a grace period.
 */
export async function killGroup(child: ChildProcess, graceMs = 3000): Promise<void> {
  live.delete(child);
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    signalGroup(child, 'SIGKILL'); // children of an exited leader may still run
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalGroup(child, 'SIGTERM');
  await Promise.race([exited, sleep(graceMs)]);
  signalGroup(child, 'SIGKILL');
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(process.platform === 'win32' ? child.pid : -child.pid, signal);
  } catch {
    // already gone
  }
}

/** Remembers a detached child so that it dies with us, whatever way we exit. */
export function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => {
    if (child.pid !== undefined) signalGroup(child, 'SIGKILL'); // leftovers of the group
  });
  return child;
}

const tempDirs = new Set<string>();

/** A temporary folder removed on exit, also after a signal (unless IAC_LINT_E2E_KEEP=1). */
export function tempDir(): string {
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'iac-lint-e2e-'));
  if (process.env.IAC_LINT_E2E_KEEP === '1') log(`keeping ${dir}`);
  else tempDirs.add(dir);
  return dir;
}

let handlersInstalled = false;
export function killEverythingOnExit(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const child of live) signalGroup(child, 'SIGKILL');
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      log(`${signal}: stopping`);
      for (const child of live) signalGroup(child, 'SIGKILL');
      process.exit(130);
    });
  }
}

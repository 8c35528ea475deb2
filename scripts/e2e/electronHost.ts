/**
 * The e2e host for desktops and public CI: a desktop VS Code obtained by
 * @vscode/test-electron (downloaded into .vscode-test/, or the build named by
 * VSCODE_EXECUTABLE_PATH). It needs the internet for the download and, on
 * Linux, a display (`xvfb-run -a npm run test:e2e` on a headless machine).
 *
 * Per scenario the packaged .vsix is installed with VS Code's CLI into a fresh
 * extensions folder, and VS Code runs test/e2e/index.js through
 * `--extensionTestsPath`. The launch uses the arguments of test-electron's
 * `runTests` (which always adds `--disable-workspace-trust`), keeping that flag
 * only for trusted scenarios so that restricted mode can be tested too.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath } from '@vscode/test-electron';
import type { E2eResult } from '../../test/e2e/scenarios';
import {
  RUNNER_EXTENSION, SCENARIO_TIMEOUT_MS, TESTS_ENTRY, VSIX, type ScenarioRun, failedResult, killGroup, log,
  progressPrinter, readResult, sleep, testEnv, track, writeUserSettings,
} from './common';

let executable: Promise<string> | undefined;

/** VS Code's executable: VSCODE_EXECUTABLE_PATH, else a download of IAC_LINT_E2E_VSCODE_VERSION (default stable). */
function vscodeExecutable(): Promise<string> {
  executable ??= process.env.VSCODE_EXECUTABLE_PATH
    ? Promise.resolve(process.env.VSCODE_EXECUTABLE_PATH)
    : downloadAndUnzipVSCode({ version: process.env.IAC_LINT_E2E_VSCODE_VERSION || 'stable' });
  return executable;
}

/** Whether a VS Code is already at hand: given, or downloaded by an earlier run. */
export function electronHostCached(): boolean {
  if (process.env.VSCODE_EXECUTABLE_PATH) return fs.existsSync(process.env.VSCODE_EXECUTABLE_PATH);
  const cache = nodePath.join(process.cwd(), '.vscode-test');
  return fs.existsSync(cache) && fs.readdirSync(cache).some((d) => d.startsWith('vscode-'));
}

function installVsix(exe: string, run: ScenarioRun): void {
  const [cli, ...cliArgs] = resolveCliArgsFromVSCodeExecutablePath(exe, { reuseMachineInstall: true });
  const r = spawnSync(cli, [
    ...cliArgs, '--install-extension', VSIX, '--force',
    `--extensions-dir=${run.extensions}`, `--user-data-dir=${run.userData}`,
  ], { encoding: 'utf8', timeout: 120_000, shell: process.platform === 'win32' });
  const output = `${r.stdout}\n${r.stderr}`;
  fs.writeFileSync(nodePath.join(run.artifacts, 'install-extension.log'), output);
  if (r.status !== 0) throw new Error(`installing ${nodePath.basename(VSIX)} failed (exit ${r.status ?? r.error?.message}):\n${output}`);
}

export async function runScenarioInElectron(run: ScenarioRun): Promise<E2eResult> {
  const started = Date.now();
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return failedResult(run.scenario, 'no display for VS Code: run under `xvfb-run -a`, or use IAC_LINT_E2E_HOST=server', started);
  }
  const exe = await vscodeExecutable();
  writeUserSettings(run);
  installVsix(exe, run);

  const args = [
    run.workspace,
    '--no-sandbox',
    '--disable-gpu-sandbox',
    '--disable-updates',
    '--skip-welcome',
    '--skip-release-notes',
    ...(run.scenario.trusted ? ['--disable-workspace-trust'] : []),
    `--extensions-dir=${run.extensions}`,
    `--user-data-dir=${run.userData}`,
    // The runner extension is inert here (no IAC_LINT_E2E_AUTORUN); iac-lint itself comes from the installed .vsix.
    `--extensionDevelopmentPath=${RUNNER_EXTENSION}`,
    `--extensionTestsPath=${TESTS_ENTRY}`,
  ];
  const logFile = fs.createWriteStream(nodePath.join(run.artifacts, 'vscode.log'));
  const child = track(spawn(exe, args, {
    detached: process.platform !== 'win32',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...testEnv(run) },
    shell: process.platform === 'win32',
  }));
  child.stdout!.pipe(logFile, { end: false });
  child.stderr!.pipe(logFile, { end: false });
  let exit: string | undefined;
  child.once('exit', (code, signal) => {
    exit = `${code ?? signal}`;
  });

  const print = progressPrinter(run.progressFile);
  try {
    const deadline = started + SCENARIO_TIMEOUT_MS;
    for (;;) {
      print();
      if (exit !== undefined) {
        await sleep(200); // the result file is written before VS Code exits
        print();
        return readResult(run.resultFile)
          ?? failedResult(run.scenario, `VS Code exited (${exit}) without a result; see ${run.artifacts}/vscode.log`, started);
      }
      if (Date.now() > deadline) {
        return failedResult(run.scenario, `no result within ${SCENARIO_TIMEOUT_MS / 1000} s; see ${run.artifacts}/vscode.log`, started);
      }
      await sleep(100);
    }
  } finally {
    await killGroup(child);
    logFile.end();
  }
}

/**
 * The e2e host for machines that reach only the npm registry and Debian's
 * packages: VS Code's own server build (see vscodeServer.ts) with headless
 * Chromium as the window, driven by playwright-core.
 *
 * Per scenario: install the packaged .vsix with the server's
 * `--install-extension`, add the runner extension, start the server on a free
 * port bound to 127.0.0.1, open the workbench in Chromium (the extension host
 * starts only when a window connects), answer screenshot requests and wait for
 * the result file that test/e2e/index.ts writes.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { ENV, type E2eResult } from '../../test/e2e/scenarios';
import {
  RUNNER_EXTENSION, SCENARIO_TIMEOUT_MS, VSIX, type ScenarioRun, failedResult, killGroup, log, progressPrinter,
  readResult, sleep, testEnv, track, writeUserSettings,
} from './common';
import { ensureVscodeServer, findOnPath } from './vscodeServer';

const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

export function findChromium(): string | undefined {
  const configured = process.env.IAC_LINT_E2E_CHROMIUM ?? process.env.CHROME_PATH;
  if (configured) return fs.existsSync(configured) ? configured : undefined;
  for (const name of CHROMIUM_NAMES) {
    const found = findOnPath(name);
    if (found) return found;
  }
  return undefined;
}

export function serverHostAvailable(): boolean {
  return findChromium() !== undefined;
}

/** index.ts writes its first progress line when the suite starts: well within this of opening the window. */
const START_TIMEOUT_MS = 120_000;

const RUNNER_ID = 'iac-lint-e2e.runner';
const RUNNER_VERSION = '0.0.1';

/**
 * Installs the .vsix the way a user would, then the runner extension by hand:
 * an extensions folder is described by its extensions.json, so it gets an entry there.
 */
function installExtensions(serverMain: string, run: ScenarioRun): void {
  const r = spawnSync(process.execPath, [
    serverMain, '--install-extension', VSIX, '--force',
    '--extensions-dir', run.extensions, '--user-data-dir', run.userData, '--accept-server-license-terms',
  ], { encoding: 'utf8', timeout: 120_000 });
  const output = `${r.stdout}\n${r.stderr}`;
  fs.writeFileSync(nodePath.join(run.artifacts, 'install-extension.log'), output);
  if (r.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`installing ${nodePath.basename(VSIX)} failed (exit ${r.status ?? r.error?.message}):\n${output.slice(-2000)}`);
  }
  const folder = `${RUNNER_ID}-${RUNNER_VERSION}`;
  const target = nodePath.join(run.extensions, folder);
  fs.cpSync(RUNNER_EXTENSION, target, { recursive: true });
  const listFile = nodePath.join(run.extensions, 'extensions.json');
  const list = JSON.parse(fs.readFileSync(listFile, 'utf8')) as unknown[];
  list.push({
    identifier: { id: RUNNER_ID },
    version: RUNNER_VERSION,
    location: { $mid: 1, fsPath: target, external: pathToFileURL(target).href, path: target, scheme: 'file' },
    relativeLocation: folder,
    metadata: { installedTimestamp: Date.now(), source: 'vsix' },
  });
  fs.writeFileSync(listFile, JSON.stringify(list));
}

interface Server {
  port: number;
  /** Why the server exited, once it has. */
  exited: () => string | undefined;
  stop: () => Promise<void>;
}

async function startServer(serverMain: string, run: ScenarioRun, screenshots: string): Promise<Server> {
  const logFile = fs.createWriteStream(nodePath.join(run.artifacts, 'server.log'));
  const args = [
    serverMain,
    '--host', '127.0.0.1', '--port', '0', // the server picks a free port and prints it
    '--without-connection-token', '--accept-server-license-terms', '--telemetry-level', 'off',
    '--user-data-dir', run.userData, '--extensions-dir', run.extensions,
    '--default-folder', run.workspace,
    ...(run.scenario.trusted ? ['--disable-workspace-trust'] : []),
  ];
  const child = track(spawn(process.execPath, args, {
    detached: true, // its own process group: killGroup takes the extension host and language server with it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...testEnv(run, { [ENV.autorun]: '1', [ENV.screenshots]: screenshots }) },
  }));
  let output = '';
  let exitedWith: string | undefined;
  child.once('exit', (code, signal) => {
    exitedWith = `VS Code's server exited (${code ?? signal})`;
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`VS Code's server did not start within 60 s:\n${output.slice(-2000)}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      logFile.write(chunk);
      output += chunk.toString('utf8');
      const listening = /Extension host agent listening on (\d+)/.exec(output);
      if (listening && output.includes('Extension host agent started')) {
        clearTimeout(timer);
        resolve(Number(listening[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`VS Code's server exited (${code ?? signal}) before it was ready:\n${output.slice(-2000)}`));
    });
  });
  return {
    port,
    exited: () => exitedWith,
    stop: async () => {
      await killGroup(child);
      logFile.end();
    },
  };
}

async function openWorkbench(url: string, run: ScenarioRun): Promise<{ browser: Browser; page: Page }> {
  const { chromium } = await import('playwright-core');
  const executablePath = findChromium();
  if (!executablePath) throw new Error('no Chromium found');
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    timeout: 60_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const consoleLog = fs.createWriteStream(nodePath.join(run.artifacts, 'browser-console.log'));
  page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack ?? e.message}\n`));
  browser.on('disconnected', () => consoleLog.end());
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  return { browser, page };
}

async function takeScreenshot(page: Page, file: string): Promise<void> {
  await page.screenshot({ path: file, timeout: 30_000 });
  log(`screenshot ${nodePath.relative(process.cwd(), file)}`);
}

export async function runScenarioInServer(run: ScenarioRun): Promise<E2eResult> {
  const started = Date.now();
  const serverMain = ensureVscodeServer();
  const screenshots = nodePath.join(run.dir, 'screenshots');
  fs.mkdirSync(screenshots, { recursive: true });
  writeUserSettings(run);
  installExtensions(serverMain, run);

  const server = await startServer(serverMain, run, screenshots);
  let browser: Browser | undefined;
  let page: Page | undefined;
  try {
    log(`VS Code server on 127.0.0.1:${server.port} (${Date.now() - started} ms); opening the workbench in Chromium`);
    // The folder in the URL as well: with --default-folder alone, this VS Code labels files by their
    // absolute paths (tabs, Problems panel, quick open) instead of relative to the workspace folder.
    const url = `http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(run.workspace).replace(/%2F/g, '/')}`;
    ({ browser, page } = await openWorkbench(url, run));
    let pageGone: string | undefined;
    page.once('crash', () => { pageGone = 'the workbench page crashed'; });
    browser.once('disconnected', () => { pageGone ??= 'Chromium went away'; });
    const workbenchOpened = Date.now();
    const print = progressPrinter(run.progressFile);
    const deadline = started + SCENARIO_TIMEOUT_MS;
    for (;;) {
      print();
      for (const request of fs.readdirSync(screenshots).filter((f) => f.endsWith('.request'))) {
        const name = request.slice(0, -'.request'.length);
        fs.rmSync(nodePath.join(screenshots, request));
        await takeScreenshot(page, nodePath.join(run.artifacts, `${name}.png`));
        fs.writeFileSync(nodePath.join(screenshots, `${name}.done`), '');
      }
      const result = readResult(run.resultFile);
      if (result) {
        print();
        if (result.failed > 0) await takeScreenshot(page, nodePath.join(run.artifacts, 'failure.png')).catch(() => undefined);
        return result;
      }
      if (Date.now() - workbenchOpened > START_TIMEOUT_MS && fs.statSync(run.progressFile).size === 0) {
        await takeScreenshot(page, nodePath.join(run.artifacts, 'not-started.png')).catch(() => undefined);
        return failedResult(run.scenario, `the suite did not start within ${START_TIMEOUT_MS / 1000} s of opening the workbench (runner extension not activated?); see ${run.artifacts}`, started);
      }
      if (pageGone) return failedResult(run.scenario, `${pageGone} during the run; see ${run.artifacts}`, started);
      const exited = server.exited();
      if (exited) return failedResult(run.scenario, `${exited} during the run; see ${run.artifacts}/server.log`, started);
      if (Date.now() > deadline) {
        await takeScreenshot(page, nodePath.join(run.artifacts, 'timeout.png')).catch(() => undefined);
        return failedResult(run.scenario, `no result within ${SCENARIO_TIMEOUT_MS / 1000} s; see ${run.artifacts}`, started);
      }
      await sleep(100);
    }
  } finally {
    await browser?.close().catch(() => undefined);
    await server.stop();
  }
}

/**
 * VS Code's server build, taken from the `code-server` npm package and installed
 * into a cache folder outside the project (its install scripts want a newer
 * Node and network downloads, so they are skipped: nothing native is needed to
 * run extensions). code-server 4.100.x carries VS Code 1.100.3 and runs on Node 20.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { log } from './common';

export const CODE_SERVER_VERSION = '4.100.3';

export function cacheRoot(): string {
  if (process.env.IAC_LINT_E2E_CACHE) return nodePath.resolve(process.env.IAC_LINT_E2E_CACHE);
  const base = process.env.XDG_CACHE_HOME || nodePath.join(os.homedir(), '.cache');
  return nodePath.join(base, 'iac-lint-e2e');
}

const installDir = (): string => nodePath.join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
const vscodeDir = (root: string): string => nodePath.join(root, 'node_modules', 'code-server', 'lib', 'vscode');
const MARKER = '.iac-lint-complete';

/** npm as the user's `npm run` invoked it (npm_execpath), else the one on PATH. */
function npm(args: string[], cwd: string): void {
  const execPath = process.env.npm_execpath;
  const [cmd, cmdArgs] = execPath && /\.c?js$/.test(execPath)
    ? [process.execPath, [execPath, ...args]]
    : [process.platform === 'win32' ? 'npm.cmd' : 'npm', args];
  const env = { ...process.env };
  // Settings of the project's `npm run` must not leak into this unrelated install.
  for (const key of Object.keys(env)) if (/^npm_config_/i.test(key) && !/registry|cache|proxy|userconfig|ca$|cafile/i.test(key)) delete env[key];
  const r = spawnSync(cmd, cmdArgs, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 10 * 60_000 });
  if (r.status !== 0) {
    throw new Error(`npm ${args.join(' ')} failed in ${cwd} (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}\n${r.stderr}`);
  }
}

function install(target: string): void {
  const staging = `${target}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    const common = ['--ignore-scripts', '--no-audit', '--no-fund', '--no-save', '--loglevel=error'];
    npm(['install', '--prefix', staging, ...common, `code-server@${CODE_SERVER_VERSION}`], staging);
    npm(['install', '--omit=dev', ...common], vscodeDir(staging));
    fs.writeFileSync(nodePath.join(staging, MARKER), `${new Date().toISOString()}\n`);
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * VS Code's file search runs ripgrep (`workspaceContains:` activation events,
 * `workspace.findFiles`); @vscode/ripgrep downloads its binary in an install
 * script we skip, so link the system's `rg` in its place.
 */
function linkRipgrep(vscode: string): void {
  const bin = nodePath.join(vscode, 'node_modules', '@vscode', 'ripgrep', 'bin');
  const target = nodePath.join(bin, process.platform === 'win32' ? 'rg.exe' : 'rg');
  if (fs.existsSync(target)) return;
  const rg = findOnPath(process.platform === 'win32' ? 'rg.exe' : 'rg');
  if (!rg) {
    throw new Error('ripgrep (rg) is not installed; VS Code needs it for file search. Install it (Debian: apt-get install ripgrep).');
  }
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(rg, target);
}

export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(nodePath.delimiter)) {
    if (!dir) continue;
    const candidate = nodePath.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Installs the server on first use (two attempts) and returns the path of its `server-main.js`. */
export function ensureVscodeServer(): string {
  const target = installDir();
  if (!fs.existsSync(nodePath.join(target, MARKER))) {
    log(`installing code-server@${CODE_SERVER_VERSION} (VS Code's server) into ${target}`);
    const started = Date.now();
    fs.mkdirSync(cacheRoot(), { recursive: true });
    try {
      install(target);
    } catch (first) {
      log(`install failed, retrying once: ${(first as Error).message.split('\n')[0]}`);
      install(target);
    }
    log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const vscode = vscodeDir(target);
  linkRipgrep(vscode);
  const main = nodePath.join(vscode, 'out', 'server-main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} is missing; delete ${target} to reinstall`);
  return main;
}

export function isVscodeServerInstalled(): boolean {
  return fs.existsSync(nodePath.join(installDir(), MARKER));
}

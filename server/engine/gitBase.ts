/**
 * Files as they were at a git revision (`HEAD` unless configured), for the rules
 * that judge a change (`iam-permission-broadening`) and for `iac-lint diff`.
 *
 * Git is a program of the user's machine run on a folder we may not trust, so:
 * - it is started with `execFile` (no shell) from an executable found on an
 *   absolute `PATH` entry (never the current or the workspace folder);
 * - configuration that could start other programs is switched off on the command
 *   line (`core.fsmonitor`, pagers, external diff), and `protocol.allow=never`
 *   plus `GIT_NO_LAZY_FETCH` keep it off the network (a partial clone would
 *   otherwise fetch missing objects);
 * - only plumbing that reads objects is used (`rev-parse`, `ls-files`,
 *   `cat-file --batch`); no filters or textconv run, nothing is written.
 *
 * Fetching is asynchronous and batched (one `cat-file` per repository); the
 * engine's synchronous `WorkspaceView.baseText` answers from what was fetched.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import type { BaseText } from './types';

/** Command-line configuration that neutralises repository settings able to run programs or reach the network. */
export const SAFE_GIT_CONFIG = [
  '-c', 'core.fsmonitor=false',
  '-c', 'core.pager=cat',
  '-c', 'pager.cat-file=false',
  '-c', 'diff.external=',
  '-c', 'protocol.allow=never',
  '-c', 'credential.helper=',
  '-c', 'core.sshCommand=false',
  '--no-pager',
  '--literal-pathspecs',
];

const GIT_ENV_DROP = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_EXTERNAL_DIFF', 'GIT_PAGER', 'GIT_ASKPASS', 'SSH_ASKPASS', 'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_PROXY_COMMAND'];

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of GIT_ENV_DROP) delete env[k];
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_OPTIONAL_LOCKS = '0';
  env.GIT_NO_LAZY_FETCH = '1';
  env.GIT_PAGER = 'cat';
  env.LC_ALL = 'C';
  return env;
}

/** The git executable on an absolute PATH entry, or null. Relative entries (`.`) are skipped on purpose. */
export function findGit(pathEnv = process.env.PATH ?? process.env.Path ?? ''): string | null {
  const win = process.platform === 'win32';
  const exts = win ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean) : [''];
  for (const dir of pathEnv.split(nodePath.delimiter)) {
    if (!dir || !nodePath.isAbsolute(dir)) continue;
    for (const ext of exts) {
      const candidate = nodePath.join(dir, `git${ext.toLowerCase()}`);
      try {
        const st = fs.statSync(candidate);
        if (!st.isFile()) continue;
        if (!win) fs.accessSync(candidate, fs.constants.X_OK);
        return candidate;
      } catch {
        // next
      }
    }
  }
  return null;
}

export type GitProblem = 'no-git' | 'not-repo' | 'bad-ref' | 'failed';

export class GitError extends Error {
  constructor(message: string, readonly problem: GitProblem) {
    super(message);
  }
}

interface RunResult {
  stdout: Buffer;
  stderr: string;
}

const MAX_OUTPUT = 512 * 1024 * 1024;

/** Runs git with the safe configuration; rejects with a GitError. */
export function runGit(git: string, dir: string, args: string[], input?: string, timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(git, [...SAFE_GIT_CONFIG, '-C', dir, ...args], {
      // Not the workspace: on Windows the working folder is searched for executables.
      cwd: os.tmpdir(),
      env: gitEnv(),
      encoding: 'buffer',
      maxBuffer: MAX_OUTPUT,
      timeout: timeoutMs,
      windowsHide: true,
      shell: false,
    }, (error, stdout, stderr) => {
      const err = stderr.toString('utf8').trim();
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EACCES') reject(new GitError('git could not be started', 'no-git'));
        else if (/not a git repository/i.test(err)) reject(new GitError('not inside a git repository', 'not-repo'));
        else if (/dubious ownership/i.test(err)) reject(new GitError(`git refuses the repository (owned by another user; see git config safe.directory)`, 'not-repo'));
        else reject(new GitError(err.split('\n')[0] || error.message, 'failed'));
        return;
      }
      resolve({ stdout, stderr: err });
    });
    child.stdin?.on('error', () => undefined);
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

interface RepoInfo {
  top: string;
  commit: string;
  tracked: Set<string>;
}

export interface GitBaseOptions {
  /** Revision to compare with: a branch, tag, commit or `HEAD~2`. */
  ref?: string;
  /** PATH to search for git (tests). Default: the process's PATH. */
  pathEnv?: string;
}

const REF_OK = /^[^\s\0-\x1f~^:?*[\\-][^\s\0-\x1f:?*[\\]*$/;

/**
 * A base revision's view of files. Call `load(paths)` (async, batched) before
 * linting; `baseText(path)` then answers synchronously.
 */
export class GitBase {
  readonly ref: string;
  private readonly pathEnv: string | undefined;
  private git: string | null | undefined;
  private readonly entries = new Map<string, BaseText>();
  private readonly problems = new Map<string, string>();
  private readonly repoOfDir = new Map<string, Promise<string>>();

  constructor(opts: GitBaseOptions = {}) {
    this.ref = opts.ref?.trim() || 'HEAD';
    this.pathEnv = opts.pathEnv;
  }

  /** The ref is something `git rev-parse` may see (not an option, no revision-range syntax tricks beyond `~N`/`^N`). */
  static validRef(ref: string): boolean {
    const head = ref.replace(/([~^]\d*)+$/, '');
    return head.length > 0 && head.length < 256 && REF_OK.test(head) && !head.includes('..') && !head.includes('@{');
  }

  /** Messages for problems met while loading, each once (no git, not a repository, unknown revision). */
  messages(): string[] {
    return [...this.problems.values()];
  }

  baseText(path: string): BaseText {
    return this.entries.get(nodePath.resolve(path)) ?? { kind: 'unavailable', reason: 'not compared with git (not loaded)' };
  }

  /** Fetches the base of `paths` (absolute or relative to the process). Never rejects. */
  async load(paths: readonly string[]): Promise<void> {
    const abs = [...new Set(paths.map((p) => nodePath.resolve(p)))];
    if (!abs.length) return;
    const fail = (list: readonly string[], reason: string): void => {
      for (const p of list) this.entries.set(p, { kind: 'unavailable', reason });
    };
    if (!GitBase.validRef(this.ref)) {
      const reason = `\`${this.ref}\` is not a git revision iac-lint accepts`;
      this.problems.set('ref', reason);
      fail(abs, reason);
      return;
    }
    if (this.git === undefined) this.git = findGit(this.pathEnv);
    const git = this.git;
    if (!git) {
      const reason = `git is not installed or not on PATH: cannot compare with ${this.ref}`;
      this.problems.set('no-git', reason);
      fail(abs, reason);
      return;
    }
    // Group by repository.
    const byTop = new Map<string, { abs: string; real: string }[]>();
    await Promise.all(abs.map(async (p) => {
      const dir = nodePath.dirname(p);
      let real: string;
      try {
        real = nodePath.join(fs.realpathSync.native(dir), nodePath.basename(p));
      } catch {
        fail([p], 'the folder does not exist on disk');
        return;
      }
      try {
        const top = await this.topOf(git, nodePath.dirname(real));
        const list = byTop.get(top) ?? [];
        list.push({ abs: p, real });
        byTop.set(top, list);
      } catch (e) {
        const err = e as GitError;
        const reason = err.problem === 'not-repo' ? `${display(dir)} is not inside a git repository: cannot compare with ${this.ref}` : err.problem === 'no-git' ? `git is not installed or not on PATH: cannot compare with ${this.ref}` : `git failed: ${err.message}`;
        this.problems.set(`${err.problem}:${err.problem === 'not-repo' ? dir : ''}`, reason);
        fail([p], reason);
      }
    }));
    await Promise.all([...byTop].map(([top, files]) => this.loadRepo(git, top, files)));
  }

  private topOf(git: string, dir: string): Promise<string> {
    let hit = this.repoOfDir.get(dir);
    if (!hit) {
      hit = runGit(git, dir, ['rev-parse', '--show-toplevel']).then((r) => r.stdout.toString('utf8').trim());
      this.repoOfDir.set(dir, hit);
    }
    return hit;
  }

  private async loadRepo(git: string, top: string, files: { abs: string; real: string }[]): Promise<void> {
    let info: RepoInfo;
    try {
      info = await this.repoInfo(git, top, files.map((f) => rel(top, f.real)));
    } catch (e) {
      const err = e as GitError;
      const reason = err.problem === 'bad-ref'
        ? `unknown git revision \`${this.ref}\` in ${display(top)} (in CI, fetch it: actions/checkout with fetch-depth: 0, or git fetch origin)`
        : `git failed in ${display(top)}: ${err.message}`;
      this.problems.set(`${err.problem}:${top}`, reason);
      for (const f of files) this.entries.set(f.abs, { kind: 'unavailable', reason });
      return;
    }
    const wanted: { abs: string; relPath: string }[] = [];
    for (const f of files) {
      const relPath = rel(top, f.real);
      if (/[\n\r]/.test(relPath)) this.entries.set(f.abs, { kind: 'unavailable', reason: 'file name holds a line break' });
      else if (!info.tracked.has(relPath)) this.entries.set(f.abs, { kind: 'unavailable', reason: `${display(f.abs)} is not tracked by git (git add it to compare it with ${this.ref})` });
      else wanted.push({ abs: f.abs, relPath });
    }
    if (!wanted.length) return;
    let out: Buffer;
    try {
      out = (await runGit(git, top, ['cat-file', '--batch'], wanted.map((w) => `${info.commit}:${w.relPath}\n`).join(''))).stdout;
    } catch (e) {
      const reason = `git failed in ${display(top)}: ${(e as Error).message}`;
      for (const w of wanted) this.entries.set(w.abs, { kind: 'unavailable', reason });
      return;
    }
    let pos = 0;
    for (const w of wanted) {
      const nl = out.indexOf(0x0a, pos);
      if (nl < 0) {
        this.entries.set(w.abs, { kind: 'unavailable', reason: 'git gave no answer for this file' });
        continue;
      }
      const header = out.subarray(pos, nl).toString('utf8');
      pos = nl + 1;
      const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
      if (!m) {
        // `<name> missing`: tracked now, absent at the base: a new file.
        this.entries.set(w.abs, { kind: 'absent', label: this.ref });
        continue;
      }
      const size = Number(m[2]);
      const body = out.subarray(pos, pos + size);
      pos += size + 1;
      if (m[1] !== 'blob') this.entries.set(w.abs, { kind: 'absent', label: this.ref });
      else this.entries.set(w.abs, { kind: 'text', text: body.toString('utf8'), label: this.ref });
    }
  }

  private async repoInfo(git: string, top: string, relPaths: string[]): Promise<RepoInfo> {
    let commit: string;
    try {
      commit = (await runGit(git, top, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${this.ref}^{commit}`])).stdout.toString('utf8').trim();
    } catch (e) {
      if ((e as GitError).problem === 'failed') throw new GitError((e as Error).message, 'bad-ref');
      throw e;
    }
    if (!/^[0-9a-f]{40,64}$/.test(commit)) throw new GitError('no commit', 'bad-ref');
    const tracked = new Set<string>();
    // Pathspecs in chunks to stay below command-line limits.
    for (let i = 0; i < relPaths.length; i += 200) {
      const chunk = relPaths.slice(i, i + 200);
      const out = await runGit(git, top, ['ls-files', '-z', '--full-name', '--', ...chunk]);
      for (const name of out.stdout.toString('utf8').split('\0')) if (name) tracked.add(name);
    }
    return { top, commit, tracked };
  }
}

/** The top folder of the git repository holding `dir`, or null (no git, not a repository). */
export async function gitTopLevel(dir: string, pathEnv?: string): Promise<string | null> {
  const git = findGit(pathEnv);
  if (!git) return null;
  try {
    return (await runGit(git, dir, ['rev-parse', '--show-toplevel'])).stdout.toString('utf8').trim() || null;
  } catch {
    return null;
  }
}

function rel(top: string, file: string): string {
  return nodePath.relative(top, file).split(nodePath.sep).join('/');
}

function display(p: string): string {
  const r = nodePath.relative(process.cwd(), p);
  return r && !r.startsWith('..') && !nodePath.isAbsolute(r) ? r.split(nodePath.sep).join('/') : p;
}

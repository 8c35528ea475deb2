/**
 * Shared plumbing for the CLI suites: a temporary folder per test, the bundled
 * CLI run as a child process, configuration that enables only the rules a test
 * is about, and real git repositories.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { rules } from '../../rules';
import { ROOT } from '../helpers/engine';

export const CLI = nodePath.join(ROOT, 'dist', 'cli.js');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `.iac-lint.yaml` text that turns every rule off except those given (with their severity, or `on` for the default). */
export function onlyRules(enabled: Record<string, string>): string {
  const lines = rules.filter((r) => !(r.id in enabled)).map((r) => `  ${r.id}: off`);
  for (const [id, sev] of Object.entries(enabled)) if (sev !== 'on') lines.push(`  ${id}: ${sev}`);
  return `rules:\n${lines.join('\n')}\n`;
}

export class TempDir {
  readonly path: string;

  constructor(prefix = 'iac-lint-cli-') {
    this.path = fs.realpathSync(fs.mkdtempSync(nodePath.join(os.tmpdir(), prefix)));
  }

  file(name: string): string {
    return nodePath.join(this.path, name);
  }

  write(name: string, text: string): string {
    const p = this.file(name);
    fs.mkdirSync(nodePath.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  }

  read(name: string): string {
    return fs.readFileSync(this.file(name), 'utf8');
  }

  /** Runs the bundled CLI here (or in `cwd` below here). Colour variables are cleared unless given. */
  cli(args: string[], opts: SpawnSyncOptions & { cwd?: string } = {}): Run {
    const env = { ...process.env };
    delete env.NO_COLOR;
    delete env.FORCE_COLOR;
    const r = spawnSync(process.execPath, [CLI, ...args], {
      encoding: 'utf8',
      timeout: 60000,
      ...opts,
      cwd: opts.cwd ? nodePath.resolve(this.path, opts.cwd) : this.path,
      env: { ...env, ...(opts.env ?? {}) },
    });
    if (r.error) throw r.error;
    return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
  }

  /** Runs git here; throws with its stderr when it fails. */
  git(...args: string[]): string {
    const r = spawnSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd: this.path, encoding: 'utf8' });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  remove(): void {
    fs.rmSync(this.path, { recursive: true, force: true });
  }
}

export function gitAvailable(): boolean {
  const r = spawnSync('git', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

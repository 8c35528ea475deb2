/**
 * The CLI's lint of many files on worker threads. The files are split into
 * shares of about equal size (a Terraform module's files stay together, so each
 * module's context is parsed once), each worker thread lints its share with an
 * engine of its own, and the results come back in the input order, so the report
 * is the same as a serial run's. Worth it only for many files: a worker costs a
 * module load and the grammars' start.
 */
import * as nodePath from 'node:path';
import * as os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { EngineConfig } from '../engine/config';
import { Engine, type LintResult } from '../engine/linter';
import { LineIndex } from '../engine/positions';
import type { BaseText, Finding, Format, SourceFile, WorkspaceView } from '../engine/types';
import { DiskWorkspace } from '../engine/workspace';

/** Below this many files a serial lint is faster than starting workers. */
export const PARALLEL_MIN_FILES = 200;

interface WorkerInput {
  iacLintWorker: true;
  config: EngineConfig;
  files: SourceFile[];
  /** What `WorkspaceView.baseText` answers, per path (iam-permission-broadening). */
  base: [string, BaseText][] | null;
  /** Whether findings keep their fixes' edits (see `LintOptions.fixEdits`). */
  fixEdits: boolean;
}

export interface LintOptions {
  /**
   * Whether findings keep their fixes' edits; false when the report says only
   * whether a finding is fixable (JSON, text): over a workspace the edits take
   * hundreds of megabytes, and crossing from a worker thread costs a copy.
   */
  fixEdits?: boolean;
}

/** Drops the edits of the findings' fixes, keeping each fix's title and kind. */
export function withoutFixEdits(findings: Finding[]): void {
  for (const f of findings) {
    if (f.fixes.length) f.fixes = f.fixes.map((x) => (x.changes.length ? { title: x.title, kind: x.kind, changes: [] } : x));
  }
}

/** A result as it crosses the thread boundary: no class instances. */
interface WireResult {
  path: string;
  format: Format;
  findings: Finding[];
}

type WorkerOutput = { results: (WireResult | null)[] } | { error: string };

/**
 * Below this many cores a serial lint is as fast. With two, the main thread lints
 * a share itself next to one worker (a serial lint keeps about 1.2 of 2 cores busy:
 * V8 collects garbage and compiles on threads of its own).
 */
export const PARALLEL_MIN_CORES = 2;

/**
 * How many threads lint `files` files (the main thread and workers): `IAC_LINT_WORKERS`
 * when set (0 or 1: the main thread alone), else one per available core (at most 8)
 * once there are enough files and cores.
 */
export function workerCount(files: number, env: NodeJS.ProcessEnv = process.env, cores = availableCores()): number {
  const set = env.IAC_LINT_WORKERS;
  if (set !== undefined && /^\d+$/.test(set.trim())) {
    const n = Number(set);
    return n <= 1 ? 0 : Math.min(n, files);
  }
  if (files < PARALLEL_MIN_FILES || cores < PARALLEL_MIN_CORES) return 0;
  return Math.min(cores, 8);
}

function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Splits files into `n` shares of about equal size; a folder's Terraform files go to one share. */
export function shares(files: SourceFile[], n: number): number[][] {
  const groups = new Map<string, number[]>();
  files.forEach((f, i) => {
    const key = /\.tf$/i.test(f.path) ? `tf:${nodePath.dirname(f.path)}` : `f:${i}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const size = (g: number[]) => g.reduce((a, i) => a + files[i].text.length + 512, 0);
  const sorted = [...groups.values()].sort((a, b) => size(b) - size(a));
  const out: number[][] = Array.from({ length: n }, () => []);
  const load = new Array<number>(n).fill(0);
  for (const g of sorted) {
    let k = 0;
    for (let j = 1; j < n; j++) if (load[j] < load[k]) k = j;
    out[k].push(...g);
    load[k] += size(g);
  }
  for (const s of out) s.sort((a, b) => a - b);
  return out.filter((s) => s.length > 0);
}

/**
 * Young generation of a worker's heap (MB): larger than V8's default, so that the
 * short-lived objects of a parse die in fewer scavenges (measured: about a tenth
 * less time over the 10,000-file bench workspace).
 */
const WORKER_YOUNG_MB = 192;

/**
 * Lints `files` on `threads` threads: worker threads started from `entry` (the
 * CLI's own module, which calls `runLintWorker` when it finds itself in a
 * worker), and with `here` the calling thread too, which lints one share with it
 * while the workers lint theirs. Results are in the order of `files`; `null`
 * where a file is not one the engine lints.
 */
export async function lintInWorkers(
  entry: string, files: SourceFile[], config: EngineConfig, threads: number, baseText: ((path: string) => BaseText) | undefined,
  here?: (file: SourceFile) => LintResult | null,
  options: LintOptions = {},
): Promise<(LintResult | null)[]> {
  const results: (LintResult | null)[] = new Array(files.length).fill(null);
  const all = shares(files, threads);
  const local = here && all.length > 1 ? all.shift()! : null;
  const remote = Promise.all(all.map((share) => new Promise<void>((resolve, reject) => {
    const input: WorkerInput = {
      iacLintWorker: true,
      config,
      files: share.map((i) => ({ path: files[i].path, text: files[i].text })),
      base: baseText ? share.map((i) => [files[i].path, baseText(files[i].path)]) : null,
      fixEdits: options.fixEdits ?? true,
    };
    const worker = new Worker(entry, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
    let done = false;
    worker.once('message', (m: WorkerOutput) => {
      done = true;
      if ('error' in m) {
        reject(new Error(m.error));
        return;
      }
      m.results.forEach((r, k) => {
        const i = share[k];
        results[i] = r && { ...r, lines: new LineIndex(files[i].text) };
      });
      resolve();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!done) reject(new Error(`a lint worker stopped (exit code ${code}) before it answered`));
    });
  })));
  // Synchronous: the workers' answers wait in the event loop until this share is done.
  if (local) for (const i of local) results[i] = here!(files[i]);
  await remote;
  return results;
}

/** True in a thread that `lintInWorkers` started. */
export function isLintWorker(): boolean {
  return !isMainThread && (workerData as Partial<WorkerInput> | null)?.iacLintWorker === true;
}

/** The worker's side: lint the share, answer once. */
export async function runLintWorker(): Promise<void> {
  const input = workerData as WorkerInput;
  try {
    const engine = await Engine.create(input.config, undefined, { incremental: false });
    const disk = DiskWorkspace.snapshotOver(input.files);
    const base = input.base ? new Map(input.base) : null;
    const workspace: WorkspaceView = base
      ? { terraformFilesIn: (dir) => disk.terraformFilesIn(dir), baseText: (p) => base.get(p) ?? { kind: 'unavailable', reason: 'not fetched' } }
      : disk;
    const results = input.files.map((f): WireResult | null => {
      const r = engine.lint(f, workspace);
      if (r && !input.fixEdits) withoutFixEdits(r.findings);
      return r && { path: r.path, format: r.format, findings: r.findings };
    });
    parentPort!.postMessage({ results } satisfies WorkerOutput);
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).stack ?? String(e) } satisfies WorkerOutput);
  }
}

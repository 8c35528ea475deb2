/**
 * The CLI's lint of many files on worker threads. The files are cut into chunks
 * in input order (a Terraform module's files stay in one chunk, so each module's
 * context is parsed once), and the threads take chunks as they finish the ones
 * they have, so no thread waits while another still has a long share: the
 * calling thread hands them out between its own chunks (a synchronous
 * `receiveMessageOnPort`, as it never yields while it lints), each worker keeps
 * two in hand so that it never waits for the calling thread. Results come back
 * in the input order, so the report is the same as a serial run's. Worth it only
 * for many files: a worker costs a module load and the grammars' start.
 */
import * as nodePath from 'node:path';
import * as os from 'node:os';
import { MessageChannel, Worker, isMainThread, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { EngineConfig } from '../engine/config';
import { Engine, type LintResult } from '../engine/linter';
import { LineIndex } from '../engine/positions';
import type { BaseText, Finding, Fix, Format, SourceFile, WorkspaceView } from '../engine/types';
import { DiskWorkspace } from '../engine/workspace';

/** Below this many files a serial lint is faster than starting workers. */
export const PARALLEL_MIN_FILES = 200;

interface WorkerInput {
  iacLintWorker: true;
  config: EngineConfig;
  /** Whether findings keep their fixes' edits (see `LintOptions.fixEdits`). */
  fixEdits: boolean;
  /** Where the chunks come from and the results go. */
  port: MessagePort;
}

/** A chunk of files to lint, or the end of the work. */
type ToWorker =
  | {
    chunk: number;
    files: SourceFile[];
    /** What `WorkspaceView.baseText` answers, per path (iam-permission-broadening). */
    base: [string, BaseText][] | null;
  }
  | { done: true };

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
    if (!f.fixes.length) continue;
    // A loop, not `map`: findings arrays are packed everywhere (see server/engine/arrays.ts).
    const fixes: Fix[] = [];
    for (const x of f.fixes) fixes.push(x.changes.length ? { title: x.title, kind: x.kind, changes: [] } : x);
    f.fixes = fixes;
  }
}

/** A result as it crosses the thread boundary: no class instances. */
interface WireResult {
  path: string;
  format: Format;
  findings: Finding[];
}

type WorkerOutput = { chunk: number; results: (WireResult | null)[] } | { error: string };

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

/** Work units: one file, or a folder's Terraform files (linted together, in one chunk). */
function units(files: SourceFile[]): number[][] {
  const groups = new Map<string, number[]>();
  files.forEach((f, i) => {
    const key = /\.tf$/i.test(f.path) ? `tf:${nodePath.dirname(f.path)}` : `f:${i}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  return [...groups.values()];
}

/** The cost of linting a file, roughly: its length, plus a constant per file. */
const fileCost = (f: SourceFile) => f.text.length + 512;

/** Chunks of at most this much `fileCost`: small enough for the threads to finish together. */
const CHUNK_COST = 256 * 1024;

/**
 * Cuts files into chunks of file indices, in input order, each unit (see `units`)
 * whole in one chunk; at least eight chunks per thread when there are enough units,
 * so that the threads can even out.
 */
export function chunks(files: SourceFile[], threads: number): number[][] {
  const all = units(files);
  const total = files.reduce((a, f) => a + fileCost(f), 0);
  const limit = Math.max(1, Math.min(CHUNK_COST, Math.ceil(total / (Math.max(1, threads) * 8))));
  const out: number[][] = [];
  let cur: number[] = [];
  let cost = 0;
  for (const u of all) {
    cur.push(...u);
    cost += u.reduce((a, i) => a + fileCost(files[i]), 0);
    if (cost >= limit) {
      out.push(cur.sort((x, y) => x - y));
      cur = [];
      cost = 0;
    }
  }
  if (cur.length) out.push(cur.sort((x, y) => x - y));
  return out;
}

/**
 * Young generation of a worker's heap (MB): larger than V8's default, so that the
 * short-lived objects of a parse die in fewer scavenges (measured: about a tenth
 * less time over the 10,000-file bench workspace).
 */
const WORKER_YOUNG_MB = 192;

/** How many chunks a worker holds (the one it lints and the next), so that it never waits. */
const IN_HAND = 2;

/**
 * Lints `files` on `threads` threads: worker threads started from `entry` (the
 * CLI's own module, which calls `runLintWorker` when it finds itself in a
 * worker), and with `here` the calling thread too, which lints chunks itself
 * between handing them out. Results are in the order of `files`; `null` where a
 * file is not one the engine lints.
 */
export async function lintInWorkers(
  entry: string, files: SourceFile[], config: EngineConfig, threads: number, baseText: ((path: string) => BaseText) | undefined,
  here?: (file: SourceFile) => LintResult | null,
  options: LintOptions = {},
): Promise<(LintResult | null)[]> {
  const results: (LintResult | null)[] = new Array(files.length).fill(null);
  const work = chunks(files, threads);
  let next = 0;
  const workerCount = Math.max(1, here ? threads - 1 : threads);
  let failure: Error | null = null;
  let finish: () => void = () => undefined;
  let fail: (e: Error) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });

  interface Thread { worker: Worker; port: MessagePort; inHand: number; done: boolean }
  const threadsOut: Thread[] = [];
  const allDone = () => threadsOut.every((t) => t.done);
  const stop = (e: Error) => {
    if (failure) return;
    failure = e;
    for (const t of threadsOut) {
      t.port.close();
      void t.worker.terminate();
    }
    fail(e);
  };
  /** Gives `t` chunks until it holds `IN_HAND`; tells it to stop when there are none left. */
  const refill = (t: Thread) => {
    while (t.inHand < IN_HAND && next < work.length) {
      const k = next++;
      const share = work[k];
      t.port.postMessage({
        chunk: k,
        files: share.map((i) => ({ path: files[i].path, text: files[i].text })),
        base: baseText ? share.map((i) => [files[i].path, baseText(files[i].path)]) : null,
      } satisfies ToWorker);
      t.inHand++;
    }
    if (t.inHand === 0 && !t.done) {
      t.done = true;
      t.port.postMessage({ done: true } satisfies ToWorker);
      if (allDone()) finish();
    }
  };
  const receive = (t: Thread, m: WorkerOutput) => {
    if (failure) return;
    if ('error' in m) {
      stop(new Error(m.error));
      return;
    }
    m.results.forEach((r, k) => {
      const i = work[m.chunk][k];
      // The engine's field order (path, format, findings, lines), not a spread.
      results[i] = r && { path: r.path, format: r.format, findings: r.findings, lines: new LineIndex(files[i].text) };
    });
    t.inHand--;
    refill(t);
  };

  for (let n = 0; n < workerCount; n++) {
    const { port1, port2 } = new MessageChannel();
    const input: WorkerInput = { iacLintWorker: true, config, fixEdits: options.fixEdits ?? true, port: port2 };
    const worker = new Worker(entry, { workerData: input, transferList: [port2], resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
    const t: Thread = { worker, port: port1, inHand: 0, done: false };
    threadsOut.push(t);
    worker.once('error', (e) => stop(e));
    worker.once('exit', (code) => {
      if (!t.done) stop(new Error(`a lint worker stopped (exit code ${code}) before it answered`));
    });
    refill(t);
  }
  /** What `t` finished and sent, taken without waiting (this thread does not yield while it lints). */
  const drain = (t: Thread) => {
    for (let m = receiveMessageOnPort(t.port); m && !failure; m = receiveMessageOnPort(t.port)) receive(t, m.message as WorkerOutput);
  };
  if (here) {
    // Between its own chunks this thread collects what the workers finished and hands them the next ones.
    while (next < work.length && !failure) {
      for (const i of work[next++]) results[i] = here(files[i]);
      threadsOut.forEach(drain);
    }
  }
  for (const t of threadsOut) {
    drain(t);
    if (!failure && !t.done) t.port.on('message', (m: WorkerOutput) => receive(t, m));
  }
  if (!failure && allDone()) finish();
  try {
    await finished;
  } finally {
    for (const t of threadsOut) t.port.close();
  }
  return results;
}

/** True in a thread that `lintInWorkers` started. */
export function isLintWorker(): boolean {
  return !isMainThread && (workerData as Partial<WorkerInput> | null)?.iacLintWorker === true;
}

/** The worker's side: lint each chunk as it comes, answer per chunk, until told it is done. */
export async function runLintWorker(): Promise<void> {
  const input = workerData as WorkerInput;
  const port = input.port;
  let engine: Engine;
  try {
    engine = await Engine.create(input.config, undefined, { incremental: false });
  } catch (e) {
    port.postMessage({ error: (e as Error).stack ?? String(e) } satisfies WorkerOutput);
    port.close();
    return;
  }
  port.on('message', (m: ToWorker) => {
    if ('done' in m) {
      port.close();
      return;
    }
    try {
      const disk = DiskWorkspace.snapshotOver(m.files);
      const base = m.base ? new Map(m.base) : null;
      const workspace: WorkspaceView = base
        ? { terraformFilesIn: (dir) => disk.terraformFilesIn(dir), baseText: (p) => base.get(p) ?? { kind: 'unavailable', reason: 'not fetched' } }
        : disk;
      const results = m.files.map((f): WireResult | null => {
        const r = engine.lint(f, workspace);
        if (r && !input.fixEdits) withoutFixEdits(r.findings);
        return r && { path: r.path, format: r.format, findings: r.findings };
      });
      port.postMessage({ chunk: m.chunk, results } satisfies WorkerOutput);
    } catch (e) {
      port.postMessage({ error: (e as Error).stack ?? String(e) } satisfies WorkerOutput);
      port.close();
    }
  });
}

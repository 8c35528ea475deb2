/**
 * `npm run fuzz`: the long robustness run. Every corpus file (fixtures, examples,
 * test/corpus) mutated FUZZ_SEEDS ways (default 40; test/robustness/mutate.ts),
 * the hostile documents and 20 MB files, each linted in a worker thread with a
 * heap limit (FUZZ_HEAP_MB, default 1024) and a time limit per file
 * (FUZZ_TIMEOUT_MS, default 15000). A file fails when the engine throws, a rule
 * fails (`internal-error`), a result is malformed, fix-all throws, the
 * incremental parse disagrees with a fresh one (the mutated text linted after the
 * original under the same path, against a fresh engine; broken Terraform aside,
 * where tree-sitter's error recovery depends on the previous tree), the worker runs out of
 * memory, or the file takes longer than the limit. Prints a summary (files, time,
 * slowest files, peak heap) and every failure with what replays it; exits 1 on any.
 *
 *   FUZZ_SEEDS=200 FUZZ_WORKERS=2 npm run fuzz
 */
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as v8 from 'node:v8';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { corpus, fuzzConfig, hostile, huge, mutate, problems, ROOT, type CorpusFile } from '../test/robustness/mutate';
import { fixFiles } from '../server/engine/fixer';
import { Engine, PARSE_ERROR, type LintResult } from '../server/engine/linter';
import type { SourceFile, WorkspaceView } from '../server/engine/types';

type Job =
  | { id: number; kind: 'mutation'; file: number; seed: number }
  | { id: number; kind: 'hostile'; index: number }
  | { id: number; kind: 'huge'; path: string };

interface Done {
  id: number;
  ms: number;
  problems: string[];
  heapMb: number;
  label: string;
}

const SEEDS = Number(process.env.FUZZ_SEEDS ?? 40);
const TIMEOUT_MS = Number(process.env.FUZZ_TIMEOUT_MS ?? 15000);
const HEAP_MB = Number(process.env.FUZZ_HEAP_MB ?? 1024);
const WORKERS = Math.max(1, Number(process.env.FUZZ_WORKERS ?? Math.min(2, os.cpus().length)));

function workspace(files: SourceFile[]): WorkspaceView {
  return { terraformFilesIn: (dir) => files.filter((f) => /\.tf$/i.test(f.path) && nodePath.dirname(f.path) === dir) };
}

function view(r: LintResult | null): string {
  if (!r) return 'null';
  return JSON.stringify(r.findings.map((f) => [f.ruleId, f.severity, f.range.start, f.range.end, f.message, f.resource, f.fixes]));
}

// ---------------------------------------------------------------------------
// Worker: lints what it is sent, one job at a time.

async function worker(): Promise<void> {
  const files = corpus();
  const hostiles = hostile();
  const warm = await Engine.create(fuzzConfig());
  parentPort!.on('message', async (job: Job) => {
    const t0 = performance.now();
    const out: string[] = [];
    let label = '';
    try {
      if (job.kind === 'huge') {
        label = `20 MB ${job.path}`;
        const text = huge(job.path, 20 * 1024 * 1024);
        out.push(...problems(job.path, text, warm.lint({ path: job.path, text }), () => undefined));
      } else {
        let file: CorpusFile;
        let text: string;
        if (job.kind === 'hostile') {
          const h = hostiles[job.index];
          file = { path: h.path, text: h.text, siblings: [] };
          text = h.text;
          label = `hostile: ${h.name}`;
        } else {
          file = files[job.file];
          const m = mutate(file.text, job.seed);
          text = m.text;
          label = `${nodePath.relative(ROOT, file.path)} ${m.how}`;
        }
        const all = [{ path: file.path, text }, ...file.siblings];
        const ws = workspace(all);
        const texts = (p: string) => all.find((f) => f.path === p)?.text;
        // The original first, then the mutation under the same path: the engine re-parses incrementally.
        warm.lint({ path: file.path, text: file.text }, workspace([{ path: file.path, text: file.text }, ...file.siblings]));
        const res = warm.lint({ path: file.path, text }, ws);
        out.push(...problems(file.path, text, res, texts));
        const fresh = (await Engine.create(fuzzConfig())).lint({ path: file.path, text }, ws);
        // tree-sitter recovers from a syntax error differently when it re-parses
        // incrementally: broken Terraform may differ there (the same text, once
        // it parses, never does).
        const tfBroken = /\.tf$/.test(file.path) && fresh?.findings.some((f) => f.ruleId === PARSE_ERROR);
        if (!tfBroken && view(res) !== view(fresh)) out.push('the incremental lint differs from a fresh one');
        const fixed = fixFiles(warm, [{ path: file.path, text }], ws, 3);
        for (const [p, t] of fixed.changed) {
          const after = workspace(all.map((f) => (f.path === p ? { path: p, text: t } : f)));
          out.push(...problems(p, t, warm.lint({ path: p, text: t }, after), texts).map((x) => `after fix-all: ${x}`));
        }
      }
    } catch (e) {
      out.push(`threw: ${(e as Error).stack ?? e}`);
    }
    const heapMb = v8.getHeapStatistics().used_heap_size / 1024 / 1024;
    parentPort!.postMessage({ id: job.id, ms: performance.now() - t0, problems: out, heapMb, label } satisfies Done);
  });
  parentPort!.postMessage('ready');
}

// ---------------------------------------------------------------------------
// Main: hands out jobs, enforces the time limit, restarts crashed workers.

async function main(): Promise<void> {
  const files = corpus();
  const jobs: Job[] = [];
  let id = 0;
  for (let f = 0; f < files.length; f++) for (let k = 0; k < SEEDS; k++) jobs.push({ id: id++, kind: 'mutation', file: f, seed: 1_000_003 * f + 7919 * k + 1 });
  hostile().forEach((_, index) => jobs.push({ id: id++, kind: 'hostile', index }));
  for (const p of ['/huge/main.tf', '/huge/Dockerfile', '/huge/t.yaml', '/huge/t.json']) jobs.push({ id: id++, kind: 'huge', path: p });
  const labelOf = (j: Job) => (j.kind === 'mutation' ? `${nodePath.relative(ROOT, files[j.file].path)} seed ${j.seed}` : j.kind === 'hostile' ? `hostile #${j.index}` : `20 MB ${j.path}`);
  console.log(`iac-lint fuzz: ${files.length} corpus files × ${SEEDS} mutations + ${jobs.length - files.length * SEEDS} hostile/huge files = ${jobs.length} files; ${WORKERS} workers, ${HEAP_MB} MB heap, ${TIMEOUT_MS} ms per file`);

  const failures: string[] = [];
  const times: { ms: number; label: string }[] = [];
  let peakHeap = 0;
  let next = 0;
  let done = 0;
  const started = performance.now();

  await new Promise<void>((resolveAll) => {
    let live = 0;
    const spawn = (): void => {
      live++;
      const w = new Worker(__filename, { workerData: { worker: true }, resourceLimits: { maxOldGenerationSizeMb: HEAP_MB } });
      let current: Job | null = null;
      let timer: NodeJS.Timeout | null = null;
      let closed = false;
      const give = (): void => {
        if (next >= jobs.length) {
          void w.terminate();
          return;
        }
        const job = jobs[next++];
        current = job;
        timer = setTimeout(() => {
          failures.push(`${labelOf(job)}: no result within ${TIMEOUT_MS} ms (hang)`);
          current = null;
          done++;
          void w.terminate();
        }, TIMEOUT_MS);
        w.postMessage(job);
      };
      w.on('message', (m: Done | 'ready') => {
        if (m === 'ready') return give();
        if (timer) clearTimeout(timer);
        current = null;
        done++;
        times.push({ ms: m.ms, label: m.label });
        peakHeap = Math.max(peakHeap, m.heapMb);
        for (const p of m.problems) failures.push(`${m.label}: ${p}`);
        if (done % 500 === 0) console.log(`  ${done}/${jobs.length} files, ${failures.length} failures, ${((performance.now() - started) / 1000).toFixed(0)} s`);
        give();
      });
      // A worker that hung (terminated), crashed or ran out of memory is replaced.
      const gone = (why: string): void => {
        if (closed) return;
        closed = true;
        if (timer) clearTimeout(timer);
        if (current) {
          failures.push(`${labelOf(current)}: worker ${why}`);
          current = null;
          done++;
        }
        live--;
        if (next < jobs.length) spawn();
        else if (live === 0) resolveAll();
      };
      w.on('error', (e) => gone(`crashed: ${e.message}`));
      w.on('exit', (code) => gone(`exited with code ${code} (out of memory?)`));
    };
    for (let i = 0; i < WORKERS; i++) spawn();
  });

  const total = (performance.now() - started) / 1000;
  times.sort((a, b) => b.ms - a.ms);
  console.log(`\n${done} files in ${total.toFixed(0)} s; peak heap of a worker ${peakHeap.toFixed(0)} MB`);
  console.log('slowest files (lint, incremental check and fix-all):');
  for (const t of times.slice(0, 8)) console.log(`  ${t.ms.toFixed(0).padStart(7)} ms  ${t.label}`);
  if (failures.length) {
    console.log(`\n${failures.length} failures:`);
    for (const f of failures.slice(0, 200)) console.log(`  ${f}`);
    process.exitCode = 1;
  } else {
    console.log('\nno failures');
  }
}

if (isMainThread) {
  void main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
} else if ((workerData as { worker?: boolean })?.worker) {
  void worker();
}

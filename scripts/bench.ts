/**
 * `npm run bench`: the performance figures of the README.
 *
 *   lsp   time from a one-character `didChange` to the matching
 *         `publishDiagnostics`, over the real server (dist/server.js) on stdio,
 *         typing into the middle of generated files of 1,000, 10,000 and 50,000
 *         lines; debounce 0 (the lint's own latency; BENCH_DEBOUNCE=30 for the
 *         editor default); median and p95 over 200 edits.
 *   cli   the CLI (dist/cli.js) over a generated workspace of 10,000 mixed files:
 *         files per second (wall clock, process start included) and peak memory;
 *         alternately the same scan with every rule off (what reading and parsing
 *         alone cost).
 *   cost  lint (parse + every rule + suppressions) against the bare parse, per
 *         format, on fresh text (no cache reuse), median of repeated runs: with
 *         the CLI's one-pass engine, and the editor's first lint of a document
 *         (which also records what later keystrokes reuse); with the mean
 *         garbage-collection pause of a parse and of a lint.
 *
 * `npm run bench -- lsp cost` runs only some parts. BENCH_SIZES, BENCH_EDITS,
 * BENCH_FILES, BENCH_DEBOUNCE override the defaults; BENCH_SERVER runs the lsp
 * part against another build's server (`path/to/dist/server.js`). The client
 * keeps only the latest publish per document, as an editor does. Content comes from
 * scripts/bench/generate.ts (realistic: many rules fire on it).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { LspClient } from '../test/helpers/lspClient';
import { ROOT } from '../test/helpers/engine';
import { Engine } from '../server/engine/linter';
import { parseCloudFormation } from '../server/engine/cloudformation/parser';
import { parseTerraform, releaseTree } from '../server/engine/terraform/parser';
import { parseDockerfile } from '../server/engine/dockerfile/parser';
import type { SourceFile } from '../server/engine/types';
import { rules as allRules } from '../rules';
import { cloudFormationJson, cloudFormationYaml, dockerfile, terraform, TF_VARIABLES, writeWorkspace } from './bench/generate';

interface Format {
  name: string;
  file: (lines: number) => string;
  languageId: string;
  generate: (lines: number) => string;
  /** Where the benchmark types: the end of this marker, in the middle of the file. */
  marker: (text: string) => number;
}

/** The end of the `needle(i)` nearest the middle of the text. */
function middle(text: string, needle: (i: number) => string): number {
  let best = -1;
  for (let i = 0; ; i++) {
    const at = text.indexOf(needle(i));
    if (at < 0) break;
    if (best < 0 || Math.abs(at - text.length / 2) < Math.abs(best - text.length / 2)) best = at + needle(i).length;
    if (at > text.length / 2) break;
  }
  if (best < 0) throw new Error('marker not found');
  return best;
}

const FORMATS: Format[] = [
  { name: 'CloudFormation YAML', file: (n) => `cfn${n}/template.yaml`, languageId: 'yaml', generate: cloudFormationYaml, marker: (t) => middle(t, (i) => `GroupDescription: web tier ${i}\n`) - 1 },
  { name: 'CloudFormation JSON', file: (n) => `cfnjson${n}/template.json`, languageId: 'json', generate: cloudFormationJson, marker: (t) => middle(t, (i) => `"GroupDescription": "web tier ${i}"`) - 1 },
  { name: 'Terraform', file: (n) => `tf${n}/main.tf`, languageId: 'terraform', generate: terraform, marker: (t) => middle(t, (i) => `description = "web tier ${i}"`) - 1 },
  { name: 'Dockerfile', file: (n) => `df${n}/Dockerfile`, languageId: 'dockerfile', generate: dockerfile, marker: (t) => middle(t, (i) => `config/ /opt/app-${i}/config/`) },
];

function stats(xs: number[]): { median: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1] };
}

const fmt = (n: number, w = 8, d = 1) => n.toFixed(d).padStart(w);
const commas = (n: number) => n.toLocaleString('en-US');

async function benchLsp(sizes: number[], edits: number, debounce: number): Promise<void> {
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'iac-lint-bench-'));
  // BENCH_SERVER: another build's dist/server.js, to compare builds with the same client.
  const client = new LspClient(process.env.BENCH_SERVER || undefined, { keepLog: false });
  const settings = { lintDebounceMs: debounce, workspaceScan: 'off' };
  await client.initialize(dir, { lintDebounceMs: debounce, settings });
  console.log(`\n## lsp: didChange → publishDiagnostics, ${edits} one-character edits typed into the middle of the file, debounce ${debounce} ms`);
  console.log('| format | lines | diagnostics | open ms | median ms | p95 ms | max ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const lines of sizes) {
    for (const f of FORMATS) {
      const path = nodePath.join(dir, f.file(lines));
      fs.mkdirSync(nodePath.dirname(path), { recursive: true });
      if (f.languageId === 'terraform') fs.writeFileSync(nodePath.join(nodePath.dirname(path), 'variables.tf'), TF_VARIABLES);
      const text = f.generate(lines);
      const uri = pathToFileURL(path).href;
      const t0 = performance.now();
      const diags = await client.open(uri, f.languageId, text);
      const openMs = performance.now() - t0;
      let cursor = f.marker(text);
      const li = text.slice(0, cursor).split('\n');
      const line = li.length - 1;
      let character = li[li.length - 1].length;
      const times: number[] = [];
      for (let v = 2; v < edits + 2; v++) {
        const ch = String.fromCharCode(97 + (v % 26));
        const t = performance.now();
        await client.change(uri, v, [{ range: { start: { line, character }, end: { line, character } }, text: ch }]);
        times.push(performance.now() - t);
        character++;
        cursor++;
      }
      await client.close(uri);
      const r = stats(times);
      console.log(`| ${f.name} | ${commas(text.split('\n').length)} | ${diags.length} | ${fmt(openMs, 0, 0)} | ${fmt(r.median, 0)} | ${fmt(r.p95, 0)} | ${fmt(r.max, 0)} |`);
    }
  }
  await client.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

function benchCli(files: number): void {
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'iac-lint-bench-ws-'));
  const counts = writeWorkspace(dir, files);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const preload = nodePath.join(dir, '..', `iac-lint-bench-rss-${process.pid}.cjs`);
  fs.writeFileSync(preload, "process.on('exit', () => { require('fs').writeSync(2, '\\nBENCH_RSS ' + process.resourceUsage().maxRSS + '\\n'); });\n");
  const report = nodePath.join(dir, '..', `iac-lint-bench-report-${process.pid}.json`);
  // The floor the parsers set: the same scan with every rule off (each file is
  // still read, parsed and checked for syntax errors and suppressions).
  const rulesOff = nodePath.join(dir, '..', `iac-lint-bench-rules-off-${process.pid}.yaml`);
  fs.writeFileSync(rulesOff, `rules:\n${allRules.map((r) => `  ${r.id}: off\n`).join('')}`);
  console.log(`\n## cli: \`iac-lint <workspace> --format json\` over ${commas(total)} files (${Object.entries(counts).map(([k, v]) => `${commas(v)} ${k}`).join(', ')})`);
  console.log('"every rule off" is the same scan with a configuration that turns all rules off: what reading and parsing alone cost.');
  console.log('| run | wall s | files/s | peak RSS MB | files linted | findings |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const runs: [string, string[]][] = [['1', []], ['every rule off', ['--config', rulesOff]], ['2', []], ['every rule off', ['--config', rulesOff]]];
  for (const [label, extra] of runs) {
    const t0 = performance.now();
    const res = spawnSync(process.execPath, ['--require', preload, nodePath.join(ROOT, 'dist', 'cli.js'), dir, '--format', 'json', '--fail-on', 'off', '-o', report, ...extra], {
      cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28,
    });
    const wall = (performance.now() - t0) / 1000;
    if (res.status !== 0) throw new Error(`cli exited ${res.status}: ${res.stderr.slice(-2000)}`);
    const rss = Number(/BENCH_RSS (\d+)/.exec(res.stderr)?.[1] ?? NaN) / 1024;
    const json = JSON.parse(fs.readFileSync(report, 'utf8')) as { files: { findings: unknown[] }[] };
    const findings = json.files.reduce((a, f) => a + f.findings.length, 0);
    console.log(`| ${label} | ${fmt(wall, 0, 2)} | ${fmt(total / wall, 0, 0)} | ${fmt(rss, 0, 0)} | ${commas(json.files.length)} | ${commas(findings)} |`);
  }
  fs.rmSync(preload, { force: true });
  fs.rmSync(report, { force: true });
  fs.rmSync(rulesOff, { force: true });
  fs.rmSync(dir, { recursive: true, force: true });
}

async function benchCost(sizes: number[]): Promise<void> {
  // The CLI's one-pass engine, and the language server's, which also keeps what
  // the next keystroke reuses (its first lint of a document pays for that).
  // Its Terraform cache holds the module (the file and variables.tf), so that each
  // lint frees the tree it drops, as the bare parse below frees its own.
  const oneShot = await Engine.create(undefined, undefined, { incremental: false, terraformCacheFiles: 2 });
  const editor = await Engine.create();
  console.log('\n## cost: full lint (parse + all rules + suppressions) against the bare parse, fresh text each run');
  console.log('GC columns: mean garbage-collection pause per run (the collector runs when allocation fills the young generation, and copies what is still live).');
  console.log('| format | lines | parse ms | parse GC ms | lint ms (CLI, one pass) | lint GC ms | lint / parse | first lint ms (editor) | first lint / parse |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  let serial = 0;
  // Garbage collections, to tell how much of a lint is the collector's: V8
  // reports them asynchronously, with their start time, so each timed run keeps
  // its window and the collections are matched to the windows afterwards.
  const gcs: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push(e);
  });
  observer.observe({ entryTypes: ['gc'] });
  const flush = () => new Promise((resolve) => setTimeout(resolve, 20));
  const time = async (f: () => unknown, runs: number): Promise<{ median: number; gc: number }> => {
    const xs: number[] = [];
    const windows: [number, number][] = [];
    await flush();
    gcs.length = 0;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      f();
      const end = performance.now();
      xs.push(end - t);
      windows.push([t, end]);
    }
    await flush();
    let gc = 0;
    for (const e of gcs) if (windows.some(([a, b]) => e.startTime >= a && e.startTime < b)) gc += e.duration;
    return { median: stats(xs).median, gc: gc / runs };
  };
  for (const lines of sizes) {
    const runs = lines >= 50000 ? 3 : lines >= 10000 ? 7 : 21;
    for (const f of FORMATS) {
      const base = f.generate(lines);
      const dir = `/bench/${f.name.replace(/\W/g, '')}`;
      const name = nodePath.basename(f.file(lines));
      const fresh = () => base;
      const variables: SourceFile = { path: `${dir}/variables.tf`, text: TF_VARIABLES };
      const ws = { terraformFilesIn: (d: string) => (d === dir ? [variables] : []) };
      const parse = f.languageId === 'terraform'
        // Each tree freed, as the one-pass engine frees the trees its cache drops: trees
        // left to the finalizer pile up in a synchronous loop and slow later parses by 10-20%.
        ? () => releaseTree(parseTerraform(`${dir}/${name}`, fresh()))
        : f.languageId === 'dockerfile'
          ? () => parseDockerfile(`${dir}/${name}`, fresh())
          : () => parseCloudFormation(`${dir}/${name}`, fresh());
      // A new path every run: the engine's per-path incremental caches never apply.
      const lintWith = (engine: Engine) => () => engine.lint({ path: `${dir}${serial++}/${name}`, text: fresh() }, {
        terraformFilesIn: (d: string) => ws.terraformFilesIn(d.replace(/\d+$/, '')),
      });
      const lint = lintWith(oneShot);
      const first = lintWith(editor);
      await time(parse, 2);
      await time(lint, 2);
      await time(first, 2);
      const p = await time(parse, runs);
      const l = await time(lint, runs);
      const e = await time(first, runs);
      console.log(`| ${f.name} | ${commas(base.split('\n').length)} | ${fmt(p.median, 0)} | ${fmt(p.gc, 0)} | ${fmt(l.median, 0)} | ${fmt(l.gc, 0)} | ${fmt(l.median / p.median, 0, 2)} | ${fmt(e.median, 0)} | ${fmt(e.median / p.median, 0, 2)} |`);
    }
  }
  observer.disconnect();
}

async function main(): Promise<void> {
  const parts = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const want = (p: string) => parts.length === 0 || parts.includes(p);
  const sizes = (process.env.BENCH_SIZES ?? '1000,10000,50000').split(',').map(Number);
  const edits = Number(process.env.BENCH_EDITS ?? 200);
  const files = Number(process.env.BENCH_FILES ?? 10000);
  const debounce = Number(process.env.BENCH_DEBOUNCE ?? 0);
  console.log(`# iac-lint bench — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString().slice(0, 10)}`);
  if (want('lsp')) await benchLsp(sizes, edits, debounce);
  if (want('cli')) benchCli(files);
  if (want('cost')) await benchCost(sizes.filter((s) => s <= 10000));
}

void main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});

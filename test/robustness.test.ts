/**
 * Robustness, the fast slice (`npm run fuzz` runs the long one, scripts/fuzz.ts):
 * every fixture, example and corpus file mutated a few ways (test/robustness/
 * mutate.ts), the hostile documents (deep nesting, alias bombs, binary files
 * named like IaC, unterminated heredocs) and files over the size limit. The
 * engine must never throw, no rule may fail, and every result must be well
 * formed. No timings are asserted here: the fuzz run bounds the time per file.
 */
import * as assert from 'node:assert/strict';
import * as nodePath from 'node:path';
import { fixFiles } from '../server/engine/fixer';
import { clearFacts } from '../server/engine/memo';
import { Engine, FILE_TOO_LARGE, PARSE_ERROR } from '../server/engine/linter';
import type { SourceFile, WorkspaceView } from '../server/engine/types';
import { dockerfile as generatedDockerfile } from '../scripts/bench/generate';
import { rng } from './helpers/random';
import { ROOT, corpus, fuzzConfig, hostile, huge, mutate, problems, type CorpusFile } from './robustness/mutate';

function workspace(files: SourceFile[]): WorkspaceView {
  return { terraformFilesIn: (dir) => files.filter((f) => /\.tf$/i.test(f.path) && nodePath.dirname(f.path) === dir) };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Lints `text` as `file.path` (with its module siblings) and returns the problems with the result. */
function check(engine: Engine, file: CorpusFile, text: string, fix: boolean): string[] {
  const files = [{ path: file.path, text }, ...file.siblings];
  const ws = workspace(files);
  const texts = (p: string) => files.find((f) => f.path === p)?.text;
  let out: string[];
  try {
    out = problems(file.path, text, engine.lint({ path: file.path, text }, ws), texts);
  } catch (e) {
    return [`lint threw: ${(e as Error).stack}`];
  }
  if (fix) {
    try {
      const fixed = fixFiles(engine, [{ path: file.path, text }], ws, 3);
      for (const [p, t] of fixed.changed) {
        const res = engine.lint({ path: p, text: t }, workspace(files.map((f) => (f.path === p ? { path: p, text: t } : f))));
        out.push(...problems(p, t, res, texts).map((x) => `after fix-all: ${x}`));
      }
    } catch (e) {
      out.push(`fix-all threw: ${(e as Error).stack}`);
    }
  }
  return out;
}

describe('robustness (fast slice; npm run fuzz for the long run)', function () {
  this.timeout(120000);
  let engine: Engine;
  const files = corpus();

  before(async () => {
    engine = await Engine.create(fuzzConfig());
  });

  it('has a corpus of every format', () => {
    assert.ok(files.length > 300, `only ${files.length} files`);
    for (const ext of [/\.ya?ml$/, /\.json$/, /\.tf$/, /(Dockerfile|\.dockerfile)$/]) assert.ok(files.some((f) => ext.test(f.path)), String(ext));
  });

  it('lints every corpus file mutated three ways: no throw, no failing rule, well-formed results', () => {
    const failures: string[] = [];
    let linted = 0;
    for (const file of files) {
      const base = hash(nodePath.relative(ROOT, file.path));
      for (let k = 0; k < 3; k++) {
        const m = mutate(file.text, base + k);
        for (const p of check(engine, file, m.text, k === 0)) failures.push(`${nodePath.relative(ROOT, file.path)} ${m.how}: ${p}`);
        linted++;
      }
    }
    assert.ok(linted >= files.length * 3);
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} problems`);
  });

  it('re-lints an edited file as a fresh engine lints it (incremental parse, reused findings)', async () => {
    const failures: string[] = [];
    const view = (r: ReturnType<Engine['lint']>) => JSON.stringify(r?.findings.map((f) => [f.ruleId, f.severity, f.range, f.message, f.resource, f.fixes]) ?? null);
    for (const file of files) {
      const m = mutate(file.text, hash(nodePath.relative(ROOT, file.path)) + 7);
      const before = workspace([{ path: file.path, text: file.text }, ...file.siblings]);
      const after = workspace([{ path: file.path, text: m.text }, ...file.siblings]);
      engine.lint({ path: file.path, text: file.text }, before);
      const warm = engine.lint({ path: file.path, text: m.text }, after);
      const cold = (await Engine.create(fuzzConfig())).lint({ path: file.path, text: m.text }, after);
      // tree-sitter recovers from syntax errors differently when re-parsing incrementally.
      if (/\.tf$/.test(file.path) && cold?.findings.some((f) => f.ruleId === PARSE_ERROR)) continue;
      if (view(warm) !== view(cold)) failures.push(`${nodePath.relative(ROOT, file.path)} ${m.how}`);
    }
    assert.deepEqual(failures, []);
  });

  it('re-lints Terraform edited block by block (moved block models, per-block facts) as a fresh engine lints it', async () => {
    // Edits that keep a file valid: unchanged blocks are reused from the previous
    // parse, moved; per-block facts and findings are replayed by block text.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const gen = require('../scripts/bench/generate') as typeof import('../scripts/bench/generate');
    const view = (r: ReturnType<Engine['lint']>) => JSON.stringify(r?.findings.map((f) => [f.ruleId, f.severity, f.range, f.message, f.resource, f.fixes]) ?? null);
    const tfFiles: CorpusFile[] = [
      { path: '/gen/mod/main.tf', text: gen.terraform(300), siblings: [{ path: '/gen/mod/variables.tf', text: gen.TF_VARIABLES }] },
      ...files.filter((f) => /\.tf$/.test(f.path)).filter((_, i) => i % 3 === 0),
    ];
    const failures: string[] = [];
    let valid = 0;
    for (const file of tfFiles) {
      const rand = rng(hash(nodePath.relative(ROOT, file.path)) + 3);
      let text = file.text;
      const warm = await Engine.create(fuzzConfig());
      warm.lint({ path: file.path, text }, workspace([{ path: file.path, text }, ...file.siblings]));
      for (let i = 0; i < 6; i++) {
        const blocks = [...text.matchAll(/^(resource|data|variable|locals|module|output)\b[^\n]*\{\n(?:.*\n)*?\}\n/gm)].map((m) => ({ start: m.index!, end: m.index! + m[0].length }));
        const r = rand();
        if (blocks.length && r < 0.3) {
          const b = blocks[Math.floor(rand() * blocks.length)];
          text = text.slice(0, b.start) + text.slice(b.start, b.end).replace(/"([a-z_]+)" \{/, '"$1_copy" {') + '\n' + text.slice(b.start);
        } else if (blocks.length > 1 && r < 0.4) {
          const b = blocks[Math.floor(rand() * blocks.length)];
          text = text.slice(0, b.start) + text.slice(b.end);
        } else if (r < 0.55) {
          const at = blocks.length ? blocks[Math.floor(rand() * blocks.length)].start : 0;
          text = text.slice(0, at) + '\n# edited\n' + text.slice(at);
        } else {
          const quotes = [...text.matchAll(/= "/g)].map((m) => m.index! + 3);
          if (!quotes.length) continue;
          const at = quotes[Math.floor(rand() * quotes.length)];
          text = text.slice(0, at) + 'ax/~.'[Math.floor(rand() * 5)] + text.slice(at);
        }
        const ws = workspace([{ path: file.path, text }, ...file.siblings]);
        const a = warm.lint({ path: file.path, text }, ws);
        // Facts cached by text are shared by engines: forgotten before every other
        // fresh lint, so that both reused and recomputed facts are compared.
        if (i % 2 === 1) clearFacts();
        const b = (await Engine.create(fuzzConfig())).lint({ path: file.path, text }, ws);
        if (!a?.findings.some((f) => f.ruleId === PARSE_ERROR)) valid++;
        if (view(a) !== view(b)) failures.push(`${nodePath.relative(ROOT, file.path)} edit ${i}`);
      }
    }
    assert.ok(valid > 50, `only ${valid} valid edits`);
    assert.deepEqual(failures, []);
  });

  it('re-lints CloudFormation through a sequence of edits and an undo as a fresh engine lints each version', async () => {
    // Pieces, unit texts and memo ids are kept by parse node across lints: every step must still equal a cold lint.
    const failures: string[] = [];
    const view = (r: ReturnType<Engine['lint']>) => JSON.stringify(r?.findings.map((f) => [f.ruleId, f.severity, f.range, f.message, f.resource, f.fixes]) ?? null);
    const warmEngine = await Engine.create(fuzzConfig());
    let checked = 0;
    for (const file of files) {
      if (!/\.(ya?ml|json)$/.test(file.path)) continue;
      const seed = hash(nodePath.relative(ROOT, file.path));
      const one = mutate(file.text, seed + 11).text;
      const two = mutate(one, seed + 13).text;
      // A one-character insertion in the middle, as typing does.
      const mid = file.text.length >> 1;
      const typed = `${file.text.slice(0, mid)}x${file.text.slice(mid)}`;
      for (const [step, text] of [['original', file.text], ['edit 1', one], ['edit 2', two], ['undo', file.text], ['typed', typed], ['original again', file.text]] as const) {
        const ws = workspace([{ path: file.path, text }, ...file.siblings]);
        const warm = warmEngine.lint({ path: file.path, text }, ws);
        const cold = (await Engine.create(fuzzConfig())).lint({ path: file.path, text }, ws);
        if (view(warm) !== view(cold)) failures.push(`${nodePath.relative(ROOT, file.path)} ${step}`);
      }
      checked++;
    }
    assert.ok(checked > 50, String(checked));
    assert.deepEqual(failures, []);
  });

  it('re-lints a multi-stage Dockerfile, edit after edit, as a fresh engine lints it (chunked parse, per-chunk caches)', async () => {
    const failures: string[] = [];
    const view = (r: ReturnType<Engine['lint']>) => JSON.stringify(r?.findings.map((f) => [f.ruleId, f.severity, f.range, f.message, f.resource, f.fixes]) ?? null);
    const multi = files.filter((f) => /(Dockerfile|\.dockerfile)$/.test(f.path) && (f.text.match(/^from\s/gim) ?? []).length >= 2);
    assert.ok(multi.length >= 5, `only ${multi.length} multi-stage Dockerfiles`);
    const texts = [{ name: 'generated', text: generatedDockerfile(200) }, ...multi.map((f) => ({ name: nodePath.relative(ROOT, f.path), text: f.text }))];
    const warmEngine = await Engine.create(fuzzConfig());
    for (const { name, text: original } of texts) {
      const path = '/edits/Dockerfile';
      let text = original;
      warmEngine.lint({ path, text });
      for (let k = 0; k < 6; k++) {
        // Alternate the fuzzer's mutations with typing in the middle of the file.
        if (k % 2 === 0) text = mutate(text, hash(name) + k).text;
        else {
          const at = text.indexOf('\n', Math.floor(text.length / 2)) + 1;
          text = text.slice(0, at) + 'RUN apt-get install -y x\n' + text.slice(at);
        }
        const warm = warmEngine.lint({ path, text });
        const cold = (await Engine.create(fuzzConfig())).lint({ path, text });
        if (view(warm) !== view(cold)) failures.push(`${name} edit ${k}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  for (const h of hostile()) {
    it(`survives ${h.name}`, () => {
      const file: CorpusFile = { path: h.path, text: h.text, siblings: [] };
      assert.deepEqual(check(engine, file, h.text, true), []);
    });
  }

  it('gives a file over the size limit one information finding instead of a lint', () => {
    for (const name of ['big/main.tf', 'big/Dockerfile', 'big.yaml', 'big.json']) {
      const path = `/hostile/${name}`;
      const text = huge(path, 20 * 1024 * 1024);
      const res = engine.lint({ path, text });
      assert.ok(res, name);
      assert.deepEqual(problems(path, text, res, () => undefined), []);
      assert.deepEqual(res.findings.map((f) => [f.ruleId, f.severity, f.range.start, f.range.end]), [[FILE_TOO_LARGE, 'info', 0, 0]], name);
      assert.match(res.findings[0].message, /20\.0 MB.*4096 KB.*maxFileSizeKB/);
    }
    // Big YAML that is no template stays no template.
    assert.equal(engine.lint({ path: '/hostile/data.yaml', text: 'key: value\n'.repeat(500000) }), null);
  });

  it('takes the size limit from the configuration', async () => {
    const config = fuzzConfig();
    config.options.maxFileSizeKB = 1;
    const small = await Engine.create(config);
    const text = 'resource "aws_instance" "web" {\n  ami = "ami-1"\n}\n';
    assert.notEqual(small.lint({ path: '/x/main.tf', text })?.findings[0]?.ruleId, FILE_TOO_LARGE);
    const res = small.lint({ path: '/x/main.tf', text: text.repeat(40) });
    assert.deepEqual(res?.findings.map((f) => f.ruleId), [FILE_TOO_LARGE]);
    assert.match(res!.findings[0].message, /limit of 1 KB/);
  });
});

/**
 * The CLI's lint on worker threads (server/cli/parallel.ts) reports exactly what a
 * serial lint reports: same findings, same order, same exit code, including the
 * cross-file rules (Terraform modules) and the comparison with a git base.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { chunks, lintInWorkers, workerCount, PARALLEL_MIN_FILES } from '../../server/cli/parallel';
import { defaultConfig } from '../../server/engine/config';
import { Engine } from '../../server/engine/linter';
import { DiskWorkspace } from '../../server/engine/workspace';
import { ROOT } from '../helpers/engine';
import { ROLE_AND_GROUP } from '../helpers/templates';
import { TempDir, gitAvailable } from './run';

/** Copies the rule fixtures (without snapshots) and the examples: every format, modules, broken files. */
function copyCorpus(to: string): number {
  let n = 0;
  const copy = (from: string, dest: string) => {
    for (const e of fs.readdirSync(from, { withFileTypes: true })) {
      const src = nodePath.join(from, e.name);
      const dst = nodePath.join(dest, e.name);
      if (e.isDirectory()) copy(src, dst);
      else if (!/\.(findings|fixed)$/.test(e.name)) {
        fs.mkdirSync(dest, { recursive: true });
        fs.copyFileSync(src, dst);
        n++;
      }
    }
  };
  copy(nodePath.join(ROOT, 'test', 'fixtures'), nodePath.join(to, 'fixtures'));
  copy(nodePath.join(ROOT, 'examples'), nodePath.join(to, 'examples'));
  return n;
}

/** Every file under the folders, read. */
function sourcesIn(...dirs: string[]): { path: string; text: string }[] {
  const paths: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = nodePath.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else paths.push(p);
    }
  };
  for (const d of dirs) walk(d);
  return paths.map((path) => ({ path, text: fs.readFileSync(path, 'utf8') }));
}

describe('CLI on worker threads', function () {
  this.timeout(180000);
  let t: TempDir;
  before(() => {
    t = new TempDir('iac-lint-parallel-');
    assert.ok(copyCorpus(t.path) > PARALLEL_MIN_FILES);
  });
  after(() => t.remove());

  it('reports what a serial run reports, in the same order (JSON and SARIF)', () => {
    for (const format of ['json', 'sarif']) {
      const serial = t.cli(['.', '--format', format], { env: { IAC_LINT_WORKERS: '1' }, maxBuffer: 1 << 28 });
      const parallel = t.cli(['.', '--format', format], { env: { IAC_LINT_WORKERS: '3' }, maxBuffer: 1 << 28 });
      assert.equal(parallel.stderr, serial.stderr);
      assert.equal(parallel.status, serial.status);
      assert.equal(serial.status, 1);
      if (format === 'json') {
        const files = (JSON.parse(serial.stdout) as { files: { findings: unknown[] }[] }).files;
        assert.ok(files.length > PARALLEL_MIN_FILES, `${files.length} files`);
        assert.ok(files.some((f) => f.findings.length > 0));
      }
      assert.equal(parallel.stdout, serial.stdout);
    }
  });

  it('compares with the git base in the workers too', function () {
    if (!gitAvailable()) this.skip();
    const g = new TempDir('iac-lint-parallel-git-');
    try {
      copyCorpus(g.path);
      const template = 'examples/cloudformation/widen.yaml';
      g.write(template, ROLE_AND_GROUP);
      g.git('init', '-q');
      g.git('add', '-A');
      g.git('commit', '-q', '-m', 'base');
      g.write(template, ROLE_AND_GROUP.replace('Action: s3:GetObject', 'Action: s3:*'));
      const args = ['.', '--format', 'json', '--diff-base', 'HEAD'];
      const serial = g.cli(args, { env: { IAC_LINT_WORKERS: '1' }, maxBuffer: 1 << 28 });
      const parallel = g.cli(args, { env: { IAC_LINT_WORKERS: '2' }, maxBuffer: 1 << 28 });
      const broadening = (out: string) => (JSON.parse(out) as { files: { path: string; findings: { ruleId: string }[] }[] }).files
        .filter((f) => f.findings.some((x) => x.ruleId === 'iam-permission-broadening')).map((f) => f.path);
      assert.deepEqual(broadening(serial.stdout), [template]);
      assert.equal(parallel.stdout, serial.stdout);
      assert.equal(parallel.status, serial.status);
    } finally {
      g.remove();
    }
  });

  it('lints in worker threads what the engine lints here, findings and positions alike', async () => {
    const sources = sourcesIn(nodePath.join(t.path, 'fixtures'));
    const engine = await Engine.create(defaultConfig());
    const here = sources.map((s) => engine.lint(s, new DiskWorkspace()));
    const there = await lintInWorkers(nodePath.join(ROOT, 'out', 'server', 'cli.js'), sources, defaultConfig(), 2, undefined);
    assert.equal(there.length, here.length);
    let findings = 0;
    here.forEach((r, i) => {
      const w = there[i];
      if (!r) return assert.equal(w, null, sources[i].path);
      assert.ok(w, sources[i].path);
      assert.deepEqual(w.findings, r.findings, sources[i].path);
      assert.equal(w.format, r.format);
      assert.deepEqual(w.lines.lineStarts, r.lines.lineStarts);
      findings += r.findings.length;
    });
    assert.ok(findings > 100, `${findings} findings`);
  });

  it('lints one share on the calling thread next to the workers', async () => {
    const sources = sourcesIn(nodePath.join(t.path, 'examples'), nodePath.join(t.path, 'fixtures', 'ec2-imdsv2-required'));
    const engine = await Engine.create(defaultConfig(), undefined, { incremental: false });
    const ws = new DiskWorkspace();
    const serial = sources.map((s) => engine.lint(s, ws));
    const localPaths: string[] = [];
    const mixed = await lintInWorkers(nodePath.join(ROOT, 'out', 'server', 'cli.js'), sources, defaultConfig(), 2, undefined, (s) => {
      localPaths.push(s.path);
      return engine.lint(s, ws);
    });
    assert.ok(localPaths.length > 0 && localPaths.length < sources.length, `${localPaths.length} of ${sources.length} here`);
    let findings = 0;
    serial.forEach((r, i) => {
      assert.deepEqual(mixed[i]?.findings ?? null, r?.findings ?? null, sources[i].path);
      findings += r?.findings.length ?? 0;
    });
    assert.ok(findings > 20, `${findings} findings`);
  });

  it('drops fixes\' edits in the workers when asked, keeping every fix\'s title and kind', async () => {
    const sources = sourcesIn(nodePath.join(t.path, 'fixtures'));
    const engine = await Engine.create(defaultConfig(), undefined, { incremental: false });
    const serial = sources.map((s) => engine.lint(s, new DiskWorkspace()));
    const there = await lintInWorkers(nodePath.join(ROOT, 'out', 'server', 'cli.js'), sources, defaultConfig(), 2, undefined, undefined, { fixEdits: false });
    let edits = 0;
    serial.forEach((r, i) => {
      const w = there[i];
      if (!r) return assert.equal(w, null, sources[i].path);
      const bare = r.findings.map((f) => ({ ...f, fixes: f.fixes.map((x) => ({ title: x.title, kind: x.kind, changes: [] })) }));
      edits += r.findings.reduce((a, f) => a + f.fixes.reduce((b, x) => b + x.changes.length, 0), 0);
      assert.deepEqual(w!.findings, bare, sources[i].path);
    });
    assert.ok(edits > 50, `${edits} fix edits dropped`);
  });

  it('fails, instead of waiting for ever, when a worker stops without answering', async () => {
    const sources = sourcesIn(nodePath.join(t.path, 'examples'));
    const entry = nodePath.join(t.path, 'quits.js');
    fs.writeFileSync(entry, 'process.exit(3);\n');
    const engine = await Engine.create(defaultConfig(), undefined, { incremental: false });
    await assert.rejects(lintInWorkers(entry, sources, defaultConfig(), 2, undefined), /stopped \(exit code 3\)/);
    await assert.rejects(lintInWorkers(entry, sources, defaultConfig(), 2, undefined, (s) => engine.lint(s, new DiskWorkspace())), /stopped \(exit code 3\)/);
  });

  it('cuts the files into chunks in input order, a Terraform folder whole in one chunk, every file once', () => {
    const files = [
      { path: '/w/a/main.tf', text: 'x'.repeat(5000) },
      { path: '/w/b/template.yaml', text: 'x'.repeat(4000) },
      { path: '/w/a/vars.tf', text: 'x'.repeat(100) },
      { path: '/w/c/Dockerfile', text: 'x'.repeat(3000) },
      { path: '/w/b/other.yaml', text: 'x'.repeat(2000) },
      { path: '/w/c/main.tf', text: 'x'.repeat(1000) },
    ];
    const c = chunks(files, 2);
    assert.deepEqual(c.flat().sort(), [0, 1, 2, 3, 4, 5]);
    assert.ok(c.length >= 4, `${c.length} chunks`);
    const chunkOf = (i: number) => c.findIndex((x) => x.includes(i));
    assert.equal(chunkOf(0), chunkOf(2));
    assert.notEqual(chunkOf(0), chunkOf(1));
    for (const x of c) assert.deepEqual(x, [...x].sort((a, b) => a - b));
    for (let k = 1; k < c.length; k++) assert.ok(c[k - 1][0] < c[k][0], 'chunks in input order');
    // Many files: chunks of a bounded size, enough of them for eight per thread.
    const many = Array.from({ length: 4000 }, (_, i) => ({ path: `/w/m${i % 50}/f${i}.${i % 3 ? 'tf' : 'yaml'}`, text: 'y'.repeat(1000 + (i % 7) * 500) }));
    const m = chunks(many, 4);
    assert.deepEqual(m.flat().sort((a, b) => a - b), many.map((_, i) => i));
    assert.ok(m.length >= 32, `${m.length} chunks`);
  });

  it('uses workers only when they pay, or as IAC_LINT_WORKERS says', () => {
    assert.equal(workerCount(10, {}, 16), 0);
    assert.equal(workerCount(5000, {}, 1), 0);
    assert.equal(workerCount(5000, {}, 2), 2);
    assert.equal(workerCount(5000, {}, 4), 4);
    assert.equal(workerCount(5000, {}, 64), 8);
    assert.equal(workerCount(5000, { IAC_LINT_WORKERS: '1' }), 0);
    assert.equal(workerCount(5000, { IAC_LINT_WORKERS: '3' }), 3);
    assert.equal(workerCount(2, { IAC_LINT_WORKERS: '4' }), 2);
  });
});

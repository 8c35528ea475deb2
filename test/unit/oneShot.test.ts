/**
 * The CLI's one-pass engine (`incremental: false`: no per-document memo, no
 * parse pieces, no facts cached by text) must find exactly what the language
 * server's incremental engine finds, fixes included: on every fixture, corpus
 * file and example, and on a document whose text changes under the same path.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { rules } from '../../rules';
import { defaultConfig } from '../../server/engine/config';
import { Engine, candidateFormat, type LintResult } from '../../server/engine/linter';
import type { SourceFile } from '../../server/engine/types';
import { liveTreeCount } from '../../server/engine/terraform/parser';
import { ROOT, memoryWorkspace, read } from '../helpers/engine';

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = nodePath.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (candidateFormat(p) && !/\.(findings|fixed|base)$/.test(p)) out.push(p);
  }
  return out;
}

/** Findings as compared: everything but object identity. */
const view = (r: LintResult | null) => (r ? { format: r.format, findings: r.findings } : null);

describe('one-pass engine (CLI) against the incremental engine (language server)', function () {
  this.timeout(300000);
  let incremental: Engine;
  let oneShot: Engine;
  before(async () => {
    incremental = await Engine.create(defaultConfig(), rules);
    oneShot = await Engine.create(defaultConfig(), rules, { incremental: false });
  });

  it('finds the same on every fixture, corpus file and example', () => {
    const paths = ['test/fixtures', 'test/corpus', 'examples'].flatMap((d) => walk(nodePath.join(ROOT, d))).sort();
    assert.ok(paths.length > 300, `${paths.length} files`);
    const files: SourceFile[] = paths.map((p) => ({ path: p, text: read(p) }));
    const ws = memoryWorkspace(files);
    let compared = 0;
    for (const f of files) {
      const a = view(incremental.lint(f, ws));
      const b = view(oneShot.lint(f, ws));
      assert.deepEqual(b, a, f.path);
      if (a && a.findings.length) compared++;
    }
    assert.ok(compared > 200, `${compared} files with findings`);
  });

  it('re-reads a path whose text changed (nothing kept from the last lint)', () => {
    const path = '/one-shot/template.yaml';
    const before = 'Resources:\n  Web:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-1\n';
    const after = before + '      MetadataOptions:\n        HttpTokens: required\n';
    const imds = (r: LintResult | null) => r!.findings.filter((f) => f.ruleId === 'ec2-imdsv2-required').length;
    assert.equal(imds(oneShot.lint({ path, text: before })), 1);
    assert.equal(imds(oneShot.lint({ path, text: after })), 0);
    assert.equal(imds(oneShot.lint({ path, text: before })), 1);
    assert.deepEqual(view(oneShot.lint({ path, text: after })), view(incremental.lint({ path, text: after })));
  });

  /** A module of `n` files in `dir`, each instance referencing the next file's security group. */
  const module = (dir: string, n: number): SourceFile[] => Array.from({ length: n }, (_, i) => ({
    path: `${dir}/f${i}.tf`,
    text: `resource "aws_instance" "web${i}" {\n  ami = "ami-1"\n  vpc_security_group_ids = [aws_security_group.sg${(i + 1) % n}.id]\n}\n\n`
      + `resource "aws_security_group" "sg${i}" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n`,
  }));

  it('frees the trees of the Terraform files it no longer keeps, right away', async () => {
    const engine = await Engine.create(defaultConfig(), rules, { incremental: false, terraformCacheFiles: 4 });
    const before = liveTreeCount();
    // 40 one-file modules, linted in one synchronous run (no collection can free a tree meanwhile).
    for (let i = 0; i < 40; i++) {
      const [f] = module(`/one-shot-free/m${i}`, 1);
      const r = engine.lint(f, memoryWorkspace([f]));
      assert.ok(r && r.findings.length > 0 && r.suppression === undefined, f.path);
    }
    assert.ok(liveTreeCount() - before <= 4, `${liveTreeCount() - before} trees still held`);
  });

  it('keeps the trees of a module larger than its cache while the module is linted', async () => {
    const engine = await Engine.create(defaultConfig(), rules, { incremental: false, terraformCacheFiles: 3 });
    const files = module('/one-shot-big', 8);
    const ws = memoryWorkspace(files);
    for (const f of files) assert.deepEqual(view(engine.lint(f, ws)), view(incremental.lint(f, ws)), f.path);
  });
});

/**
 * The CLI's folder walk is discovery.ts: it honours .gitignore and the
 * configuration's `ignore:` list; suppressions apply to its output too.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { rules } from '../../rules';
import { ROOT } from '../helpers/engine';

const CLI = nodePath.join(ROOT, 'dist', 'cli.js');
const TF = 'resource "aws_instance" "web" {\n  ami = "ami-1"\n}\n';

describe('CLI folder walk and suppressions (dist/cli.js)', function () {
  this.timeout(30000);
  let dir: string;
  const write = (rel: string, text: string) => {
    const p = nodePath.join(dir, rel);
    fs.mkdirSync(nodePath.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  };
  const files = (args: string[] = []) => {
    const r = spawnSync(process.execPath, [CLI, '--format', 'json', ...args], { cwd: dir, encoding: 'utf8' });
    return (JSON.parse(r.stdout) as { files: { path: string; findings: { ruleId: string }[] }[] }).files;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'iac-lint-walk-'));
    // Only the rule under test, so that rules added later do not change the counts.
    const off = rules.filter((r) => r.id !== 'ec2-imdsv2-required').map((r) => `  ${r.id}: off\n`).join('');
    write('.iac-lint.yaml', `rules:\n${off}ignore:\n  - legacy/\n`);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('skips what .gitignore and the config ignore, lints the rest', () => {
    write('.gitignore', 'out/\n');
    write('out/gen.tf', TF);
    write('legacy/old.tf', TF);
    write('live/main.tf', TF);
    assert.deepEqual(files().map((f) => f.path), ['live/main.tf']);
  });

  it('reports suppressed findings no more, and unused suppressions', () => {
    write('a.tf', `# iac-lint-ignore ec2-imdsv2-required -- bastion host\n${TF}`);
    write('b.tf', `# iac-lint-ignore ec2-imdsv2-required -- stale\nresource "aws_s3_bucket" "b" {}\n`);
    const out = files();
    assert.deepEqual(out.map((f) => [f.path, f.findings.map((x) => x.ruleId)]), [['a.tf', []], ['b.tf', ['unused-suppression']]]);
  });
});

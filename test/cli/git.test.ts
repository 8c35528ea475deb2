/**
 * Security changes against a git base, with real repositories in temporary
 * folders: `iam-permission-broadening` in the lint run (`--diff-base`), the
 * `diff` subcommand, new and untracked files, no git at all, and git run so
 * that repository configuration cannot start programs.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { TempDir, gitAvailable, onlyRules } from './run';
import { ROLE_AND_GROUP as BASE } from '../helpers/templates';

const RULE = 'iam-permission-broadening';

/** Wider: every S3 action, and SSH from anywhere. */
const WIDER = BASE.replace('Action: s3:GetObject', 'Action: s3:*') + `        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
`;
/** Narrower, reformatted, with a comment: no widening. */
const NARROWER = BASE.replace('Resource: arn:aws:s3:::assets/*', 'Resource: arn:aws:s3:::assets/public/*  # only public files')
  .replace('CidrIp: 10.0.0.0/8', 'CidrIp: 10.1.0.0/16')
  .replace('Principal: { Service: ec2.amazonaws.com }', 'Principal:\n              Service: ec2.amazonaws.com');

interface JsonOut { files: { path: string; findings: { ruleId: string; message: string; range: { start: { line: number } }; resource: string }[] }[] }
interface DiffOut { base: string; files: { path: string; status: string; reason?: string; broadening: { kind: string; how: string; resource: string; range: { start: { line: number } } }[] }[] }

describe('CLI against a git base', function () {
  this.timeout(60000);
  let t: TempDir;
  before(function () {
    if (!gitAvailable()) this.skip();
  });
  beforeEach(() => {
    t = new TempDir('iac-lint-git-');
    t.write('.iac-lint.yaml', onlyRules({ [RULE]: 'on' }));
    t.git('init', '-q');
    t.write('stacks/app.yaml', BASE);
    t.git('add', '.');
    t.git('commit', '-q', '-m', 'base');
  });
  afterEach(() => t?.remove());

  const lint = (args: string[], expect: number, opts = {}): JsonOut => {
    const r = t.cli([...args, '--format', 'json'], opts);
    assert.equal(r.status, expect, `exit ${r.status}; ${r.stderr}`);
    return JSON.parse(r.stdout) as JsonOut;
  };
  const mine = (out: JsonOut) => out.files.flatMap((f) => f.findings.filter((x) => x.ruleId === RULE).map((x) => ({ path: f.path, line: x.range.start.line + 1, resource: x.resource, message: x.message })));

  it('reports each widening at its line, compared with HEAD by default', () => {
    t.write('stacks/app.yaml', WIDER);
    const found = mine(lint([], 0));
    assert.deepEqual(found.map((f) => [f.path, f.line, f.resource]), [['stacks/app.yaml', 15, 'AppRole'], ['stacks/app.yaml', 27, 'WebGroup']]);
    assert.match(found[0].message, /^IAM permissions widened since HEAD: a statement now grants Allow s3:\* on arn:aws:s3:::assets\/\* for AWS:\$\{AppRole\}\.$/);
    assert.match(found[1].message, /^Security group ingress added since HEAD: allows TCP 22 from Everyone \(IPv4\)/);
    assert.equal(lint(['--fail-on', 'info'], 1).files.length, 1, '--fail-on info turns the findings into a failure');
  });

  it('stays quiet about narrowing, reformatting and unchanged templates', () => {
    assert.deepEqual(mine(lint([], 0)), []);
    t.write('stacks/app.yaml', NARROWER);
    assert.deepEqual(mine(lint([], 0)), []);
  });

  it('follows --diff-base: a branch, a commit, HEAD~1', () => {
    t.git('checkout', '-q', '-b', 'feature');
    t.write('stacks/app.yaml', WIDER);
    t.git('commit', '-q', '-am', 'widen');
    assert.deepEqual(mine(lint([], 0)), [], 'committed: nothing changed since HEAD');
    assert.equal(mine(lint(['--diff-base', 'main'], 0)).length, 2);
    assert.equal(mine(lint(['--diff-base', 'HEAD~1'], 0)).length, 2);
    const sha = t.git('rev-parse', 'main').trim();
    const found = mine(lint(['--diff-base', sha], 0));
    assert.equal(found.length, 2);
    assert.match(found[0].message, new RegExp(`since ${sha}`));
  });

  it('compares a file that is new since the base with an empty template', () => {
    t.write('stacks/new.yaml', BASE);
    t.git('add', 'stacks/new.yaml');
    const found = mine(lint([], 0)).filter((f) => f.path === 'stacks/new.yaml');
    assert.deepEqual(found.map((f) => f.line), [8, 15, 23]);
    assert.ok(found.every((f) => /since HEAD \(new file\)/.test(f.message)), found.map((f) => f.message).join('\n'));
  });

  it('says so, without failing, when a file is untracked or the folder is no repository', () => {
    t.write('stacks/untracked.yaml', WIDER);
    const r = t.cli(['--diff-base', 'HEAD', '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /iac-lint: 1 template is not tracked by git and was not compared with HEAD/);
    assert.deepEqual(mine(JSON.parse(r.stdout) as JsonOut), []);
    // Without --diff-base, the default comparison is silent about it.
    assert.equal(t.cli([]).stderr, '');
    fs.rmSync(t.file('.git'), { recursive: true, force: true });
    const norepo = t.cli(['--diff-base', 'HEAD']);
    assert.equal(norepo.status, 0);
    assert.match(norepo.stderr, /is not inside a git repository: cannot compare with HEAD; iam-permission-broadening skipped/);
  });

  it('explains an unknown revision and rejects an option-like one', () => {
    const r = t.cli(['--diff-base', 'origin/nope']);
    assert.equal(r.status, 0);
    assert.match(r.stderr, /unknown git revision `origin\/nope`.*fetch-depth: 0/);
    const bad = t.cli(['--diff-base', '--upload-pack=touch x']);
    assert.equal(bad.status, 2);
    assert.ok(!fs.existsSync(t.file('x')));
    const dash = t.cli(['--diff-base=-x']);
    assert.equal(dash.status, 2);
    assert.match(dash.stderr, /--diff-base must be a git revision/);
  });

  it('keeps findings new against a baseline only while the change is new', () => {
    t.write('stacks/app.yaml', WIDER);
    assert.equal(t.cli(['--write-baseline', 'bl.json']).status, 0);
    assert.deepEqual(mine(lint(['--baseline', 'bl.json'], 0)), []);
    t.write('stacks/app.yaml', WIDER.replace('Action: s3:*', 'Action: "*"'));
    const found = mine(lint(['--baseline', 'bl.json'], 0));
    assert.deepEqual(found.map((f) => f.line), [15]);
  });

  describe('iac-lint diff', () => {
    it('prints the security change tables and exits 1 when access widens', () => {
      t.write('stacks/app.yaml', WIDER);
      const r = t.cli(['diff']);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stdout, /^stacks\/app\.yaml\n/);
      assert.match(r.stdout, /IAM Statement Changes/);
      assert.match(r.stdout, /│ \+ │ arn:aws:s3:::assets\/\* +│ Allow +│ s3:\* +│ AWS:\$\{AppRole\}/);
      assert.match(r.stdout, /│ - │ arn:aws:s3:::assets\/\* +│ Allow +│ s3:GetObject/);
      assert.match(r.stdout, /Security Group Changes/);
      assert.match(r.stdout, /│ \+ │ \$\{WebGroup\.GroupId\} │ In +│ TCP 22 +│ Everyone \(IPv4\)/);
      assert.match(r.stdout, /\n {2}15:17 +widened +Allow s3:\*/);
      assert.match(r.stdout, /Access widened in 1 of 1 template compared with HEAD: 2 change\(s\) to review\.\n$/);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(r.stdout, /\u001b\[/, 'no colours into a pipe');
    });

    it('exits 0 when nothing widens, and lists narrowing in the tables only', () => {
      t.write('stacks/app.yaml', NARROWER);
      const r = t.cli(['diff', '--base', 'HEAD', 'stacks']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /Security Group Changes/);
      assert.match(r.stdout, /No widening of access in 1 template compared with HEAD\.\n$/);
    });

    it('reports as JSON, with new and untracked files', () => {
      t.write('stacks/app.yaml', WIDER);
      t.write('stacks/new.yaml', BASE);
      t.git('add', 'stacks/new.yaml');
      t.write('stacks/untracked.yaml', BASE);
      t.write('stacks/notes.yaml', 'just: yaml\n');
      const r = t.cli(['diff', '--format', 'json']);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /stacks\/untracked\.yaml is not tracked by git \(git add it to compare it with HEAD\); skipped/);
      const out = JSON.parse(r.stdout) as DiffOut;
      assert.equal(out.base, 'HEAD');
      assert.deepEqual(out.files.map((f) => [f.path, f.status, f.broadening.map((b) => `${b.kind}/${b.how}@${b.range.start.line + 1}`)]), [
        ['stacks/app.yaml', 'compared', ['iam-statement/widened@15', 'sg-ingress/added@27']],
        ['stacks/new.yaml', 'new', ['iam-statement/added@8', 'iam-statement/added@15', 'sg-ingress/added@23']],
        ['stacks/untracked.yaml', 'skipped', []],
      ]);
    });

    it('compares with another branch', () => {
      t.git('checkout', '-q', '-b', 'feature');
      t.write('stacks/app.yaml', WIDER);
      t.git('commit', '-q', '-am', 'widen');
      assert.equal(t.cli(['diff']).status, 0);
      assert.equal(t.cli(['diff', '--base', 'main']).status, 1);
    });

    it('exits 2 with a clear message when git is missing', () => {
      t.write('stacks/app.yaml', WIDER);
      const r = t.cli(['diff'], { env: { PATH: nodePath.join(t.path, 'no-bin') } });
      assert.equal(r.status, 2);
      assert.equal(r.stderr, 'iac-lint: git is not installed or not on PATH: cannot compare with HEAD\n');
      // The lint run does not fail for it.
      const lintRun = t.cli(['--diff-base', 'HEAD'], { env: { PATH: '/nonexistent' } });
      assert.equal(lintRun.status, 0);
      assert.match(lintRun.stderr, /git is not installed or not on PATH/);
    });

    it('exits 2 outside a repository and on an unknown revision', () => {
      const unknown = t.cli(['diff', '--base', 'v9.9.9']);
      assert.equal(unknown.status, 2);
      assert.match(unknown.stderr, /unknown git revision `v9\.9\.9`/);
      fs.rmSync(t.file('.git'), { recursive: true, force: true });
      const r = t.cli(['diff']);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /is not inside a git repository/);
      const usage = t.cli(['diff', '--format', 'sarif']);
      assert.equal(usage.status, 2);
      assert.match(usage.stderr, /--format must be text or json for `diff`/);
    });
  });

  it('runs git so that repository configuration cannot start programs', function () {
    if (process.platform === 'win32') this.skip();
    const marker = t.file('pwned');
    const script = t.write('hook.sh', `#!/bin/sh\ntouch '${marker}'\ncat\n`);
    fs.chmodSync(script, 0o755);
    for (const [k, v] of [['core.fsmonitor', script], ['core.pager', script], ['pager.cat-file', script], ['filter.evil.clean', script], ['filter.evil.smudge', script], ['diff.external', script], ['core.sshCommand', script]]) {
      t.git('config', k, v);
    }
    t.write('.gitattributes', '*.yaml filter=evil diff=evil\n');
    t.git('config', 'diff.evil.textconv', script);
    // The repository's own git would run it:
    t.git('status', '--short');
    assert.ok(fs.existsSync(marker), 'the test setup does not trigger the hook; it proves nothing');
    fs.rmSync(marker);
    t.write('stacks/app.yaml', WIDER);
    assert.equal(mine(lint(['--diff-base', 'HEAD'], 0)).length, 2);
    assert.ok(t.cli(['diff']).status === 1);
    assert.ok(!fs.existsSync(marker), 'iac-lint let git run a program from the repository configuration');
  });
});

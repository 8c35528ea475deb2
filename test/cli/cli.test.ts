/**
 * The command-line contract, against the bundle (`node dist/cli.js`, built by
 * `node scripts/build.mjs`): arguments, exit codes, the JSON and SARIF shapes,
 * `--fix`, `--config` and `rules`.
 *
 * Every test runs in its own temporary folder holding a `.iac-lint.yaml` that
 * turns every rule but ec2-imdsv2-required off, so that rules added later do not
 * change the expected findings and exit codes.
 */
import * as assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { rules } from '../../rules';
import { ROOT } from '../helpers/engine';
import { SUGGEST_ONLY } from '../helpers/templates';

const CLI = nodePath.join(ROOT, 'dist', 'cli.js');
const IMDS = 'ec2-imdsv2-required';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  resource: string | null;
  fixable: boolean;
}
interface JsonOutput {
  version: number;
  files: { path: string; format: string; findings: JsonFinding[] }[];
}

/** Config text: every other rule off, plus the given severities. */
function config(extra: Record<string, string> = {}): string {
  const lines = rules.filter((r) => r.id !== IMDS).map((r) => `  ${r.id}: off`);
  for (const [id, sev] of Object.entries(extra)) lines.push(`  ${id}: ${sev}`);
  return `rules:\n${lines.join('\n')}\n`;
}

const YAML_BAD = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      MetadataOptions:
        HttpTokens: optional
`;
const YAML_FIXED = YAML_BAD.replace('HttpTokens: optional', 'HttpTokens: required');
const JSON_BAD = `{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Web": {
      "Type": "AWS::EC2::Instance",
      "Properties": {
        "ImageId": "ami-1"
      }
    }
  }
}
`;
const JSON_FIXED = `{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Web": {
      "Type": "AWS::EC2::Instance",
      "Properties": {
        "ImageId": "ami-1",
        "MetadataOptions": {
          "HttpTokens": "required"
        }
      }
    }
  }
}
`;
const TF_BAD = `# servers
resource "aws_instance" "web" {
  ami = "ami-1"
}
`;
const TF_FIXED = `# servers
resource "aws_instance" "web" {
  ami = "ami-1"

  metadata_options {
    http_tokens = "required"
  }
}
`;

const range = (l1: number, c1: number, l2: number, c2: number) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });

describe('CLI (dist/cli.js)', function () {
  this.timeout(60000);
  let dir: string;

  function write(name: string, text: string): string {
    const p = nodePath.join(dir, name);
    fs.mkdirSync(nodePath.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  }
  const readBack = (name: string) => fs.readFileSync(nodePath.join(dir, name), 'utf8');

  function cli(args: string[], opts: SpawnSyncOptions = {}): Run {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 30000, ...opts });
    if (r.error) throw r.error;
    return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
  }
  function json(args: string[], expectStatus: number, opts: SpawnSyncOptions = {}): JsonOutput {
    const r = cli([...args, '--format', 'json'], opts);
    assert.equal(r.status, expectStatus, `exit ${r.status}; stderr: ${r.stderr}`);
    return JSON.parse(r.stdout) as JsonOutput;
  }
  /** Usage/config/input errors: exit 2, a message on stderr, no stack trace. */
  function fails(args: string[], message: RegExp): Run {
    const r = cli(args);
    assert.equal(r.status, 2, `exit ${r.status}; stdout: ${r.stdout}; stderr: ${r.stderr}`);
    assert.match(r.stderr, /^iac-lint: /);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'stack trace on stderr');
    return r;
  }

  before(function () {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run node scripts/build.mjs first`);
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'iac-lint-cli-'));
    write('.iac-lint.yaml', config());
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('usage', () => {
    it('prints help and version', () => {
      const help = cli(['--help']);
      assert.equal(help.status, 0);
      assert.match(help.stdout, /^Usage: iac-lint \[paths\.\.\] \[options\]/);
      for (const opt of ['--format text|json|sarif', '--fix', '--config FILE', '--fail-on LEVEL']) assert.ok(help.stdout.includes(opt), opt);
      const version = cli(['--version']);
      assert.equal(version.status, 0);
      const pkg = JSON.parse(fs.readFileSync(nodePath.join(ROOT, 'package.json'), 'utf8')) as { version: string };
      assert.equal(version.stdout, `${pkg.version}\n`);
    });

    it('exits 2 on an unknown flag', () => {
      write('a.yaml', YAML_BAD);
      const r = fails(['--bogus', 'a.yaml'], /--bogus/);
      assert.equal(r.stdout, '');
    });

    it('exits 2 on a bad --format', () => {
      fails(['--format', 'xml'], /--format must be text, json or sarif, not `xml`/);
      fails(['--format'], /--format/);
    });

    it('exits 2 on a bad --fail-on', () => {
      fails(['--fail-on', 'critical'], /--fail-on must be error, warning, info, hint or off, not `critical`/);
      fails(['--fail-on', 'ERROR'], /--fail-on/);
    });

    it('exits 2 on bad `rules` usage', () => {
      fails(['rules', '--format', 'sarif'], /--format must be text or json/);
      fails(['rules', 'extra'], /takes no paths/);
    });
  });

  describe('exit codes', () => {
    it('exits 1 on an error at the default --fail-on error', () => {
      write('a.yaml', YAML_BAD);
      assert.equal(cli([]).status, 1);
      assert.equal(cli(['a.yaml']).status, 1);
    });

    it('exits 0 when nothing is found', () => {
      write('a.yaml', YAML_FIXED);
      const r = cli([]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'No problems in 1 file.\n');
    });

    it('exits 0 with --fail-on off whatever is found', () => {
      write('a.yaml', YAML_BAD);
      assert.equal(cli(['--fail-on', 'off']).status, 0);
    });

    it('compares findings with --fail-on by severity', () => {
      write('a.yaml', YAML_BAD);
      write('.iac-lint.yaml', config({ [IMDS]: 'info' }));
      assert.equal(cli([]).status, 0);
      assert.equal(cli(['--fail-on', 'error']).status, 0);
      assert.equal(cli(['--fail-on', 'warning']).status, 0);
      assert.equal(cli(['--fail-on', 'info']).status, 1);
      assert.equal(cli(['--fail-on=hint']).status, 1);
    });

    it('exits 2 on a missing path, after reporting nothing', () => {
      write('a.yaml', YAML_FIXED);
      assert.equal(fails(['nope.yaml'], /cannot read `nope\.yaml`/).stdout, '');
      fails(['a.yaml', 'missing-dir'], /cannot read `missing-dir`/);
    });

    it('exits 2 on a dangling symlink given as input', function () {
      if (process.platform === 'win32') this.skip();
      fs.symlinkSync(nodePath.join(dir, 'gone.yaml'), nodePath.join(dir, 'link.yaml'));
      fails(['link.yaml'], /cannot read `link\.yaml`/);
    });

    /**
     * Runs the CLI as a user who cannot read `name`. As root (who reads anything)
     * this drops to `nobody` when that user can run the CLI here, else skips.
     */
    function asUnprivileged(ctx: Mocha.Context): SpawnSyncOptions {
      if (process.platform === 'win32') ctx.skip();
      if (process.getuid?.() !== 0) return {};
      const nobody: SpawnSyncOptions = { uid: 65534, gid: 65534 };
      fs.chmodSync(dir, 0o777);
      for (const f of fs.readdirSync(dir)) fs.chmodSync(nodePath.join(dir, f), 0o644);
      const probe = spawnSync(process.execPath, [CLI, '--version'], { cwd: dir, encoding: 'utf8', ...nobody });
      if (probe.error || probe.status !== 0) ctx.skip();
      return nobody;
    }

    it('exits 2 on a file it cannot read, still reporting the others', function () {
      write('a.yaml', YAML_BAD);
      write('b.yaml', YAML_BAD);
      const opts = asUnprivileged(this);
      fs.chmodSync(nodePath.join(dir, 'b.yaml'), 0o000);
      const r = cli(['--format', 'json'], opts);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /cannot read b\.yaml/);
      const out = JSON.parse(r.stdout) as JsonOutput;
      assert.deepEqual(out.files.map((f) => f.path), ['a.yaml']);
      assert.equal(cli(['b.yaml'], opts).status, 2);
    });

    it('exits 2 on a folder it cannot read', function () {
      write('sub/a.yaml', YAML_BAD);
      const opts = asUnprivileged(this);
      fs.chmodSync(nodePath.join(dir, 'sub'), 0o000);
      try {
        const r = cli(['sub', '--format', 'json'], opts);
        assert.equal(r.status, 2, `exit ${r.status}; stdout: ${r.stdout}; stderr: ${r.stderr}`);
        assert.match(r.stderr, /cannot read/);
      } finally {
        fs.chmodSync(nodePath.join(dir, 'sub'), 0o755);
      }
    });
  });

  describe('configuration', () => {
    it('exits 2 on invalid YAML, an unknown rule id or a bad severity', () => {
      write('a.yaml', YAML_BAD);
      write('broken.yaml', 'rules: [\n');
      fails(['--config', 'broken.yaml', 'a.yaml'], /invalid configuration `broken\.yaml`/);
      write('unknown.yaml', `${config()}  no-such-rule: error\n`);
      fails(['--config', 'unknown.yaml', 'a.yaml'], /unknown rule id `no-such-rule`/);
      write('severity.yaml', config({ [IMDS]: 'fatal' }));
      fails(['--config', 'severity.yaml', 'a.yaml'], new RegExp(`rule \`${IMDS}\`: severity must be one of`));
      fails(['--config', 'absent.yaml', 'a.yaml'], /cannot read configuration `absent\.yaml`/);
    });

    it('exits 2 on a bad .iac-lint.yaml in the current folder', () => {
      write('a.yaml', YAML_FIXED);
      write('.iac-lint.yaml', 'rules:\n  no-such-rule: off\n');
      fails([], /invalid configuration `\.iac-lint\.yaml`:\n  - unknown rule id `no-such-rule`/);
    });

    it('lowers a rule to warning with --config: severity warning, exit 0 at --fail-on error', () => {
      write('a.yaml', YAML_BAD);
      write('cfg/warn.yaml', config({ [IMDS]: 'warning' }));
      const out = json(['--config', 'cfg/warn.yaml'], 0);
      assert.deepEqual(out.files[0].findings.map((f) => [f.ruleId, f.severity]), [[IMDS, 'warning']]);
      assert.equal(cli(['--config', 'cfg/warn.yaml', '--fail-on', 'warning']).status, 1);
    });

    it('turns a rule off', () => {
      write('a.yaml', YAML_BAD);
      write('off.yaml', config({ [IMDS]: 'off' }));
      const out = json(['--config', 'off.yaml'], 0);
      assert.deepEqual(out.files, [{ path: 'a.yaml', format: 'cloudformation', findings: [] }]);
    });

    it('prefers --config over .iac-lint.yaml', () => {
      write('a.yaml', YAML_BAD);
      write('.iac-lint.yaml', config({ [IMDS]: 'off' }));
      assert.equal(cli([]).status, 0);
      write('other.yaml', config({ [IMDS]: 'error' }));
      assert.equal(cli(['--config', 'other.yaml']).status, 1);
    });
  });

  describe('JSON output', () => {
    it('has the documented shape with exact 0-based ranges for YAML, JSON and Terraform', () => {
      write('a.yaml', YAML_BAD);
      write('b.json', JSON_BAD);
      write('main.tf', TF_BAD);
      const out = json([], 1);
      assert.deepEqual(out, {
        version: 1,
        files: [
          {
            path: 'a.yaml', format: 'cloudformation',
            findings: [{
              ruleId: IMDS, severity: 'error',
              message: "Web: HttpTokens is 'optional'; set it to 'required' so instance metadata needs an IMDSv2 session token.",
              range: range(7, 20, 7, 28), resource: 'Web', fixable: true,
            }],
          },
          {
            path: 'b.json', format: 'cloudformation',
            findings: [{
              ruleId: IMDS, severity: 'error',
              message: "Web: instance metadata does not require IMDSv2 session tokens; set MetadataOptions.HttpTokens to 'required'.",
              range: range(5, 6, 5, 18), resource: 'Web', fixable: true,
            }],
          },
          {
            path: 'main.tf', format: 'terraform',
            findings: [{
              ruleId: IMDS, severity: 'error',
              message: 'aws_instance.web: instance metadata does not require IMDSv2 session tokens; set metadata_options.http_tokens = "required".',
              range: range(1, 0, 1, 29), resource: 'aws_instance.web', fixable: true,
            }],
          },
        ],
      });
    });

    it('counts characters in UTF-16 code units and lines across CRLF', () => {
      write('crlf.yaml', `# café ☕\n${YAML_BAD}`.replace(/\n/g, '\r\n'));
      write('emoji.yaml', YAML_BAD.replace('      MetadataOptions:\n        HttpTokens: optional\n', '      MetadataOptions: {HttpEndpoint: "é😀", HttpTokens: optional}\n'));
      const out = json(['crlf.yaml', 'emoji.yaml'], 1);
      assert.deepEqual(out.files.map((f) => f.findings[0].range), [range(8, 20, 8, 28), range(6, 57, 6, 65)]);
    });

    it('lists files by their path relative to the current folder, with forward slashes', () => {
      write('stacks/prod/web.yaml', YAML_BAD);
      write('stacks/dev/web.yaml', YAML_FIXED);
      const out = json(['stacks'], 1);
      assert.deepEqual(out.files.map((f) => [f.path, f.findings.length]), [['stacks/dev/web.yaml', 0], ['stacks/prod/web.yaml', 1]]);
    });

    it('reports suggestion-only findings as not fixable', () => {
      write('a.yaml', SUGGEST_ONLY);
      const out = json([], 1);
      assert.deepEqual(out.files[0].findings.map((f) => [f.resource, f.fixable, f.range]), [['Web', false, range(10, 25, 10, 31)]]);
    });

    it('ignores YAML and JSON that is no template, unless named', () => {
      write('a.yaml', YAML_FIXED);
      write('k8s/deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n');
      write('.github/workflows/ci.yml', 'on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: \'echo "Type: AWS::S3::Bucket"\'\n');
      write('docker-compose.yml', 'services:\n  web:\n    image: nginx\n');
      write('package.json', '{"name": "x", "description": "Type: AWS::EC2::Instance"}\n');
      write('notes.txt', 'AWSTemplateFormatVersion: x\n');
      const r = cli(['--format', 'json']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual((JSON.parse(r.stdout) as JsonOutput).files.map((f) => f.path), ['a.yaml']);
      assert.equal(r.stderr, '');
      const named = cli(['k8s/deploy.yaml', 'notes.txt', '--format', 'json']);
      assert.equal(named.status, 0);
      assert.deepEqual((JSON.parse(named.stdout) as JsonOutput).files, []);
      assert.match(named.stderr, /k8s\/deploy\.yaml: not a CloudFormation template; skipped/);
      assert.match(named.stderr, /notes\.txt: not a CloudFormation template, Terraform file or Dockerfile; skipped/);
    });

    it('lints Dockerfiles as such', () => {
      write('Dockerfile', 'FROM alpine:3.20\nRUN echo hi\n');
      const out = json([], 0);
      assert.deepEqual(out.files.map((f) => [f.path, f.format]), [['Dockerfile', 'dockerfile']]);
    });

    it('reports a broken template as a parse-error finding, not a crash', () => {
      const text = `AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Web:\n    Type: AWS::EC2::Instance\n    Properties: {ImageId: ami-1\n`;
      write('broken.yaml', text);
      write('broken.json', '{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {\n');
      const r = cli(['--format', 'json']);
      assert.equal(r.status, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      const out = JSON.parse(r.stdout) as JsonOutput;
      assert.deepEqual(out.files.map((f) => [f.path, f.format]), [['broken.json', 'cloudformation'], ['broken.yaml', 'cloudformation']]);
      for (const f of out.files) {
        const errors = f.findings.filter((x) => x.ruleId === 'parse-error');
        assert.ok(errors.length > 0, `${f.path}: no parse-error`);
        for (const e of errors) {
          assert.equal(e.severity, 'error');
          assert.equal(e.fixable, false);
          assert.equal(e.resource, null);
          assert.ok(e.range.start.line >= 2 && e.range.end.line <= 5, `${f.path}: ${JSON.stringify(e.range)}`);
        }
      }
    });
  });

  describe('SARIF output', () => {
    it('is SARIF 2.1.0 with 1-based regions matching the JSON ranges', () => {
      write('a.yaml', YAML_BAD);
      write('main.tf', TF_BAD);
      const r = cli(['--format', 'sarif']);
      assert.equal(r.status, 1, r.stderr);
      const sarif = JSON.parse(r.stdout) as {
        version: string; $schema: string;
        runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: { ruleId: string; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }[] }[] }[];
      };
      assert.equal(sarif.version, '2.1.0');
      assert.match(sarif.$schema, /sarif-2\.1\.0/);
      assert.equal(sarif.runs.length, 1);
      const run = sarif.runs[0];
      assert.equal(run.tool.driver.name, 'iac-lint');
      assert.deepEqual(run.tool.driver.rules.map((x) => x.id), [...rules.map((x) => x.id), 'parse-error', 'internal-error', 'unused-suppression', 'file-too-large']);
      assert.deepEqual(run.results.map((x) => [x.ruleId, x.level, x.locations[0].physicalLocation.artifactLocation.uri, x.locations[0].physicalLocation.region]), [
        [IMDS, 'error', 'a.yaml', { startLine: 8, startColumn: 21, endLine: 8, endColumn: 29 }],
        [IMDS, 'error', 'main.tf', { startLine: 2, startColumn: 1, endLine: 2, endColumn: 30 }],
      ]);
      assert.match(run.results[0].message.text, /^Web: HttpTokens is 'optional'/);
    });

    it('maps warnings to warning and info to note', () => {
      write('a.yaml', YAML_BAD);
      write('b.yaml', YAML_BAD);
      write('warn.yaml', config({ [IMDS]: 'warning' }));
      write('info.yaml', config({ [IMDS]: 'info' }));
      const level = (cfg: string) => (JSON.parse(cli(['a.yaml', '--format', 'sarif', '--config', cfg]).stdout) as { runs: { results: { level: string }[] }[] }).runs[0].results.map((x) => x.level);
      assert.deepEqual(level('warn.yaml'), ['warning']);
      assert.deepEqual(level('info.yaml'), ['note']);
    });
  });

  describe('text output', () => {
    it('prints 1-based line:column and a summary', () => {
      write('a.yaml', YAML_BAD);
      const r = cli([]);
      assert.equal(r.status, 1);
      const lines = r.stdout.split('\n');
      assert.equal(lines[0], 'a.yaml');
      assert.match(lines[1], new RegExp(`^  8:21 +error +${IMDS} +Web: HttpTokens is 'optional'`));
      assert.match(r.stdout, /1 problem \(1 error, 0 warnings, 0 infos\) in 1 file; 1 fixable with --fix\n$/);
    });
  });

  describe('--fix', () => {
    it('writes the exact fixes, then reports what is left', () => {
      write('a.yaml', YAML_BAD);
      write('b.json', JSON_BAD);
      write('main.tf', TF_BAD);
      write('c.yaml', SUGGEST_ONLY);
      const r = cli(['--fix', '--format', 'json']);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /applied 3 fixes in 3 files/);
      assert.equal(readBack('a.yaml'), YAML_FIXED);
      assert.equal(readBack('b.json'), JSON_FIXED);
      assert.equal(readBack('main.tf'), TF_FIXED);
      assert.equal(readBack('c.yaml'), SUGGEST_ONLY);
      const out = JSON.parse(r.stdout) as JsonOutput;
      assert.deepEqual(out.files.map((f) => [f.path, f.findings.map((x) => x.ruleId)]), [['a.yaml', []], ['b.json', []], ['c.yaml', [IMDS]], ['main.tf', []]]);
    });

    it('leaves nothing to report after fixing, and a second run changes nothing', () => {
      write('a.yaml', YAML_BAD);
      write('main.tf', TF_BAD);
      const first = cli(['--fix']);
      assert.equal(first.status, 0, first.stdout + first.stderr);
      assert.equal(first.stdout, 'No problems in 2 files.\n');
      const mtime = fs.statSync(nodePath.join(dir, 'a.yaml')).mtimeMs;
      const again = cli(['--fix', '--fail-on', 'error', '--format', 'json']);
      assert.equal(again.status, 0);
      assert.equal(again.stderr, '');
      const out = JSON.parse(again.stdout) as JsonOutput;
      assert.deepEqual(out.files.flatMap((f) => f.findings.filter((x) => x.ruleId === IMDS)), []);
      assert.equal(readBack('a.yaml'), YAML_FIXED);
      assert.equal(readBack('main.tf'), TF_FIXED);
      assert.equal(fs.statSync(nodePath.join(dir, 'a.yaml')).mtimeMs, mtime);
      assert.equal(cli([]).status, 0);
    });

    it('keeps CRLF and tabs', () => {
      const crlf = JSON_BAD.replace(/^( +)/gm, (m) => '\t'.repeat(m.length / 2)).replace(/\n/g, '\r\n');
      write('t.json', crlf);
      assert.equal(cli(['--fix']).status, 0);
      assert.equal(readBack('t.json'), JSON_FIXED.replace(/^( +)/gm, (m) => '\t'.repeat(m.length / 2)).replace(/\n/g, '\r\n'));
    });

    it('does not fix rules that are off', () => {
      write('a.yaml', YAML_BAD);
      write('off.yaml', config({ [IMDS]: 'off' }));
      assert.equal(cli(['--fix', '--config', 'off.yaml']).status, 0);
      assert.equal(readBack('a.yaml'), YAML_BAD);
    });

    it('fixes only the paths given', () => {
      write('a.yaml', YAML_BAD);
      write('b.yaml', YAML_BAD);
      assert.equal(cli(['--fix', 'a.yaml']).status, 0);
      assert.equal(readBack('a.yaml'), YAML_FIXED);
      assert.equal(readBack('b.yaml'), YAML_BAD);
    });
  });

  describe('rules', () => {
    it('lists every rule as JSON', () => {
      const r = cli(['rules', '--format', 'json']);
      assert.equal(r.status, 0, r.stderr);
      const list = JSON.parse(r.stdout) as { id: string; severity: string; formats: string[]; fixable: boolean; description: string }[];
      assert.deepEqual(list.map((x) => x.id), rules.map((x) => x.id));
      for (const rule of rules) {
        const entry = list.find((x) => x.id === rule.id)!;
        assert.equal(entry.severity, rule.severity, rule.id);
        assert.deepEqual(entry.formats, rule.formats, rule.id);
        assert.equal(entry.fixable, rule.fixable === 'exact', rule.id);
        assert.equal(entry.description, rule.description, rule.id);
      }
      const imds = list.find((x) => x.id === IMDS)!;
      assert.deepEqual([imds.severity, imds.formats, imds.fixable], ['error', ['cloudformation', 'terraform'], true]);
    });

    it('lists every rule as text, one per line', () => {
      const r = cli(['rules']);
      assert.equal(r.status, 0);
      const lines = r.stdout.trimEnd().split('\n');
      assert.deepEqual(lines.map((l) => l.split(/\s+/)[0]), rules.map((x) => x.id));
    });
  });
});

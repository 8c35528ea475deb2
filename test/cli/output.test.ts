/**
 * Text output, colours, exit codes (`--fail-on`, `--max-warnings`, `--quiet`) and
 * baselines (`--write-baseline`, `--baseline`), through the bundled CLI.
 */
import * as assert from 'node:assert/strict';
import * as nodePath from 'node:path';
import { applyBaseline, identify, writeBaseline } from '../../server/cli/baseline';
import { useColor } from '../../server/cli/text';
import { LineIndex } from '../../server/engine/positions';
import type { LintResult } from '../../server/engine/linter';
import type { Finding } from '../../server/engine/types';
import { TempDir, onlyRules } from './run';

const IMDS = 'ec2-imdsv2-required';
const NAMING = 'naming-snake-case';

const instance = (name: string, tokens = 'optional') => `  ${name}:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      MetadataOptions:
        HttpTokens: ${tokens}
`;
const template = (...resources: string[]) => `AWSTemplateFormatVersion: "2010-09-09"\nResources:\n${resources.join('')}`;
const TF_BAD = 'resource "aws_instance" "web" {\n  ami = "ami-1"\n}\n';
const DOCKER_BAD = 'FROM golang:1.22\nRUN go build -o /app .\nCMD ["/app"]\n';
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

describe('CLI text output, exit codes and baselines', function () {
  this.timeout(60000);
  let t: TempDir;
  beforeEach(() => {
    t = new TempDir();
    t.write('.iac-lint.yaml', onlyRules({ [IMDS]: 'on' }));
  });
  afterEach(() => t.remove());

  describe('text', () => {
    it('groups findings by file with aligned line:col, severity, rule id and message, and a summary', () => {
      t.write('.iac-lint.yaml', onlyRules({ [IMDS]: 'on', 'naming-snake-case': 'warning', 'docker-multi-stage': 'info' }));
      t.write('b/web.yaml', template(instance('Web'), instance('Api')));
      t.write('a/main.tf', TF_BAD.replace('"web"', '"WebServer"'));
      t.write('c/Dockerfile', DOCKER_BAD);
      const r = t.cli([]);
      assert.equal(r.status, 1, r.stderr);
      const blocks = r.stdout.trimEnd().split('\n\n');
      assert.equal(blocks.length, 4, r.stdout);
      assert.deepEqual(blocks.slice(0, 3).map((b) => b.split('\n')[0]), ['a/main.tf', 'b/web.yaml', 'c/Dockerfile']);
      const web = blocks[1].split('\n').slice(1);
      assert.equal(web.length, 2);
      assert.match(web[0], new RegExp(`^  8:21 +error +${IMDS} +Web: HttpTokens is 'optional'`));
      assert.match(web[1], new RegExp(`^  14:21 +error +${IMDS} +Api: `));
      // Columns line up within a file.
      assert.equal(web[0].indexOf(IMDS), web[1].indexOf(IMDS));
      const tf = blocks[0].split('\n').slice(1);
      assert.ok(tf.some((l) => /^  1:\d+ +warning +naming-snake-case +/.test(l)), blocks[0]);
      assert.ok(tf.some((l) => new RegExp(`^  1:\\d+ +error +${IMDS} +`).test(l)), blocks[0]);
      assert.match(blocks[2], /\n {2}\d+:\d+ +info +docker-multi-stage +/);
      const errors = r.stdout.match(/ error /g)!.length;
      assert.equal(errors, 3);
      assert.match(blocks[3], /^5 problems \(3 errors, 1 warning, 1 info\) in 3 files; \d fixable with --fix$/);
    });

    it('says so when nothing is found, and counts infos in the plural', () => {
      t.write('a.yaml', template(instance('Web', 'required')));
      assert.equal(t.cli([]).stdout, 'No problems in 1 file.\n');
      t.write('.iac-lint.yaml', onlyRules({ [IMDS]: 'info' }));
      t.write('a.yaml', template(instance('Web'), instance('Api')));
      assert.match(t.cli([]).stdout, /\n2 problems \(0 errors, 0 warnings, 2 infos\) in 1 file; 2 fixable with --fix\n$/);
    });

    it('colours only on request or on a terminal: --color, --no-color, NO_COLOR, FORCE_COLOR', () => {
      t.write('a.yaml', template(instance('Web')));
      assert.doesNotMatch(t.cli([]).stdout, ANSI, 'a pipe gets no colours');
      assert.match(t.cli(['--color']).stdout, ANSI);
      assert.match(t.cli([], { env: { FORCE_COLOR: '1' } }).stdout, ANSI);
      assert.doesNotMatch(t.cli([], { env: { FORCE_COLOR: '0' } }).stdout, ANSI);
      assert.doesNotMatch(t.cli([], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout, ANSI);
      assert.doesNotMatch(t.cli(['--no-color'], { env: { FORCE_COLOR: '1' } }).stdout, ANSI);
      assert.match(t.cli(['--color'], { env: { NO_COLOR: '1' } }).stdout, ANSI);
      assert.doesNotMatch(t.cli(['--color', '--format', 'json']).stdout, ANSI, 'JSON is never coloured');
      const coloured = t.cli(['--color']).stdout;
      // eslint-disable-next-line no-control-regex
      assert.equal(coloured.replace(/\u001b\[[0-9;]*m/g, ''), t.cli([]).stdout, 'colour changes nothing but colour');
    });

    it('decides colours by the conventions', () => {
      const tty = { isTTY: true };
      const pipe = { isTTY: false };
      assert.equal(useColor(undefined, tty, {}), true);
      assert.equal(useColor(undefined, pipe, {}), false);
      assert.equal(useColor(undefined, tty, { NO_COLOR: '1' }), false);
      assert.equal(useColor(undefined, tty, { NO_COLOR: '' }), true, 'an empty NO_COLOR is unset');
      assert.equal(useColor(undefined, pipe, { FORCE_COLOR: '1' }), true);
      assert.equal(useColor(undefined, pipe, { FORCE_COLOR: '' }), true);
      assert.equal(useColor(undefined, tty, { FORCE_COLOR: 'false' }), false);
      assert.equal(useColor(undefined, tty, { TERM: 'dumb' }), false);
      assert.equal(useColor(false, tty, { FORCE_COLOR: '1' }), false);
      assert.equal(useColor(true, pipe, { NO_COLOR: '1' }), true);
    });
  });

  describe('exit codes', () => {
    it('--max-warnings N: exit 1 with a message when warnings exceed N', () => {
      t.write('.iac-lint.yaml', onlyRules({ [IMDS]: 'warning' }));
      t.write('a.yaml', template(instance('Web'), instance('Api')));
      assert.equal(t.cli([]).status, 0, 'warnings do not fail by default');
      const over = t.cli(['--max-warnings', '1']);
      assert.equal(over.status, 1);
      assert.match(over.stderr, /iac-lint: 2 warnings found; --max-warnings allows 1/);
      assert.equal(t.cli(['--max-warnings', '2']).status, 0);
      assert.equal(t.cli(['--max-warnings=0']).status, 1);
      assert.equal(t.cli(['--max-warnings=-1']).status, 0, '-1 means no limit');
      const bad = t.cli(['--max-warnings', 'many']);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /--max-warnings must be a whole number, not `many`/);
    });

    it('--quiet reports errors only; warnings still count for --max-warnings', () => {
      t.write('.iac-lint.yaml', onlyRules({ [IMDS]: 'on', [NAMING]: 'warning' }));
      t.write('main.tf', TF_BAD.replace('"web"', '"WebServer"'));
      const sev = (out: string) => (JSON.parse(out) as { files: { findings: { severity: string }[] }[] }).files.flatMap((f) => f.findings.map((x) => x.severity));
      assert.deepEqual(sev(t.cli(['--format', 'json']).stdout).sort(), ['error', 'warning']);
      assert.deepEqual(sev(t.cli(['--quiet', '--format', 'json']).stdout), ['error']);
      const text = t.cli(['--quiet']);
      assert.doesNotMatch(text.stdout, new RegExp(NAMING));
      assert.match(text.stdout, /1 problem \(1 error, 0 warnings, 0 infos\) in 1 file; 1 fixable with --fix \(1 warning or info hidden by --quiet\)\n$/);
      t.write('main.tf', TF_BAD.replace('"web"', '"WebServer"').replace('  ami = "ami-1"\n', '  ami = "ami-1"\n  metadata_options {\n    http_tokens = "required"\n  }\n'));
      assert.equal(t.cli(['--quiet']).status, 0);
      assert.equal(t.cli(['--quiet', '--max-warnings', '0']).status, 1);
      assert.equal(t.cli(['--quiet', '--max-warnings', '1']).status, 0);
    });

    it('--fail-on applies after the baseline', () => {
      t.write('a.yaml', template(instance('Web')));
      assert.equal(t.cli(['--write-baseline', 'bl.json']).status, 0, 'writing a baseline succeeds');
      assert.equal(t.cli(['--baseline', 'bl.json']).status, 0);
      assert.equal(t.cli([]).status, 1);
    });
  });

  describe('baselines', () => {
    it('reports only new findings, across edits above them and from another folder', () => {
      t.write('stacks/a.yaml', template(instance('Web')));
      t.write('main.tf', TF_BAD);
      const w = t.cli(['--write-baseline', 'ci/baseline.json']);
      assert.equal(w.status, 0, w.stderr);
      assert.match(w.stderr, /wrote 2 findings to the baseline ci\/baseline\.json/);
      const doc = JSON.parse(t.read('ci/baseline.json')) as { version: number; findings: { ruleId: string; path: string; resource: string; count: number }[] };
      assert.equal(doc.version, 1);
      assert.deepEqual(doc.findings.map((f) => [f.path, f.ruleId, f.resource, f.count]), [['../main.tf', IMDS, 'aws_instance.web', 1], ['../stacks/a.yaml', IMDS, 'Web', 1]]);

      const clean = t.cli(['--baseline', 'ci/baseline.json']);
      assert.equal(clean.status, 0, clean.stdout);
      assert.equal(clean.stdout, 'No problems in 2 files (2 known from the baseline).\n');

      // Unrelated edits above the findings: still known.
      t.write('stacks/a.yaml', `# owned by the web team\n${template(instance('Cache', 'required'), instance('Web'))}`);
      t.write('main.tf', `variable "x" {\n  default = 1\n}\n\n${TF_BAD}`);
      assert.equal(t.cli(['--baseline', 'ci/baseline.json']).status, 0);
      // From another folder, with other paths on the command line.
      assert.equal(t.cli(['--baseline', '../ci/baseline.json', '--config', '../.iac-lint.yaml', '.'], { cwd: 'stacks' }).status, 0);

      // A new finding is reported; the known ones are not.
      t.write('stacks/a.yaml', template(instance('Web'), instance('Api')));
      const r = t.cli(['--baseline', 'ci/baseline.json', '--format', 'json']);
      assert.equal(r.status, 1);
      const out = JSON.parse(r.stdout) as { files: { path: string; findings: { resource: string }[] }[] };
      assert.deepEqual(out.files.map((f) => [f.path, f.findings.map((x) => x.resource)]), [['main.tf', []], ['stacks/a.yaml', ['Api']]]);
    });

    it('reports a finding whose line changed', () => {
      t.write('a.yaml', template(instance('Web')));
      t.cli(['--write-baseline', 'bl.json']);
      t.write('a.yaml', template(instance('Web', 'disabled')));
      const r = t.cli(['--baseline', 'bl.json']);
      assert.equal(r.status, 1);
      assert.match(r.stdout, /Web: HttpTokens is 'disabled'/);
    });

    it('matches duplicates by count', () => {
      const text = 'x: 1\nsame line\nsame line\nsame line\n';
      const lines = new LineIndex(text);
      const at = (line: number): Finding => ({
        ruleId: 'r', severity: 'warning', message: 'm', path: '/w/a.yaml', resource: 'R', fixes: [],
        range: { start: lines.lineStarts[line], end: lines.lineStarts[line] + 4 },
      });
      const result = (n: number): LintResult => ({ path: '/w/a.yaml', format: 'cloudformation', lines, findings: [at(1), at(2), at(3)].slice(0, n) });
      const ids = identify([result(3)], () => 'a.yaml');
      assert.equal(new Set(ids.map((i) => i.key)).size, 1, 'same rule, file, resource and line text: one identity');
      assert.deepEqual(ids.map((i) => i.occurrence), [0, 1, 2]);
      const file = nodePath.join(t.path, 'dup.json');
      writeBaseline(file, [result(2)]);
      const now = [result(3)];
      assert.equal(applyBaseline(file, now), 2);
      assert.equal(now[0].findings.length, 1, 'the third duplicate is new');
      const fewer = [result(1)];
      assert.equal(applyBaseline(file, fewer), 1);
      assert.equal(fewer[0].findings.length, 0);
    });

    it('exits 2 with a clear message on a missing or malformed baseline', () => {
      t.write('a.yaml', template(instance('Web')));
      const missing = t.cli(['--baseline', 'nope.json']);
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /^iac-lint: cannot read baseline `nope\.json`: ENOENT/);
      t.write('bad.json', '{"version": 7, "findings": []}');
      const bad = t.cli(['--baseline', 'bad.json']);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /is not an iac-lint baseline/);
      t.write('junk.json', 'not json');
      assert.match(t.cli(['--baseline', 'junk.json']).stderr, /is not JSON/);
    });
  });
});

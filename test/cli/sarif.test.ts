/**
 * `--format sarif` against the official SARIF 2.1.0 JSON schema (shipped in
 * @microsoft/sarif-multitool-ts; no network), and the parts GitHub code scanning
 * relies on: rule metadata, SRCROOT-relative locations, 1-based UTF-16 regions,
 * stable fingerprints, and fixes that reproduce `--fix`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type * as Sarif from 'sarif';
import { rules } from '../../rules';
import { docsUrl } from '../../server/engine/docs';
import { LineIndex } from '../../server/engine/positions';
import { ROOT } from '../helpers/engine';
import { TempDir, gitAvailable, onlyRules } from './run';

const SCHEMA = nodePath.join(ROOT, 'node_modules', '@microsoft', 'sarif-multitool-ts', 'assets', 'sarif-2.1.0.schema.json');
const IMDS = 'ec2-imdsv2-required';

const YAML_BAD = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      MetadataOptions:
        HttpTokens: optional
`;
const TF_BAD = `# servers
resource "aws_instance" "web" {
  ami = "ami-1"
}
`;
const EMOJI = YAML_BAD.replace('      MetadataOptions:\n        HttpTokens: optional\n', '      MetadataOptions: {HttpEndpoint: "é😀", HttpTokens: optional}\n');
const BROKEN = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Web:\n    Type: AWS::EC2::Instance\n    Properties: {ImageId: ami-1\n';
const DOCKERFILE = 'FROM golang:1.22\nRUN go build -o /app .\nCMD ["/app"]\n';

function validator(): (doc: unknown) => string[] {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as object);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}

/** Applies a SARIF fix's replacements to `text` (one artifact). */
function applySarifFix(text: string, change: Sarif.ArtifactChange): string {
  const li = new LineIndex(text);
  const edits = (change.replacements ?? []).map((r) => {
    const d = r.deletedRegion;
    return {
      start: li.positionToOffset({ line: d.startLine! - 1, character: d.startColumn! - 1 }),
      end: li.positionToOffset({ line: d.endLine! - 1, character: d.endColumn! - 1 }),
      text: r.insertedContent?.text ?? '',
    };
  }).sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

describe('CLI SARIF output', function () {
  this.timeout(60000);
  let t: TempDir;
  let validate: (doc: unknown) => string[];
  const sarif = (args: string[], expectStatus: number, cwd?: string): Sarif.Log => {
    const r = t.cli([...args, '--format', 'sarif'], { cwd });
    assert.equal(r.status, expectStatus, `exit ${r.status}; stderr: ${r.stderr}`);
    const log = JSON.parse(r.stdout) as Sarif.Log;
    assert.deepEqual(validate(log), [], 'SARIF does not validate against the 2.1.0 schema');
    return log;
  };

  before(() => {
    validate = validator();
  });
  beforeEach(() => {
    t = new TempDir('iac-lint-sarif-');
    t.write('.iac-lint.yaml', onlyRules({ [IMDS]: 'on', 'docker-multi-stage': 'on' }));
  });
  afterEach(() => t.remove());

  it('the schema check can fail', () => {
    assert.ok(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }] }).length > 0);
    assert.ok(validate({ version: '2.0.0', runs: [] }).length > 0);
  });

  it('validates with findings in every format, parse errors, fixes and suggestions', () => {
    t.write('a.yaml', YAML_BAD);
    t.write('main.tf', TF_BAD);
    t.write('broken.yaml', BROKEN);
    t.write('Dockerfile', DOCKERFILE);
    t.write('my stacks/ünï code.yaml', EMOJI);
    const log = sarif([], 1);
    const run = log.runs[0];
    assert.equal(log.version, '2.1.0');
    assert.equal(run.columnKind, 'utf16CodeUnits');
    assert.deepEqual(run.invocations?.map((i) => i.executionSuccessful), [true]);
    const ids = run.results!.map((r) => r.ruleId).sort();
    assert.deepEqual([...new Set(ids)], ['docker-multi-stage', IMDS, 'parse-error']);
    const uriOf = (r: Sarif.Result) => r.locations![0].physicalLocation!.artifactLocation!.uri ?? '';
    const fixable = run.results!.filter((r) => r.ruleId === IMDS && ['a.yaml', 'main.tf'].includes(uriOf(r)));
    assert.equal(fixable.length, 2);
    assert.ok(fixable.every((r) => r.fixes?.length === 1), 'IMDS findings carry their fix');
    const parse = run.results!.find((r) => r.ruleId === 'parse-error')!;
    assert.equal(run.tool.driver.rules![parse.ruleIndex!].id, 'parse-error');
    assert.equal(parse.level, 'error');
  });

  it('describes every rule with its docs, a level, tags and a security severity for security rules', () => {
    const log = sarif([], 0);
    const driver = log.runs[0].tool.driver;
    const pkg = JSON.parse(fs.readFileSync(nodePath.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(driver.name, 'iac-lint');
    assert.equal(driver.version, pkg.version);
    assert.match(driver.informationUri!, /^https:\/\//);
    const byId = new Map(driver.rules!.map((r) => [r.id, r]));
    for (const rule of rules) {
      const d = byId.get(rule.id)!;
      assert.ok(d, rule.id);
      const md = fs.readFileSync(nodePath.join(ROOT, 'rules', `${rule.id}.md`), 'utf8');
      assert.equal(d.help?.markdown, md.replace(/\r\n?/g, '\n'), `${rule.id}: help is the docs page`);
      assert.equal(d.help?.text, d.help?.markdown);
      assert.equal(d.helpUri, docsUrl(rule.id));
      assert.equal(d.shortDescription?.text, rule.description);
      assert.ok((d.fullDescription?.text ?? '').length > 20, `${rule.id}: fullDescription`);
      assert.ok(!d.fullDescription!.text.startsWith('#') && !d.fullDescription!.text.startsWith('**'), `${rule.id}: fullDescription is prose`);
      assert.equal(d.defaultConfiguration?.level, { error: 'error', warning: 'warning', info: 'note', hint: 'note' }[rule.severity]);
      assert.match(d.name!, /^[A-Z][A-Za-z0-9]*$/);
    }
    const imds = byId.get(IMDS)!;
    assert.ok((imds.properties!.tags as string[]).includes('security'));
    assert.equal(imds.properties!['security-severity'], '7.5');
    const naming = byId.get('naming-snake-case')!;
    assert.equal(naming.properties!['security-severity'], undefined);
    assert.ok(byId.has('parse-error') && byId.has('internal-error'));
  });

  it('locates results relative to SRCROOT with percent-encoded URIs and 1-based UTF-16 regions', () => {
    t.write('my stacks/ünï code.yaml', EMOJI);
    t.write('a.yaml', YAML_BAD);
    const log = sarif([], 1);
    const run = log.runs[0];
    assert.equal(run.originalUriBaseIds!.SRCROOT.uri, pathToFileURL(t.path + nodePath.sep).href);
    const locs = run.results!.map((r) => r.locations![0].physicalLocation!);
    assert.deepEqual(locs.map((l) => [l.artifactLocation!.uri, l.artifactLocation!.uriBaseId, l.region]), [
      ['a.yaml', 'SRCROOT', { startLine: 8, startColumn: 21, endLine: 8, endColumn: 29 }],
      // `é😀"` before the value: é is one code unit, 😀 two.
      ['my%20stacks/%C3%BCn%C3%AF%20code.yaml', 'SRCROOT', { startLine: 7, startColumn: 58, endLine: 7, endColumn: 66 }],
    ]);
    for (const r of run.results!) {
      assert.equal(run.tool.driver.rules![r.ruleIndex!].id, r.ruleId);
      assert.deepEqual(r.locations![0].logicalLocations, [{ name: 'Web', kind: 'resource' }]);
    }
  });

  it('locates results relative to the git repository root when run from a subfolder', function () {
    if (!gitAvailable()) this.skip();
    t.git('init', '-q');
    t.write('stacks/web/a.yaml', YAML_BAD);
    const log = sarif(['.', '--config', '../.iac-lint.yaml'], 1, 'stacks');
    const run = log.runs[0];
    assert.equal(run.originalUriBaseIds!.SRCROOT.uri, pathToFileURL(t.path + nodePath.sep).href);
    assert.equal(run.results![0].locations![0].physicalLocation!.artifactLocation!.uri, 'stacks/web/a.yaml');
  });

  it('keeps fingerprints when lines are added above a finding, and tells findings apart', () => {
    t.write('a.yaml', YAML_BAD);
    t.write('b.yaml', YAML_BAD.replace('Web:', 'Api:'));
    const before = sarif([], 1).runs[0].results!;
    t.write('a.yaml', `# a comment\n\n${YAML_BAD.replace('Resources:\n', 'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n')}`);
    const after = sarif([], 1).runs[0].results!;
    const fp = (r: Sarif.Result) => r.partialFingerprints!['iacLintFinding/v1'];
    assert.notEqual(before[0].locations![0].physicalLocation!.region!.startLine, after[0].locations![0].physicalLocation!.region!.startLine);
    assert.deepEqual(after.map(fp), before.map(fp));
    assert.notEqual(fp(before[0]), fp(before[1]));
    t.write('a.yaml', YAML_BAD.replace('HttpTokens: optional', 'HttpTokens: "optional"'));
    assert.notEqual(fp(sarif([], 1).runs[0].results![0]), fp(before[0]), 'a changed line is a changed finding');
  });

  it('carries fixes whose replacements reproduce --fix', () => {
    t.write('a.yaml', YAML_BAD);
    t.write('main.tf', TF_BAD);
    const results = sarif([], 1).runs[0].results!;
    const fixedBySarif = new Map<string, string>();
    for (const r of results) {
      assert.equal(r.fixes?.length, 1, `${r.ruleId} has one fix`);
      const change = r.fixes![0].artifactChanges[0];
      const uri = change.artifactLocation.uri!;
      assert.equal(change.artifactLocation.uriBaseId, 'SRCROOT');
      fixedBySarif.set(uri, applySarifFix(t.read(uri), change));
    }
    assert.equal(t.cli(['--fix']).status, 0);
    assert.equal(fixedBySarif.get('a.yaml'), t.read('a.yaml'));
    assert.equal(fixedBySarif.get('main.tf'), t.read('main.tf'));
  });

  it('marks a run that could not read an input as unsuccessful', function () {
    if (process.platform === 'win32') this.skip();
    t.write('a.yaml', YAML_BAD);
    t.write('b.yaml', YAML_BAD);
    // Root reads anything: run as `nobody` then, when that user can run the CLI here.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    if ('uid' in asNobody) {
      fs.chmodSync(t.path, 0o777);
      for (const f of fs.readdirSync(t.path)) fs.chmodSync(t.file(f), 0o644);
      if (t.cli(['--version'], asNobody).status !== 0) this.skip();
    }
    fs.chmodSync(t.file('b.yaml'), 0o000);
    const r = t.cli(['--format', 'sarif'], asNobody);
    assert.equal(r.status, 2, r.stderr);
    const log = JSON.parse(r.stdout) as Sarif.Log;
    assert.deepEqual(validate(log), []);
    assert.deepEqual(log.runs[0].invocations!.map((i) => i.executionSuccessful), [false]);
  });

  it('writes the report to --output-file, without colours', () => {
    t.write('a.yaml', YAML_BAD);
    const r = t.cli(['--format', 'sarif', '-o', 'out/report.sarif'], { env: { FORCE_COLOR: '1' } });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    const log = JSON.parse(t.read('out/report.sarif')) as Sarif.Log;
    assert.deepEqual(validate(log), []);
    assert.equal(log.runs[0].results!.length, 1);
  });
});

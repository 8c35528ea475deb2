/**
 * Suppressions in the engine: our comment and Metadata syntax in every format,
 * the peer tools' syntaxes through the id mapping, unused suppressions, and the
 * edits behind the "Suppress ..." code actions.
 *
 * Rules that other issues implement are stood in for by small test rules with
 * the catalog's ids: the mechanism only ever looks at rule ids.
 */
import * as assert from 'node:assert/strict';
import { defaultConfig, type EngineConfig } from '../../server/engine/config';
import { applyEdits, fixFiles } from '../../server/engine/fixer';
import { Engine, PARSE_ERROR, UNUSED_SUPPRESSION, type LintResult } from '../../server/engine/linter';
import { PEER_MAPPINGS, ourRulesFor } from '../../server/engine/peerIds';
import { defineRule, type Rule } from '../../server/engine/rule';
import { suppressionFix, type SuppressScope } from '../../server/engine/suppressFixes';
import { rules } from '../../rules';
import { memoryWorkspace } from '../helpers/engine';

const imds = rules.find((r) => r.id === 'ec2-imdsv2-required')!;
const snake = rules.find((r) => r.id === 'naming-snake-case')!;

/** Stand-in for the catalog rule: every `AWS::EC2::Volume` fires at its logical id. */
const ebsEncryption = defineRule({
  id: 'ebs-encryption', severity: 'error', seed: 'test', fixable: false,
  description: 'Test stand-in: every EBS volume fires.',
  cloudformation(ctx) {
    for (const r of ctx.template.resources) {
      if (r.type === 'AWS::EC2::Volume') ctx.report({ range: r.keyRange, resource: r.logicalId, message: 'volume' });
    }
  },
});
/** Stand-in: every `AWS::DynamoDB::Table` fires at its Type value. */
const drDeletion = defineRule({
  id: 'dr-deletion-policy', severity: 'warning', seed: 'test', fixable: false,
  description: 'Test stand-in: every DynamoDB table fires.',
  cloudformation(ctx) {
    for (const r of ctx.template.resources) {
      if (r.type !== 'AWS::DynamoDB::Table') continue;
      const t = r.body.items.find((p) => (p.key as { value?: unknown }).value === 'Type')!;
      const v = (t.value as { range: number[] }).range;
      ctx.report({ range: { start: v[0], end: v[1] }, resource: r.logicalId, message: 'table' });
    }
  },
});
/** Stand-in: every `apt-get install` RUN fires at its keyword. */
const noInstallRecommends = defineRule({
  id: 'docker-no-install-recommends', severity: 'warning', seed: 'test', fixable: false,
  description: 'Test stand-in: every apt-get install fires.',
  dockerfile(ctx) {
    for (const i of ctx.dockerfile.instructions) {
      if (i.keyword === 'RUN' && /apt-get install/.test(i.argsText)) ctx.report({ range: i.keywordRange, message: 'apt' });
    }
  },
});
/** Stand-in: fires on the line of every `AKIA` key, wherever it is (user data included). */
const creds = defineRule({
  id: 'no-hardcoded-credentials', severity: 'error', seed: 'test', fixable: false,
  description: 'Test stand-in: every AKIA key fires.',
  cloudformation(ctx) {
    for (const m of ctx.text.matchAll(/AKIA[A-Z0-9]{16}/g)) ctx.report({ range: { start: m.index!, end: m.index! + m[0].length }, message: 'key' });
  },
  terraform(ctx) {
    for (const m of ctx.text.matchAll(/AKIA[A-Z0-9]{16}/g)) ctx.report({ range: { start: m.index!, end: m.index! + m[0].length }, message: 'key' });
  },
});

const ALL: Rule[] = [imds, snake, ebsEncryption, drDeletion, noInstallRecommends, creds];

let engine: Engine;
before(async () => {
  engine = await Engine.create(defaultConfig(), ALL);
});

function lint(path: string, text: string, e: Engine = engine, siblings: { path: string; text: string }[] = []): LintResult {
  const r = e.lint({ path, text }, memoryWorkspace([{ path, text }, ...siblings]));
  assert.ok(r, `${path} was not linted`);
  return r;
}
const ids = (r: LintResult): string[] => r.findings.map((f) => f.ruleId);
const lineOf = (r: LintResult, ruleId: string): number[] => r.findings.filter((f) => f.ruleId === ruleId).map((f) => r.lines.offsetToPosition(f.range.start).line + 1);

const YAML = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      MetadataOptions:
        HttpTokens: optional
  Other:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-2
      MetadataOptions:
        HttpTokens: optional
`;

describe('suppression: our comments', () => {
  it('a comment on its own line covers the element on the next line', () => {
    const text = YAML.replace('        HttpTokens: optional\n  Other', '        # iac-lint-ignore ec2-imdsv2-required -- legacy AMI\n        HttpTokens: optional\n  Other');
    const r = lint('/w/t.yaml', text);
    assert.deepEqual(ids(r), ['ec2-imdsv2-required']);
    assert.deepEqual(lineOf(r, 'ec2-imdsv2-required'), [15]);
  });

  it('a comment in front of a resource covers everything in it', () => {
    const text = YAML.replace('  Web:\n', '  # iac-lint-ignore ec2-imdsv2-required -- legacy AMI\n  # a second comment line between is fine\n  Web:\n');
    const r = lint('/w/t.yaml', text);
    assert.deepEqual(lineOf(r, 'ec2-imdsv2-required'), [16]);
  });

  it('a trailing comment covers its own line; a blank line in between breaks the link', () => {
    const trailing = lint('/w/t.yaml', YAML.replace('HttpTokens: optional\n  Other', 'HttpTokens: optional # iac-lint-ignore ec2-imdsv2-required\n  Other'));
    assert.deepEqual(lineOf(trailing, 'ec2-imdsv2-required'), [14]);
    const gap = lint('/w/t.yaml', YAML.replace('  Web:\n', '  # iac-lint-ignore ec2-imdsv2-required -- legacy\n\n  Web:\n'));
    assert.deepEqual(lineOf(gap, 'ec2-imdsv2-required'), [10, 16]);
    assert.deepEqual(gap.findings.filter((f) => f.ruleId === UNUSED_SUPPRESSION).map((f) => f.severity), ['info']);
  });

  it('the file-level form covers the whole file, several ids at once', () => {
    const text = `# iac-lint-ignore-file no-hardcoded-credentials, ec2-imdsv2-required -- sandbox account\n${YAML}`.replace('ami-2', 'ami-2\n      UserData: AKIAABCDEFGHIJKLMNOP');
    assert.deepEqual(ids(lint('/w/t.yaml', text.replace('# iac-lint-ignore-file', '# not-a-directive'))).sort(), ['ec2-imdsv2-required', 'ec2-imdsv2-required', 'no-hardcoded-credentials']);
    const r = lint('/w/t.yaml', text);
    assert.deepEqual(ids(r), [], JSON.stringify(r.findings));
  });

  it('text inside a block scalar or a quoted string is not a comment', () => {
    const text = `${YAML}  Script:
    Type: AWS::EC2::Instance
    Properties:
      UserData: |
        # iac-lint-ignore ec2-imdsv2-required
        echo hi
      Description: "# iac-lint-ignore-file ec2-imdsv2-required"
`;
    const r = lint('/w/t.yaml', text);
    assert.equal(r.findings.filter((f) => f.ruleId === 'ec2-imdsv2-required').length, 3);
    assert.equal(r.findings.filter((f) => f.ruleId === UNUSED_SUPPRESSION).length, 0);
  });

  it('Terraform: #, // and /* */ comments, in front of a block or trailing an attribute', () => {
    const tf = `# iac-lint-ignore ec2-imdsv2-required -- bastion, replaced next quarter
resource "aws_instance" "a" {
  ami = "ami-1"
}

// iac-lint-ignore ec2-imdsv2-required
resource "aws_instance" "b" {
  ami = "ami-1"
}

/* iac-lint-ignore ec2-imdsv2-required -- block comment */
resource "aws_instance" "c" {
  ami = "ami-1"
}

resource "aws_instance" "d" {
  metadata_options {
    http_tokens = "optional" # iac-lint-ignore ec2-imdsv2-required
  }
}

resource "aws_instance" "e" {
  ami = "ami-1"
}
`;
    const r = lint('/w/main.tf', tf);
    assert.deepEqual(r.findings.map((f) => `${f.ruleId}@${f.resource}`), ['ec2-imdsv2-required@aws_instance.e']);
  });

  it('Terraform: a module-wide rule finding in another file is not covered by this file', () => {
    const r = lint('/w/main.tf', '# iac-lint-ignore-file naming-snake-case\nresource "aws_instance" "BadName" {\n  metadata_options {\n    http_tokens = "required"\n  }\n}\n');
    assert.deepEqual(ids(r), []);
    const other = lint('/w/other.tf', 'resource "aws_instance" "AlsoBad" {\n  metadata_options {\n    http_tokens = "required"\n  }\n}\n');
    assert.deepEqual(ids(other), ['naming-snake-case']);
  });

  it('Dockerfile: in front of an instruction (continuation lines included), and file-level', () => {
    const df = `FROM debian:12
# iac-lint-ignore docker-no-install-recommends -- we need the docs
RUN apt-get update \\
    && apt-get install -y curl
RUN apt-get install -y git
`;
    const r = lint('/w/Dockerfile', df);
    assert.deepEqual(lineOf(r, 'docker-no-install-recommends'), [5]);
    const all = lint('/w/Dockerfile', `# syntax=docker/dockerfile:1\n# iac-lint-ignore-file docker-no-install-recommends\n${df}`);
    assert.deepEqual(ids(all), []);
  });
});

describe('suppression: CloudFormation Metadata', () => {
  it('resource Metadata (ids, or {id, reason}) in YAML and JSON', () => {
    const yaml = `Resources:
  Vol:
    Type: AWS::EC2::Volume
    Metadata:
      iac-lint:
        ignore:
          - id: ebs-encryption
            reason: scratch space
  Vol2:
    Type: AWS::EC2::Volume
    Metadata:
      iac-lint:
        ignore: [naming-snake-case, ebs-encryption]
  Vol3:
    Type: AWS::EC2::Volume
`;
    const r = lint('/w/v.yaml', yaml);
    // naming-snake-case has no CloudFormation check: naming it on Vol2 suppresses nothing.
    assert.deepEqual(r.findings.map((f) => `${f.ruleId}@${f.resource ?? '-'}`), [`${UNUSED_SUPPRESSION}@-`, 'ebs-encryption@Vol3']);
    const json = JSON.stringify({
      Resources: {
        Vol: { Type: 'AWS::EC2::Volume', Metadata: { 'iac-lint': { ignore: ['ebs-encryption'] } } },
        Vol2: { Type: 'AWS::EC2::Volume' },
      },
    }, null, 2);
    assert.deepEqual(lint('/w/v.json', json).findings.map((f) => f.resource), ['Vol2']);
  });

  it('template Metadata covers the whole file', () => {
    const json = JSON.stringify({
      Metadata: { 'iac-lint': { ignore: [{ id: 'ebs-encryption', reason: 'test stack' }] } },
      Resources: { Vol: { Type: 'AWS::EC2::Volume' }, Vol2: { Type: 'AWS::EC2::Volume' } },
    }, null, 2);
    assert.deepEqual(ids(lint('/w/v.json', json)), []);
  });

  it('a malformed iac-lint Metadata is reported, not ignored silently', () => {
    const r = lint('/w/v.yaml', 'Resources:\n  Vol:\n    Type: AWS::EC2::Volume\n    Metadata:\n      iac-lint:\n        ignore: ebs-encryption\n');
    assert.deepEqual(ids(r).sort(), ['ebs-encryption', UNUSED_SUPPRESSION]);
    const unused = r.findings.find((f) => f.ruleId === UNUSED_SUPPRESSION)!;
    assert.match(unused.message, /takes `ignore:` with a list/);
  });
});

describe('suppression: peer tools', () => {
  it('maps only verified ids, case-insensitively', () => {
    assert.deepEqual(ourRulesFor('checkov', 'CKV_AWS_79'), ['ec2-imdsv2-required']);
    assert.deepEqual(ourRulesFor('trivy', 'avd-aws-0028'), ['ec2-imdsv2-required']);
    assert.deepEqual(ourRulesFor('trivy', 'aws-vpc-no-public-ingress-sgr'), ['sg-no-public-ingress']);
    assert.deepEqual(ourRulesFor('hadolint', 'DL3015'), ['docker-no-install-recommends']);
    // DL3008 is "pin versions in apt-get install": not one of ours.
    assert.deepEqual(ourRulesFor('hadolint', 'DL3008'), []);
    assert.deepEqual(ourRulesFor('checkov', 'CKV_AWS_999'), []);
  });

  it('every mapped rule id is a catalog id', () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const nodePath = require('node:path') as typeof import('node:path');
    const { ROOT } = require('../helpers/engine') as typeof import('../helpers/engine');
    const catalog = new Set([...fs.readFileSync(nodePath.join(ROOT, 'docs', 'catalog.md'), 'utf8').matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]));
    for (const [tool, list] of Object.entries(PEER_MAPPINGS)) {
      for (const p of list) for (const id of p.rules) assert.ok(catalog.has(id), `${tool} ${p.id} maps to ${id}, not a catalog id`);
    }
  });

  it('checkov comments inside a Terraform resource and in CloudFormation YAML; checkov Metadata', () => {
    const tf = `resource "aws_instance" "a" {
  #checkov:skip=CKV_AWS_79:needs IMDSv1 for the vendor agent
  ami = "ami-1"
}
resource "aws_instance" "b" {
  ami = "ami-1"
}
`;
    assert.deepEqual(lint('/w/main.tf', tf).findings.map((f) => f.resource), ['aws_instance.b']);
    const yaml = YAML.replace('    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-1', '    Type: AWS::EC2::Instance\n    # checkov:skip=CKV_AWS_79:vendor agent\n    Properties:\n      ImageId: ami-1');
    assert.deepEqual(lint('/w/t.yaml', yaml).findings.map((f) => f.resource), ['Other']);
    const meta = YAML.replace('  Other:\n    Type: AWS::EC2::Instance\n', '  Other:\n    Type: AWS::EC2::Instance\n    Metadata:\n      checkov:\n        skip:\n          - id: CKV_AWS_79\n            comment: vendor agent\n');
    assert.deepEqual(lint('/w/t.yaml', meta).findings.map((f) => f.resource), ['Web']);
  });

  it('trivy and tfsec comments by AVD id or long id; an expired one no longer applies', () => {
    const tf = `#trivy:ignore:AVD-AWS-0028
resource "aws_instance" "a" {
  ami = "ami-1"
}
#tfsec:ignore:aws-ec2-enforce-http-token-imds
resource "aws_instance" "b" {
  ami = "ami-1"
}
#trivy:ignore:avd-aws-0028:exp:2000-01-01
resource "aws_instance" "c" {
  ami = "ami-1"
}
#trivy:ignore:AVD-AWS-0028:exp:2999-01-01
resource "aws_instance" "d" {
  ami = "ami-1"
}
`;
    assert.deepEqual(lint('/w/main.tf', tf).findings.map((f) => f.resource), ['aws_instance.c']);
  });

  it('tflint comments (line and file), with a trailing reason', () => {
    const tf = `# tflint-ignore: terraform_naming_convention # generated by a vendor tool
variable "BadName" {}
variable "AlsoBad" {}
`;
    assert.deepEqual(lint('/w/vars.tf', tf).findings.map((f) => lineOfFinding(tf, f.range.start)), [3]);
    assert.deepEqual(ids(lint('/w/vars.tf', `# tflint-ignore-file: terraform_naming_convention\n${tf}`)), []);
  });

  it('hadolint comments (next instruction, global)', () => {
    const df = 'FROM debian:12\n# hadolint ignore=DL3008,DL3015\nRUN apt-get install -y curl\nRUN apt-get install -y git\n';
    assert.deepEqual(lint('/w/Dockerfile', df).findings.map((f) => lineOfFinding(df, f.range.start)), [4]);
    assert.deepEqual(ids(lint('/w/Dockerfile', `# hadolint global ignore=DL3015\n${df}`)), []);
    // DL3008 alone (version pinning) does not suppress our rule.
    const pin = 'FROM debian:12\n# hadolint ignore=DL3008\nRUN apt-get install -y curl\n';
    assert.deepEqual(ids(lint('/w/Dockerfile', pin)), ['docker-no-install-recommends']);
  });

  it('cfn_nag and cfn-lint Metadata (resource; cfn-lint also template-wide)', () => {
    const yaml = `Resources:
  Vol:
    Type: AWS::EC2::Volume
    Metadata:
      cfn_nag:
        rules_to_suppress:
          - id: F1
            reason: scratch
  Table:
    Type: AWS::DynamoDB::Table
    Metadata:
      cfn-lint:
        config:
          ignore_checks: [I3011]
  Table2:
    Type: AWS::DynamoDB::Table
`;
    assert.deepEqual(lint('/w/t.yaml', yaml).findings.map((f) => `${f.ruleId}@${f.resource}`), ['dr-deletion-policy@Table2']);
    const global = `Metadata:\n  cfn-lint:\n    config:\n      ignore_checks:\n        - W3011\n${yaml}`;
    assert.deepEqual(ids(lint('/w/t.yaml', global)), []);
  });

  it('unused peer suppressions are left alone', () => {
    const r = lint('/w/main.tf', '#checkov:skip=CKV_AWS_79:x\n#trivy:ignore:AVD-AWS-0028\nresource "aws_s3_bucket" "a" {}\n');
    assert.deepEqual(ids(r), []);
  });
});

function lineOfFinding(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

describe('suppression: unused', () => {
  it('reports each unused id at the id, with a fix that removes it', () => {
    const text = YAML.replace('        HttpTokens: optional\n  Other', '        # iac-lint-ignore ec2-imdsv2-required, naming-snake-case -- legacy\n        HttpTokens: optional\n  Other');
    const e = lint('/w/t.yaml', text);
    const unused = e.findings.filter((f) => f.ruleId === UNUSED_SUPPRESSION);
    assert.equal(unused.length, 1);
    assert.equal(text.slice(unused[0].range.start, unused[0].range.end), 'naming-snake-case');
    assert.match(unused[0].message, /no `naming-snake-case` finding/);
    const fixed = applyEdits(text, unused[0].fixes[0].changes[0].edits);
    assert.ok(fixed.includes('# iac-lint-ignore ec2-imdsv2-required -- legacy\n'), fixed);
    assert.deepEqual(ids(lint('/w/t.yaml', fixed)), ['ec2-imdsv2-required']);
  });

  it('a fully unused comment line is removed whole by its fix', () => {
    const text = 'resource "aws_instance" "a" {\n  # iac-lint-ignore ec2-imdsv2-required\n  metadata_options {\n    http_tokens = "required"\n  }\n}\n';
    const r = lint('/w/main.tf', text);
    assert.deepEqual(ids(r), [UNUSED_SUPPRESSION]);
    assert.equal(applyEdits(text, r.findings[0].fixes[0].changes[0].edits), text.replace('  # iac-lint-ignore ec2-imdsv2-required\n', ''));
  });

  it('unknown ids are reported; rules turned off and files with syntax errors are not judged', async () => {
    const text = '# iac-lint-ignore ec2-imdsv2-requried\nresource "aws_s3_bucket" "a" {}\n';
    const r = lint('/w/main.tf', text);
    assert.deepEqual(r.findings.map((f) => f.message), ['`ec2-imdsv2-requried` is not an iac-lint rule id: this suppression does nothing.']);
    const config: EngineConfig = { ...defaultConfig(), rules: { 'ec2-imdsv2-required': 'off' } };
    const off = await Engine.create(config, ALL);
    assert.deepEqual(ids(lint('/w/main.tf', '# iac-lint-ignore ec2-imdsv2-required\nresource "aws_s3_bucket" "a" {}\n', off)), []);
    const broken = lint('/w/main.tf', '# iac-lint-ignore ec2-imdsv2-required\nresource "aws_s3_bucket" "a" {\n');
    assert.deepEqual(ids(broken).filter((i) => i !== PARSE_ERROR), []);
  });

  it('the unused-suppression severity is configurable, and `off` silences it', async () => {
    const text = '# iac-lint-ignore ec2-imdsv2-required\nresource "aws_s3_bucket" "a" {}\n';
    const warn = await Engine.create({ ...defaultConfig(), rules: { [UNUSED_SUPPRESSION]: 'warning' } }, ALL);
    assert.deepEqual(lint('/w/main.tf', text, warn).findings.map((f) => f.severity), ['warning']);
    const off = await Engine.create({ ...defaultConfig(), rules: { [UNUSED_SUPPRESSION]: 'off' } }, ALL);
    assert.deepEqual(ids(lint('/w/main.tf', text, off)), []);
  });

  it('fix-all leaves suppressed findings alone', () => {
    const text = YAML.replace('  Web:\n', '  # iac-lint-ignore ec2-imdsv2-required -- legacy\n  Web:\n');
    const res = fixFiles(engine, [{ path: '/w/t.yaml', text }], memoryWorkspace([{ path: '/w/t.yaml', text }]));
    const out = res.changed.get('/w/t.yaml')!;
    assert.equal(out.split('HttpTokens: optional').length - 1, 1, out);
    assert.equal(out.split('HttpTokens: required').length - 1, 1, out);
  });
});

describe('suppression code actions (edits)', () => {
  /** Applies the suppression edit for the first finding of `ruleId`; the finding must be gone, nothing unused, no syntax error. */
  function suppress(path: string, text: string, ruleId: string, scope: SuppressScope, which = 0): string {
    const r = lint(path, text);
    const f = r.findings.filter((x) => x.ruleId === ruleId)[which];
    assert.ok(f, `no ${ruleId} finding in ${JSON.stringify(r.findings)}`);
    const fix = suppressionFix(r.suppression!, f, scope);
    assert.ok(fix, `no ${scope} suppression offered`);
    assert.equal(fix.kind, 'suggestion');
    const out = applyEdits(text, fix.changes[0].edits);
    const after = lint(path, out);
    const before = r.findings.filter((x) => x.ruleId === ruleId).length;
    assert.equal(after.findings.filter((x) => x.ruleId === ruleId).length, scope === 'file' ? 0 : before - 1, out);
    assert.deepEqual(after.findings.filter((x) => x.ruleId === PARSE_ERROR), [], out);
    const unused = (x: LintResult) => x.findings.filter((y) => y.ruleId === UNUSED_SUPPRESSION).length;
    assert.equal(unused(after), unused(r), `the new suppression is reported unused:\n${out}`);
    return out;
  }

  it('line: YAML, with the line\'s indentation; a second rule joins the existing comment', () => {
    const out = suppress('/w/t.yaml', YAML, 'ec2-imdsv2-required', 'line');
    assert.ok(out.includes('      MetadataOptions:\n        # iac-lint-ignore ec2-imdsv2-required -- <reason>\n        HttpTokens: optional\n  Other'), out);
    const twice = suppress('/w/t.yaml', out, 'ec2-imdsv2-required', 'line');
    assert.equal(twice.split('iac-lint-ignore').length - 1, 2);
  });

  it('line: inside a block scalar the comment goes in front of its key', () => {
    const text = 'Resources:\n  Web:\n    Type: AWS::EC2::Instance\n    Properties:\n      MetadataOptions:\n        HttpTokens: required\n      UserData: |\n        export KEY=AKIAABCDEFGHIJKLMNOP\n';
    const out = suppress('/w/t.yaml', text, 'no-hardcoded-credentials', 'line');
    assert.ok(out.includes('      # iac-lint-ignore no-hardcoded-credentials -- <reason>\n      UserData: |\n        export KEY=AKIAABCDEFGHIJKLMNOP\n'), out);
  });

  it('line: inside a Terraform heredoc the comment goes in front of its attribute', () => {
    const text = 'resource "aws_instance" "a" {\n  metadata_options {\n    http_tokens = "required"\n  }\n  user_data = <<EOF\nexport KEY=AKIAABCDEFGHIJKLMNOP\nEOF\n}\n';
    const out = suppress('/w/main.tf', text, 'no-hardcoded-credentials', 'line');
    assert.ok(out.includes('  # iac-lint-ignore no-hardcoded-credentials -- <reason>\n  user_data = <<EOF\n'), out);
  });

  it('line: a continued Dockerfile instruction gets the comment in front of the instruction', () => {
    const df = 'FROM debian:12\nRUN apt-get update \\\n    && apt-get install -y curl\n';
    const out = suppress('/w/Dockerfile', df, 'docker-no-install-recommends', 'line');
    assert.equal(out, 'FROM debian:12\n# iac-lint-ignore docker-no-install-recommends -- <reason>\nRUN apt-get update \\\n    && apt-get install -y curl\n');
  });

  it('resource: CloudFormation Metadata in YAML (new, and appended to an existing list)', () => {
    const out = suppress('/w/t.yaml', YAML, 'ec2-imdsv2-required', 'resource');
    assert.ok(out.includes('        HttpTokens: optional\n    Metadata:\n      iac-lint:\n        ignore:\n          - id: ec2-imdsv2-required\n            reason: <reason>\n  Other:\n'), out);
    const withList = 'Resources:\n  Vol:\n    Type: AWS::EC2::Volume\n    Metadata:\n      iac-lint:\n        ignore:\n          - naming-snake-case\n';
    const appended = suppress('/w/v.yaml', withList, 'ebs-encryption', 'resource');
    assert.ok(appended.endsWith('          - naming-snake-case\n          - id: ebs-encryption\n            reason: <reason>\n'), appended);
  });

  it('resource and file: CloudFormation JSON uses Metadata, in the file\'s own style', () => {
    const json = '{\n  "Resources": {\n    "Vol": {\n      "Type": "AWS::EC2::Volume"\n    },\n    "Vol2": {\n      "Type": "AWS::EC2::Volume"\n    }\n  }\n}\n';
    const out = suppress('/w/v.json', json, 'ebs-encryption', 'resource');
    assert.doesNotThrow(() => JSON.parse(out));
    assert.deepEqual(JSON.parse(out).Resources.Vol.Metadata, { 'iac-lint': { ignore: [{ id: 'ebs-encryption', reason: '<reason>' }] } });
    const file = suppress('/w/v.json', json, 'ebs-encryption', 'file');
    assert.deepEqual(JSON.parse(file).Metadata, { 'iac-lint': { ignore: [{ id: 'ebs-encryption', reason: '<reason>' }] } });
    assert.equal(suppressionFix(lint('/w/v.json', json).suppression!, lint('/w/v.json', json).findings[0], 'line'), null);
  });

  it('resource: a Terraform comment in front of the block', () => {
    const tf = 'resource "aws_instance" "a" {\n  ami = "ami-1"\n}\n';
    assert.equal(suppress('/w/main.tf', tf, 'ec2-imdsv2-required', 'resource'), `# iac-lint-ignore ec2-imdsv2-required -- <reason>\n${tf}`);
  });

  it('file: at the top, after Dockerfile parser directives; a second rule joins it', () => {
    const df = '# syntax=docker/dockerfile:1\nFROM debian:12\nRUN apt-get install -y curl\n';
    const out = suppress('/w/Dockerfile', df, 'docker-no-install-recommends', 'file');
    assert.equal(out, '# syntax=docker/dockerfile:1\n# iac-lint-ignore-file docker-no-install-recommends -- <reason>\nFROM debian:12\nRUN apt-get install -y curl\n');
    const tf = 'variable "BadName" {}\nresource "aws_instance" "a" {}\n';
    const once = suppress('/w/main.tf', tf, 'naming-snake-case', 'file');
    const twice = suppress('/w/main.tf', once, 'ec2-imdsv2-required', 'file');
    assert.equal(twice, `# iac-lint-ignore-file naming-snake-case, ec2-imdsv2-required -- <reason>\n${tf}`);
  });

  it('keeps CRLF line endings', () => {
    const crlf = YAML.replace(/\n/g, '\r\n');
    const out = suppress('/w/t.yaml', crlf, 'ec2-imdsv2-required', 'line');
    assert.ok(!/[^\r]\n/.test(out), 'a bare LF was written');
  });
});

describe('docs/suppression.md', () => {
  it('has the current generated peer tables (node out/scripts/gen-suppression-docs.js)', () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const nodePath = require('node:path') as typeof import('node:path');
    const { ROOT } = require('../helpers/engine') as typeof import('../helpers/engine');
    const { docWithTables } = require('../../scripts/gen-suppression-docs') as typeof import('../../scripts/gen-suppression-docs');
    const doc = fs.readFileSync(nodePath.join(ROOT, 'docs', 'suppression.md'), 'utf8');
    assert.equal(docWithTables(doc), doc, 'docs/suppression.md peer tables are stale');
    for (const list of Object.values(PEER_MAPPINGS)) for (const p of list) assert.ok(doc.includes(`| \`${p.id}\` |`), p.id);
  });
});

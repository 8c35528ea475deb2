import * as assert from 'node:assert/strict';
import imdsv2 from '../../rules/ec2-imdsv2-required';
import { applyEdits, fixFiles } from '../../server/engine/fixer';
import { defineRule, type Rule } from '../../server/engine/rule';
import type { SourceFile, TextEdit } from '../../server/engine/types';
import { engineFor, memoryWorkspace } from '../helpers/engine';
import { SUGGEST_ONLY } from '../helpers/templates';

describe('applyEdits', () => {
  const text = 'abcdef';

  it('returns the text unchanged without edits', () => {
    assert.equal(applyEdits(text, []), text);
  });

  it('applies edits given in any order by position', () => {
    const edits: TextEdit[] = [{ start: 4, end: 5, newText: 'E' }, { start: 0, end: 1, newText: 'A' }, { start: 2, end: 2, newText: '+' }];
    assert.equal(applyEdits(text, edits), 'Ab+cdEf');
    // The caller's array is left as it was.
    assert.deepEqual(edits.map((e) => e.start), [4, 0, 2]);
  });

  it('applies adjacent replacements and deletions', () => {
    assert.equal(applyEdits(text, [{ start: 2, end: 4, newText: 'Y' }, { start: 0, end: 2, newText: 'X' }]), 'XYef');
    assert.equal(applyEdits(text, [{ start: 1, end: 3, newText: '' }, { start: 5, end: 6, newText: '' }]), 'ade');
    assert.equal(applyEdits(text, [{ start: 0, end: 6, newText: 'all' }]), 'all');
    assert.equal(applyEdits(text, [{ start: 6, end: 6, newText: '!' }]), 'abcdef!');
  });

  it('keeps the given order for insertions at the same point', () => {
    assert.equal(applyEdits(text, [{ start: 2, end: 2, newText: '1' }, { start: 2, end: 2, newText: '2' }]), 'ab12cdef');
    assert.equal(applyEdits(text, [{ start: 2, end: 2, newText: '2' }, { start: 2, end: 2, newText: '1' }]), 'ab21cdef');
  });

  it('puts an insertion before a replacement that starts at the same point, and after one that ends there', () => {
    assert.equal(applyEdits(text, [{ start: 2, end: 4, newText: 'R' }, { start: 2, end: 2, newText: 'I' }]), 'abIRef');
    assert.equal(applyEdits(text, [{ start: 4, end: 4, newText: 'I' }, { start: 2, end: 4, newText: 'R' }]), 'abRIef');
  });

  it('throws on overlapping edits', () => {
    assert.throws(() => applyEdits(text, [{ start: 0, end: 3, newText: 'x' }, { start: 2, end: 5, newText: 'y' }]), /overlapping edits at offset 2/);
    assert.throws(() => applyEdits(text, [{ start: 1, end: 3, newText: 'x' }, { start: 1, end: 3, newText: 'y' }]), /overlapping edits at offset 1/);
    assert.throws(() => applyEdits(text, [{ start: 1, end: 4, newText: 'x' }, { start: 2, end: 2, newText: 'y' }]), /overlapping edits at offset 2/);
    assert.throws(() => applyEdits(text, [{ start: 3, end: 5, newText: 'y' }, { start: 0, end: 6, newText: 'x' }]), /overlapping edits at offset 3/);
  });
});

// ---------------------------------------------------------------------------------------

const YAML_IN = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
  Bare:
    Type: AWS::EC2::Instance
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions:
          HttpTokens: 'optional'
`;
const YAML_OUT = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      MetadataOptions:
        HttpTokens: required
  Bare:
    Type: AWS::EC2::Instance
    Properties:
      MetadataOptions:
        HttpTokens: required
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions:
          HttpTokens: 'required'
`;
const JSON_IN = '{\r\n\t"AWSTemplateFormatVersion": "2010-09-09",\r\n\t"Resources": {\r\n\t\t"Web": {\r\n\t\t\t"Type": "AWS::EC2::Instance",\r\n\t\t\t"Properties": {\r\n\t\t\t\t"ImageId": "ami-1"\r\n\t\t\t}\r\n\t\t}\r\n\t}\r\n}\r\n';
const JSON_OUT = '{\r\n\t"AWSTemplateFormatVersion": "2010-09-09",\r\n\t"Resources": {\r\n\t\t"Web": {\r\n\t\t\t"Type": "AWS::EC2::Instance",\r\n\t\t\t"Properties": {\r\n\t\t\t\t"ImageId": "ami-1",\r\n\t\t\t\t"MetadataOptions": {\r\n\t\t\t\t\t"HttpTokens": "required"\r\n\t\t\t\t}\r\n\t\t\t}\r\n\t\t}\r\n\t}\r\n}\r\n';
const TF_IN = `resource "aws_instance" "web" {
  ami = "ami-1"
}

resource "aws_launch_template" "app" {
  metadata_options {
    http_tokens = "optional"
  }
}
`;
const TF_OUT = `resource "aws_instance" "web" {
  ami = "ami-1"

  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_launch_template" "app" {
  metadata_options {
    http_tokens = "required"
  }
}
`;
const GOOD_YAML = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      MetadataOptions:
        HttpTokens: required
`;

/** A Terraform rule for pass tests: each listed header line missing from the file is added at offset 0. */
function headerRule(lines: string[]): Rule {
  return defineRule({
    id: 'test-header', severity: 'warning', description: 'test', seed: 'test', fixable: 'exact',
    terraform(ctx) {
      lines.forEach((line, i) => {
        if (ctx.text.includes(`${line}\n`)) return;
        ctx.report({ range: { start: i, end: i + 1 }, message: `missing ${line}`, fixes: [ctx.fix(`add ${line}`, [{ start: 0, end: 0, newText: `${line}\n` }])] });
      });
    },
  });
}

/** Never satisfied: always offers to append one more `x`. */
const appendX = defineRule({
  id: 'test-append-x', severity: 'info', description: 'test', seed: 'test', fixable: 'exact',
  terraform(ctx) {
    ctx.report({ range: { start: 0, end: 1 }, message: 'more x', fixes: [ctx.fix('x', [{ start: ctx.text.length, end: ctx.text.length, newText: 'x' }])] });
  },
});

/** Marks every other file of the module with `# seen`, from the file being linted. */
const markSiblings = defineRule({
  id: 'test-mark-siblings', severity: 'info', description: 'test', seed: 'test', fixable: 'exact',
  terraform(ctx) {
    if (!ctx.path.endsWith('main.tf')) return;
    for (const f of ctx.module.files) {
      if (f.path === ctx.path || f.text.includes('# seen')) continue;
      ctx.report({
        range: { start: 0, end: 1 }, message: `mark ${f.path}`,
        fixes: [{ title: 'mark', kind: 'exact', changes: [{ path: f.path, edits: [{ start: f.text.length, end: f.text.length, newText: '# seen\n' }] }] }],
      });
    }
    // A fix on a file the workspace cannot show is never applied.
    ctx.report({
      range: { start: 1, end: 2 }, message: 'elsewhere',
      fixes: [{ title: 'elsewhere', kind: 'exact', changes: [{ path: '/nowhere/x.tf', edits: [{ start: 0, end: 0, newText: 'x' }] }] }],
    });
  },
});

/** A fix whose own edits overlap: it can never be applied, and must not throw. */
const selfOverlap = defineRule({
  id: 'test-self-overlap', severity: 'info', description: 'test', seed: 'test', fixable: 'exact',
  terraform(ctx) {
    ctx.report({ range: { start: 0, end: 1 }, message: 'bad fix', fixes: [ctx.fix('bad', [{ start: 0, end: 3, newText: 'a' }, { start: 2, end: 4, newText: 'b' }])] });
  },
});

describe('fixFiles', () => {
  it('fixes several files in one pass with exact expected output', async () => {
    const engine = await engineFor([imdsv2]);
    const files: SourceFile[] = [
      { path: '/ws/a.yaml', text: YAML_IN },
      { path: '/ws/b.json', text: JSON_IN },
      { path: '/ws/main.tf', text: TF_IN },
      { path: '/ws/good.yaml', text: GOOD_YAML },
      { path: '/ws/README.md', text: '# not IaC' },
      { path: '/ws/k8s.yaml', text: 'apiVersion: v1\nkind: Pod\n' },
    ];
    const res = fixFiles(engine, files, memoryWorkspace(files));
    assert.deepEqual([...res.changed.keys()].sort(), ['/ws/a.yaml', '/ws/b.json', '/ws/main.tf']);
    assert.equal(res.changed.get('/ws/a.yaml'), YAML_OUT);
    assert.equal(res.changed.get('/ws/b.json'), JSON_OUT);
    assert.equal(res.changed.get('/ws/main.tf'), TF_OUT);
    assert.equal(res.applied, 6);
    assert.equal(res.passes, 1);
    // The inputs are not touched.
    assert.equal(files[0].text, YAML_IN);
  });

  it('is idempotent: a second run changes nothing', async () => {
    const engine = await engineFor([imdsv2]);
    const files: SourceFile[] = [{ path: '/ws/a.yaml', text: YAML_IN }, { path: '/ws/main.tf', text: TF_IN }];
    const first = fixFiles(engine, files, memoryWorkspace(files));
    const fixed = files.map((f) => ({ path: f.path, text: first.changed.get(f.path)! }));
    const again = fixFiles(engine, fixed, memoryWorkspace(fixed));
    assert.equal(again.changed.size, 0);
    assert.equal(again.applied, 0);
    assert.equal(again.passes, 0);
    for (const f of fixed) {
      const res = engine.lint(f, memoryWorkspace(fixed))!;
      assert.deepEqual(res.findings, [], `${f.path} still has findings`);
    }
  });

  it('applies no suggestions', async () => {
    const engine = await engineFor([imdsv2]);
    const files: SourceFile[] = [
      { path: '/ws/a.yaml', text: SUGGEST_ONLY },
      { path: '/ws/mod/main.tf', text: 'resource "aws_instance" "web" {\n  metadata_options {\n    http_tokens = var.tokens\n  }\n}\n' },
      { path: '/ws/mod/variables.tf', text: 'variable "tokens" {\n  default = "optional"\n}\n' },
    ];
    const ws = memoryWorkspace(files);
    assert.equal(engine.lint(files[0], ws)!.findings.length, 1);
    assert.equal(engine.lint(files[1], ws)!.findings.length, 1);
    const res = fixFiles(engine, files, ws);
    assert.equal(res.changed.size, 0);
    assert.equal(res.applied, 0);
    assert.equal(res.passes, 0);
  });

  it('defers a fix that conflicts with one already taken to the next pass', async () => {
    const engine = await engineFor([headerRule(['# A', '# B'])]);
    const files: SourceFile[] = [{ path: '/ws/main.tf', text: 'locals {}\n' }];
    const res = fixFiles(engine, files, memoryWorkspace(files));
    assert.equal(res.changed.get('/ws/main.tf'), '# B\n# A\nlocals {}\n');
    assert.equal(res.applied, 2);
    assert.equal(res.passes, 2);
  });

  it('stops after maxPasses', async () => {
    const engine = await engineFor([appendX]);
    const files: SourceFile[] = [{ path: '/ws/main.tf', text: 'locals {}\n' }];
    const res = fixFiles(engine, files, memoryWorkspace(files), 3);
    assert.equal(res.changed.get('/ws/main.tf'), 'locals {}\nxxx');
    assert.equal(res.passes, 3);
    assert.equal(res.applied, 3);
    const none = fixFiles(engine, files, memoryWorkspace(files), 0);
    assert.equal(none.changed.size, 0);
    assert.equal(none.passes, 0);
    const dflt = fixFiles(engine, files, memoryWorkspace(files));
    assert.equal(dflt.changed.get('/ws/main.tf'), `locals {}\n${'x'.repeat(10)}`);
    assert.equal(dflt.passes, 10);
  });

  it('applies only the rules the filter lets through', async () => {
    const engine = await engineFor([imdsv2, appendX]);
    const files: SourceFile[] = [{ path: '/ws/main.tf', text: TF_IN }];
    const seen: string[] = [];
    const res = fixFiles(engine, files, memoryWorkspace(files), 10, (id) => {
      seen.push(id);
      return id === imdsv2.id;
    });
    assert.equal(res.changed.get('/ws/main.tf'), TF_OUT);
    assert.equal(res.applied, 2);
    assert.equal(res.passes, 1);
    assert.ok(seen.includes('test-append-x'));
    const onlyX = fixFiles(engine, files, memoryWorkspace(files), 2, (id) => id === 'test-append-x');
    assert.equal(onlyX.changed.get('/ws/main.tf'), `${TF_IN}xx`);
  });

  it('fixes module siblings the workspace shows, re-reading them between passes', async () => {
    const engine = await engineFor([markSiblings]);
    const main: SourceFile = { path: '/ws/mod/main.tf', text: 'locals {}\n' };
    const siblings: SourceFile[] = [
      { path: '/ws/mod/a.tf', text: 'variable "a" {}\n' },
      { path: '/ws/mod/b.tf', text: 'variable "b" {}\n# seen\n' },
      { path: '/ws/other/c.tf', text: 'variable "c" {}\n' },
    ];
    const res = fixFiles(engine, [main], memoryWorkspace([main, ...siblings]));
    assert.deepEqual([...res.changed.entries()], [['/ws/mod/a.tf', 'variable "a" {}\n# seen\n']]);
    assert.equal(res.applied, 1);
    assert.equal(res.passes, 1);
  });

  it('never applies a fix whose own edits overlap, and does not throw', async () => {
    const engine = await engineFor([selfOverlap]);
    const files: SourceFile[] = [{ path: '/ws/main.tf', text: 'locals {}\n' }];
    const res = fixFiles(engine, files, memoryWorkspace(files));
    assert.equal(res.changed.size, 0);
    assert.equal(res.applied, 0);
  });

  it('takes the first of two fixes from different rules at the same point', async () => {
    const engine = await engineFor([headerRule(['# A']), defineRule({ ...headerRule(['# Z']), id: 'test-header-z' })]);
    const files: SourceFile[] = [{ path: '/ws/main.tf', text: 'locals {}\n' }];
    const res = fixFiles(engine, files, memoryWorkspace(files), 1);
    // One pass: the two insertions at offset 0 conflict, only one is taken.
    assert.equal(res.applied, 1);
    assert.equal(res.changed.get('/ws/main.tf'), '# A\nlocals {}\n');
  });
});

import * as assert from 'node:assert/strict';
import { isAlias, isScalar, isSeq, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { ensureValue, insertEntry, replaceValue } from '../../server/engine/cloudformation/edit';
import type { CfnTemplate } from '../../server/engine/cloudformation/model';
import { getMap, getNode, intrinsic, resolveValues, type Resolved } from '../../server/engine/cloudformation/nodes';
import { parseCloudFormation } from '../../server/engine/cloudformation/parser';
import { applyEdits } from '../../server/engine/fixer';
import type { TextEdit } from '../../server/engine/types';

const HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\n';

function parse(text: string, path = '/ws/template.yaml'): CfnTemplate {
  const tpl = parseCloudFormation(path, text);
  assert.ok(tpl, 'expected a template');
  return tpl;
}

function props(tpl: CfnTemplate, id: string): YAMLMap {
  const p = tpl.resourceById.get(id)?.properties;
  assert.ok(p, `${id} has no Properties map`);
  return p;
}

/** The source text of a node, short-form tag excluded (as `yaml` ranges it). */
function src(tpl: CfnTemplate, node: Node | null | undefined): string {
  assert.ok(node?.range, 'node has no range');
  return tpl.text.slice(node.range[0], node.range[1]);
}

/** Resolved values as compact strings: `known:<json>`, `unknown:<source>`, `absent:<source>`. */
function show(tpl: CfnTemplate, rs: Resolved[]): string[] {
  return rs.map((r) => (r.kind === 'known' ? `known:${JSON.stringify(r.value)}` : `${r.kind}:${src(tpl, r.node)}`));
}

/** Apply one edit, compare with the exact expected text, and check the result still parses cleanly. */
function applyOne(tpl: CfnTemplate, edit: TextEdit | null, expected: string): void {
  assert.ok(edit, 'expected an edit');
  const out = applyEdits(tpl.text, [edit]);
  assert.equal(out, expected);
  const again = parseCloudFormation(tpl.path, out);
  assert.ok(again, 'the edited text is no longer a template');
  assert.deepEqual(again.errors, []);
}

/** `Properties.MetadataOptions.HttpTokens = required` on the first resource, as the IMDSv2 rule asks. */
function ensureTokens(tpl: CfnTemplate): TextEdit | null {
  return ensureValue(tpl, tpl.resources[0].body, ['Properties', 'MetadataOptions'], 'HttpTokens', 'required');
}

describe('CloudFormation parser', () => {
  describe('detection', () => {
    it('recognises a template by AWSTemplateFormatVersion alone', () => {
      const tpl = parse(`${HEAD}Description: nothing yet\n`);
      assert.equal(tpl.isJson, false);
      assert.deepEqual(tpl.resources, []);
      assert.deepEqual(tpl.errors, []);
    });

    it('recognises a template by a Resources map with AWS:: or Custom:: types', () => {
      const aws = parse('Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n');
      assert.deepEqual(aws.resources.map((r) => [r.logicalId, r.type]), [['Bucket', 'AWS::S3::Bucket']]);
      const custom = parse('Resources:\n  Thing:\n    Type: Custom::Thing\n    Properties:\n      ServiceToken: arn:aws:lambda:x\n');
      assert.deepEqual(custom.resources.map((r) => [r.logicalId, r.type]), [['Thing', 'Custom::Thing']]);
      assert.ok(custom.resources[0].properties);
    });

    it('recognises a SAM template', () => {
      const tpl = parse('Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n');
      assert.deepEqual(tpl.resources.map((r) => [r.logicalId, r.type]), [['Fn', 'AWS::Serverless::Function']]);
      assert.deepEqual(tpl.errors, []);
    });

    const notTemplates: [string, string, string][] = [
      ['a Kubernetes manifest', 'deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n'],
      ['a GitHub workflow', '.github/workflows/ci.yml', 'name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm test\n'],
      ['a docker-compose file', 'docker-compose.yml', 'services:\n  web:\n    image: nginx\n    ports:\n      - "80:80"\n'],
      ['package.json', 'package.json', '{\n  "name": "x",\n  "version": "1.0.0",\n  "scripts": { "test": "mocha" }\n}\n'],
      ['YAML mentioning an AWS type in a string', 'notes.yaml', 'title: notes\nbody: "Type: AWS::EC2::Instance is the resource to use"\n'],
      ['a workflow deploying a template inline', 'deploy.yml', 'jobs:\n  deploy:\n    steps:\n      - run: |\n          cat > t.yaml <<EOF\n          Resources:\n            B:\n              Type: AWS::S3::Bucket\n          EOF\n'],
      ['YAML with an AWS type below a non-Resources key', 'other.yaml', 'Things:\n  B:\n    Type: AWS::S3::Bucket\n'],
      ['a Resources map without AWS types', 'other.yaml', 'Resources:\n  B:\n    Type: Something::Else\n    Note: AWSTemplateFormatVersion is no key here\n'],
      ['JSON mentioning an AWS type', 'policy.json', '{"Description": "Type: AWS::S3::Bucket", "Items": []}'],
      ['multi-document Kubernetes YAML embedding a template', 'k8s.yaml', 'apiVersion: v1\nkind: ConfigMap\ndata:\n  template.yaml: |\n    Resources:\n      B:\n        Type: AWS::S3::Bucket\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n'],
    ];
    for (const [name, file, text] of notTemplates) {
      it(`leaves ${name} alone`, () => {
        assert.equal(parseCloudFormation(`/ws/${file}`, text), null);
      });
    }

    it('returns null for an empty file and for whitespace', () => {
      assert.equal(parseCloudFormation('/ws/t.yaml', ''), null);
      assert.equal(parseCloudFormation('/ws/t.yaml', '\n\n  \n'), null);
      assert.equal(parseCloudFormation('/ws/t.json', '{}'), null);
    });
  });

  describe('intrinsic functions', () => {
    const text = `${HEAD}Parameters:
  Tokens:
    Type: String
    Default: optional
  NoDefault:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Mappings:
  Map: {a: {b: c}}
Resources:
  Res:
    Type: AWS::EC2::Instance
    Properties:
      Ref: !Ref Tokens
      Sub: !Sub "arn:\${AWS::Region}:x"
      GetAtt: !GetAtt Bucket.Arn
      If: !If [IsProd, required, optional]
      Join: !Join ["", [a, !Sub "\${X}-b"]]
      Select: !Select [0, !GetAZs ""]
      FindInMap: !FindInMap [Map, a, b]
      LongRef: {Ref: Tokens}
      LongGetAtt: {"Fn::GetAtt": [Bucket, Arn]}
      LongIf: {"Fn::If": [IsProd, required, {Ref: Tokens}]}
      NoValue: !Ref AWS::NoValue
      IfNoValue: !If [IsProd, !Ref AWS::NoValue, !Ref Tokens]
      RefNoDefault: !Ref NoDefault
      RefUnknown: !Ref Nowhere
      Number: 42
      Flag: true
      Plain: optional
      Literal: |
        line one
        line two
      Folded: >-
        folded
        text
      Anchored: &opts
        HttpTokens: required
      Aliased: *opts
      ScalarAnchor: &tok optional
      ScalarAlias: *tok
`;
    let tpl: CfnTemplate;
    let p: YAMLMap;
    before(() => {
      tpl = parse(text);
      p = props(tpl, 'Res');
    });

    it('parses without errors', () => {
      assert.deepEqual(tpl.errors, []);
      assert.deepEqual([...tpl.parameters.keys()], ['Tokens', 'NoDefault']);
      assert.equal(tpl.parameters.get('NoDefault')!.default, null);
    });

    it('reads short forms with their argument', () => {
      const ref = intrinsic(getNode(p, 'Ref'));
      assert.equal(ref?.fn, 'Ref');
      assert.ok(isScalar(ref!.arg));
      assert.equal(ref!.arg.value, 'Tokens');
      assert.equal(src(tpl, ref!.arg), 'Tokens');

      const sub = intrinsic(getNode(p, 'Sub'));
      assert.equal(sub?.fn, 'Sub');
      assert.equal((sub!.arg as { value?: unknown }).value, 'arn:${AWS::Region}:x');

      const getAtt = intrinsic(getNode(p, 'GetAtt'));
      assert.equal(getAtt?.fn, 'GetAtt');
      assert.equal((getAtt!.arg as { value?: unknown }).value, 'Bucket.Arn');

      const iff = intrinsic(getNode(p, 'If'));
      assert.equal(iff?.fn, 'If');
      assert.ok(isSeq(iff!.arg));
      assert.deepEqual(iff!.arg.toJSON(), ['IsProd', 'required', 'optional']);

      const select = intrinsic(getNode(p, 'Select'));
      assert.equal(select?.fn, 'Select');
      const selItems = (select!.arg as YAMLSeq).items as Node[];
      assert.equal(intrinsic(selItems[1])?.fn, 'GetAZs');

      const find = intrinsic(getNode(p, 'FindInMap'));
      assert.equal(find?.fn, 'FindInMap');
      assert.deepEqual((find!.arg as YAMLSeq).toJSON(), ['Map', 'a', 'b']);
    });

    it('reads a !Sub nested in a !Join', () => {
      const join = intrinsic(getNode(p, 'Join'));
      assert.equal(join?.fn, 'Join');
      const [sep, list] = (join!.arg as YAMLSeq).items as Node[];
      assert.ok(isScalar(sep));
      assert.equal(sep.value, '');
      assert.ok(isSeq(list));
      const items = (list as YAMLSeq).items as Node[];
      assert.equal(intrinsic(items[0]), null);
      const inner = intrinsic(items[1]);
      assert.equal(inner?.fn, 'Sub');
      assert.equal((inner!.arg as { value?: unknown }).value, '${X}-b');
    });

    it('reads long forms', () => {
      const ref = intrinsic(getNode(p, 'LongRef'));
      assert.equal(ref?.fn, 'Ref');
      assert.equal((ref!.arg as { value?: unknown }).value, 'Tokens');
      const getAtt = intrinsic(getNode(p, 'LongGetAtt'));
      assert.equal(getAtt?.fn, 'GetAtt');
      assert.deepEqual((getAtt!.arg as YAMLSeq).toJSON(), ['Bucket', 'Arn']);
      assert.equal(intrinsic(getNode(p, 'LongIf'))?.fn, 'If');
    });

    it('does not take plain values or ordinary maps for intrinsics', () => {
      assert.equal(intrinsic(getNode(p, 'Plain')), null);
      assert.equal(intrinsic(getNode(p, 'Number')), null);
      assert.equal(intrinsic(getNode(p, 'Anchored', tpl)), null);
      assert.equal(intrinsic(undefined), null);
    });

    it('resolves literals, parameter defaults, !If branches, AWS::NoValue and unknowns', () => {
      const r = (key: string) => show(tpl, resolveValues(tpl, getNode(p, key)));
      assert.deepEqual(r('Plain'), ['known:"optional"']);
      assert.deepEqual(r('Number'), ['known:42']);
      assert.deepEqual(r('Flag'), ['known:true']);
      assert.deepEqual(r('Ref'), ['known:"optional"']);
      assert.deepEqual(r('LongRef'), ['known:"optional"']);
      assert.deepEqual(r('If'), ['known:"required"', 'known:"optional"']);
      assert.deepEqual(r('LongIf'), ['known:"required"', 'known:"optional"']);
      assert.deepEqual(r('NoValue'), ['absent:AWS::NoValue']);
      assert.deepEqual(r('IfNoValue'), ['absent:AWS::NoValue', 'known:"optional"']);
      assert.deepEqual(r('RefNoDefault'), ['unknown:NoDefault']);
      assert.deepEqual(r('RefUnknown'), ['unknown:Nowhere']);
      assert.deepEqual(r('GetAtt'), ['unknown:Bucket.Arn']);
      assert.deepEqual(r('Sub'), ['unknown:"arn:${AWS::Region}:x"']);
      assert.deepEqual(r('Join'), ['unknown:["", [a, !Sub "${X}-b"]]']);
      assert.deepEqual(resolveValues(tpl, undefined), []);
    });

    it('points a parameter-resolved value at the reference, not at the default', () => {
      const [v] = resolveValues(tpl, getNode(p, 'Ref'));
      assert.equal(v.node.range![0], text.indexOf('Tokens\n      Sub'));
    });

    it('reads multi-line strings', () => {
      assert.deepEqual(show(tpl, resolveValues(tpl, getNode(p, 'Literal'))), ['known:"line one\\nline two\\n"']);
      assert.deepEqual(show(tpl, resolveValues(tpl, getNode(p, 'Folded'))), ['known:"folded text"']);
    });

    it('follows aliases when given the template', () => {
      assert.ok(isAlias(getNode(p, 'Aliased')));
      const aliased = getMap(p, 'Aliased', tpl);
      assert.ok(aliased);
      assert.equal(aliased, getMap(p, 'Anchored', tpl));
      assert.equal((getNode(aliased, 'HttpTokens') as { value?: unknown }).value, 'required');
      assert.deepEqual(show(tpl, resolveValues(tpl, getNode(p, 'ScalarAlias', tpl))), ['known:"optional"']);
      // resolveValues follows the alias itself.
      assert.deepEqual(show(tpl, resolveValues(tpl, getNode(p, 'ScalarAlias'))), ['known:"optional"']);
    });

    it('bounds self-referencing parameters', () => {
      const loop = parse(`${HEAD}Parameters:\n  A:\n    Type: String\n    Default: !Ref A\nResources:\n  R:\n    Type: AWS::EC2::Instance\n    Properties:\n      X: !Ref A\n`);
      assert.deepEqual(show(loop, resolveValues(loop, getNode(props(loop, 'R'), 'X'))), ['unknown:A']);
    });
  });

  describe('JSON templates', () => {
    it('parses JSON with tabs and CRLF, with exact ranges', () => {
      const text = '{\r\n\t"AWSTemplateFormatVersion": "2010-09-09",\r\n\t"Resources": {\r\n\t\t"Web": {\r\n\t\t\t"Type": "AWS::EC2::Instance",\r\n\t\t\t"Properties": {\r\n\t\t\t\t"ImageId": "ami-1"\r\n\t\t\t}\r\n\t\t}\r\n\t}\r\n}\r\n';
      const tpl = parse(text, '/ws/t.json');
      assert.equal(tpl.isJson, true);
      assert.deepEqual(tpl.errors, []);
      assert.equal(tpl.lines.eol, '\r\n');
      const web = tpl.resourceById.get('Web')!;
      assert.equal(web.type, 'AWS::EC2::Instance');
      assert.deepEqual(web.keyRange, { start: text.indexOf('"Web"'), end: text.indexOf('"Web"') + 5 });
      assert.deepEqual(tpl.lines.toRange(web.keyRange.start, web.keyRange.end), { start: { line: 3, character: 2 }, end: { line: 3, character: 7 } });
      const image = getNode(web.properties, 'ImageId')!;
      assert.equal(src(tpl, image), '"ami-1"');
      assert.deepEqual(tpl.lines.toRange(image.range![0], image.range![1]), { start: { line: 6, character: 15 }, end: { line: 6, character: 22 } });
    });

    it('parses single-line JSON and long-form intrinsics', () => {
      const text = '{"AWSTemplateFormatVersion":"2010-09-09","Resources":{"R":{"Type":"AWS::EC2::Instance","Properties":{"T":{"Ref":"P"},"G":{"Fn::GetAtt":["B","Arn"]}}}}}';
      const tpl = parse(text, '/ws/t.json');
      assert.equal(tpl.isJson, true);
      const p = props(tpl, 'R');
      assert.equal(intrinsic(getNode(p, 'T'))?.fn, 'Ref');
      assert.equal(intrinsic(getNode(p, 'G'))?.fn, 'GetAtt');
      assert.deepEqual(tpl.resources[0].keyRange, { start: text.indexOf('"R"'), end: text.indexOf('"R"') + 3 });
    });

    it('treats a YAML template as YAML', () => {
      assert.equal(parse(`${HEAD}Resources: {}\n`).isJson, false);
    });
  });

  describe('broken input', () => {
    /** Parse, never throwing; every error lies inside the text and is not empty unless at its very end. */
    function broken(text: string, path = '/ws/t.yaml'): CfnTemplate {
      const tpl = parse(text, path);
      assert.ok(tpl.errors.length > 0, 'expected errors');
      for (const e of tpl.errors) {
        assert.ok(e.range.start >= 0 && e.range.start <= e.range.end && e.range.end <= text.length, `range ${JSON.stringify(e.range)} outside the text (${text.length})`);
        assert.ok(e.range.end > e.range.start || e.range.start === text.length, `empty range ${JSON.stringify(e.range)}`);
        assert.ok(e.message.length > 0 && !e.message.includes('\n'), `message ${JSON.stringify(e.message)}`);
      }
      return tpl;
    }
    const pos = (tpl: CfnTemplate, i = 0) => tpl.lines.offsetToPosition(tpl.errors[i].range.start);

    it('reports bad indentation on its line and keeps the resources before it', () => {
      const tpl = broken(`${HEAD}Resources:\n  A:\n    Type: AWS::S3::Bucket\n   B: 1\n`);
      assert.deepEqual(tpl.errors.map((e) => e.message), ['All mapping items must start at the same column']);
      assert.equal(pos(tpl).line, 4);
      assert.deepEqual(tpl.resources.map((r) => r.logicalId), ['A']);
    });

    it('reports an unclosed { in JSON at the end and keeps the resources', () => {
      const text = '{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {\n    "A": {"Type": "AWS::S3::Bucket"}\n';
      const tpl = broken(text, '/ws/t.json');
      assert.equal(tpl.isJson, true);
      assert.ok(tpl.errors.some((e) => /end with a \}/.test(e.message)));
      assert.deepEqual(tpl.errors.map((e) => e.range), tpl.errors.map(() => ({ start: text.length, end: text.length })));
      assert.deepEqual(tpl.resources.map((r) => [r.logicalId, r.type]), [['A', 'AWS::S3::Bucket']]);
    });

    it('reports an unclosed [ in JSON where the ] was expected', () => {
      const text = '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"A": {"Type": "AWS::S3::Bucket", "X": [1, 2}}}';
      const tpl = broken(text, '/ws/t.json');
      assert.ok(tpl.errors.some((e) => /end with a \]/.test(e.message) && e.range.start === text.indexOf('2}') + 1));
      assert.deepEqual(tpl.resources.map((r) => r.logicalId), ['A']);
    });

    it('reports a duplicate key on the second occurrence', () => {
      const text = `${HEAD}Resources:\n  A:\n    Type: AWS::S3::Bucket\n  A:\n    Type: AWS::SQS::Queue\n`;
      const tpl = broken(text);
      assert.deepEqual(tpl.errors, [{ range: { start: text.lastIndexOf('A:'), end: text.lastIndexOf('A:') + 1 }, message: 'Map keys must be unique' }]);
      assert.deepEqual(tpl.resources.map((r) => [r.logicalId, r.type]), [['A', 'AWS::S3::Bucket'], ['A', 'AWS::SQS::Queue']]);
    });

    it('reports tab indentation at the tabs', () => {
      const text = `${HEAD}Resources:\n\tA:\n\t\tType: AWS::S3::Bucket\n`;
      const tpl = broken(text);
      assert.deepEqual(tpl.errors.map((e) => [e.message, e.range]), [
        ['Tabs are not allowed as indentation', { start: text.indexOf('\tA'), end: text.indexOf('\tA') + 1 }],
        ['Tabs are not allowed as indentation', { start: text.indexOf('\t\tType'), end: text.indexOf('\t\tType') + 2 }],
      ]);
    });

    it('reports a lone `:` (an empty key) at the colon', () => {
      const text = `${HEAD}:\nResources:\n  A:\n    Type: AWS::S3::Bucket\n`;
      const tpl = broken(text);
      assert.deepEqual(tpl.errors, [{ range: { start: HEAD.length, end: HEAD.length + 1 }, message: 'Empty mapping key: a key is missing before `:`' }]);
      assert.deepEqual(tpl.resources.map((r) => r.logicalId), ['A']);
    });

    it('does not invent a resource for an empty logical id', () => {
      const text = `${HEAD}Resources:\n  :\n    Type: AWS::EC2::Instance\n  B:\n    Type: AWS::S3::Bucket\n`;
      const tpl = broken(text);
      assert.equal(tpl.errors.length, 1);
      assert.equal(tpl.errors[0].range.start, text.indexOf('  :') + 2);
      assert.deepEqual(tpl.resources.map((r) => r.logicalId), ['B']);
    });

    it('reports an unclosed quote and a second document', () => {
      broken(`${HEAD}Description: "never closed\n`);
      const two = broken(`${HEAD}Resources:\n  A:\n    Type: AWS::S3::Bucket\n---\nother: doc\n`);
      assert.deepEqual(two.resources.map((r) => r.logicalId), ['A']);
      assert.match(two.errors[0].message, /^A template is one YAML document/);
    });

    it('keeps the resources before a syntax error', () => {
      const tpl = broken('Resources:\n  A:\n    Type: AWS::S3::Bucket\n  B: [\n');
      assert.deepEqual(tpl.resources.map((r) => r.logicalId), ['A']);
    });

    it('takes a broken file that mentions AWS types for a broken template', () => {
      const tpl = broken('Things:\n  A:\n    Type: AWS::S3::Bucket\n  B: [\n');
      assert.deepEqual(tpl.resources, []);
    });

    it('never throws on garbage, random bytes or mutated templates', () => {
      let seed = 20240611;
      const rnd = () => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed / 2 ** 32;
      };
      const base = `${HEAD}Parameters:\n  T:\n    Type: String\n    Default: optional\nResources:\n  Web:\n    Type: AWS::EC2::Instance\n    Properties:\n      UserData: |\n        echo hi\n      MetadataOptions: {HttpTokens: !Ref T}\n      Tags:\n        - Key: Name\n          Value: &v web\n        - {Key: Other, Value: *v}\n`;
      const alphabet = ':{}[]-#&*!|>\'"\n\r\t ,?%@`\\AWS';
      const inputs = ['', '\u0000', '\uFEFF', '\u0000\u0001\uFFFD AWSTemplateFormatVersion \u0007\u001b[[{{:::', 'AWSTemplateFormatVersion', ':', '{', '[', '"', '!Ref', '*a', '&a', '---\n---', 'AWSTemplateFormatVersion: &a [*a]'];
      for (let i = 0; i < 1500; i++) {
        if (i % 3 === 0) {
          let s = 'AWSTemplateFormatVersion ';
          const n = 1 + Math.floor(rnd() * 120);
          for (let k = 0; k < n; k++) s += String.fromCharCode(Math.floor(rnd() * 256));
          inputs.push(s);
        } else {
          const a = base.split('');
          for (let k = 1 + Math.floor(rnd() * 5); k > 0; k--) {
            const at = Math.floor(rnd() * a.length);
            const c = alphabet[Math.floor(rnd() * alphabet.length)];
            const op = rnd();
            if (op < 0.4) a.splice(at, 1);
            else if (op < 0.8) a.splice(at, 0, c);
            else a[at] = c;
          }
          inputs.push(a.join(''));
        }
      }
      let templates = 0;
      for (const text of inputs) {
        let tpl: CfnTemplate | null;
        try {
          tpl = parseCloudFormation('/ws/t.yaml', text);
          if (!tpl) continue;
          templates++;
          for (const e of tpl.errors) {
            assert.ok(e.range.start >= 0 && e.range.start <= e.range.end && e.range.end <= text.length, `error range ${JSON.stringify(e.range)} outside ${JSON.stringify(text)}`);
          }
          for (const r of tpl.resources) {
            resolveValues(tpl, getNode(r.properties, 'MetadataOptions', tpl));
            ensureValue(tpl, r.body, ['Properties', 'MetadataOptions'], 'HttpTokens', 'required');
          }
        } catch (e) {
          assert.fail(`threw on ${JSON.stringify(text)}: ${(e as Error).stack}`);
        }
      }
      assert.ok(templates > 500, `only ${templates} inputs were taken for templates`);
    });
  });
});

describe('CloudFormation edits', () => {
  const EC2 = `${HEAD}Resources:\n  A:\n    Type: AWS::EC2::Instance\n`;

  it('inserts into a block map at 2-space indent', () => {
    const tpl = parse(`${EC2}    Properties:\n      ImageId: ami-1\n`);
    applyOne(tpl, ensureTokens(tpl), `${EC2}    Properties:\n      ImageId: ami-1\n      MetadataOptions:\n        HttpTokens: required\n`);
  });

  it('inserts into a block map at 4-space indent', () => {
    const text = `${HEAD}Resources:\n    A:\n        Type: AWS::EC2::Instance\n        Properties:\n            ImageId: ami-1\n`;
    const tpl = parse(text);
    applyOne(tpl, ensureTokens(tpl), `${text}            MetadataOptions:\n                HttpTokens: required\n`);
  });

  it('creates Properties when the resource has none, before the next resource', () => {
    const tpl = parse(`${EC2}  B:\n    Type: AWS::S3::Bucket\n`);
    applyOne(tpl, ensureTokens(tpl), `${EC2}    Properties:\n      MetadataOptions:\n        HttpTokens: required\n  B:\n    Type: AWS::S3::Bucket\n`);
  });

  it('inserts after a last value that is a block scalar', () => {
    const tpl = parse(`${EC2}    Properties:\n      UserData: |\n        #!/bin/bash\n        echo hi\n`);
    applyOne(tpl, ensureTokens(tpl), `${EC2}    Properties:\n      UserData: |\n        #!/bin/bash\n        echo hi\n      MetadataOptions:\n        HttpTokens: required\n`);
  });

  it('inserts after a block scalar followed by blank lines, keeping the blank lines before the next key', () => {
    const tpl = parse(`${EC2}    Properties:\n      UserData: |\n        echo hi\n\n\n  B:\n    Type: AWS::S3::Bucket\n`);
    const expected = `${EC2}    Properties:\n      UserData: |\n        echo hi\n      MetadataOptions:\n        HttpTokens: required\n\n\n  B:\n    Type: AWS::S3::Bucket\n`;
    applyOne(tpl, ensureTokens(tpl), expected);
    const user = getNode(props(parse(expected), 'A'), 'UserData') as { value?: unknown };
    assert.equal(user.value, 'echo hi\n');
  });

  it('inserts after a block scalar with no final line break', () => {
    const tpl = parse(`${EC2}    Properties:\n      UserData: |\n        echo hi`);
    applyOne(tpl, ensureTokens(tpl), `${EC2}    Properties:\n      UserData: |\n        echo hi\n      MetadataOptions:\n        HttpTokens: required`);
  });

  it('inserts after a keep (|+) block scalar without changing its content', () => {
    const text = `${EC2}    Properties:\n      UserData: |+\n        echo hi\n\n  B:\n    Type: AWS::S3::Bucket\n`;
    const tpl = parse(text);
    const expected = `${EC2}    Properties:\n      UserData: |+\n        echo hi\n\n      MetadataOptions:\n        HttpTokens: required\n  B:\n    Type: AWS::S3::Bucket\n`;
    applyOne(tpl, ensureTokens(tpl), expected);
    assert.equal((getNode(props(parse(expected), 'A'), 'UserData') as { value?: unknown }).value, 'echo hi\n\n');
  });

  it('inserts into a map inside a sequence item', () => {
    const text = `${EC2}    Properties:\n      Tags:\n        - Key: a\n          Value: b\n        - Key: c\n          Value: d\n`;
    const tpl = parse(text);
    const first = (getNode(props(tpl, 'A'), 'Tags') as YAMLSeq).items[0] as YAMLMap;
    applyOne(tpl, insertEntry(tpl, first, 'Extra', 'x'), `${EC2}    Properties:\n      Tags:\n        - Key: a\n          Value: b\n          Extra: x\n        - Key: c\n          Value: d\n`);
  });

  it('inserts into a single-line flow map', () => {
    const tpl = parse(`${EC2}    Properties:\n      MetadataOptions: {HttpEndpoint: enabled}\n`);
    applyOne(tpl, ensureTokens(tpl), `${EC2}    Properties:\n      MetadataOptions: {HttpEndpoint: enabled, "HttpTokens": "required"}\n`);
  });

  it('inserts a nested map into a single-line flow map', () => {
    const tpl = parse(`${EC2}    Properties: {a: 1}\n`);
    applyOne(tpl, ensureTokens(tpl), `${EC2}    Properties: {a: 1, "MetadataOptions": { "HttpTokens": "required" }}\n`);
  });

  it('inserts into an empty flow map', () => {
    const tpl = parse(`${EC2}    Properties:\n      MetadataOptions: {}\n`);
    applyOne(tpl, ensureTokens(tpl), `${EC2}    Properties:\n      MetadataOptions: { "HttpTokens": "required" }\n`);
  });

  describe('multi-line JSON', () => {
    const json = (unit: string, eol = '\n') =>
      ['{', '@"AWSTemplateFormatVersion": "2010-09-09",', '@"Resources": {', '@@"A": {', '@@@"Type": "AWS::EC2::Instance",', '@@@"Properties": {', '@@@@"ImageId": "ami-1"', '@@@}', '@@}', '@}', '}', '']
        .map((l) => l.replace(/@/g, unit)).join(eol);
    const fixed = (unit: string, eol = '\n') =>
      ['{', '@"AWSTemplateFormatVersion": "2010-09-09",', '@"Resources": {', '@@"A": {', '@@@"Type": "AWS::EC2::Instance",', '@@@"Properties": {', '@@@@"ImageId": "ami-1",', '@@@@"MetadataOptions": {', '@@@@@"HttpTokens": "required"', '@@@@}', '@@@}', '@@}', '@}', '}', '']
        .map((l) => l.replace(/@/g, unit)).join(eol);
    for (const [name, unit, eol] of [['2 spaces', '  ', '\n'], ['4 spaces', '    ', '\n'], ['tabs', '\t', '\n'], ['tabs and CRLF', '\t', '\r\n'], ['2 spaces and CRLF', '  ', '\r\n']] as const) {
      it(`inserts with ${name}`, () => {
        const tpl = parse(json(unit, eol), '/ws/t.json');
        assert.equal(tpl.isJson, true);
        applyOne(tpl, ensureTokens(tpl), fixed(unit, eol));
      });
    }

    it('inserts into an existing nested JSON map', () => {
      const text = json('  ').replace('"ImageId": "ami-1"', '"MetadataOptions": {\n        "HttpEndpoint": "enabled"\n      }');
      const tpl = parse(text, '/ws/t.json');
      applyOne(tpl, ensureTokens(tpl), text.replace('"HttpEndpoint": "enabled"', '"HttpEndpoint": "enabled",\n        "HttpTokens": "required"'));
    });

    it('fills an empty multi-line JSON map', () => {
      const text = json('  ').replace('\n        "ImageId": "ami-1"', '');
      const tpl = parse(text, '/ws/t.json');
      applyOne(tpl, ensureTokens(tpl), text.replace('"Properties": {\n      }', '"Properties": {\n        "MetadataOptions": {\n          "HttpTokens": "required"\n        }\n      }'));
    });

    it('replaces a JSON value in place', () => {
      const text = json('  ').replace('"ImageId": "ami-1"', '"MetadataOptions": { "HttpTokens": "optional" }');
      const tpl = parse(text, '/ws/t.json');
      applyOne(tpl, ensureTokens(tpl), text.replace('"optional"', '"required"'));
    });
  });

  it('inserts into a CRLF YAML file with CRLF line breaks', () => {
    const text = `${EC2}    Properties:\n      ImageId: ami-1\n`.replace(/\n/g, '\r\n');
    const tpl = parse(text);
    applyOne(tpl, ensureTokens(tpl), `${text}      MetadataOptions:\r\n        HttpTokens: required\r\n`);
  });

  it('inserts after a CRLF block scalar', () => {
    const text = `${EC2}    Properties:\n      UserData: |\n        echo hi\n`.replace(/\n/g, '\r\n');
    const tpl = parse(text);
    applyOne(tpl, ensureTokens(tpl), `${text}      MetadataOptions:\r\n        HttpTokens: required\r\n`);
  });

  it('inserts after a trailing comment on the last line, without a final line break', () => {
    const tpl = parse(`${EC2}    Properties:\n      ImageId: ami-1 # the image`);
    applyOne(tpl, ensureTokens(tpl), `${EC2}    Properties:\n      ImageId: ami-1 # the image\n      MetadataOptions:\n        HttpTokens: required`);
  });

  it('inserts after a trailing comment, before comment lines that follow', () => {
    const tpl = parse(`${EC2}    Properties:\n      ImageId: ami-1 # the image\n      # more later\n`);
    applyOne(tpl, ensureTokens(tpl), `${EC2}    Properties:\n      ImageId: ami-1 # the image\n      MetadataOptions:\n        HttpTokens: required\n      # more later\n`);
  });

  describe('keeps quoting when replacing', () => {
    const withTokens = (v: string) => `${EC2}    Properties:\n      MetadataOptions:\n        HttpTokens: ${v}\n        HttpEndpoint: enabled\n`;
    for (const [before, after] of [["'optional'", "'required'"], ['"optional"', '"required"'], ['optional', 'required'], ['Optional # why not', 'required # why not']]) {
      it(`${before} -> ${after}`, () => {
        const tpl = parse(withTokens(before));
        applyOne(tpl, ensureTokens(tpl), withTokens(after));
      });
    }

    it('quotes a plain value that YAML would read as something else', () => {
      const tpl = parse(withTokens('optional'));
      const node = getNode(getMap(props(tpl, 'A'), 'MetadataOptions'), 'HttpTokens')!;
      applyOne(tpl, replaceValue(tpl, node, 'yes'), withTokens('"yes"'));
      applyOne(tpl, replaceValue(tpl, node, 2), withTokens('2'));
      applyOne(tpl, replaceValue(tpl, node, "it's"), withTokens('"it\'s"'));
    });

    it("escapes quotes inside single quotes", () => {
      const tpl = parse(withTokens("'optional'"));
      const node = getNode(getMap(props(tpl, 'A'), 'MetadataOptions'), 'HttpTokens')!;
      applyOne(tpl, replaceValue(tpl, node, "it's"), withTokens("'it''s'"));
    });

    it('replaces a short-form intrinsic together with its tag', () => {
      const tpl = parse(withTokens('!Ref Tokens'));
      applyOne(tpl, ensureTokens(tpl), withTokens('required'));
    });
  });

  it('returns null when the path goes through !If', () => {
    const viaIf = parse(`${EC2}    Properties:\n      MetadataOptions: !If [IsProd, {HttpTokens: optional}, !Ref AWS::NoValue]\n`);
    assert.equal(ensureTokens(viaIf), null);
    const propsIf = parse(`${EC2}    Properties: !If [IsProd, {ImageId: a}, {ImageId: b}]\n`);
    assert.equal(ensureTokens(propsIf), null);
    const longIf = parse(`${EC2}    Properties:\n      MetadataOptions: {"Fn::If": [IsProd, {HttpTokens: optional}, {HttpTokens: optional}]}\n`);
    assert.equal(ensureTokens(longIf), null);
    const longProps = parse('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"A": {"Type": "AWS::EC2::Instance", "Properties": {"Fn::If": ["C", {"ImageId": "a"}, {"ImageId": "b"}]}}}}', '/ws/t.json');
    assert.equal(ensureTokens(longProps), null);
  });

  it('returns null when the path goes through an alias', () => {
    const tpl = parse(`${HEAD}Metadata:\n  Opts: &o\n    HttpTokens: optional\nResources:\n  A:\n    Type: AWS::EC2::Instance\n    Properties:\n      MetadataOptions: *o\n`);
    assert.equal(ensureTokens(tpl), null);
  });

  it('inserts a nested path below a LaunchTemplate', () => {
    const text = `${HEAD}Resources:\n  LT:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n      LaunchTemplateData:\n        ImageId: ami-1\n`;
    const tpl = parse(text);
    applyOne(tpl, ensureValue(tpl, tpl.resources[0].body, ['Properties', 'LaunchTemplateData', 'MetadataOptions'], 'HttpTokens', 'required'),
      `${text}        MetadataOptions:\n          HttpTokens: required\n`);
  });
});

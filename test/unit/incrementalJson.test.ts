/**
 * The incremental JSON template parse (server/engine/cloudformation/
 * incrementalJson.ts) must be indistinguishable from the full parse: every node
 * of the document with the same range, the same values and errors, after any
 * sequence of edits — including strings with escapes and braces, CRLF, and
 * broken JSON (which must fall back to the full parse).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import { newPieceCache } from '../../server/engine/cloudformation/incremental';
import { parseJsonIncremental } from '../../server/engine/cloudformation/incrementalJson';
import { parseCloudFormation, parseYamlDocument } from '../../server/engine/cloudformation/parser';
import { cloudFormationJson } from '../../scripts/bench/generate';
import { ROOT, filesUnder } from '../helpers/engine';
import { rng } from '../helpers/random';

/** Every node: path, kind, range (all three offsets), flow flag, tag, scalar type and source. */
function nodes(node: unknown, out: string[] = [], path = '$'): string[] {
  if (!node) {
    out.push(`${path}:null`);
    return out;
  }
  if (isPair(node)) {
    nodes(node.key, out, `${path}.key`);
    nodes(node.value, out, `${path}.value`);
    return out;
  }
  const n = node as Node;
  const kind = isMap(n) ? `map${(n as { flow?: boolean }).flow ? '/flow' : ''}` : isSeq(n) ? `seq${(n as { flow?: boolean }).flow ? '/flow' : ''}` : isScalar(n) ? `scalar/${n.type}/${JSON.stringify(n.source)}` : 'other';
  out.push(`${path}:${kind}:${n.tag ?? ''}@${n.range?.join(',')}`);
  if (isMap(n) || isSeq(n)) n.items.forEach((it, i) => nodes(it, out, `${path}[${i}]`));
  return out;
}

function view(text: string, cache?: ReturnType<typeof newPieceCache>) {
  const t = parseCloudFormation('/t.json', text, cache);
  if (!t) return null;
  return {
    isJson: t.isJson,
    errors: t.errors,
    js: t.root.toJSON(),
    nodes: nodes(t.root),
    resources: t.resources.map((r) => [r.logicalId, r.type, r.keyRange]),
    params: [...t.parameters.keys()],
  };
}

const TRICKY = [
  '{',
  '  "AWSTemplateFormatVersion": "2010-09-09",',
  '  "Description": "braces } { ] [ and \\"quotes\\", commas, and \\\\ backslashes",',
  '  "Resources": {',
  '    "Bucket": { "Type": "AWS::S3::Bucket", "Properties": { "BucketName": "a}b{c,\\"d\\":e", "Tags": [ { "Key": "k", "Value": "\\u007b" } ] } },',
  '    "Queue": {',
  '      "Type": "AWS::SQS::Queue",',
  '      "Properties": { "QueueName": "q\\\\", "DelaySeconds": 5 }',
  '    },',
  '    "Role": { "Type": "AWS::IAM::Role", "Properties": { "AssumeRolePolicyDocument": { "Statement": [ { "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": { "Service": "ec2.amazonaws.com" } } ] } } }',
  '  },',
  '  "Outputs": { "B": { "Value": { "Ref": "Bucket" } } }',
  '}',
  '',
].join('\n');

describe('incremental JSON template parse', () => {
  const fixtures = [...filesUnder(nodePath.join(ROOT, 'test', 'fixtures'), /\.json$/), ...filesUnder(nodePath.join(ROOT, 'examples'), /\.json$/)]
    .map((f) => ({ name: f, text: fs.readFileSync(f, 'utf8') }))
    .filter((f) => /^\s*\{/.test(f.text) && /"Resources"/.test(f.text));
  const samples = [
    ...fixtures,
    { name: 'tricky', text: TRICKY },
    { name: 'tricky CRLF', text: TRICKY.replace(/\n/g, '\r\n') },
    { name: 'generated', text: cloudFormationJson(400) },
    { name: 'generated CRLF', text: cloudFormationJson(300).replace(/\n/g, '\r\n') },
  ];

  it('finds JSON templates to check', () => assert.ok(fixtures.length >= 10, String(fixtures.length)));

  it('is used for plain JSON templates (not always falling back)', () => {
    for (const s of samples.slice(-4)) assert.ok(parseJsonIncremental(s.text, newPieceCache().json, parseYamlDocument), s.name);
  });

  it('parses every sample exactly as the full parser does', () => {
    for (const s of samples) assert.deepEqual(view(s.text, newPieceCache()), view(s.text), s.name);
  });

  it('falls back to the full parse for what it does not handle, with the same result', () => {
    const cases = [
      TRICKY.replace('"Outputs"', '# c\n  "Outputs"'), // a comment
      TRICKY.replace('"Queue": {', '"Queue": &a {'), // an anchor
      TRICKY.replace('"DelaySeconds": 5', '"DelaySeconds": !Ref X'), // a tag
      TRICKY.replace('"QueueName": "q\\\\"', "\"QueueName\": 'q}, \"x\": {'"), // single quotes holding braces
      TRICKY.replace('"Queue": {', '"Bucket": {'), // a duplicate resource
      TRICKY.replace('"Outputs"', '"Resources"'), // a duplicate section
      TRICKY.replace('"DelaySeconds": 5', '"DelaySeconds": 5,'), // a trailing comma
      TRICKY.replace('"DelaySeconds": 5 }', '"DelaySeconds": 5 '), // an unclosed brace
      TRICKY.replace('"Description": "braces', '"Description": "brac\nes'), // a line break in a string
      TRICKY.replace(/\n/g, '\r'), // lone carriage returns
      TRICKY.replace('"Queue": {', 'Queue: {'), // a plain key
      TRICKY.replace('"Description": "braces', '"Description": x"braces'), // a quote inside a plain scalar
      `${TRICKY}}`, // text after the object
      TRICKY.replace('"Bucket": {', '"Bucket": "}", "B2": {'), // a resource that is no object
    ];
    for (const [i, text] of cases.entries()) {
      const cache = newPieceCache();
      view(TRICKY, cache); // warm the cache with the good pieces
      assert.deepEqual(view(text, cache), view(text), `case ${i}`);
    }
  });

  it('stays identical to the full parse after an edit at every position of a small template (cut resumed and spliced)', function () {
    this.timeout(60000);
    const base = [
      '{',
      '  "AWSTemplateFormatVersion": "2010-09-09",',
      '  "Resources": {',
      '    "A": { "Type": "AWS::S3::Bucket", "Properties": { "BucketName": "a,}" } },',
      '    "B": {"Type": "AWS::SQS::Queue"},',
      '    "C": { "Type": "AWS::SNS::Topic" }',
      '  },',
      '  "Outputs": { "O": { "Value": { "Ref": "A" } } }',
      '}',
      '',
    ].join('\n');
    assert.ok(parseJsonIncremental(base, newPieceCache().json, parseYamlDocument));
    const inserts = ['x', ',', '}', '{', '"', ' ', '},', ',"Z": {}', '\\'];
    for (let pos = 0; pos <= base.length; pos++) {
      for (const edit of [...inserts.map((s) => (t: string) => t.slice(0, pos) + s + t.slice(pos)), (t: string) => t.slice(0, pos) + t.slice(pos + 1)]) {
        const text = edit(base);
        const cache = newPieceCache();
        view(base, cache);
        const where = `at ${pos}: ${JSON.stringify(text.slice(Math.max(0, pos - 10), pos + 10))}`;
        // Resuming the cut must not make the incremental parse give up where a cold one does not.
        const cold = parseJsonIncremental(text, newPieceCache().json, parseYamlDocument) !== null;
        const warm = parseJsonIncremental(text, { ...cache.json, pieces: new Map(cache.json.pieces) }, parseYamlDocument) !== null;
        assert.equal(warm, cold, where);
        assert.deepEqual(view(text, cache), view(text), where);
      }
    }
  });

  it('stays identical to the full parse through random edits', function () {
    this.timeout(Math.max(30000, samples.length * 800));
    const rand = rng(4242);
    const alphabet = ['a', ' ', '\n', '\r\n', ',', ':', '"', '\\', '\\"', '{', '}', '[', ']', '#', "'", '!', '&', '{}', '"x": 1,', '"}"', '"\\u0041"',
      '"Extra": { "Type": "AWS::S3::Bucket" },', '\n    "More": { "Type": "AWS::SQS::Queue", "Properties": { "Q": "{,}" } },\n'];
    for (const s of samples) {
      let text = s.text;
      const cache = newPieceCache();
      view(text, cache);
      for (let i = 0; i < 60; i++) {
        const pos = Math.floor(rand() * (text.length + 1));
        const r = rand();
        if (r < 0.25 && text.length > 0) text = text.slice(0, pos) + text.slice(pos + 1 + Math.floor(rand() * 3));
        else text = text.slice(0, pos) + alphabet[Math.floor(rand() * alphabet.length)] + text.slice(pos);
        assert.deepEqual(view(text, cache), view(text), `${s.name} after edit ${i}`);
        // Half the time, undo the edit: the cache must serve the old pieces again.
        if (rand() < 0.1) text = s.text;
      }
    }
  });
});

describe('incremental YAML parse: pieces reused by position', () => {
  const yaml = [
    'AWSTemplateFormatVersion: "2010-09-09"',
    'Parameters:',
    '  Env:',
    '    Type: String',
    'Resources:',
    '  A:',
    '    Type: AWS::S3::Bucket',
    '    Properties:',
    '      BucketName: a',
    '  B:',
    '    Type: AWS::SQS::Queue',
    '    Properties:',
    '      QueueName: b',
    '  C:',
    '    Type: AWS::SNS::Topic',
    'Outputs:',
    '  O:',
    '    Value: !Ref A',
    '',
  ].join('\n');
  const yview = (text: string, cache?: ReturnType<typeof newPieceCache>) => {
    const t = parseCloudFormation('/t.yaml', text, cache);
    return t && { errors: t.errors, js: t.root.toJSON(), nodes: nodes(t.root), resources: t.resources.map((r) => [r.logicalId, r.keyRange]) };
  };
  // Edits that move piece boundaries next to the change, or in the unchanged text after it.
  const edits: [string, string][] = [
    ['    Properties:\n      BucketName: a', 'Properties:\n      BucketName: a'], // a line of A becomes a top-level key at the change
    ['  A:\n    Type: AWS::S3::Bucket', '    A:\n    Type: AWS::S3::Bucket'], // the first resource's indentation changes every later boundary
    ['  B:\n', '  B:\n  X:\n'], // a new entry inside the change
    ['Outputs:\n', 'Outputs: \n'],
    ['  C:\n    Type: AWS::SNS::Topic\n', ''], // a piece removed
    ['  B:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: b\n', '  B:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: b\n  B2:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: b\n'], // a copy
  ];
  it('gives the full parse after edits that move boundaries, and after undoing them', () => {
    for (const [i, [from, to]] of edits.entries()) {
      assert.ok(yaml.includes(from), `edit ${i}`);
      const cache = newPieceCache();
      assert.deepEqual(yview(yaml, cache), yview(yaml), `edit ${i} before`);
      const edited = yaml.replace(from, to);
      assert.deepEqual(yview(edited, cache), yview(edited), `edit ${i}`);
      assert.deepEqual(yview(yaml, cache), yview(yaml), `edit ${i} undone`);
    }
  });
});

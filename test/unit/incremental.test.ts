/**
 * The incremental YAML parse must be indistinguishable from the full parse:
 * same values, same node ranges, after any sequence of edits.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { isMap, isPair, isSeq, type Node } from 'yaml';
import { newPieceCache } from '../../server/engine/cloudformation/incremental';
import { parseCloudFormation } from '../../server/engine/cloudformation/parser';
import { ROOT, filesUnder } from '../helpers/engine';

function ranges(node: unknown, out: string[] = [], path = '$'): string[] {
  if (!node) return out;
  if (isPair(node)) {
    ranges(node.key, out, `${path}.key`);
    ranges(node.value, out, `${path}.value`);
    return out;
  }
  const n = node as Node;
  out.push(`${path}@${n.range?.[0]}-${n.range?.[1]}`);
  if (isMap(n) || isSeq(n)) n.items.forEach((it, i) => ranges(it, out, `${path}[${i}]`));
  return out;
}

function resourceView(text: string, cache?: ReturnType<typeof newPieceCache>) {
  const t = parseCloudFormation('/t.yaml', text, cache);
  if (!t) return null;
  return {
    errors: t.errors.length,
    js: t.root.toJSON(),
    resources: t.resources.map((r) => [r.logicalId, r.type, ranges(r.pair)]),
    params: [...t.parameters.keys()],
  };
}

/** A small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

describe('incremental CloudFormation parse', () => {
  const fixtures = [...filesUnder(nodePath.join(ROOT, 'test', 'fixtures'), /\.ya?ml$/), ...filesUnder(nodePath.join(ROOT, 'examples'), /\.ya?ml$/)];

  it('finds YAML fixtures to check', () => assert.ok(fixtures.length >= 4));

  it('parses every fixture exactly as the full parser does', () => {
    for (const f of fixtures) {
      const text = fs.readFileSync(f, 'utf8');
      assert.deepEqual(resourceView(text, newPieceCache()), resourceView(text), f);
    }
  });

  it('stays identical to the full parse through random edits', function () {
    // Every fixture is edited 60 times: the time grows with the number of fixtures (rules).
    this.timeout(Math.max(20000, fixtures.length * 600));
    const rand = rng(42);
    const alphabet = ['a', ' ', '\n', ':', '#', '-', '"', 'Type: AWS::EC2::Instance\n', '  X:\n', '\n  Extra:\n    Type: AWS::S3::Bucket\n'];
    for (const f of fixtures) {
      let text = fs.readFileSync(f, 'utf8');
      const cache = newPieceCache();
      for (let i = 0; i < 60; i++) {
        const pos = Math.floor(rand() * (text.length + 1));
        if (rand() < 0.3 && text.length > 0) text = text.slice(0, pos) + text.slice(pos + 1);
        else text = text.slice(0, pos) + alphabet[Math.floor(rand() * alphabet.length)] + text.slice(pos);
        assert.deepEqual(resourceView(text, cache), resourceView(text), `${f} after edit ${i}`);
      }
    }
  });
});

describe('incremental Terraform parse', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tf = require('../../server/engine/terraform/parser') as typeof import('../../server/engine/terraform/parser');
  before(() => tf.initTerraform());

  const view = (f: import('../../server/engine/terraform/model').TfFile) => ({
    tree: (f.tree as { rootNode: { toString(): string } } | null)?.rootNode.toString(),
    blocks: f.blocks.map((b) => [b.address, b.range, b.attributes.map((a) => [a.name, a.range, a.expr.text])]),
    errors: f.errors,
    references: f.references.map((r) => [r.parts.join('.'), r.range]),
  });

  it('gives the same tree and model as a fresh parse through random edits', function () {
    const files = [...filesUnder(nodePath.join(ROOT, 'test', 'fixtures'), /\.tf$/), ...filesUnder(nodePath.join(ROOT, 'examples'), /\.tf$/)];
    assert.ok(files.length >= 5);
    // Every file is edited 40 times: the time grows with the number of fixtures (rules).
    this.timeout(Math.max(20000, files.length * 400));
    const rand = rng(7);
    const alphabet = ['a', ' ', '\n', '{', '}', '"', '=', '😀', '${var.x}', 'resource "aws_instance" "x" {\n', '# c\n'];
    for (const f of files) {
      let text = fs.readFileSync(f, 'utf8');
      let prev = tf.parseTerraform(f, text);
      for (let i = 0; i < 40; i++) {
        const pos = Math.floor(rand() * (text.length + 1));
        if (rand() < 0.3 && text.length > 0) text = text.slice(0, pos) + text.slice(pos + 2);
        else text = text.slice(0, pos) + alphabet[Math.floor(rand() * alphabet.length)] + text.slice(pos);
        const inc = tf.parseTerraform(f, text, prev);
        assert.deepEqual(view(inc), view(tf.parseTerraform(f, text)), `${f} after edit ${i}`);
        prev = inc;
      }
    }
  });
});

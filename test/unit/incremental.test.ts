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
import { rng } from '../helpers/random';

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

  type TfFile = import('../../server/engine/terraform/model').TfFile;
  type TfBlock = import('../../server/engine/terraform/model').TfBlock;
  type TfExpr = import('../../server/engine/terraform/model').TfExpr;
  type Node = { type: string; startIndex: number; endIndex: number; toString(): string };
  const exprView = (e: TfExpr) => {
    const n = e.node as Node;
    return [e.range, e.kind, e.text, e.value, e.contentRange, n.type, n.startIndex, n.endIndex, n.toString()];
  };
  const blockView = (b: TfBlock): unknown => [
    b.type, b.typeRange, b.range, b.openBrace, b.closeBrace, b.address, b.parent?.range ?? null,
    b.labels.map((l) => [l.value, l.range, l.fullRange]),
    b.attributes.map((a) => [a.name, a.nameRange, a.range, a.block?.range ?? null, exprView(a.expr)]),
    b.blocks.map(blockView),
  ];
  const view = (f: TfFile) => ({
    tree: (f.tree as { rootNode: { toString(): string } } | null)?.rootNode.toString(),
    blocks: f.blocks.map(blockView),
    attributes: f.attributes.map((a) => [a.name, a.range, exprView(a.expr)]),
    locals: f.locals.map((a) => [a.name, a.range]),
    errors: f.errors,
    references: f.references.map((r) => [r.parts, r.range, r.partRanges, r.indexed]),
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

  it('reuses unchanged blocks and still gives the model of a fresh parse through edits that keep the file valid', function () {
    this.timeout(60000);
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const gen = require('../../scripts/bench/generate') as typeof import('../../scripts/bench/generate');
    const files = [...filesUnder(nodePath.join(ROOT, 'test', 'fixtures'), /\.tf$/), ...filesUnder(nodePath.join(ROOT, 'examples'), /\.tf$/)]
      .map((f) => fs.readFileSync(f, 'utf8'))
      .filter((t) => tf.parseTerraform('/x.tf', t).errors.length === 0);
    const texts = [gen.terraform(400), gen.TF_VARIABLES, ...files.slice(0, 40)];
    const rand = rng(11);
    let reused = 0;
    for (const start of texts) {
      let text = start;
      let prev = tf.parseTerraform('/m/main.tf', text);
      for (let i = 0; i < 25; i++) {
        const blocks = prev.blocks;
        const r = rand();
        if (blocks.length > 0 && r < 0.25) {
          // A block copied after another one (same text elsewhere: moved models).
          const b = blocks[Math.floor(rand() * blocks.length)];
          const at = blocks[Math.floor(rand() * blocks.length)].range.end;
          text = text.slice(0, at) + '\n' + text.slice(b.range.start, b.range.end) + text.slice(at);
        } else if (blocks.length > 1 && r < 0.35) {
          const b = blocks[Math.floor(rand() * blocks.length)];
          text = text.slice(0, b.range.start) + text.slice(b.range.end);
        } else if (r < 0.5) {
          // Lines and comments between blocks.
          const at = blocks.length ? blocks[Math.floor(rand() * blocks.length)].range.start : 0;
          text = text.slice(0, at) + (rand() < 0.5 ? '\n' : '# note\n') + text.slice(at);
        } else {
          // A character typed into a string.
          const quotes: number[] = [];
          for (let k = text.indexOf('= "'); k >= 0 && quotes.length < 500; k = text.indexOf('= "', k + 1)) quotes.push(k + 3);
          if (quotes.length === 0) continue;
          const at = quotes[Math.floor(rand() * quotes.length)];
          text = text.slice(0, at) + 'abcxyz_-./'[Math.floor(rand() * 10)] + text.slice(at);
        }
        const inc = tf.parseTerraform('/m/main.tf', text, prev);
        const fresh = tf.parseTerraform('/m/main.tf', text);
        if (inc.errors.length === 0) reused++;
        assert.deepEqual(view(inc), view(fresh), `edit ${i} of a file starting ${JSON.stringify(start.slice(0, 60))}`);
        prev = inc;
      }
    }
    assert.ok(reused > 100, `only ${reused} clean re-parses`);
  });
});

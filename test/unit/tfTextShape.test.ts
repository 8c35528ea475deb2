import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, filesUnder } from '../helpers/engine';
import type { TfBlock, TfExpr } from '../../server/engine/terraform/model';
import { literalTuple, TfEvaluator } from '../../rules/lib/networkValues';

let tuples = 0;
import {
  callOf, initTerraform, nameTokenEnd, objectItems, parseTerraform, textShape, treeShape, tupleItems,
} from '../../server/engine/terraform/parser';

/** Every expression under `e` (object keys and values, tuple items, call arguments), `e` first. */
function expressions(e: TfExpr, out: TfExpr[], depth = 0): void {
  out.push(e);
  if (depth > 20) return;
  for (const it of objectItems(e) ?? []) {
    expressions(it.keyExpr, out, depth + 1);
    expressions(it.value, out, depth + 1);
  }
  for (const it of tupleItems(e) ?? []) expressions(it, out, depth + 1);
  for (const a of callOf(e)?.args ?? []) expressions(a, out, depth + 1);
}

function blockExpressions(blocks: readonly TfBlock[], out: TfExpr[]): void {
  for (const b of blocks) {
    for (const a of b.attributes) expressions(a.expr, out);
    blockExpressions(b.blocks, out);
  }
}


/** Checks the text fast path against the tree for every expression of `text`; returns how many it answered. */
function check(name: string, text: string): number {
  const f = parseTerraform(`/m/${path.basename(name)}`, text);
  if (f.errors.length) return 0;
  const exprs: TfExpr[] = [];
  blockExpressions(f.blocks, exprs);
  let fast = 0;
  for (const e of exprs) {
    const tree = treeShape(e);
    if (!tree) continue;
    // The model answers the same through its public fields (kinds recorded by the
    // collection readers, which `expressions` called before any kind was read, too).
    const where = `${name}: ${JSON.stringify(f.text.slice(e.range.start, e.range.end))}`;
    assert.equal(e.kind, tree.kind, where);
    assert.equal(e.value, tree.value, where);
    assert.deepEqual(e.contentRange, tree.content, where);
    const byText = textShape(f.text, e.range.start, e.range.end);
    if (!byText) continue;
    fast++;
    assert.deepEqual(byText, tree, where);
  }
  // Kinds read first, collections after: the same items as collections read first.
  const g = parseTerraform(`/m/${path.basename(name)}`, text);
  const again: TfExpr[] = [];
  const kindsFirst = (e: TfExpr, depth = 0): void => {
    void e.kind;
    again.push(e);
    if (depth > 20) return;
    for (const it of objectItems(e) ?? []) { kindsFirst(it.keyExpr, depth + 1); kindsFirst(it.value, depth + 1); }
    for (const it of tupleItems(e) ?? []) kindsFirst(it, depth + 1);
    for (const a of callOf(e)?.args ?? []) kindsFirst(a, depth + 1);
  };
  const walkAll = (blocks: readonly TfBlock[]): void => {
    for (const b of blocks) {
      for (const a of b.attributes) kindsFirst(a.expr);
      walkAll(b.blocks);
    }
  };
  walkAll(g.blocks);
  assert.deepEqual(again.map((e) => [e.range, e.kind]), exprs.map((e) => [e.range, e.kind]), name);
  // Tuples of literals read through the model: what the evaluator's node walk gives.
  const ev = new TfEvaluator({ dir: '/m', files: [f] });
  for (const e of exprs) {
    const fast = literalTuple(e);
    if (!fast) continue;
    tuples++;
    assert.deepEqual(fast, ev.expr(e.node), `${name}: ${f.text.slice(e.range.start, e.range.end)}`);
  }
  // Attribute names as the tree has them: the first child of the expression's attribute node
  // (after the shapes: making a node changes how an expression's parts are found).
  const names = (blocks: readonly TfBlock[]): void => {
    for (const b of blocks) {
      for (const a of b.attributes) {
        const attr = a.expr.node.parent!;
        const name = attr.firstChild!;
        assert.equal(name.type, 'identifier');
        assert.deepEqual(a.nameRange, { start: name.startIndex, end: name.endIndex }, `${name}: name ${a.name}`);
        assert.equal(a.name, name.text);
        assert.deepEqual(a.range, { start: attr.startIndex, end: attr.endIndex });
      }
      names(b.blocks);
    }
  };
  names(f.blocks);
  return fast;
}

describe('Terraform expression shape read off the text', () => {
  before(() => initTerraform());

  it('agrees with the tree on every expression of the fixtures and examples', () => {
    const files = [...filesUnder(path.join(ROOT, 'test'), /\.tf$/), ...filesUnder(path.join(ROOT, 'examples'), /\.tf$/)];
    assert.ok(files.length > 50, `found only ${files.length} .tf files`);
    let fast = 0;
    for (const p of files) fast += check(p, fs.readFileSync(p, 'utf8'));
    assert.ok(fast > 1000, `the fast path answered only ${fast} expressions`);
    assert.ok(tuples > 50, `only ${tuples} tuples of literals`);
  });

  it('agrees with the tree on edge cases', () => {
    const values = [
      '["a", -1, true, null, 2]', '[ "a" /* c */, 1e999 ]', '["a", # c\n 1]', '[]', '["${x}"]', '[1.5, "a\\tb"]', '[[1]]',
      '"abc"', '""', '"a b\tc"', '"é ü 😀"', '"100%"', '"$5"', '"a\\"b"', '"a\\nb"', '"${x}"', '"%{if a}b%{endif}"', '"$${x}"',
      '0', '7', '80', '-1', '-0', '007', '1.5', '1e3', '- 1', '-x',
      'true', 'false', 'null', 'true.x', 'null.y', 'TRUE', 'Null',
      'x', 'var.x', 'var.x_1', 'a.b.c.d', 'each.value', 'count.index', 'a.0', 'a[0]', 'a.*.b', 'a-b', 'a.b-c', '_x._y', 'x1.y2',
      'for', 'in', 'if', 'endif', 'var . x', 'a.', '.a', '{}', '[]', 'f(x)', 'a == b', 'a ? b : c', '<<EOT\nx\nEOT\n',
    ];
    let fast = 0;
    for (const v of values) fast += check(v, `resource "t" "n" {\n  a = ${v}\n  o = { k = ${v}, "q" = [${v}] }\n}\n`);
    assert.ok(fast > 50, `the fast path answered only ${fast} expressions`);
  });

  it('reads attribute names as the tree has them', () => {
    for (const a of ['a = 1', 'a=1', 'a\t=\t1', 'a /* c */ = 1', 'a = /* c */ 1', 'é_ü = 1', 'a-b = 1', 'a_1-2 = "x"', 'x  =  [1]']) {
      check(a, `resource "t" "n" {\n  ${a}\n  b { ${a} }\n}\n`);
      check(a, `locals {\n${a}\n}\n`);
    }
    assert.equal(nameTokenEnd('ab = 1', 0, 5), 2);
    assert.equal(nameTokenEnd('a-b_9 = 1', 0, 8), 5);
    assert.equal(nameTokenEnd('aé = 1', 0, 5), 2);
    assert.equal(nameTokenEnd('éa = 1', 0, 5), 2);
    assert.equal(nameTokenEnd('9a = 1', 0, 5), -1);
    assert.equal(nameTokenEnd('a.b = 1', 0, 6), -1);
    assert.equal(nameTokenEnd('ab /* */ = 1', 0, 11), -1);
    assert.equal(nameTokenEnd('ab = /* */ 1', 0, 11), -1);
  });

  it('reads the simple forms and leaves the rest to the tree', () => {
    const shape = (s: string) => textShape(s, 0, s.length);
    assert.deepEqual(shape('"abc"'), { kind: 'string', value: 'abc', content: { start: 1, end: 4 } });
    assert.deepEqual(shape('-12'), { kind: 'number', value: -12, content: undefined });
    assert.deepEqual(shape('false'), { kind: 'bool', value: false, content: undefined });
    assert.deepEqual(shape('null'), { kind: 'null', value: null, content: undefined });
    assert.equal(shape('var.x')?.kind, 'reference');
    for (const s of ['"${x}"', '"a\\tb"', '1.5', '007', 'a[0]', 'a.0', 'a-b', 'true.x', 'for', '{}', '', '"']) assert.equal(shape(s), null, s);
  });
});

/**
 * offsetRange (server/engine/offsetRange.ts): plain `{ start, end }` objects, of a
 * hidden class that LSP-style `{ start: Position, end: Position }` literals do not
 * share; and the parsers' ranges are made by it.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { offsetRange, textEdit } from '../../server/engine/offsetRange';

describe('offsetRange', () => {
  it('is the plain object literal: same prototype, keys, order, JSON and equality', () => {
    const r = offsetRange(3, 7);
    assert.equal(Object.getPrototypeOf(r), Object.prototype);
    assert.deepEqual(Object.keys(r), ['start', 'end']);
    assert.deepStrictEqual(r, { start: 3, end: 7 });
    assert.equal(JSON.stringify(r), '{"start":3,"end":7}');
    assert.equal(structuredClone(r).end, 7);
    assert.deepStrictEqual({ ...r }, r);
    const e = textEdit(3, 7, 'x');
    assert.equal(Object.getPrototypeOf(e), Object.prototype);
    assert.deepEqual(Object.keys(e), ['start', 'end', 'newText']);
    assert.deepStrictEqual(e, { start: 3, end: 7, newText: 'x' });
    assert.equal(JSON.stringify(e), '{"start":3,"end":7,"newText":"x"}');
  });

  it('ranges and edits have hidden classes of their own, which the parsers\' ranges and the edit helpers\' edits share', () => {
    // The point of the factory, checked by V8 itself (natives syntax, in a child process):
    // a factory range never shares the class of a \`{ start, end }\` literal, and the
    // parsers' ranges (Terraform, CloudFormation, Dockerfile) are factory ranges.
    const out = path.join(__dirname, '../../server/engine');
    const code = `
      const E = ${JSON.stringify(out)};
      const { offsetRange, textEdit } = require(E + '/offsetRange.js');
      const { setAttributeValue } = require(E + '/terraform/edit.js');
      const { replaceValue, getNode } = { ...require(E + '/cloudformation/edit.js'), ...require(E + '/cloudformation/nodes.js') };
      const tf = require(E + '/terraform/parser.js');
      const { parseCloudFormation } = require(E + '/cloudformation/parser.js');
      const { nodeRange } = require(E + '/cloudformation/nodes.js');
      const { parseDockerfile } = require(E + '/dockerfile/parser.js');
      (async () => {
        await tf.initTerraform();
        const lsp = { start: { line: 0, character: 1 }, end: { line: 0, character: 2 } };
        const lit = { start: 1, end: 2 };
        const a = offsetRange(1, 2);
        const file = tf.parseTerraform('/m/main.tf', 'resource "aws_s3_bucket" "b" {\\n  bucket = "x"\\n}\\n');
        const block = file.blocks[0];
        const tpl = parseCloudFormation('/t.yaml', 'Resources:\\n  A:\\n    Type: AWS::S3::Bucket\\n');
        const df = parseDockerfile('/d/Dockerfile', 'FROM alpine:3.19\\nRUN echo hi\\n');
        const parsed = [block.range, block.typeRange, block.labels[0].range, block.attr('bucket').range, tpl.resources[0].keyRange, nodeRange(tpl.resources[0].body), df.instructions[1].range];
        const e = textEdit(1, 2, 'x');
        const token = { start: [], key: null, sep: [] };
        const edits = [setAttributeValue(file, block.attr('bucket'), '"y"'), replaceValue(tpl, getNode(tpl.resources[0].body, 'Type'), 'AWS::SQS::Queue')];
        console.log(JSON.stringify([%HaveSameMap(a, offsetRange(5, 9)), %HaveSameMap(a, lit), %HaveSameMap(a, lsp), parsed.map((r) => %HaveSameMap(a, r)),
          %HaveSameMap(e, { start: 1, end: 2, newText: 'x' }), %HaveSameMap(e, token), edits.map((x) => %HaveSameMap(e, x))]));
      })();`;
    const res = JSON.parse(execFileSync(process.execPath, ['--allow-natives-syntax', '-e', code], { encoding: 'utf8' }));
    assert.deepEqual(res, [true, false, false, [true, true, true, true, true, true, true], false, false, [true, true]]);
  });
});

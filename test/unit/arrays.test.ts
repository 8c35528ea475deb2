/** mapDense (arrays.ts) against Array.prototype.map. */
import * as assert from 'node:assert/strict';
import { mapDense } from '../../server/engine/arrays';

describe('mapDense', () => {
  it('gives what map gives, values and indexes, in order', () => {
    const inputs: unknown[][] = [[], [1], [3, 1, 2], ['a', null, undefined, 0, { x: 1 }], Array.from({ length: 100 }, (_, i) => i * 1.5)];
    for (const src of inputs) {
      const calls: [unknown, number][] = [];
      const fn = (v: unknown, i: number) => {
        calls.push([v, i]);
        return [v, i];
      };
      const want = src.map((v, i) => [v, i]);
      assert.deepEqual(mapDense(src, fn), want);
      assert.deepEqual(calls, want);
    }
  });

  it('returns a new array, leaving its input alone', () => {
    const src = [1, 2, 3];
    const out = mapDense(src, (v) => v * 2);
    assert.notEqual(out, src);
    assert.deepEqual(src, [1, 2, 3]);
    assert.deepEqual(out, [2, 4, 6]);
  });
});

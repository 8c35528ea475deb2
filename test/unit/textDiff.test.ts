/** changedSpan (chunked comparison) against the character-by-character definition. */
import * as assert from 'node:assert/strict';
import { changedSpan } from '../../server/engine/textDiff';
import { rng } from '../helpers/random';

function naive(before: string, after: string) {
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before[start] === after[start]) start++;
  let suffix = 0;
  while (suffix < max - start && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  return { start, oldEnd: before.length - suffix, newEnd: after.length - suffix };
}

describe('changedSpan', () => {
  it('agrees with the character-by-character definition on random edits, short and long texts', () => {
    const rand = rng(99);
    for (let i = 0; i < 3000; i++) {
      const n = Math.floor(rand() * (i % 10 === 0 ? 20000 : 60));
      let a = '';
      for (let j = 0; j < n; j++) a += 'ab\n'[Math.floor(rand() * 3)];
      let b = a;
      for (let o = Math.floor(rand() * 3); o > 0; o--) {
        const p = Math.floor(rand() * (b.length + 1));
        b = rand() < 0.5 ? b.slice(0, p) + 'ab'[Math.floor(rand() * 2)] + b.slice(p) : b.slice(0, p) + b.slice(p + 1 + Math.floor(rand() * 5000));
      }
      assert.deepEqual(changedSpan(a, b), naive(a, b), `case ${i}`);
    }
  });
});

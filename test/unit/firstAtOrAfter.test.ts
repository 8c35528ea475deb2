/** The shared binary search over items sorted by start (positions.ts) against a linear scan. */
import * as assert from 'node:assert/strict';
import { firstAtOrAfter } from '../../server/engine/positions';

describe('firstAtOrAfter', () => {
  it('finds the first item starting at or after an offset, as a linear scan does', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const starts = Array.from({ length: rand(12) }, () => rand(20)).sort((a, b) => a - b);
      const items = starts.map((start) => ({ start }));
      for (let offset = -1; offset <= 21; offset++) {
        const linear = items.findIndex((i) => i.start >= offset);
        assert.equal(firstAtOrAfter(items, offset, (i) => i.start), linear < 0 ? items.length : linear, `${starts} @ ${offset}`);
      }
    }
  });
});

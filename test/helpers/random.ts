/**
 * Seeded randomness for tests: every failure replays from its seed.
 */

/** A linear congruential generator: numbers in [0, 1], the same sequence for the same seed. */
export function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

/** One to `most` of `pieces`, drawn with `next` and joined: random text out of tricky fragments. */
export function randomJoin(next: () => number, pieces: readonly string[], most: number): string {
  let out = '';
  const len = 1 + Math.floor(next() * most);
  for (let k = 0; k < len; k++) out += pieces[Math.floor(next() * pieces.length)];
  return out;
}

/**
 * Arrays of one kind. V8 keeps, per array, an "elements kind" that is part of the
 * array's hidden class: an array literal or one filled by `push` is *packed*,
 * while `Array.prototype.map` (and `flatMap`) called from optimized code returns
 * a *holey* array (it is allocated at its final length first). The same model
 * array (a block's attributes, an instruction's flags) then comes in two kinds,
 * depending on whether the function that built it ran optimized yet, and every
 * optimized reader of it is thrown away ("wrong map") and compiled again when the
 * other kind shows up. Model arrays that rules read are therefore built here, by
 * pushing: always packed.
 */

/** `src.map(fn)` for a dense array, as a packed array. */
export function mapDense<T, U>(src: readonly T[], fn: (value: T, index: number) => U): U[] {
  const out: U[] = [];
  for (let i = 0; i < src.length; i++) out.push(fn(src[i], i));
  return out;
}

/**
 * Overlap tests on many ranges in logarithmic time (a rule on a huge or hostile
 * file can have thousands of hits; pairwise tests were quadratic). Overlap is
 * `a.start < b.end && b.start < a.end`, as everywhere in the rules.
 */
import type { OffsetRange } from '../../server/engine/types';

/**
 * A set of pairwise non-overlapping ranges, built by adding ranges that do not
 * overlap those already in it. Kept in (start, end) order: then the ends grow
 * too, and only the last range starting before a range's end can overlap it.
 */
export class DisjointRanges {
  private readonly kept: OffsetRange[] = [];

  /** Whether `r` overlaps a range of the set. */
  overlaps(r: OffsetRange): boolean {
    const i = this.firstStartingAtOrAfter(r.end);
    return i > 0 && this.kept[i - 1].end > r.start;
  }

  /** Adds `r` unless it overlaps a range of the set; whether it was added. */
  add(r: OffsetRange): boolean {
    const lo = this.firstStartingAtOrAfter(r.end);
    if (lo > 0 && this.kept[lo - 1].end > r.start) return false;
    let at = lo;
    while (at > 0 && (this.kept[at - 1].start > r.start || (this.kept[at - 1].start === r.start && this.kept[at - 1].end > r.end))) at--;
    this.kept.splice(at, 0, r);
    return true;
  }

  private firstStartingAtOrAfter(offset: number): number {
    let lo = 0;
    let hi = this.kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.kept[mid].start < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Ranges (overlapping or not) indexed for `overlapsAny`. */
export class RangeIndex {
  private readonly sorted: OffsetRange[];
  /** `maxEnd[i]`: the largest end among sorted[0..i]. */
  private readonly maxEnd: number[] = [];

  constructor(ranges: readonly OffsetRange[]) {
    this.sorted = [...ranges].sort((a, b) => a.start - b.start);
    let m = -Infinity;
    for (const r of this.sorted) this.maxEnd.push((m = Math.max(m, r.end)));
  }

  /** Whether [start, end) overlaps one of the ranges. */
  overlapsAny(start: number, end: number): boolean {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid].start < end) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && this.maxEnd[lo - 1] > start;
  }
}

/**
 * The source ranges of a parsed piece, collected once so that moving the piece
 * (incremental parsing: its text did not change, but text before it did) is a
 * tight loop over arrays instead of a walk of the tree on every keystroke.
 */
import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';

/** Every distinct `range` array under `roots` (pairs, maps, sequences, scalars), without recursion. */
export function collectRanges(roots: readonly unknown[]): number[][] {
  const out: number[][] = [];
  const seen = new Set<number[]>();
  const stack: unknown[] = [...roots];
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    if (isPair(node)) {
      stack.push(node.value, node.key);
      continue;
    }
    const n = node as Node;
    if (n.range && !seen.has(n.range as unknown as number[])) {
      seen.add(n.range as unknown as number[]);
      out.push(n.range as unknown as number[]);
    }
    if (isMap(n) || isSeq(n)) for (let i = n.items.length - 1; i >= 0; i--) stack.push(n.items[i]);
  }
  return out;
}

/** Adds `delta` to every offset of `ranges`. */
export function shiftRanges(ranges: readonly number[][], delta: number): void {
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i];
    r[0] += delta;
    r[1] += delta;
    r[2] += delta;
  }
}

/** A copy of `s` that does not keep the string it was cut from alive (as memo.ts `detach`). */
export function detach(s: string): string {
  return (s + ' ').slice(0, -1);
}

/** A mapping that names a key twice (the full parse reports it; pieces would hide it). */
export function hasDuplicateKey(map: YAMLMap | null | undefined): boolean {
  if (!map) return false;
  const keys = new Set<string>();
  for (const p of map.items) {
    const k = isScalar(p.key) ? String(p.key.value) : '';
    if (keys.has(k)) return true;
    keys.add(k);
  }
  return false;
}

/**
 * Every pair and node under `root` in document order, as `yaml`'s `visit` meets
 * them (a pair, then its key, then its value), without its per-node path arrays.
 */
export function walkNodes(root: unknown, visit: (n: Node | Pair) => void): void {
  const stack: unknown[] = [root];
  while (stack.length) {
    const n = stack.pop();
    if (!n || typeof n !== 'object') continue;
    visit(n as Node | Pair);
    if (isPair(n)) stack.push(n.value, n.key);
    else if (isMap(n) || isSeq(n)) for (let i = n.items.length - 1; i >= 0; i--) stack.push(n.items[i]);
  }
}

/** Whether `key` is an empty key (a line holding only `:`, `{: 1}`). */
export function isEmptyKey(key: unknown): key is Scalar {
  return isScalar(key) && key.value === null && key.source === '' && !!key.range;
}

/** Empty keys under `root`, in document order. */
export function emptyKeysOf(root: unknown): Scalar[] {
  const out: Scalar[] = [];
  walkNodes(root, (n) => {
    if (isPair(n) && isEmptyKey(n.key)) out.push(n.key);
  });
  return out;
}

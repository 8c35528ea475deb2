/**
 * The resource blocks of a Terraform file by type, indexed once per parsed file
 * (a file's text never changes: a new text is a new parse) and shared by the
 * rules of a lint, instead of each rule filtering every top-level block.
 */
import type { TfBlock, TfFile } from '../../server/engine/terraform/model';

/** Per file: positions (in `file.blocks`) of the resource blocks of each type, ascending. */
const index = new WeakMap<TfFile, Map<string, number[]>>();

function indexOf(file: TfFile): Map<string, number[]> {
  let map = index.get(file);
  if (!map) {
    map = new Map();
    const blocks = file.blocks;
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i];
      if (b.type !== 'resource') continue;
      const type = b.labels[0]?.value ?? '';
      const list = map.get(type);
      if (list) list.push(i);
      else map.set(type, [i]);
    }
    index.set(file, map);
  }
  return map;
}

/**
 * The top-level resource blocks of `file` whose type is one of `types`, in file
 * order: `resourcesOfType(file.blocks, types)` (a new array the caller may keep).
 */
export function tfResourceBlocks(file: TfFile, types: readonly string[]): TfBlock[] {
  const map = indexOf(file);
  const blocks = file.blocks;
  let only: number[] | undefined;
  let many: number[] | null = null;
  const seen = types.length > 1 ? new Set<string>() : null;
  for (const t of types) {
    if (seen) {
      // A type listed twice selects its blocks once.
      if (seen.has(t)) continue;
      seen.add(t);
    }
    const list = map.get(t);
    if (!list) continue;
    if (!only) only = list;
    else (many ??= [...only]).push(...list);
  }
  if (!only) return [];
  if (many) many.sort((a, b) => a - b);
  return (many ?? only).map((i) => blocks[i]);
}

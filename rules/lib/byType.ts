/**
 * A template's resources by type, indexed once per template: most CloudFormation
 * rules judge one or a few resource types, and each walked every resource of the
 * template to find them (451 resources for a few dozen of one type, once per rule).
 * The lists keep template order; a template is never changed once built, so an
 * index keyed by it stays right.
 */
import type { CfnResource, CfnTemplate } from '../../server/engine/cloudformation/model';

const NONE: readonly CfnResource[] = [];

const byTypeCache = new WeakMap<CfnTemplate, Map<string, CfnResource[]>>();

function index(tpl: CfnTemplate): Map<string, CfnResource[]> {
  let m = byTypeCache.get(tpl);
  if (!m) {
    m = new Map();
    const all = tpl.resources;
    for (let i = 0; i < all.length; i++) {
      const r = all[i];
      const list = m.get(r.type);
      if (list) list.push(r);
      else m.set(r.type, [r]);
    }
    byTypeCache.set(tpl, m);
  }
  return m;
}

/** The resources of `type`, in template order (`tpl.resources.filter((r) => r.type === type)`). */
export function cfnOfType(tpl: CfnTemplate, type: string): readonly CfnResource[] {
  return index(tpl).get(type) ?? NONE;
}

const mergedCache = new WeakMap<CfnTemplate, Map<readonly string[], readonly CfnResource[]>>();

/**
 * The resources of any of `types`, in template order
 * (`tpl.resources.filter((r) => types.includes(r.type))`). `types` is a constant
 * of the caller: the merged list is kept per template under that array.
 */
export function cfnOfTypes(tpl: CfnTemplate, types: readonly string[]): readonly CfnResource[] {
  const m = index(tpl);
  let only: readonly CfnResource[] = NONE;
  let lists = 0;
  for (let i = 0; i < types.length; i++) {
    const l = m.get(types[i]);
    if (l === undefined) continue;
    only = l;
    lists++;
  }
  // One type present (the usual case): its own list, already in order.
  if (lists <= 1) return only;
  let per = mergedCache.get(tpl);
  if (!per) mergedCache.set(tpl, (per = new Map()));
  let merged = per.get(types);
  if (!merged) per.set(types, (merged = tpl.resources.filter((r) => types.includes(r.type))));
  return merged;
}

/**
 * Reading CloudFormation values: property lookup, intrinsic functions in short
 * (`!Ref X`) and long (`{ "Ref": "X" }`) form, and value resolution as the
 * catalog prescribes (parameter defaults, `!If` per branch, unknown otherwise).
 */
import { isAlias, isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { OffsetRange } from '../types';
import type { CfnTemplate } from './model';
import { mapDense } from '../arrays';
import { offsetRange } from '../offsetRange';

export function getPair(map: YAMLMap | null | undefined, key: string): Pair<Scalar, Node> | undefined {
  if (!map) return undefined;
  for (const p of map.items) {
    if (isScalar(p.key) && p.key.value === key) return p as Pair<Scalar, Node>;
  }
  return undefined;
}

/** The value node of `key` in `map`, following aliases. */
export function getNode(map: YAMLMap | null | undefined, key: string, tpl?: CfnTemplate): Node | undefined {
  const v = getPair(map, key)?.value ?? undefined;
  return v ? deref(v, tpl) : undefined;
}

export function getMap(map: YAMLMap | null | undefined, key: string, tpl?: CfnTemplate): YAMLMap | undefined {
  const v = getNode(map, key, tpl);
  return isMap(v) ? (v as YAMLMap) : undefined;
}

/**
 * The node an alias stands for (following chains of aliases); any other node
 * itself. Aliases of a document whose aliases expand too far are not followed
 * (see `CfnTemplate.aliasTargets`): the alias comes back, which rules read as an
 * unknown value.
 */
export function deref(node: Node, tpl?: CfnTemplate): Node {
  let n: Node = node;
  for (let i = 0; i < 16 && isAlias(n); i++) {
    const target = tpl ? (tpl.aliasTargets ? tpl.aliasTargets.get(n) : (n.resolve(tpl.doc) as Node | undefined)) : undefined;
    if (!target) return n;
    n = target;
  }
  return n;
}

export function nodeRange(node: Node | null | undefined): OffsetRange | null {
  const r = node?.range;
  return r ? offsetRange(r[0], r[1]) : null;
}

/** Range of a key/value pair: from the key to the end of the value. */
export function pairRange(pair: Pair): OffsetRange | null {
  const k = nodeRange(pair.key as Node);
  const v = nodeRange(pair.value as Node);
  if (!k) return v;
  return offsetRange(k.start, v ? v.end : k.end);
}

export interface Intrinsic {
  fn: string;
  arg: Node | null;
}

/** `!Ref X` / `{Ref: X}` → { fn: 'Ref', arg }; `!If` / `Fn::If` → { fn: 'If', ... }. */
export function intrinsic(node: Node | null | undefined): Intrinsic | null {
  if (!node) return null;
  const tag = (node as Scalar).tag;
  if (tag && tag.startsWith('!') && tag !== '!!str') return { fn: tag.slice(1), arg: node };
  if (isMap(node) && node.items.length === 1) {
    const k = node.items[0].key;
    if (isScalar(k) && typeof k.value === 'string') {
      if (k.value === 'Ref' || k.value === 'Condition') return { fn: k.value, arg: (node.items[0].value as Node) ?? null };
      if (k.value.startsWith('Fn::')) return { fn: k.value.slice(4), arg: (node.items[0].value as Node) ?? null };
    }
  }
  return null;
}

export type Resolved =
  | { kind: 'known'; value: string | number | boolean | null; node: Node }
  | { kind: 'unknown'; node: Node }
  | { kind: 'absent'; node: Node };

/**
 * The values a node can take: a literal; a `Ref` to a parameter judged by its
 * `Default`; each branch of `!If`; `Ref AWS::NoValue` as absent; anything else
 * unknown. Bounded in depth so alias tricks cannot loop.
 */
export function resolveValues(tpl: CfnTemplate, node: Node | null | undefined, depth = 0): Resolved[] {
  if (!node) return [];
  const n = deref(node, tpl);
  if (depth > 8) return [{ kind: 'unknown', node: n }];
  const fn = intrinsic(n);
  if (fn) {
    if (fn.fn === 'Ref' && fn.arg && isScalar(fn.arg)) {
      const name = String(fn.arg.value);
      if (name === 'AWS::NoValue') return [{ kind: 'absent', node: n }];
      const param = tpl.parameters.get(name);
      if (param?.default) return mapDense(resolveValues(tpl, param.default, depth + 1), (r) => ({ ...r, node: n }));
      return [{ kind: 'unknown', node: n }];
    }
    if (fn.fn === 'If' && fn.arg && isSeq(fn.arg) && fn.arg.items.length === 3) {
      const items = (fn.arg as YAMLSeq).items as Node[];
      return [...resolveValues(tpl, items[1], depth + 1), ...resolveValues(tpl, items[2], depth + 1)];
    }
    return [{ kind: 'unknown', node: n }];
  }
  if (isScalar(n)) {
    const v = n.value;
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return [{ kind: 'known', value: v, node: n }];
    return [{ kind: 'unknown', node: n }];
  }
  return [{ kind: 'unknown', node: n }];
}

/** The string form of a known scalar, lower-cased comparisons are the caller's business. */
export function knownString(r: Resolved): string | undefined {
  return r.kind === 'known' && r.value !== null ? String(r.value) : undefined;
}

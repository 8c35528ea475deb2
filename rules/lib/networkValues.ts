/**
 * A small, bounded evaluator for the Terraform expressions network rules need to
 * read: literals, tuples, objects, `var.x` (its `default`), `local.x`, `each.*` /
 * `count.index` / a `dynamic` block's iterator, `cond ? a : b` (both branches, as
 * the catalog judges `!If` per branch), `"${x}"`, and the collection functions
 * `tolist`, `toset`, `concat`, `flatten`. Everything else is unknown, and an
 * unknown value never fires a rule by itself.
 *
 * Values carry the range where they enter the linted file: a literal keeps its
 * own range, a value read from a variable default, a local or an iterator takes
 * the range of the expression that refers to it (the default may sit in another
 * file, and findings are only reported inside the linted one).
 */
import { tupleItems, unescapeTemplateLiteral } from '../../server/engine/terraform/parser';
import type { TfAttribute, TfBlock, TfExpr, TfModule } from '../../server/engine/terraform/model';
import type { OffsetRange } from '../../server/engine/types';
import { offsetRange } from '../../server/engine/offsetRange';

export type TfValue =
  | { kind: 'known'; value: string | number | boolean | null; range: OffsetRange }
  | { kind: 'list'; items: TfValue[]; range: OffsetRange }
  | { kind: 'object'; fields: Map<string, TfValue>; range: OffsetRange }
  /** One of several values (the branches of a conditional). */
  | { kind: 'alt'; options: TfValue[]; range: OffsetRange }
  | { kind: 'unknown'; range: OffsetRange };

/** Names in scope: `each`, `count`, a `dynamic` block's iterator. */
export type TfScope = ReadonlyMap<string, TfValue>;

const MAX_DEPTH = 8;
const MAX_ITEMS = 256;
const EMPTY_SCOPE: TfScope = new Map();

// web-tree-sitter nodes; the model keeps them untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type TsNode = any;

function rangeOf(n: TsNode): OffsetRange {
  return offsetRange(n.startIndex, n.endIndex);
}

function unknown(range: OffsetRange): TfValue {
  return { kind: 'unknown', range };
}

/** A copy of `v` whose ranges (all of them) are `range`. */
export function restamp(v: TfValue, range: OffsetRange): TfValue {
  switch (v.kind) {
    case 'list': return { kind: 'list', items: v.items.map((i) => restamp(i, range)), range };
    case 'object': return { kind: 'object', fields: new Map([...v.fields].map(([k, f]) => [k, restamp(f, range)])), range };
    case 'alt': return { kind: 'alt', options: v.options.map((o) => restamp(o, range)), range };
    default: return { ...v, range };
  }
}

function children(n: TsNode): TsNode[] {
  return (n.children as (TsNode | null)[]).filter((c) => c) as TsNode[];
}

/** The string value of a `string_lit` node (escapes resolved). */
function stringLit(n: TsNode): string {
  const t: string = n.text;
  const inner = t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t.replace(/^"/, '');
  return unescapeTemplateLiteral(inner);
}

/**
 * `[ "a", 1, true ]`: a tuple of literals read through the parser's model (no
 * parse nodes), the value `TfEvaluator.expr` gives for it: a tuple expression's
 * sole child is the collection and a literal item's its literal, so the ranges
 * are the expressions'. Null for any other expression, or an item that is no
 * literal or a number that is not finite (the node walk decides then).
 */
export function literalTuple(expr: TfExpr): TfValue | null {
  if (expr.kind !== 'tuple') return null;
  const items = tupleItems(expr);
  if (!items) return null;
  const out: TfValue[] = [];
  for (let i = 0; i < items.length && i < MAX_ITEMS; i++) {
    const it = items[i];
    const k = it.kind;
    if (k !== 'string' && k !== 'number' && k !== 'bool' && k !== 'null') return null;
    const v = it.value;
    if (v === undefined || (k === 'number' && !Number.isFinite(v))) return null;
    out.push({ kind: 'known', value: v, range: it.range });
  }
  return { kind: 'list', items: out, range: expr.range };
}

export class TfEvaluator {
  private variables: Map<string, TfBlock> | null = null;
  private locals: Map<string, TfAttribute> | null = null;

  constructor(readonly module: TfModule) {}

  /** Evaluates an attribute's expression. */
  attr(attr: TfAttribute | undefined, scope: TfScope = EMPTY_SCOPE): TfValue | undefined {
    if (!attr) return undefined;
    // Plain literals (most attributes) are read once by the parser's own cache.
    const lit = attr.expr.value;
    if (lit !== undefined) return { kind: 'known', value: lit, range: attr.expr.range };
    return literalTuple(attr.expr) ?? this.expr(attr.expr.node, scope);
  }

  /** Evaluates a tree-sitter `expression` node (or any node below one). */
  expr(node: TsNode, scope: TfScope = EMPTY_SCOPE, depth = 0): TfValue {
    const r = rangeOf(node);
    if (!node || depth > MAX_DEPTH) return unknown(r);
    try {
      return this.eval(node, scope, depth);
    } catch {
      return unknown(r);
    }
  }

  private eval(node: TsNode, scope: TfScope, depth: number): TfValue {
    const r = rangeOf(node);
    switch (node.type) {
      case 'expression': {
        const cs = children(node).filter((c) => c.type !== 'comment');
        if (cs.length === 0) return unknown(r);
        if (cs[0].type === '(') return cs[1] ? this.expr(cs[1], scope, depth + 1) : unknown(r);
        if (cs.length === 1) return this.eval(cs[0], scope, depth);
        if (cs[0].type === 'variable_expr') return this.traversal(cs, r, scope, depth);
        // `f(x)[0]`, `{...}.a`: a value followed by steps.
        const base = this.eval(cs[0], scope, depth);
        return this.steps(base, cs.slice(1), r, scope, depth);
      }
      case 'literal_value': {
        const lit = node.firstChild;
        switch (lit?.type) {
          case 'string_lit': return { kind: 'known', value: stringLit(lit), range: r };
          case 'numeric_lit': {
            const n = Number(lit.text);
            return Number.isFinite(n) ? { kind: 'known', value: n, range: r } : unknown(r);
          }
          case 'bool_lit': return { kind: 'known', value: lit.text === 'true', range: r };
          case 'null_lit': return { kind: 'known', value: null, range: r };
        }
        return unknown(r);
      }
      case 'template_expr': {
        const t = node.firstChild;
        if (t?.type !== 'quoted_template') return unknown(r);
        // `"${x}"` is x (the Terraform 0.11 spelling of a reference).
        const parts = children(t).filter((c) => c.type !== 'quoted_template_start' && c.type !== 'quoted_template_end');
        if (parts.length === 1 && parts[0].type === 'template_interpolation') {
          const inner = children(parts[0]).find((c) => c.type === 'expression');
          if (inner) return restamp(this.expr(inner, scope, depth + 1), r);
        }
        return unknown(r);
      }
      case 'collection_value': {
        const c = node.firstChild;
        if (c?.type === 'tuple') {
          const items = children(c).filter((x) => x.type === 'expression').slice(0, MAX_ITEMS);
          return { kind: 'list', items: items.map((i) => this.expr(i, scope, depth + 1)), range: r };
        }
        if (c?.type === 'object') {
          const fields = new Map<string, TfValue>();
          for (const el of children(c)) {
            if (el.type !== 'object_elem') continue;
            const [k, v] = children(el).filter((x) => x.type === 'expression');
            if (!k || !v) continue;
            const key = objectKey(k);
            if (key !== null) fields.set(key, this.expr(v, scope, depth + 1));
          }
          return { kind: 'object', fields, range: r };
        }
        return unknown(r);
      }
      case 'conditional': {
        const [, a, b] = children(node).filter((x) => x.type === 'expression');
        if (!a || !b) return unknown(r);
        return { kind: 'alt', options: [this.expr(a, scope, depth + 1), this.expr(b, scope, depth + 1)], range: r };
      }
      case 'operation': {
        // `-1`
        const u = node.firstChild;
        if (u?.type === 'unary_operation' && u.firstChild?.type === '-') {
          const v = this.eval(u.lastChild, scope, depth + 1);
          if (v.kind === 'known' && typeof v.value === 'number') return { kind: 'known', value: -v.value, range: r };
        }
        return unknown(r);
      }
      case 'function_call': return this.call(node, r, scope, depth);
      case 'variable_expr': return this.traversal([node], r, scope, depth);
    }
    return unknown(r);
  }

  private call(node: TsNode, r: OffsetRange, scope: TfScope, depth: number): TfValue {
    const name: string = node.firstChild?.text ?? '';
    const argsNode = children(node).find((c) => c.type === 'function_arguments');
    const args = argsNode ? children(argsNode).filter((c) => c.type === 'expression') : [];
    if (argsNode && children(argsNode).some((c) => c.type === 'ellipsis')) return unknown(r);
    switch (name) {
      case 'tolist':
      case 'toset':
      case 'tostring':
      case 'tonumber':
        return args.length === 1 ? this.expr(args[0], scope, depth + 1) : unknown(r);
      case 'concat': {
        const lists = args.map((a) => this.expr(a, scope, depth + 1));
        if (lists.some((l) => l.kind !== 'list')) return unknown(r);
        return { kind: 'list', items: lists.flatMap((l) => (l.kind === 'list' ? l.items : [])).slice(0, MAX_ITEMS), range: r };
      }
      case 'flatten': {
        if (args.length !== 1) return unknown(r);
        const v = this.expr(args[0], scope, depth + 1);
        if (v.kind !== 'list') return unknown(r);
        const out: TfValue[] = [];
        const walk = (x: TfValue): boolean => {
          if (x.kind === 'list') return x.items.every(walk);
          if (x.kind === 'unknown' || x.kind === 'alt') return false;
          out.push(x);
          return out.length <= MAX_ITEMS;
        };
        return walk(v) ? { kind: 'list', items: out, range: r } : unknown(r);
      }
    }
    return unknown(r);
  }

  /** `var.x.y`, `local.z[0]`, `each.value.cidr`, `ingress.value`, ... */
  private traversal(cs: TsNode[], r: OffsetRange, scope: TfScope, depth: number): TfValue {
    const root: string = cs[0].text;
    let rest = cs.slice(1);
    let base: TfValue | undefined;
    if ((root === 'var' || root === 'local') && rest[0]?.type === 'get_attr') {
      const name = attrName(rest[0]);
      rest = rest.slice(1);
      if (root === 'var') {
        const def = this.variable(name)?.attr('default');
        base = def ? restamp(this.expr(def.expr.node, EMPTY_SCOPE, depth + 1), r) : undefined;
      } else {
        const local = this.local(name);
        base = local ? restamp(this.expr(local.expr.node, EMPTY_SCOPE, depth + 1), r) : undefined;
      }
    } else if (scope.has(root)) {
      base = restamp(scope.get(root)!, r);
    }
    if (!base) return unknown(r);
    return this.steps(base, rest, r, scope, depth);
  }

  private steps(base: TfValue, steps: TsNode[], r: OffsetRange, scope: TfScope, depth: number): TfValue {
    let v = base;
    for (const s of steps) {
      if (v.kind === 'alt') return { kind: 'alt', options: v.options.map((o) => this.steps(o, steps.slice(steps.indexOf(s)), r, scope, depth)), range: r };
      if (s.type === 'get_attr') {
        if (v.kind !== 'object') return unknown(r);
        v = v.fields.get(attrName(s)) ?? unknown(r);
      } else if (s.type === 'index') {
        const idx = s.firstChild;
        let key: TfValue;
        if (idx?.type === 'legacy_index') key = { kind: 'known', value: Number(idx.text.slice(1)), range: r };
        else {
          const e = idx ? children(idx).find((c) => c.type === 'expression') : undefined;
          key = e ? this.expr(e, scope, depth + 1) : unknown(r);
        }
        if (key.kind !== 'known') return unknown(r);
        if (v.kind === 'list' && typeof key.value === 'number') v = v.items[key.value] ?? unknown(r);
        else if (v.kind === 'object' && key.value !== null) v = v.fields.get(String(key.value)) ?? unknown(r);
        else return unknown(r);
      } else {
        return unknown(r); // splat
      }
    }
    return v;
  }

  private variable(name: string): TfBlock | undefined {
    if (!this.variables) {
      this.variables = new Map();
      for (const f of this.module.files) {
        for (const b of f.blocks) {
          const n = b.type === 'variable' ? b.labels[0]?.value : undefined;
          if (n !== undefined && !this.variables.has(n)) this.variables.set(n, b);
        }
      }
    }
    return this.variables.get(name);
  }

  private local(name: string): TfAttribute | undefined {
    if (!this.locals) {
      this.locals = new Map();
      for (const f of this.module.files) for (const l of f.locals) if (!this.locals.has(l.name)) this.locals.set(l.name, l);
    }
    return this.locals.get(name);
  }

  /**
   * The instances of a resource with `for_each` (scope name `each`: `{ key, value }`)
   * or `count` (scope name `count`: `{ index }`, the index itself unknown). An empty
   * list when the collection is known to be empty or the count is 0. When it cannot
   * be read, one instance with the iterator unknown (`known: false`).
   */
  resourceInstances(block: TfBlock): { scopes: TfScope[]; known: boolean } {
    if (block.attr('for_each')) return this.forEach(block, 'each', EMPTY_SCOPE);
    const count = block.attr('count');
    if (!count) return { scopes: [EMPTY_SCOPE], known: true };
    const v = this.expr(count.expr.node);
    const counts = alternatives(v).map((x) => (x.kind === 'known' && typeof x.value === 'number' ? x.value : null));
    const one = (): TfScope => new Map([['count', { kind: 'object', fields: new Map([['index', unknown(v.range)]]), range: v.range }]]);
    if (counts.some((c) => c === null)) return { scopes: [one()], known: false };
    const n = Math.max(...(counts as number[]));
    return { scopes: Array.from({ length: Math.max(0, Math.min(n, 64)) }, one), known: true };
  }

  /** The possible numbers of instances of a resource: `count` / `for_each` size; null when unknown. */
  instanceCounts(block: TfBlock): number[] | null {
    const fe = block.attr('for_each');
    if (fe) {
      const v = this.expr(fe.expr.node);
      const out: number[] = [];
      for (const a of alternatives(v)) {
        if (a.kind === 'list') out.push(new Set(a.items.map((i) => (i.kind === 'known' ? String(i.value) : Symbol()))).size);
        else if (a.kind === 'object') out.push(a.fields.size);
        else return null;
      }
      return out;
    }
    const count = block.attr('count');
    if (!count) return [1];
    const out: number[] = [];
    for (const a of alternatives(this.expr(count.expr.node))) {
      if (a.kind !== 'known' || typeof a.value !== 'number') return null;
      out.push(a.value);
    }
    return out;
  }

  /**
   * The iterations of a `dynamic` block: its iterator (the `iterator` argument, else
   * the block label) bound to `{ key, value }` for each element of `for_each`.
   */
  dynamicIterations(dynamic: TfBlock, scope: TfScope): { scopes: TfScope[]; known: boolean } {
    const it = dynamic.attr('iterator');
    const name = it ? it.expr.text.trim() : (dynamic.labels[0]?.value ?? '');
    return this.forEach(dynamic, name, scope);
  }

  private forEach(block: TfBlock, name: string, scope: TfScope): { scopes: TfScope[]; known: boolean } {
    const forEach = block.attr('for_each');
    const one = (v: TfValue): TfScope => new Map([...scope, [name, v]]);
    if (!forEach) return { scopes: [one(unknown(block.typeRange))], known: false };
    const v = this.expr(forEach.expr.node, scope);
    const r = v.range;
    const list = collectionEntries(v);
    if (!list) return { scopes: [one(unknown(r))], known: false };
    return {
      scopes: list.slice(0, 64).map(([k, val]) => one({ kind: 'object', fields: new Map([['key', k], ['value', val]]), range: r })),
      known: true,
    };
  }
}

function attrName(getAttr: TsNode): string {
  const id = children(getAttr).find((c) => c.type === 'identifier');
  return id ? id.text : '';
}

/** The key of an object element: a bare name or a plain string; null when computed. */
function objectKey(k: TsNode): string | null {
  const cs = children(k);
  if (cs.length === 1 && cs[0].type === 'variable_expr') return cs[0].text;
  if (cs.length === 1 && cs[0].type === 'literal_value' && cs[0].firstChild?.type === 'string_lit') return stringLit(cs[0].firstChild);
  return null;
}

/** Each option of a value, with nested alternatives flattened. */
export function alternatives(v: TfValue | undefined): TfValue[] {
  if (!v) return [];
  if (v.kind !== 'alt') return [v];
  return v.options.flatMap((o) => alternatives(o));
}

/**
 * The elements a value may hold when used as a list: every element of every
 * alternative, and whether some part of it is unknown. A single non-list value
 * is not a list (unknown).
 */
export function listElements(v: TfValue | undefined): { items: TfValue[]; unknown: boolean } {
  const items: TfValue[] = [];
  let unk = false;
  for (const alt of alternatives(v)) {
    if (alt.kind === 'list') {
      for (const i of alt.items) {
        for (const a of alternatives(i)) {
          if (a.kind === 'unknown') unk = true;
          else items.push(a);
        }
      }
    } else if (!(alt.kind === 'known' && alt.value === null)) unk = true;
  }
  return { items, unknown: unk };
}

/** The possible lengths of a list value; null when some alternative is not a known list. */
export function listLengths(v: TfValue | undefined): number[] | null {
  const out: number[] = [];
  for (const alt of alternatives(v)) {
    if (alt.kind !== 'list') return null;
    out.push(alt.items.length);
  }
  return out.length ? out : null;
}

/** `for_each` entries as [key, value]: lists and sets by their elements, maps by key. */
function collectionEntries(v: TfValue): [TfValue, TfValue][] | null {
  const alts = alternatives(v);
  const out: [TfValue, TfValue][] = [];
  for (const a of alts) {
    if (a.kind === 'list') {
      a.items.forEach((item, i) => {
        // For a set, `each.key` is the element itself; for a list (dynamic blocks) its index.
        const key: TfValue = item.kind === 'known' ? item : { kind: 'known', value: i, range: item.range };
        out.push([key, item]);
      });
    } else if (a.kind === 'object') {
      for (const [k, f] of a.fields) out.push([{ kind: 'known', value: k, range: f.range }, f]);
    } else return null;
  }
  return out;
}

/** The known scalar values a value may take (strings and numbers), with their ranges. */
export function knownScalars(v: TfValue | undefined): { values: { value: string | number | boolean | null; range: OffsetRange }[]; unknown: boolean } {
  const values: { value: string | number | boolean | null; range: OffsetRange }[] = [];
  let unk = false;
  for (const a of alternatives(v)) {
    if (a.kind === 'known') values.push({ value: a.value, range: a.range });
    else unk = true;
  }
  return { values, unknown: unk };
}

/**
 * One structured-value view over every place a policy document or an
 * environment map can be written: CloudFormation YAML/JSON nodes, Terraform
 * expressions (`jsonencode({...})`, objects, tuples, blocks) and JSON text inside
 * strings (a CFN `PolicyDocument: '{...}'`, a Terraform heredoc). Every node
 * carries its range in the file it was read from, as UTF-16 offsets; JSON read
 * from a decoded string is mapped back through the string's escapes.
 *
 * Values the tool cannot know (references, intrinsics, interpolations) are
 * `unknown` or `template` nodes, never guessed.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { OffsetRange } from '../../server/engine/types';
import type { CfnTemplate } from '../../server/engine/cloudformation/model';
import { deref, resolveValues } from '../../server/engine/cloudformation/nodes';
import type { TfAttribute, TfBlock, TfExpr, TfModule } from '../../server/engine/terraform/model';
import { callOf, objectItems, tupleItems } from '../../server/engine/terraform/parser';
import { moduleKey } from '../../server/engine/terraform/moduleKey';
import { mapDense } from '../../server/engine/arrays';
import { offsetRange } from '../../server/engine/offsetRange';

interface DBase {
  /** Where the node is written. */
  range: OffsetRange;
  /** The file the range belongs to. */
  path: string;
  /** That file's text (for mapping positions inside a scalar). */
  text: string;
}

export interface DMap extends DBase {
  kind: 'map';
  entries: DEntry[];
}

export interface DEntry {
  /** Null for a computed key. */
  key: string | null;
  keyRange: OffsetRange;
  value: DNode;
}

export interface DList extends DBase {
  kind: 'list';
  items: DNode[];
}

export interface DScalar extends DBase {
  kind: 'scalar';
  /** The value as a string (`true`, `12`, '' for null). */
  value: string;
  type: 'string' | 'number' | 'bool' | 'null';
  /**
   * The value is written, escapes aside, at `range` (false when it comes from
   * elsewhere, e.g. a parameter default reached through `!Ref`).
   */
  literal: boolean;
}

/** A string with interpolations (`!Sub '...${X}...'`, `"...${var.x}..."`, a heredoc with `${}`). */
export interface DTemplate extends DBase {
  kind: 'template';
  /** The text as written, interpolations included. */
  value: string;
  syntax: 'sub' | 'hcl';
}

/** A value the tool cannot know. `parts` are its readable pieces (intrinsic or function arguments). */
export interface DUnknown extends DBase {
  kind: 'unknown';
  parts: DNode[];
  /**
   * What it refers to: CFN `!Ref X` gives `['X']`, `!GetAtt X.Arn` gives
   * `['X', 'Arn']`; a Terraform traversal gives its names (`aws_iam_user.x.name`
   * gives `['aws_iam_user', 'x', 'name']`).
   */
  ref?: string[];
}

/** One of several values (each branch of `!If`). */
export interface DAlt extends DBase {
  kind: 'alt';
  options: DNode[];
  /** Some branch is `!Ref AWS::NoValue`: the value may be absent. */
  absent: boolean;
}

export type DNode = DMap | DList | DScalar | DTemplate | DUnknown | DAlt;

export function entry(map: DMap, key: string): DEntry | undefined {
  return map.entries.find((e) => e.key === key);
}

export function get(node: DNode | undefined, key: string): DNode | undefined {
  return node?.kind === 'map' ? entry(node, key)?.value : undefined;
}

/** The node itself, or each branch of an `alt`, flattened. */
export function branches(node: DNode): DNode[] {
  if (node.kind !== 'alt') return [node];
  const out: DNode[] = [];
  pushBranches(node, out);
  return out;
}

/** `branches` into `out` (one packed array; `flatMap` gave arrays of two kinds): the node itself, or each branch of an `alt`, flattened. */
export function pushBranches(node: DNode, out: DNode[]): void {
  if (node.kind !== 'alt') out.push(node);
  else for (const o of node.options) pushBranches(o, out);
}

/** The known string value of a scalar, else undefined. */
export function str(node: DNode | undefined): string | undefined {
  return node?.kind === 'scalar' ? node.value : undefined;
}

/** Children of a node, for walks that look at every value. */
export function children(node: DNode): DNode[] {
  switch (node.kind) {
    case 'map': return mapDense(node.entries, (e) => e.value);
    case 'list': return node.items;
    case 'alt': return node.options;
    case 'unknown': return node.parts;
    default: return [];
  }
}

// ---------------------------------------------------------------------------
// Positions inside decoded strings

/**
 * Where each character of a decoded string sits in its source text: `starts[i]`
 * and `ends[i]` are the file offsets of the source characters that produced
 * `value[i]` (an escape sequence produces one character from several).
 */
export interface Alignment {
  starts: number[];
  ends: number[];
  /** The whole source range, for characters that could not be placed. */
  base: OffsetRange;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', "'": "'", ' ': ' ', '0': '\0',
};

/** The character an escape sequence at `src[k]` (a backslash) stands for, and its length. */
function escapeAt(src: string, k: number): { ch: string; len: number } | null {
  const c = src[k + 1];
  if (c === undefined) return null;
  if (c in SIMPLE_ESCAPES) return { ch: SIMPLE_ESCAPES[c], len: 2 };
  const hex = c === 'u' ? 4 : c === 'U' ? 8 : c === 'x' ? 2 : 0;
  if (hex && /^[0-9a-fA-F]+$/.test(src.slice(k + 2, k + 2 + hex)) && src.length >= k + 2 + hex) {
    const cp = parseInt(src.slice(k + 2, k + 2 + hex), 16);
    if (cp <= 0x10ffff) return { ch: String.fromCodePoint(cp), len: 2 + hex };
  }
  return null;
}

/**
 * Aligns a decoded string with the source text it was read from (quotes,
 * escapes, YAML folding and block indentation, HCL `$${`). Greedy and tolerant:
 * whitespace and syntax the value does not contain are skipped, and a character
 * that cannot be found maps to the position reached so far. Exact for the
 * non-space characters of every string form the formats use, which is what
 * findings point at.
 */
export function alignDecoded(value: string, src: string, base: number): Alignment {
  const starts: number[] = new Array(value.length);
  const ends: number[] = new Array(value.length);
  let j = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    let k = j;
    let budget = 12;
    let found = -1;
    let len = 1;
    while (k < src.length) {
      const s = src[k];
      if (s === c) { found = k; len = 1; break; }
      if (s === '\\') {
        const esc = escapeAt(src, k);
        if (esc && esc.ch === c) { found = k; len = esc.len; break; }
        k += esc ? esc.len : 1;
        if (--budget < 0) break;
        continue;
      }
      if (s === ' ' || s === '\t' || s === '\n' || s === '\r') { k++; continue; }
      k++;
      if (--budget < 0) break;
    }
    if (found < 0) {
      starts[i] = base + Math.min(j, src.length);
      ends[i] = starts[i];
      continue;
    }
    starts[i] = base + found;
    ends[i] = base + found + len;
    j = found + len;
  }
  return { starts, ends, base: { start: base, end: base + src.length } };
}

/** The file range of `value[s..e)`. */
export function spanOf(al: Alignment, s: number, e: number): OffsetRange {
  if (e <= s || s >= al.starts.length) return offsetRange(al.base.start, al.base.end);
  const start = al.starts[s];
  const end = Math.max(start, al.ends[Math.min(e, al.ends.length) - 1]);
  return offsetRange(start, end);
}

const alignments = new WeakMap<DBase, Alignment>();

/**
 * The file range of `node.value[s..e)` for a scalar or template. When the value
 * is not written at the node (a parameter default), the node's whole range.
 */
export function subRange(node: DScalar | DTemplate, s: number, e: number): OffsetRange {
  if (node.kind === 'scalar' && !node.literal) return node.range;
  return spanOf(alignmentOf(node), s, e);
}

function alignmentOf(node: DScalar | DTemplate): Alignment {
  let al = alignments.get(node);
  if (!al) {
    al = alignDecoded(node.value, node.text.slice(node.range.start, node.range.end), node.range.start);
    alignments.set(node, al);
  }
  return al;
}

// ---------------------------------------------------------------------------
// JSON text

/** Result of reading JSON text: the value, and whether the text had syntax errors. */
export interface JsonRead {
  node: DNode | null;
  errors: number;
}

/**
 * Reads JSON text whose characters sit in a file as `al` says. `syntax` names
 * the interpolation the text may hold: strings with `${...}` become templates.
 * JSON is read with the `yaml` parser (JSON is YAML flow syntax), which keeps
 * the source range of every node; text that is not JSON shows up as errors.
 */
export function readJson(json: string, al: Alignment, where: { path: string; text: string }, syntax: 'sub' | 'hcl' | null): JsonRead {
  const doc = parseDocument(json, { uniqueKeys: false, strict: false, prettyErrors: false });
  const span = (n: Node): OffsetRange => (n.range ? spanOf(al, n.range[0], n.range[1]) : al.base);
  const convert = (n: Node, depth: number): DNode => {
    const base = { range: span(n), path: where.path, text: where.text };
    if (depth > 64) return { kind: 'unknown', parts: [], ...base };
    if (isMap(n)) {
      const entries: DEntry[] = [];
      for (const p of (n as YAMLMap).items) {
        const k = p.key as Node | null;
        const v = p.value as Node | null;
        if (!k || !v || !isScalar(k)) continue;
        entries.push({ key: String(k.value), keyRange: span(k), value: convert(v, depth + 1) });
      }
      return { kind: 'map', entries, ...base };
    }
    if (isSeq(n)) return { kind: 'list', items: mapDense(((n as YAMLSeq).items as Node[]).filter((x) => x), (x) => convert(x, depth + 1)), ...base };
    if (isScalar(n)) {
      const v = (n as Scalar).value;
      if (typeof v === 'string') {
        const interpolated = syntax === 'hcl' ? /(^|[^$])\$\{|(^|[^%])%\{/.test(v) : syntax === 'sub' ? /\$\{(?!!)/.test(v) : false;
        if (interpolated) return { kind: 'template', value: v, syntax: syntax!, ...base };
        const plain = syntax === 'hcl' ? v.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{') : syntax === 'sub' ? v.replace(/\$\{!/g, '${') : v;
        return { kind: 'scalar', value: plain, type: 'string', literal: true, ...base };
      }
      if (typeof v === 'number') return { kind: 'scalar', value: String(v), type: 'number', literal: true, ...base };
      if (typeof v === 'boolean') return { kind: 'scalar', value: String(v), type: 'bool', literal: true, ...base };
      if (v === null) return { kind: 'scalar', value: '', type: 'null', literal: true, ...base };
    }
    return { kind: 'unknown', parts: [], ...base };
  };
  const root = doc.contents as Node | null;
  if (!root) return { node: null, errors: doc.errors.length || 1 };
  return { node: convert(root, 0), errors: doc.errors.length };
}

/** Looks like a JSON object or array (cheap test before parsing a string as JSON). */
export function looksLikeJson(s: string): boolean {
  return /^\s*[[{]/.test(s);
}

/** Reads the JSON held by a string scalar or template node, positions mapped into its file. */
export function jsonInside(node: DScalar | DTemplate): JsonRead | null {
  if (!looksLikeJson(node.value)) return null;
  if (node.kind === 'scalar' && !node.literal) return null;
  return readJson(node.value, alignmentOf(node), node, node.kind === 'template' ? node.syntax : null);
}

// ---------------------------------------------------------------------------
// CloudFormation

/** A CFN node as a DNode; `!Ref AWS::NoValue` gives null. */
export function fromCfn(tpl: CfnTemplate, node: Node | null | undefined, depth = 0): DNode | null {
  if (!node) return null;
  const n = deref(node, tpl);
  if (depth > 64) return unknownAt(tpl, n);
  const tag = (n as Scalar).tag;
  // Short form (`!Sub 'x'`): the tagged node holds the argument itself.
  if (tag && tag.startsWith('!') && tag !== '!!str') return fromIntrinsic(tpl, n, tag.slice(1), n, true, depth);
  return fromContent(tpl, n, depth);
}

function rangeOf(n: Node): OffsetRange {
  return n.range ? offsetRange(n.range[0], n.range[1]) : offsetRange(0, 0);
}

/** An unknown value written at `n`. */
function unknownAt(tpl: CfnTemplate, n: Node): DUnknown {
  return { kind: 'unknown', parts: [], range: rangeOf(n), path: tpl.path, text: tpl.text };
}

/**
 * An entry of a plain CFN map whose value is read when first asked (templates are
 * large, and most rules look at a few keys): one object per entry, its state in
 * fields rather than in a closure.
 */
class LazyCfnEntry implements DEntry {
  private made: DNode | undefined = undefined;
  constructor(
    readonly key: string | null,
    readonly keyRange: OffsetRange,
    private readonly tpl: CfnTemplate,
    private readonly node: Node,
    private readonly depth: number,
  ) {}

  get value(): DNode {
    return (this.made ??= fromCfn(this.tpl, this.node, this.depth + 1) ?? unknownAt(this.tpl, this.node));
  }

  /** From the key to the end of the value node as written (an alias: the alias itself); null when unplaced. */
  source(): string | null {
    const r = this.node.range;
    return r ? this.tpl.text.slice(Math.min(this.keyRange.start, r[0]), Math.max(r[1], r[2])) : null;
  }
}

/**
 * The text of a map entry read from a CloudFormation template (`fromCfn`) as
 * written: from its key to the end of its value node, the value not read (an
 * alias value is the alias, a `!Ref` the reference, not what they stand for).
 * Null for other entries (Terraform, JSON read from strings).
 */
export function cfnEntrySource(e: DEntry): string | null {
  return e instanceof LazyCfnEntry ? e.source() : null;
}

/** A node read without its tag: a long-form intrinsic (`{Fn::Sub: ...}`) or a plain value. */
function fromContent(tpl: CfnTemplate, n: Node, depth: number): DNode | null {
  if (isMap(n) && n.items.length === 1) {
    const k = n.items[0].key;
    if (isScalar(k) && typeof k.value === 'string' && (k.value === 'Ref' || k.value === 'Condition' || k.value.startsWith('Fn::'))) {
      const fn = k.value.startsWith('Fn::') ? k.value.slice(4) : k.value;
      const arg = n.items[0].value as Node | null;
      return fromIntrinsic(tpl, n, fn, arg ? deref(arg, tpl) : null, false, depth);
    }
  }
  const range = rangeOf(n);
  const path = tpl.path;
  const text = tpl.text;
  if (isScalar(n)) {
    const v = (n as Scalar).value;
    if (typeof v === 'string') return { kind: 'scalar', value: v, type: 'string', literal: true, range, path, text };
    if (typeof v === 'number' || typeof v === 'bigint') return { kind: 'scalar', value: String(v), type: 'number', literal: true, range, path, text };
    if (typeof v === 'boolean') return { kind: 'scalar', value: String(v), type: 'bool', literal: true, range, path, text };
    if (v === null || v === undefined) return { kind: 'scalar', value: '', type: 'null', literal: true, range, path, text };
    return { kind: 'unknown', parts: [], range, path, text };
  }
  if (isMap(n)) {
    // Entries are read when first looked at: templates are large, and most rules look at a few keys.
    const entries: DEntry[] = [];
    for (const p of (n as YAMLMap).items) {
      const v = p.value as Node | null;
      if (!v || isNoValue(tpl, v)) continue;
      const k = p.key as Node;
      const key = isScalar(k) && k.value !== null && typeof k.value !== 'object' ? String(k.value) : null;
      // The map's own range object stands for a key without one (never changed by readers).
      const keyRange = k?.range ? offsetRange(k.range[0], k.range[1]) : range;
      entries.push(new LazyCfnEntry(key, keyRange, tpl, v, depth));
    }
    return { kind: 'map', entries, range, path, text };
  }
  if (isSeq(n)) return { kind: 'list', items: seqItems(tpl, n, depth), range, path, text };
  return { kind: 'unknown', parts: [], range, path, text };
}

/**
 * The map `fromCfn(tpl, node, depth)` reads as a `map` DNode (a plain map, not an
 * intrinsic in short or long form), or null.
 */
export function cfnPlainMap(tpl: CfnTemplate, node: Node | null | undefined, depth: number): YAMLMap | null {
  if (!node) return null;
  const n = deref(node, tpl);
  if (depth > 64 || !isMap(n)) return null;
  const tag = (n as Node).tag;
  if (tag && tag.startsWith('!') && tag !== '!!str') return null;
  if (n.items.length === 1) {
    const k = n.items[0].key;
    if (isScalar(k) && typeof k.value === 'string' && (k.value === 'Ref' || k.value === 'Condition' || k.value.startsWith('Fn::'))) return null;
  }
  return n as YAMLMap;
}

/** An entry of a plain map as `fromCfn` reads it, with its pair; the value made when asked. */
export interface CfnEntry {
  pair: Pair;
  key: string | null;
  keyRange: OffsetRange;
  value(): DNode;
}

/** A `CfnEntry`: its state in fields rather than in a closure. */
class VisitedCfnEntry implements CfnEntry {
  private made: DNode | undefined = undefined;
  constructor(
    readonly pair: Pair,
    readonly key: string | null,
    readonly keyRange: OffsetRange,
    private readonly tpl: CfnTemplate,
    private readonly node: Node,
    private readonly depth: number,
  ) {}

  value(): DNode {
    return (this.made ??= fromCfn(this.tpl, this.node, this.depth + 1) ?? unknownAt(this.tpl, this.node));
  }
}

/**
 * The entries `fromCfn` gives a plain map `n` read at `depth` (see
 * `cfnPlainMap`), in order, one at a time and with their pairs, made only as far
 * as asked: for walks over a large map (a template's `Resources`) that look at
 * few of its values.
 */
export function forEachCfnEntry(tpl: CfnTemplate, n: YAMLMap, depth: number, visit: (e: CfnEntry) => void): void {
  let base: OffsetRange | null = null;
  for (const p of n.items) {
    const v = p.value as Node | null;
    if (!v || isNoValue(tpl, v)) continue;
    const k = p.key as Node;
    const key = isScalar(k) && k.value !== null && typeof k.value !== 'object' ? String(k.value) : null;
    const keyRange = k?.range ? offsetRange(k.range[0], k.range[1]) : (base ??= rangeOf(n));
    visit(new VisitedCfnEntry(p, key, keyRange, tpl, v, depth));
  }
}

/** `!Ref AWS::NoValue` (short or long form): the entry is absent. */
function isNoValue(tpl: CfnTemplate, node: Node): boolean {
  const n = deref(node, tpl);
  if (isScalar(n) && (n as Scalar).tag === '!Ref') return n.value === 'AWS::NoValue';
  if (isMap(n) && n.items.length === 1) {
    const p = n.items[0];
    return isScalar(p.key) && p.key.value === 'Ref' && isScalar(p.value) && p.value.value === 'AWS::NoValue';
  }
  return false;
}

function seqItems(tpl: CfnTemplate, n: Node, depth: number): DNode[] {
  const items: DNode[] = [];
  for (const it of (n as YAMLSeq).items as Node[]) {
    const d = fromCfn(tpl, it, depth + 1);
    if (d) items.push(d);
  }
  return items;
}

/**
 * An intrinsic function. `arg` is its argument node; for the short form it is
 * the tagged node itself (`short`), read through `fromContent`.
 */
function fromIntrinsic(tpl: CfnTemplate, n: Node, fn: string, arg: Node | null, short: boolean, depth: number): DNode | null {
  const range = rangeOf(n);
  const path = tpl.path;
  const text = tpl.text;
  const readArg = (): DNode | null => (arg === null ? null : short ? fromContent(tpl, arg, depth + 1) : fromCfn(tpl, arg, depth + 1));
  switch (fn) {
    case 'Ref': {
      const r = resolveValues(tpl, n);
      if (r.length === 1 && r[0].kind === 'absent') return null;
      if (r.length === 1 && r[0].kind === 'known') {
        return { kind: 'scalar', value: r[0].value === null ? '' : String(r[0].value), type: 'string', literal: false, range, path, text };
      }
      const target = arg && isScalar(arg) ? String(arg.value) : undefined;
      return { kind: 'unknown', parts: [], range, path, text, ref: target ? [target] : undefined };
    }
    case 'GetAtt': {
      let ref: string[] | undefined;
      if (arg && isScalar(arg) && typeof arg.value === 'string') ref = arg.value.split('.');
      else if (arg && isSeq(arg)) {
        const items = mapDense((arg as YAMLSeq).items as Node[], (x) => (isScalar(x) ? String(x.value) : ''));
        if (items.length === 2 && items.every((x) => x)) ref = items;
      }
      return { kind: 'unknown', parts: [], range, path, text, ref };
    }
    case 'If': {
      const items = arg && isSeq(arg) ? ((arg as YAMLSeq).items as Node[]) : [];
      if (items.length !== 3) return { kind: 'unknown', parts: [], range, path, text };
      const both = [fromCfn(tpl, items[1], depth + 1), fromCfn(tpl, items[2], depth + 1)];
      const options = both.filter((x): x is DNode => x !== null);
      return { kind: 'alt', options, absent: options.length < both.length, range, path, text };
    }
    case 'Sub': {
      let s: Node | null = arg;
      if (s && isSeq(s)) s = ((s as YAMLSeq).items[0] as Node) ?? null;
      if (s) s = deref(s, tpl);
      if (s && isScalar(s) && typeof s.value === 'string') {
        const sr = rangeOf(s);
        if (/\$\{(?!!)/.test(s.value)) return { kind: 'template', value: s.value, syntax: 'sub', range: sr, path, text };
        return { kind: 'scalar', value: s.value.replace(/\$\{!/g, '${'), type: 'string', literal: true, range: sr, path, text };
      }
      return { kind: 'unknown', parts: [], range, path, text };
    }
    case 'Base64':
      return readArg() ?? { kind: 'unknown', parts: [], range, path, text };
    default: {
      const parts: DNode[] = [];
      if (arg && isSeq(arg)) parts.push(...seqItems(tpl, arg, depth));
      else if (arg && isMap(arg)) {
        const d = readArg();
        if (d) parts.push(d);
      }
      return { kind: 'unknown', parts, range, path, text };
    }
  }
}

// ---------------------------------------------------------------------------
// Terraform

const variableIndex = new WeakMap<object, Map<string, TfExpr | undefined>>();

/** The `default` expression of `variable "name"` in the module (indexed once per module). */
export function variableDefault(module: TfModule, name: string): TfExpr | undefined {
  let index = variableIndex.get(moduleKey(module));
  if (!index) {
    index = new Map();
    for (const f of module.files) {
      for (const b of f.blocks) {
        const n = b.labels[0]?.value;
        if (b.type === 'variable' && n !== undefined && !index.has(n)) index.set(n, b.attr('default')?.expr);
      }
    }
    variableIndex.set(moduleKey(module), index);
  }
  return index.get(name);
}

/** A Terraform expression as a DNode. `var.x` takes the variable's default when it is a literal. */
export function fromTf(module: TfModule, path: string, text: string, expr: TfExpr, depth = 0): DNode {
  const base = { range: expr.range, path, text };
  if (depth > 64) return { kind: 'unknown', parts: [], ...base };
  switch (expr.kind) {
    case 'string':
      return { kind: 'scalar', value: String(expr.value ?? ''), type: 'string', literal: true, ...base };
    case 'number':
      return { kind: 'scalar', value: String(expr.value), type: 'number', literal: true, ...base };
    case 'bool':
      return { kind: 'scalar', value: String(expr.value), type: 'bool', literal: true, ...base };
    case 'null':
      return { kind: 'scalar', value: '', type: 'null', literal: true, ...base };
    case 'template': {
      const c = expr.contentRange ?? expr.range;
      return { kind: 'template', value: text.slice(c.start, c.end), syntax: 'hcl', range: c, path, text };
    }
    case 'heredoc': {
      const c = expr.contentRange ?? expr.range;
      const body = text.slice(c.start, c.end);
      const cb = { range: c, path, text };
      if (/(^|[^$])\$\{|(^|[^%])%\{/.test(body)) return { kind: 'template', value: body, syntax: 'hcl', ...cb };
      return { kind: 'scalar', value: body.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{'), type: 'string', literal: true, ...cb };
    }
    case 'reference': {
      const def = /^var\.([A-Za-z_][\w-]*)$/.exec(expr.text.trim());
      const d = def ? variableDefault(module, def[1]) : undefined;
      if (d && d.value !== undefined) {
        return { kind: 'scalar', value: d.value === null ? '' : String(d.value), type: 'string', literal: false, ...base };
      }
      const ref: string[] = [];
      for (const x of expr.text.replace(/\[[^\]]*\]/g, '').split('.')) {
        const t = x.trim();
        if (t && t !== '*') ref.push(t);
      }
      return { kind: 'unknown', parts: [], ...base, ref };
    }
    case 'object': {
      const entries: DEntry[] = mapDense(objectItems(expr) ?? [], (it) => ({
        key: it.key,
        keyRange: it.keyRange,
        value: fromTf(module, path, text, it.value, depth + 1),
      }));
      return { kind: 'map', entries, ...base };
    }
    case 'tuple':
      return { kind: 'list', items: mapDense(tupleItems(expr) ?? [], (it) => fromTf(module, path, text, it, depth + 1)), ...base };
    case 'call': {
      const call = callOf(expr);
      return { kind: 'unknown', parts: mapDense(call?.args ?? [], (a) => fromTf(module, path, text, a, depth + 1)), ...base };
    }
    default:
      return { kind: 'unknown', parts: [], ...base };
  }
}

/**
 * An attribute or nested block of a Terraform block as a map entry, its value
 * read when first asked (walks that skip entries by their text never read
 * them): one class for both, its state in fields.
 */
class LazyTfEntry implements DEntry {
  private made: DNode | undefined = undefined;
  constructor(
    readonly key: string,
    readonly keyRange: OffsetRange,
    private readonly module: TfModule,
    private readonly path: string,
    private readonly text: string,
    private readonly attr: TfAttribute | null,
    private readonly block: TfBlock | null,
  ) {}

  get value(): DNode {
    return (this.made ??= this.attr !== null ? fromTf(this.module, this.path, this.text, this.attr.expr) : blockToDNode(this.module, this.path, this.text, this.block!));
  }

  /** The entry as written: the attribute from its name to the end of its value, or the whole nested block. */
  source(): string {
    const r = this.attr !== null ? offsetRange(this.attr.nameRange.start, this.attr.expr.range.end) : this.block!.range;
    return this.text.slice(r.start, r.end);
  }
}

/** A Terraform block as a map: its attributes, and its nested blocks under their type (values read when first asked). */
export function blockToDNode(module: TfModule, path: string, text: string, block: TfBlock): DMap {
  const entries: DEntry[] = mapDense(block.attributes, (a): DEntry => new LazyTfEntry(a.name, a.nameRange, module, path, text, a, null));
  for (const b of block.blocks) entries.push(new LazyTfEntry(b.type, b.typeRange, module, path, text, null, b));
  entries.sort((x, y) => x.keyRange.start - y.keyRange.start);
  return { kind: 'map', entries, range: block.range, path, text };
}

/**
 * The text of a map entry as written, for entries read from a CloudFormation
 * template (`cfnEntrySource`) or a Terraform block (`blockToDNode`: the attribute
 * from its name to the end of its value, or the nested block); null for others
 * (JSON read from strings, Terraform object expressions).
 */
export function entrySource(e: DEntry): string | null {
  if (e instanceof LazyTfEntry) return e.source();
  return cfnEntrySource(e);
}

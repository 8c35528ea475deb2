/**
 * Cross-resource helpers for the EC2 / network rules: who refers to what in a
 * CloudFormation template or a Terraform module, canonical forms to compare
 * property values, and edits that remove a whole resource cleanly.
 */
import { isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { deref, getNode, intrinsic, nodeRange } from '../../server/engine/cloudformation/nodes';
import type { CfnResource, CfnTemplate } from '../../server/engine/cloudformation/model';
import type { TfBlock, TfFile, TfModule, TfReference } from '../../server/engine/terraform/model';
import type { OffsetRange, TextEdit } from '../../server/engine/types';
import { cfnFacts, cfnUnit } from './memo';
import { moduleKey } from '../../server/engine/terraform/moduleKey';
import { offsetRange, textEdit } from '../../server/engine/offsetRange';

// ---------------------------------------------------------------------------
// CloudFormation references

export interface CfnRef {
  /** Logical id (or parameter name) referred to. */
  target: string;
  /** `GetAtt X.PublicIp` / `${X.PublicIp}`: `PublicIp`; null for `Ref` and `DependsOn`. */
  attribute: string | null;
  kind: 'Ref' | 'GetAtt' | 'Sub' | 'DependsOn';
  range: OffsetRange;
  /** Where the reference sits: `Resources`, `Outputs`, `Conditions`, ... */
  section: string;
  /** The resource or output holding it (null elsewhere). */
  owner: string | null;
}

/** The targets of a `Ref` / `GetAtt` value (each branch of an `!If`). */
export function cfnRefTargets(tpl: CfnTemplate, node: Node | null | undefined, depth = 0): { target: string; attribute: string | null }[] {
  if (!node || depth > 8) return [];
  const n = deref(node, tpl);
  const fn = intrinsic(n);
  if (!fn) return [];
  if (fn.fn === 'If' && fn.arg && isSeq(fn.arg) && fn.arg.items.length === 3) {
    const items = (fn.arg as YAMLSeq).items as Node[];
    return [...cfnRefTargets(tpl, items[1], depth + 1), ...cfnRefTargets(tpl, items[2], depth + 1)];
  }
  const r = refOf(fn.fn, fn.arg);
  return r ? [r] : [];
}

function refOf(fn: string, arg: Node | null): { target: string; attribute: string | null } | null {
  if (!arg) return null;
  if (fn === 'Ref' && isScalar(arg) && typeof arg.value === 'string') return { target: arg.value, attribute: null };
  if (fn === 'GetAtt') {
    if (isScalar(arg) && typeof arg.value === 'string') {
      const dot = arg.value.indexOf('.');
      return dot > 0 ? { target: arg.value.slice(0, dot), attribute: arg.value.slice(dot + 1) } : { target: arg.value, attribute: null };
    }
    if (isSeq(arg)) {
      const [a, b] = (arg as YAMLSeq).items as Node[];
      if (isScalar(a) && typeof a.value === 'string') return { target: a.value, attribute: isScalar(b) && typeof b.value === 'string' ? b.value : null };
    }
  }
  return null;
}

const SUB_VAR = /\$\{([^}!][^}]*)\}/g;

const refCache = new WeakMap<CfnTemplate, CfnRef[]>();
const unplacedCache = new WeakMap<CfnTemplate, readonly CfnRefUse[]>();
/** A resource's cached references (relative) → the same placed at a unit start. */
const placedRefs = new WeakMap<CfnRef[], { base: number; refs: CfnRef[] }>();

/** Every reference in the template: `Ref`, `GetAtt`, `${...}` in `Sub`, `DependsOn`. */
export function cfnReferences(tpl: CfnTemplate): CfnRef[] {
  let refs = refCache.get(tpl);
  if (!refs) {
    refs = collectReferences(tpl, true);
    refCache.set(tpl, refs);
  }
  return refs;
}

/** A reference without where it is written: what refers to what, from where. */
export type CfnRefUse = Omit<CfnRef, 'range'>;

/**
 * The references `cfnReferences` finds, in the same order, for rules that read
 * what refers to what and not where: a resource's references are its cached
 * ones as they are (not copied to where the resource sits now, which an edit
 * before it changes on every keystroke).
 */
export function cfnReferenceUses(tpl: CfnTemplate): readonly CfnRefUse[] {
  let refs: readonly CfnRefUse[] | undefined = refCache.get(tpl) ?? unplacedCache.get(tpl);
  if (!refs) {
    refs = collectReferences(tpl, false);
    unplacedCache.set(tpl, refs);
  }
  return refs;
}

/** The references of the template; `place`: those of resources placed at the resource (else left relative to it). */
function collectReferences(tpl: CfnTemplate, place: boolean): CfnRef[] {
  const out: CfnRef[] = [];
  // `tpl.resources` are entries of one `Resources` map, in its order: met by a
  // pointer while walking a `Resources` map (no lookup per entry; the entries
  // of any other such map are other pair objects).
  const all = tpl.resources;
  for (const sectionPair of tpl.root.items) {
    const section = isScalar(sectionPair.key) ? String(sectionPair.key.value) : '';
    const value = sectionPair.value as Node | null;
    if (!value) continue;
    if ((section === 'Resources' || section === 'Outputs') && isMap(value)) {
      let k = section === 'Resources' ? 0 : all.length;
      for (const p of (value as YAMLMap).items) {
        const res = k < all.length && all[k].pair === p ? all[k++] : undefined;
        if (res) {
          // A resource's references depend on its text alone: cached, relative to it.
          const rel = cfnFacts(tpl, res, 'cfnReferences', (base) => {
            const own: CfnRef[] = [];
            resourceRefs(p, section, res.logicalId, own);
            for (const r of own) r.range = offsetRange(r.range.start - base, r.range.end - base);
            return own;
          });
          if (!place) {
            for (const r of rel) out.push(r);
            continue;
          }
          const base = cfnUnit(res).start;
          // Placed at `base`: kept while the resource neither changes nor moves.
          let at = placedRefs.get(rel);
          if (!at || at.base !== base) {
            at = { base, refs: rel.map((r) => ({ ...r, range: offsetRange(base + r.range.start, base + r.range.end) })) };
            placedRefs.set(rel, at);
          }
          for (const r of at.refs) out.push(r);
          continue;
        }
        const owner = isScalar(p.key) ? String(p.key.value) : null;
        if (section === 'Resources') resourceRefs(p, section, owner, out);
        else if (p.value) walkRefs(p.value as Node, section, owner, out, 0);
      }
    } else walkRefs(value, section, null, out, 0);
  }
  return out;
}

/** The references of one entry of `Resources`: in its body, and its `DependsOn`. */
function resourceRefs(p: Pair, section: string, owner: string | null, out: CfnRef[]): void {
  if (p.value) walkRefs(p.value as Node, section, owner, out, 0);
  if (isMap(p.value)) {
    const dep = getNode(p.value as YAMLMap, 'DependsOn');
    const deps = dep && isSeq(dep) ? ((dep as YAMLSeq).items as Node[]) : dep ? [dep] : [];
    for (const d of deps) {
      if (isScalar(d) && typeof d.value === 'string') out.push({ target: d.value, attribute: null, kind: 'DependsOn', range: nodeRange(d)!, section, owner });
    }
  }
}

function walkRefs(node: Node, section: string, owner: string | null, out: CfnRef[], depth: number): void {
  if (depth > 64) return;
  if (isScalar(node)) {
    // A scalar is a reference only as a short-form intrinsic (`!Ref X`), and has no children.
    const tag = node.tag;
    if (!tag || !tag.startsWith('!') || tag === '!!str') return;
  }
  const fn = intrinsic(node);
  const range = fn ? nodeRange(node) : null;
  if (fn && range) {
    const r = fn.fn === 'Ref' || fn.fn === 'GetAtt' ? refOf(fn.fn, fn.arg) : null;
    if (r) out.push({ target: r.target, attribute: r.attribute, kind: fn.fn as 'Ref' | 'GetAtt', range, section, owner });
    if (fn.fn === 'Sub' && fn.arg) {
      const tmpl = isSeq(fn.arg) ? ((fn.arg as YAMLSeq).items[0] as Node | undefined) : fn.arg;
      const vars = isSeq(fn.arg) ? ((fn.arg as YAMLSeq).items[1] as Node | undefined) : undefined;
      const local = new Set<string>();
      if (vars && isMap(vars)) for (const p of (vars as YAMLMap).items) if (isScalar(p.key)) local.add(String(p.key.value));
      if (tmpl && isScalar(tmpl) && typeof tmpl.value === 'string') {
        for (const m of tmpl.value.matchAll(SUB_VAR)) {
          const name = m[1].trim();
          const dot = name.indexOf('.');
          const target = dot > 0 ? name.slice(0, dot) : name;
          if (local.has(target)) continue;
          out.push({ target, attribute: dot > 0 ? name.slice(dot + 1) : null, kind: 'Sub', range: nodeRange(tmpl) ?? range, section, owner });
        }
      }
    }
  }
  if (isMap(node)) {
    for (const p of (node as YAMLMap).items) if (p.value) walkRefs(p.value as Node, section, owner, out, depth + 1);
  } else if (isSeq(node)) {
    for (const i of (node as YAMLSeq).items) if (i) walkRefs(i as Node, section, owner, out, depth + 1);
  }
}

/**
 * A canonical text of a node, intrinsic tags included (`!Ref A` and `{Ref: A}`
 * give the same text, `A` a different one), to compare values by what they say.
 */
export function canon(tpl: CfnTemplate, node: Node | null | undefined, depth = 0): string {
  if (!node || depth > 32) return '~';
  const n = deref(node, tpl);
  const fn = intrinsic(n);
  if (fn) {
    const arg = fn.arg && fn.arg !== n ? canon(tpl, fn.arg, depth + 1) : canonPlain(tpl, n, depth);
    return `!${fn.fn}(${arg})`;
  }
  return canonPlain(tpl, n, depth);
}

function canonPlain(tpl: CfnTemplate, n: Node, depth: number): string {
  if (isScalar(n)) return JSON.stringify((n as Scalar).value ?? null);
  if (isSeq(n)) {
    const items = (n as YAMLSeq).items as Node[];
    let out = '[';
    for (let i = 0; i < items.length; i++) out += (i > 0 ? ',' : '') + canon(tpl, items[i], depth + 1);
    return `${out}]`;
  }
  if (isMap(n)) {
    const items: string[] = [];
    for (const p of (n as YAMLMap).items as Pair[]) items.push(`${JSON.stringify(isScalar(p.key) ? p.key.value : '?')}:${canon(tpl, p.value as Node, depth + 1)}`);
    return `{${items.sort().join(',')}}`;
  }
  return '?';
}

/** Resources of the given types. */
export function cfnResourcesOfType(tpl: CfnTemplate, ...types: string[]): CfnResource[] {
  return tpl.resources.filter((r) => types.includes(r.type));
}

// ---------------------------------------------------------------------------
// Terraform references

export interface TfRefSite {
  file: TfFile;
  ref: TfReference;
  /** The top-level block holding it (null for none). */
  block: TfBlock | null;
  /** Types of the nested blocks around it, outermost first (`provisioner`, `connection`, ...). */
  nested: string[];
}

interface RefIndex {
  sites: TfRefSite[];
  byAddress: Map<string, TfRefSite[]>;
  byBlock: Map<TfBlock, TfRefSite[]>;
}

const tfRefCache = new WeakMap<object, RefIndex>();

/** The innermost block of `blocks` (sorted by position) that holds `r`. */
function holder(blocks: readonly TfBlock[], r: OffsetRange): TfBlock | null {
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = blocks[mid];
    if (b.range.end < r.end) lo = mid + 1;
    else if (b.range.start > r.start) hi = mid - 1;
    else return b;
  }
  return null;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function moduleReferences(module: TfModule): RefIndex {
  let cached = tfRefCache.get(moduleKey(module));
  if (cached) return cached;
  const sites: TfRefSite[] = [];
  const byAddress = new Map<string, TfRefSite[]>();
  const byBlock = new Map<TfBlock, TfRefSite[]>();
  for (const file of module.files) {
    for (const ref of file.references) {
      const block = holder(file.blocks, ref.range);
      const nested: string[] = [];
      for (let cur = block; cur; ) {
        const inner: TfBlock | null = cur.blocks.length ? holder(cur.blocks, ref.range) : null;
        if (!inner) break;
        nested.push(inner.type);
        cur = inner;
      }
      const site = { file, ref, block, nested };
      sites.push(site);
      const a = refAddress(ref);
      if (a) push(byAddress, a, site);
      if (block) push(byBlock, block, site);
    }
  }
  cached = { sites, byAddress, byBlock };
  tfRefCache.set(moduleKey(module), cached);
  return cached;
}

/** Every reference of every file of the module, with the blocks around it. */
export function tfReferences(module: TfModule): TfRefSite[] {
  return moduleReferences(module).sites;
}

/** The references to one resource address (`aws_instance.web`) anywhere in the module. */
export function tfReferencesTo(module: TfModule, address: string): TfRefSite[] {
  return moduleReferences(module).byAddress.get(address) ?? [];
}

const resourceCache = new WeakMap<object, Map<string, { file: TfFile; block: TfBlock }[]>>();

/** Top-level resource blocks of the given types across the module (cached per module). */
export function tfModuleResources(module: TfModule, ...types: string[]): { file: TfFile; block: TfBlock }[] {
  let byType = resourceCache.get(moduleKey(module));
  if (!byType) {
    byType = new Map();
    for (const file of module.files) {
      for (const block of file.blocks) {
        if (block.type === 'resource') push(byType, block.labels[0]?.value ?? '', { file, block });
      }
    }
    resourceCache.set(moduleKey(module), byType);
  }
  if (types.length === 1) return byType.get(types[0]) ?? [];
  return types.flatMap((t) => byType!.get(t) ?? []);
}

/** Every reference inside a top-level `block` of `file` (at any depth). */
export function tfRefsInBlock(module: TfModule, file: TfFile, block: TfBlock): TfReference[] {
  return (moduleReferences(module).byBlock.get(block) ?? []).filter((s) => s.file === file).map((s) => s.ref);
}

/** `aws_instance.web` from a reference `aws_instance.web[0].public_ip`. */
export function refAddress(ref: TfReference): string | null {
  if (ref.parts.length < 2) return null;
  if (['var', 'local', 'each', 'count', 'self', 'path', 'terraform', 'module', 'data'].includes(ref.parts[0])) return null;
  return `${ref.parts[0]}.${ref.parts[1]}`;
}

// ---------------------------------------------------------------------------
// Removing a whole resource

function lineStartOf(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

/** Offset just after the line break ending the line that holds `end - 1` (a range's last character). */
function afterLine(text: string, end: number): number {
  if (end > 0 && text[end - 1] === '\n') return end;
  return nextLineStart(text, end);
}

/** Offset of the start of the line after the one holding `offset`; the text length on the last line. */
function nextLineStart(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  if (text[i] === '\r' && text[i + 1] === '\n') return i + 2;
  return i < text.length ? i + 1 : i;
}

function lineAt(text: string, start: number): string {
  let e = start;
  while (e < text.length && text[e] !== '\n' && text[e] !== '\r') e++;
  return text.slice(start, e);
}

function previousLineStart(text: string, lineStart: number): number {
  if (lineStart === 0) return -1;
  let i = lineStart - 1;
  if (text[i] === '\n' && text[i - 1] === '\r') i--;
  return lineStartOf(text, i);
}

const isBlank = (l: string) => l.trim() === '';
const indentOf = (l: string) => /^[ \t]*/.exec(l)![0].length;

/**
 * Whole lines from the line of `start` to the line of `end`, with comment lines
 * directly above at the same indentation and comment lines below that are
 * indented deeper (they belong to the removed entry), and no blank line left
 * dangling: when the removal leaves two blank lines, or a blank line after the
 * parent's opening line or at the end of the file, the extra one goes too.
 */
export function removeLinesEdit(text: string, start: number, end: number, commentPrefixes: string[]): TextEdit {
  let a = lineStartOf(text, start);
  let b = afterLine(text, end);
  const keyIndent = indentOf(lineAt(text, a));
  const isComment = (l: string) => commentPrefixes.some((p) => l.trimStart().startsWith(p));
  for (let p = previousLineStart(text, a); p >= 0; p = previousLineStart(text, a)) {
    const l = lineAt(text, p);
    if (!isComment(l) || indentOf(l) !== keyIndent) break;
    a = p;
  }
  while (b < text.length) {
    const l = lineAt(text, b);
    if (!isComment(l) || indentOf(l) <= keyIndent) break;
    b = nextLineStart(text, b);
  }
  const prev = previousLineStart(text, a);
  const prevLine = prev >= 0 ? lineAt(text, prev) : null;
  const prevOpen = prevLine === null || isBlank(prevLine) || (indentOf(prevLine) < keyIndent && !isComment(prevLine)) || /[{[]\s*$/.test(prevLine);
  if (prevOpen) {
    while (b < text.length && isBlank(lineAt(text, b))) b = nextLineStart(text, b);
  }
  if (b >= text.length && prevLine !== null && isBlank(prevLine)) {
    let p = prev;
    while (p >= 0 && isBlank(lineAt(text, p))) {
      a = p;
      p = previousLineStart(text, p);
    }
  }
  return textEdit(a, b, '');
}

/**
 * Removes a CloudFormation resource entry. YAML block style: its lines (see
 * `removeLinesEdit`); flow style / JSON: the member with the comma that
 * separates it. Null when it is the only resource (a template needs one).
 */
export function removeCfnResourceEdit(tpl: CfnTemplate, res: CfnResource): TextEdit | null {
  const resources = getNode(tpl.root, 'Resources', tpl);
  if (!resources || !isMap(resources)) return null;
  const map = resources as YAMLMap;
  const items = map.items;
  const i = items.indexOf(res.pair);
  if (i < 0 || items.length < 2) return null;
  const keyStart = nodeRange(res.pair.key as Node)?.start;
  const valueEnd = nodeRange(res.pair.value as Node)?.end;
  if (keyStart === undefined || valueEnd === undefined) return null;
  const text = tpl.text;
  if (!map.flow) return removeLinesEdit(text, keyStart, valueEnd, ['#']);
  // JSON / flow map: a member on lines of its own goes with its line breaks.
  const keyOf = (p: Pair) => nodeRange(p.key as Node)!.start;
  const ownLine = (o: number) => /^[ \t]*$/.test(text.slice(lineStartOf(text, o), o));
  if (i < items.length - 1) {
    const next = keyOf(items[i + 1]);
    const start = ownLine(keyStart) && ownLine(next) ? lineStartOf(text, keyStart) : keyStart;
    const end = ownLine(keyStart) && ownLine(next) ? lineStartOf(text, next) : next;
    return textEdit(start, end, '');
  }
  const prevEnd = nodeRange(items[i - 1].value as Node)?.end;
  if (prevEnd === undefined) return null;
  return textEdit(prevEnd, valueEnd, '');
}

/** Removes a Terraform block with its own comment lines and no dangling blank line. */
export function removeTfBlockEdit(file: TfFile, block: TfBlock): TextEdit {
  return removeLinesEdit(file.text, block.range.start, block.range.end, ['#', '//']);
}

export function rangeKeyOf(r: OffsetRange): string {
  return `${r.start}:${r.end}`;
}

/** `aws_key_pair.deploy` when the expression at `range` is a reference to a key pair resource. */
export function tfKeyPairReference(file: TfFile, range: OffsetRange): string | null {
  const ref = file.references.find((r) => r.range.start >= range.start && r.range.end <= range.end && r.parts[0] === 'aws_key_pair' && r.parts.length >= 2);
  return ref ? `key pair aws_key_pair.${ref.parts[1]}` : null;
}

/**
 * The range to underline for a CloudFormation value: from a short-form tag
 * written before it (`!Ref X`, not just `X`) to its last character (block
 * collections end after their line break; that is not part of the value).
 */
export function cfnRange(tpl: CfnTemplate, node: Node | null | undefined): OffsetRange | null {
  const r = nodeRange(node);
  if (!r || !node) return r;
  let start = r.start;
  const tag = (node as Scalar).tag;
  if (tag && tag.startsWith('!')) {
    const idx = tpl.text.lastIndexOf(tag, start);
    if (idx >= 0 && /^\s*$/.test(tpl.text.slice(idx + tag.length, start))) start = idx;
  }
  let end = r.end;
  while (end > start && /\s/.test(tpl.text[end - 1])) end--;
  return offsetRange(start, end);
}

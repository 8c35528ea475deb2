/**
 * Tags in CloudFormation and Terraform: which keys a resource carries (and
 * whether unknown values may carry more), launch template tag specifications,
 * Terraform provider `default_tags`, and the `Name` a resource should get under
 * the naming convention of seed 000 (prefix table, lower case, separator).
 */
import { isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { CfnResource, CfnTemplate } from '../../server/engine/cloudformation/model';
import { getNode, getPair, intrinsic, resolveValues } from '../../server/engine/cloudformation/nodes';
import type { RuleOptions } from '../../server/engine/config';
import type { TfBlock, TfExpr, TfFile, TfModule } from '../../server/engine/terraform/model';
import { callOf, objectItems, referenceOf } from '../../server/engine/terraform/parser';
import { findVariable, resolveExpr } from '../../server/engine/terraform/values';
import { knownStrings } from './ec2';
import { cachedByText } from './textFacts';

// ---------------------------------------------------------------------------
// CloudFormation

export interface CfnTags {
  /** Tags whose key is known: key → value node. */
  entries: Map<string, Node | undefined>;
  /** Some of the tags (or the whole list) are functions: any key may be among them. */
  open: boolean;
  /** The `Tags` pair, when present. */
  pair: Pair<Scalar, Node> | undefined;
  /** The list itself when it is a plain sequence (a tag can be appended to it). */
  seq: YAMLSeq | null;
}

/** Reads a `[{Key, Value}]` tag list (resources' `Tags`, tag specifications' `Tags`). */
export function cfnTagList(tpl: CfnTemplate, map: YAMLMap | null | undefined, key = 'Tags'): CfnTags {
  const pair = getPair(map, key);
  const node = getNode(map, key, tpl);
  const out: CfnTags = { entries: new Map(), open: false, pair, seq: null };
  if (node === undefined || (isScalar(node) && node.value === null && !intrinsic(node))) return out;
  if (!isSeq(node) || intrinsic(node)) {
    out.open = true;
    return out;
  }
  out.seq = node as YAMLSeq;
  for (const raw of (node as YAMLSeq).items) {
    const item = raw as Node;
    if (!isMap(item) || intrinsic(item)) {
      out.open = true;
      continue;
    }
    const keyValues = resolveValues(tpl, getNode(item as YAMLMap, 'Key', tpl));
    const known = knownStrings(keyValues);
    if (keyValues.some((v) => v.kind === 'unknown')) out.open = true;
    for (const k of known) out.entries.set(k, getNode(item as YAMLMap, 'Value', tpl));
  }
  return out;
}

/**
 * The tags a launch template gives to the instances it launches:
 * `TagSpecifications` entries whose `ResourceType` is `instance`.
 */
export function cfnTemplateInstanceTags(tpl: CfnTemplate, lt: CfnResource): CfnTags {
  const data = getNode(lt.properties, 'LaunchTemplateData', tpl);
  const out: CfnTags = { entries: new Map(), open: false, pair: undefined, seq: null };
  if (data === undefined) return out;
  if (!isMap(data) || intrinsic(data)) return { ...out, open: true };
  const specs = getNode(data as YAMLMap, 'TagSpecifications', tpl);
  if (specs === undefined) return out;
  if (!isSeq(specs) || intrinsic(specs)) return { ...out, open: true };
  for (const raw of (specs as YAMLSeq).items) {
    const spec = raw as Node;
    if (!isMap(spec) || intrinsic(spec)) {
      out.open = true;
      continue;
    }
    const types = resolveValues(tpl, getNode(spec as YAMLMap, 'ResourceType', tpl));
    if (types.some((t) => t.kind === 'unknown')) out.open = true;
    if (!knownStrings(types).includes('instance')) continue;
    const tags = cfnTagList(tpl, spec as YAMLMap);
    if (tags.open) out.open = true;
    for (const [k, v] of tags.entries) out.entries.set(k, v);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Terraform

export interface TfTags {
  /** Keys known to be present → their value expression (null when not a plain expression). */
  entries: Map<string, TfExpr | null>;
  /** Part of the value cannot be read: any key may be there. */
  open: boolean;
}

function merge(into: TfTags, from: TfTags): void {
  for (const [k, v] of from.entries) into.entries.set(k, v);
  if (from.open) into.open = true;
}

/**
 * The keys of a tag map expression: an object literal, `merge(...)` of readable
 * parts, a variable's `default` or a local value, each followed to its source.
 * Anything else (a module output, a function, a conditional) is open.
 */
export function tfTagMap(module: TfModule, file: TfFile, expr: TfExpr | undefined, depth = 0): TfTags {
  const out: TfTags = { entries: new Map(), open: false };
  if (!expr) return out;
  if (depth > 6) return { ...out, open: true };
  const items = objectItems(expr);
  if (items) {
    for (const it of items) {
      if (it.key === null) out.open = true;
      else out.entries.set(it.key, it.value);
    }
    return out;
  }
  const call = callOf(expr);
  if (call?.name === 'merge' && !call.expandFinal) {
    for (const arg of call.args) merge(out, tfTagMap(module, file, arg, depth + 1));
    return out;
  }
  if (expr.kind === 'null') return out;
  const ref = expr.kind === 'reference' ? referenceOf(file, expr) : undefined;
  if (ref && !ref.indexed && ref.parts.length === 2) {
    if (ref.parts[0] === 'var') {
      const def = findVariable(module, ref.parts[1])?.attr('default');
      if (def) {
        const owner = module.files.find((f) => f.blocks.some((b) => b.range.start <= def.range.start && def.range.end <= b.range.end && b.attributes.includes(def))) ?? file;
        return tfTagMap(module, owner, def.expr, depth + 1);
      }
    } else if (ref.parts[0] === 'local') {
      for (const f of module.files) {
        const local = f.locals.find((l) => l.name === ref.parts[1]);
        if (local) return tfTagMap(module, f, local.expr, depth + 1);
      }
    }
  }
  return { ...out, open: true };
}

/** `default_tags` of the AWS provider configuration a resource uses, when declared in the module. */
export function tfDefaultTags(module: TfModule, block: TfBlock): TfTags {
  let alias: string | null = null;
  const provider = block.attr('provider');
  if (provider) {
    const m = /^aws\.([\w-]+)$/.exec(provider.expr.text.trim());
    if (!m) return { entries: new Map(), open: /^aws\b/.test(provider.expr.text.trim()) };
    alias = m[1];
  }
  for (const file of module.files) {
    for (const p of file.blocks) {
      if (p.type !== 'provider' || p.labels[0]?.value !== 'aws') continue;
      const a = resolveExpr(module, p.attr('alias')?.expr);
      const pAlias = a?.kind === 'known' ? String(a.value) : null;
      if (pAlias !== alias) continue;
      if (p.blocksOfType('dynamic').some((d) => d.labels[0]?.value === 'default_tags')) return { entries: new Map(), open: true };
      const dt = p.blocksOfType('default_tags')[0];
      if (!dt) return { entries: new Map(), open: false };
      return tfTagMap(module, file, dt.attr('tags')?.expr);
    }
  }
  return { entries: new Map(), open: false };
}

/** The tags a launch template gives to instances (`tag_specifications` with `resource_type = "instance"`). */
export function tfTemplateInstanceTags(module: TfModule, file: TfFile, lt: TfBlock): TfTags {
  const out: TfTags = { entries: new Map(), open: false };
  if (lt.blocksOfType('dynamic').some((d) => d.labels[0]?.value === 'tag_specifications')) out.open = true;
  for (const spec of lt.blocksOfType('tag_specifications')) {
    const type = resolveExpr(module, spec.attr('resource_type')?.expr);
    if (!type || type.kind === 'unknown') {
      out.open = true;
      continue;
    }
    if (type.value !== 'instance') continue;
    merge(out, tfTagMap(module, file, spec.attr('tags')?.expr));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Names

/** Entities of the naming convention's prefix table (keys of `namingPrefixes`). */
export type NamingEntity = 'ec2_instance' | 'security_group' | 'ebs_volume';

/** Words that only restate the entity (`WebServerSecurityGroup` is a `web-server` security group). */
const ENTITY_WORDS: Record<NamingEntity, string[]> = {
  ec2_instance: ['ec2', 'instance', 'ec2instance'],
  security_group: ['security', 'group', 'sg', 'securitygroup'],
  ebs_volume: ['ebs', 'volume', 'vol'],
};

/** What the entity is called, for names without a prefix. */
const ENTITY_NOUN: Record<NamingEntity, string[]> = {
  ec2_instance: ['instance'],
  security_group: ['security', 'group'],
  ebs_volume: ['volume'],
};

/**
 * The lower-case words of an identifier: `WebServer01` → web, server, 01;
 * `HTTPProxy` → http, proxy; `web_server-a` → web, server, a. A number sticks to a
 * short word before it (`Ec2` → ec2, `S3` → s3).
 */
export function nameWords(id: string): string[] {
  const out: string[] = [];
  for (const chunk of id.split(/[^A-Za-z0-9]+/)) {
    const words: string[] = [];
    for (const tok of chunk.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) ?? []) {
      const prev = words[words.length - 1];
      if (/^[0-9]+$/.test(tok) && prev !== undefined && /^[a-z]{1,2}$/.test(prev)) words[words.length - 1] = prev + tok;
      else words.push(tok.toLowerCase());
    }
    out.push(...words);
  }
  return out;
}

export interface SuggestedName {
  /** The prefix from the table, with `[region]` still in it ('' when the entity has none). */
  prefix: string;
  /** The descriptive part, words joined by the separator ('' when nothing is left). */
  rest: string;
  /** The prefix contains `[region]`. */
  regional: boolean;
}

/**
 * The name a resource called `id` should carry: the entity's prefix from
 * `namingPrefixes`, then the words of `id` (lower case, joined by
 * `namingSeparator`) without those that only restate the entity.
 */
export function suggestName(options: RuleOptions, entity: NamingEntity, id: string): SuggestedName {
  const prefix = options.namingPrefixes[entity] ?? '';
  const sep = options.namingSeparator;
  // Words the prefix already says are dropped (`WebServerSecurityGroup` → `security-group-...-web-server`).
  const drop = new Set(prefix ? [...ENTITY_WORDS[entity], ...nameWords(prefix.replace('[region]', ''))] : []);
  const words = nameWords(id).filter((w) => !drop.has(w));
  // Without a prefix, the name itself says what the resource is (`data` → `data-volume`).
  const noun = ENTITY_NOUN[entity];
  if (!prefix && !noun.every((w) => words.includes(w))) words.push(...noun);
  return { prefix, rest: words.join(sep), regional: prefix.includes('[region]') };
}

/** The name with `[region]` replaced by `region` (text inserted as is). */
export function renderName(name: SuggestedName, region: string, separator: string): string {
  const prefix = name.prefix.replace('[region]', region);
  if (!prefix) return name.rest;
  if (!name.rest) return prefix;
  return prefix.endsWith(separator) ? prefix + name.rest : prefix + separator + name.rest;
}

/**
 * Terraform source for the region a resource is created in, to use inside a
 * string: the literal `region` of its AWS provider configuration, the expression
 * given there (`var.region`), or a `data "aws_region"` of the module. Null when
 * the module shows none of these.
 */
export function tfRegion(module: TfModule, block: TfBlock): { literal: string } | { expr: string } | null {
  let alias: string | null = null;
  const provider = block.attr('provider');
  if (provider) {
    const m = /^aws\.([\w-]+)$/.exec(provider.expr.text.trim());
    if (!m) return null;
    alias = m[1];
  }
  for (const file of module.files) {
    for (const p of file.blocks) {
      if (p.type !== 'provider' || p.labels[0]?.value !== 'aws') continue;
      const a = resolveExpr(module, p.attr('alias')?.expr);
      if ((a?.kind === 'known' ? String(a.value) : null) !== alias) continue;
      const region = p.attr('region');
      if (!region) continue;
      if (region.expr.kind === 'string' && typeof region.expr.value === 'string') return { literal: region.expr.value };
      if (region.expr.kind === 'reference') return { expr: region.expr.text.trim() };
    }
  }
  if (alias) return null;
  for (const file of module.files) {
    for (const d of file.blocks) {
      if (d.type !== 'data' || d.labels[0]?.value !== 'aws_region' || d.attr('name') || d.attr('region') || d.attr('count') || d.attr('for_each')) continue;
      return { expr: `data.aws_region.${d.labels[1]?.value}.${regionAttribute(module, d.labels[1]?.value ?? '')}` };
    }
  }
  return null;
}

/**
 * The attribute of `data "aws_region"` that holds the region's name: the one the
 * module already reads, else `region` when the module requires AWS provider 6 or
 * later (where `name` is deprecated), else `name`.
 */
export function regionAttribute(module: TfModule, label: string): string {
  for (const file of module.files) {
    for (const r of file.references) {
      if (r.parts[0] === 'data' && r.parts[1] === 'aws_region' && r.parts[2] === label && ['name', 'region', 'id'].includes(r.parts[3] ?? '')) return r.parts[3];
    }
  }
  for (const file of module.files) {
    for (const t of file.blocks) {
      if (t.type !== 'terraform') continue;
      for (const rp of t.blocksOfType('required_providers')) {
        const aws = rp.attr('aws');
        const version = aws ? objectItems(aws.expr)?.find((i) => i.key === 'version')?.value : undefined;
        const text = version?.kind === 'string' ? String(version.value) : '';
        const major = /(>=|~>|=|^)\s*(\d+)/.exec(text.trim());
        if (major && Number(major[2]) >= 6) return 'region';
      }
    }
  }
  return 'name';
}

/** `nameWords` of configured patterns (a few strings, read for every name checked), by their text. */
const patternWords: (pattern: string) => readonly string[] = cachedByText(512, nameWords);

/** The non-critical pattern words found in `text` (a pattern may span words: `pull-request`). */
export function nonCriticalWords(text: string, patterns: readonly string[]): string[] {
  return nonCriticalWordsOf(nameWords(text), patterns);
}

/** `nonCriticalWords` of a text whose `nameWords` are `words` (read once by callers that look at them too). */
export function nonCriticalWordsOf(words: readonly string[], patterns: readonly string[]): string[] {
  const found: string[] = [];
  for (const p of patterns) {
    const pw = patternWords(p);
    if (pw.length === 0) continue;
    for (let i = 0; i + pw.length <= words.length; i++) {
      if (matchesAt(words, pw, i)) {
        found.push(p);
        break;
      }
    }
  }
  return found;
}

/** The pattern words `pw` at `words[i...]`, the last one also with a plural `s`. */
function matchesAt(words: readonly string[], pw: readonly string[], i: number): boolean {
  const last = pw.length - 1;
  for (let j = 0; j <= last; j++) {
    const word = words[i + j];
    const w = pw[j];
    // `word === w + 's'`, without making that string.
    if (word !== w && !(j === last && word.length === w.length + 1 && word.charCodeAt(w.length) === 115 && word.startsWith(w))) return false;
  }
  return true;
}

import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { defineRule } from '../server/engine/rule';
import { getNode, intrinsic, resolveValues } from '../server/engine/cloudformation/nodes';
import type { CfnResource, CfnTemplate } from '../server/engine/cloudformation/model';
import type { TfAttribute, TfBlock, TfFile, TfModule } from '../server/engine/terraform/model';
import type { OffsetRange } from '../server/engine/types';
import { tfResourceBlocks } from './lib/tfBlocks';
import { mapDense } from '../server/engine/arrays';
import { moduleKey } from '../server/engine/terraform/moduleKey';
import { canon, cfnRefTargets, tfModuleResources, cfnRange } from './lib/network';
import { alternatives, TfEvaluator, type TfValue } from './lib/networkValues';
import { CFN_LAUNCH, TF_LAUNCH } from './lib/reads';
import { anyIn, cfnHasSpellingEscape, cfnSemicolons } from './lib/textFacts';
import { cfnOfType } from './lib/byType';

const ADVICE_ASG = 'If that Availability Zone fails, the group has nowhere to launch instances. Use subnets in at least two Availability Zones.';
const ADVICE_COPIES = 'One Availability Zone outage takes all of them down. Spread them over subnets in different Availability Zones, or run them in an Auto Scaling group across zones.';

// ---------------------------------------------------------------------------
// CloudFormation

interface CfnList {
  node: Node;
  /** Canonical text of each element. */
  items: { key: string; node: Node | null }[];
}

/** The lists a list-valued property can be (each `!If` branch); null entries when unknown. */
function cfnLists(tpl: CfnTemplate, node: Node, depth = 0): (CfnList | null)[] {
  const fn = intrinsic(node);
  if (depth > 8) return [null];
  if (fn?.fn === 'If' && fn.arg && isSeq(fn.arg) && fn.arg.items.length === 3) {
    const items = (fn.arg as YAMLSeq).items as Node[];
    return [...cfnLists(tpl, items[1], depth + 1), ...cfnLists(tpl, items[2], depth + 1)];
  }
  if (isSeq(node) && !fn) {
    return [{ node, items: ((node as YAMLSeq).items as Node[]).map((i) => ({ key: canon(tpl, i), node: i })) }];
  }
  // A `List<...>` / `CommaDelimitedList` parameter with a default, or `!Split` of a known string.
  let strings: Node | null = null;
  if (fn?.fn === 'Ref') strings = node;
  else if (fn?.fn === 'Split' && fn.arg && isSeq(fn.arg)) {
    const [sep, src] = (fn.arg as YAMLSeq).items as Node[];
    if (isScalar(sep) && sep.value === ',' && src) strings = src;
  }
  if (!strings) return [null];
  return resolveValues(tpl, strings).map((r) => {
    if (r.kind !== 'known' || typeof r.value !== 'string') return null;
    const parts = r.value.split(',').map((s) => s.trim()).filter((s) => s);
    return { node, items: parts.map((p) => ({ key: JSON.stringify(p), node: null })) };
  });
}

/** The Availability Zone a subnet element is in, when it refers to a subnet of the template with one set: its canonical form. */
function cfnSubnetZone(tpl: CfnTemplate, item: Node | null): string | null {
  const az = cfnSubnetZoneNode(tpl, item);
  return az ? canon(tpl, az) : null;
}

function cfnSubnetZoneNode(tpl: CfnTemplate, item: Node | null): Node | undefined {
  if (!item) return undefined;
  let target: CfnResource | undefined;
  for (const t of cfnRefTargets(tpl, item)) {
    const r = tpl.resourceById.get(t.target);
    if (r?.type === 'AWS::EC2::Subnet') {
      target = r;
      break;
    }
  }
  return target ? getNode(target.properties, 'AvailabilityZone', tpl) : undefined;
}

/** A Terraform zone key (`v:eu-west-1a`, `t:expression`) for a message. */
function zoneText(key: string): string {
  return key.slice(2);
}

function joinNames(names: string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0];
}

function shown(tpl: CfnTemplate, node: Node | null, key: string): string {
  const r = node ? cfnRange(tpl, node) : null;
  return r ? tpl.text.slice(r.start, r.end).replace(/\s+/g, ' ') : JSON.parse(key);
}

function checkCfnGroup(tpl: CfnTemplate, res: CfnResource, report: (range: OffsetRange, message: string) => void): void {
  const props = res.properties;
  const subnets = getNode(props, 'VPCZoneIdentifier', tpl);
  const zones = getNode(props, 'AvailabilityZones', tpl);
  const node = subnets ?? zones;
  if (!node) return;
  for (const list of cfnLists(tpl, node)) {
    if (!list || list.items.length === 0) continue;
    const distinct = [...new Map(list.items.map((i) => [i.key, i])).values()];
    const range = cfnRange(tpl, list.node)!;
    if (distinct.length === 1) {
      const what = subnets ? `one subnet (${shown(tpl, distinct[0].node, distinct[0].key)})` : `one Availability Zone (${shown(tpl, distinct[0].node, distinct[0].key)})`;
      report(range, `${res.logicalId} spans ${what}. ${ADVICE_ASG}`);
      continue;
    }
    if (subnets) {
      const azs = distinct.map((i) => cfnSubnetZone(tpl, i.node));
      if (azs.every((z) => z !== null && z === azs[0])) {
        const az = cfnSubnetZoneNode(tpl, distinct[0].node)!;
        report(range, `${res.logicalId}'s subnets are all in the same Availability Zone (${shown(tpl, az, '""')}). ${ADVICE_ASG}`);
      }
    }
  }
}

/**
 * Copies are named as copies: `Web1`/`Web2`, `web_1`/`web_2`, `NodeA`/`NodeB`,
 * `node-a`/`node-b`. Two instances that merely share an image and a subnet but
 * are called `jenkins` and `nexus` are different servers, not scaled copies.
 */
function siblingName(name: string): string {
  return name.replace(/\d+/g, '#').replace(/(?<=[a-z])[A-Z]$/, '#').replace(/[-_][a-zA-Z]$/, '#').toLowerCase();
}

const PLACEMENT_KEYS = new Set(['Tags', 'SubnetId', 'AvailabilityZone', 'PrivateIpAddress', 'PrivateIpAddresses', 'Ipv6Addresses', 'Ipv6AddressCount', 'SecondaryPrivateIpAddressCount', 'NetworkInterfaces', 'PrivateDnsNameOptions']);

type CfnCopy = { res: CfnResource; node: Node; place: string };
type Candidate = { res: CfnResource; props: YAMLMap; subnet: Node | undefined; placement: Node; zone: string | null; near: string };

/** The text a property key stands for in a copy's key (`?` for a key that is not a scalar). */
function keyText(p: Pair): string {
  return isScalar(p.key) ? `${p.key.value}` : '?';
}

function copyOf(tpl: CfnTemplate, c: Candidate): CfnCopy {
  const text = shown(tpl, c.placement, '""');
  const zoneNode = c.zone ? cfnSubnetZoneNode(tpl, c.placement) : undefined;
  return { res: c.res, node: c.placement, place: zoneNode ? `Availability Zone (${shown(tpl, zoneNode, '""')})` : c.subnet ? `subnet (${text})` : `Availability Zone (${text})` };
}

/**
 * Instances that differ only in tags and addresses, keyed by what they run and
 * where. Instances that cannot share a group are left out (a group of one
 * reports nothing): what an instance runs (its canonical properties) is read
 * only when another instance has its place and name. Exact: a key ends in `|place|name`, and when
 * neither holds a `|` those two fields are the key's last two, so instances
 * alone with theirs are alone with their key; otherwise every key is made.
 * Groups of two or more, in the order of their first instance (the order of
 * the keys' first use); `general`: always compare whole keys (for tests).
 */
export function cfnCopies(tpl: CfnTemplate, general = false): CfnCopy[][] {
  const candidates: Candidate[] = [];
  const near = new Map<string, number>();
  for (const res of cfnOfType(tpl, 'AWS::EC2::Instance')) {
    if (!res.properties || intrinsic(res.properties)) continue;
    const props = res.properties as YAMLMap;
    const subnet = getNode(props, 'SubnetId', tpl);
    const placement = subnet ?? getNode(props, 'AvailabilityZone', tpl);
    if (!placement) continue;
    const zone = subnet ? cfnSubnetZone(tpl, placement) : null;
    const where = zone ? `az:${zone}` : `${subnet ? 'subnet' : 'az'}:${canon(tpl, placement)}`;
    const sibling = siblingName(res.logicalId);
    if (where.includes('|') || sibling.includes('|')) general = true;
    const tail = `${where}|${sibling}`;
    near.set(tail, (near.get(tail) ?? 0) + 1);
    candidates.push({ res, props, subnet, placement, zone, near: tail });
  }
  const shared = general ? candidates : candidates.filter((c) => near.get(c.near)! >= 2);
  if (shared.length === 0) return [];
  return (!general && byProperty(tpl, shared)) || byWholeKey(tpl, shared);
}

/** Groups by the whole key: `what|place|name`, `what` the sorted `key=canon` of the non-placement properties. */
function byWholeKey(tpl: CfnTemplate, candidates: Candidate[]): CfnCopy[][] {
  const groups = new Map<string, CfnCopy[]>();
  for (const c of candidates) {
    const texts: string[] = [];
    for (const p of c.props.items) if (!(isScalar(p.key) && PLACEMENT_KEYS.has(String(p.key.value)))) texts.push(`${keyText(p)}=${canon(tpl, p.value as Node)}`);
    const what = texts.sort().join(';');
    const key = `${what}|${c.near}`;
    const list = groups.get(key) ?? [];
    list.push(copyOf(tpl, c));
    groups.set(key, list);
  }
  const out: CfnCopy[][] = [];
  for (const g of groups.values()) if (g.length >= 2) out.push(g);
  return out;
}

/**
 * The groups of `byWholeKey`, comparing the properties one by one and dropping
 * an instance as soon as it is alone: most instances differ in their first
 * properties, whose canonical text is all that is read. Null when that could
 * differ from comparing whole keys. Whole keys `what|place|name` are equal
 * exactly when place and name are (no `|` in them: `cfnCopies`) and `what` is;
 * `what` joins the sorted `key=canon` texts with `;`, so when no key holds `=`
 * or `;`, no canonical text holds `;` (none in the text the properties are read
 * from, nor an escape that could spell one) and no instance repeats a key, two
 * are equal exactly when the instances have the same keys and the same
 * canonical text under each.
 */
function byProperty(tpl: CfnTemplate, candidates: Candidate[]): CfnCopy[][] | null {
  if (cfnHasSpellingEscape(tpl)) return null;
  const semis = cfnSemicolons(tpl);
  const buckets = new Map<string, { keys: string[]; members: { c: Candidate; pairs: Pair[]; index: number }[] }>();
  for (let index = 0; index < candidates.length; index++) {
    const c = candidates[index];
    const r = c.props.range;
    // Aliases read text from anywhere: then the whole text counts.
    if (semis.length && (tpl.aliasTargets || !r || anyIn(semis, r[0], r[2]))) return null;
    const entries: { key: string; pair: Pair }[] = [];
    for (const p of c.props.items) if (!(isScalar(p.key) && PLACEMENT_KEYS.has(String(p.key.value)))) entries.push({ key: keyText(p), pair: p });
    entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const keys: string[] = [];
    const pairs: Pair[] = [];
    for (const e of entries) {
      keys.push(e.key);
      pairs.push(e.pair);
    }
    for (let i = 0; i < keys.length; i++) if (keys[i].includes('=') || keys[i].includes(';') || (i > 0 && keys[i] === keys[i - 1])) return null;
    // No `|` in the place and name (`cfnCopies`): the first `|` after them ends the tail.
    const at = `${c.near}|${keys.join(';')}`;
    let b = buckets.get(at);
    if (!b) buckets.set(at, (b = { keys, members: [] }));
    b.members.push({ c, pairs, index });
  }
  const groups: { first: number; members: Candidate[] }[] = [];
  for (const b of buckets.values()) {
    let parts = b.members.length >= 2 ? [b.members] : [];
    // Any order of the keys gives the same groups: the shortest values first (as the first instance writes them), the cheapest to compare.
    const first = b.members[0].pairs;
    const size: number[] = [];
    const order: number[] = [];
    for (let k = 0; k < first.length; k++) {
      const r = (first[k].value as Node | null)?.range;
      size.push(r ? r[1] - r[0] : 0);
      order.push(k);
    }
    order.sort((x, y) => size[x] - size[y] || x - y);
    for (const k of order) {
      if (parts.length === 0) break;
      const next: typeof parts = [];
      for (const part of parts) {
        const split = new Map<string, typeof part>();
        for (const m of part) {
          const text = canon(tpl, m.pairs[k].value as Node);
          const same = split.get(text);
          if (same) same.push(m);
          else split.set(text, [m]);
        }
        for (const s of split.values()) if (s.length >= 2) next.push(s);
      }
      parts = next;
    }
    for (const part of parts) groups.push({ first: part[0].index, members: mapDense(part, (m) => m.c) });
  }
  groups.sort((a, b) => a.first - b.first);
  return mapDense(groups, (g) => mapDense(g.members, (c) => copyOf(tpl, c)));
}

// ---------------------------------------------------------------------------
// Terraform

function tfKey(file: TfFile, v: TfValue): string {
  return v.kind === 'known' ? `v:${String(v.value)}` : `t:${file.text.slice(v.range.start, v.range.end).replace(/\s+/g, '')}`;
}

/** The zone of a subnet element `aws_subnet.x.id` when the module's `aws_subnet.x` sets one. */
function tfSubnetZone(ev: TfEvaluator, module: TfModule, file: TfFile, v: TfValue): string | null {
  const m = /^aws_subnet\.([\w-]+)\.id$/.exec(file.text.slice(v.range.start, v.range.end).trim());
  if (!m) return null;
  const subnet = tfModuleResources(module, 'aws_subnet').find((s) => s.block.labels[1]?.value === m[1]);
  const az = subnet?.block.attr('availability_zone');
  if (!az) return null;
  const val = ev.attr(az);
  return val && val.kind === 'known' ? `v:${String(val.value)}` : `t:${az.expr.text.replace(/\s+/g, '')}`;
}

function checkTfGroup(ev: TfEvaluator, module: TfModule, file: TfFile, block: TfBlock, report: (range: OffsetRange, message: string) => void): void {
  const subnets = block.attr('vpc_zone_identifier');
  const attr = subnets ?? block.attr('availability_zones');
  if (!attr) return;
  for (const alt of alternatives(ev.attr(attr))) {
    if (alt.kind !== 'list' || alt.items.length === 0) continue;
    const items = alt.items.flatMap((i) => alternatives(i));
    if (items.length !== alt.items.length) continue;
    const distinct = [...new Map(items.map((i) => [tfKey(file, i), i])).values()];
    if (distinct.length === 1) {
      const one = distinct[0];
      const text = one.kind === 'known' ? `"${String(one.value)}"` : file.text.slice(one.range.start, one.range.end);
      report(attr.expr.range, `${block.address} spans ${subnets ? `one subnet (${text})` : `one Availability Zone (${text})`}. ${ADVICE_ASG}`);
      return;
    }
    if (subnets) {
      const azs = distinct.map((i) => tfSubnetZone(ev, module, file, i));
      if (azs.every((z) => z !== null && z === azs[0])) {
        report(attr.expr.range, `${block.address}'s subnets are all in the same Availability Zone (${zoneText(azs[0]!)}). ${ADVICE_ASG}`);
        return;
      }
    }
  }
}

const TF_PLACEMENT = new Set(['tags', 'tags_all', 'volume_tags', 'subnet_id', 'availability_zone', 'private_ip', 'secondary_private_ips', 'ipv6_addresses', 'ipv6_address_count']);

/** Where an instance block is placed: its fixed subnet or zone attribute; null when not fixed. */
function tfPlacement(block: TfBlock): TfAttribute | null {
  const a = block.attr('subnet_id') ?? block.attr('availability_zone');
  if (!a) return null;
  // An index or key per instance spreads them out.
  if (/\b(count\.index|each\.(key|value))\b/.test(a.expr.text)) return null;
  return a;
}

function tfSignature(file: TfFile, block: TfBlock): string {
  const parts: string[] = [];
  for (const a of block.attributes) if (!TF_PLACEMENT.has(a.name)) parts.push(`${a.name}=${a.expr.text.replace(/\s+/g, '')}`);
  for (const b of block.blocks) parts.push(file.text.slice(b.range.start, b.range.end).replace(/\s+/g, ''));
  return parts.sort().join(';');
}

type TfCopy = { file: TfFile; block: TfBlock; where: TfAttribute; place: string };

const tfCopiesCache = new WeakMap<object, Map<string, TfCopy[]>>();

/**
 * The module's instance blocks without `count` / `for_each` grouped by what they
 * run, where and what they are called (computed once per module: `moduleKey`).
 */
function tfCopies(ev: TfEvaluator, module: TfModule, blocks: { file: TfFile; block: TfBlock }[]): Map<string, TfCopy[]> {
  const key = moduleKey(module);
  let groups = tfCopiesCache.get(key);
  if (groups) return groups;
  groups = new Map();
  for (const { file, block } of blocks) {
    const where = tfPlacement(block);
    if (!where || block.attr('count') || block.attr('for_each')) continue;
    const val = ev.attr(where);
    const zone = where.name === 'subnet_id' && val ? tfSubnetZone(ev, module, file, val) : null;
    const place = zone ? `az:${zone}` : `${where.name}:${val ? tfKey(file, val) : ''}`;
    const shownPlace = zone ? `Availability Zone (${zoneText(zone)})` : `${where.name === 'subnet_id' ? 'subnet' : 'Availability Zone'} (${where.name} = ${where.expr.text})`;
    const k = `${tfSignature(file, block)}|${place}|${siblingName(block.labels[1]?.value ?? '')}`;
    groups.set(k, [...(groups.get(k) ?? []), { file, block, where, place: shownPlace }]);
  }
  tfCopiesCache.set(key, groups);
  return groups;
}

export default defineRule({
  id: 'asg-multi-az',
  severity: 'warning',
  seed: '000 EC2: scaled/duplicated instances are not in the same Availability Zones',
  description: 'Auto Scaling groups and duplicated instances must span more than one Availability Zone.',
  fixable: false,
  reads: { cloudformation: ['AWS::AutoScaling::AutoScalingGroup', 'AWS::EC2::Subnet', ...CFN_LAUNCH], terraform: ['aws_autoscaling_group', 'aws_subnet', ...TF_LAUNCH] },

  cloudformation(ctx) {
    const tpl = ctx.template;
    for (const res of cfnOfType(tpl, 'AWS::AutoScaling::AutoScalingGroup')) {
      if (res.properties && isMap(res.properties)) {
        checkCfnGroup(tpl, res, (range, message) => ctx.report({ range, resource: res.logicalId, message }));
      }
    }
    for (const copies of cfnCopies(tpl)) {
      for (const c of copies) {
        const others = copies.filter((o) => o !== c).map((o) => o.res.logicalId);
        ctx.report({
          range: cfnRange(tpl, c.node)!,
          resource: c.res.logicalId,
          message: `${c.res.logicalId} and ${joinNames(others)} are identical instances in the same ${c.place}. ${ADVICE_COPIES}`,
        });
      }
    }
  },

  terraform(ctx) {
    const ev = new TfEvaluator(ctx.module);
    for (const block of tfResourceBlocks(ctx.file, ['aws_autoscaling_group'])) {
      checkTfGroup(ev, ctx.module, ctx.file, block, (range, message) => ctx.report({ range, resource: block.address, message }));
    }
    // `count` / `for_each` copies with one fixed subnet or zone.
    const blocks = tfModuleResources(ctx.module, 'aws_instance');
    for (const block of tfResourceBlocks(ctx.file, ['aws_instance'])) {
      const counts = ev.instanceCounts(block);
      const where = tfPlacement(block);
      if (!where || !counts || Math.max(...counts) < 2) continue;
      const meta = block.attr('count') ? `count = ${block.attr('count')!.expr.text}` : `for_each = ${block.attr('for_each')!.expr.text}`;
      ctx.report({
        range: where.expr.range,
        resource: block.address,
        message: `${block.address} creates ${Math.max(...counts)} identical instances (${meta}), all in the same ${where.name === 'subnet_id' ? 'subnet' : 'Availability Zone'} (${where.name} = ${where.expr.text}). ${ADVICE_COPIES}`,
      });
    }
    // Separate but identical instance blocks in one place.
    for (const copies of tfCopies(ev, ctx.module, blocks).values()) {
      if (copies.length < 2) continue;
      for (const c of copies) {
        if (c.file !== ctx.file) continue;
        const others = copies.filter((o) => o !== c).map((o) => o.block.address);
        ctx.report({
          range: c.where.expr.range,
          resource: c.block.address,
          message: `${c.block.address} and ${joinNames(others as string[])} are identical instances in the same ${c.place}. ${ADVICE_COPIES}`,
        });
      }
    }
  },
});

/**
 * One normalised model of security group rules, read from every shape they take:
 *
 * - CloudFormation: inline `SecurityGroupIngress` / `SecurityGroupEgress` entries
 *   of `AWS::EC2::SecurityGroup`, standalone `AWS::EC2::SecurityGroupIngress` /
 *   `AWS::EC2::SecurityGroupEgress` resources, and the implicit allow-all egress
 *   rule AWS adds to a group declared without egress rules.
 * - Terraform: `ingress` / `egress` blocks (also `dynamic` ones and the
 *   attribute form `ingress = [{...}]`) of `aws_security_group` and
 *   `aws_default_security_group`, `aws_security_group_rule`, and
 *   `aws_vpc_security_group_ingress_rule` / `_egress_rule`.
 *
 * A rule has a direction, the traffic it may allow (protocol and port range, one
 * entry per combination an `!If` or a conditional can produce), the peers
 * (sources for ingress, destinations for egress) with parsed address ranges, the
 * group it belongs to, the resource that holds it (where findings go) and the
 * ranges to underline. Values are resolved as the catalog says; what cannot be
 * resolved is kept as unknown and never fires by itself.
 */
import * as ipaddr from 'ipaddr.js';
import { isMap, isScalar, isSeq, type Node, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { getNode, getPair, intrinsic, resolveValues, type Resolved } from '../../server/engine/cloudformation/nodes';
import type { CfnResource, CfnTemplate } from '../../server/engine/cloudformation/model';
import type { TfBlock, TfFile, TfModule } from '../../server/engine/terraform/model';
import { headerRange } from '../../server/engine/terraform/values';
import { tfFacts, tfReusable } from '../../server/engine/units';
import type { OffsetRange } from '../../server/engine/types';
import { alternatives, listElements, TfEvaluator, type TfScope, type TfValue } from './networkValues';
import { cfnRange, cfnRefTargets } from './network';
import { moduleKey } from '../../server/engine/terraform/moduleKey';
import { mapDense } from '../../server/engine/arrays';
import { offsetRange } from '../../server/engine/offsetRange';

export type Direction = 'ingress' | 'egress';
export type ProtocolName = 'all' | 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'other';

export interface Protocol {
  name: ProtocolName;
  /** IANA protocol number; -1 for all. */
  number: number;
}

/** Inclusive port range. */
export interface PortSpan {
  from: number;
  to: number;
}

/** One combination of protocol and ports a rule may allow. */
export interface Traffic {
  /** null: unknown. */
  protocol: Protocol | null;
  /**
   * TCP/UDP: the ports; all protocols: 0-65535; ICMP and other protocols: null
   * (not port based); undefined: unknown.
   */
  ports: PortSpan | null | undefined;
  /** The protocol value, to underline a finding about the protocol. */
  protocolRange: OffsetRange | null;
  /** The port value(s), to underline a finding about the ports. */
  portRange: OffsetRange | null;
}

export type Peer =
  | { kind: 'cidr'; text: string; version: 4 | 6; prefix: number; address: ipaddr.IPv4 | ipaddr.IPv6; range: OffsetRange }
  | { kind: 'security-group' | 'prefix-list' | 'self'; text: string; range: OffsetRange }
  | { kind: 'unknown'; text: string; range: OffsetRange };

export interface SgRule {
  format: 'cloudformation' | 'terraform';
  direction: Direction;
  /** The resource holding the rule: a CFN logical id or a Terraform address. Findings go there. */
  resource: string;
  /** The group the rule belongs to (logical id, address, or literal group id); null when unknown. */
  group: string | null;
  /** How to name the rule in a message: `SecurityGroupIngress[1]`, `ingress block`, ... */
  label: string;
  /** The whole rule entry (inline entry, block, or resource header). */
  range: OffsetRange;
  traffic: Traffic[];
  /** Sources (ingress) or destinations (egress). */
  peers: Peer[];
  /** The allow-all egress AWS adds to a CloudFormation group that declares no egress. */
  implicit: boolean;
}

/**
 * Every SgRule is made here: one field order, so the rules that read them see one
 * hidden class (object literals in other orders or spread copies made several).
 */
function sgRule(
  format: SgRule['format'], direction: Direction, resource: string, group: string | null, label: string, range: OffsetRange,
  traffic: Traffic[], peers: Peer[], implicit: boolean,
): SgRule {
  return { format, direction, resource, group, label, range, traffic, peers, implicit };
}

// ---------------------------------------------------------------------------
// Protocols, ports and addresses

const PROTOCOL_NAMES: Record<string, Protocol> = {
  '-1': { name: 'all', number: -1 },
  all: { name: 'all', number: -1 },
  tcp: { name: 'tcp', number: 6 },
  '6': { name: 'tcp', number: 6 },
  udp: { name: 'udp', number: 17 },
  '17': { name: 'udp', number: 17 },
  icmp: { name: 'icmp', number: 1 },
  '1': { name: 'icmp', number: 1 },
  icmpv6: { name: 'icmpv6', number: 58 },
  '58': { name: 'icmpv6', number: 58 },
};

/** `tcp`, `6`, `-1`, `all`, `ICMP`, `50`...; null when not a protocol. */
export function parseProtocol(v: string | number | boolean | null): Protocol | null {
  if (v === null || typeof v === 'boolean') return null;
  const s = String(v).trim().toLowerCase();
  const known = PROTOCOL_NAMES[s];
  if (known) return known;
  if (/^\d{1,3}$/.test(s) && Number(s) <= 255) return { name: 'other', number: Number(s) };
  return null;
}

function parsePort(v: string | number | boolean | null): number | null {
  if (v === null || typeof v === 'boolean') return null;
  const s = String(v).trim();
  if (!/^-?\d+$/.test(s)) return null;
  const n = Number(s);
  return n >= -1 && n <= 65535 ? n : null;
}

/** The traffic of one protocol with one from/to port pair (each possibly unknown). */
function makeTraffic(protocol: Protocol | null | undefined, from: number | null | undefined, to: number | null | undefined, protocolRange: OffsetRange | null, portRange: OffsetRange | null): Traffic {
  if (!protocol) return { protocol: null, ports: undefined, protocolRange, portRange };
  if (protocol.name === 'all') return { protocol, ports: { from: 0, to: 65535 }, protocolRange, portRange: null };
  if (protocol.name !== 'tcp' && protocol.name !== 'udp') return { protocol, ports: null, protocolRange, portRange };
  if (from === null || to === null || from === undefined || to === undefined) return { protocol, ports: undefined, protocolRange, portRange };
  // -1 as a TCP/UDP port means every port.
  if (from === -1 || to === -1) return { protocol, ports: { from: 0, to: 65535 }, protocolRange, portRange };
  return { protocol, ports: { from: Math.min(from, to), to: Math.max(from, to) }, protocolRange, portRange };
}

type ParsedCidr = { version: 4 | 6; prefix: number; address: ipaddr.IPv4 | ipaddr.IPv6 } | null;
/** Parsing addresses is slow next to everything else a rule does, and templates repeat the same few. */
const cidrCache = new Map<string, ParsedCidr>();

function parseCidr(t: string): ParsedCidr {
  let hit = cidrCache.get(t);
  if (hit !== undefined) return hit;
  hit = null;
  try {
    if (t.includes(':')) {
      const [addr, prefix] = ipaddr.IPv6.parseCIDR(t);
      hit = { version: 6, prefix, address: addr };
    } else {
      // ipaddr also reads `10/8` and octal forms; AWS takes only dotted decimal.
      const slash = t.indexOf('/');
      if (slash > 0 && ipaddr.IPv4.isValidFourPartDecimal(t.slice(0, slash))) {
        const [addr, prefix] = ipaddr.IPv4.parseCIDR(t);
        hit = { version: 4, prefix, address: addr };
      }
    }
  } catch {
    hit = null;
  }
  if (cidrCache.size > 4096) cidrCache.clear();
  cidrCache.set(t, hit);
  return hit;
}

/** Parses a CIDR (`10.0.0.0/8`, `::/0`, `0:0:0:0:0:0:0:0/0`, `0000::/0`) into a peer; unknown when it is not one. */
export function cidrPeer(text: string, range: OffsetRange): Peer {
  const t = text.trim();
  const c = parseCidr(t);
  return c ? { kind: 'cidr', text: t, ...c, range } : { kind: 'unknown', text: t, range };
}

/** 0.0.0.0/0, ::/0 in any spelling, or any address with a zero-length prefix. */
export function isAnyAddress(p: Peer): boolean {
  return p.kind === 'cidr' && p.prefix === 0;
}

export function isSingleHost(p: Peer): boolean {
  return p.kind === 'cidr' && p.prefix === (p.version === 4 ? 32 : 128);
}

/** The peer's range lies inside one of the given CIDRs (same address family). */
export function withinAny(p: Peer, cidrs: readonly string[]): boolean {
  if (p.kind !== 'cidr') return false;
  for (const c of cidrs) {
    const parsed = cidrPeer(c, p.range);
    if (parsed.kind !== 'cidr' || parsed.version !== p.version || parsed.prefix > p.prefix) continue;
    if ((p.address as ipaddr.IPv4).match(parsed.address as ipaddr.IPv4, parsed.prefix)) return true;
  }
  return false;
}

/** The traffic opens `port` of `proto` (all protocols open every port). Unknown never does. */
export function opensPort(t: Traffic, proto: 'tcp' | 'udp', port: number): boolean {
  if (!t.protocol) return false;
  if (t.protocol.name === 'all') return true;
  return t.protocol.name === proto && !!t.ports && t.ports.from <= port && port <= t.ports.to;
}

/** Every port of the protocol: all protocols, or a TCP/UDP range covering 1-65535. */
export function allPorts(t: Traffic): boolean {
  if (!t.protocol) return false;
  if (t.protocol.name === 'all') return true;
  return (t.protocol.name === 'tcp' || t.protocol.name === 'udp') && !!t.ports && t.ports.from <= 1 && t.ports.to === 65535;
}

/** Number of ports a TCP/UDP range opens; null when not port based or unknown. */
export function portCount(t: Traffic): number | null {
  if (!t.protocol || (t.protocol.name !== 'tcp' && t.protocol.name !== 'udp') || !t.ports) return null;
  return t.ports.to - t.ports.from + 1;
}

/** `all traffic`, `TCP 22`, `TCP 0-65535`, `UDP 53`, `ICMP`, `protocol 50`. */
export function describeTraffic(t: Traffic): string {
  if (!t.protocol) return 'traffic of an unknown protocol';
  switch (t.protocol.name) {
    case 'all': return 'all traffic';
    case 'icmp': return 'ICMP';
    case 'icmpv6': return 'ICMPv6';
    case 'other': return `IP protocol ${t.protocol.number}`;
  }
  const p = t.protocol.name.toUpperCase();
  if (!t.ports) return `${p} (ports unknown)`;
  return t.ports.from === t.ports.to ? `${p} ${t.ports.from}` : `${p} ${t.ports.from}-${t.ports.to}`;
}

export const ADMIN_PORTS: { name: string; port: number; protocols: ('tcp' | 'udp')[] }[] = [
  { name: 'SSH', port: 22, protocols: ['tcp'] },
  { name: 'RDP', port: 3389, protocols: ['tcp', 'udp'] },
];

/** Every subset of `ADMIN_PORTS` in its order, by bit mask (bit i: entry i): the answers `adminServices` can give, made once. */
const ADMIN_SUBSETS: readonly (readonly { name: string; port: number }[])[] = Array.from({ length: 1 << ADMIN_PORTS.length }, (_, mask) => ADMIN_PORTS.filter((_a, i) => (mask >> i) & 1));

/** The admin services (SSH, RDP) the traffic reaches, in `ADMIN_PORTS` order (a shared list: read it, do not change it). */
export function adminServices(t: Traffic): readonly { name: string; port: number }[] {
  let mask = 0;
  for (let i = 0; i < ADMIN_PORTS.length; i++) {
    const a = ADMIN_PORTS[i];
    if (a.protocols.some((p) => opensPort(t, p, a.port))) mask |= 1 << i;
  }
  return ADMIN_SUBSETS[mask];
}

/** `adminServices` as a filter of `ADMIN_PORTS` (a new list each call): for tests. */
export function adminServicesGeneral(t: Traffic): { name: string; port: number }[] {
  return ADMIN_PORTS.filter((a) => a.protocols.some((p) => opensPort(t, p, a.port)));
}

/** The range to underline for a finding about the traffic of a rule. */
export function trafficRange(t: Traffic, rule: SgRule): OffsetRange {
  if (t.protocol?.name === 'all') return t.protocolRange ?? rule.range;
  return t.portRange ?? t.protocolRange ?? rule.range;
}

export function rangeKey(r: OffsetRange): string {
  return `${r.start}:${r.end}`;
}

/** How a message names a rule: `SecurityGroupIngress[0] of WebSg`, `aws_security_group_rule.ssh`. */
export function describeRule(rule: SgRule): string {
  if (rule.label === rule.resource) return rule.resource;
  return `${rule.label} of ${rule.resource}`;
}

// ---------------------------------------------------------------------------
// Combining alternatives

const MAX_COMBINATIONS = 32;

function product<A, B, C>(as: A[], bs: B[], cs: C[], f: (a: A, b: B, c: C) => Traffic): Traffic[] {
  const out: Traffic[] = [];
  for (const a of as) for (const b of bs) for (const c of cs) {
    if (out.length >= MAX_COMBINATIONS) return out;
    out.push(f(a, b, c));
  }
  return out;
}

/**
 * The from and to port values on one line (`{ FromPort: 0, ToPort: 65535 }`):
 * underline both; otherwise the first (a single underline, not one across lines).
 */
function spanRanges(a: OffsetRange | null, b: OffsetRange | null, text: string): OffsetRange | null {
  if (!a) return b;
  if (!b || a.start === b.start) return a;
  const [x, y] = a.start < b.start ? [a, b] : [b, a];
  const between = text.slice(x.end, y.start);
  if (!/[\r\n]/.test(between) && /^[\s,"']*(ToPort|to_port)?["']?\s*[:=]?\s*$/.test(between)) return offsetRange(x.start, y.end);
  return a;
}

// ---------------------------------------------------------------------------
// CloudFormation

const CFN_INGRESS_SOURCES: [string, Peer['kind'] | 'cidr'][] = [
  ['CidrIp', 'cidr'], ['CidrIpv6', 'cidr'], ['SourceSecurityGroupId', 'security-group'],
  ['SourceSecurityGroupName', 'security-group'], ['SourcePrefixListId', 'prefix-list'],
];
const CFN_EGRESS_DESTINATIONS: [string, Peer['kind'] | 'cidr'][] = [
  ['CidrIp', 'cidr'], ['CidrIpv6', 'cidr'], ['DestinationSecurityGroupId', 'security-group'], ['DestinationPrefixListId', 'prefix-list'],
];

const cfnCache = new WeakMap<CfnTemplate, SgRule[]>();

/** Every security group rule of a template, in source order. */
export function cfnSecurityGroupRules(tpl: CfnTemplate): SgRule[] {
  let rules = cfnCache.get(tpl);
  if (!rules) {
    rules = readCfn(tpl);
    cfnCache.set(tpl, rules);
  }
  return rules;
}

/** Groups whose egress is managed by standalone egress resources (no implicit allow-all rule is assumed for them). */
function cfnEgressManaged(tpl: CfnTemplate): Set<string> {
  const egressManaged = new Set<string>();
  for (const res of tpl.resources) {
    if (res.type !== 'AWS::EC2::SecurityGroupEgress' || !res.properties) continue;
    for (const id of cfnRefTargets(tpl, getNode(res.properties, 'GroupId', tpl))) egressManaged.add(id.target);
  }
  return egressManaged;
}

function readCfn(tpl: CfnTemplate, general = false): SgRule[] {
  const out: SgRule[] = [];
  // Groups whose egress is managed by standalone egress resources: AWS removes or
  // keeps the default rule depending on ordering, so no implicit rule is assumed.
  const egressManaged = cfnEgressManaged(tpl);
  for (const res of tpl.resources) readCfnResource(tpl, res, egressManaged, out, general);
  return out;
}

/** `cfnSecurityGroupRules` read anew, every value through `resolveValues` (no shortcut for plain scalars): for tests. */
export function cfnSecurityGroupRulesGeneral(tpl: CfnTemplate): SgRule[] {
  return readCfn(tpl, true);
}

/** The resource types that hold security group rules. */
export const CFN_SG_RULE_TYPES: ReadonlySet<string> = new Set(['AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress']);

const egressCache = new WeakMap<CfnTemplate, Set<string>>();

/**
 * The rules one resource holds (those of `cfnSecurityGroupRules` whose
 * `resource` it is, in the same order), and whether its egress is managed by
 * standalone egress resources (the only thing read outside the resource besides
 * parameters): for checks memoized per resource.
 */
export function cfnResourceSecurityGroupRules(tpl: CfnTemplate, res: CfnResource): SgRule[] {
  const out: SgRule[] = [];
  readCfnResource(tpl, res, cfnEgressManagedOf(tpl), out);
  return out;
}

/** `cfnEgressManaged`, once per template. */
export function cfnEgressManagedOf(tpl: CfnTemplate): ReadonlySet<string> {
  let m = egressCache.get(tpl);
  if (!m) {
    m = cfnEgressManaged(tpl);
    egressCache.set(tpl, m);
  }
  return m;
}

const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

function readCfnResource(tpl: CfnTemplate, res: CfnResource, egressManaged: ReadonlySet<string>, out: SgRule[], general = false): void {
  const props = res.properties;
  if (!props || intrinsic(props)) return;
  if (res.type === 'AWS::EC2::SecurityGroup') {
    for (const direction of DIRECTIONS) {
      const key = direction === 'ingress' ? 'SecurityGroupIngress' : 'SecurityGroupEgress';
      const entries = cfnEntries(tpl, getNode(props, key, tpl));
      for (let i = 0; i < entries.maps.length; i++) out.push(cfnRule(tpl, res, entries.maps[i], direction, res.logicalId, `${key}[${entries.indexes[i]}]`, undefined, general));
      if (direction === 'egress' && !egressManaged.has(res.logicalId) && (entries.maps.length === 0 ? !entries.unknown : entries.absent)) {
        const pair = getPair(props, key);
        const at = pair ? cfnRange(tpl, pair.key as Node)! : res.keyRange;
        const label = !pair ? 'no SecurityGroupEgress' : entries.maps.length || entries.unknown || intrinsic(pair.value as Node) ? 'no SecurityGroupEgress in one branch of its condition' : 'an empty SecurityGroupEgress';
        out.push(sgRule(
          'cloudformation', 'egress', res.logicalId, res.logicalId, label, at,
          [{ protocol: PROTOCOL_NAMES['-1'], ports: { from: 0, to: 65535 }, protocolRange: at, portRange: null }],
          [cidrPeer('0.0.0.0/0', at)],
          true,
        ));
      }
    }
  } else if (res.type === 'AWS::EC2::SecurityGroupIngress' || res.type === 'AWS::EC2::SecurityGroupEgress') {
    const direction: Direction = res.type.endsWith('Ingress') ? 'ingress' : 'egress';
    const targets = cfnRefTargets(tpl, getNode(props, 'GroupId', tpl));
    const groupName = getNode(props, 'GroupName', tpl);
    const group = targets[0]?.target ?? scalarText(getNode(props, 'GroupId', tpl)) ?? scalarText(groupName) ?? null;
    out.push(cfnRule(tpl, res, props, direction, group, res.logicalId, res.keyRange, general));
  }
}

function scalarText(n: Node | undefined): string | null {
  return n && isScalar(n) && !intrinsic(n) && n.value !== null ? String(n.value) : null;
}

/**
 * The rule maps of a `SecurityGroupIngress` / `SecurityGroupEgress` value: each
 * list entry, each branch of an `!If` entry or of an `!If` around the list.
 * `absent`: some branch has no rules at all; `unknown`: some part cannot be read.
 */
function cfnEntries(tpl: CfnTemplate, node: Node | undefined): { maps: YAMLMap[]; indexes: number[]; absent: boolean; unknown: boolean } {
  const res = { maps: [] as YAMLMap[], indexes: [] as number[], absent: false, unknown: false };
  if (node === undefined) {
    res.absent = true;
    return res;
  }
  const lists = branches(tpl, node);
  for (const l of lists) {
    if (l === null) {
      res.absent = true;
      continue;
    }
    if (!isSeq(l)) {
      if (isScalar(l) && l.value === null && !intrinsic(l)) res.absent = true;
      else res.unknown = true;
      continue;
    }
    const items = (l as YAMLSeq).items as Node[];
    if (items.length === 0) res.absent = true;
    items.forEach((item, i) => {
      for (const b of branches(tpl, item)) {
        if (b === null) continue;
        if (isMap(b) && !intrinsic(b)) {
          res.maps.push(b as YAMLMap);
          res.indexes.push(i);
        } else res.unknown = true;
      }
    });
  }
  return res;
}

/** A node's `!If` branches (recursively); null for `AWS::NoValue`. */
function branches(tpl: CfnTemplate, node: Node, depth = 0): (Node | null)[] {
  const fn = intrinsic(node);
  if (fn?.fn === 'If' && fn.arg && isSeq(fn.arg) && fn.arg.items.length === 3 && depth < 8) {
    const items = (fn.arg as YAMLSeq).items as Node[];
    return [...branches(tpl, items[1], depth + 1), ...branches(tpl, items[2], depth + 1)];
  }
  if (fn?.fn === 'Ref' && fn.arg && isScalar(fn.arg) && fn.arg.value === 'AWS::NoValue') return [null];
  return [node];
}

/** `range`: the whole rule entry; by default the rule map's range (or the resource's key). */
function cfnRule(tpl: CfnTemplate, res: CfnResource, map: YAMLMap, direction: Direction, group: string | null, label: string, range: OffsetRange | undefined, general: boolean): SgRule {
  const protoNode = getNode(map, 'IpProtocol', tpl);
  const fromNode = getNode(map, 'FromPort', tpl);
  const toNode = getNode(map, 'ToPort', tpl);
  const protos = cfnScalars(tpl, protoNode, parseProtocol, general);
  const froms = cfnScalars(tpl, fromNode, parsePort, general);
  const tos = cfnScalars(tpl, toNode, parsePort, general);
  const traffic = product(protos, froms, tos, (p, f, t) =>
    makeTraffic(p.value, f.value, t.value, p.range, spanRanges(f.range, t.range, tpl.text)));

  const peers: Peer[] = [];
  for (const [key, kind] of direction === 'ingress' ? CFN_INGRESS_SOURCES : CFN_EGRESS_DESTINATIONS) {
    const node = getNode(map, key, tpl);
    if (node === undefined) continue;
    if (!general && isPlainScalar(node)) {
      // What `resolveValues` gives a plain scalar, without its list: the value itself, known when a primitive.
      const v = node.value;
      cfnPeer(peers, kind, key, isPrimitive(v), v as string | number | boolean | null, cfnRange(tpl, node)!);
      continue;
    }
    for (const r of resolveValues(tpl, node)) {
      const range = cfnRange(tpl, r.node) ?? cfnRange(tpl, node)!;
      if (r.kind === 'absent') continue;
      cfnPeer(peers, kind, key, r.kind === 'known', r.kind === 'known' ? r.value : null, range);
    }
  }
  return sgRule('cloudformation', direction, res.logicalId, group, label, range ?? cfnRange(tpl, map) ?? res.keyRange, traffic, peers, false);
}

/** A peer of a rule from one value of `key` (known or not). */
function cfnPeer(peers: Peer[], kind: Peer['kind'] | 'cidr', key: string, known: boolean, value: string | number | boolean | null, range: OffsetRange): void {
  if (kind === 'cidr') {
    if (known && value !== null) peers.push(cidrPeer(String(value), range));
    else peers.push({ kind: 'unknown', text: key, range });
  } else {
    peers.push({ kind: kind as 'security-group' | 'prefix-list', text: known ? String(value) : key, range });
  }
}

/** A scalar without a tag (so not a short-form intrinsic) and not an alias: `resolveValues` gives it as its one value. */
function isPlainScalar(n: Node): n is Scalar {
  return isScalar(n) && !n.tag;
}

function isPrimitive(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** The possible values of a scalar property, parsed; one `undefined` entry when absent or unknown. */
function cfnScalars<T>(tpl: CfnTemplate, node: Node | undefined, parse: (v: string | number | boolean | null) => T | null, general: boolean): { value: T | null | undefined; range: OffsetRange | null }[] {
  if (node === undefined) return [{ value: undefined, range: null }];
  if (!general && isPlainScalar(node)) {
    // What the loop below makes of `resolveValues`' one value for a plain scalar.
    const v = node.value;
    return [{ value: isPrimitive(v) ? parse(v as string | number | boolean | null) : undefined, range: cfnRange(tpl, node) }];
  }
  const out: { value: T | null | undefined; range: OffsetRange | null }[] = [];
  for (const r of resolveValues(tpl, node) as Resolved[]) {
    const range = cfnRange(tpl, r.node) ?? cfnRange(tpl, node);
    if (r.kind === 'known') out.push({ value: parse(r.value), range });
    else out.push({ value: undefined, range });
  }
  return out.length ? out : [{ value: undefined, range: cfnRange(tpl, node) }];
}

// ---------------------------------------------------------------------------
// Terraform

const TF_GROUP_TYPES = ['aws_security_group', 'aws_default_security_group'];
const tfCache = new WeakMap<object, Map<string, SgRule[]>>();

/** Whether a top-level block declares security group rules (a group, or a rule resource). */
export function isTfSecurityGroupBlock(block: TfBlock): boolean {
  if (block.type !== 'resource') return false;
  const type = block.labels[0]?.value ?? '';
  return TF_GROUP_TYPES.includes(type) || type === 'aws_security_group_rule' || type.startsWith('aws_vpc_security_group_');
}

const sgBlocks = new WeakMap<TfFile, TfBlock[]>();

/** The top-level blocks of `file` that declare security group rules, in file order (once per parsed file). */
export function tfSecurityGroupBlocks(file: TfFile): TfBlock[] {
  let blocks = sgBlocks.get(file);
  if (!blocks) sgBlocks.set(file, (blocks = file.blocks.filter(isTfSecurityGroupBlock)));
  return blocks;
}

/** Every security group rule declared in `file` (values resolved across `module`). */
export function tfSecurityGroupRules(file: TfFile, module: TfModule): SgRule[] {
  let perFile = tfCache.get(moduleKey(module));
  if (!perFile) {
    perFile = new Map();
    tfCache.set(moduleKey(module), perFile);
  }
  let rules = perFile.get(file.path);
  if (!rules) {
    rules = readTf(file, module);
    perFile.set(file.path, rules);
  }
  return rules;
}

const tfBlockCache = new WeakMap<object, { ev: { v: TfEvaluator | null }; blocks: WeakMap<TfBlock, SgRule[]> }>();

/**
 * The security group rules of one top-level block of `file` (`isTfSecurityGroupBlock`):
 * the part of `tfSecurityGroupRules(file, module)` that block declares, in the same
 * order, every range inside the block. Shared by the rules that judge them in one lint.
 */
export function tfBlockSecurityGroupRules(file: TfFile, module: TfModule, block: TfBlock): SgRule[] {
  const key = moduleKey(module);
  let perModule = tfBlockCache.get(key);
  if (!perModule) {
    perModule = { ev: { v: null }, blocks: new WeakMap() };
    tfBlockCache.set(key, perModule);
  }
  let rules = perModule.blocks.get(block);
  if (!rules) {
    rules = [];
    readTfInto(file, module, block, perModule.ev, rules);
    perModule.blocks.set(block, rules);
  }
  return rules;
}

/** `r` with every range moved by `d`. */
function moveTfRule(r: SgRule, d: number): SgRule {
  if (d === 0) return r;
  const mv = (x: OffsetRange | null): OffsetRange | null => (x ? offsetRange(x.start + d, x.end + d) : x);
  return sgRule(
    r.format, r.direction, r.resource, r.group, r.label, mv(r.range)!,
    mapDense(r.traffic, (t): Traffic => ({ protocol: t.protocol, ports: t.ports, protocolRange: mv(t.protocolRange), portRange: mv(t.portRange) })),
    mapDense(r.peers, (p) => ({ ...p, range: mv(p.range)! })),
    r.implicit,
  );
}

/**
 * The rules of each security group (rule) resource block: they read the block
 * and the variables and locals of the module (every range inside the block), so
 * they are cached by the block's text and the module's context (units.ts).
 */
function readTf(file: TfFile, module: TfModule): SgRule[] {
  const out: SgRule[] = [];
  const ev: { v: TfEvaluator | null } = { v: null };
  for (const block of file.blocks) if (isTfSecurityGroupBlock(block)) readTfInto(file, module, block, ev, out);
  return out;
}

/** Appends the rules of one security group (rule) block to `out`; `ev` holds the evaluator shared by the blocks of one file. */
function readTfInto(file: TfFile, module: TfModule, block: TfBlock, ev: { v: TfEvaluator | null }, out: SgRule[]): void {
  const evaluator = (): TfEvaluator => (ev.v ??= new TfEvaluator(module));
  if (!tfReusable(module)) {
    // Not cached: read in place (no relative copies).
    for (const r of readTfBlock(file, evaluator(), block)) out.push(r);
    return;
  }
  const base = block.range.start;
  const rel = tfFacts(module, file, block, 'securityGroups:rules', () => readTfBlock(file, evaluator(), block).map((r) => moveTfRule(r, -base)));
  for (const r of rel) out.push(moveTfRule(r, base));
}

function readTfBlock(file: TfFile, ev: TfEvaluator, block: TfBlock): SgRule[] {
  const out: SgRule[] = [];
  {
    const type = block.labels[0]?.value ?? '';
    const address = block.address ?? type;
    const { scopes } = ev.resourceInstances(block);
    for (const scope of scopes) {
      if (TF_GROUP_TYPES.includes(type)) {
        for (const direction of ['ingress', 'egress'] as Direction[]) {
          for (const nested of block.blocksOfType(direction)) {
            out.push(tfRule(ev, file.text, block, fieldsOfBlock(nested), scope, direction, address, `${direction} block`, nested.typeRange, address));
          }
          for (const dyn of block.blocksOfType('dynamic')) {
            if (dyn.labels[0]?.value !== direction) continue;
            const content = dyn.blocksOfType('content')[0];
            if (!content) continue;
            for (const s of ev.dynamicIterations(dyn, scope).scopes) {
              out.push(tfRule(ev, file.text, block, fieldsOfBlock(content), s, direction, address, `dynamic "${direction}" block`, dyn.typeRange, address));
            }
          }
          // Attributes as blocks: `ingress = [{ from_port = 22, ... }]`.
          const attr = block.attr(direction);
          if (attr) {
            for (const obj of listElements(ev.attr(attr, scope)).items) {
              if (obj.kind !== 'object') continue;
              out.push(tfRule(ev, file.text, block, fieldsOfObject(obj), scope, direction, address, `${direction} entry`, obj.range, address));
            }
          }
        }
      } else if (type === 'aws_security_group_rule') {
        const t = ev.attr(block.attr('type'), scope);
        for (const alt of alternatives(t)) {
          if (alt.kind !== 'known' || (alt.value !== 'ingress' && alt.value !== 'egress')) continue;
          out.push(tfRule(ev, file.text, block, fieldsOfBlock(block), scope, alt.value, address, address, headerRange(block), groupOf(block, 'security_group_id')));
        }
      } else if (type === 'aws_vpc_security_group_ingress_rule' || type === 'aws_vpc_security_group_egress_rule') {
        const direction: Direction = type.endsWith('ingress_rule') ? 'ingress' : 'egress';
        out.push(tfRule(ev, file.text, block, fieldsOfBlock(block), scope, direction, address, address, headerRange(block), groupOf(block, 'security_group_id')));
      }
    }
  }
  return out;
}

/** `aws_security_group.web.id` → `aws_security_group.web`; a literal id as written. */
function groupOf(block: TfBlock, attrName: string): string | null {
  const a = block.attr(attrName);
  if (!a) return null;
  const m = /^(aws_(?:default_)?security_group\.[\w-]+)/.exec(a.expr.text.trim());
  if (m) return m[1];
  return a.expr.value !== undefined ? String(a.expr.value) : a.expr.text.trim();
}

/** A rule's fields, from a block (attributes) or an object value. */
interface TfFields {
  get(name: string, scope: TfScope): TfValue | undefined;
}

function fieldsOfBlock(block: TfBlock): (ev: TfEvaluator) => TfFields {
  return (ev) => ({ get: (name, scope) => ev.attr(block.attr(name), scope) });
}

function fieldsOfObject(obj: TfValue & { kind: 'object' }): (ev: TfEvaluator) => TfFields {
  return () => ({ get: (name) => obj.fields.get(name) });
}

const TF_INGRESS_PEERS: [string, Peer['kind']][] = [
  ['cidr_blocks', 'cidr'], ['ipv6_cidr_blocks', 'cidr'], ['prefix_list_ids', 'prefix-list'], ['security_groups', 'security-group'],
  ['source_security_group_id', 'security-group'], ['cidr_ipv4', 'cidr'], ['cidr_ipv6', 'cidr'], ['prefix_list_id', 'prefix-list'],
  ['referenced_security_group_id', 'security-group'],
];

function tfRule(
  ev: TfEvaluator, text: string, block: TfBlock, fieldsFor: (ev: TfEvaluator) => TfFields, scope: TfScope, direction: Direction,
  resource: string, label: string, range: OffsetRange, group: string | null,
): SgRule {
  const fields = fieldsFor(ev);
  const type = block.labels[0]?.value ?? '';
  const protoValue = fields.get(type.startsWith('aws_vpc_') ? 'ip_protocol' : 'protocol', scope);
  const protos = tfScalars(protoValue, parseProtocol);
  const fromValue = fields.get('from_port', scope);
  const toValue = fields.get('to_port', scope);
  const froms = tfScalars(fromValue, parsePort);
  const tos = tfScalars(toValue, parsePort);
  const traffic = product(protos, froms, tos, (p, f, t) =>
    makeTraffic(p.value, f.value, t.value, p.range, spanRanges(f.range, t.range, text)));

  const peers: Peer[] = [];
  for (const [name, kind] of TF_INGRESS_PEERS) {
    const v = fields.get(name, scope);
    if (!v) continue;
    const single = name === 'cidr_ipv4' || name === 'cidr_ipv6' || name === 'prefix_list_id' || name.endsWith('security_group_id');
    const elements = single ? { items: alternatives(v).filter((a) => a.kind !== 'unknown'), unknown: alternatives(v).some((a) => a.kind === 'unknown') } : listElements(v);
    for (const item of elements.items) {
      if (item.kind !== 'known' || item.value === null) {
        if (item.kind !== 'known') peers.push({ kind: 'unknown', text: name, range: item.range });
        continue;
      }
      if (kind === 'cidr') peers.push(cidrPeer(String(item.value), item.range));
      else peers.push({ kind, text: String(item.value), range: item.range } as Peer);
    }
    if (elements.unknown) peers.push({ kind: kind === 'cidr' ? 'unknown' : kind, text: name, range: v.range } as Peer);
  }
  const self = fields.get('self', scope);
  if (alternatives(self).some((a) => a.kind === 'known' && a.value === true)) peers.push({ kind: 'self', text: 'self', range: self!.range });
  return sgRule('terraform', direction, resource, group, label, range, traffic, peers, false);
}

function tfScalars<T>(v: TfValue | undefined, parse: (v: string | number | boolean | null) => T | null): { value: T | null | undefined; range: OffsetRange | null }[] {
  if (!v) return [{ value: undefined, range: null }];
  const out: { value: T | null | undefined; range: OffsetRange | null }[] = [];
  for (const a of alternatives(v)) {
    if (a.kind === 'known') out.push({ value: parse(a.value), range: a.range });
    else out.push({ value: undefined, range: a.range });
  }
  return out;
}

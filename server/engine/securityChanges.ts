/**
 * Security-relevant changes between two versions of a CloudFormation template,
 * computed with `@aws-cdk/cloudformation-diff` (the same analysis `cdk diff` shows
 * as "IAM Statement Changes" and "Security Group Changes"), and mapped back to
 * their place in the new file.
 *
 * The library answers *what* changed (statements and rules as values, keyed by
 * rendered logical ids); it does not know where they are written. We find each
 * added statement / rule among the candidates of the new template (every policy
 * `Statement` entry, inline and standalone security group rules, managed policy
 * ARNs) and take that candidate's source range.
 *
 * The library loads a 2.6 MB service database on first use; it is required lazily
 * so that linting without a base never pays for it.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type YAMLMap } from 'yaml';
import { BlockList, isIP } from 'node:net';
import { stripVTControlCharacters } from 'node:util';
import type { TemplateDiff } from '@aws-cdk/cloudformation-diff';
import type { Statement } from '@aws-cdk/cloudformation-diff/lib/iam/statement';
import type { SecurityGroupRule } from '@aws-cdk/cloudformation-diff/lib/network/security-group-rule';
import type { ManagedPolicyAttachment } from '@aws-cdk/cloudformation-diff/lib/iam/managed-policy';
import type { CfnTemplate } from './cloudformation/model';
import { getPair, nodeRange } from './cloudformation/nodes';
import type { OffsetRange } from './types';
import { offsetRange } from './offsetRange';

type CfnDiff = typeof import('@aws-cdk/cloudformation-diff');
type StatementModule = typeof import('@aws-cdk/cloudformation-diff/lib/iam/statement');
type RuleModule = typeof import('@aws-cdk/cloudformation-diff/lib/network/security-group-rule');
type RenderModule = typeof import('@aws-cdk/cloudformation-diff/lib/render-intrinsics');

let lib: { diff: CfnDiff; statement: StatementModule; rule: RuleModule; render: RenderModule } | undefined;
function cfnDiff() {
  // Static strings so that esbuild bundles them.
  lib ??= {
    diff: require('@aws-cdk/cloudformation-diff') as CfnDiff,
    statement: require('@aws-cdk/cloudformation-diff/lib/iam/statement') as StatementModule,
    rule: require('@aws-cdk/cloudformation-diff/lib/network/security-group-rule') as RuleModule,
    render: require('@aws-cdk/cloudformation-diff/lib/render-intrinsics') as RenderModule,
  };
  return lib;
}

export type ChangeKind =
  | 'iam-statement'
  | 'iam-deny-removed'
  | 'managed-policy'
  | 'sg-ingress'
  | 'sg-egress'
  | 'identity-center';

/** One change that widens access, placed in the new file. */
export interface BroadeningChange {
  kind: ChangeKind;
  /** `added`: nothing like it before; `widened`: replaces a narrower entry of the same place. */
  how: 'added' | 'widened' | 'removed';
  range: OffsetRange;
  /** Logical id of the resource that holds it, when known. */
  resource: string | null;
  /** Human-readable one-liner of the statement / rule / attachment. */
  summary: string;
}

export interface SecurityChanges {
  /** The library's diff, for its table formatters. */
  diff: TemplateDiff;
  /** What widens access, in file order. */
  broadening: BroadeningChange[];
}

/** Limits work on hostile input (alias bombs): a template bigger than this is not compared. */
const MAX_NODES = 500_000;

/** The template is too large (or an alias bomb) to compare. */
export class TooLarge extends Error {}

/**
 * The template as CloudFormation sees it: short-form tags (`!Ref X`, `!GetAtt A.b`)
 * become their long JSON forms, aliases are resolved.
 */
export function templateToJson(tpl: CfnTemplate): Record<string, unknown> {
  const budget = { left: MAX_NODES };
  const out = toJson(tpl.root, tpl.doc, budget, 0);
  return out && typeof out === 'object' && !Array.isArray(out) ? (out as Record<string, unknown>) : {};
}

function toJson(node: Node | null | undefined, doc: Document, budget: { left: number }, depth: number): unknown {
  if (!node) return null;
  if (--budget.left < 0 || depth > 200) throw new TooLarge('template too large to compare');
  let n: Node = node;
  for (let i = 0; i < 16 && isAlias(n); i++) {
    const target = n.resolve(doc) as Node | undefined;
    if (!target) return null;
    n = target;
  }
  const tag = (n as { tag?: string }).tag;
  let value: unknown;
  if (isMap(n)) {
    const obj: Record<string, unknown> = {};
    for (const p of n.items) {
      const k = isScalar(p.key) ? String(p.key.value) : String(p.key);
      obj[k] = toJson(p.value as Node | null, doc, budget, depth + 1);
    }
    value = obj;
  } else if (isSeq(n)) {
    value = n.items.map((it) => toJson(it as Node, doc, budget, depth + 1));
  } else if (isScalar(n)) {
    value = n.value;
  } else {
    value = null;
  }
  if (tag && tag.startsWith('!') && !tag.startsWith('!!')) {
    const fn = tag.slice(1);
    if (fn === 'GetAtt' && typeof value === 'string') {
      const dot = value.indexOf('.');
      value = dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
    }
    return fn === 'Ref' || fn === 'Condition' ? { [fn]: value } : { [`Fn::${fn}`]: value };
  }
  return value;
}

type Path = (string | number)[];

/** The source node at a JSON path of `templateToJson`'s output (long-form intrinsic keys step over tags). */
function nodeAt(tpl: CfnTemplate, path: Path): Node | null {
  let n: Node | null = tpl.root;
  for (const step of path) {
    if (!n) return null;
    for (let i = 0; i < 16 && isAlias(n); i++) n = (n.resolve(tpl.doc) as Node | undefined) ?? null;
    if (!n) return null;
    const tag: string | undefined = (n as { tag?: string }).tag;
    if (typeof step === 'string' && tag && tag.startsWith('!') && !tag.startsWith('!!')
      && (step === tag.slice(1) || step === `Fn::${tag.slice(1)}`)) continue;
    if (typeof step === 'number') {
      n = isSeq(n) ? ((n.items[step] as Node | undefined) ?? null) : null;
    } else {
      n = isMap(n) ? ((getPair(n as YAMLMap, step)?.value as Node | undefined) ?? null) : null;
    }
  }
  return n;
}

function keyRangeAt(tpl: CfnTemplate, path: Path): OffsetRange | null {
  if (!path.length) return null;
  const parent = nodeAt(tpl, path.slice(0, -1));
  const last = path[path.length - 1];
  if (typeof last === 'string' && parent && isMap(parent)) {
    const pair = getPair(parent as YAMLMap, last);
    if (pair) return nodeRange(pair.key as Node);
  }
  return nodeRange(nodeAt(tpl, path));
}

interface Candidate<T> {
  value: T;
  path: Path;
  resource: string;
  used: number;
}

const obj = (x: unknown): Record<string, unknown> | null => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : null);

/** Every policy statement written anywhere in the resources, with its JSON path. */
function statementCandidates(json: Record<string, unknown>): Candidate<unknown>[] {
  const out: Candidate<unknown>[] = [];
  const resources = obj(json.Resources) ?? {};
  const walk = (x: unknown, path: Path, resource: string, depth: number): void => {
    if (depth > 60) return;
    if (Array.isArray(x)) x.forEach((v, i) => walk(v, [...path, i], resource, depth + 1));
    else if (obj(x)) {
      for (const [k, v] of Object.entries(x as Record<string, unknown>)) {
        if (k === 'Statement') {
          if (Array.isArray(v)) v.forEach((s, i) => out.push({ value: s, path: [...path, k, i], resource, used: 0 }));
          else out.push({ value: v, path: [...path, k], resource, used: 0 });
        } else walk(v, [...path, k], resource, depth + 1);
      }
    }
  };
  for (const [id, res] of Object.entries(resources)) {
    const r = obj(res);
    if (!r) continue;
    if (r.Type === 'AWS::Lambda::Permission') out.push({ value: { __lambda: r.Properties }, path: ['Resources', id], resource: id, used: 0 });
    walk(r.Properties, ['Resources', id, 'Properties'], id, 0);
  }
  return out;
}

function ruleCandidates(json: Record<string, unknown>, dir: 'ingress' | 'egress'): Candidate<SecurityGroupRule>[] {
  const { rule, render } = cfnDiff();
  const out: Candidate<SecurityGroupRule>[] = [];
  const key = dir === 'ingress' ? 'SecurityGroupIngress' : 'SecurityGroupEgress';
  const standalone = dir === 'ingress' ? 'AWS::EC2::SecurityGroupIngress' : 'AWS::EC2::SecurityGroupEgress';
  for (const [id, res] of Object.entries(obj(json.Resources) ?? {})) {
    const r = obj(res);
    const props = obj(r?.Properties);
    if (!r || !props) continue;
    if (r.Type === 'AWS::EC2::SecurityGroup' && Array.isArray(props[key])) {
      (props[key] as unknown[]).forEach((item, i) => {
        const rendered = render.renderIntrinsics(item);
        if (rendered && typeof rendered === 'object') {
          out.push({ value: new rule.SecurityGroupRule(rendered, `\${${id}.GroupId}`), path: ['Resources', id, 'Properties', key, i], resource: id, used: 0 });
        }
      });
    } else if (r.Type === standalone) {
      out.push({ value: new rule.SecurityGroupRule(render.renderIntrinsics(props)), path: ['Resources', id], resource: id, used: 0 });
    }
  }
  return out;
}

function managedPolicyCandidates(json: Record<string, unknown>): Candidate<{ identity: string; arn: unknown }>[] {
  const { render } = cfnDiff();
  const out: Candidate<{ identity: string; arn: unknown }>[] = [];
  for (const [id, res] of Object.entries(obj(json.Resources) ?? {})) {
    const props = obj(obj(res)?.Properties);
    if (!props) continue;
    for (const key of ['ManagedPolicyArns', 'ManagedPolicies']) {
      const v = props[key];
      if (Array.isArray(v)) {
        v.forEach((arn, i) => out.push({ value: { identity: `\${${id}}`, arn: render.renderIntrinsics(arn) }, path: ['Resources', id, 'Properties', key, i], resource: id, used: 0 }));
      } else if (v !== undefined) {
        out.push({ value: { identity: `\${${id}}`, arn: render.renderIntrinsics(v) }, path: ['Resources', id, 'Properties', key], resource: id, used: 0 });
      }
    }
  }
  return out;
}

// --- comparing statements ----------------------------------------------------------

function rendered(s: Statement): { resource: string; effect: string; action: string; principal: string; condition: string } {
  return s.render();
}

/** The parts of a statement that the library never rewrites (it fills empty or `*` principals / resources). */
function fixedKey(s: Statement): string {
  const r = rendered(s);
  return JSON.stringify([s.sid ?? null, s.effect, s.actions.not, [...s.actions.values].sort(), s.condition ?? null, r.effect === '' ? r.resource : null]);
}

function targetsCompatible(lib: { values: string[]; not: boolean }, mine: { values: string[]; not: boolean }): boolean {
  if (mine.values.length === 0 || mine.values.includes('*')) return true;
  return lib.not === mine.not && lib.values.length === mine.values.length && [...lib.values].sort().every((v, i) => v === [...mine.values].sort()[i]);
}

function parseCandidate(raw: unknown): Statement[] {
  const { statement, render } = cfnDiff();
  const o = obj(raw);
  if (o && '__lambda' in o) return [statement.parseLambdaPermission(render.renderIntrinsics(o.__lambda ?? {}))];
  return statement.parseStatements(render.renderIntrinsics(raw));
}

/** Mentions of `${Id}` / `${Id.Attr}` in a rendered statement: which resource it belongs to. */
function mentions(text: string, id: string): boolean {
  return text.includes(`\${${id}}`) || text.includes(`\${${id}.`);
}

function glob(pattern: string, value: string, caseInsensitive: boolean): boolean {
  if (pattern === '*') return true;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, caseInsensitive ? 'si' : 's');
  return re.test(value);
}

function targetsCover(wide: { values: string[]; not: boolean }, narrow: { values: string[]; not: boolean }, caseInsensitive: boolean): boolean {
  if (wide.not || narrow.not) {
    return wide.not === narrow.not && wide.values.length === narrow.values.length && wide.values.every((v) => narrow.values.includes(v));
  }
  if (wide.values.length === 0) return narrow.values.length === 0;
  return narrow.values.every((n) => wide.values.some((w) => glob(w, n, caseInsensitive)));
}

function principalsCover(wide: { values: string[]; not: boolean }, narrow: { values: string[]; not: boolean }): boolean {
  if (wide.not || narrow.not) return targetsCover(wide, narrow, false);
  if (wide.values.includes('*') || wide.values.includes('AWS:*')) return true;
  return narrow.values.every((n) => wide.values.includes(n));
}

function conditionCovers(wide: unknown, narrow: unknown): boolean {
  const w = obj(wide);
  if (!w || Object.keys(w).length === 0) return true;
  return JSON.stringify(wide) === JSON.stringify(narrow);
}

/** `wide` allows at least everything `narrow` allows (same effect). */
function statementCovers(wide: Statement, narrow: Statement): boolean {
  if (wide.effect !== narrow.effect || wide.effect === 'Unknown') return false;
  return targetsCover(wide.actions, narrow.actions, true)
    && targetsCover(wide.resources, narrow.resources, false)
    && principalsCover(wide.principals, narrow.principals)
    && conditionCovers(wide.condition, narrow.condition);
}

function describeStatement(s: Statement, principals = s.principals.values): string {
  const r = rendered(s);
  if (r.effect === '') return `conditional statement ${r.resource}`;
  const list = (t: { values: string[]; not: boolean }): string => (t.not ? t.values.map((v) => `NOT ${v}`) : t.values).join(', ');
  let out = `${s.effect} ${list(s.actions) || '(no action)'}`;
  if (s.resources.values.length) out += ` on ${list(s.resources)}`;
  if (principals.length) out += ` for ${list({ values: [...principals].sort(), not: s.principals.not })}`;
  if (s.condition && Object.keys(s.condition as object).length) out += ` when ${JSON.stringify(s.condition)}`;
  return out;
}

// --- security group rules ---------------------------------------------------------------

const PROTOCOL_NAMES: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };
const proto = (p: string): string => PROTOCOL_NAMES[p] ?? p.toLowerCase();

function cidrCovers(wide: string, narrow: string): boolean {
  if (wide === narrow) return true;
  const [wAddr, wLen] = wide.split('/');
  const [nAddr, nLen] = narrow.split('/');
  const wType = isIP(wAddr);
  if (!wType || wType !== isIP(nAddr)) return false;
  const family = wType === 4 ? 'ipv4' : 'ipv6';
  const wPrefix = Number(wLen ?? (wType === 4 ? 32 : 128));
  const nPrefix = Number(nLen ?? (wType === 4 ? 32 : 128));
  if (!Number.isInteger(wPrefix) || !Number.isInteger(nPrefix) || nPrefix < wPrefix) return false;
  try {
    const bl = new BlockList();
    bl.addSubnet(wAddr, wPrefix, family);
    return bl.check(nAddr, family);
  } catch {
    return false;
  }
}

function ruleCovers(wide: SecurityGroupRule, narrow: SecurityGroupRule): boolean {
  if (wide.groupId !== narrow.groupId) return false;
  const wp = proto(wide.ipProtocol);
  const np = proto(narrow.ipProtocol);
  if (wp !== '-1' && wp !== np) return false;
  if (wp !== '-1') {
    const all = (r: SecurityGroupRule) => r.fromPort === undefined || r.fromPort === -1;
    if (!all(wide)) {
      if (all(narrow)) return false;
      if ((wide.fromPort ?? 0) > (narrow.fromPort ?? 0) || (wide.toPort ?? 65535) < (narrow.toPort ?? narrow.fromPort ?? 0)) return false;
    }
  }
  const a = wide.peer;
  const b = narrow.peer;
  if (!a || !b) return a === b;
  if (a.kind === 'cidr-ip' && b.kind === 'cidr-ip') return cidrCovers(a.ip, b.ip);
  return JSON.stringify(a) === JSON.stringify(b);
}

function describeRule(r: SecurityGroupRule, dir: 'ingress' | 'egress'): string {
  return `${r.describeProtocol()} ${dir === 'ingress' ? 'from' : 'to'} ${r.describePeer()} on ${r.groupId}`;
}

// --- the analysis --------------------------------------------------------------------------

/**
 * Compares `base` (the template at the git base; `null` when the file is new) with
 * `current`. Throws only on templates too large to compare.
 */
export function securityChanges(base: CfnTemplate | null, current: CfnTemplate): SecurityChanges {
  const { diff: cfd } = cfnDiff();
  const baseJson = base ? templateToJson(base) : {};
  const curJson = templateToJson(current);
  const diff = cfd.fullDiff(baseJson, curJson);
  const found: BroadeningChange[] = [];
  const resourcesKey = keyRangeAt(current, ['Resources']) ?? offsetRange(0, 0);
  const resourceIds = Object.keys(obj(curJson.Resources) ?? {});
  const placeOfResource = (text: string): { range: OffsetRange; resource: string | null } => {
    const id = resourceIds.find((r) => mentions(text, r));
    return id ? { range: keyRangeAt(current, ['Resources', id]) ?? resourcesKey, resource: id } : { range: resourcesKey, resource: null };
  };
  const at = (path: Path): OffsetRange => {
    // A whole resource (a standalone rule, a Lambda permission) is shown by its logical id.
    const r = (path.length === 2 ? keyRangeAt(current, path) : nodeRange(nodeAt(current, path))) ?? resourcesKey;
    // Block nodes end after their last line break; end the range on the last character instead.
    let end = r.end;
    while (end > r.start && /\s/.test(current.text[end - 1])) end--;
    return offsetRange(r.start, end);
  };

  // IAM statements.
  const iam = diff.iamChanges;
  // Candidates are parsed only when something was added, and indexed by the parts the library keeps.
  let byKey: Map<string, { cand: Candidate<unknown>; parsed: Statement }[]> | undefined;
  const candidatesFor = (key: string) => {
    if (!byKey) {
      byKey = new Map();
      for (const cand of statementCandidates(curJson)) {
        for (const parsed of parseCandidate(cand.value)) {
          const k = fixedKey(parsed);
          const list = byKey.get(k) ?? [];
          list.push({ cand, parsed });
          byKey.set(k, list);
        }
      }
    }
    return byKey.get(key) ?? [];
  };
  const additions = iam.statements.additions;
  const removals = iam.statements.removals;
  const reported = new Map<Candidate<unknown>, { change: BroadeningChange; principals: Set<string> }>();
  for (const s of additions) {
    if (s.effect === 'Deny') continue;
    if (removals.some((r) => statementCovers(r, s))) continue;
    const text = JSON.stringify(rendered(s));
    const key = fixedKey(s);
    const fits = [...new Set(candidatesFor(key)
      .filter((c) => targetsCompatible(s.principals, c.parsed.principals) && targetsCompatible(s.resources, c.parsed.resources))
      .map((c) => c.cand))];
    const cand = fits.find((c) => mentions(text, c.resource) && !reported.has(c)) ?? fits.find((c) => !reported.has(c)) ?? fits[0];
    const seen = cand && reported.get(cand);
    if (seen) {
      // One written statement granted to several principals (`AWS::IAM::Policy` `Roles: [a, b]`): one finding.
      for (const p of s.principals.values) seen.principals.add(p);
      seen.change.summary = describeStatement(s, [...seen.principals]);
      continue;
    }
    const widened = removals.some((r) => r.effect === s.effect && (
      (r.sid !== undefined && r.sid === s.sid)
      || (r.principals.equal(s.principals) && r.resources.equal(s.resources))
      || (r.principals.equal(s.principals) && r.actions.equal(s.actions))));
    const place = cand ? { range: at(cand.path), resource: cand.resource } : placeOfResource(text);
    const change: BroadeningChange = { kind: 'iam-statement', how: widened ? 'widened' : 'added', ...place, summary: describeStatement(s) };
    if (cand) reported.set(cand, { change, principals: new Set(s.principals.values) });
    found.push(change);
  }
  for (const r of removals) {
    if (r.effect !== 'Deny') continue;
    if (additions.some((a) => statementCovers(a, r))) continue;
    found.push({ kind: 'iam-deny-removed', how: 'removed', ...placeOfResource(JSON.stringify(rendered(r))), summary: describeStatement(r) });
  }

  // Managed policies.
  const mps = iam.managedPolicies.additions.length ? managedPolicyCandidates(curJson) : [];
  for (const att of iam.managedPolicies.additions as ManagedPolicyAttachment[]) {
    const cand = mps.find((c) => !c.used && c.value.identity === att.identityArn && JSON.stringify(c.value.arn) === JSON.stringify(att.managedPolicyArn));
    if (cand) cand.used++;
    const place = cand ? { range: at(cand.path), resource: cand.resource } : placeOfResource(att.identityArn);
    found.push({ kind: 'managed-policy', how: 'added', ...place, summary: `managed policy ${att.managedPolicyArn} attached to ${att.identityArn}` });
  }

  // IAM Identity Center.
  for (const [label, coll] of [
    ['permission set', iam.ssoPermissionSets],
    ['assignment', iam.ssoAssignments],
    ['access control attributes', iam.ssoInstanceACAConfigs],
  ] as const) {
    for (const a of coll.additions as { cfnLogicalId?: string }[]) {
      found.push({ kind: 'identity-center', how: 'added', ...placeOfResource(a.cfnLogicalId ?? ''), summary: `IAM Identity Center ${label} ${a.cfnLogicalId ?? ''}`.trim() });
    }
  }

  // Security group rules.
  const sg = diff.securityGroupChanges;
  for (const dir of ['ingress', 'egress'] as const) {
    const coll = sg[dir];
    const cands = coll.additions.length ? ruleCandidates(curJson, dir) : [];
    for (const rule of coll.additions) {
      if (coll.removals.some((r) => ruleCovers(r, rule))) continue;
      const cand = cands.find((c) => !c.used && c.value.equal(rule));
      if (cand) cand.used++;
      const widened = coll.removals.some((r) => r.groupId === rule.groupId && (ruleCovers(rule, r)));
      const place = cand ? { range: at(cand.path), resource: cand.resource } : placeOfResource(rule.groupId);
      found.push({ kind: dir === 'ingress' ? 'sg-ingress' : 'sg-egress', how: widened ? 'widened' : 'added', ...place, summary: describeRule(rule, dir) });
    }
  }

  found.sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end);
  return { diff, broadening: found };
}

/**
 * Loads the library and its service database (about half a second, once), so that
 * an editor can pay for it at start-up rather than on the first keystroke.
 */
export function warmUp(): void {
  cfnDiff().diff.fullDiff({}, { Resources: { R: { Type: 'AWS::IAM::Role', Properties: {} } } });
}

/** The library's "IAM Statement Changes" / "Security Group Changes" tables for a diff, as text. */
export function formatSecurityTables(diff: TemplateDiff, colors: boolean): string {
  const { diff: cfd } = cfnDiff();
  let text = '';
  const sink = {
    write(chunk: string | Uint8Array, encodingOrCb?: unknown, cb?: unknown): boolean {
      text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const done = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
      if (typeof done === 'function') (done as () => void)();
      return true;
    },
    columns: 120,
  };
  cfd.formatSecurityChanges(sink as unknown as NodeJS.WritableStream, diff);
  // The library colours with chalk by its own TTY detection; we decide for our streams.
  return colors ? text : stripVTControlCharacters(text);
}

/**
 * Shared reporting for the security group rules: findings are grouped by the
 * range they underline, so a value judged several times (a `for_each` instance,
 * each branch of a condition, each protocol/port combination) gives one finding.
 */
import type { BaseContext } from '../../server/engine/rule';
import type { OffsetRange } from '../../server/engine/types';
import { adminServices, describeTraffic, rangeKey, type SgRule, type Traffic } from './securityGroups';

export interface Bucket<T> {
  range: OffsetRange;
  rule: SgRule;
  items: T[];
}

export class Buckets<T> {
  private readonly map = new Map<string, Bucket<T>>();

  add(range: OffsetRange, rule: SgRule, item: T): void {
    const k = rangeKey(range);
    const b = this.map.get(k);
    if (b) b.items.push(item);
    else this.map.set(k, { range, rule, items: [item] });
  }

  report(ctx: BaseContext, message: (b: Bucket<T>) => string): void {
    for (const b of this.map.values()) ctx.report({ range: b.range, resource: b.rule.resource, message: message(b) });
  }
}

/** `SSH (TCP 22)`, `RDP (TCP 3389)`, `TCP 0-65535 (includes SSH 22 and RDP 3389)`, `all traffic (...)`. */
export function describeWithServices(t: Traffic): string {
  const base = describeTraffic(t);
  const svc = adminServices(t);
  if (svc.length === 1 && t.ports && t.ports.from === t.ports.to && t.protocol?.name !== 'all') return `${svc[0].name} (${base})`;
  if (svc.length === 0) return base;
  return `${base} (includes ${svc.map((s) => `${s.name} on ${s.port}`).join(' and ')})`;
}

/** Unique descriptions of a list of traffic, joined for a message. */
export function describeAll(traffic: readonly Traffic[], describe: (t: Traffic) => string = describeWithServices): string {
  const parts = [...new Set(traffic.map(describe))];
  if (parts.length <= 1) return parts[0] ?? 'traffic';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** `0.0.0.0/0 (any IPv4 address)`. */
export function describeAnyAddress(text: string, version: 4 | 6): string {
  return `${text} (any ${version === 4 ? 'IPv4' : 'IPv6'} address)`;
}

/** `65536` → `65,536` (Intl is slow when called per finding). */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

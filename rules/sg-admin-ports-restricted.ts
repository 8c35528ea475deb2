import { defineRule, type BaseContext } from '../server/engine/rule';
import { Buckets, thousands } from './lib/sgReport';
import { adminServices, isAnyAddress, isSingleHost, withinAny, type Peer, type SgRule } from './lib/securityGroups';
import { securityGroupRuleHandlers } from './lib/sgMemo';

function check(ctx: BaseContext, rules: readonly SgRule[]): void {
  const found = new Buckets<{ peer: Peer & { kind: 'cidr' }; services: string[] }>();
  for (const rule of rules) {
    if (rule.direction !== 'ingress') continue;
    // The distinct services in order of first mention (what a Set of them gives), without the lists per rule.
    let services: string[] | null = null;
    for (const t of rule.traffic) {
      for (const s of adminServices(t)) {
        const name = `${s.name} (${s.port})`;
        if (services === null) services = [name];
        else if (!services.includes(name)) services.push(name);
      }
    }
    if (services === null) continue;
    for (const peer of rule.peers) {
      if (peer.kind !== 'cidr' || isSingleHost(peer) || withinAny(peer, ctx.options.adminCidrs)) continue;
      found.add(peer.range, rule, { peer, services });
    }
  }
  found.report(ctx, (b) => {
    const services = [...new Set(b.items.flatMap((i) => i.services))].join(' and ');
    const where = b.rule.label === b.rule.resource ? b.rule.resource : `${b.rule.resource} (${b.rule.label})`;
    const who = [...new Set(b.items.map(({ peer }) => (isAnyAddress(peer) ? `${peer.text} (the whole internet)` : `${peer.text} (${describeSize(peer)})`)))].join(' and ');
    const v6 = b.items.some(({ peer }) => peer.version === 6);
    return `${where} lets ${who} reach ${services}. Allow admin access only from specific addresses: single hosts (/32${v6 ? ' or /128' : ''}) such as a bastion, or the networks listed in options.adminCidrs.`;
  });
}

function describeSize(p: Peer & { kind: 'cidr' }): string {
  const bits = (p.version === 4 ? 32 : 128) - p.prefix;
  if (p.version === 4) return `${thousands(2 ** bits)} addresses`;
  return `2^${bits} addresses`;
}

export default defineRule({
  id: 'sg-admin-ports-restricted',
  severity: 'warning',
  seed: '000 EC2: a bastion allows RDP/SSH only from specific whitelisted IP addresses',
  description: 'SSH (22) and RDP (3389) must be reachable only from single hosts or the configured admin networks (options.adminCidrs).',
  fixable: false,
  ...securityGroupRuleHandlers(check),
});

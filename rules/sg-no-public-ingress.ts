import { defineRule, type BaseContext } from '../server/engine/rule';
import { Buckets, describeAll, describeAnyAddress } from './lib/sgReport';
import { adminServices, isAnyAddress, type Peer, type SgRule, type Traffic } from './lib/securityGroups';
import { securityGroupRuleHandlers } from './lib/sgMemo';

/** The traffic is limited to ports the user allows to be public. Unknown ports may be such a port. */
function exempt(t: Traffic, publicPorts: readonly number[]): boolean {
  if (publicPorts.length === 0) return false;
  if (!t.protocol || t.ports === undefined) return true;
  if (t.protocol.name !== 'tcp' && t.protocol.name !== 'udp') return false;
  if (!t.ports || t.ports.to - t.ports.from > 65535) return false;
  for (let p = t.ports.from; p <= t.ports.to; p++) if (!publicPorts.includes(p)) return false;
  return true;
}

function check(ctx: BaseContext, rules: readonly SgRule[]): void {
  const found = new Buckets<{ peer: Peer & { kind: 'cidr' }; traffic: Traffic[] }>();
  for (const rule of rules) {
    if (rule.direction !== 'ingress') continue;
    for (const peer of rule.peers) {
      if (!isAnyAddress(peer) || peer.kind !== 'cidr') continue;
      const open = rule.traffic.filter((t) => !exempt(t, ctx.options.publicPorts));
      if (open.length) found.add(peer.range, rule, { peer, traffic: open });
    }
  }
  found.report(ctx, (b) => {
    const traffic = b.items.flatMap((i) => i.traffic);
    const known = traffic.filter((t) => t.protocol);
    const peers = [...new Set(b.items.map((i) => describeAnyAddress(i.peer.text, i.peer.version)))].join(' and ');
    const admin = [...new Set(known.flatMap((t) => adminServices(t).map((s) => s.name)))];
    const what = known.length ? describeAll(known) : 'traffic';
    const where = b.rule.label === b.rule.resource ? b.rule.resource : `${b.rule.resource} (${b.rule.label})`;
    const head = `${where} allows ${what} from ${peers}: open to the whole internet.`;
    if (admin.length) {
      return `${head} Do not expose ${admin.join(' or ')} to the internet: reach instances through Systems Manager Session Manager, or allow only specific admin addresses.`;
    }
    return `${head} Allow only the networks that need it; if the port must be public (e.g. 443 on a load balancer), list it in options.publicPorts.`;
  });
}

export default defineRule({
  id: 'sg-no-public-ingress',
  severity: 'error',
  seed: '000 EC2: do not create security groups that open any traffic to the internet',
  description: 'Security group ingress must not allow 0.0.0.0/0 or ::/0 (ports in options.publicPorts are exempt).',
  fixable: false,
  ...securityGroupRuleHandlers(check),
});

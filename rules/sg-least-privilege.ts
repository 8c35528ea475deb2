import { defineRule, type BaseContext } from '../server/engine/rule';
import { Buckets, thousands } from './lib/sgReport';
import { describeTraffic, portCount, trafficRange, type SgRule, type Traffic } from './lib/securityGroups';
import { securityGroupRuleHandlers } from './lib/sgMemo';

function check(ctx: BaseContext, rules: readonly SgRule[]): void {
  const max = ctx.options.maxPortRange;
  const found = new Buckets<{ traffic: Traffic; all: boolean }>();
  for (const rule of rules) {
    if (rule.direction !== 'ingress') continue;
    for (const t of rule.traffic) {
      if (t.protocol?.name === 'all') found.add(trafficRange(t, rule), rule, { traffic: t, all: true });
      else if ((portCount(t) ?? 0) > max) found.add(trafficRange(t, rule), rule, { traffic: t, all: false });
    }
  }
  found.report(ctx, (b) => {
    const where = b.rule.label === b.rule.resource ? b.rule.resource : `${b.rule.resource} (${b.rule.label})`;
    if (b.items.some((i) => i.all)) {
      return `${where} allows all protocols on all ports (protocol -1). Allow only the protocol and ports the service needs.`;
    }
    const t = b.items[0].traffic;
    return `${where} opens ${thousands(portCount(t)!)} ports (${describeTraffic(t)}), more than ${thousands(max)} (options.maxPortRange). Open only the ports the service listens on.`;
  });
}

export default defineRule({
  id: 'sg-least-privilege',
  severity: 'warning',
  seed: '000 EC2: implement the least permissive rules for your security groups',
  description: 'Security group ingress must name a protocol and a port range no wider than options.maxPortRange (default 1024 ports).',
  fixable: false,
  ...securityGroupRuleHandlers(check),
});

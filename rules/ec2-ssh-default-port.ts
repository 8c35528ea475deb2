import { defineRule, type BaseContext } from '../server/engine/rule';
import { Buckets } from './lib/sgReport';
import { allPorts, describeTraffic, opensPort, trafficRange, type SgRule, type Traffic } from './lib/securityGroups';
import { securityGroupRuleHandlers } from './lib/sgMemo';

function check(ctx: BaseContext, rules: readonly SgRule[]): void {
  const found = new Buckets<Traffic>();
  for (const rule of rules) {
    if (rule.direction !== 'ingress') continue;
    // A rule opening every port is sg-least-privilege's: moving SSH to another port would close nothing there.
    for (const t of rule.traffic) if (opensPort(t, 'tcp', 22) && !allPorts(t)) found.add(trafficRange(t, rule), rule, t);
  }
  found.report(ctx, (b) => {
    const where = b.rule.label === b.rule.resource ? b.rule.resource : `${b.rule.resource} (${b.rule.label})`;
    const t = b.items[0];
    const what = t.protocol?.name === 'tcp' && t.ports?.from === 22 && t.ports.to === 22
      ? 'opens TCP 22, the default SSH port'
      : `opens ${describeTraffic(t)}, which includes TCP 22, the default SSH port`;
    return `${where} ${what}. Run SSH on a non-standard port so casual scans do not find it, or use Session Manager and open no SSH port at all.`;
  });
}

export default defineRule({
  id: 'ec2-ssh-default-port',
  severity: 'info',
  seed: '003 EC2 key pairs: change SSH from port 22 to a non standard port',
  description: 'Security group ingress opens TCP 22 (alone or in a port range): move SSH to a non-standard port, or use Session Manager.',
  fixable: false,
  ...securityGroupRuleHandlers(check),
});

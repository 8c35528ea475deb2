import { defineRule, type BaseContext } from '../server/engine/rule';
import { Buckets, describeAll, describeAnyAddress } from './lib/sgReport';
import { allPorts, describeTraffic, isAnyAddress, type Peer, type SgRule, type Traffic } from './lib/securityGroups';
import { securityGroupRuleHandlers } from './lib/sgMemo';

function check(ctx: BaseContext, rules: readonly SgRule[]): void {
  const found = new Buckets<{ peer: Peer & { kind: 'cidr' }; traffic: Traffic[] }>();
  for (const rule of rules) {
    if (rule.direction !== 'egress') continue;
    const wide = rule.traffic.filter(allPorts);
    if (wide.length === 0) continue;
    for (const peer of rule.peers) {
      if (peer.kind === 'cidr' && isAnyAddress(peer)) found.add(peer.range, rule, { peer, traffic: wide });
    }
  }
  found.report(ctx, (b) => {
    if (b.rule.implicit) {
      return `${b.rule.resource} declares ${b.rule.label}, so AWS adds a rule allowing all outbound traffic to any address. List the destinations and ports instances need (an egress rule to 127.0.0.1/32 removes the default when none are needed).`;
    }
    const peer = b.items[0].peer;
    const what = describeAll(b.items.flatMap((i) => i.traffic), describeTraffic);
    const where = b.rule.label === b.rule.resource ? b.rule.resource : `${b.rule.resource} (${b.rule.label})`;
    return `${where} allows ${what} out to ${describeAnyAddress(peer.text, peer.version)} on every port. Allow only the destinations and ports instances need (e.g. TCP 443 to the services they call).`;
  });
}

export default defineRule({
  id: 'sg-unrestricted-egress',
  severity: 'info',
  seed: '000 EC2: provide only required access; avoid accessing the internet from instances',
  description: 'Security group egress should not allow every port to 0.0.0.0/0 or ::/0, including the implicit allow-all egress of a CloudFormation group without egress rules.',
  fixable: false,
  ...securityGroupRuleHandlers(check),
});

import type { BaseContext } from '../server/engine/rule';
import { defineIamRule, type IamGraph } from './lib/iamGraph';
import { reportOnce } from './lib/report';

function check(ctx: BaseContext, g: IamGraph): void {
  const report = reportOnce(ctx);
  for (const k of g.accessKeys) {
    report(k, k.resource, `${k.resource}: a long-lived IAM access key. Prefer roles (instance profiles, task roles, OIDC federation for CI) that hand out temporary credentials; where a key must exist, rotate it regularly.`);
  }
}

export default defineIamRule({
  id: 'iam-access-keys',
  severity: 'warning',
  seed: '003 IAM: use roles for applications on EC2; rotate credentials regularly; do not share access using access keys',
  description: 'Long-lived IAM access keys should be avoided in favour of roles; keys that must exist need rotation.',
  fixable: false,
}, check);

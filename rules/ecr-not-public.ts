import type { BaseContext } from '../server/engine/rule';
import { defineIamRule, type IamGraph } from './lib/iamGraph';
import { conditionKeys, isAllow, wildcardPrincipals } from './lib/policy';
import { reportOnce } from './lib/report';

/** Condition keys that narrow who or where a request comes from (catalog Fine print). */
const RESTRICTING = new Set([
  'aws:principalorgid', 'aws:principalaccount', 'aws:sourceaccount', 'aws:sourcearn', 'aws:sourcevpc', 'aws:sourcevpce', 'aws:sourceip',
]);

function check(ctx: BaseContext, g: IamGraph): void {
  const report = reportOnce(ctx);
  for (const use of g.policies) {
    if (!use.ecr) continue;
    for (const st of use.doc.statements) {
      if (!isAllow(st) || st.conditionUnknown) continue;
      if (conditionKeys(st).some((k) => RESTRICTING.has(k))) continue;
      for (const p of wildcardPrincipals(st)) {
        report(p, use.resource, `${use.resource}: the repository policy allows principal '*' (anyone) with no condition on the caller's organization, account, source or network. Name the accounts or roles, or add an aws:PrincipalOrgID condition.`);
      }
    }
  }
}

export default defineIamRule({
  id: 'ecr-not-public',
  severity: 'error',
  seed: '000 ECR: ensure that repositories are not publicly exposed',
  description: 'An ECR repository policy must not allow principal "*" unless a condition restricts the caller (organization, account, source ARN, VPC, IP).',
  fixable: false,
}, check);

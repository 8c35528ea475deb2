import type { BaseContext } from '../server/engine/rule';
import { defineIamRule, type IamGraph } from './lib/iamGraph';
import { reportOnce } from './lib/report';

function check(ctx: BaseContext, g: IamGraph): void {
  const report = reportOnce(ctx);
  for (const s of g.userPolicySites) {
    report(s, s.resource, `${s.resource}: ${s.what}. Attach policies to a group and make the user a member, so that permissions follow the job, not the person.`);
  }
}

export default defineIamRule({
  id: 'iam-no-user-policies',
  severity: 'warning',
  seed: '003 IAM: use groups to assign permissions to IAM users',
  description: 'Policies should be attached to IAM groups (or roles), not straight to users.',
  fixable: false,
}, check);

import type { BaseContext } from '../server/engine/rule';
import { ADMIN_POLICY, defineIamRule, type IamGraph } from './lib/iamGraph';
import { adminGrants } from './lib/policy';
import { reportOnce } from './lib/report';

function check(ctx: BaseContext, g: IamGraph): void {
  const report = reportOnce(ctx);
  for (const use of g.policies) {
    // A document that names no wildcard grants no administrator access (`wildcardFree`): not read.
    if (use.kind === 'trust' || use.wildcardFree) continue;
    for (const st of use.doc.statements) {
      for (const grant of adminGrants(st)) {
        const message = grant.what === 'NotAction'
          ? `${use.resource}: Allow with NotAction on every resource grants every action except the listed ones: administrator access in all but name. Allow the actions needed instead.`
          : `${use.resource}: ${grant.what} on Resource '*' grants every action on every resource (administrator access). Grant only the actions and resources needed.`;
        report(grant, use.resource, message);
      }
    }
  }
  for (const a of g.managed) {
    if (a.awsManaged !== ADMIN_POLICY) continue;
    report(a, a.resource, `${a.resource}: attaches the AWS managed policy AdministratorAccess (every action on every resource). Attach a policy scoped to the job instead.`);
  }
}

export default defineIamRule({
  id: 'iam-no-admin-access',
  severity: 'error',
  seed: '003 IAM: grant least privilege; avoid assigning *:* policy',
  description: 'No IAM policy may grant every action on every resource: Action "*" on Resource "*", Allow with NotAction, or the AdministratorAccess managed policy.',
  fixable: false,
}, check);

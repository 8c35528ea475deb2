import type { BaseContext } from '../server/engine/rule';
import { defineIamRule, type IamGraph } from './lib/iamGraph';
import { reportOnce } from './lib/report';

function check(ctx: BaseContext, g: IamGraph): void {
  const report = reportOnce(ctx);
  for (const k of g.accessKeys) {
    const user = k.user.id ? g.principals.get(k.user.id) : undefined;
    if (!user?.loginProfile) continue;
    report(k.user, k.resource, `${k.resource}: access key for ${user.id}, which also has console access (${user.loginProfile.resource === user.id ? 'LoginProfile' : user.loginProfile.resource}). Keep programmatic access apart from console users: use a separate user or, better, a role.`);
  }
}

export default defineIamRule({
  id: 'iam-access-key-console-user',
  severity: 'error',
  seed: '000 IAM: access keys must not be linked to a user with AWS console access',
  description: 'Access keys must not be created for a user that also has console access (a login profile).',
  fixable: false,
}, check);

import type { BaseContext } from '../server/engine/rule';
import { defineIamRule, effectivePolicies, type IamGraph } from './lib/iamGraph';
import { deniesWithoutMfa } from './lib/policy';
import { reportOnce } from './lib/report';

function check(ctx: BaseContext, g: IamGraph, scope: 'template' | 'module'): void {
  const report = reportOnce(ctx);
  for (const p of g.principals.values()) {
    if (p.kind !== 'user' || !p.loginProfile) continue;
    const { policies, unknown } = effectivePolicies(g, p);
    // A policy or group whose content is not in view might enforce MFA: stay silent.
    if (unknown) continue;
    if (policies.some((a) => a.doc?.statements.some(deniesWithoutMfa))) continue;
    const groups = p.groups.size ? `its groups (${[...p.groups].join(', ')})` : `any group (it is in none in this ${scope})`;
    report(p.loginProfile, p.loginProfile.resource, `${p.id} has console access, but neither its policies nor ${groups} deny actions without MFA. Put console users in a group with a policy that denies everything but MFA setup when aws:MultiFactorAuthPresent is false.`);
  }
}

export default defineIamRule({
  id: 'iam-console-user-mfa',
  severity: 'warning',
  seed: '000 IAM: do not set up accounts with console access that do not have MFA enabled; 003: enable MFA for all users',
  description: 'A user with console access should be in a group (or have a policy) that denies actions without MFA (aws:MultiFactorAuthPresent).',
  fixable: false,
}, check);

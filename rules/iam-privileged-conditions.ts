import type { BaseContext } from '../server/engine/rule';
import { defineIamRule, type IamGraph } from './lib/iamGraph';
import { actionMatches, isAllActions, isAllow, isServiceWildcard, known, type PolicyStatement } from './lib/policy';
import { reportOnce } from './lib/report';

/** Services whose every action is privileged. */
const PRIVILEGED_SERVICES = new Set(['iam', 'organizations', 'kms']);
/** Actions that are privileged on every resource. */
const PRIVILEGED_ON_ALL = ['iam:PassRole', 'sts:AssumeRole'];

/** Why an action is privileged in this statement, or null. */
function privileged(action: string, st: PolicyStatement): string | null {
  // `*` is administrator access: iam-no-admin-access / iam-no-wildcard-actions report it.
  if (isAllActions(action)) return null;
  if (isServiceWildcard(action) && PRIVILEGED_SERVICES.has(action.slice(0, -2).toLowerCase())) return `'${action}' (all of ${action.slice(0, -2)})`;
  if (known(st.resource).some((r) => r.value === '*')) {
    const hit = PRIVILEGED_ON_ALL.find((p) => actionMatches(action, p));
    if (hit) return action === hit ? `'${action}' on Resource '*'` : `'${action}' (covers ${hit}) on Resource '*'`;
  }
  return null;
}

function check(ctx: BaseContext, g: IamGraph): void {
  const report = reportOnce(ctx);
  for (const use of g.policies) {
    // Without a wildcard (`wildcardFree`) no action is a privileged service's `*` and no Resource is `*`: not read.
    if (use.kind === 'trust' || use.wildcardFree) continue;
    for (const st of use.doc.statements) {
      if (!isAllow(st) || st.hasCondition) continue;
      for (const a of known(st.action)) {
        const why = privileged(a.value!, st);
        if (!why) continue;
        report(a, use.resource, `${use.resource}: privileged action ${why} is allowed without a Condition. Restrict it with conditions (tags, source, MFA, iam:PassedToService) or to specific resources.`);
      }
    }
  }
}

export default defineIamRule({
  id: 'iam-privileged-conditions',
  severity: 'info',
  seed: '003 IAM: restrict privileged access further with conditions',
  description: 'Privileged IAM actions (iam:*, organizations:*, kms:*, iam:PassRole or sts:AssumeRole on "*") should be allowed only under a Condition.',
  fixable: false,
}, check);

import type { BaseContext } from '../server/engine/rule';
import { defineIamRule, type IamGraph } from './lib/iamGraph';
import { isAllActions, isAllow, isServiceWildcard, known, onAllResources } from './lib/policy';
import { reportOnce } from './lib/report';

function check(ctx: BaseContext, g: IamGraph): void {
  const report = reportOnce(ctx);
  for (const use of g.policies) {
    // A document that names no wildcard has none of these (`wildcardFree`): not read.
    if (use.kind === 'trust' || use.wildcardFree) continue;
    for (const st of use.doc.statements) {
      if (!isAllow(st)) continue;
      for (const a of known(st.action)) {
        const v = a.value!;
        if (isAllActions(v)) {
          // On every resource this is administrator access: iam-no-admin-access reports it.
          if (onAllResources(st)) continue;
          report(a, use.resource, `${use.resource}: Action '${v}' allows every action of every service on the statement's resources. List the actions needed.`);
        } else if (isServiceWildcard(v)) {
          report(a, use.resource, `${use.resource}: Action '${v}' allows every action of ${v.slice(0, -2)}. List the actions needed (a partial wildcard such as '${v.slice(0, -1)}Get*' is fine).`);
        }
      }
    }
  }
}

export default defineIamRule({
  id: 'iam-no-wildcard-actions',
  severity: 'warning',
  seed: '003 IAM: grant least privilege; more granular control to API and resources',
  description: 'IAM statements should not allow a whole service (`s3:*`) or every action on a narrower resource; list the actions needed.',
  fixable: false,
}, check);

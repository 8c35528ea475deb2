import type { BaseContext } from '../server/engine/rule';
import { adminAttachments, administrators, defineIamRule, type IamGraph } from './lib/iamGraph';
import { reportOnce } from './lib/report';

function check(ctx: BaseContext, g: IamGraph, scope: 'template' | 'module'): void {
  const admins = administrators(g);
  const count = admins.reduce((n, p) => n + p.multiplicity, 0);
  const max = ctx.options.maxAdmins;
  if (count <= max) return;
  const report = reportOnce(ctx);
  const names = admins.map((p) => (p.multiplicity > 1 ? `${p.id} (x${p.multiplicity})` : p.id)).join(', ');
  for (const p of admins) {
    const via = [...p.groups].filter((id) => adminAttachments(g.principals.get(id)!).length);
    const how = p.kind === 'group'
      ? `group with administrator access (its members are outside this ${scope})`
      : adminAttachments(p).length ? `${p.kind} with administrator access` : `user with administrator access through ${via.join(', ')}`;
    report(p, p.resource, `${p.id}: ${how}; ${count} principals in this ${scope} hold administrator access (${names}), more than the allowed ${max}. Keep administrators few; give the others scoped permissions.`);
  }
}

export default defineIamRule({
  id: 'iam-admin-count',
  severity: 'warning',
  seed: '003 IAM: do not have too many users with administrative access',
  description: 'No more principals than the configured maximum (default 2) should hold administrator access in a template or module.',
  fixable: false,
}, check);

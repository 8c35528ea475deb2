import { defineRule } from '../server/engine/rule';
import { parseCloudFormation } from '../server/engine/cloudformation/parser';
import { TooLarge, securityChanges, type BroadeningChange } from '../server/engine/securityChanges';

/**
 * Judges a change, not a state: the template against its version at the git base
 * (`HEAD` unless configured), which the front end hands over as
 * `workspace.baseText`. Without a base (no git, untracked file, untrusted editor
 * workspace) the rule is silent; the front ends say why.
 */
export default defineRule({
  id: 'iam-permission-broadening',
  severity: 'info',
  seed: '003 IAM: Grant least privilege; 000 EC2: Implement the least permissive rules for your security groups',
  description: 'Since the git base (default HEAD) the template adds or widens IAM statements, managed policy attachments or security group rules.',
  fixable: false,

  cloudformation(ctx) {
    const base = ctx.workspace.baseText?.(ctx.path);
    if (!base || base.kind === 'unavailable') return;
    if (base.kind === 'text' && base.text === ctx.text) return;
    // A half-typed template would show every statement after the error as removed and re-added.
    if (ctx.template.errors.length) return;
    let before = null;
    if (base.kind === 'text') {
      before = parseCloudFormation(ctx.path, base.text);
      // Cannot tell what changed against a base that does not parse.
      if (before?.errors.length) return;
    }
    const since = base.kind === 'absent' ? `${base.label} (new file)` : base.label;
    let changes;
    try {
      changes = securityChanges(before, ctx.template);
    } catch (e) {
      if (e instanceof TooLarge) return;
      throw e;
    }
    for (const change of changes.broadening) {
      ctx.report({ range: change.range, resource: change.resource, message: message(change, since) });
    }
  },
});

function message(c: BroadeningChange, since: string): string {
  switch (c.kind) {
    case 'iam-statement':
      return c.how === 'widened'
        ? `IAM permissions widened since ${since}: a statement now grants ${c.summary}.`
        : `IAM permissions added since ${since}: ${c.summary}.`;
    case 'iam-deny-removed':
      return `IAM permissions broadened since ${since}: the statement ${c.summary} was removed or narrowed.`;
    case 'managed-policy':
      return `IAM permissions added since ${since}: ${c.summary}.`;
    case 'identity-center':
      return `IAM permissions added since ${since}: ${c.summary}.`;
    case 'sg-ingress':
    case 'sg-egress': {
      const dir = c.kind === 'sg-ingress' ? 'ingress' : 'egress';
      return c.how === 'widened'
        ? `Security group ${dir} widened since ${since}: now allows ${c.summary}.`
        : `Security group ${dir} added since ${since}: allows ${c.summary}.`;
    }
  }
}

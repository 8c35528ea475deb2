import { isMap, type YAMLMap } from 'yaml';
import { defineRule } from '../server/engine/rule';
import { getNode, intrinsic } from '../server/engine/cloudformation/nodes';
import { headerRange } from '../server/engine/terraform/values';
import type { Fix } from '../server/engine/types';
import {
  UNTAGGED_DAYS, cfnLifecyclePolicyEdit, cfnRepositories, tfLifecyclePolicyEdit, tfLifecycleTargets, tfRepositories, tfRepositoryName,
} from './lib/ecr';
import { CFN_ECR, TF_ECR } from './lib/reads';

const TITLE = `Add a lifecycle policy that expires untagged images after ${UNTAGGED_DAYS} days`;

/** The seed's own caveat: ECR lifecycle rules select tags by prefix or wildcard, not by version order. */
const CAVEAT =
  'Consider one that expires untagged images only: tag-based rules match tag prefixes and wildcards, not version order, ' +
  'so they do not fit semantic versions well and can expire a release you still need.';

export default defineRule({
  id: 'ecr-lifecycle-policy',
  severity: 'info',
  seed: '000 ECR: consider a life cycle policy for cost optimization',
  description: 'ECR repositories should have a lifecycle policy (at least one that expires untagged images).',
  fixable: 'suggestion',
  reads: { cloudformation: CFN_ECR, terraform: TF_ECR },

  cloudformation(ctx) {
    const tpl = ctx.template;
    for (const res of cfnRepositories(tpl)) {
      if (res.properties && intrinsic(res.properties)) continue;
      const policy = getNode(res.properties, 'LifecyclePolicy', tpl);
      if (policy && (intrinsic(policy) || !isMap(policy))) continue;
      const text = policy ? getNode(policy as YAMLMap, 'LifecyclePolicyText', tpl) : undefined;
      if (text) continue;
      // `LifecyclePolicy: { RegistryId: ... }` without a text: still no policy, and no safe place to add one.
      const edit = policy ? null : cfnLifecyclePolicyEdit(tpl, res);
      const fixes: Fix[] = edit ? [ctx.suggest(TITLE, [edit])] : [];
      ctx.report({ range: res.keyRange, resource: res.logicalId, message: `${res.logicalId}: the repository has no lifecycle policy. ${CAVEAT}`, fixes });
    }
  },

  terraform(ctx) {
    const targets = tfLifecycleTargets(ctx.module);
    if (targets.unknown) return;
    for (const { file, block } of tfRepositories(ctx.module)) {
      if (file !== ctx.file) continue;
      const name = tfRepositoryName(ctx.module, block);
      if (targets.addresses.has(block.address!) || (name !== null && targets.names.has(name))) continue;
      ctx.report({
        range: headerRange(block),
        resource: block.address,
        message: `${block.address}: no aws_ecr_lifecycle_policy in this module applies to the repository. ${CAVEAT}`,
        fixes: [ctx.suggest(TITLE, [tfLifecyclePolicyEdit(ctx.module, ctx.file, block)])],
      });
    }
  },
});

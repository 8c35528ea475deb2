import { defineRule } from '../server/engine/rule';
import { headerRange } from '../server/engine/terraform/values';
import { cfnHasReplication, cfnRepositories, tfHasReplication, tfRepositories } from './lib/ecr';
import { CFN_ECR, TF_ECR } from './lib/reads';

function count(n: number): string {
  return n === 1 ? '1 ECR repository' : `${n} ECR repositories`;
}

export default defineRule({
  id: 'ecr-replication',
  severity: 'info',
  seed: '000 ECR: enable cross-region replication of ECR images',
  description: 'A template or module that creates ECR repositories should also configure cross-region replication of the registry.',
  fixable: false,
  reads: { cloudformation: CFN_ECR, terraform: TF_ECR },

  cloudformation(ctx) {
    const tpl = ctx.template;
    const repos = cfnRepositories(tpl);
    if (repos.length === 0 || cfnHasReplication(tpl)) return;
    // One finding for the template, on its first repository: replication is a registry-wide setting.
    const first = repos[0];
    ctx.report({
      range: first.keyRange,
      resource: first.logicalId,
      message: `This template creates ${count(repos.length)} but no AWS::ECR::ReplicationConfiguration with a destination: images are not replicated to another region. Add a registry replication configuration (here or in the account's baseline stack).`,
    });
  },

  terraform(ctx) {
    const repos = tfRepositories(ctx.module);
    if (repos.length === 0 || repos[0].file !== ctx.file || tfHasReplication(ctx.module)) return;
    const first = repos[0].block;
    ctx.report({
      range: headerRange(first),
      resource: first.address,
      message: `This module creates ${count(repos.length)} but no aws_ecr_replication_configuration with a destination: images are not replicated to another region. Add a registry replication configuration (here or in the account's baseline configuration).`,
    });
  },
});

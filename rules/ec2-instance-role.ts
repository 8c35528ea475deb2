import { defineRule, type TfContext } from '../server/engine/rule';
import type { TfBlock } from '../server/engine/terraform/model';
import { blockText } from '../server/engine/terraform/parser';
import { headerRange } from '../server/engine/terraform/values';
import { tfDeps } from './lib/memo';
import { tfResourceBlocks } from './lib/tfBlocks';
import {
  cfnInstanceTemplate, cfnLaunchers, cfnLaunchResources, cfnLookup, tfHasDynamic, tfInstanceTemplate, tfLaunchers, type CfnLookup, type Launcher,
} from './lib/ec2';

/** Launchers that give instances their own role (EKS node role, Batch instance role) or are out of sight. */
const PROVIDES_ROLE: Launcher[] = ['eks', 'batch', 'stack', 'module', 'output', 'other'];

/** A launch template is judged on its own unless only instances (judged themselves) or role-giving services use it. */
function judgeTemplate(launchers: Set<Launcher> | undefined): boolean {
  if (!launchers) return true;
  if ([...launchers].some((l) => PROVIDES_ROLE.includes(l))) return false;
  return [...launchers].some((l) => l !== 'instance');
}

/** The profile is set (possibly to something unknown), missing, or removed by `AWS::NoValue` in every branch. */
function cfnHas(look: CfnLookup): 'yes' | 'no' | 'unknown' {
  if (look.state === 'unknown') return 'unknown';
  if (look.state === 'missing') return 'no';
  if (look.values.length > 0 && look.values.every((v) => v.kind === 'absent')) return 'no';
  return 'yes';
}

const WHY = 'applications on EC2 should get AWS credentials from a role, not from access keys stored on the instance';

function tfCheck(ctx: TfContext, launchers: Map<string, Set<Launcher>>, block: TfBlock, type: string): void {
  if (type === 'aws_launch_template') {
    if (!judgeTemplate(launchers.get(block.address ?? ''))) return;
    if (block.blocksOfType('iam_instance_profile').length > 0 || tfHasDynamic(block, 'iam_instance_profile')) return;
  } else {
    const attr = block.attr('iam_instance_profile');
    if (attr && attr.expr.kind !== 'null') return;
    if (type === 'aws_instance') {
      const lt = tfInstanceTemplate(ctx.module, ctx.file, block);
      if (lt.state === 'unknown') return;
      if (lt.state === 'local' && (lt.target.block.blocksOfType('iam_instance_profile').length > 0 || tfHasDynamic(lt.target.block, 'iam_instance_profile'))) return;
    }
  }
  const noun = type === 'aws_launch_template' ? 'instances launched from this template have' : type === 'aws_launch_configuration' ? 'instances launched with this configuration have' : 'the instance has';
  const key = type === 'aws_launch_template' ? 'iam_instance_profile { arn | name }' : 'iam_instance_profile';
  ctx.report({
    range: headerRange(block),
    resource: block.address,
    message: `${block.address}: no instance profile (${key}), so ${noun} no IAM role; ${WHY}.`,
  });
}

export default defineRule({
  id: 'ec2-instance-role',
  severity: 'warning',
  seed: '003 IAM: use roles for applications that run on Amazon EC2 instances',
  description: 'Instances, launch templates and launch configurations must have an IAM instance profile (IamInstanceProfile / iam_instance_profile).',
  fixable: false,
  reads: { cloudformation: '*', terraform: '*' },

  cloudformation(ctx) {
    const tpl = ctx.template;
    const launchers = cfnLaunchers(tpl);
    for (const launch of cfnLaunchResources(tpl)) {
      const res = launch.res;
      if (launch.kind === 'launch-template' && !judgeTemplate(launchers.get(res.logicalId))) continue;
      const has = cfnHas(cfnLookup(tpl, res, [...launch.path, 'IamInstanceProfile']));
      if (has !== 'no') continue;
      if (launch.kind === 'instance') {
        const lt = cfnInstanceTemplate(tpl, res);
        if (lt.state === 'unknown') continue;
        if (lt.state === 'local' && cfnHas(cfnLookup(tpl, lt.target, ['Properties', 'LaunchTemplateData', 'IamInstanceProfile'])) !== 'no') continue;
      }
      const key = launch.kind === 'launch-template' ? 'LaunchTemplateData.IamInstanceProfile' : 'IamInstanceProfile';
      const noun = launch.kind === 'instance' ? 'the instance has' : launch.kind === 'launch-template' ? 'instances launched from this template have' : 'instances launched with this configuration have';
      ctx.report({
        range: res.keyRange,
        resource: res.logicalId,
        message: `${res.logicalId}: no instance profile (${key}), so ${noun} no IAM role; ${WHY}.`,
      });
    }
  },

  terraform(ctx) {
    const launchers = tfLaunchers(ctx.module);
    const types = ['aws_instance', 'aws_spot_instance_request', 'aws_launch_template', 'aws_launch_configuration'];
    // An instance or spot request without a launch template (none named in its
    // text) reads only itself: its findings are reused while it does not change.
    const deps = tfDeps(ctx);
    for (const block of tfResourceBlocks(ctx.file, types)) {
      const type = block.labels[0].value;
      if ((type === 'aws_instance' || type === 'aws_spot_instance_request') && !blockText(ctx.file, block).includes('launch_template')) {
        ctx.memo(block.range, deps, () => tfCheck(ctx, launchers, block, type));
      } else {
        tfCheck(ctx, launchers, block, type);
      }
    }
  },

});

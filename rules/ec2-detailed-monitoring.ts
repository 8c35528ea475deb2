import { defineRule } from '../server/engine/rule';
import { tfResourceBlocks } from './lib/tfBlocks';
import type { OffsetRange } from '../server/engine/types';
import { cfnInstanceTemplate, cfnLaunchResources, cfnLookup, cfnSetFix, tfInstanceTemplate, tfLookup, tfSetFix, cfnTrueVerdict, tfTrueVerdict } from './lib/ec2';
import { CFN_LAUNCH, TF_LAUNCH } from './lib/reads';
import { offsetRange } from '../server/engine/offsetRange';

const TITLE = 'Enable detailed monitoring';
const WHY = 'CloudWatch then reports the instance metrics every minute instead of every five, so alarms on CPU and status checks react in time';

export default defineRule({
  id: 'ec2-detailed-monitoring',
  severity: 'info',
  seed: '000 EC2: monitor and respond to events of your instances such as CPU usage, disk space usage, etc.',
  description: 'Instances and launch templates should enable detailed (1-minute) CloudWatch monitoring (Monitoring / monitoring).',
  fixable: 'exact',
  reads: { cloudformation: CFN_LAUNCH, terraform: TF_LAUNCH },

  cloudformation(ctx) {
    const tpl = ctx.template;
    for (const launch of cfnLaunchResources(tpl)) {
      const res = launch.res;
      const path = launch.kind === 'instance' ? ['Properties', 'Monitoring']
        : launch.kind === 'launch-template' ? ['Properties', 'LaunchTemplateData', 'Monitoring', 'Enabled']
        : ['Properties', 'InstanceMonitoring'];
      const look = cfnLookup(tpl, res, path);
      const verdict = cfnTrueVerdict(look, 'missing');
      if (verdict === 'ok' || verdict === 'unknown') continue;
      // Launch configurations monitor in detail unless told otherwise.
      if (verdict === 'missing' && launch.kind === 'launch-configuration') continue;
      // An instance launched from a template takes its setting; the template is judged itself.
      if (verdict === 'missing' && launch.kind === 'instance' && cfnInstanceTemplate(tpl, res).state !== 'none') continue;
      const key = path.slice(launch.kind === 'launch-template' ? 2 : 1).join('.');
      const range: OffsetRange = look.state === 'present' ? offsetRange(look.node.range![0], look.node.range![1]) : (look as { anchor: OffsetRange }).anchor;
      ctx.report({
        range,
        resource: res.logicalId,
        message: verdict === 'missing'
          ? `${res.logicalId}: detailed monitoring is off; set ${key}: true. ${WHY}.`
          : `${res.logicalId}: ${key} is '${verdict.bad}'; set it to true. ${WHY}.`,
        fixes: cfnSetFix(ctx, res, path, true, TITLE, look.state === 'present' ? look.node : undefined),
      });
    }
  },

  terraform(ctx) {
    const types = ['aws_instance', 'aws_spot_instance_request', 'aws_launch_template', 'aws_launch_configuration'];
    for (const block of tfResourceBlocks(ctx.file, types)) {
      const type = block.labels[0].value;
      const path = type === 'aws_launch_template' ? ['monitoring', 'enabled'] : type === 'aws_launch_configuration' ? ['enable_monitoring'] : ['monitoring'];
      const look = tfLookup(ctx.module, block, path);
      const verdict = tfTrueVerdict(look);
      if (verdict === 'ok' || verdict === 'unknown') continue;
      if (verdict === 'missing' && type === 'aws_launch_configuration') continue;
      if (verdict === 'missing' && type !== 'aws_launch_template' && tfInstanceTemplate(ctx.module, ctx.file, block).state !== 'none') continue;
      const key = type === 'aws_launch_template' ? 'monitoring { enabled = true }' : `${path[0]} = true`;
      ctx.report({
        range: look.state === 'present' ? look.attr.expr.range : (look as { anchor: OffsetRange }).anchor,
        resource: block.address,
        message: verdict === 'missing'
          ? `${block.address}: detailed monitoring is off; set ${key}. ${WHY}.`
          : `${block.address}: ${path.join('.')} is ${verdict.bad}; set it to true. ${WHY}.`,
        fixes: tfSetFix(ctx, look, 'true', TITLE),
      });
    }
  },
});

import { defineRule } from '../server/engine/rule';
import { tfResourceBlocks } from './lib/tfBlocks';
import { cfnInstanceTemplate, cfnIsSpot, cfnLaunchResources, cfnLookup, cfnSetFix, tfInstanceTemplate, tfIsSpot, tfLookup, tfSetFix, cfnTrueVerdict, tfTrueVerdict } from './lib/ec2';
import { CFN_LAUNCH, TF_LAUNCH } from './lib/reads';
import { offsetRange } from '../server/engine/offsetRange';

const TITLE = 'Enable termination protection';
const WHY = 'so that nobody terminates the instance by accident: termination cannot be undone';

export default defineRule({
  id: 'ec2-termination-protection',
  severity: 'warning',
  seed: '000 EC2: ensure that instances have termination protection enabled',
  description: 'Standalone EC2 instances (not Spot, not launched by Auto Scaling or EKS) must have termination protection (DisableApiTermination / disable_api_termination).',
  fixable: 'exact',
  reads: { cloudformation: CFN_LAUNCH, terraform: TF_LAUNCH },

  cloudformation(ctx) {
    const tpl = ctx.template;
    for (const launch of cfnLaunchResources(tpl, ['instance'])) {
      if (cfnIsSpot(tpl, launch) !== 'no') continue;
      const res = launch.res;
      const path = ['Properties', 'DisableApiTermination'];
      const look = cfnLookup(tpl, res, path);
      const verdict = cfnTrueVerdict(look, 'bad');
      if (verdict === 'missing') {
        // Launched from a template: the template's setting applies.
        const lt = cfnInstanceTemplate(tpl, res);
        if (lt.state === 'unknown') continue;
        if (lt.state === 'local') {
          const fromLt = cfnTrueVerdict(cfnLookup(tpl, lt.target, ['Properties', 'LaunchTemplateData', 'DisableApiTermination']), 'bad');
          if (fromLt === 'ok' || fromLt === 'unknown') continue;
        }
      }
      if (verdict === 'ok' || verdict === 'unknown') continue;
      const id = res.logicalId;
      ctx.report({
        range: look.state === 'present' ? offsetRange(look.node.range![0], look.node.range![1]) : (look as { anchor: { start: number; end: number } }).anchor,
        resource: id,
        message: verdict === 'missing'
          ? `${id}: termination protection is off; set DisableApiTermination: true ${WHY}.`
          : `${id}: DisableApiTermination is ${verdict.bad === 'removed' ? 'removed' : `'${verdict.bad}'`}; set it to true ${WHY}.`,
        fixes: cfnSetFix(ctx, res, path, true, TITLE, look.state === 'present' ? look.node : undefined),
      });
    }
  },

  terraform(ctx) {
    for (const block of tfResourceBlocks(ctx.file, ['aws_instance'])) {
      if (tfIsSpot(ctx.module, ctx.file, block) !== 'no') continue;
      const look = tfLookup(ctx.module, block, ['disable_api_termination']);
      const verdict = tfTrueVerdict(look);
      if (verdict === 'missing') {
        const lt = tfInstanceTemplate(ctx.module, ctx.file, block);
        if (lt.state === 'unknown') continue;
        if (lt.state === 'local') {
          const fromLt = tfTrueVerdict(tfLookup(ctx.module, lt.target.block, ['disable_api_termination']));
          if (fromLt === 'ok' || fromLt === 'unknown') continue;
        }
      }
      if (verdict === 'ok' || verdict === 'unknown') continue;
      ctx.report({
        range: look.state === 'present' ? look.attr.expr.range : (look as { anchor: { start: number; end: number } }).anchor,
        resource: block.address,
        message: verdict === 'missing'
          ? `${block.address}: termination protection is off; set disable_api_termination = true ${WHY}.`
          : `${block.address}: disable_api_termination is ${verdict.bad}; set it to true ${WHY}.`,
        fixes: tfSetFix(ctx, look, 'true', TITLE),
      });
    }
  },
});

import type { CfnResource } from '../server/engine/cloudformation/model';
import { defineRule } from '../server/engine/rule';
import type { TfBlock } from '../server/engine/terraform/model';
import { tfResourceBlocks } from './lib/tfBlocks';
import type { OffsetRange } from '../server/engine/types';
import {
  cfnInstanceTemplate, cfnLaunchResources, cfnLookup, cfnSetFix, knownStrings, tfInstanceTemplate, tfLookup, tfSetFix,
  type CfnLookup, type TfLookup,
} from './lib/ec2';
import { CFN_LAUNCH, TF_LAUNCH } from './lib/reads';
import { offsetRange } from '../server/engine/offsetRange';

const TITLE = 'Use unlimited CPU credits';
const BURSTABLE = /^(t2|t3|t3a|t4g)\./i;
const WHY = 'so that it is not throttled to its baseline when its CPU credits run out (surplus credits are billed)';

/** A setting of the resource itself, or of the launch template it is launched from. */
interface Source<L> {
  look: L;
  fromTemplate: boolean;
}

/** The instance types a lookup can take: the burstable ones, and whether some are unknown. */
function types(values: string[], unknown: boolean): { burstable: string[]; unknown: boolean } {
  return { burstable: values.filter((v) => BURSTABLE.test(v)), unknown };
}

function cfnSource(tpl: Parameters<typeof cfnLookup>[0], res: CfnResource, own: string[], lt: CfnResource | null, ltPath: string[]): Source<CfnLookup> {
  const look = cfnLookup(tpl, res, own);
  if (look.state === 'missing' && lt) return { look: cfnLookup(tpl, lt, ltPath), fromTemplate: true };
  return { look, fromTemplate: false };
}

function tfSource(module: Parameters<typeof tfLookup>[0], block: TfBlock, path: string[], lt: TfBlock | null): Source<TfLookup> {
  const look = tfLookup(module, block, path);
  if (look.state === 'missing' && lt) return { look: tfLookup(module, lt, path), fromTemplate: true };
  return { look, fromTemplate: false };
}

export default defineRule({
  id: 'ec2-burstable-unlimited',
  severity: 'warning',
  seed: '000 EC2: instances that have a burstable instance type have the credit specification set to enable unlimited mode',
  description: 'Burstable instances (t2, t3, t3a, t4g) must use unlimited CPU credits (CreditSpecification / credit_specification).',
  fixable: 'exact',
  reads: { cloudformation: CFN_LAUNCH, terraform: TF_LAUNCH },

  cloudformation(ctx) {
    const tpl = ctx.template;
    for (const launch of cfnLaunchResources(tpl, ['instance', 'launch-template'])) {
      const res = launch.res;
      const isInstance = launch.kind === 'instance';
      let lt: CfnResource | null = null;
      if (isInstance) {
        const link = cfnInstanceTemplate(tpl, res);
        if (link.state === 'unknown') {
          // What the template sets is out of sight: judge only what the instance sets itself.
          if (cfnLookup(tpl, res, ['Properties', 'CreditSpecification', 'CPUCredits']).state === 'missing') continue;
        } else if (link.state === 'local') lt = link.target;
      }
      const ltData = ['Properties', 'LaunchTemplateData'];
      const type = cfnSource(tpl, res, [...launch.path, 'InstanceType'], lt, [...ltData, 'InstanceType']);
      const creditsPath = isInstance ? [...launch.path, 'CreditSpecification', 'CPUCredits'] : [...launch.path, 'CreditSpecification', 'CpuCredits'];
      const credits = cfnSource(tpl, res, creditsPath, lt, [...ltData, 'CreditSpecification', 'CpuCredits']);
      // Both from the launch template: the template's own finding covers it.
      if (type.fromTemplate && credits.fromTemplate) continue;
      if (type.look.state !== 'present') continue;
      const t = types(knownStrings(type.look.values), type.look.values.some((v) => v.kind === 'unknown'));
      if (t.burstable.length === 0) continue;
      // T3 instances on a Dedicated Host support only standard credits.
      const tenancy = isInstance ? cfnLookup(tpl, res, ['Properties', 'Tenancy']) : cfnLookup(tpl, res, [...launch.path, 'Placement', 'Tenancy']);
      if (tenancy.state === 'unknown' || (tenancy.state === 'present' && knownStrings(tenancy.values).some((v) => v === 'host'))) continue;
      const id = res.logicalId;
      const key = isInstance ? 'CreditSpecification.CPUCredits' : 'CreditSpecification.CpuCredits';
      let range: OffsetRange;
      let message: string;
      const c = credits.look;
      if (c.state === 'unknown') continue;
      if (c.state === 'missing') {
        const t2 = t.burstable.find((v) => /^t2\./i.test(v));
        if (!t2) continue; // T3, T3a and T4g launch as unlimited by default
        range = offsetRange(type.look.node.range![0], type.look.node.range![1]);
        message = `${id}: ${t2} runs in standard credit mode (the T2 default); set ${key}: unlimited ${WHY}.`;
      } else {
        const standard = knownStrings(c.values).find((v) => v.toLowerCase() === 'standard');
        if (!standard) continue;
        range = credits.fromTemplate ? offsetRange(type.look.node.range![0], type.look.node.range![1]) : offsetRange(c.node.range![0], c.node.range![1]);
        message = `${id}: ${t.burstable[0]} ${credits.fromTemplate ? 'gets standard CPU credits from its launch template' : `has ${key.split('.')[1]} '${standard}'`}; set ${key}: unlimited ${WHY}.`;
      }
      ctx.report({
        range,
        resource: id,
        message,
        fixes: cfnSetFix(ctx, res, creditsPath, 'unlimited', TITLE, !credits.fromTemplate && c.state === 'present' ? c.node : undefined),
      });
    }
  },

  terraform(ctx) {
    for (const block of tfResourceBlocks(ctx.file, ['aws_instance', 'aws_launch_template'])) {
      const isInstance = block.labels[0].value === 'aws_instance';
      let lt: TfBlock | null = null;
      if (isInstance) {
        const link = tfInstanceTemplate(ctx.module, ctx.file, block);
        if (link.state === 'unknown') {
          if (tfLookup(ctx.module, block, ['credit_specification', 'cpu_credits']).state === 'missing') continue;
        } else if (link.state === 'local') lt = link.target.block;
      }
      const type = tfSource(ctx.module, block, ['instance_type'], lt);
      const credits = tfSource(ctx.module, block, ['credit_specification', 'cpu_credits'], lt);
      if (type.fromTemplate && credits.fromTemplate) continue;
      if (type.look.state !== 'present' || type.look.value.kind !== 'known') continue;
      const t = String(type.look.value.value);
      if (!BURSTABLE.test(t)) continue;
      const tenancy = tfLookup(ctx.module, block, isInstance ? ['tenancy'] : ['placement', 'tenancy']);
      if (tenancy.state === 'unknown' || (tenancy.state === 'present' && (tenancy.value.kind === 'unknown' || tenancy.value.value === 'host'))) continue;
      const c = credits.look;
      let range: OffsetRange;
      let message: string;
      if (c.state === 'unknown') continue;
      if (c.state === 'missing') {
        if (!/^t2\./i.test(t)) continue;
        range = type.look.attr.expr.range;
        message = `${block.address}: ${t} runs in standard credit mode (the T2 default); set credit_specification { cpu_credits = "unlimited" } ${WHY}.`;
      } else {
        if (c.value.kind !== 'known' || String(c.value.value).toLowerCase() !== 'standard') continue;
        range = credits.fromTemplate ? type.look.attr.expr.range : c.attr.expr.range;
        message = `${block.address}: ${t} ${credits.fromTemplate ? 'gets standard CPU credits from its launch template' : 'has cpu_credits "standard"'}; set it to "unlimited" ${WHY}.`;
      }
      const target = credits.fromTemplate ? tfLookup(ctx.module, block, ['credit_specification', 'cpu_credits']) : c;
      ctx.report({ range, resource: block.address, message, fixes: tfSetFix(ctx, target, '"unlimited"', TITLE) });
    }
  },
});

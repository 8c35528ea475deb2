import { defineRule } from '../server/engine/rule';
import type { TfExpr, TfFile, TfModule } from '../server/engine/terraform/model';
import { callOf, referenceOf } from '../server/engine/terraform/parser';
import { resolveAttr, resolveExpr } from '../server/engine/terraform/values';
import { tfResourceBlocks } from './lib/tfBlocks';
import { imageKeys, isApproved } from './lib/ami';
import { cfnLaunchResources, cfnLookup, knownStrings } from './lib/ec2';
import { CFN_LAUNCH, TF_LAUNCH } from './lib/reads';
import { offsetRange } from '../server/engine/offsetRange';

function describe(value: string): string {
  const keys = imageKeys(value);
  return keys.length > 1 || value.startsWith('/') ? `image parameter '${keys[keys.length - 1]}'` : `image '${value}'`;
}

/**
 * The image of a Terraform expression: a literal, a variable's default, or the
 * `name` of a `data "aws_ssm_parameter"` read in the module (through
 * `nonsensitive(...)` too). Undefined when unknown.
 */
function tfImage(module: TfModule, file: TfFile, expr: TfExpr, depth = 0): string | undefined {
  const r = resolveExpr(module, expr);
  if (r?.kind === 'known') return r.value === null ? undefined : String(r.value);
  const call = callOf(expr);
  if (call && call.name === 'nonsensitive' && call.args.length === 1 && depth < 2) return tfImage(module, file, call.args[0], depth + 1);
  const ref = referenceOf(file, expr);
  if (ref && ref.parts[0] === 'data' && ref.parts[1] === 'aws_ssm_parameter' && ref.parts.length >= 3) {
    for (const f of module.files) {
      const data = f.blocks.find((b) => b.type === 'data' && b.labels[0]?.value === 'aws_ssm_parameter' && b.labels[1]?.value === ref.parts[2]);
      if (!data) continue;
      const name = resolveAttr(module, data.attr('name'));
      return name?.kind === 'known' && typeof name.value === 'string' ? `resolve:ssm:${name.value}` : undefined;
    }
  }
  return undefined;
}

const TF_IMAGE_ATTR: Record<string, string> = {
  aws_instance: 'ami',
  aws_spot_instance_request: 'ami',
  aws_launch_template: 'image_id',
  aws_launch_configuration: 'image_id',
};

const HINT = 'Launch instances only from team-approved AMIs (option approvedAmis in .iac-lint.yaml)';

export default defineRule({
  id: 'ec2-approved-ami',
  severity: 'warning',
  seed: '000 EC2: ensure that instances are launched off of the list of team-approved AMIs',
  description: 'Instances, launch templates and launch configurations must use an image from the configured approved list (silent while none is configured).',
  fixable: false,
  reads: { cloudformation: CFN_LAUNCH, terraform: [...TF_LAUNCH, 'aws_ssm_parameter', 'aws_ami', 'aws_ami_copy', 'aws_ami_from_instance'] },

  cloudformation(ctx) {
    const approved = ctx.options.approvedAmis;
    if (approved.length === 0) return;
    const tpl = ctx.template;
    for (const launch of cfnLaunchResources(tpl)) {
      const look = cfnLookup(tpl, launch.res, [...launch.path, 'ImageId']);
      if (look.state !== 'present') continue;
      const bad = knownStrings(look.values).find((v) => !isApproved(v, approved));
      if (bad === undefined) continue;
      const id = launch.res.logicalId;
      ctx.report({
        range: offsetRange(look.node.range![0], look.node.range![1]),
        resource: id,
        message: `${id}: ${describe(bad)} is not on the approved AMI list. ${HINT}.`,
      });
    }
  },

  terraform(ctx) {
    const approved = ctx.options.approvedAmis;
    if (approved.length === 0) return;
    for (const block of tfResourceBlocks(ctx.file, Object.keys(TF_IMAGE_ATTR))) {
      const attr = block.attr(TF_IMAGE_ATTR[block.labels[0].value]);
      if (!attr) continue;
      const image = tfImage(ctx.module, ctx.file, attr.expr);
      if (image === undefined || isApproved(image, approved)) continue;
      ctx.report({
        range: attr.expr.range,
        resource: block.address,
        message: `${block.address}: ${describe(image)} is not on the approved AMI list. ${HINT}.`,
      });
    }
  },
});

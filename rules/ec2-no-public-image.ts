import { isMap, isSeq, type Node, type YAMLMap } from 'yaml';
import { defineRule } from '../server/engine/rule';
import type { CfnTemplate } from '../server/engine/cloudformation/model';
import { deref, getMap, getNode, intrinsic, knownString, nodeRange, resolveValues } from '../server/engine/cloudformation/nodes';
import type { TfExpr, TfModule } from '../server/engine/terraform/model';
import { tupleItems } from '../server/engine/terraform/parser';
import { findVariable, resolveAttr, resolveExpr } from '../server/engine/terraform/values';
import { tfResourceBlocks } from './lib/tfBlocks';
import type { OffsetRange } from '../server/engine/types';
import { cfnOfType } from './lib/byType';

/** The launch-permission group that means "every AWS account". */
const PUBLIC_GROUP = 'all';

/** CloudFormation list items (a YAML sequence, or a comma-delimited parameter default), each with the node to point at. */
function cfnListValues(tpl: CfnTemplate, node: Node | undefined): { value: string; node: Node }[] {
  if (!node) return [];
  const n = deref(node, tpl);
  if (isSeq(n) && !intrinsic(n)) {
    return n.items.flatMap((it) => resolveValues(tpl, it as Node).map((r) => ({ value: knownString(r) ?? '', node: it as Node })));
  }
  // `!Ref Groups` to a CommaDelimitedList parameter: its default is one comma-separated string.
  return resolveValues(tpl, n).flatMap((r) => (knownString(r) ?? '').split(',').map((v) => ({ value: v.trim(), node: n })));
}

/** Terraform list items: a tuple literal or a variable whose default is one. Unknown items are skipped. */
function tfListValues(module: TfModule, expr: TfExpr | undefined, depth = 0): { value: string; range: OffsetRange }[] {
  if (!expr || depth > 3) return [];
  const items = tupleItems(expr);
  if (items) {
    return items.flatMap((it) => {
      const r = resolveExpr(module, it);
      return r?.kind === 'known' && r.value !== null ? [{ value: String(r.value), range: it.range }] : [];
    });
  }
  const m = /^var\.([A-Za-z_][\w-]*)$/.exec(expr.text.trim());
  const def = m ? findVariable(module, m[1])?.attr('default') : undefined;
  return def ? tfListValues(module, def.expr, depth + 1).map((v) => ({ ...v, range: expr.range })) : [];
}

const SHARE = 'Do not publish AMIs or snapshots: share them with specific accounts or your organization instead.';

export default defineRule({
  id: 'ec2-no-public-image',
  severity: 'error',
  seed: '000 EC2: do not create any snapshots or AMIs that are in a public catalog',
  description: 'AMIs and EBS snapshots must not be shared publicly (launch permission group all, block public access turned off).',
  fixable: false,
  reads: { cloudformation: ['AWS::ImageBuilder::DistributionConfiguration'], terraform: ['aws_ami_*', 'aws_ebs_*', 'aws_ec2_*', 'aws_imagebuilder_*', 'aws_snapshot_*'] },

  cloudformation(ctx) {
    const tpl = ctx.template;
    for (const res of cfnOfType(tpl, 'AWS::ImageBuilder::DistributionConfiguration')) {
      const dists = getNode(res.properties, 'Distributions', tpl);
      if (!isSeq(dists) || intrinsic(dists)) continue;
      for (const d of dists.items) {
        const dist = deref(d as Node, tpl);
        if (!isMap(dist) || intrinsic(dist)) continue;
        const lp = getMap(getMap(dist as YAMLMap, 'AmiDistributionConfiguration', tpl), 'LaunchPermissionConfiguration', tpl);
        const region = resolveValues(tpl, getNode(dist as YAMLMap, 'Region', tpl)).map(knownString).find((s) => s);
        for (const g of cfnListValues(tpl, getNode(lp, 'UserGroups', tpl))) {
          if (g.value.toLowerCase() !== PUBLIC_GROUP) continue;
          ctx.report({
            range: nodeRange(g.node)!,
            resource: res.logicalId,
            message: `${res.logicalId}: the AMI distributed${region ? ` to ${region}` : ''} gets the launch permission group 'all', so every AWS account can launch it. ${SHARE}`,
          });
        }
      }
    }
  },

  terraform(ctx) {
    const module = ctx.module;
    for (const block of tfResourceBlocks(ctx.file, ['aws_ami_launch_permission'])) {
      const attr = block.attr('group');
      const v = resolveAttr(module, attr);
      if (v?.kind === 'known' && String(v.value).toLowerCase() === PUBLIC_GROUP) {
        ctx.report({ range: attr!.expr.range, resource: block.address, message: `${block.address}: group = "all" makes the AMI public: every AWS account can launch it. ${SHARE}` });
      }
    }
    for (const block of tfResourceBlocks(ctx.file, ['aws_snapshot_create_volume_permission'])) {
      // The provider has no `group` argument; `all` is the public group's name in the EC2 API.
      const attr = block.attr('account_id');
      const v = resolveAttr(module, attr);
      if (v?.kind === 'known' && String(v.value).toLowerCase() === PUBLIC_GROUP) {
        ctx.report({ range: attr!.expr.range, resource: block.address, message: `${block.address}: account_id = "all" asks to share the snapshot with every AWS account. ${SHARE}` });
      }
    }
    const bpa: Record<string, string> = { aws_ec2_image_block_public_access: 'AMIs', aws_ebs_snapshot_block_public_access: 'EBS snapshots' };
    for (const block of tfResourceBlocks(ctx.file, Object.keys(bpa))) {
      const attr = block.attr('state');
      const v = resolveAttr(module, attr);
      if (v?.kind === 'known' && String(v.value).toLowerCase() === 'unblocked') {
        const what = bpa[block.labels[0].value];
        const keep = what === 'AMIs' ? 'block-new-sharing' : 'block-all-sharing';
        ctx.report({ range: attr!.expr.range, resource: block.address, message: `${block.address}: state "unblocked" turns off block public access for ${what} in this region, so they can be made public. Use "${keep}".` });
      }
    }
    for (const block of tfResourceBlocks(ctx.file, ['aws_imagebuilder_distribution_configuration'])) {
      for (const dist of block.blocksOfType('distribution')) {
        for (const ami of dist.blocksOfType('ami_distribution_configuration')) {
          for (const lp of ami.blocksOfType('launch_permission')) {
            for (const g of tfListValues(module, lp.attr('user_groups')?.expr)) {
              if (g.value.toLowerCase() !== PUBLIC_GROUP) continue;
              ctx.report({ range: g.range, resource: block.address, message: `${block.address}: user_groups contains "all", so every AWS account can launch the distributed AMI. ${SHARE}` });
            }
          }
        }
      }
    }
  },
});

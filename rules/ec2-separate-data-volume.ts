import { getNode, nodeRange, resolveValues } from '../server/engine/cloudformation/nodes';
import type { CfnResource, CfnTemplate } from '../server/engine/cloudformation/model';
import { defineRule } from '../server/engine/rule';
import type { TfModule } from '../server/engine/terraform/model';
import { resolveAttr } from '../server/engine/terraform/values';
import { tfResourceBlocks } from './lib/tfBlocks';
import {
  cfnBlockDevices, cfnInstanceTemplate, cfnLookup, cfnRefs, isRootDeviceName, knownStrings, tfHasDynamic, tfBlockRefs, tfInstanceTemplate,
} from './lib/ec2';
import { CFN_LAUNCH, TF_LAUNCH } from './lib/reads';
import { cfnOfType } from './lib/byType';

/** Instances that get a volume attached by an `AWS::EC2::VolumeAttachment` of the template. */
function cfnAttached(tpl: CfnTemplate): Set<string> {
  const out = new Set<string>();
  for (const res of cfnOfType(tpl, 'AWS::EC2::VolumeAttachment')) {
    cfnRefs(tpl, getNode(res.properties, 'InstanceId', tpl), out);
  }
  return out;
}

/** Instances that get a volume attached by an `aws_volume_attachment` of the module. */
function tfAttached(module: TfModule): Set<string> {
  const out = new Set<string>();
  for (const f of module.files) {
    for (const b of f.blocks) {
      if (b.type !== 'resource' || b.labels[0]?.value !== 'aws_volume_attachment') continue;
      for (const r of tfBlockRefs(f, b)) if (r.parts.length >= 2) out.add(`${r.parts[0]}.${r.parts[1]}`);
    }
  }
  return out;
}

const ADVICE = 'keep the operating system on a small root volume and data on separate EBS volumes, which can then be sized, snapshotted, restored and encrypted on their own';

export default defineRule({
  id: 'ec2-separate-data-volume',
  severity: 'info',
  seed: '000 EC2: separate Amazon EBS volumes for the Operating System vs and data',
  description: 'An instance whose only volume is a large root volume should keep its data on a separate EBS volume (threshold: option rootVolumeMaxGiB).',
  fixable: false,
  reads: { cloudformation: [...CFN_LAUNCH, 'AWS::EC2::Volume', 'AWS::EC2::VolumeAttachment'], terraform: [...TF_LAUNCH, 'aws_ebs_volume', 'aws_volume_attachment'] },

  cloudformation(ctx) {
    const tpl = ctx.template;
    const max = ctx.options.rootVolumeMaxGiB;
    const attached = cfnAttached(tpl);
    for (const res of cfnOfType(tpl, 'AWS::EC2::Instance')) {
      if (attached.has(res.logicalId)) continue;
      const volumes = cfnLookup(tpl, res, ['Properties', 'Volumes']);
      if (volumes.state !== 'missing') continue;
      let owner: CfnResource = res;
      let path = ['Properties'];
      let devices = cfnBlockDevices(tpl, res, path);
      if (!devices.present) {
        const lt = cfnInstanceTemplate(tpl, res);
        if (lt.state !== 'local') continue;
        owner = lt.target;
        path = ['Properties', 'LaunchTemplateData'];
        devices = cfnBlockDevices(tpl, owner, path);
      }
      if (devices.unknown) continue;
      const ebs = devices.list.filter((d) => d.ebs || d.ebsUnknown);
      if (ebs.length !== 1 || !ebs[0].ebs || !isRootDeviceName(ebs[0].deviceName)) continue;
      const sizeNode = getNode(ebs[0].ebs, 'VolumeSize', tpl);
      let size = -1;
      for (const v of knownStrings(resolveValues(tpl, sizeNode))) {
        const n = Number(v);
        if (Number.isFinite(n)) size = Math.max(size, n);
      }
      if (!sizeNode || size <= max) continue;
      const where = owner === res ? '' : ` (from its launch template ${owner.logicalId})`;
      ctx.report({
        range: owner === res ? nodeRange(sizeNode)! : res.keyRange,
        resource: res.logicalId,
        message: `${res.logicalId}: the only volume is a ${size} GiB root volume (${ebs[0].deviceName})${where}, above the ${max} GiB limit (rootVolumeMaxGiB); ${ADVICE}.`,
      });
    }
  },

  terraform(ctx) {
    const max = ctx.options.rootVolumeMaxGiB;
    const attached = tfAttached(ctx.module);
    for (const block of tfResourceBlocks(ctx.file, ['aws_instance', 'aws_spot_instance_request'])) {
      if (attached.has(block.address ?? '')) continue;
      if (block.blocksOfType('ebs_block_device').length > 0 || tfHasDynamic(block, 'ebs_block_device') || tfHasDynamic(block, 'root_block_device')) continue;
      const root = block.blocksOfType('root_block_device')[0];
      const sizeAttr = root?.attr('volume_size');
      const size = resolveAttr(ctx.module, sizeAttr);
      if (!sizeAttr || size?.kind !== 'known' || !(Number(size.value) > max)) continue;
      const lt = tfInstanceTemplate(ctx.module, ctx.file, block);
      if (lt.state === 'unknown') continue;
      if (lt.state === 'local') {
        // Data volumes may come from the launch template.
        const maps = lt.target.block.blocksOfType('block_device_mappings');
        if (tfHasDynamic(lt.target.block, 'block_device_mappings') || maps.length > 0) continue;
      }
      ctx.report({
        range: sizeAttr.expr.range,
        resource: block.address,
        message: `${block.address}: the only volume is a ${size.value} GiB root volume, above the ${max} GiB limit (rootVolumeMaxGiB); ${ADVICE}.`,
      });
    }
  },
});

import { type Node } from 'yaml';
import { ensureValue } from '../server/engine/cloudformation/edit';
import type { CfnResource } from '../server/engine/cloudformation/model';
import { getNode, getPair, nodeRange, resolveValues, type Resolved } from '../server/engine/cloudformation/nodes';
import { defineRule, type CfnContext, type TfContext } from '../server/engine/rule';
import { insertAttribute, setAttributeValue } from '../server/engine/terraform/edit';
import type { TfBlock } from '../server/engine/terraform/model';
import { headerRange, resolveAttr } from '../server/engine/terraform/values';
import { tfResourceBlocks } from './lib/tfBlocks';
import type { Fix, OffsetRange } from '../server/engine/types';
import { cfnBlockDevices, cfnLaunchResources, cfnLookup, isLiteral, tfHasDynamic, tfResources } from './lib/ec2';
import { CFN_LAUNCH, TF_LAUNCH } from './lib/reads';
import { cfnOfType } from './lib/byType';

const TITLE = 'Encrypt the EBS volume (Encrypted: true)';
const TF_TITLE = 'Encrypt the EBS volume (encrypted = true)';

/** `true` / `"true"`. */
function isTrue(v: unknown): boolean {
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
}

/** What the resolved values of `Encrypted` say: 'ok', 'unknown', or the bad value to show. */
function judge(values: Resolved[]): 'ok' | 'unknown' | string {
  let unknown = false;
  for (const v of values) {
    if (v.kind === 'unknown') unknown = true;
    else if (v.kind === 'absent') return 'removed';
    else if (!isTrue(v.value)) return String(v.value);
  }
  return unknown ? 'unknown' : 'ok';
}

function cfnVolumes(ctx: CfnContext): void {
  const tpl = ctx.template;
  for (const res of cfnOfType(tpl, 'AWS::EC2::Volume')) {
    const look = cfnLookup(tpl, res, ['Properties', 'Encrypted']);
    if (look.state === 'unknown') continue;
    if (look.state === 'missing') {
      // A volume restored from a snapshot inherits the snapshot's encryption.
      if (cfnLookup(tpl, res, ['Properties', 'SnapshotId']).state !== 'missing') continue;
      const edit = ensureValue(tpl, res.body, ['Properties'], 'Encrypted', true);
      ctx.report({
        range: look.anchor,
        resource: res.logicalId,
        message: `${res.logicalId}: the EBS volume is not encrypted; set Encrypted: true.`,
        fixes: edit ? [ctx.fix(TITLE, [edit])] : [],
      });
      continue;
    }
    const verdict = judge(look.values);
    if (verdict === 'ok' || verdict === 'unknown') continue;
    const edit = ensureValue(tpl, res.body, ['Properties'], 'Encrypted', true);
    ctx.report({
      range: nodeRange(look.node)!,
      resource: res.logicalId,
      message: `${res.logicalId}: Encrypted is ${verdict === 'removed' ? 'removed' : `'${verdict}'`}; set it to true so the volume and its snapshots are encrypted at rest.`,
      fixes: edit ? [isLiteral(look.node) ? ctx.fix(TITLE, [edit]) : ctx.suggest(TITLE, [edit])] : [],
    });
  }
}

function cfnBlockDeviceMappings(ctx: CfnContext, res: CfnResource, path: string[]): void {
  const tpl = ctx.template;
  const { list } = cfnBlockDevices(tpl, res, path);
  for (const dev of list) {
    if (!dev.ebs) continue;
    const name = dev.deviceName ? `block device ${dev.deviceName}` : `block device mapping ${dev.index + 1}`;
    const node: Node | undefined = getNode(dev.ebs, 'Encrypted', tpl);
    let fixes: Fix[] = [];
    const edit = ensureValue(tpl, dev.ebs, [], 'Encrypted', true);
    if (node === undefined) {
      // A device restored from a snapshot inherits the snapshot's encryption.
      if (getNode(dev.ebs, 'SnapshotId', tpl) !== undefined) continue;
      if (edit) fixes = [ctx.fix(TITLE, [edit])];
      ctx.report({
        range: nodeRange(getPair(dev.item, 'Ebs')!.key)!,
        resource: res.logicalId,
        message: `${res.logicalId}: ${name} is not encrypted; set Ebs.Encrypted: true.`,
        fixes,
      });
      continue;
    }
    const verdict = judge(resolveValues(tpl, node));
    if (verdict === 'ok' || verdict === 'unknown') continue;
    if (edit) fixes = [isLiteral(node) ? ctx.fix(TITLE, [edit]) : ctx.suggest(TITLE, [edit])];
    ctx.report({
      range: nodeRange(node)!,
      resource: res.logicalId,
      message: `${res.logicalId}: ${name} has Encrypted ${verdict === 'removed' ? 'removed' : `'${verdict}'`}; set it to true.`,
      fixes,
    });
  }
}

/** `aws_ebs_encryption_by_default` in the module, not known to be disabled. */
function encryptedByDefault(ctx: TfContext): boolean {
  return tfResources(ctx.module, ['aws_ebs_encryption_by_default']).some(({ block }) => {
    const v = resolveAttr(ctx.module, block.attr('enabled'));
    return !v || v.kind === 'unknown' || isTrue(v.value);
  });
}

/** Judges `encrypted` in `holder` (a volume, or a nested device block). */
function tfCheck(ctx: TfContext, owner: TfBlock, holder: TfBlock, what: string, anchor: OffsetRange): void {
  const attr = holder.attr('encrypted');
  if (!attr) {
    if (holder.attr('snapshot_id')) return;
    ctx.report({
      range: anchor,
      resource: owner.address,
      message: `${owner.address}: ${what} is not encrypted; set encrypted = true (or enable aws_ebs_encryption_by_default in this module).`,
      fixes: [ctx.fix(TF_TITLE, [insertAttribute(ctx.file, holder, 'encrypted', 'true')])],
    });
    return;
  }
  const v = resolveAttr(ctx.module, attr)!;
  if (v.kind === 'unknown' || isTrue(v.value)) return;
  const edit = setAttributeValue(ctx.file, attr, 'true');
  ctx.report({
    range: attr.expr.range,
    resource: owner.address,
    message: `${owner.address}: ${what} has encrypted = ${v.value === null ? 'null' : JSON.stringify(v.value)}; set it to true.`,
    fixes: [attr.expr.value !== undefined ? ctx.fix(TF_TITLE, [edit]) : ctx.suggest(TF_TITLE, [edit])],
  });
}

const TF_DEVICE_OWNERS = ['aws_instance', 'aws_spot_instance_request', 'aws_launch_configuration'];

export default defineRule({
  id: 'ebs-encryption',
  severity: 'error',
  seed: '000 EC2: DO NOT have any instances without encrypted EBS volumes or snapshots',
  description: 'EBS volumes and the block devices of instances, launch templates and launch configurations must be encrypted.',
  fixable: 'exact',
  reads: { cloudformation: [...CFN_LAUNCH, 'AWS::EC2::Volume'], terraform: [...TF_LAUNCH, 'aws_ebs_volume', 'aws_ebs_encryption_by_default'] },

  cloudformation(ctx) {
    cfnVolumes(ctx);
    for (const launch of cfnLaunchResources(ctx.template)) cfnBlockDeviceMappings(ctx, launch.res, launch.path);
  },

  terraform(ctx) {
    if (encryptedByDefault(ctx)) return;
    for (const block of tfResourceBlocks(ctx.file, ['aws_ebs_volume'])) {
      tfCheck(ctx, block, block, 'the EBS volume', headerRange(block));
    }
    for (const block of tfResourceBlocks(ctx.file, TF_DEVICE_OWNERS)) {
      for (const type of ['root_block_device', 'ebs_block_device']) {
        if (tfHasDynamic(block, type)) continue;
        for (const dev of block.blocksOfType(type)) {
          const name = resolveAttr(ctx.module, dev.attr('device_name'));
          const what = type === 'root_block_device' ? 'the root volume' : `block device ${name?.kind === 'known' ? name.value : '(ebs_block_device)'}`;
          tfCheck(ctx, block, dev, what, dev.typeRange);
        }
      }
    }
    for (const block of tfResourceBlocks(ctx.file, ['aws_launch_template'])) {
      if (tfHasDynamic(block, 'block_device_mappings')) continue;
      for (const mapping of block.blocksOfType('block_device_mappings')) {
        if (tfHasDynamic(mapping, 'ebs')) continue;
        const ebs = mapping.blocksOfType('ebs')[0];
        if (!ebs) continue;
        const name = resolveAttr(ctx.module, mapping.attr('device_name'));
        tfCheck(ctx, block, ebs, `block device ${name?.kind === 'known' ? name.value : '(block_device_mappings)'}`, ebs.typeRange);
      }
    }
  },
});

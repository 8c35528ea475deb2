import { isSeq, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { defineRule } from '../server/engine/rule';
import { getMap, getNode, getPair, resolveValues } from '../server/engine/cloudformation/nodes';
import type { CfnResource, CfnTemplate } from '../server/engine/cloudformation/model';
import type { TfBlock, TfModule } from '../server/engine/terraform/model';
import { headerRange } from '../server/engine/terraform/values';
import { blockText } from '../server/engine/terraform/parser';
import { tfResourceBlocks } from './lib/tfBlocks';
import { tfDeps } from './lib/memo';
import { cfnRefTargets, tfModuleResources, cfnRange } from './lib/network';
import { alternatives, TfEvaluator } from './lib/networkValues';
import { CFN_LAUNCH, CFN_SECURITY_GROUPS, TF_LAUNCH, TF_SECURITY_GROUPS } from './lib/reads';

/** Whether a property is set: yes, no, or only in some branches of an `!If` (then `partly`). */
function presence(tpl: CfnTemplate, map: YAMLMap | null | undefined, key: string): 'yes' | 'no' | 'partly' {
  const node = map ? getNode(map, key, tpl) : undefined;
  if (node === undefined) return 'no';
  const rs = resolveValues(tpl, node);
  const absent = rs.filter((r) => r.kind === 'absent' || (r.kind === 'known' && (r.value === null || r.value === ''))).length;
  if (absent === 0) return 'yes';
  return absent === rs.length ? 'no' : 'partly';
}

/**
 * The launch template of an instance places it in a subnet: true, false, or null
 * when it cannot be read. `name`: the template, when the instance uses one.
 */
function cfnTemplatePlacesInSubnet(tpl: CfnTemplate, res: CfnResource): { placed: boolean | null; name?: string } {
  const spec = getMap(res.properties, 'LaunchTemplate', tpl);
  if (!spec) return { placed: false };
  const ids = [...cfnRefTargets(tpl, getNode(spec, 'LaunchTemplateId', tpl)), ...cfnRefTargets(tpl, getNode(spec, 'LaunchTemplateName', tpl))];
  const lt = ids.map((t) => tpl.resourceById.get(t.target)).find((r) => r?.type === 'AWS::EC2::LaunchTemplate');
  if (!lt) return { placed: null };
  const data = getMap(lt.properties, 'LaunchTemplateData', tpl);
  const nis = data ? getNode(data, 'NetworkInterfaces', tpl) : undefined;
  if (!nis) return { placed: false, name: lt.logicalId };
  if (!isSeq(nis)) return { placed: null };
  return { placed: ((nis as YAMLSeq).items as Node[]).length > 0, name: lt.logicalId };
}

function tfLaunchTemplatePlacesInSubnet(module: TfModule, block: TfBlock): { placed: boolean | null; name?: string } {
  const spec = block.blocksOfType('launch_template')[0];
  if (!spec) return { placed: false };
  const text = [spec.attr('id'), spec.attr('name')].filter((a) => a).map((a) => a!.expr.text).join(' ');
  const m = /\baws_launch_template\.([\w-]+)/.exec(text);
  if (!m) return { placed: null };
  const lt = tfModuleResources(module, 'aws_launch_template').find((x) => x.block.labels[1]?.value === m[1]);
  if (!lt) return { placed: null };
  const nis = [...lt.block.blocksOfType('network_interfaces'), ...lt.block.blocksOfType('dynamic').filter((d) => d.labels[0]?.value === 'network_interfaces')];
  return { placed: nis.length > 0, name: lt.block.address ?? undefined };
}

export default defineRule({
  id: 'ec2-in-vpc',
  severity: 'warning',
  seed: '000 EC2: make use of VPCs to logically isolate instances',
  description: 'Instances, Auto Scaling groups and security groups belong in a VPC of your own: set a subnet (or network interface) / a VPC id instead of falling back to the default VPC.',
  fixable: false,
  reads: { cloudformation: [...CFN_LAUNCH, ...CFN_SECURITY_GROUPS, 'AWS::AutoScaling::AutoScalingGroup'], terraform: [...TF_LAUNCH, ...TF_SECURITY_GROUPS, 'aws_autoscaling_group'] },

  cloudformation(ctx) {
    const tpl = ctx.template;
    for (const res of tpl.resources) {
      const props = res.properties;
      if (res.type === 'AWS::EC2::Instance') {
        const subnet = presence(tpl, props, 'SubnetId');
        const nis = presence(tpl, props, 'NetworkInterfaces');
        if (subnet === 'yes' || nis === 'yes') continue;
        const lt = cfnTemplatePlacesInSubnet(tpl, res);
        if (lt.placed !== false) continue;
        const via = lt.name ? `, and its launch template ${lt.name} has no NetworkInterfaces either` : '';
        const pair = getPair(props, 'SubnetId') ?? getPair(props, 'NetworkInterfaces');
        const partly = subnet === 'partly' || nis === 'partly';
        ctx.report({
          range: partly && pair ? cfnRange(tpl, pair.value as Node)! : res.keyRange,
          resource: res.logicalId,
          message: partly
            ? `${res.logicalId} has no subnet in one branch of its condition, so it launches into the default VPC there. Set SubnetId in every branch.`
            : `${res.logicalId} has no SubnetId or NetworkInterfaces${via}, so it launches into the default VPC. Place it in a subnet of a VPC you control (SubnetId).`,
        });
      } else if (res.type === 'AWS::EC2::SecurityGroup') {
        const vpc = presence(tpl, props, 'VpcId');
        if (vpc === 'yes') continue;
        const pair = getPair(props, 'VpcId');
        ctx.report({
          range: vpc === 'partly' && pair ? cfnRange(tpl, pair.value as Node)! : res.keyRange,
          resource: res.logicalId,
          message: `${res.logicalId} has no VpcId${vpc === 'partly' ? ' in one branch of its condition' : ''}, so it is created in the default VPC and only instances there can use it. Set VpcId to your VPC.`,
        });
      } else if (res.type === 'AWS::AutoScaling::AutoScalingGroup') {
        if (presence(tpl, props, 'VPCZoneIdentifier') !== 'no' || presence(tpl, props, 'AvailabilityZones') === 'no') continue;
        ctx.report({
          range: cfnRange(tpl, getPair(props, 'AvailabilityZones')!.key as Node) ?? res.keyRange,
          resource: res.logicalId,
          message: `${res.logicalId} lists AvailabilityZones but no VPCZoneIdentifier, so it launches instances into the default VPC. Give it subnets of your VPC (VPCZoneIdentifier).`,
        });
      }
    }
  },

  terraform(ctx) {
    const ev = new TfEvaluator(ctx.module);
    const set = (b: TfBlock, name: string) => {
      const a = b.attr(name);
      if (!a) return false;
      return !alternatives(ev.attr(a)).every((v) => v.kind === 'known' && (v.value === null || v.value === ''));
    };
    // A block reads itself and the module's variables and locals: its findings
    // are reused while neither changes; an instance started from a launch
    // template also reads the template, and is checked every time.
    const deps = tfDeps(ctx);
    for (const block of tfResourceBlocks(ctx.file, ['aws_instance', 'aws_spot_instance_request', 'aws_security_group', 'aws_autoscaling_group'])) {
      const check = (): void => {
        const type = block.labels[0].value;
        if (ev.instanceCounts(block)?.every((n) => n === 0)) return;
        if (type === 'aws_security_group') {
          if (set(block, 'vpc_id')) return;
          const attr = block.attr('vpc_id');
          ctx.report({
            range: attr?.expr.range ?? headerRange(block),
            resource: block.address,
            message: `${block.address}${attr ? `'s vpc_id is null (${attr.expr.text})` : ' has no vpc_id'}, so it is created in the default VPC and only instances there can use it. Set vpc_id to your VPC.`,
          });
        } else if (type === 'aws_autoscaling_group') {
          if (set(block, 'vpc_zone_identifier') || !block.attr('availability_zones')) return;
          ctx.report({
            range: block.attr('availability_zones')!.nameRange,
            resource: block.address,
            message: `${block.address} sets availability_zones but no vpc_zone_identifier, so it launches instances into the default VPC. Give it subnets of your VPC (vpc_zone_identifier).`,
          });
        } else {
          if (set(block, 'subnet_id')) return;
          if (block.blocksOfType('network_interface').length || block.blocksOfType('dynamic').some((d) => d.labels[0]?.value === 'network_interface')) return;
          const lt = tfLaunchTemplatePlacesInSubnet(ctx.module, block);
          if (lt.placed !== false) return;
          const attr = block.attr('subnet_id');
          const what = attr ? `'s subnet_id is null (${attr.expr.text})` : ' has no subnet_id or network_interface';
          const via = lt.name ? `, and its launch template ${lt.name} has no network_interfaces either` : '';
          ctx.report({
            range: attr?.expr.range ?? headerRange(block),
            resource: block.address,
            message: `${block.address}${what}${via}, so it launches into the default VPC. Place it in a subnet of a VPC you control (subnet_id).`,
          });
        }
      };
      const type = block.labels[0].value;
      // A nested launch_template block's type is written in the block's text (no nested blocks read without it).
      const fromTemplate = type !== 'aws_security_group' && type !== 'aws_autoscaling_group' && blockText(ctx.file, block).includes('launch_template') && block.blocksOfType('launch_template').length > 0;
      if (fromTemplate) check();
      else ctx.memo(block.range, deps, check);
    }
  },
});

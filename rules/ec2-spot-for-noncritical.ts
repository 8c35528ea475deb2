import type { CfnResource, CfnTemplate } from '../server/engine/cloudformation/model';
import { getNode, nodeRange, resolveValues } from '../server/engine/cloudformation/nodes';
import { defineRule } from '../server/engine/rule';
import type { TfBlock, TfFile, TfModule } from '../server/engine/terraform/model';
import { referenceOf } from '../server/engine/terraform/parser';
import { headerRange, resolveAttr, resolveExpr } from '../server/engine/terraform/values';
import { tfResourceBlocks } from './lib/tfBlocks';
import type { OffsetRange } from '../server/engine/types';
import {
  cfnIsSpot, cfnLookup, cfnRefs, knownStrings, tfFind, tfIsSpot, tfLookup, type Tri,
} from './lib/ec2';
import { cfnTagList, nameWords, nonCriticalWordsOf, tfTagMap } from './lib/tags';
import { CFN_LAUNCH, TF_LAUNCH } from './lib/reads';
import { mapDense } from '../server/engine/arrays';

/** Tag keys whose values say what a workload is (other tags, like owners or cost centres, do not). */
const PURPOSE_KEYS = /^(name|env|environment|stage|purpose|role|workload|app|application|service|component|tier|usage|type)$/i;

const HOW = {
  'cfn-instance': 'InstanceMarketOptions with MarketType: spot',
  'cfn-asg': 'a MixedInstancesPolicy whose OnDemandPercentageAboveBaseCapacity is below 100',
  'tf-instance': 'instance_market_options { market_type = "spot" }',
  'tf-asg': 'a mixed_instances_policy whose on_demand_percentage_above_base_capacity is below 100',
};

/**
 * Words that name the coordinator of non-critical work (a CI runner manager, a
 * Jenkins controller): it hands out the jobs, so interrupting it fails them all.
 */
const COORDINATOR = new Set(['manager', 'controller', 'coordinator', 'scheduler', 'master', 'orchestrator', 'leader', 'primary']);

interface Label {
  text: string;
  range: OffsetRange;
  what: string;
}

function report(ctx: { report: (d: { range: OffsetRange; resource: string | null; message: string }) => void; options: { nonCriticalPatterns: string[] } }, labels: Label[], resource: string, kind: keyof typeof HOW): void {
  // Each label's words read once, for both questions.
  const wordsOf = mapDense(labels, (l) => nameWords(l.text));
  if (wordsOf.some((ws) => ws.some((w) => COORDINATOR.has(w)))) return;
  for (let k = 0; k < labels.length; k++) {
    const l = labels[k];
    const words = nonCriticalWordsOf(wordsOf[k], ctx.options.nonCriticalPatterns);
    if (words.length === 0) continue;
    const how = HOW[kind];
    ctx.report({
      range: l.range,
      resource,
      message: `${resource}: runs On-Demand but looks non-critical (${words.map((w) => `'${w}'`).join(', ')} in its ${l.what}); consider Spot Instances (${how}) for work that can be interrupted and retried.`,
    });
    return;
  }
}

// ---------------------------------------------------------------------------
// CloudFormation

function cfnLabels(tpl: CfnTemplate, res: CfnResource, extraNameKey?: string): Label[] {
  const labels: Label[] = [{ text: res.logicalId, range: res.keyRange, what: 'logical id' }];
  if (extraNameKey) {
    const look = cfnLookup(tpl, res, ['Properties', extraNameKey]);
    if (look.state === 'present') for (const v of knownStrings(look.values)) labels.push({ text: v, range: nodeRange(look.node)!, what: extraNameKey });
  }
  const tags = cfnTagList(tpl, res.properties);
  for (const [key, value] of tags.entries) {
    if (!PURPOSE_KEYS.test(key) || !value) continue;
    for (const v of knownStrings(resolveValues(tpl, value))) labels.push({ text: v, range: nodeRange(value)!, what: `${key} tag` });
  }
  return labels;
}

/** Whether an Auto Scaling group runs Spot capacity. */
function cfnAsgSpot(tpl: CfnTemplate, res: CfnResource): Tri {
  const mixed = cfnLookup(tpl, res, ['Properties', 'MixedInstancesPolicy']);
  if (mixed.state === 'unknown') return 'unknown';
  if (mixed.state === 'present') {
    const pct = cfnLookup(tpl, res, ['Properties', 'MixedInstancesPolicy', 'InstancesDistribution', 'OnDemandPercentageAboveBaseCapacity']);
    if (pct.state === 'unknown') return 'unknown';
    if (pct.state === 'present') {
      if (pct.values.some((v) => v.kind === 'unknown')) return 'unknown';
      if (knownStrings(pct.values).some((v) => Number(v) < 100)) return 'yes';
    }
  }
  // The launch template or configuration it launches from.
  let result: Tri = 'no';
  for (const key of ['LaunchTemplate', 'LaunchConfigurationName', 'MixedInstancesPolicy']) {
    const node = getNode(res.properties, key, tpl);
    if (node === undefined) continue;
    const ids = [...cfnRefs(tpl, node)].filter((id) => tpl.resourceById.has(id));
    if (ids.length === 0) {
      if (key !== 'MixedInstancesPolicy') result = 'unknown';
      continue;
    }
    for (const id of ids) {
      const target = tpl.resourceById.get(id)!;
      const kind = target.type === 'AWS::EC2::LaunchTemplate' ? 'launch-template' : target.type === 'AWS::AutoScaling::LaunchConfiguration' ? 'launch-configuration' : null;
      if (!kind) continue;
      const spot = cfnIsSpot(tpl, { res: target, kind, path: kind === 'launch-template' ? ['Properties', 'LaunchTemplateData'] : ['Properties'] });
      if (spot === 'yes') return 'yes';
      if (spot === 'unknown') result = 'unknown';
    }
  }
  return result;
}

// ---------------------------------------------------------------------------
// Terraform

function tfLabels(module: TfModule, file: TfFile, block: TfBlock): Label[] {
  const labels: Label[] = [];
  const label = block.labels[1];
  if (label) labels.push({ text: label.value, range: label.range, what: 'resource name' });
  for (const key of ['name', 'name_prefix']) {
    const v = resolveAttr(module, block.attr(key));
    if (v?.kind === 'known' && typeof v.value === 'string') labels.push({ text: v.value, range: block.attr(key)!.expr.range, what: key });
  }
  const tags = tfTagMap(module, file, block.attr('tags')?.expr);
  for (const [key, expr] of tags.entries) {
    if (!PURPOSE_KEYS.test(key) || !expr) continue;
    const v = resolveExpr(module, expr);
    if (v?.kind === 'known' && typeof v.value === 'string') labels.push({ text: v.value, range: expr.range, what: `${key} tag` });
  }
  for (const tag of block.blocksOfType('tag')) {
    const k = resolveAttr(module, tag.attr('key'));
    const v = tag.attr('value');
    const value = resolveAttr(module, v);
    if (k?.kind === 'known' && PURPOSE_KEYS.test(String(k.value)) && value?.kind === 'known' && typeof value.value === 'string') {
      labels.push({ text: value.value, range: v!.expr.range, what: `${k.value} tag` });
    }
  }
  // Label values from a variable's default live in another place: report on this block then.
  return labels.map((l) => (l.range.start >= block.range.start && l.range.end <= block.range.end ? l : { ...l, range: headerRange(block) }));
}

function tfAsgSpot(module: TfModule, file: TfFile, block: TfBlock): Tri {
  if (block.blocksOfType('dynamic').some((d) => ['mixed_instances_policy', 'launch_template'].includes(d.labels[0]?.value ?? ''))) return 'unknown';
  const mixed = block.blocksOfType('mixed_instances_policy')[0];
  if (mixed) {
    const pct = tfLookup(module, mixed, ['instances_distribution', 'on_demand_percentage_above_base_capacity']);
    if (pct.state === 'unknown' || (pct.state === 'present' && pct.value.kind === 'unknown')) return 'unknown';
    if (pct.state === 'present' && Number((pct.value as { value: unknown }).value) < 100) return 'yes';
  }
  let result: Tri = 'no';
  const specs: { attr: ReturnType<TfBlock['attr']> }[] = [];
  for (const lt of block.blocksOfType('launch_template')) specs.push({ attr: lt.attr('id') ?? lt.attr('name') });
  for (const lt of mixed?.blocksOfType('launch_template') ?? []) {
    for (const s of lt.blocksOfType('launch_template_specification')) specs.push({ attr: s.attr('launch_template_id') ?? s.attr('launch_template_name') });
  }
  const lc = block.attr('launch_configuration');
  if (lc) specs.push({ attr: lc });
  for (const { attr } of specs) {
    if (!attr) continue;
    const ref = referenceOf(file, attr.expr);
    const target = ref && ref.parts.length >= 2 ? tfFind(module, ref.parts[0], ref.parts[1]) : undefined;
    if (!target) {
      result = 'unknown';
      continue;
    }
    const spot = tfIsSpot(module, target.file, target.block);
    if (spot === 'yes') return 'yes';
    if (spot === 'unknown') result = 'unknown';
  }
  return result;
}

export default defineRule({
  id: 'ec2-spot-for-noncritical',
  severity: 'info',
  seed: '000 EC2: DO CONSIDER spot instances for non-critical workloads such as running builds, pull requests, etc.',
  description: 'On-Demand instances and Auto Scaling groups named or tagged as non-critical (builds, CI, pull requests, runners, tests) could run on Spot capacity.',
  fixable: false,
  reads: { cloudformation: [...CFN_LAUNCH, 'AWS::AutoScaling::AutoScalingGroup'], terraform: [...TF_LAUNCH, 'aws_autoscaling_group'] },

  cloudformation(ctx) {
    const tpl = ctx.template;
    for (const res of tpl.resources) {
      if (res.type === 'AWS::EC2::Instance') {
        if (cfnIsSpot(tpl, { res, kind: 'instance', path: ['Properties'] }) !== 'no') continue;
        report(ctx, cfnLabels(tpl, res), res.logicalId, 'cfn-instance');
      } else if (res.type === 'AWS::AutoScaling::AutoScalingGroup') {
        if (cfnAsgSpot(tpl, res) !== 'no') continue;
        report(ctx, cfnLabels(tpl, res, 'AutoScalingGroupName'), res.logicalId, 'cfn-asg');
      }
    }
  },

  terraform(ctx) {
    for (const block of tfResourceBlocks(ctx.file, ['aws_instance', 'aws_autoscaling_group'])) {
      const isInstance = block.labels[0].value === 'aws_instance';
      const spot = isInstance ? tfIsSpot(ctx.module, ctx.file, block) : tfAsgSpot(ctx.module, ctx.file, block);
      if (spot !== 'no') continue;
      report(ctx, tfLabels(ctx.module, ctx.file, block), block.address ?? '', isInstance ? 'tf-instance' : 'tf-asg');
    }
  },
});


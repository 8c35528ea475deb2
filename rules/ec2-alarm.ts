import { getNode } from '../server/engine/cloudformation/nodes';
import type { CfnTemplate } from '../server/engine/cloudformation/model';
import { defineRule } from '../server/engine/rule';
import type { TfModule, TfReference } from '../server/engine/terraform/model';
import { headerRange } from '../server/engine/terraform/values';
import { tfResourceBlocks } from './lib/tfBlocks';
import { cfnRefs, tfBlockRefs, tfBlockRefsIn, tfRefsIn } from './lib/ec2';
import { CFN_LAUNCH, TF_LAUNCH } from './lib/reads';
import { moduleKey } from '../server/engine/terraform/moduleKey';
import { cfnOfType, cfnOfTypes } from './lib/byType';

const cfnCache = new WeakMap<CfnTemplate, Set<string>>();

/** The resources `cfnWatched` reads. */
const WATCHING = ['AWS::CloudWatch::Alarm', 'AWS::CloudFormation::Stack', 'AWS::Serverless::Application'];

/** Logical ids referred to by the dimensions / metrics of an alarm, or handed to a nested stack. */
function cfnWatched(tpl: CfnTemplate): Set<string> {
  let out = cfnCache.get(tpl);
  if (out) return out;
  out = new Set();
  for (const res of cfnOfTypes(tpl, WATCHING)) {
    if (res.type === 'AWS::CloudWatch::Alarm') {
      cfnRefs(tpl, getNode(res.properties, 'Dimensions', tpl), out);
      cfnRefs(tpl, getNode(res.properties, 'Metrics', tpl), out);
    } else if (res.type === 'AWS::CloudFormation::Stack' || res.type === 'AWS::Serverless::Application') {
      // A nested stack may hold the alarms.
      cfnRefs(tpl, getNode(res.properties, 'Parameters', tpl), out);
    }
  }
  cfnCache.set(tpl, out);
  return out;
}

const tfCache = new WeakMap<object, Set<string>>();

/**
 * Addresses (`aws_instance.web`) referred to from an alarm or a module call of
 * the module, directly or through local values.
 */
function tfWatched(module: TfModule): Set<string> {
  let out = tfCache.get(moduleKey(module));
  if (out) return out;
  out = new Set();
  const refKey = (r: TfReference) => (r.parts[0] === 'local' ? `local.${r.parts[1]}` : `${r.parts[0]}.${r.parts[1]}`);
  // Which local values carry which resource references (followed through other locals).
  const carries = new Map<string, Set<string>>();
  for (const f of module.files) {
    for (const l of f.locals) {
      // A local's references: those of its `locals` block (a top-level block) inside its value.
      const refs = l.block && l.block.parent === null ? tfBlockRefsIn(f, l.block, l.expr.range) : tfRefsIn(f, l.expr.range);
      carries.set(`local.${l.name}`, new Set(refs.filter((r) => r.parts.length >= 2).map(refKey)));
    }
  }
  for (let round = 0; round < 8; round++) {
    let changed = false;
    for (const set of carries.values()) {
      for (const k of [...set]) {
        for (const inner of carries.get(k) ?? []) if (!set.has(inner)) { set.add(inner); changed = true; }
      }
    }
    if (!changed) break;
  }
  for (const f of module.files) {
    for (const b of f.blocks) {
      const isAlarm = b.type === 'resource' && b.labels[0]?.value === 'aws_cloudwatch_metric_alarm';
      if (!isAlarm && b.type !== 'module') continue;
      for (const r of tfBlockRefs(f, b)) {
        if (r.parts.length < 2) continue;
        const k = refKey(r);
        out.add(k);
        for (const c of carries.get(k) ?? []) out.add(c);
      }
    }
  }
  tfCache.set(moduleKey(module), out);
  return out;
}

export default defineRule({
  id: 'ec2-alarm',
  severity: 'info',
  seed: '000 EC2: monitor and respond to events of your instances such as CPU usage, disk space usage, etc.',
  description: 'Every instance should have a CloudWatch alarm (CPU, status checks, disk) in the same template or module.',
  fixable: false,
  reads: { cloudformation: [...CFN_LAUNCH, 'AWS::CloudWatch::*', 'AWS::CloudFormation::Stack', 'AWS::Serverless::Application'], terraform: [...TF_LAUNCH, 'aws_cloudwatch_*'] },

  cloudformation(ctx) {
    const tpl = ctx.template;
    const watched = cfnWatched(tpl);
    for (const res of cfnOfType(tpl, 'AWS::EC2::Instance')) {
      if (watched.has(res.logicalId)) continue;
      ctx.report({
        range: res.keyRange,
        resource: res.logicalId,
        message: `${res.logicalId}: no CloudWatch alarm in this template watches the instance; add an AWS::CloudWatch::Alarm with the dimension InstanceId: !Ref ${res.logicalId} on StatusCheckFailed and CPUUtilization (and on disk usage reported by the CloudWatch agent).`,
      });
    }
  },

  terraform(ctx) {
    const watched = tfWatched(ctx.module);
    for (const block of tfResourceBlocks(ctx.file, ['aws_instance', 'aws_spot_instance_request'])) {
      if (watched.has(block.address ?? '')) continue;
      const id = block.labels[0].value === 'aws_spot_instance_request' ? `${block.address}.spot_instance_id` : `${block.address}.id`;
      ctx.report({
        range: headerRange(block),
        resource: block.address,
        message: `${block.address}: no CloudWatch alarm in this module watches the instance; add an aws_cloudwatch_metric_alarm with dimensions = { InstanceId = ${id} } on StatusCheckFailed and CPUUtilization (and on disk usage reported by the CloudWatch agent).`,
      });
    }
  },
});

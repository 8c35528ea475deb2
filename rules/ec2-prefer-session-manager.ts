import { isScalar, type Node, type YAMLMap } from 'yaml';
import type { CfnTemplate } from '../server/engine/cloudformation/model';
import { defineRule } from '../server/engine/rule';
import { getMap, getNode, resolveValues } from '../server/engine/cloudformation/nodes';
import type { OffsetRange } from '../server/engine/types';
import { cfnRefTargets, rangeKeyOf, tfKeyPairReference, cfnRange } from './lib/network';
import { alternatives, TfEvaluator } from './lib/networkValues';
import { tfResourceBlocks } from './lib/tfBlocks';
import { CFN_LAUNCH, TF_LAUNCH } from './lib/reads';
import { cfnOfTypes } from './lib/byType';

const ADVICE = 'Prefer Systems Manager Session Manager over SSH/RDP: no inbound port, no key to lose, every session logged. Once the instance has the SSM agent and an instance profile with AmazonSSMManagedInstanceCore, remove the key pair.';

/** Where each resource type keeps its key name, below `Properties`. */
const CFN_PATHS: Record<string, string[]> = {
  'AWS::EC2::Instance': [],
  'AWS::AutoScaling::LaunchConfiguration': [],
  'AWS::EC2::LaunchTemplate': ['LaunchTemplateData'],
};
/** The types `CFN_PATHS` has paths for. */
const CFN_TYPES = Object.keys(CFN_PATHS);

const TF_TYPES = ['aws_instance', 'aws_launch_template', 'aws_launch_configuration', 'aws_spot_instance_request'];

function parameterType(tpl: CfnTemplate, name: string): string | undefined {
  const t = getNode(tpl.parameters.get(name)?.body, 'Type', tpl);
  return t && isScalar(t) ? String(t.value) : undefined;
}

export default defineRule({
  id: 'ec2-prefer-session-manager',
  severity: 'info',
  seed: '000 EC2: make use of the session manager over RDP or SSH access to instances',
  description: 'An instance, launch template or launch configuration sets a key pair: prefer Systems Manager Session Manager over SSH/RDP.',
  fixable: false,
  reads: { cloudformation: [...CFN_LAUNCH, 'AWS::EC2::KeyPair'], terraform: [...TF_LAUNCH, 'aws_key_pair'] },

  cloudformation(ctx) {
    const tpl = ctx.template;
    for (const res of cfnOfTypes(tpl, CFN_TYPES)) {
      const path = CFN_PATHS[res.type];
      if (!path) continue;
      let map: YAMLMap | undefined = res.properties ?? undefined;
      for (const key of path) map = map ? getMap(map, key, tpl) : undefined;
      const node = map ? getNode(map, 'KeyName', tpl) : undefined;
      if (!node) continue;
      const seen = new Set<string>();
      for (const r of resolveValues(tpl, node)) {
        let name: string | null = null;
        if (r.kind === 'known' && r.value !== null && String(r.value).trim() !== '') name = `key pair '${String(r.value)}'`;
        if (r.kind === 'unknown') {
          // A key pair of the template, or a parameter whose type only admits existing key pairs.
          for (const t of cfnRefTargets(tpl, r.node)) {
            if (tpl.resourceById.get(t.target)?.type === 'AWS::EC2::KeyPair') name = `key pair ${t.target}`;
            else if (parameterType(tpl, t.target) === 'AWS::EC2::KeyPair::KeyName') name = `the key pair named by parameter ${t.target}`;
          }
        }
        if (!name) continue;
        const range: OffsetRange = cfnRange(tpl, r.node as Node) ?? cfnRange(tpl, node)!;
        if (seen.has(rangeKeyOf(range))) continue;
        seen.add(rangeKeyOf(range));
        ctx.report({ range, resource: res.logicalId, message: `${res.logicalId} sets KeyName to ${name} for SSH/RDP logins. ${ADVICE}` });
      }
    }
  },

  terraform(ctx) {
    const ev = new TfEvaluator(ctx.module);
    for (const block of tfResourceBlocks(ctx.file, TF_TYPES)) {
      const attr = block.attr('key_name');
      if (!attr) continue;
      const seen = new Set<string>();
      for (const scope of ev.resourceInstances(block).scopes) {
        for (const v of alternatives(ev.attr(attr, scope))) {
          let name: string | null = null;
          if (v.kind === 'known' && typeof v.value === 'string' && v.value.trim() !== '') name = `key pair "${v.value}"`;
          else if (v.kind === 'unknown') name = tfKeyPairReference(ctx.file, v.range);
          if (!name || seen.has(rangeKeyOf(v.range))) continue;
          seen.add(rangeKeyOf(v.range));
          ctx.report({ range: v.range, resource: block.address, message: `${block.address} sets key_name to ${name} for SSH/RDP logins. ${ADVICE}` });
        }
      }
    }
  },
});

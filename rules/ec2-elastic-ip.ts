import { isMap, isSeq, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { defineRule } from '../server/engine/rule';
import { getNode } from '../server/engine/cloudformation/nodes';
import * as nodePath from 'node:path';
import { headerRange } from '../server/engine/terraform/values';
import { tfResourceBlocks } from './lib/tfBlocks';
import { cfnHasSpellingEscape, includesAny } from './lib/textFacts';
import { cfnReferenceUses, cfnRefTargets, type CfnRefUse, refAddress, tfModuleResources, tfReferencesTo, tfRefsInBlock } from './lib/network';

const CFN_PUBLIC = new Set(['PublicIp', 'PublicDnsName']);
const TF_PUBLIC = new Set(['public_ip', 'public_dns']);
const ADVICE = 'A public address changes whenever the instance is stopped or replaced';

function list(names: string[]): string {
  if (names.length > 3) return `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0];
}

export default defineRule({
  id: 'ec2-elastic-ip',
  severity: 'warning',
  seed: '000 EC2: make use of elastic IPs for any instances whose public/private IP address is required',
  description: 'An instance whose public IP or DNS name is used elsewhere in the template or module should have an Elastic IP.',
  fixable: false,
  reads: { cloudformation: '*', terraform: '*' },

  cloudformation(ctx) {
    const tpl = ctx.template;
    // Only an instance is reported: without one, nothing to look up.
    if (!tpl.resources.some((r) => r.type === 'AWS::EC2::Instance')) return;
    // Only a use of a public address is reported: none when no value can spell one (most templates):
    // `cfnMayHold` of PublicIp and PublicDnsName, in one search of the text.
    if (!includesAny(tpl.text, 'Public', ['Ip', 'DnsName']) && !cfnHasSpellingEscape(tpl)) return;
    const refs = cfnReferenceUses(tpl);
    // Instances (and the network interfaces they use) that an Elastic IP is associated with.
    const covered = new Set<string>();
    for (const res of tpl.resources) {
      if (res.type !== 'AWS::EC2::EIP' && res.type !== 'AWS::EC2::EIPAssociation') continue;
      for (const key of ['InstanceId', 'NetworkInterfaceId']) {
        for (const t of cfnRefTargets(tpl, getNode(res.properties, key, tpl))) covered.add(t.target);
      }
    }
    const publicUses = new Map<string, CfnRefUse[]>();
    for (const r of refs) {
      if (r.attribute === null || !CFN_PUBLIC.has(r.attribute)) continue;
      const uses = publicUses.get(r.target);
      if (uses) uses.push(r);
      else publicUses.set(r.target, [r]);
    }
    for (const res of tpl.resources) {
      if (res.type !== 'AWS::EC2::Instance') continue;
      if (covered.has(res.logicalId) || !publicUses.has(res.logicalId)) continue;
      const nis = getNode(res.properties, 'NetworkInterfaces', tpl);
      const enis = nis && isSeq(nis)
        ? ((nis as YAMLSeq).items as Node[]).flatMap((ni) => (isMap(ni) ? cfnRefTargets(tpl, getNode(ni as YAMLMap, 'NetworkInterfaceId', tpl)) : []))
        : [];
      if (enis.some((e) => covered.has(e.target))) continue;
      const uses = publicUses.get(res.logicalId)!.filter((r) => r.owner !== res.logicalId);
      if (uses.length === 0) continue;
      const where = [...new Set(uses.map((u) => (u.section === 'Resources' ? u.owner ?? 'Resources' : `${u.section}.${u.owner ?? ''}`.replace(/\.$/, ''))))];
      const attrs = [...new Set(uses.map((u) => u.attribute!))];
      ctx.report({
        range: res.keyRange,
        resource: res.logicalId,
        message: `${res.logicalId}'s ${attrs.join(' and ')} ${attrs.length > 1 ? 'are' : 'is'} used by ${list(where)}, but no Elastic IP is associated with it. ${ADVICE}: allocate an AWS::EC2::EIP for it (InstanceId: !Ref ${res.logicalId}) and use the Elastic IP's address.`,
      });
    }
  },

  terraform(ctx) {
    const module = ctx.module;
    const instances = tfResourceBlocks(ctx.file, ['aws_instance']);
    // Cheap before the module-wide reference index: nothing to find without instances and a public address read.
    if (instances.length === 0 || !module.files.some((f) => /\.public_(ip|dns)\b/.test(f.text))) return;
    const covered = new Set<string>();
    for (const { file, block } of tfModuleResources(module, 'aws_eip', 'aws_eip_association')) {
      for (const ref of tfRefsInBlock(module, file, block)) {
        const a = refAddress(ref);
        if (a) covered.add(a);
      }
    }
    for (const block of instances) {
      const address = block.address!;
      if (covered.has(address)) continue;
      // An Elastic IP on a network interface the instance uses covers it too.
      const enis = tfRefsInBlock(module, ctx.file, block).map(refAddress).filter((a): a is string => !!a && a.startsWith('aws_network_interface.'));
      if (enis.some((e) => covered.has(e))) continue;
      const uses = tfReferencesTo(module, address).filter((s) => s.ref.parts.length >= 3 && TF_PUBLIC.has(s.ref.parts[2])
        // Provisioner connections read the address once, at creation.
        && !s.nested.includes('connection') && !s.nested.includes('provisioner')
        && s.block !== block);
      if (uses.length === 0) continue;
      const where = [...new Set(uses.map((u) => {
        const name = u.block?.address ?? 'module';
        return u.file === ctx.file ? name : `${name} (${nodePath.basename(u.file.path)})`;
      }))];
      const attrs = [...new Set(uses.map((u) => `${address}.${u.ref.parts[2]}`))];
      ctx.report({
        range: headerRange(block),
        resource: address,
        message: `${attrs.join(' and ')} ${attrs.length > 1 ? 'are' : 'is'} used by ${list(where)}, but no Elastic IP is associated with the instance. ${ADVICE}: add an aws_eip (instance = ${address}.id, or an aws_eip_association) and use the Elastic IP's public_ip.`,
      });
    }
  },
});

import { isScalar, visit, type Node, type YAMLMap } from 'yaml';
import type { TfBlock, TfFile, TfModule } from '../server/engine/terraform/model';
import { defineRule } from '../server/engine/rule';
import { getMap, getNode, resolveValues } from '../server/engine/cloudformation/nodes';
import type { CfnTemplate } from '../server/engine/cloudformation/model';
import { headerRange } from '../server/engine/terraform/values';
import { tfResourceBlocks } from './lib/tfBlocks';
import { canon, cfnReferenceUses, removeCfnResourceEdit, removeTfBlockEdit, tfModuleResources, tfReferencesTo } from './lib/network';
import { alternatives, TfEvaluator } from './lib/networkValues';
import { cfnOfType, cfnOfTypes } from './lib/byType';

const TITLE = 'Remove the unused key pair';

/** Key name settings of everything that launches instances, below `Properties`. */
const CFN_KEY_PATHS: Record<string, string[]> = {
  'AWS::EC2::Instance': [],
  'AWS::AutoScaling::LaunchConfiguration': [],
  'AWS::EC2::LaunchTemplate': ['LaunchTemplateData'],
};
/** The types `CFN_KEY_PATHS` has paths for. */
const KEY_TYPES = Object.keys(CFN_KEY_PATHS);
const TF_LAUNCHERS = ['aws_instance', 'aws_launch_template', 'aws_launch_configuration', 'aws_spot_instance_request'];

function cfnKeyNames(tpl: CfnTemplate): { values: Set<string>; canons: Set<string> } {
  const values = new Set<string>();
  const canons = new Set<string>();
  for (const res of cfnOfTypes(tpl, KEY_TYPES)) {
    const path = CFN_KEY_PATHS[res.type];
    if (!path) continue;
    let map: YAMLMap | undefined = res.properties ?? undefined;
    for (const k of path) map = map ? getMap(map, k, tpl) : undefined;
    const node = map ? getNode(map, 'KeyName', tpl) : undefined;
    if (!node) continue;
    canons.add(canon(tpl, node));
    for (const r of resolveValues(tpl, node)) {
      if (r.kind === 'known' && r.value !== null) values.add(String(r.value));
      canons.add(canon(tpl, r.node as Node));
    }
  }
  return { values, canons };
}

/** A string scalar with this value somewhere outside `except` (a key named where we cannot see the setting). */
function scalarElsewhere(tpl: CfnTemplate, except: Node, value: string): boolean {
  let found = false;
  visit(tpl.doc, {
    Scalar(_, node) {
      if (found) return visit.BREAK;
      const r = node.range;
      const inside = r && except.range && r[0] >= except.range[0] && r[1] <= except.range[1];
      if (!inside && node.value === value) found = true;
      return undefined;
    },
  });
  return found;
}

/** The name written as a string literal elsewhere in the module (a child module input, a node group, ...). */
function stringElsewhere(module: TfModule, file: TfFile, block: TfBlock, value: string): boolean {
  const literal = JSON.stringify(value);
  for (const f of module.files) {
    let at = f.text.indexOf(literal);
    while (at >= 0) {
      if (!(f === file && at >= block.range.start && at < block.range.end)) return true;
      at = f.text.indexOf(literal, at + 1);
    }
  }
  return false;
}

export default defineRule({
  id: 'ec2-key-pair-unused',
  severity: 'warning',
  seed: '003 EC2 key pairs: do not keep unused EC2 key pairs',
  description: 'A key pair resource that no instance, launch template or launch configuration in the template / module uses should be removed.',
  fixable: 'suggestion',
  reads: { cloudformation: '*', terraform: '*' },

  cloudformation(ctx) {
    const tpl = ctx.template;
    let names: ReturnType<typeof cfnKeyNames> | null = null;
    // Targets referenced from somewhere other than themselves, once (not a scan of every reference per key pair).
    let used: Set<string> | null = null;
    for (const res of cfnOfType(tpl, 'AWS::EC2::KeyPair')) {
      // Any reference from elsewhere (an instance, an output another stack reads, a DependsOn) is a use.
      if (!used) {
        used = new Set();
        for (const r of cfnReferenceUses(tpl)) if (r.owner !== r.target) used.add(r.target);
      }
      if (used.has(res.logicalId)) continue;
      // So is an instance naming the same key by its name.
      names ??= cfnKeyNames(tpl);
      const keyName = getNode(res.properties, 'KeyName', tpl);
      if (keyName) {
        if (names.canons.has(canon(tpl, keyName))) continue;
        const own = resolveValues(tpl, keyName).filter((r) => r.kind === 'known' && r.value !== null).map((r) => String((r as { value: unknown }).value));
        if (own.some((v) => names!.values.has(v) || scalarElsewhere(tpl, res.pair.value as Node, v))) continue;
      }
      const edit = removeCfnResourceEdit(tpl, res);
      const shownName = keyName && isScalar(keyName) && typeof keyName.value === 'string' ? ` ('${keyName.value}')` : '';
      ctx.report({
        range: res.keyRange,
        resource: res.logicalId,
        message: `Key pair ${res.logicalId}${shownName} is used by no instance, launch template or launch configuration in this template. Remove unused key pairs: every key that exists is one more key that can leak.`,
        fixes: edit ? [ctx.suggest(`${TITLE} ${res.logicalId}`, [edit])] : [],
      });
    }
  },

  terraform(ctx) {
    const module = ctx.module;
    const ev = new TfEvaluator(module);
    let names: Set<string> | null = null;
    for (const block of tfResourceBlocks(ctx.file, ['aws_key_pair'])) {
      const address = block.address!;
      if (tfReferencesTo(module, address).some((s) => s.block !== block)) continue;
      if (!names) {
        names = new Set();
        for (const { block: l } of tfModuleResources(module, ...TF_LAUNCHERS)) {
          for (const v of alternatives(ev.attr(l.attr('key_name')))) if (v.kind === 'known' && v.value !== null) names.add(String(v.value));
        }
      }
      const own = alternatives(ev.attr(block.attr('key_name'))).filter((v) => v.kind === 'known' && typeof v.value === 'string').map((v) => String((v as { value: unknown }).value));
      if (own.some((v) => names!.has(v) || stringElsewhere(module, ctx.file, block, v))) continue;
      const literal = block.attr('key_name')?.expr;
      const shownName = literal?.kind === 'string' ? ` (${literal.text})` : '';
      ctx.report({
        range: headerRange(block),
        resource: address,
        message: `Key pair ${address}${shownName} is used by no instance, launch template or launch configuration in this module. Remove unused key pairs: every key that exists is one more key that can leak.`,
        fixes: [ctx.suggest(`${TITLE} ${address}`, [removeTfBlockEdit(ctx.file, block)])],
      });
    }
  },
});

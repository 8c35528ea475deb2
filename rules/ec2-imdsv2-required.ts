import { isScalar, type YAMLMap } from 'yaml';
import { defineRule } from '../server/engine/rule';
import { ensureValue } from '../server/engine/cloudformation/edit';
import { getMap, getNode, getPair, intrinsic, nodeRange, resolveValues } from '../server/engine/cloudformation/nodes';
import { insertAttribute, insertBlock, setAttributeValue } from '../server/engine/terraform/edit';
import { headerRange, resolveAttr } from '../server/engine/terraform/values';
import { tfResourceBlocks } from './lib/tfBlocks';
import type { Fix } from '../server/engine/types';
import { CFN_LAUNCH, TF_LAUNCH } from './lib/reads';
import { cfnOfTypes } from './lib/byType';

/** Where each resource type keeps its metadata options, below `Properties`. */
const CFN_PATHS: Record<string, string[]> = {
  'AWS::EC2::Instance': ['MetadataOptions'],
  'AWS::AutoScaling::LaunchConfiguration': ['MetadataOptions'],
  'AWS::EC2::LaunchTemplate': ['LaunchTemplateData', 'MetadataOptions'],
};
/** The types `CFN_PATHS` has paths for. */
const CFN_TYPES = Object.keys(CFN_PATHS);

const TF_TYPES = ['aws_instance', 'aws_launch_template', 'aws_launch_configuration'];
const TITLE = 'Require IMDSv2 session tokens (HttpTokens: required)';

export default defineRule({
  id: 'ec2-imdsv2-required',
  severity: 'error',
  seed: '000 EC2: set the http-tokens option to required',
  description: 'EC2 instance metadata must require session tokens (IMDSv2): HttpTokens / http_tokens = required.',
  fixable: 'exact',
  reads: { cloudformation: CFN_LAUNCH, terraform: TF_LAUNCH },

  cloudformation(ctx) {
    const tpl = ctx.template;
    for (const res of cfnOfTypes(tpl, CFN_TYPES)) {
      const path = CFN_PATHS[res.type];
      if (!path) continue;
      // Walk down as far as the path exists; an intrinsic on the way is unknown.
      let map: YAMLMap | null = res.properties;
      let lastKey = getPair(res.body, 'Properties')?.key ?? res.pair.key;
      let unknown = map !== null && intrinsic(map) !== null;
      for (const key of path) {
        if (!map || unknown) break;
        const node = getNode(map, key, tpl);
        if (node === undefined) { map = null; break; }
        if (isScalar(node) && node.value === null && !intrinsic(node)) {
          // `MetadataOptions:` with nothing under it: missing, and no safe place to insert.
          lastKey = getPair(map, key)!.key;
          map = null;
          break;
        }
        if (intrinsic(node) || !getMap(map, key, tpl)) { unknown = true; break; }
        lastKey = getPair(map, key)!.key;
        map = getMap(map, key, tpl)!;
      }
      if (unknown) continue;
      const tokens = map ? getNode(map, 'HttpTokens', tpl) : undefined;
      const values = tokens ? resolveValues(tpl, tokens) : [];
      const bad = tokens
        ? values.filter((v) => v.kind === 'absent' || (v.kind === 'known' && String(v.value).toLowerCase() !== 'required'))
        : [];
      if (tokens && bad.length === 0) continue;
      const edit = ensureValue(tpl, res.body, ['Properties', ...path], 'HttpTokens', 'required');
      const literal = tokens !== undefined && isScalar(tokens) && !intrinsic(tokens);
      const fixes: Fix[] = [];
      if (edit) fixes.push(tokens === undefined || literal ? ctx.fix(TITLE, [edit]) : ctx.suggest(TITLE, [edit]));
      const where = tokens ? nodeRange(tokens)! : nodeRange(lastKey as never)!;
      const shown = bad.find((v) => v.kind === 'known');
      ctx.report({
        range: where,
        resource: res.logicalId,
        message: tokens
          ? `${res.logicalId}: HttpTokens is ${shown && shown.kind === 'known' ? `'${shown.value}'` : 'removed'}; set it to 'required' so instance metadata needs an IMDSv2 session token.`
          : `${res.logicalId}: instance metadata does not require IMDSv2 session tokens; set ${path.join('.')}.HttpTokens to 'required'.`,
        fixes,
      });
    }
  },

  terraform(ctx) {
    for (const block of tfResourceBlocks(ctx.file, TF_TYPES)) {
      if (block.blocksOfType('dynamic').some((d) => d.labels[0]?.value === 'metadata_options')) continue;
      const opts = block.blocksOfType('metadata_options')[0];
      const attr = opts?.attr('http_tokens');
      const value = resolveAttr(ctx.module, attr);
      if (value && (value.kind === 'unknown' || String(value.value).toLowerCase() === 'required')) continue;
      let edit;
      if (!opts) edit = insertBlock(ctx.file, block, 'metadata_options', [['http_tokens', '"required"']]);
      else if (!attr) edit = insertAttribute(ctx.file, opts, 'http_tokens', '"required"');
      else edit = setAttributeValue(ctx.file, attr, '"required"');
      const literal = !attr || attr.expr.value !== undefined;
      ctx.report({
        range: attr ? attr.expr.range : opts ? opts.typeRange : headerRange(block),
        resource: block.address,
        message: attr
          ? `${block.address}: http_tokens is '${value!.kind === 'known' ? value!.value : ''}'; set it to "required" so instance metadata needs an IMDSv2 session token.`
          : `${block.address}: instance metadata does not require IMDSv2 session tokens; set metadata_options.http_tokens = "required".`,
        fixes: [literal ? ctx.fix(TITLE, [edit]) : ctx.suggest(TITLE, [edit])],
      });
    }
  },
});

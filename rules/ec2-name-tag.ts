import { isSeq } from 'yaml';
import type { CfnResource } from '../server/engine/cloudformation/model';
import { getNode, intrinsic, nodeRange } from '../server/engine/cloudformation/nodes';
import { defineRule, type CfnContext, type TfContext } from '../server/engine/rule';
import { indentUnit, insertAttribute, insertObjectItem, setAttributeValue } from '../server/engine/terraform/edit';
import type { TfBlock } from '../server/engine/terraform/model';
import { blockText, callOf, objectItems } from '../server/engine/terraform/parser';
import { headerRange } from '../server/engine/terraform/values';
import { tfResourceBlocks } from './lib/tfBlocks';
import { tfDeps } from './lib/memo';
import type { Fix, OffsetRange, TextEdit } from '../server/engine/types';
import { appendTag, insertTags, type CfnTagValue } from './lib/cfn-edit';
import { cfnInstanceTemplate, tfInstanceTemplate } from './lib/ec2';
import {
  cfnTagList, cfnTemplateInstanceTags, regionAttribute, renderName, suggestName, tfDefaultTags, tfRegion, tfTagMap, tfTemplateInstanceTags,
  type NamingEntity,
} from './lib/tags';
import { CFN_LAUNCH, CFN_SECURITY_GROUPS, TF_LAUNCH, TF_SECURITY_GROUPS } from './lib/reads';
import { cfnDeps, cfnUnit, plus } from './lib/memo';
import { textEdit } from '../server/engine/offsetRange';

const CFN_ENTITY: Record<string, NamingEntity> = {
  'AWS::EC2::Instance': 'ec2_instance',
  'AWS::EC2::Volume': 'ebs_volume',
  'AWS::EC2::SecurityGroup': 'security_group',
};
const TF_ENTITY: Record<string, NamingEntity> = {
  aws_instance: 'ec2_instance',
  aws_ebs_volume: 'ebs_volume',
  aws_security_group: 'security_group',
};
const NOUN: Record<NamingEntity, string> = {
  ec2_instance: 'instance',
  ebs_volume: 'volume',
  security_group: 'security group',
};

/** The message for what is missing: the Name tag and/or required tag keys. */
function message(who: string, entity: NamingEntity, name: boolean, required: string[], example: string | null): string {
  const parts: string[] = [];
  if (name) parts.push(`the ${NOUN[entity]} has no Name tag; give it a descriptive name${example ? ` (e.g. ${example})` : ''}`);
  if (required.length) parts.push(`${name ? 'it also lacks' : `the ${NOUN[entity]} lacks`} the required tag${required.length > 1 ? 's' : ''} ${required.join(', ')}`);
  return `${who}: ${parts.join('; ')}.`;
}

function missingKeys(ctx: { options: { requiredTags: string[] } }, present: Set<string>): { name: boolean; required: string[] } {
  return {
    name: !present.has('Name'),
    required: ctx.options.requiredTags.filter((k) => k !== 'Name' && !present.has(k)),
  };
}

function cfnCheck(ctx: CfnContext, res: CfnResource, entity: NamingEntity): void {
  const tpl = ctx.template;
  const props = res.properties;
  if (getNode(res.body, 'Properties', tpl) !== undefined && (!props || intrinsic(props))) return;
  const tags = cfnTagList(tpl, props);
  if (tags.open) return;
  const keys = new Set(tags.entries.keys());
  if (entity === 'ec2_instance') {
    const lt = cfnInstanceTemplate(tpl, res);
    if (lt.state === 'unknown') return;
    if (lt.state === 'local') {
      const fromLt = cfnTemplateInstanceTags(tpl, lt.target);
      if (fromLt.open) return;
      for (const k of fromLt.entries.keys()) keys.add(k);
    }
  }
  const miss = missingKeys(ctx, keys);
  if (!miss.name && miss.required.length === 0) return;
  const name = suggestName(ctx.options, entity, res.logicalId);
  const value: CfnTagValue = { sub: name.regional, text: renderName(name, '${AWS::Region}', ctx.options.namingSeparator) };
  const fixes: Fix[] = [];
  if (miss.name && value.text) {
    let edit: TextEdit | null = null;
    if (tags.seq) edit = appendTag(tpl, tags.seq, 'Name', value);
    else if (!tags.pair && props) edit = insertTags(tpl, props, 'Name', value);
    if (edit) fixes.push(ctx.fix(`Add the tag Name: ${value.text}`, [edit]));
  }
  const range: OffsetRange = tags.pair && isSeq(tags.pair.value) ? nodeRange(tags.pair.key)! : res.keyRange;
  ctx.report({ range, resource: res.logicalId, message: message(res.logicalId, entity, miss.name, miss.required, miss.name ? value.text : null), fixes });
}

/** An HCL string literal holding `text` (which may contain `${...}` interpolations we wrote). */
function hclString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function tfCheck(ctx: TfContext, block: TfBlock, entity: NamingEntity): void {
  const attr = block.attr('tags');
  const tags = tfTagMap(ctx.module, ctx.file, attr?.expr);
  if (tags.open) return;
  const keys = new Set(tags.entries.keys());
  const defaults = tfDefaultTags(ctx.module, block);
  if (defaults.open) return;
  for (const k of defaults.entries.keys()) keys.add(k);
  if (entity === 'ec2_instance') {
    const lt = tfInstanceTemplate(ctx.module, ctx.file, block);
    if (lt.state === 'unknown') return;
    if (lt.state === 'local') {
      const fromLt = tfTemplateInstanceTags(ctx.module, lt.target.file, lt.target.block);
      if (fromLt.open) return;
      for (const k of fromLt.entries.keys()) keys.add(k);
    }
  }
  const miss = missingKeys(ctx, keys);
  if (!miss.name && miss.required.length === 0) return;

  const name = suggestName(ctx.options, entity, block.labels[1]?.value ?? '');
  const sep = ctx.options.namingSeparator;
  const region = name.regional ? tfRegion(ctx.module, block) : null;
  // Without a region the module shows, the suggestion reads it from a new `data "aws_region"`.
  const regionText = !name.regional ? '' : region === null ? `\${data.aws_region.current.${regionAttribute(ctx.module, 'current')}}` : 'literal' in region ? region.literal : `\${${region.expr}}`;
  const nameText = renderName(name, regionText, sep);
  const valueText = hclString(nameText);
  const fixes: Fix[] = [];
  if (miss.name && nameText) {
    const edits: TextEdit[] = [];
    let exact = true;
    if (!attr) {
      edits.push(insertAttribute(ctx.file, block, 'tags', `{\n${indentUnit(ctx.file)}Name = ${valueText}\n}`));
    } else if (attr.expr.kind === 'null') {
      edits.push(setAttributeValue(ctx.file, attr, `{ Name = ${valueText} }`));
    } else {
      let target = objectItems(attr.expr) ? attr.expr : undefined;
      const call = callOf(attr.expr);
      if (!target && call?.name === 'merge') target = [...call.args].reverse().find((a) => objectItems(a) !== undefined);
      const edit = target ? insertObjectItem(ctx.file, target, 'Name', valueText) : null;
      if (edit) edits.push(edit);
      else {
        // A variable or local with a readable default: wrap it, for review.
        edits.push(setAttributeValue(ctx.file, attr, `merge(${attr.expr.text}, { Name = ${valueText} })`));
        exact = false;
      }
    }
    if (name.regional && region === null) {
      const eol = ctx.file.lines.eol;
      const end = ctx.file.text.length;
      const lead = end > 0 && !/[\r\n]$/.test(ctx.file.text) ? eol : '';
      edits.push(textEdit(end, end, `${lead}${eol}data "aws_region" "current" {}${eol}`));
      exact = false;
    }
    const title = `Add the tag Name = ${valueText}${name.regional && region === null ? ' (and a data "aws_region" "current")' : ''}`;
    fixes.push(exact ? ctx.fix(title, edits) : ctx.suggest(title, edits));
  }
  ctx.report({
    range: attr ? attr.nameRange : headerRange(block),
    resource: block.address,
    message: message(block.address ?? '', entity, miss.name, miss.required, miss.name ? nameText : null),
    fixes,
  });
}

export default defineRule({
  id: 'ec2-name-tag',
  severity: 'warning',
  seed: '000 EC2: provide descriptive names to instances and tag them accordingly',
  description: 'EC2 instances, EBS volumes and security groups must carry a Name tag (and every tag key of the configured required list).',
  fixable: 'exact',
  reads: { cloudformation: [...CFN_LAUNCH, ...CFN_SECURITY_GROUPS, 'AWS::EC2::Volume'], terraform: [...TF_LAUNCH, ...TF_SECURITY_GROUPS, 'aws_ebs_volume'] },

  cloudformation(ctx) {
    // Each resource is checked on its own (memoized): a volume or group reads only
    // itself and the template outside the resources; an instance also reads which
    // resource ids are launch templates, and their text.
    const tpl = ctx.template;
    const deps = cfnDeps(ctx);
    let instanceDeps: string | null | undefined;
    for (const res of tpl.resources) {
      const entity = CFN_ENTITY[res.type];
      if (!entity) continue;
      if (entity === 'ec2_instance' && instanceDeps === undefined && !tpl.resources.some((r) => r.type === 'AWS::EC2::LaunchTemplate')) {
        // No launch template: every lookup of one finds none, whatever the other resources are.
        instanceDeps = plus(deps, 0);
      } else if (entity === 'ec2_instance' && instanceDeps === undefined) {
        const parts: string[] = [];
        for (const r of tpl.resources) {
          parts.push(r.logicalId, r.type);
          if (r.type === 'AWS::EC2::LaunchTemplate') parts.push(ctx.unitKey(cfnUnit(r)));
        }
        instanceDeps = plus(deps, ctx.textKey(JSON.stringify(parts)));
      }
      ctx.memo(cfnUnit(res), entity === 'ec2_instance' ? instanceDeps! : deps, () => cfnCheck(ctx, res, entity));
    }
  },

  terraform(ctx) {
    // A block reads itself and the module outside resource blocks (variables,
    // locals, providers' default tags and region): its findings are reused while
    // neither changes. An instance started from a launch template also reads the
    // template: checked every time.
    const deps = tfDeps(ctx);
    for (const block of tfResourceBlocks(ctx.file, Object.keys(TF_ENTITY))) {
      const entity = TF_ENTITY[block.labels[0].value];
      // A nested launch_template block's type is written in the block's text (no nested blocks read without it).
      if (entity === 'ec2_instance' && blockText(ctx.file, block).includes('launch_template') && block.blocksOfType('launch_template').length > 0) tfCheck(ctx, block, entity);
      else ctx.memo(block.range, deps, () => tfCheck(ctx, block, entity));
    }
  },
});

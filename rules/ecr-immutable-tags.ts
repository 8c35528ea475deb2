import { isScalar } from 'yaml';
import { defineRule } from '../server/engine/rule';
import { ensureValue } from '../server/engine/cloudformation/edit';
import { getNode, intrinsic, nodeRange, resolveValues } from '../server/engine/cloudformation/nodes';
import { insertAttribute, setAttributeValue } from '../server/engine/terraform/edit';
import { headerRange, resolveAttr } from '../server/engine/terraform/values';
import type { Fix } from '../server/engine/types';
import { cfnRepositories, tfRepositories } from './lib/ecr';
import { CFN_ECR, TF_ECR } from './lib/reads';

const TITLE = 'Make image tags immutable (ImageTagMutability: IMMUTABLE)';
const TF_TITLE = 'Make image tags immutable (image_tag_mutability = "IMMUTABLE")';

/**
 * What a mutability setting means for the rule. `IMMUTABLE_WITH_EXCLUSION`
 * still lets the excluded tags (typically `latest`) be overwritten, so it fires
 * too; switching it (or `MUTABLE_WITH_EXCLUSION`) to `IMMUTABLE` would leave
 * exclusion filters that only those modes accept, so no exact fix is offered.
 */
function describe(value: string): { ok: boolean; exclusions: boolean } {
  const v = value.toUpperCase();
  return { ok: v === 'IMMUTABLE', exclusions: v.endsWith('_WITH_EXCLUSION') };
}

function message(where: string, key: string, value: string | null): string {
  if (value === null) return `${where}: image tags are mutable (the default); set ${key} to IMMUTABLE so a pushed tag can never be overwritten.`;
  if (describe(value).exclusions && value.toUpperCase().startsWith('IMMUTABLE')) {
    return `${where}: ${key} is '${value}': tags matching the exclusion filters can still be overwritten. Use IMMUTABLE without exclusion filters and give every push a new version.`;
  }
  if (describe(value).exclusions) return `${where}: ${key} is '${value}', so most pushed tags can be overwritten; set it to IMMUTABLE and drop the exclusion filters.`;
  return `${where}: ${key} is '${value}', so a pushed tag can be overwritten; set it to IMMUTABLE.`;
}

export default defineRule({
  id: 'ecr-immutable-tags',
  severity: 'warning',
  seed: '000 ECR: all repositories have the immutability tag enabled',
  description: 'ECR repositories must make image tags immutable (ImageTagMutability / image_tag_mutability = IMMUTABLE).',
  fixable: 'exact',
  reads: { cloudformation: CFN_ECR, terraform: TF_ECR },

  cloudformation(ctx) {
    const tpl = ctx.template;
    for (const res of cfnRepositories(tpl)) {
      if (res.properties && intrinsic(res.properties)) continue;
      const node = getNode(res.properties, 'ImageTagMutability', tpl);
      const values = resolveValues(tpl, node);
      const bad = values.filter((v) => v.kind === 'absent' || (v.kind === 'known' && !describe(String(v.value)).ok));
      if (node && bad.length === 0) continue;
      const shown = bad.find((v) => v.kind === 'known');
      const shownValue = shown && shown.kind === 'known' ? String(shown.value) : null;
      const exclusions = values.some((v) => v.kind === 'known' && describe(String(v.value)).exclusions) || getNode(res.properties, 'ImageTagMutabilityExclusionFilters', tpl) !== undefined;
      const fixes: Fix[] = [];
      const edit = exclusions ? null : ensureValue(tpl, res.body, ['Properties'], 'ImageTagMutability', 'IMMUTABLE');
      if (edit) fixes.push(node === undefined || (isScalar(node) && !intrinsic(node)) ? ctx.fix(TITLE, [edit]) : ctx.suggest(TITLE, [edit]));
      ctx.report({
        range: node ? nodeRange(node)! : res.keyRange,
        resource: res.logicalId,
        message: message(res.logicalId, 'ImageTagMutability', node ? shownValue ?? 'removed' : null),
        fixes,
      });
    }
  },

  terraform(ctx) {
    for (const { file, block } of tfRepositories(ctx.module)) {
      if (file !== ctx.file) continue;
      const attr = block.attr('image_tag_mutability');
      const value = resolveAttr(ctx.module, attr);
      if (value && (value.kind === 'unknown' || describe(String(value.value)).ok)) continue;
      const shown = value?.kind === 'known' ? String(value.value) : null;
      const exclusions = (shown !== null && describe(shown).exclusions) || block.blocksOfType('image_tag_mutability_exclusion_filter').length > 0;
      const fixes: Fix[] = [];
      if (!exclusions) {
        const edit = attr ? setAttributeValue(ctx.file, attr, '"IMMUTABLE"') : insertAttribute(ctx.file, block, 'image_tag_mutability', '"IMMUTABLE"');
        fixes.push(!attr || attr.expr.value !== undefined ? ctx.fix(TF_TITLE, [edit]) : ctx.suggest(TF_TITLE, [edit]));
      }
      ctx.report({
        range: attr ? attr.expr.range : headerRange(block),
        resource: block.address,
        message: message(block.address!, 'image_tag_mutability', shown),
        fixes,
      });
    }
  },
});

import { isMap, isScalar, type YAMLMap } from 'yaml';
import { defineRule } from '../server/engine/rule';
import { ensureValue } from '../server/engine/cloudformation/edit';
import { getNode, intrinsic, nodeRange, resolveValues } from '../server/engine/cloudformation/nodes';
import { insertAttribute, insertBlock, setAttributeValue } from '../server/engine/terraform/edit';
import { headerRange, resolveAttr } from '../server/engine/terraform/values';
import type { Fix } from '../server/engine/types';
import { cfnRegistryScanCovers, cfnRepositories, cfnRepositoryName, tfRegistryScanCovers, tfRepositories, tfRepositoryName } from './lib/ecr';
import { CFN_ECR, TF_ECR } from './lib/reads';

const TITLE = 'Scan images on push (ScanOnPush: true)';
const TF_TITLE = 'Scan images on push (scan_on_push = true)';

const isTrue = (v: unknown) => v === true || String(v).toLowerCase() === 'true';

export default defineRule({
  id: 'ecr-scan-on-push',
  severity: 'warning',
  seed: '000 ECR: enable scan on push at repository level',
  description: 'ECR repositories must scan images for vulnerabilities on push (ImageScanningConfiguration.ScanOnPush / image_scanning_configuration.scan_on_push = true).',
  fixable: 'exact',
  reads: { cloudformation: CFN_ECR, terraform: TF_ECR },

  cloudformation(ctx) {
    const tpl = ctx.template;
    for (const res of cfnRepositories(tpl)) {
      if (res.properties && intrinsic(res.properties)) continue;
      if (cfnRegistryScanCovers(tpl, cfnRepositoryName(tpl, res))) continue;
      const config = getNode(res.properties, 'ImageScanningConfiguration', tpl);
      if (config && (intrinsic(config) || !(isMap(config) || (isScalar(config) && config.value === null)))) continue;
      const scan = isMap(config) ? getNode(config as YAMLMap, 'ScanOnPush', tpl) : undefined;
      const values = resolveValues(tpl, scan);
      const bad = values.filter((v) => v.kind === 'absent' || (v.kind === 'known' && !isTrue(v.value)));
      if (scan && bad.length === 0) continue;
      const edit = ensureValue(tpl, res.body, ['Properties', 'ImageScanningConfiguration'], 'ScanOnPush', true);
      const literal = scan === undefined || (isScalar(scan) && !intrinsic(scan));
      const fixes: Fix[] = edit ? [literal ? ctx.fix(TITLE, [edit]) : ctx.suggest(TITLE, [edit])] : [];
      const shown = bad.find((v) => v.kind === 'known');
      ctx.report({
        range: scan ? nodeRange(scan)! : res.keyRange,
        resource: res.logicalId,
        message: scan
          ? `${res.logicalId}: ScanOnPush is ${shown && shown.kind === 'known' ? `'${shown.value}'` : 'removed'}; set it to true so every pushed image is scanned for vulnerabilities.`
          : `${res.logicalId}: images pushed to this repository are not scanned; set ImageScanningConfiguration.ScanOnPush to true (or scan on push registry-wide with AWS::ECR::RegistryScanningConfiguration).`,
        fixes,
      });
    }
  },

  terraform(ctx) {
    for (const { file, block } of tfRepositories(ctx.module)) {
      if (file !== ctx.file) continue;
      if (block.blocksOfType('dynamic').some((d) => d.labels[0]?.value === 'image_scanning_configuration')) continue;
      if (tfRegistryScanCovers(ctx.module, tfRepositoryName(ctx.module, block))) continue;
      const config = block.blocksOfType('image_scanning_configuration')[0];
      const attr = config?.attr('scan_on_push');
      const value = resolveAttr(ctx.module, attr);
      if (value && (value.kind === 'unknown' || isTrue(value.value))) continue;
      let edit;
      if (!config) edit = insertBlock(ctx.file, block, 'image_scanning_configuration', [['scan_on_push', 'true']]);
      else if (!attr) edit = insertAttribute(ctx.file, config, 'scan_on_push', 'true');
      else edit = setAttributeValue(ctx.file, attr, 'true');
      const literal = !attr || attr.expr.value !== undefined;
      ctx.report({
        range: attr ? attr.expr.range : config ? config.typeRange : headerRange(block),
        resource: block.address,
        message: attr
          ? `${block.address}: scan_on_push is ${value?.kind === 'known' ? String(value.value) : 'not true'}; set it to true so every pushed image is scanned for vulnerabilities.`
          : `${block.address}: images pushed to this repository are not scanned; set image_scanning_configuration.scan_on_push = true (or scan on push registry-wide with aws_ecr_registry_scanning_configuration).`,
        fixes: [literal ? ctx.fix(TF_TITLE, [edit]) : ctx.suggest(TF_TITLE, [edit])],
      });
    }
  },
});

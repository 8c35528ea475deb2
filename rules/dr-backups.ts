import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { defineRule, type CfnContext } from '../server/engine/rule';
import { ensureValue, replaceValue } from '../server/engine/cloudformation/edit';
import { deref, getNode, intrinsic, nodeRange, resolveValues } from '../server/engine/cloudformation/nodes';
import { insertAttribute, insertBlock, setAttributeValue } from '../server/engine/terraform/edit';
import { headerRange, resolveAttr } from '../server/engine/terraform/values';
import { tfResourceBlocks } from './lib/tfBlocks';
import type { Fix, OffsetRange } from '../server/engine/types';
import { cfnHoldsOwnData, offendingNodes, tfIsReplica } from './lib/stateful';
import { CFN_STATEFUL, TF_STATEFUL } from './lib/reads';
import { cfnOfTypes } from './lib/byType';
import { mapDense } from '../server/engine/arrays';

/** The retention the fix sets: a week, the console's default for new databases. */
const RETENTION_DAYS = 7;
const RETENTION_TITLE = `Keep automated backups for ${RETENTION_DAYS} days`;
const PITR_TITLE = 'Turn on point-in-time recovery';

const isTrue = (v: unknown) => v === true || String(v).toLowerCase() === 'true';
const isZero = (v: unknown) => v !== null && v !== '' && Number(v) === 0;

/**
 * DynamoDB point-in-time recovery in `map` (a table's properties or a global
 * table replica): reports when `PointInTimeRecoveryEnabled` is missing or not
 * true; `at` is where a missing setting is reported.
 */
function checkPitr(ctx: CfnContext, logicalId: string, map: YAMLMap | null, body: YAMLMap | null, path: string[], at: OffsetRange, where: string): void {
  const tpl = ctx.template;
  const spec = getNode(map, 'PointInTimeRecoverySpecification', tpl);
  if (spec && (intrinsic(spec) || !(isMap(spec) || (isScalar(spec) && spec.value === null)))) return;
  const enabled = isMap(spec) ? getNode(spec as YAMLMap, 'PointInTimeRecoveryEnabled', tpl) : undefined;
  const values = resolveValues(tpl, enabled);
  const bad = values.filter((v) => v.kind === 'absent' || (v.kind === 'known' && !isTrue(v.value)));
  if (enabled && bad.length === 0) return;
  const edit = body ? ensureValue(tpl, body, [...path, 'PointInTimeRecoverySpecification'], 'PointInTimeRecoveryEnabled', true) : null;
  const literal = enabled === undefined || (isScalar(enabled) && !intrinsic(enabled));
  const fixes: Fix[] = edit ? [literal ? ctx.fix(PITR_TITLE, [edit]) : ctx.suggest(PITR_TITLE, [edit])] : [];
  ctx.report({
    range: enabled ? nodeRange(enabled)! : at,
    resource: logicalId,
    message: `${where}: point-in-time recovery is off, so the table cannot be restored to a moment before data was lost or corrupted; set PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled to true.`,
    fixes,
  });
}

/** The resource types the CloudFormation check judges. */
const BACKED_UP = ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'];

export default defineRule({
  id: 'dr-backups',
  severity: 'warning',
  seed: '000: a documented disaster recovery process with a clear point of recovery',
  description: 'Databases must keep backups: RDS backup retention above 0 days, DynamoDB point-in-time recovery on.',
  fixable: 'exact',
  reads: { cloudformation: CFN_STATEFUL, terraform: TF_STATEFUL },

  cloudformation(ctx) {
    const tpl = ctx.template;
    for (const res of cfnOfTypes(tpl, BACKED_UP)) {
      if (res.type === 'AWS::RDS::DBInstance' || res.type === 'AWS::RDS::DBCluster') {
        // Aurora instances keep no backups of their own (the cluster does); replicas copy another database.
        if (!cfnHoldsOwnData(tpl, res)) continue;
        const node = getNode(res.properties, 'BackupRetentionPeriod', tpl);
        // Unset means AWS's default of one day (Fine print): only an explicit 0 disables backups.
        // The fix replaces the offending literal (one `!If` branch stays a branch), keeping its type.
        const offenders = offendingNodes(tpl, node, (v) => v.kind === 'known' && isZero(v.value));
        if (offenders.length === 0) continue;
        const edits = mapDense(offenders, (o) => replaceValue(tpl, o.node, isScalar(o.node) && typeof o.node.value === 'string' ? String(RETENTION_DAYS) : RETENTION_DAYS));
        const fix = offenders.every((o) => o.literal) ? ctx.fix(RETENTION_TITLE, edits) : ctx.suggest(RETENTION_TITLE, edits);
        ctx.report({
          range: nodeRange(offenders[0].node)!,
          resource: res.logicalId,
          message: `${res.logicalId}: BackupRetentionPeriod is 0, which turns automated backups off: there is nothing to restore from. Keep backups for at least 1 day (the fix sets ${RETENTION_DAYS}).`,
          fixes: [fix],
        });
      } else if (res.type === 'AWS::DynamoDB::Table') {
        if (res.properties && intrinsic(res.properties)) continue;
        checkPitr(ctx, res.logicalId, res.properties, res.body, ['Properties'], res.keyRange, res.logicalId);
      } else if (res.type === 'AWS::DynamoDB::GlobalTable') {
        // Point-in-time recovery is set per replica.
        const replicas = getNode(res.properties, 'Replicas', tpl);
        if (!isSeq(replicas) || intrinsic(replicas)) continue;
        for (const item of replicas.items) {
          const replica = deref(item as Node, tpl);
          if (!isMap(replica) || intrinsic(replica)) continue;
          const region = getNode(replica as YAMLMap, 'Region', tpl);
          const name = isScalar(region) && !intrinsic(region) ? String(region.value) : null;
          const where = name ? `${res.logicalId} (replica in ${name})` : `${res.logicalId} (replica)`;
          const at = nodeRange(region ?? (replica as Node))!;
          checkPitr(ctx, res.logicalId, replica as YAMLMap, replica as YAMLMap, [], at, where);
        }
      }
    }
  },

  terraform(ctx) {
    for (const block of tfResourceBlocks(ctx.file, ['aws_db_instance', 'aws_rds_cluster'])) {
      if (tfIsReplica(ctx.module, block)) continue;
      const attr = block.attr('backup_retention_period');
      const value = resolveAttr(ctx.module, attr);
      if (!attr || value?.kind !== 'known' || !isZero(value.value)) continue;
      const edit = setAttributeValue(ctx.file, attr, String(RETENTION_DAYS));
      ctx.report({
        range: attr.expr.range,
        resource: block.address,
        message: `${block.address}: backup_retention_period is 0, which turns automated backups off: there is nothing to restore from. Keep backups for at least 1 day (the fix sets ${RETENTION_DAYS}).`,
        fixes: [attr.expr.value !== undefined ? ctx.fix(RETENTION_TITLE, [edit]) : ctx.suggest(RETENTION_TITLE, [edit])],
      });
    }
    for (const block of tfResourceBlocks(ctx.file, ['aws_dynamodb_table'])) {
      if (block.blocksOfType('dynamic').some((d) => d.labels[0]?.value === 'point_in_time_recovery')) continue;
      const pitr = block.blocksOfType('point_in_time_recovery')[0];
      const attr = pitr?.attr('enabled');
      const value = resolveAttr(ctx.module, attr);
      if (value && (value.kind === 'unknown' || isTrue(value.value))) continue;
      let edit;
      if (!pitr) edit = insertBlock(ctx.file, block, 'point_in_time_recovery', [['enabled', 'true']]);
      else if (!attr) edit = insertAttribute(ctx.file, pitr, 'enabled', 'true');
      else edit = setAttributeValue(ctx.file, attr, 'true');
      ctx.report({
        range: attr ? attr.expr.range : pitr ? pitr.typeRange : headerRange(block),
        resource: block.address,
        message: `${block.address}: point-in-time recovery is off, so the table cannot be restored to a moment before data was lost or corrupted; set point_in_time_recovery { enabled = true }.`,
        fixes: [!attr || attr.expr.value !== undefined ? ctx.fix(PITR_TITLE, [edit]) : ctx.suggest(PITR_TITLE, [edit])],
      });
    }
  },
});

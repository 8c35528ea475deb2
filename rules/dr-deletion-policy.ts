import { isScalar, type Node } from 'yaml';
import { defineRule, type CfnContext } from '../server/engine/rule';
import type { CfnResource } from '../server/engine/cloudformation/model';
import { replaceValue } from '../server/engine/cloudformation/edit';
import { getNode, getPair, intrinsic, nodeRange, resolveValues, type Resolved } from '../server/engine/cloudformation/nodes';
import { insertAttribute, insertBlock, setAttributeValue } from '../server/engine/terraform/edit';
import type { TfBlock } from '../server/engine/terraform/model';
import { headerRange } from '../server/engine/terraform/values';
import { tfResourceBlocks } from './lib/tfBlocks';
import type { Fix, TextEdit } from '../server/engine/types';
import {
  CFN_STATEFUL, cfnDefaultDeletionPolicy, cfnDeletionProtection, cfnHoldsOwnData, insertAfterEntry, offendingNodes, tfBool, tfIsReplica, tfPreventDestroy, typePair,
} from './lib/stateful';
import { CFN_LAUNCH, CFN_STATEFUL as CFN_STATEFUL_TYPES, TF_LAUNCH, TF_STATEFUL as TF_STATEFUL_TYPES } from './lib/reads';
import { cfnOfTypes } from './lib/byType';

/** What keeps the data: `RetainExceptOnCreate` retains on every operation but a failed first creation. */
const ACCEPTED: Record<string, string[]> = {
  DeletionPolicy: ['Snapshot', 'Retain', 'RetainExceptOnCreate'],
  UpdateReplacePolicy: ['Snapshot', 'Retain'],
};

/** The types `CFN_STATEFUL` knows. */
const CFN_STATEFUL_KEYS = Object.keys(CFN_STATEFUL);

interface PolicyState {
  key: 'DeletionPolicy' | 'UpdateReplacePolicy';
  node: Node | undefined;
  /** The offending value, `null` when missing. */
  bad: string | null;
  /** The literals (or parameter references) to replace. */
  offenders: { node: Node; literal: boolean }[];
  /** An `!If` whose branches would all read the same after the fix: replace it whole. */
  collapse: boolean;
}

/** What Terraform offers per stateful resource type, and the attribute the fix sets. */
const TF_STATEFUL: Record<string, { attr: string | null; what: string }> = {
  aws_db_instance: { attr: 'deletion_protection', what: 'database' },
  aws_rds_cluster: { attr: 'deletion_protection', what: 'cluster' },
  aws_dynamodb_table: { attr: 'deletion_protection_enabled', what: 'table' },
  aws_ebs_volume: { attr: 'final_snapshot', what: 'volume' },
  aws_efs_file_system: { attr: null, what: 'file system' },
};

export default defineRule({
  id: 'dr-deletion-policy',
  severity: 'warning',
  seed: '000 EC2: regularly review and test the disaster recovery process for instances and volumes',
  description: 'Stateful resources (volumes, databases, tables, file systems) must survive stack deletion and replacement: DeletionPolicy and UpdateReplacePolicy of Snapshot or Retain, or Terraform deletion protection.',
  fixable: 'exact',
  reads: { cloudformation: [...CFN_STATEFUL_TYPES, ...CFN_LAUNCH, 'AWS::EC2::VolumeAttachment'], terraform: [...TF_STATEFUL_TYPES, ...TF_LAUNCH, 'aws_volume_attachment'] },

  cloudformation(ctx) {
    const tpl = ctx.template;
    for (const res of cfnOfTypes(tpl, CFN_STATEFUL_KEYS)) {
      const kind = CFN_STATEFUL[res.type];
      if (!kind || !cfnHoldsOwnData(tpl, res)) continue;
      if (cfnDeletionProtection(tpl, res) !== 'off') continue;
      const preferred = kind.snapshot ? 'Snapshot' : 'Retain';
      const states: PolicyState[] = [];
      for (const key of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
        const node = getNode(res.body, key, tpl);
        if (!node) {
          if (key === 'DeletionPolicy' && cfnDefaultDeletionPolicy(tpl, res) === 'Snapshot') continue;
          states.push({ key, node, bad: null, offenders: [], collapse: false });
          continue;
        }
        const isBad = (v: Resolved) => v.kind === 'absent' || (v.kind === 'known' && !(ACCEPTED[key].includes(String(v.value)) && (String(v.value) !== 'Snapshot' || kind.snapshot)));
        const wrong = resolveValues(tpl, node).find(isBad);
        if (!wrong) continue;
        const offenders = offendingNodes(tpl, node, isBad);
        const collapse = intrinsic(node)?.fn === 'If' && offenders.every((o) => o.literal) &&
          resolveValues(tpl, node).every((v) => v.kind === 'known' && isScalar(v.node) && !intrinsic(v.node) && (isBad(v) || String(v.value) === preferred));
        states.push({ key, node, bad: wrong.kind === 'known' ? String(wrong.value) : 'removed', offenders, collapse });
      }
      if (states.length === 0) continue;

      // One pass over the states: the keys to add, the fix title and the message parts.
      const missing: [string, string][] = [];
      let shown: PolicyState | undefined;
      let title = 'Keep the data: ';
      let keys = '';
      let wrong = '';
      let wrongCount = 0;
      let missingKeys = '';
      let snapshotBad = false;
      let onDelete = false;
      let onReplace = false;
      for (let i = 0; i < states.length; i++) {
        const s = states[i];
        if (i > 0) {
          title += ', ';
          keys += ' and ';
        }
        title += `${s.key}: ${preferred}`;
        keys += s.key;
        if (s.node) {
          if (!shown) shown = s;
          if (wrongCount > 0) wrong += ' and ';
          wrong += `${s.key} is '${s.bad}'`;
          wrongCount++;
        } else {
          if (missing.length > 0) missingKeys += ' and ';
          missingKeys += s.key;
          missing.push([s.key, preferred]);
        }
        if (s.bad === 'Snapshot') snapshotBad = true;
        if (s.key === 'DeletionPolicy') onDelete = true;
        if (s.key === 'UpdateReplacePolicy') onReplace = true;
      }
      const fixes = cfnFixes(ctx, res, states, missing, preferred, title);

      let parts = wrong;
      if (missing.length > 0) parts += `${wrongCount > 0 ? ' and ' : ''}${missingKeys} ${missing.length > 1 ? 'are' : 'is'} missing`;
      const snapshotNote = !kind.snapshot && snapshotBad ? ` (CloudFormation cannot snapshot an ${res.type})` : '';
      const consequence = onDelete && onReplace
        ? 'deleting the stack or replacing the resource destroys its data'
        : onDelete
          ? 'deleting the stack (or the resource from it) destroys its data'
          : 'an update that replaces the resource deletes the old one with its data';
      ctx.report({
        range: shown ? nodeRange(shown.offenders[0]?.node ?? shown.node)! : res.keyRange,
        resource: res.logicalId,
        message: `${res.logicalId}: ${parts}${snapshotNote}, so ${consequence}. Set ${keys} to ${preferred}.`,
        fixes,
      });
    }
  },

  terraform(ctx) {
    for (const block of tfResourceBlocks(ctx.file, Object.keys(TF_STATEFUL))) {
      const type = block.labels[0].value;
      const spec = TF_STATEFUL[type];
      if (tfPreventDestroy(block)) continue;
      if (block.blocksOfType('lifecycle').some((l) => l.attr('prevent_destroy') && l.attr('prevent_destroy')!.expr.value === undefined)) continue;
      if ((type === 'aws_db_instance' || type === 'aws_rds_cluster') && tfIsReplica(ctx.module, block)) continue;

      let message: string;
      let range = headerRange(block);
      if (type === 'aws_db_instance' || type === 'aws_rds_cluster') {
        const protection = tfBool(ctx.module, block, 'deletion_protection');
        const skip = tfBool(ctx.module, block, 'skip_final_snapshot');
        // skip_final_snapshot defaults to false: destroying then needs a final snapshot.
        if (protection === 'true' || protection === 'unknown' || skip !== 'true') continue;
        range = block.attr('skip_final_snapshot')!.expr.range;
        message = `${block.address}: skip_final_snapshot = true and no deletion protection, so destroying or replacing the ${spec.what} loses its data without a snapshot. Set deletion_protection = true (or skip_final_snapshot = false, or lifecycle { prevent_destroy = true }).`;
      } else if (spec.attr) {
        const state = tfBool(ctx.module, block, spec.attr);
        if (state === 'true' || state === 'unknown') continue;
        if (state === 'false') range = block.attr(spec.attr)!.expr.range;
        message = type === 'aws_ebs_volume'
          ? `${block.address}: nothing keeps the volume's data when Terraform destroys or replaces it; set final_snapshot = true (or lifecycle { prevent_destroy = true }).`
          : `${block.address}: nothing stops Terraform from deleting the ${spec.what} and its data; set ${spec.attr} = true (or lifecycle { prevent_destroy = true }).`;
      } else {
        const pd = block.blocksOfType('lifecycle').map((l) => l.attr('prevent_destroy')).find((a) => a);
        if (pd) range = pd.expr.range;
        message = `${block.address}: nothing stops Terraform from deleting the ${spec.what} and its data; add lifecycle { prevent_destroy = true }.`;
      }
      const fix = tfFix(ctx.file, block, spec.attr);
      ctx.report({ range, resource: block.address, message, fixes: [fix.exact ? ctx.fix(fix.title, [fix.edit]) : ctx.suggest(fix.title, [fix.edit])] });
    }
  },
});

/** One fix for both keys: replace wrong values, add missing keys after `Type` (or after DeletionPolicy). */
function cfnFixes(ctx: CfnContext, res: CfnResource, states: PolicyState[], missing: [string, string][], preferred: string, title: string): Fix[] {
  const tpl = ctx.template;
  const edits: TextEdit[] = [];
  let exact = true;
  let ok = true;
  for (const s of states) {
    if (!s.node) continue;
    if (s.collapse) {
      edits.push(replaceValue(tpl, s.node, preferred));
      continue;
    }
    if (s.offenders.length === 0) ok = false;
    for (const o of s.offenders) {
      if (!o.node.range) {
        ok = false;
        continue;
      }
      edits.push(replaceValue(tpl, o.node, preferred));
      if (!o.literal) exact = false;
    }
  }
  if (missing.length > 0) {
    const anchor = (missing.length === 1 && missing[0][0] === 'UpdateReplacePolicy' && getPair(res.body, 'DeletionPolicy')) || typePair(res);
    const edit = anchor ? insertAfterEntry(tpl, res.body, anchor, missing) : null;
    if (edit) edits.push(edit);
    else ok = false;
  }
  if (!ok || edits.length === 0) return [];
  return [exact ? ctx.fix(title, edits) : ctx.suggest(title, edits)];
}

/** Sets the protecting attribute; replacing a variable is left to the user (a suggestion). */
function tfFix(file: Parameters<typeof insertBlock>[0], block: TfBlock, attrName: string | null): { title: string; edit: TextEdit; exact: boolean } {
  if (attrName) {
    const attr = block.attr(attrName);
    const edit = attr ? setAttributeValue(file, attr, 'true') : insertAttribute(file, block, attrName, 'true');
    return { title: `Protect the data (${attrName} = true)`, edit, exact: !attr || attr.expr.value !== undefined };
  }
  const lifecycle = block.blocksOfType('lifecycle')[0];
  const pd = lifecycle?.attr('prevent_destroy');
  let edit: TextEdit;
  if (!lifecycle) edit = insertBlock(file, block, 'lifecycle', [['prevent_destroy', 'true']]);
  else if (!pd) edit = insertAttribute(file, lifecycle, 'prevent_destroy', 'true');
  else edit = setAttributeValue(file, pd, 'true');
  return { title: 'Protect the data (lifecycle { prevent_destroy = true })', edit, exact: true };
}

/**
 * Resources that hold data (volumes, databases, tables, file systems) and what
 * protects that data from deletion and replacement, shared by the `dr-*` rules.
 */
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { CfnResource, CfnTemplate } from '../../server/engine/cloudformation/model';
import { deref, getNode, getPair, intrinsic, resolveValues, type Resolved } from '../../server/engine/cloudformation/nodes';
import type { TfBlock, TfModule } from '../../server/engine/terraform/model';
import { resolveAttr } from '../../server/engine/terraform/values';
import type { TextEdit } from '../../server/engine/types';
import { textEdit } from '../../server/engine/offsetRange';

/**
 * The stateful CloudFormation types of the catalog and whether CloudFormation
 * can snapshot them on deletion (`Snapshot` is not available for DynamoDB
 * tables nor EFS file systems: `Retain` is their policy).
 */
export const CFN_STATEFUL: Record<string, { snapshot: boolean }> = {
  'AWS::EC2::Volume': { snapshot: true },
  'AWS::RDS::DBInstance': { snapshot: true },
  'AWS::RDS::DBCluster': { snapshot: true },
  'AWS::DynamoDB::Table': { snapshot: false },
  'AWS::EFS::FileSystem': { snapshot: false },
};

function present(tpl: CfnTemplate, map: YAMLMap | null, key: string): boolean {
  const node = getNode(map, key, tpl);
  if (!node) return false;
  return resolveValues(tpl, node).some((v) => v.kind !== 'absent' && !(v.kind === 'known' && (v.value === null || v.value === '')));
}

/**
 * Whether a resource keeps data of its own. An Aurora DB instance
 * (`DBClusterIdentifier`) stores nothing itself (its cluster does) and read
 * replicas (`SourceDBInstanceIdentifier`, `ReplicationSourceIdentifier`) hold
 * a copy of another database.
 */
export function cfnHoldsOwnData(tpl: CfnTemplate, res: CfnResource): boolean {
  const p = res.properties;
  if (res.type === 'AWS::RDS::DBInstance') return !present(tpl, p, 'DBClusterIdentifier') && !present(tpl, p, 'SourceDBInstanceIdentifier');
  if (res.type === 'AWS::RDS::DBCluster') return !present(tpl, p, 'ReplicationSourceIdentifier');
  return true;
}

/**
 * The DeletionPolicy CloudFormation applies when none is written: `Snapshot`
 * for `AWS::RDS::DBCluster` and for a DB instance outside a cluster, `Delete`
 * for everything else. (`UpdateReplacePolicy` always defaults to `Delete`.)
 */
export function cfnDefaultDeletionPolicy(tpl: CfnTemplate, res: CfnResource): string {
  if (res.type === 'AWS::RDS::DBCluster') return 'Snapshot';
  if (res.type === 'AWS::RDS::DBInstance' && !present(tpl, res.properties, 'DBClusterIdentifier')) return 'Snapshot';
  return 'Delete';
}

/** `DeletionProtection` (RDS) / `DeletionProtectionEnabled` (DynamoDB): deleting the resource fails, data stays. */
export function cfnDeletionProtection(tpl: CfnTemplate, res: CfnResource): 'on' | 'off' | 'unknown' {
  const key = res.type === 'AWS::DynamoDB::Table' ? 'DeletionProtectionEnabled' : res.type.startsWith('AWS::RDS::') ? 'DeletionProtection' : null;
  if (!key) return 'off';
  const values = resolveValues(tpl, getNode(res.properties, key, tpl));
  if (values.length === 0) return 'off';
  if (values.every((v) => v.kind === 'known' && (v.value === true || String(v.value).toLowerCase() === 'true'))) return 'on';
  return values.some((v) => v.kind === 'unknown') ? 'unknown' : 'off';
}

/**
 * Inserts resource attributes (`DeletionPolicy: Snapshot`, ...) right after the
 * entry `after` of a resource body (its `Type`, usually), keeping the body's
 * style: one line per key at the key column in block YAML, `"Key": "Value"`
 * with the file's own separator in JSON and flow maps. Null when the body has
 * no safe place (a key on its parent's line, an alias...).
 */
export function insertAfterEntry(tpl: CfnTemplate, body: YAMLMap, after: Pair, entries: [string, string][]): TextEdit | null {
  const text = tpl.text;
  const key = after.key as Node;
  const value = after.value as Node | null;
  if (!key?.range || !value?.range || entries.length === 0) return null;
  const keyStart = key.range[0];
  const valueEnd = value.range[1];
  if (body.flow) {
    // Reuse the file's own spelling of `:` and of the separator between entries.
    const between = text.slice(key.range[1], value.range[0]);
    const colon = /[\r\n]/.test(between) ? ': ' : between;
    const render = ([k, v]: [string, string]) => `${JSON.stringify(k)}${colon}${JSON.stringify(v)}`;
    const keyLine = tpl.lines.offsetToPosition(keyStart).line;
    const open = body.range ? tpl.lines.offsetToPosition(body.range[0]).line : keyLine;
    const close = body.range ? tpl.lines.offsetToPosition(body.range[1]).line : keyLine;
    if (keyLine === open && keyLine === close) {
      const comma = body.range ? /,([ \t]*)\S/.exec(text.slice(body.range[0], body.range[1]))?.[1] ?? ' ' : ' ';
      let newText = '';
      for (const e of entries) newText += `,${comma}${render(e)}`;
      return textEdit(valueEnd, valueEnd, newText);
    }
    const indent = tpl.lines.indentAt(keyStart);
    let newText = '';
    for (const e of entries) newText += `,${tpl.lines.eol}${indent}${render(e)}`;
    return textEdit(valueEnd, valueEnd, newText);
  }
  const line = tpl.lines.offsetToPosition(keyStart).line;
  const lineStart = tpl.lines.lineStarts[line];
  const before = text.slice(lineStart, keyStart);
  // Only when the key starts its own line: `Db: {Type: ...}` or `- Type: x` layouts get no fix.
  if (!/^[ \t]*$/.test(before)) return null;
  if (tpl.lines.offsetToPosition(valueEnd).line !== line || !isScalar(value)) return null;
  const at = tpl.lines.lineEnd(line);
  const eol = tpl.lines.eol;
  let newText = '';
  for (const [k, v] of entries) newText += `${eol}${before}${k}: ${v}`;
  return textEdit(at, at, newText);
}

/**
 * The nodes that make a value bad, so that a fix can replace just those: a
 * literal (also one branch of `!If`, however deep), or a `Ref` whose parameter
 * default is bad (replacing that is the user's call: `literal` is false).
 */
export function offendingNodes(tpl: CfnTemplate, node: Node | undefined, isBad: (r: Resolved) => boolean, depth = 0): { node: Node; literal: boolean }[] {
  if (!node || depth > 8) return [];
  const n = deref(node, tpl);
  const fn = intrinsic(n);
  if (fn?.fn === 'If' && isSeq(fn.arg) && fn.arg.items.length === 3) {
    return (fn.arg.items.slice(1) as Node[]).flatMap((b) => offendingNodes(tpl, b, isBad, depth + 1));
  }
  const bad = resolveValues(tpl, n).some(isBad);
  if (!bad) return [];
  return [{ node: n, literal: !fn && isScalar(n) }];
}

/** The `Type` entry of a resource body. */
export function typePair(res: CfnResource): Pair | undefined {
  return getPair(res.body, 'Type');
}

export function isPlainMap(node: Node | undefined): node is YAMLMap {
  return node !== undefined && isMap(node) && !intrinsic(node);
}

// ---------------------------------------------------------------------------
// Terraform

/** `lifecycle { prevent_destroy = true }` (Terraform requires a literal there). */
export function tfPreventDestroy(block: TfBlock): boolean {
  return block.blocksOfType('lifecycle').some((l) => l.attr('prevent_destroy')?.expr.value === true);
}

/** A read replica (`replicate_source_db`) holds a copy of another database. */
export function tfIsReplica(module: TfModule, block: TfBlock): boolean {
  const v = resolveAttr(module, block.attr('replicate_source_db'));
  return v !== undefined && !(v.kind === 'known' && (v.value === null || v.value === ''));
}

export type TriState = 'true' | 'false' | 'unset' | 'unknown';

/** A boolean attribute as the source shows it (`"true"` strings count, as Terraform converts them). */
export function tfBool(module: TfModule, block: TfBlock, name: string): TriState {
  const v = resolveAttr(module, block.attr(name));
  if (!v) return 'unset';
  if (v.kind === 'unknown') return 'unknown';
  if (v.value === null) return 'unset';
  return v.value === true || String(v.value).toLowerCase() === 'true' ? 'true' : 'false';
}

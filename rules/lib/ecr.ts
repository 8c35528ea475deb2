/**
 * ECR repositories and the registry-wide settings that act on them (registry
 * scanning, replication, lifecycle policies), shared by the `ecr-*` rules.
 */
import { isMap, isSeq, type Node, type YAMLMap } from 'yaml';
import type { CfnResource, CfnTemplate } from '../../server/engine/cloudformation/model';
import { getNode, getPair, intrinsic, knownString, resolveValues } from '../../server/engine/cloudformation/nodes';
import { indentUnit as cfnIndentUnit, insertEntry } from '../../server/engine/cloudformation/edit';
import type { TfBlock, TfFile, TfModule } from '../../server/engine/terraform/model';
import { indentUnit as tfIndentUnit } from '../../server/engine/terraform/edit';
import { referenceOf } from '../../server/engine/terraform/parser';
import { resolveAttr } from '../../server/engine/terraform/values';
import { tfResourceBlocks } from './tfBlocks';
import type { TextEdit } from '../../server/engine/types';
import { moduleKey } from '../../server/engine/terraform/moduleKey';
import { textEdit } from '../../server/engine/offsetRange';

export const CFN_REPOSITORY = 'AWS::ECR::Repository';
export const TF_REPOSITORY = 'aws_ecr_repository';

export function cfnRepositories(tpl: CfnTemplate): CfnResource[] {
  return tpl.resources.filter((r) => r.type === CFN_REPOSITORY);
}

/** The repository name when the template spells it out (a literal or a parameter default). */
export function cfnRepositoryName(tpl: CfnTemplate, res: CfnResource): string | null {
  const values = resolveValues(tpl, getNode(res.properties, 'RepositoryName', tpl));
  if (values.length !== 1) return null;
  return knownString(values[0]) ?? null;
}

export interface TfRepository {
  file: TfFile;
  block: TfBlock;
}

const tfRepositoryCache = new WeakMap<object, TfRepository[]>();

/** Every `aws_ecr_repository` of the module, in file order (once per module: `moduleKey`; not to be changed). */
export function tfRepositories(module: TfModule): TfRepository[] {
  const key = moduleKey(module);
  let repos = tfRepositoryCache.get(key);
  if (!repos) {
    repos = module.files.flatMap((file) => tfResourceBlocks(file, [TF_REPOSITORY]).map((block) => ({ file, block })));
    tfRepositoryCache.set(key, repos);
  }
  return repos;
}

export function tfRepositoryName(module: TfModule, block: TfBlock): string | null {
  const v = resolveAttr(module, block.attr('name'));
  return v?.kind === 'known' && v.value !== null ? String(v.value) : null;
}

/** ECR repository filters are wildcard patterns where `*` matches any run of characters. */
function wildcardMatches(filter: string, name: string | null): boolean {
  if (filter === '*') return true;
  if (name === null) return false;
  const re = new RegExp('^' + filter.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re.test(name);
}

const SCANNING = new Set(['SCAN_ON_PUSH', 'CONTINUOUS_SCAN']);

/**
 * Registry scanning configured in this template (`AWS::ECR::RegistryScanningConfiguration`):
 * a rule that scans on push or continuously, whose filter matches the
 * repository, replaces the repository's own scan-on-push setting. A
 * configuration the tool cannot read counts as covering every repository.
 */
export function cfnRegistryScanCovers(tpl: CfnTemplate, name: string | null): boolean {
  for (const res of tpl.resources) {
    if (res.type !== 'AWS::ECR::RegistryScanningConfiguration') continue;
    const rules = getNode(res.properties, 'Rules', tpl);
    if (!rules || intrinsic(rules) || !isSeq(rules)) return true;
    for (const item of rules.items) {
      const rule = isMap(item) && !intrinsic(item as Node) ? (item as YAMLMap) : null;
      if (!rule) return true;
      const freq = resolveValues(tpl, getNode(rule, 'ScanFrequency', tpl));
      if (freq.some((f) => f.kind === 'unknown')) return true;
      if (!freq.some((f) => SCANNING.has(String(knownString(f) ?? '').toUpperCase()))) continue;
      const filters = getNode(rule, 'RepositoryFilters', tpl);
      if (!isSeq(filters) || intrinsic(filters)) return true;
      for (const f of filters.items) {
        const values = isMap(f) ? resolveValues(tpl, getNode(f as YAMLMap, 'Filter', tpl)) : [];
        if (values.length === 0 || values.some((v) => v.kind === 'unknown')) return true;
        if (values.some((v) => wildcardMatches(knownString(v) ?? '', name))) return true;
      }
    }
  }
  return false;
}

/** The Terraform counterpart: `aws_ecr_registry_scanning_configuration` in the module. */
export function tfRegistryScanCovers(module: TfModule, name: string | null): boolean {
  for (const file of module.files) {
    for (const cfg of tfResourceBlocks(file, ['aws_ecr_registry_scanning_configuration'])) {
      if (cfg.blocksOfType('dynamic').length > 0) return true;
      for (const rule of cfg.blocksOfType('rule')) {
        const freq = resolveAttr(module, rule.attr('scan_frequency'));
        if (!freq || freq.kind === 'unknown') return true;
        if (!SCANNING.has(String(freq.value).toUpperCase())) continue;
        if (rule.blocksOfType('dynamic').length > 0) return true;
        for (const f of rule.blocksOfType('repository_filter')) {
          const v = resolveAttr(module, f.attr('filter'));
          if (!v || v.kind === 'unknown') return true;
          if (wildcardMatches(String(v.value), name)) return true;
        }
      }
    }
  }
  return false;
}

/**
 * Whether the template replicates images: an `AWS::ECR::ReplicationConfiguration`
 * with at least one rule naming a destination (or one the tool cannot read).
 */
export function cfnHasReplication(tpl: CfnTemplate): boolean {
  for (const res of tpl.resources) {
    if (res.type !== 'AWS::ECR::ReplicationConfiguration') continue;
    const cfg = getNode(res.properties, 'ReplicationConfiguration', tpl);
    if (!cfg || intrinsic(cfg) || !isMap(cfg)) return true;
    const rules = getNode(cfg as YAMLMap, 'Rules', tpl);
    if (!rules || intrinsic(rules) || !isSeq(rules)) return true;
    for (const rule of rules.items) {
      if (!isMap(rule) || intrinsic(rule as Node)) return true;
      const dest = getNode(rule as YAMLMap, 'Destinations', tpl);
      if (!dest || intrinsic(dest) || !isSeq(dest) || dest.items.length > 0) return true;
    }
  }
  return false;
}

const tfReplicationCache = new WeakMap<object, boolean>();

export function tfHasReplication(module: TfModule): boolean {
  const key = moduleKey(module);
  let has = tfReplicationCache.get(key);
  if (has === undefined) {
    has = tfModuleHasReplication(module);
    tfReplicationCache.set(key, has);
  }
  return has;
}

function tfModuleHasReplication(module: TfModule): boolean {
  for (const file of module.files) {
    for (const res of tfResourceBlocks(file, ['aws_ecr_replication_configuration'])) {
      for (const cfg of res.blocksOfType('replication_configuration')) {
        if (cfg.blocksOfType('dynamic').length > 0) return true;
        for (const rule of cfg.blocksOfType('rule')) {
          if (rule.blocksOfType('destination').length > 0 || rule.blocksOfType('dynamic').length > 0) return true;
        }
      }
      if (res.blocksOfType('dynamic').length > 0) return true;
    }
  }
  return false;
}

/** Which repositories the module's `aws_ecr_lifecycle_policy` resources point at. */
export interface TfLifecycleTargets {
  /** Some policy names its repository in a way the tool cannot follow: treat every repository as covered. */
  unknown: boolean;
  /** `aws_ecr_repository.<label>` addresses referred to. */
  addresses: Set<string>;
  /** Repository names given literally (or by variable default). */
  names: Set<string>;
}

const tfLifecycleCache = new WeakMap<object, TfLifecycleTargets>();

/** Once per module (`moduleKey`); not to be changed. */
export function tfLifecycleTargets(module: TfModule): TfLifecycleTargets {
  const key = moduleKey(module);
  let targets = tfLifecycleCache.get(key);
  if (!targets) {
    targets = tfModuleLifecycleTargets(module);
    tfLifecycleCache.set(key, targets);
  }
  return targets;
}

function tfModuleLifecycleTargets(module: TfModule): TfLifecycleTargets {
  const out: TfLifecycleTargets = { unknown: false, addresses: new Set(), names: new Set() };
  for (const file of module.files) {
    for (const pol of tfResourceBlocks(file, ['aws_ecr_lifecycle_policy'])) {
      const attr = pol.attr('repository');
      if (!attr) continue;
      const ref = referenceOf(file, attr.expr);
      if (ref && (ref.parts[0] === TF_REPOSITORY || (ref.parts[0] === 'data' && ref.parts[1] === TF_REPOSITORY))) {
        const label = ref.parts[0] === 'data' ? ref.parts[2] : ref.parts[1];
        if (ref.parts[0] === TF_REPOSITORY) out.addresses.add(`${TF_REPOSITORY}.${label}`);
        else out.unknown = true;
        continue;
      }
      // `for_each = aws_ecr_repository.x` with `repository = each.value.name`: one policy per repository of x.
      const each = pol.attr('for_each');
      const over = each ? referenceOf(file, each.expr) : undefined;
      if (ref?.parts[0] === 'each' && over?.parts[0] === TF_REPOSITORY && over.parts.length === 2) {
        out.addresses.add(`${TF_REPOSITORY}.${over.parts[1]}`);
        continue;
      }
      const v = resolveAttr(module, attr);
      if (v?.kind === 'known' && v.value !== null) out.names.add(String(v.value));
      else out.unknown = true;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// The lifecycle policy the suggestion adds: expire untagged images only, so that
// every tagged release stays retrievable.

export const UNTAGGED_DAYS = 14;

const POLICY = {
  rules: [
    {
      rulePriority: 1,
      description: `Expire untagged images ${UNTAGGED_DAYS} days after push`,
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: UNTAGGED_DAYS },
      action: { type: 'expire' },
    },
  ],
};

const PLACEHOLDER = 'IACLINTLIFECYCLEPOLICYTEXT';

/**
 * Adds `LifecyclePolicy: { LifecyclePolicyText: ... }` to a repository: a
 * literal block of indented JSON in YAML, a JSON string in JSON or flow maps.
 * Null when `Properties` is there but not a map.
 */
export function cfnLifecyclePolicyEdit(tpl: CfnTemplate, res: CfnResource): TextEdit | null {
  const value = { LifecyclePolicyText: PLACEHOLDER };
  let edit: TextEdit | null;
  if (res.properties && !intrinsic(res.properties)) edit = insertEntry(tpl, res.properties, 'LifecyclePolicy', value);
  else if (!getPair(res.body, 'Properties')) edit = insertEntry(tpl, res.body, 'Properties', { LifecyclePolicy: value });
  else return null;
  if (!edit) return null;
  const quoted = JSON.stringify(PLACEHOLDER);
  if (edit.newText.includes(quoted)) {
    return textEdit(edit.start, edit.end, edit.newText.replace(quoted, () => JSON.stringify(JSON.stringify(POLICY))));
  }
  const eol = tpl.lines.eol;
  const lineStart = edit.newText.lastIndexOf('\n', edit.newText.indexOf(PLACEHOLDER)) + 1;
  const keyIndent = /^[ \t]*/.exec(edit.newText.slice(lineStart))![0];
  const inner = keyIndent + cfnIndentUnit(tpl);
  const block = '|' + eol + JSON.stringify(POLICY, null, 2).split('\n').map((l) => inner + l).join(eol);
  return textEdit(edit.start, edit.end, edit.newText.replace(PLACEHOLDER, () => block));
}

/** HCL for the policy object inside `jsonencode(...)`, at `indent`, with the file's step `unit`. */
function hclPolicy(indent: string, unit: string, eol: string): string {
  const i1 = indent + unit;
  const i2 = i1 + unit;
  const i3 = i2 + unit;
  const r = POLICY.rules[0];
  return [
    `jsonencode({`,
    `${i1}rules = [{`,
    `${i2}rulePriority = ${r.rulePriority}`,
    `${i2}description  = "${r.description}"`,
    `${i2}selection = {`,
    `${i3}tagStatus   = "${r.selection.tagStatus}"`,
    `${i3}countType   = "${r.selection.countType}"`,
    `${i3}countUnit   = "${r.selection.countUnit}"`,
    `${i3}countNumber = ${r.selection.countNumber}`,
    `${i2}}`,
    `${i2}action = { type = "${r.action.type}" }`,
    `${i1}}]`,
    `${indent}})`,
  ].join(eol);
}

/**
 * A new `aws_ecr_lifecycle_policy` block right after the repository's block,
 * following its `count` / `for_each`.
 */
export function tfLifecyclePolicyEdit(module: TfModule, file: TfFile, repo: TfBlock): TextEdit {
  const eol = file.lines.eol;
  const unit = tfIndentUnit(file);
  const label = repo.labels[1]?.value ?? 'this';
  const taken = new Set(module.files.flatMap((f) => tfResourceBlocks(f, ['aws_ecr_lifecycle_policy']).map((b) => b.labels[1]?.value)));
  const name = taken.has(label) ? `${label}_untagged` : label;
  const outer = file.lines.indentAt(repo.range.start);
  const lines: string[] = [`${outer}resource "aws_ecr_lifecycle_policy" "${name}" {`];
  if (repo.attr('for_each')) {
    lines.push(`${outer}${unit}for_each   = ${TF_REPOSITORY}.${label}`, `${outer}${unit}repository = each.value.name`);
  } else if (repo.attr('count')) {
    lines.push(`${outer}${unit}count      = length(${TF_REPOSITORY}.${label})`, `${outer}${unit}repository = ${TF_REPOSITORY}.${label}[count.index].name`);
  } else {
    lines.push(`${outer}${unit}repository = ${TF_REPOSITORY}.${label}.name`);
  }
  lines.push('', `${outer}${unit}policy = ${hclPolicy(outer + unit, unit, eol)}`, `${outer}}`);
  const at = file.lines.lineEnd(file.lines.offsetToPosition(Math.max(repo.range.start, repo.range.end - 1)).line);
  return textEdit(at, at, eol + eol + lines.join(eol));
}

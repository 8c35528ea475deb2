/**
 * Shared EC2 knowledge for the instance, launch template and volume rules: where
 * each resource type keeps its launch settings, how to look one up (and build
 * the exact fix that sets it) in CloudFormation and Terraform, which launch
 * template an instance is launched from, which templates Auto Scaling, EKS,
 * Batch or a fleet launch, whether an instance is a Spot Instance, and the
 * block devices it declares.
 */
import { isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { ensureValue } from '../../server/engine/cloudformation/edit';
import type { CfnResource, CfnTemplate } from '../../server/engine/cloudformation/model';
import { deref, getNode, getPair, intrinsic, nodeRange, resolveValues, type Resolved } from '../../server/engine/cloudformation/nodes';
import type { CfnContext, TfContext } from '../../server/engine/rule';
import { insertAttribute, insertBlock, setAttributeValue } from '../../server/engine/terraform/edit';
import type { TfAttribute, TfBlock, TfFile, TfModule, TfReference } from '../../server/engine/terraform/model';
import { blockReferences, blockText, referenceOf } from '../../server/engine/terraform/parser';
import { headerRange, resolveAttr, resolveExpr, type TfResolved } from '../../server/engine/terraform/values';
import type { Fix, OffsetRange } from '../../server/engine/types';
import { cfnFacts } from './memo';
import { moduleKey } from '../../server/engine/terraform/moduleKey';
import { firstAtOrAfter } from '../../server/engine/positions';

// ---------------------------------------------------------------------------
// CloudFormation

export type CfnKind = 'instance' | 'launch-template' | 'launch-configuration';

export const CFN_INSTANCE = 'AWS::EC2::Instance';
export const CFN_LAUNCH_TEMPLATE = 'AWS::EC2::LaunchTemplate';
export const CFN_LAUNCH_CONFIGURATION = 'AWS::AutoScaling::LaunchConfiguration';

const CFN_KIND: Record<string, CfnKind> = {
  [CFN_INSTANCE]: 'instance',
  [CFN_LAUNCH_TEMPLATE]: 'launch-template',
  [CFN_LAUNCH_CONFIGURATION]: 'launch-configuration',
};

export interface CfnLaunch {
  res: CfnResource;
  kind: CfnKind;
  /** From the resource body to the map holding the launch settings. */
  path: string[];
}

/** Instances, launch templates and launch configurations of the template, in source order. */
export function cfnLaunchResources(tpl: CfnTemplate, kinds: readonly CfnKind[] = ['instance', 'launch-template', 'launch-configuration']): CfnLaunch[] {
  const out: CfnLaunch[] = [];
  for (const res of tpl.resources) {
    const kind = CFN_KIND[res.type];
    if (!kind || !kinds.includes(kind)) continue;
    out.push({ res, kind, path: kind === 'launch-template' ? ['Properties', 'LaunchTemplateData'] : ['Properties'] });
  }
  return out;
}

export type CfnLookup =
  | { state: 'unknown' }
  /** `anchor`: the deepest key that exists on the path below the settings map (else the logical id). */
  | { state: 'missing'; anchor: OffsetRange }
  | { state: 'present'; node: Node; pair: Pair<Scalar, Node>; values: Resolved[] };

/**
 * Looks `path` up from the resource body (`['Properties', 'MetadataOptions',
 * 'HttpEndpoint']`). An intrinsic function or a non-map on the way makes the
 * value unknown; a key with nothing under it (`MetadataOptions:`) is missing.
 */
export function cfnLookup(tpl: CfnTemplate, res: CfnResource, path: readonly string[]): CfnLookup {
  let map: YAMLMap = res.body;
  let anchor: OffsetRange = res.keyRange;
  for (let i = 0; i < path.length; i++) {
    const pair = getPair(map, path[i]);
    // As `getNode`, without looking the key up again.
    const v = (pair?.value ?? undefined) as Node | undefined;
    const node = v ? deref(v, tpl) : undefined;
    if (!pair || node === undefined) return { state: 'missing', anchor };
    if (i === path.length - 1) return { state: 'present', node, pair, values: resolveValues(tpl, node) };
    const keyRange = nodeRange(pair.key) ?? anchor;
    if (isScalar(node) && node.value === null && !intrinsic(node)) return { state: 'missing', anchor: i === 0 ? anchor : keyRange };
    if (!isMap(node) || intrinsic(node)) return { state: 'unknown' };
    map = node as YAMLMap;
    // A setting missing from the resource's own settings sits on the logical id.
    if (path[i] !== 'Properties' && path[i] !== 'LaunchTemplateData') anchor = keyRange;
  }
  return { state: 'unknown' };
}

/** The map at `path` below the resource body, or null (missing, or not a plain map). */
export function cfnMapAt(tpl: CfnTemplate, res: CfnResource, path: readonly string[]): YAMLMap | null {
  let map: YAMLMap = res.body;
  for (const key of path) {
    const node = getNode(map, key, tpl);
    if (!node || !isMap(node) || intrinsic(node)) return null;
    map = node as YAMLMap;
  }
  return map;
}

/** The known values of a lookup (each `!If` branch, parameter defaults), lower-cased strings. */
export function knownStrings(values: readonly Resolved[]): string[] {
  const out: string[] = [];
  for (const v of values) if (v.kind === 'known' && v.value !== null) out.push(String(v.value));
  return out;
}

/** A value node written literally (no tag, no intrinsic): replacing it loses nothing. */
export function isLiteral(node: Node | undefined): boolean {
  return node === undefined || (isScalar(node) && !intrinsic(node) && !(node as Scalar).tag);
}

/**
 * The fix that makes `path` (from the resource body) equal to `value`, creating
 * missing maps. Exact when the setting is missing or a literal; a suggestion when
 * it replaces a `Ref`, `!If` or other function. None when no edit is possible.
 */
export function cfnSetFix(ctx: CfnContext, res: CfnResource, path: readonly string[], value: string | number | boolean, title: string, current?: Node): Fix[] {
  const edit = ensureValue(ctx.template, res.body, path.slice(0, -1), path[path.length - 1], value);
  if (!edit) return [];
  return [isLiteral(current) ? ctx.fix(title, [edit]) : ctx.suggest(title, [edit])];
}

/**
 * Logical ids a node refers to: `Ref`, `Fn::GetAtt` (both forms) and `${Name}` /
 * `${Name.Attr}` in `Fn::Sub`. Pseudo parameters are left out.
 */
export function cfnRefs(tpl: CfnTemplate, node: Node | null | undefined, out = new Set<string>(), depth = 0): Set<string> {
  if (!node || depth > 64) return out;
  const fn = intrinsic(node);
  if (fn) {
    const arg = fn.arg;
    if ((fn.fn === 'Ref' || fn.fn === 'GetAtt') && arg && isScalar(arg) && typeof arg.value === 'string') {
      const name = fn.fn === 'GetAtt' ? arg.value.split('.')[0] : arg.value;
      if (!name.startsWith('AWS::')) out.add(name);
    } else if (fn.fn === 'GetAtt' && arg && isSeq(arg)) {
      const first = (arg as YAMLSeq).items[0];
      if (isScalar(first) && typeof first.value === 'string') out.add(first.value);
    } else if (fn.fn === 'Sub' && arg) {
      const str = isScalar(arg) ? arg : isSeq(arg) ? (arg as YAMLSeq).items[0] : null;
      if (isScalar(str) && typeof str.value === 'string') {
        for (const m of str.value.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = m[1].trim().split('.')[0];
          if (!name.startsWith('AWS::')) out.add(name);
        }
      }
    }
  }
  if (isMap(node)) for (const p of (node as YAMLMap).items) cfnRefs(tpl, p.value as Node, out, depth + 1);
  else if (isSeq(node)) for (const it of (node as YAMLSeq).items) cfnRefs(tpl, it as Node, out, depth + 1);
  return out;
}

export type Link<T> = { state: 'none' } | { state: 'unknown' } | { state: 'local'; target: T };

/** The launch template an `AWS::EC2::Instance` is launched from. */
export function cfnInstanceTemplate(tpl: CfnTemplate, res: CfnResource): Link<CfnResource> {
  if (res.type !== CFN_INSTANCE) return { state: 'none' };
  const spec = getNode(res.properties, 'LaunchTemplate', tpl);
  if (spec === undefined) return { state: 'none' };
  if (!isMap(spec) || intrinsic(spec)) return { state: 'unknown' };
  for (const id of cfnRefs(tpl, spec)) {
    const target = tpl.resourceById.get(id);
    if (target?.type === CFN_LAUNCH_TEMPLATE) return { state: 'local', target };
  }
  const name = knownStrings(resolveValues(tpl, getNode(spec as YAMLMap, 'LaunchTemplateName', tpl)));
  if (name.length === 1) {
    for (const lt of tpl.resources) {
      if (lt.type !== CFN_LAUNCH_TEMPLATE) continue;
      const ltName = knownStrings(resolveValues(tpl, getNode(lt.properties, 'LaunchTemplateName', tpl)));
      if (ltName.length === 1 && ltName[0] === name[0]) return { state: 'local', target: lt };
    }
  }
  return { state: 'unknown' };
}

/** Who launches instances from a launch template or configuration. */
export type Launcher = 'asg' | 'eks' | 'batch' | 'fleet' | 'instance' | 'stack' | 'module' | 'output' | 'other';

const CFN_LAUNCHER: Record<string, Launcher> = {
  'AWS::AutoScaling::AutoScalingGroup': 'asg',
  'AWS::EKS::Nodegroup': 'eks',
  'AWS::Batch::ComputeEnvironment': 'batch',
  'AWS::EC2::EC2Fleet': 'fleet',
  'AWS::EC2::SpotFleet': 'fleet',
  [CFN_INSTANCE]: 'instance',
  'AWS::CloudFormation::Stack': 'stack',
  'AWS::Serverless::Application': 'stack',
};

const cfnLauncherCache = new WeakMap<CfnTemplate, Map<string, Set<Launcher>>>();

/** For each launch template / configuration: the kinds of resources (and outputs) that refer to it. */
export function cfnLaunchers(tpl: CfnTemplate): Map<string, Set<Launcher>> {
  let map = cfnLauncherCache.get(tpl);
  if (map) return map;
  map = new Map();
  // Only launch templates and configurations are recorded: without one, nothing to look for.
  if (!tpl.resources.some((r) => r.type === CFN_LAUNCH_TEMPLATE || r.type === CFN_LAUNCH_CONFIGURATION)) {
    cfnLauncherCache.set(tpl, map);
    return map;
  }
  const add = (id: string, l: Launcher) => {
    const t = tpl.resourceById.get(id)?.type;
    if (t !== CFN_LAUNCH_TEMPLATE && t !== CFN_LAUNCH_CONFIGURATION) return;
    const set = map!.get(id) ?? new Set<Launcher>();
    set.add(l);
    map!.set(id, set);
  };
  for (const res of tpl.resources) {
    const kind = CFN_LAUNCHER[res.type] ?? 'other';
    for (const id of cfnFacts(tpl, res, 'cfnRefs:body', () => [...cfnRefs(tpl, res.body)])) if (id !== res.logicalId) add(id, kind);
  }
  for (const id of cfnRefs(tpl, getNode(tpl.root, 'Outputs', tpl))) add(id, 'output');
  cfnLauncherCache.set(tpl, map);
  return map;
}

export type Tri = 'yes' | 'no' | 'unknown';

function cfnMarketSpot(tpl: CfnTemplate, res: CfnResource, path: string[]): Tri {
  const opts = cfnLookup(tpl, res, [...path, 'InstanceMarketOptions']);
  if (opts.state === 'missing') return 'no';
  if (opts.state === 'unknown') return 'unknown';
  const type = cfnLookup(tpl, res, [...path, 'InstanceMarketOptions', 'MarketType']);
  if (type.state !== 'present') return type.state === 'missing' ? 'no' : 'unknown';
  const known = knownStrings(type.values).map((s) => s.toLowerCase());
  if (known.includes('spot')) return 'yes';
  return type.values.some((v) => v.kind === 'unknown') ? 'unknown' : 'no';
}

/** Whether an instance or launch template runs Spot Instances (an instance also through its launch template). */
export function cfnIsSpot(tpl: CfnTemplate, launch: CfnLaunch): Tri {
  if (launch.kind === 'launch-configuration') {
    const price = cfnLookup(tpl, launch.res, ['Properties', 'SpotPrice']);
    return price.state === 'missing' ? 'no' : price.state === 'unknown' ? 'unknown' : 'yes';
  }
  const own = cfnMarketSpot(tpl, launch.res, launch.path);
  if (own !== 'no' || launch.kind !== 'instance') return own;
  const lt = cfnInstanceTemplate(tpl, launch.res);
  if (lt.state === 'none') return 'no';
  if (lt.state === 'unknown') return 'unknown';
  return cfnMarketSpot(tpl, lt.target, ['Properties', 'LaunchTemplateData']);
}

export interface CfnBlockDevice {
  /** The mapping (`- DeviceName: ...`). */
  item: YAMLMap;
  /** Index in `BlockDeviceMappings`. */
  index: number;
  /** `Ebs`, when a plain map. */
  ebs: YAMLMap | null;
  /** `Ebs` is there but not a plain map (intrinsic): unknown. */
  ebsUnknown: boolean;
  deviceName: string | undefined;
}

/**
 * The block device mappings below `path` (the launch settings map). `unknown` when
 * the list itself is an intrinsic function; items that are functions are skipped
 * and counted in `unknownItems`.
 */
export function cfnBlockDevices(tpl: CfnTemplate, res: CfnResource, path: readonly string[]): { list: CfnBlockDevice[]; unknown: boolean; present: boolean } {
  const look = cfnLookup(tpl, res, [...path, 'BlockDeviceMappings']);
  if (look.state === 'missing') return { list: [], unknown: false, present: false };
  if (look.state === 'unknown' || !isSeq(look.node)) return { list: [], unknown: true, present: true };
  const list: CfnBlockDevice[] = [];
  let unknown = false;
  (look.node as YAMLSeq).items.forEach((raw, index) => {
    const item = raw as Node;
    if (!isMap(item) || intrinsic(item)) {
      unknown = true;
      return;
    }
    const ebsNode = getNode(item as YAMLMap, 'Ebs', tpl);
    const plain = ebsNode !== undefined && isMap(ebsNode) && !intrinsic(ebsNode);
    const dn = knownStrings(resolveValues(tpl, getNode(item as YAMLMap, 'DeviceName', tpl)));
    list.push({
      item: item as YAMLMap,
      index,
      ebs: plain ? (ebsNode as YAMLMap) : null,
      ebsUnknown: ebsNode !== undefined && !plain && !(isScalar(ebsNode) && ebsNode.value === null),
      deviceName: dn.length === 1 ? dn[0] : undefined,
    });
  });
  return { list, unknown, present: true };
}

/** Root device names of the common AMIs (Amazon Linux `/dev/xvda`, Ubuntu/RHEL/Windows `/dev/sda1`). */
export function isRootDeviceName(name: string | undefined): boolean {
  return name !== undefined && /^(\/dev\/)?(xvda|sda1?|nvme0n1)$/.test(name);
}

// ---------------------------------------------------------------------------
// Terraform

export const TF_INSTANCE_TYPES = ['aws_instance', 'aws_spot_instance_request'];

export interface TfPlace {
  file: TfFile;
  block: TfBlock;
}

/** Every `resource` block of the given types across the module. */
export function tfResources(module: TfModule, types: readonly string[]): TfPlace[] {
  const out: TfPlace[] = [];
  for (const file of module.files) {
    for (const block of file.blocks) {
      if (block.type === 'resource' && types.includes(block.labels[0]?.value ?? '')) out.push({ file, block });
    }
  }
  return out;
}

export function tfFind(module: TfModule, type: string, name: string): TfPlace | undefined {
  for (const file of module.files) {
    for (const block of file.blocks) {
      if (block.type === 'resource' && block.labels[0]?.value === type && block.labels[1]?.value === name) return { file, block };
    }
  }
  return undefined;
}

/** References written inside a range of a file. */
export function tfRefsIn(file: TfFile, range: OffsetRange): TfReference[] {
  // References are sorted by start: find the first one at or after the range's start.
  const refs = file.references;
  const lo = firstAtOrAfter(refs, range.start, (r) => r.range.start);
  const out: TfReference[] = [];
  for (let i = lo; i < refs.length && refs[i].range.start <= range.end; i++) if (refs[i].range.end <= range.end) out.push(refs[i]);
  return out;
}

/**
 * The references inside a top-level block of `file` (`file.blocks`): the same
 * references, in the same order, as `tfRefsIn(file, block.range)`. A clean file's
 * references are the concatenation of its top-level blocks' own (queried block by
 * block, moved with a block copied from the file's last version); the model keeps
 * each block's, so asking for one block's does not query the whole file (a module
 * whose alarms are the only blocks whose references a rule needs pays only for those).
 * Files with syntax errors are queried whole (`blockReferences` in the parser gives null).
 */
export function tfBlockRefs(file: TfFile, block: TfBlock): TfReference[] {
  return blockReferences(file, block) ?? tfRefsIn(file, block.range);
}

/** `tfRefsIn(file, range)` for a range inside the top-level block `block` (its references, filtered). */
export function tfBlockRefsIn(file: TfFile, block: TfBlock, range: OffsetRange): TfReference[] {
  return tfBlockRefs(file, block).filter((r) => r.range.start >= range.start && r.range.start <= range.end && r.range.end <= range.end);
}

/** The top-level block of `file` holding `offset`. */
export function tfBlockAt(file: TfFile, offset: number): TfBlock | undefined {
  return file.blocks.find((b) => b.range.start <= offset && offset < b.range.end);
}

export type TfLookup =
  | { state: 'unknown' }
  /** `block`: the deepest block on the path that exists; `rest`: what is missing below it. */
  | { state: 'missing'; block: TfBlock; rest: string[]; anchor: OffsetRange }
  | { state: 'present'; attr: TfAttribute; value: TfResolved };

/**
 * Looks up `path` below a block: nested block types, then an attribute name
 * (`['metadata_options', 'http_endpoint']`). A `dynamic` block on the way makes
 * the value unknown.
 */
export function tfLookup(module: TfModule, block: TfBlock, path: readonly string[]): TfLookup {
  let cur = block;
  let anchor: OffsetRange = headerRange(block);
  for (let i = 0; i < path.length - 1; i++) {
    if (cur.blocksOfType('dynamic').some((d) => d.labels[0]?.value === path[i])) return { state: 'unknown' };
    if (cur.attr(path[i])) return { state: 'unknown' };
    const next = cur.blocksOfType(path[i])[0];
    if (!next) return { state: 'missing', block: cur, rest: path.slice(i), anchor };
    cur = next;
    anchor = next.typeRange;
  }
  const attr = cur.attr(path[path.length - 1]);
  if (!attr) return { state: 'missing', block: cur, rest: [path[path.length - 1]], anchor };
  return { state: 'present', attr, value: resolveAttr(module, attr)! };
}

/**
 * The fix that sets a looked-up Terraform setting to `valueText` (HCL source),
 * inserting the attribute or the one missing nested block. Exact unless it
 * replaces a non-literal expression (then a suggestion).
 */
export function tfSetFix(ctx: TfContext, look: TfLookup, valueText: string, title: string): Fix[] {
  if (look.state === 'present') {
    const edit = setAttributeValue(ctx.file, look.attr, valueText);
    return [look.attr.expr.value !== undefined ? ctx.fix(title, [edit]) : ctx.suggest(title, [edit])];
  }
  if (look.state !== 'missing') return [];
  if (look.rest.length === 1) return [ctx.fix(title, [insertAttribute(ctx.file, look.block, look.rest[0], valueText)])];
  if (look.rest.length === 2) return [ctx.fix(title, [insertBlock(ctx.file, look.block, look.rest[0], [[look.rest[1], valueText]])])];
  return [];
}

/** The resolved value of a lookup as a lower-case string, when known and not null. */
export function tfKnownString(look: TfLookup): string | undefined {
  if (look.state !== 'present' || look.value.kind !== 'known' || look.value.value === null) return undefined;
  return String(look.value.value);
}

/** The resource a reference expression points at (`aws_launch_template.app.id` → the block). */
export function tfReferencedResource(module: TfModule, file: TfFile, attr: TfAttribute | undefined): TfPlace | 'unknown' | undefined {
  if (!attr) return undefined;
  const ref = referenceOf(file, attr.expr);
  if (!ref || ref.parts.length < 2) return 'unknown';
  return tfFind(module, ref.parts[0], ref.parts[1]) ?? 'unknown';
}

/** The launch template an `aws_instance` / `aws_spot_instance_request` is launched from. */
export function tfInstanceTemplate(module: TfModule, file: TfFile, block: TfBlock): Link<TfPlace> {
  if (block.blocksOfType('dynamic').some((d) => d.labels[0]?.value === 'launch_template')) return { state: 'unknown' };
  const spec = block.blocksOfType('launch_template')[0];
  if (!spec) return { state: 'none' };
  for (const name of ['id', 'name']) {
    const attr = spec.attr(name);
    if (!attr) continue;
    const ref = referenceOf(file, attr.expr);
    if (ref && ref.parts[0] === 'aws_launch_template' && ref.parts.length >= 2) {
      const target = tfFind(module, 'aws_launch_template', ref.parts[1]);
      return target ? { state: 'local', target } : { state: 'unknown' };
    }
    const lit = resolveExpr(module, attr.expr);
    if (name === 'name' && lit?.kind === 'known') {
      for (const lt of tfResources(module, ['aws_launch_template'])) {
        const n = resolveAttr(module, lt.block.attr('name'));
        if (n?.kind === 'known' && n.value === lit.value) return { state: 'local', target: lt };
      }
    }
  }
  return { state: 'unknown' };
}

const TF_LAUNCHER: Record<string, Launcher> = {
  aws_autoscaling_group: 'asg',
  aws_eks_node_group: 'eks',
  aws_batch_compute_environment: 'batch',
  aws_ec2_fleet: 'fleet',
  aws_spot_fleet_request: 'fleet',
  aws_instance: 'instance',
  aws_spot_instance_request: 'instance',
};

const tfLauncherCache = new WeakMap<object, Map<string, Set<Launcher>>>();
const LAUNCH_MARK = 'aws_launch_';

/**
 * For each `aws_launch_template.x` / `aws_launch_configuration.x` of the module:
 * the kinds of blocks that refer to it (`module` and `output` blocks included:
 * their consumers are out of sight).
 */
export function tfLaunchers(module: TfModule): Map<string, Set<Launcher>> {
  let map = tfLauncherCache.get(moduleKey(module));
  if (map) return map;
  map = new Map();
  const add = (holder: TfBlock, ref: TfReference): void => {
    const t = ref.parts[0];
    if ((t !== 'aws_launch_template' && t !== 'aws_launch_configuration') || ref.parts.length < 2) return;
    const address = `${t}.${ref.parts[1]}`;
    if (holder.address === address) return;
    let kind: Launcher = 'other';
    if (holder.type === 'resource') kind = TF_LAUNCHER[holder.labels[0]?.value ?? ''] ?? 'other';
    else if (holder.type === 'module') kind = 'module';
    else if (holder.type === 'output') kind = 'output';
    const set = map!.get(address) ?? new Set<Launcher>();
    set.add(kind);
    map!.set(address, set);
  };
  for (const file of module.files) {
    // A reference's first part is an identifier written as is: no `aws_launch_` in the text, no launcher reference.
    if (!file.text.includes(LAUNCH_MARK)) continue;
    if (file.errors.length === 0) {
      // Clean file: top-level blocks in source order, apart; the references of each
      // (by start) are those it holds, and a block without the word holds none.
      for (const block of file.blocks) {
        if (!blockText(file, block).includes(LAUNCH_MARK)) continue;
        for (const ref of tfBlockRefs(file, block)) add(block, ref);
      }
      continue;
    }
    for (const ref of file.references) {
      const holder = tfBlockAt(file, ref.range.start);
      if (holder) add(holder, ref);
    }
  }
  tfLauncherCache.set(moduleKey(module), map);
  return map;
}

function tfMarketSpot(module: TfModule, block: TfBlock): Tri {
  if (block.blocksOfType('dynamic').some((d) => d.labels[0]?.value === 'instance_market_options')) return 'unknown';
  const opts = block.blocksOfType('instance_market_options')[0];
  if (!opts) return 'no';
  const type = resolveAttr(module, opts.attr('market_type'));
  if (!type) return 'yes';
  if (type.kind !== 'known') return 'unknown';
  return String(type.value).toLowerCase() === 'spot' ? 'yes' : 'no';
}

/** Whether an instance / launch template / configuration runs Spot Instances. */
export function tfIsSpot(module: TfModule, file: TfFile, block: TfBlock): Tri {
  const type = block.labels[0]?.value;
  if (type === 'aws_spot_instance_request') return 'yes';
  if (type === 'aws_launch_configuration') {
    const price = block.attr('spot_price');
    if (!price) return 'no';
    const v = resolveAttr(module, price)!;
    return v.kind === 'known' ? (v.value === null || v.value === '' ? 'no' : 'yes') : 'unknown';
  }
  const own = tfMarketSpot(module, block);
  if (own !== 'no' || type !== 'aws_instance') return own;
  const lt = tfInstanceTemplate(module, file, block);
  if (lt.state === 'none') return 'no';
  if (lt.state === 'unknown') return 'unknown';
  return tfMarketSpot(module, lt.target.block);
}

/** The nested block `type` is generated by a `dynamic` block: its content is unknown. */
export function tfHasDynamic(block: TfBlock, type: string): boolean {
  return block.blocksOfType('dynamic').some((d) => d.labels[0]?.value === type);
}

/** How a boolean setting that must be true stands: set true, unknown, missing, or set to something else. */
export type TrueVerdict = 'ok' | 'unknown' | 'missing' | { bad: string };

function isTrue(v: unknown): boolean {
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
}

/**
 * The verdict on a CFN setting that must be true, per `!If` branch: any branch that
 * is false fires; a branch that removes the setting (`AWS::NoValue`) counts as
 * `removedAs` (`missing` where unset is the default, else a bad value named `removed`).
 */
export function cfnTrueVerdict(look: CfnLookup, removedAs: 'missing' | 'bad'): TrueVerdict {
  if (look.state === 'unknown') return 'unknown';
  if (look.state === 'missing') return 'missing';
  let unknown = false;
  for (const v of look.values) {
    if (v.kind === 'unknown') unknown = true;
    else if (v.kind === 'absent') return removedAs === 'missing' ? 'missing' : { bad: 'removed' };
    else if (!isTrue(v.value)) return { bad: String(v.value) };
  }
  return unknown ? 'unknown' : 'ok';
}

/** The verdict on a Terraform setting that must be true. */
export function tfTrueVerdict(look: TfLookup): TrueVerdict {
  if (look.state === 'unknown') return 'unknown';
  if (look.state === 'missing') return 'missing';
  if (look.value.kind === 'unknown') return 'unknown';
  return isTrue(look.value.value) ? 'ok' : { bad: String(look.value.value) };
}

import { isMap, isScalar, isSeq, Scalar, type Node, type YAMLMap } from 'yaml';
import { defineRule, type CfnContext, type TfContext } from '../server/engine/rule';
import { getNode, intrinsic, nodeRange, resolveValues } from '../server/engine/cloudformation/nodes';
import type { CfnResource, CfnTemplate } from '../server/engine/cloudformation/model';
import { cfnDeps, cfnFacts, cfnUnit } from './lib/memo';
import { callOf, objectItems } from '../server/engine/terraform/parser';
import type { TfBlock, TfExpr, TfModule } from '../server/engine/terraform/model';
import { tfDeps } from './lib/memo';
import { findVariable, resolveExpr } from '../server/engine/terraform/values';
import { moduleKey } from '../server/engine/terraform/moduleKey';
import type { Fix, TextEdit } from '../server/engine/types';
import { checkName, rewriteName, templateParts, type NameIssue, type NamePart } from './lib/naming';

/**
 * Entities and where their names are. `names` are physical names: changing
 * one replaces the resource (CloudFormation "Replacement", Terraform "forces
 * new resource"), so their fixes are suggestions. `Name` tags are checked on
 * every resource that has one; renaming a tag is an in-place update.
 */
interface Entity {
  entity: string;
  cfn?: string;
  cfnNames?: string[];
  tf?: string;
  tfNames?: string[];
}

export const ENTITIES: readonly Entity[] = [
  { entity: 'security_group', cfn: 'AWS::EC2::SecurityGroup', cfnNames: ['GroupName'], tf: 'aws_security_group', tfNames: ['name'] },
  { entity: 'ec2_instance', cfn: 'AWS::EC2::Instance', tf: 'aws_instance' },
  { entity: 'launch_template', cfn: 'AWS::EC2::LaunchTemplate', cfnNames: ['LaunchTemplateName'], tf: 'aws_launch_template', tfNames: ['name'] },
  { entity: 'ebs_volume', cfn: 'AWS::EC2::Volume', tf: 'aws_ebs_volume' },
  { entity: 'vpc', cfn: 'AWS::EC2::VPC', tf: 'aws_vpc' },
  { entity: 'subnet', cfn: 'AWS::EC2::Subnet', tf: 'aws_subnet' },
  { entity: 'key_pair', cfn: 'AWS::EC2::KeyPair', cfnNames: ['KeyName'], tf: 'aws_key_pair', tfNames: ['key_name'] },
  { entity: 'iam_role', cfn: 'AWS::IAM::Role', cfnNames: ['RoleName'], tf: 'aws_iam_role', tfNames: ['name'] },
  { entity: 'iam_policy', cfn: 'AWS::IAM::ManagedPolicy', cfnNames: ['ManagedPolicyName'], tf: 'aws_iam_policy', tfNames: ['name'] },
  { entity: 'iam_user', cfn: 'AWS::IAM::User', cfnNames: ['UserName'], tf: 'aws_iam_user', tfNames: ['name'] },
  { entity: 'iam_group', cfn: 'AWS::IAM::Group', cfnNames: ['GroupName'], tf: 'aws_iam_group', tfNames: ['name'] },
  { entity: 'iam_instance_profile', cfn: 'AWS::IAM::InstanceProfile', cfnNames: ['InstanceProfileName'], tf: 'aws_iam_instance_profile', tfNames: ['name'] },
  { entity: 's3_bucket', cfn: 'AWS::S3::Bucket', cfnNames: ['BucketName'], tf: 'aws_s3_bucket', tfNames: ['bucket'] },
  { entity: 'ecr_repository', cfn: 'AWS::ECR::Repository', cfnNames: ['RepositoryName'], tf: 'aws_ecr_repository', tfNames: ['name'] },
  { entity: 'lambda_function', cfn: 'AWS::Lambda::Function', cfnNames: ['FunctionName'], tf: 'aws_lambda_function', tfNames: ['function_name'] },
  { entity: 'dynamodb_table', cfn: 'AWS::DynamoDB::Table', cfnNames: ['TableName'], tf: 'aws_dynamodb_table', tfNames: ['name'] },
  { entity: 'ecs_cluster', cfn: 'AWS::ECS::Cluster', cfnNames: ['ClusterName'], tf: 'aws_ecs_cluster', tfNames: ['name'] },
  { entity: 'autoscaling_group', cfn: 'AWS::AutoScaling::AutoScalingGroup', cfnNames: ['AutoScalingGroupName'], tf: 'aws_autoscaling_group', tfNames: ['name'] },
  { entity: 'load_balancer', cfn: 'AWS::ElasticLoadBalancingV2::LoadBalancer', cfnNames: ['Name'], tf: 'aws_lb', tfNames: ['name'] },
  { entity: 'target_group', cfn: 'AWS::ElasticLoadBalancingV2::TargetGroup', cfnNames: ['Name'], tf: 'aws_lb_target_group', tfNames: ['name'] },
  { entity: 'sns_topic', cfn: 'AWS::SNS::Topic', cfnNames: ['TopicName'], tf: 'aws_sns_topic', tfNames: ['name'] },
  { entity: 'sqs_queue', cfn: 'AWS::SQS::Queue', cfnNames: ['QueueName'], tf: 'aws_sqs_queue', tfNames: ['name'] },
  { entity: 'db_instance', cfn: 'AWS::RDS::DBInstance', cfnNames: ['DBInstanceIdentifier'], tf: 'aws_db_instance', tfNames: ['identifier'] },
];

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();

/** The first entity of the table for a CloudFormation type (what `ENTITIES.find` by `cfn` gives). */
const CFN_ENTITY = new Map<string, Entity>();
for (const e of ENTITIES) if (e.cfn && !CFN_ENTITY.has(e.cfn)) CFN_ENTITY.set(e.cfn, e);

/** The table's entry for a CloudFormation type. */
export function cfnEntitySpec(type: string): Entity | undefined {
  return CFN_ENTITY.get(type);
}

/** `entityOf` by type: a pure function of the type text, met once per resource of each lint. */
const entityCache = new Map<string, string>();

/** The entity key of a resource type: from the table, else `ec2_nat_gateway` for `AWS::EC2::NatGateway`, `nat_gateway` for `aws_nat_gateway`. */
export function entityOf(type: string): string {
  let e = entityCache.get(type);
  if (e === undefined) {
    e = entityOfType(type);
    // Types come from templates: never let the cache grow without bound.
    if (entityCache.size >= 1024) entityCache.clear();
    entityCache.set(type, e);
  }
  return e;
}

/** `entityOf` without the cache (exported for tests). */
export function entityOfType(type: string): string {
  const known = ENTITIES.find((e) => e.cfn === type || e.tf === type);
  if (known) return known.entity;
  const cfn = /^AWS::(\w+)::(\w+)$/.exec(type);
  if (cfn) return `${snake(cfn[1])}_${snake(cfn[2])}`;
  return type.replace(/^aws_/, '');
}

function describe(issues: NameIssue[]): string {
  const texts = issues.map((i) => i.text);
  return texts.length > 1 ? `${texts.slice(0, -1).join(', ')} and ${texts[texts.length - 1]}` : texts[0];
}

// ---------------------------------------------------------------------------
// CloudFormation

interface CfnName {
  /** `Name tag` or the property name. */
  label: string;
  node: Node;
  tag: boolean;
}

function cfnNameTag(tpl: CfnTemplate, props: YAMLMap): Node | undefined {
  const tags = getNode(props, 'Tags', tpl);
  if (isSeq(tags)) {
    for (const item of tags.items) {
      if (!isMap(item)) continue;
      const key = getNode(item as YAMLMap, 'Key', tpl);
      if (isScalar(key) && key.value === 'Name') return getNode(item as YAMLMap, 'Value', tpl);
    }
  } else if (isMap(tags) && !intrinsic(tags)) {
    return getNode(tags as YAMLMap, 'Name', tpl);
  }
  return undefined;
}

/** The parts of a CloudFormation name value: a literal, or a `!Sub` string. Null when unknown. */
function cfnParts(tpl: CfnTemplate, node: Node): { parts: NamePart[]; literal: boolean; sub: Scalar | null }[] {
  const out: { parts: NamePart[]; literal: boolean; sub: Scalar | null }[] = [];
  const fn = intrinsic(node);
  if (fn?.fn === 'Sub') {
    const arg = fn.arg === node ? node : fn.arg;
    const str = isScalar(arg) ? arg : isSeq(arg) && isScalar(arg.items[0]) ? (arg.items[0] as Scalar) : null;
    if (str && typeof str.value === 'string') {
      const parts = templateParts(str.value, 'cloudformation');
      if (parts) out.push({ parts, literal: false, sub: isScalar(arg) ? str : null });
    }
    return out;
  }
  for (const r of resolveValues(tpl, node)) {
    if (r.kind !== 'known' || typeof r.value !== 'string' || r.value === '') continue;
    const literal = r.node === node && isScalar(node) && !intrinsic(node);
    out.push({ parts: [{ text: r.value, placeholder: false }], literal, sub: null });
  }
  return out;
}

function cloudformation(ctx: CfnContext): void {
  const tpl = ctx.template;
  // Each resource on its own: its findings are reused while its text does not change.
  const deps = cfnDeps(ctx);
  for (const res of tpl.resources) {
    if (!res.properties || intrinsic(res.properties)) continue;
    const named = res as CfnResource & { properties: YAMLMap };
    // A resource without a name to check reports nothing: known from its text
    // (cached by it), without a memo lookup per lint. Without reuse, checked directly.
    if (deps !== null && !cfnFacts(tpl, res, 'naming-convention:named', () => cfnNames(tpl, named).length > 0)) continue;
    ctx.memo(cfnUnit(res), deps, () => cfnResource(ctx, named));
  }
}

const NO_NAMES: readonly CfnName[] = [];

/** The names of a resource to check: its type's name properties, then its Name tag (a shared empty list when none). */
function cfnNames(tpl: CfnTemplate, res: CfnResource & { properties: YAMLMap }): readonly CfnName[] {
  const spec = cfnEntitySpec(res.type);
  let names: CfnName[] | null = null;
  if (spec?.cfnNames) {
    for (const prop of spec.cfnNames) {
      const n = getNode(res.properties, prop, tpl);
      if (n) (names ??= []).push({ label: prop, node: n, tag: false });
    }
  }
  const tag = cfnNameTag(tpl, res.properties);
  if (tag) (names ??= []).push({ label: 'Name tag', node: tag, tag: true });
  return names ?? NO_NAMES;
}

function cfnResource(ctx: CfnContext, res: CfnResource & { properties: YAMLMap }): void {
  const tpl = ctx.template;
  {
    const entity = entityOf(res.type);
    const names = cfnNames(tpl, res);

    for (const name of names) {
      for (const v of cfnParts(tpl, name.node)) {
        const issues = checkName(entity, v.parts, ctx.options);
        if (issues.length === 0) continue;
        const rewritten = rewriteName(entity, v.parts, ctx.options, '${AWS::Region}');
        const fixes: Fix[] = [];
        if (rewritten !== null && (v.literal || v.sub)) {
          const edit = v.sub ? cfnSubEdit(tpl, v.sub, rewritten) : cfnLiteralEdit(tpl, name.node, rewritten);
          const title = `Rename to ${rewritten}${name.tag ? '' : ` (replaces the ${res.type.split('::').pop()})`}`;
          fixes.push(v.literal && name.tag ? ctx.fix(title, [edit]) : ctx.suggest(title, [edit]));
        }
        const current = v.parts.map((p) => p.text).join('');
        ctx.report({
          range: nodeRange(name.node)!,
          resource: res.logicalId,
          message: `${res.logicalId}: ${name.label} "${current}" ${describe(issues)}${rewritten ? `; use "${rewritten}"` : ''}.`,
          fixes,
        });
        break; // one finding per name, even with several !If branches
      }
    }
  }
}

function quoteLike(tpl: CfnTemplate, value: string, like: Scalar | null): string {
  if (tpl.isJson || like?.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  if (like?.type === Scalar.QUOTE_SINGLE || /[:#{}[\],&*!|>'"%@`]|^[-?]|^\s|\s$/.test(value) || /^(true|false|yes|no|on|off|null|~|[0-9.+-]+)$/i.test(value)) {
    return `'${value.replace(/'/g, "''")}'`;
  }
  return value;
}

/** A plain scalar rewritten; a name that now needs `${AWS::Region}` becomes a `!Sub` / `Fn::Sub`. */
function cfnLiteralEdit(tpl: CfnTemplate, node: Node, name: string): TextEdit {
  const r = nodeRange(node)!;
  const like = isScalar(node) ? node : null;
  if (!name.includes('${')) return { ...r, newText: quoteLike(tpl, name, like) };
  if (tpl.isJson) return { ...r, newText: `{ "Fn::Sub": ${JSON.stringify(name)} }` };
  return { ...r, newText: `!Sub ${quoteLike(tpl, name, like?.type === Scalar.PLAIN ? null : like)}` };
}

function cfnSubEdit(tpl: CfnTemplate, str: Scalar, name: string): TextEdit {
  return { ...nodeRange(str as Node)!, newText: quoteLike(tpl, name, str) };
}

// ---------------------------------------------------------------------------
// Terraform

interface TfName {
  label: string;
  expr: TfExpr;
  tag: boolean;
}

function tfNameTag(tags: TfExpr | undefined): TfExpr | undefined {
  if (!tags) return undefined;
  const direct = objectItems(tags);
  if (direct) return direct.find((i) => i.key === 'Name')?.value;
  const call = callOf(tags);
  if (call?.name === 'merge') {
    // The last object that sets Name wins.
    for (const a of [...call.args].reverse()) {
      const item = objectItems(a)?.find((i) => i.key === 'Name');
      if (item) return item.value;
    }
  }
  return undefined;
}

const tfRegionCache = new WeakMap<object, { text: string; literal: boolean } | null>();

/** The region to write into a Terraform name, from what the module declares; null when nothing does (once per module: `moduleKey`). */
function tfRegion(module: TfModule): { text: string; literal: boolean } | null {
  const key = moduleKey(module);
  if (tfRegionCache.has(key)) return tfRegionCache.get(key)!;
  const region = tfModuleRegion(module);
  tfRegionCache.set(key, region);
  return region;
}

function tfModuleRegion(module: TfModule): { text: string; literal: boolean } | null {
  // The module's top-level blocks in file order (read in place: no list of them is made per lint).
  for (const f of module.files) {
    for (const b of f.blocks) {
      if (b.type !== 'provider' || b.labels[0]?.value !== 'aws' || b.attr('alias')) continue;
      const r = b.attr('region');
      if (!r) continue;
      if (r.expr.kind === 'string' && typeof r.expr.value === 'string') return { text: r.expr.value, literal: true };
      if (r.expr.kind === 'reference' && /^var\.[A-Za-z_][\w-]*$/.test(r.expr.text.trim())) return { text: `\${${r.expr.text.trim()}}`, literal: false };
    }
  }
  for (const name of ['region', 'aws_region']) if (findVariable(module, name)) return { text: `\${var.${name}}`, literal: false };
  for (const f of module.files) {
    const data = f.blocks.find((b) => b.type === 'data' && b.labels[0]?.value === 'aws_region');
    if (data) return { text: `\${data.aws_region.${data.labels[1]?.value ?? 'current'}.name}`, literal: false };
  }
  return null;
}

function tfParts(module: TfModule, expr: TfExpr): { parts: NamePart[]; literal: boolean; template: boolean } | null {
  if (expr.kind === 'string' && typeof expr.value === 'string') {
    return expr.value === '' ? null : { parts: [{ text: expr.value, placeholder: false }], literal: true, template: false };
  }
  if (expr.kind === 'template' && expr.contentRange) {
    const raw = expr.text.slice(expr.contentRange.start - expr.range.start, expr.contentRange.end - expr.range.start);
    if (raw.includes('\\')) return null;
    const parts = templateParts(raw, 'terraform');
    return parts ? { parts, literal: false, template: true } : null;
  }
  const r = resolveExpr(module, expr);
  if (r?.kind === 'known' && typeof r.value === 'string' && r.value !== '') {
    return { parts: [{ text: r.value, placeholder: false }], literal: false, template: false };
  }
  return null;
}

function terraform(ctx: TfContext): void {
  let region: ReturnType<typeof tfRegion> | undefined;
  // Each resource block on its own: it reads the block and the module outside
  // resource blocks (variables, provider region), so its findings are reused
  // while neither changes.
  const deps = tfDeps(ctx);
  for (const block of ctx.file.blocks) {
    if (block.type !== 'resource' || !block.labels[0]) continue;
    const type = block.labels[0].value;
    if (!type.startsWith('aws_')) continue;
    ctx.memo(block.range, deps, () => {
      if (region === undefined) region = tfRegion(ctx.module);
      tfBlock(ctx, block, type, region);
    });
  }
}

function tfBlock(ctx: TfContext, block: TfBlock, type: string, region: ReturnType<typeof tfRegion>): void {
  const spec = ENTITIES.find((e) => e.tf === type);
  const entity = entityOf(type);
  const names: TfName[] = [];
  for (const a of spec?.tfNames ?? []) {
    const attr = block.attr(a);
    if (attr) names.push({ label: a, expr: attr.expr, tag: false });
  }
  const tag = tfNameTag(block.attr('tags')?.expr);
  if (tag) names.push({ label: 'Name tag', expr: tag, tag: true });

  for (const name of names) {
    const v = tfParts(ctx.module, name.expr);
    if (!v) continue;
    const issues = checkName(entity, v.parts, ctx.options);
    if (issues.length === 0) continue;
    const regionText = region?.text ?? '${data.aws_region.current.name}';
    const rewritten = rewriteName(entity, v.parts, ctx.options, regionText);
    const fixes: Fix[] = [];
    if (rewritten !== null && (v.literal || v.template) && !/["\\]|%\{/.test(rewritten)) {
      const usesRegion = rewritten.includes(regionText) && !v.parts.some((p) => p.text === regionText);
      const edit = { ...name.expr.range, newText: `"${rewritten}"` };
      let title = `Rename to ${rewritten}`;
      if (!name.tag) title += ` (replaces the ${type})`;
      if (usesRegion && !region) title += ' (declare data "aws_region" "current" {})';
      const exact = v.literal && name.tag && (!usesRegion || region !== null);
      fixes.push(exact ? ctx.fix(title, [edit]) : ctx.suggest(title, [edit]));
    }
    const current = v.parts.map((p) => p.text).join('');
    ctx.report({
      range: name.expr.range,
      resource: block.address,
      message: `${block.address}: ${name.label} "${current}" ${describe(issues)}${rewritten ? `; use "${rewritten}"` : ''}.`,
      fixes,
    });
  }
}

export default defineRule({
  id: 'naming-convention',
  severity: 'warning',
  seed: '000 Naming: DO employ complete names but with standard acronyms and in all lower cases; prefix table security-group-[region], ec2-instance-[region]',
  description: 'Resource names (Name tags and physical names) are lower case, use complete words and standard acronyms, and carry the configured entity prefix.',
  fixable: 'exact',
  reads: { cloudformation: '*', terraform: '*' },
  cloudformation,
  terraform,
});

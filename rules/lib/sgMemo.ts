/**
 * Security group checks that judge each rule on its own (sg-no-public-ingress,
 * sg-admin-ports-restricted, ec2-ssh-default-port, sg-least-privilege,
 * sg-unrestricted-egress), run resource by resource so
 * that a keystroke re-checks only the resource it changed (`ctx.memo`).
 *
 * Same findings as one check of all the template's rules: those checks group
 * findings by the range they underline, and while the template parses cleanly
 * without aliases every range of a resource's rules lies inside the resource, so
 * no group spans two resources; the resources come in the order the full list
 * has them. A resource's rules read, besides its text, the parameters (in
 * `cfnDeps`) and whether standalone egress resources manage its egress. When
 * reuse is off (syntax errors, aliases), the check runs once on all rules.
 */
import type { BaseContext, CfnContext, TfContext } from '../../server/engine/rule';
import type { CfnResource, CfnTemplate } from '../../server/engine/cloudformation/model';
import type { OffsetRange } from '../../server/engine/types';
import { CFN_SECURITY_GROUPS, TF_SECURITY_GROUPS } from './reads';
import { cfnDeps, cfnUnit, plus, tfDeps, tfUnit } from './memo';
import { CFN_SG_RULE_TYPES, cfnEgressManagedOf, cfnResourceSecurityGroupRules, cfnSecurityGroupRules, tfBlockSecurityGroupRules, tfSecurityGroupBlocks, tfSecurityGroupRules, type SgRule } from './securityGroups';

export function cfnCheckSecurityGroupRules(ctx: CfnContext, check: (rules: readonly SgRule[]) => void): void {
  const tpl = ctx.template;
  const deps = cfnDeps(ctx);
  if (deps === null) {
    check(cfnSecurityGroupRules(tpl));
    return;
  }
  for (const u of sgUnits(tpl, deps)) ctx.memo(u.unit, u.deps, () => check(resourceRules(tpl, u.res)));
}

/** A resource that holds security group rules: its unit and the deps of a check of it. */
interface SgUnit {
  res: CfnResource;
  unit: OffsetRange;
  deps: string;
}

const unitsCache = new WeakMap<CfnTemplate, { deps: string; units: SgUnit[] }>();

/** The resources holding security group rules, with unit and deps: once per template for the rules that share this check. */
function sgUnits(tpl: CfnTemplate, deps: string): SgUnit[] {
  const hit = unitsCache.get(tpl);
  if (hit && hit.deps === deps) return hit.units;
  const managed = cfnEgressManagedOf(tpl);
  const units: SgUnit[] = [];
  for (const res of tpl.resources) {
    if (!CFN_SG_RULE_TYPES.has(res.type)) continue;
    units.push({ res, unit: cfnUnit(res), deps: plus(deps, managed.has(res.logicalId))! });
  }
  unitsCache.set(tpl, { deps, units });
  return units;
}

const rulesCache = new WeakMap<CfnResource, SgRule[]>();

/** `cfnResourceSecurityGroupRules`, once per resource of a template (the rules that share this check read the same list). */
function resourceRules(tpl: CfnTemplate, res: CfnResource): SgRule[] {
  let rules = rulesCache.get(res);
  if (!rules) {
    rules = cfnResourceSecurityGroupRules(tpl, res);
    rulesCache.set(res, rules);
  }
  return rules;
}

/**
 * Terraform, block by block (same findings as one check of the file's rules: every
 * range of a block's rules lies inside the block — values read through variables
 * and locals take the range of the expression that reads them — so no group spans
 * two blocks; blocks come in file order as in the full list). A block's rules read,
 * besides its text, the module outside this file's resource blocks (`tfDeps`).
 * When reuse is off (syntax errors, one-shot runs), the check runs once on all rules.
 */
export function tfCheckSecurityGroupRules(ctx: TfContext, check: (rules: readonly SgRule[]) => void): void {
  const deps = tfDeps(ctx);
  if (deps === null) {
    check(tfSecurityGroupRules(ctx.file, ctx.module));
    return;
  }
  for (const block of tfSecurityGroupBlocks(ctx.file)) {
    ctx.memo(tfUnit(block), deps, () => check(tfBlockSecurityGroupRules(ctx.file, ctx.module, block)));
  }
}

/**
 * What a rule that judges security group rules declares besides its metadata:
 * what it reads, and its handlers (CloudFormation resource by resource, Terraform
 * over the module's rules in every shape). `check` sees the rules of one call.
 */
export function securityGroupRuleHandlers(check: (ctx: BaseContext, rules: readonly SgRule[]) => void) {
  return {
    reads: { cloudformation: CFN_SECURITY_GROUPS, terraform: TF_SECURITY_GROUPS },
    cloudformation(ctx: CfnContext): void {
      cfnCheckSecurityGroupRules(ctx, (rules) => check(ctx, rules));
    },
    terraform(ctx: TfContext): void {
      tfCheckSecurityGroupRules(ctx, (rules) => check(ctx, rules));
    },
  };
}

/**
 * Units and dependency keys for `ctx.memo` (reusing a rule's findings on a
 * resource between keystrokes) and per-resource facts cached by text
 * (server/engine/memo.ts): what a check of one CloudFormation resource or one
 * Terraform resource block may read besides the unit itself.
 *
 * Reuse stops (null deps, facts computed afresh) while a document has syntax
 * errors (error recovery may read a unit differently depending on what is
 * around it) or, in CloudFormation, YAML aliases (a unit's text then does not
 * say what it holds).
 */
import type { CfnTemplate } from '../../server/engine/cloudformation/model';
import type { BaseContext, CfnContext, TfContext } from '../../server/engine/rule';
import type { TfBlock, TfFile } from '../../server/engine/terraform/model';
import type { OffsetRange } from '../../server/engine/types';
import {
  cfnContextText, cfnFacts, cfnReusable, cfnStyle, cfnUnit, tfContextText, tfReusable, tfStyle,
} from '../../server/engine/units';

// ---------------------------------------------------------------------------
// CloudFormation

export { cfnUnit, cfnReusable, cfnContextText, cfnFacts };

const depsCache = new WeakMap<CfnTemplate, string | null>();

/**
 * `deps` for a check of one resource that reads, besides the resource, the
 * template outside its resources and the style fixes are written in
 * (indentation, line breaks, JSON or YAML). Rules add what else they read.
 */
export function cfnDeps(ctx: CfnContext): string | null {
  const tpl = ctx.template;
  if (depsCache.has(tpl)) return depsCache.get(tpl)!;
  const deps = cfnReusable(tpl) ? `${ctx.textKey(cfnContextText(tpl))}|${cfnStyle(tpl)}` : null;
  depsCache.set(tpl, deps);
  return deps;
}

// ---------------------------------------------------------------------------
// Terraform

const tfDepsCache = new WeakMap<TfFile, string | null>();

/**
 * `deps` for a check of one resource block that reads, besides the block, the
 * rest of the module except this file's other resource blocks, and the file's
 * style (indentation, line breaks). Rules add what else they read.
 */
export function tfDeps(ctx: TfContext): string | null {
  // A module linted once (one-shot runs) is never reused: no lookup per file and rule.
  if (ctx.module.transient) return null;
  const file = ctx.file;
  if (tfDepsCache.has(file)) return tfDepsCache.get(file)!;
  const deps = tfReusable(ctx.module) ? `${ctx.textKey(tfContextText(ctx.module, file))}|${tfStyle(file)}` : null;
  tfDepsCache.set(file, deps);
  return deps;
}

/** A resource block as a unit: the block. */
export function tfUnit(block: TfBlock): OffsetRange {
  return block.range;
}

/** `deps` plus more, or null when reuse is off. */
export function plus(deps: string | null, ...more: unknown[]): string | null {
  return deps === null ? null : more.length ? `${deps}|${JSON.stringify(more)}` : deps;
}

/** Keys of other units (resources a check also reads), for `plus`. */
export function keysOf(ctx: BaseContext, units: readonly OffsetRange[]): string[] {
  return units.map((u) => ctx.unitKey(u));
}

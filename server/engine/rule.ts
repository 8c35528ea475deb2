/**
 * The rule shape: ESLint's `meta` plus tflint's "report the finding and its fix in
 * one call". One practice, one rule, one file in `rules/`, several formats.
 */
import type { CfnTemplate } from './cloudformation/model';
import type { TfFile, TfModule } from './terraform/model';
import type { DfFile } from './dockerfile/model';
import type { LineIndex } from './positions';
import type { RuleOptions } from './config';
import type { Fix, Format, OffsetRange, Severity, TextEdit, WorkspaceView } from './types';

export interface ReportDescriptor {
  range: OffsetRange;
  message: string;
  /** CFN logical id, Terraform address or Dockerfile stage name. */
  resource?: string | null;
  fixes?: Fix[];
}

export interface BaseContext {
  readonly path: string;
  readonly text: string;
  readonly lines: LineIndex;
  readonly options: RuleOptions;
  /** The rest of the workspace as the front end sees it (sibling files, the file at the git base). */
  readonly workspace: WorkspaceView;
  report(d: ReportDescriptor): void;
  /** An exact (safe to apply blindly) fix on this file. */
  fix(title: string, edits: TextEdit[]): Fix;
  /** A suggestion: offered as a code action, never applied by fix-all. */
  suggest(title: string, edits: TextEdit[]): Fix;
  /**
   * Reuses findings between lints of the same document, so that a keystroke
   * costs what it changes. `check` reports the findings of one unit (a resource,
   * a block, a stage: `unit` is its range) and must read nothing but the unit's
   * text and what `deps` names: when both are what they were at the document's
   * last lint, the findings `check` reported then are replayed, moved with the
   * unit, instead of computed. Findings or fix edits outside the unit are never
   * replayed (the unit is checked every time). `deps: null` checks every time.
   * One call per unit per rule and lint.
   */
  memo(unit: OffsetRange, deps: string | null, check: () => void): void;
  /** A short key standing for the text of `range` (equal texts, equal keys), to name other units in `deps`. */
  unitKey(range: OffsetRange): string;
  /** A short key standing for `text`, to name other text (sections, settings) in `deps`. */
  textKey(text: string): string;
}

export interface CfnContext extends BaseContext {
  readonly template: CfnTemplate;
}

export interface TfContext extends BaseContext {
  /** The file being linted. Report only inside it. */
  readonly file: TfFile;
  /** Every `.tf` file of the file's folder, this one included. */
  readonly module: TfModule;
}

export interface DfContext extends BaseContext {
  readonly dockerfile: DfFile;
}

export interface RuleMeta {
  /** The catalog's id; never renamed once shipped. */
  id: string;
  severity: Severity;
  /** One sentence, shown in rule lists and SARIF. */
  description: string;
  /** Where the practice comes from, e.g. `000 EC2: http-tokens required`. */
  seed: string;
  /** `exact` when some of its findings carry a safe fix, `suggestion` when only reviewed fixes. */
  fixable: 'exact' | 'suggestion' | false;
  /**
   * What the rule reads, per format, so that its findings can be reused while
   * the user types: the resource types (`AWS::EC2::Instance`, `aws_instance`)
   * whose text can change them, `'*'` for any. Everything outside resources
   * (parameters, variables, outputs, other files of the module, the file's
   * style) counts as read. When no resource of these types changed since the
   * document's last lint, the findings are moved, not computed. A rule that
   * reads anything else (the git base, the disk) declares nothing: it always runs.
   */
  reads?: { cloudformation?: readonly string[] | '*'; terraform?: readonly string[] | '*' };
}

export interface Rule extends RuleMeta {
  readonly formats: Format[];
  cloudformation?(ctx: CfnContext): void;
  terraform?(ctx: TfContext): void;
  dockerfile?(ctx: DfContext): void;
}

export interface RuleDefinition extends RuleMeta {
  cloudformation?(ctx: CfnContext): void;
  terraform?(ctx: TfContext): void;
  dockerfile?(ctx: DfContext): void;
}

export function defineRule(def: RuleDefinition): Rule {
  const formats: Format[] = [];
  if (def.cloudformation) formats.push('cloudformation');
  if (def.terraform) formats.push('terraform');
  if (def.dockerfile) formats.push('dockerfile');
  // Every rule of one shape (the same fields in the same order, absent ones
  // undefined): the engine's loop over the rules reads them at one place, which
  // a spread of each definition (its own fields, in its own order) made megamorphic.
  const rule: Rule = {
    id: def.id,
    severity: def.severity,
    description: def.description,
    seed: def.seed,
    fixable: def.fixable,
    reads: def.reads,
    formats,
    cloudformation: def.cloudformation,
    terraform: def.terraform,
    dockerfile: def.dockerfile,
  };
  // Anything else a definition carries is kept, as the spread did.
  for (const key of Object.keys(def)) {
    if (!(key in rule)) (rule as unknown as Record<string, unknown>)[key] = (def as unknown as Record<string, unknown>)[key];
  }
  return rule;
}

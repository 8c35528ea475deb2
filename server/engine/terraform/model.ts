/**
 * The Terraform document model: blocks, attributes, expressions and references of
 * one `.tf` file, every range a pair of UTF-16 offsets into the file's text.
 * Built by `parseTerraform` (parser.ts) from the tree-sitter-terraform tree, which
 * stays reachable through `tree` / `node` for rules that need finer detail.
 */
import type { LineIndex } from '../positions';
import type { OffsetRange } from '../types';

export interface TfLabel {
  /** The label's value, escapes resolved (`"a\"b"` has the value `a"b`). */
  value: string;
  /** The label text without quotes. */
  range: OffsetRange;
  /** Including the quotes (equal to `range` for a bare identifier label). */
  fullRange: OffsetRange;
}

export type TfExprKind =
  | 'string' | 'number' | 'bool' | 'null' | 'template' | 'heredoc'
  | 'reference' | 'call' | 'object' | 'tuple' | 'other';

export interface TfExpr {
  range: OffsetRange;
  /**
   * `string`: a quoted string without interpolation or directive. `template`: a
   * quoted string with `${...}` / `%{...}`. `heredoc`: any `<<EOT` / `<<-EOT`.
   * `reference`: a traversal (`var.x`, `aws_instance.web[0].id`). `number` also
   * covers a negated number literal (`-1`).
   */
  kind: TfExprKind;
  text: string;
  /** Literal value for plain string/number/bool/null; undefined otherwise. */
  value?: string | number | boolean | null;
  /**
   * string/template: the text between the quotes; heredoc: the body lines, from
   * the line after `<<EOT` to the start of the closing marker's line.
   */
  contentRange?: OffsetRange;
  /** The tree-sitter `expression` node. */
  node: any;
}

export interface TfAttribute {
  name: string;
  nameRange: OffsetRange;
  /** The whole `name = expr`. */
  range: OffsetRange;
  expr: TfExpr;
  /** The enclosing block; null for a top-level attribute (as in `.tfvars`). */
  block: TfBlock | null;
}

export interface TfBlock {
  type: string;
  typeRange: OffsetRange;
  labels: TfLabel[];
  range: OffsetRange;
  /** Offset of `{`. */
  openBrace: number;
  /** Offset of `}` (where it should be, when the parser had to assume a missing one). */
  closeBrace: number;
  attributes: TfAttribute[];
  blocks: TfBlock[];
  attr(name: string): TfAttribute | undefined;
  blocksOfType(type: string): TfBlock[];
  /**
   * Top-level blocks: `aws_instance.web`, `data.aws_ami.x`, `ephemeral.t.n`,
   * `module.x`, `var.x`, `output.x`, `provider.aws`, `locals`, `terraform`,
   * `check.x`, `moved`... (the type and labels joined by dots otherwise).
   * Nested blocks: null.
   */
  address: string | null;
  parent: TfBlock | null;
}

export interface TfReference {
  /**
   * The identifiers of a traversal, in order: `aws_instance.web[0].id` gives
   * `['aws_instance', 'web', 'id']`; index and splat steps are skipped (see
   * `indexed`). A bare identifier (`each`, a `for` variable) gives one part.
   */
  parts: string[];
  /** From the root identifier to the end of the last part. */
  range: OffsetRange;
  partRanges: OffsetRange[];
  /** The traversal has an index or splat step (`[0]`, `["k"]`, `[*]`, `.*`). */
  indexed: boolean;
}

export interface TfSyntaxError {
  range: OffsetRange;
  message: string;
}

export interface TfFile {
  format: 'terraform';
  path: string;
  text: string;
  lines: LineIndex;
  /** Top-level blocks, in source order. */
  blocks: TfBlock[];
  /** Top-level attributes (none in a valid `.tf` file; `.tfvars` are all attributes). */
  attributes: TfAttribute[];
  /** Every attribute of every top-level `locals` block: one per local value. */
  locals: TfAttribute[];
  /**
   * Every traversal in the file, including those inside string templates and
   * heredocs, in source order. Object keys written as bare names
   * (`{ Name = ... }`) are keys, not references. Computed on first access.
   */
  references: TfReference[];
  errors: TfSyntaxError[];
  /** The tree-sitter tree; freed when this object is garbage collected. */
  tree: any;
}

export interface TfModule {
  dir: string;
  files: TfFile[];
  /**
   * Linted once and forgotten (the CLI's scan): nothing about it is kept for a
   * later lint (no facts cached by text, no memo keys).
   */
  transient?: boolean;
}

/** A function call expression such as `jsonencode({...})`. */
export interface TfCall {
  name: string;
  nameRange: OffsetRange;
  args: TfExpr[];
  /** The last argument is expanded with `...`. */
  expandFinal: boolean;
}

/** One `key = value` (or `key: value`) item of an object expression. */
export interface TfObjectItem {
  /**
   * The key as a string: a bare name or a plain quoted string; null for a
   * computed key (`(var.k) = ...`, `"${x}" = ...`).
   */
  key: string | null;
  keyExpr: TfExpr;
  /** The key without quotes (the key expression's range when computed). */
  keyRange: OffsetRange;
  value: TfExpr;
  range: OffsetRange;
}

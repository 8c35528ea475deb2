import { DockerfileParser } from 'dockerfile-ast';
import { validate, ValidationCode, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { Validator } from 'dockerfile-utils/lib/dockerValidator';
import { LineIndex } from '../server/engine/positions';
import { defineRule } from '../server/engine/rule';
import type { DfFile } from '../server/engine/dockerfile/model';
import type { OffsetRange } from '../server/engine/types';
import { offsetRange } from '../server/engine/offsetRange';

/**
 * dockerfile-utils reports hard errors (what `docker build` rejects) with error
 * severity and makes style checks configurable. Every configurable check is a
 * style or habit that Docker accepts, so all are ignored here: only the problems
 * that stop a build remain.
 */
const SETTINGS: Required<ValidatorSettings> = {
  deprecatedMaintainer: ValidationSeverity.IGNORE,
  directiveCasing: ValidationSeverity.IGNORE,
  emptyContinuationLine: ValidationSeverity.IGNORE,
  instructionCasing: ValidationSeverity.IGNORE,
  instructionCmdMultiple: ValidationSeverity.IGNORE,
  instructionEntrypointMultiple: ValidationSeverity.IGNORE,
  instructionHealthcheckMultiple: ValidationSeverity.IGNORE,
  instructionJSONInSingleQuotes: ValidationSeverity.IGNORE,
  instructionWorkdirRelative: ValidationSeverity.IGNORE,
};

/** LSP DiagnosticSeverity.Error. */
const LSP_ERROR = 1;

function stageNameAt(df: DfFile, offset: number): string | null {
  let name: string | null = null;
  for (const s of df.stages) {
    if (s.from.range.start <= offset) name = s.name;
    else break;
  }
  return name;
}

interface Problem {
  start: number;
  end: number;
  message: string;
  code: unknown;
}

/**
 * dockerfile-utils' `validate(text)`, reusing `parsed`, the dockerfile-ast parse
 * of exactly `text` that the engine already made, instead of parsing the text a
 * second time: `validate` takes text only, and parses it with
 * `DockerfileParser.parse`, which answers with `parsed` for that one text during
 * the (synchronous) call. The parse is only read, by both. Were a later
 * dockerfile-utils to parse otherwise, it would parse again: slower, same result.
 */
export function validateParsed(text: string, parsed: unknown, settings: ValidatorSettings): ReturnType<typeof validate> {
  const parse = DockerfileParser.parse;
  if (parsed) DockerfileParser.parse = (content: string) => (content === text ? parsed as ReturnType<typeof parse> : parse.call(DockerfileParser, content));
  // Only over the method this was written for (a renamed one: the library's own path).
  if (typeof checkVariables === 'function') validatorProto.checkVariables = checkVariablesWhereTheyCanReport;
  try {
    return validate(text, settings);
  } finally {
    DockerfileParser.parse = parse;
    if (typeof checkVariables === 'function') validatorProto.checkVariables = checkVariables;
  }
}

type Instr = {
  getKeyword(): string;
  getRange(): { start: { line: number }; end: { line: number; character: number } };
  document: { getText(): string; offsetAt(p: unknown): number };
  dockerfile: object;
};
type CheckVariables = (this: unknown, instruction: Instr, problems: unknown[]) => void;
const validatorProto = Validator.prototype as unknown as { checkVariables: CheckVariables };
/** dockerfile-utils' own check (the general path). */
export const checkVariables: CheckVariables = validatorProto.checkVariables;

/** The line of the first FROM of a dockerfile-ast parse (-1: none), computed once per parse. */
const firstFromLines = new WeakMap<object, number>();

/**
 * Whether dockerfile-utils' `checkVariables` can report anything for
 * `instruction`, or fail: it reports only variables with a modifier
 * (`${X:-y}`, `${X:}`), and dockerfile-ast gives a variable a modifier only
 * when a `:` follows its `${` (instruction.js `parseVariables`). Resolving the
 * variables (which it does for each, over every instruction and stage of the
 * file, and does not use here) fails only for an instruction before the first
 * FROM (dockerfile-ast recurses without end when the instruction is indented):
 * those, and any instruction holding a `:`, go through the check.
 */
export function variablesCanReport(instruction: Instr): boolean {
  const df = instruction.dockerfile as { getFROMs(): { getRange(): { start: { line: number } } }[] };
  let firstFrom = firstFromLines.get(df);
  if (firstFrom === undefined) {
    firstFrom = df.getFROMs()[0]?.getRange().start.line ?? -1;
    firstFromLines.set(df, firstFrom);
  }
  const range = instruction.getRange();
  if (firstFrom < 0 || range.start.line <= firstFrom) return true;
  const doc = instruction.document;
  const colon = doc.getText().indexOf(':', doc.offsetAt(range.start));
  return colon >= 0 && colon < doc.offsetAt(range.end);
}

function checkVariablesWhereTheyCanReport(this: unknown, instruction: Instr, problems: unknown[]): void {
  if (variablesCanReport(instruction)) checkVariables.call(this, instruction, problems);
}

/** The errors dockerfile-utils finds in `text` (parsed as `parsed` when given), with offsets into it; null when it fails. */
function problemsIn(text: string, lines: LineIndex, parsed?: unknown): Problem[] | null {
  let problems;
  try {
    problems = validateParsed(text, parsed, SETTINGS);
  } catch {
    return null;
  }
  const out: Problem[] = [];
  for (const p of problems) {
    if (p.severity !== LSP_ERROR) continue;
    out.push({
      start: lines.positionToOffset(p.range.start),
      end: lines.positionToOffset(p.range.end),
      message: typeof p.message === 'string' ? p.message : p.message.value,
      code: p.code,
    });
  }
  return out;
}

const DATA_KEY = 'docker-syntax';

interface ChunkProblems {
  /** The text the chunk was validated after (the file's lines before its first FROM). */
  prefix: string;
  /** Relative to the chunk's start; null when dockerfile-utils failed on it. */
  problems: Problem[] | null;
}

/**
 * The errors of a file cut into chunks (`DfFile.chunks`), equal to those of the
 * whole text. Each chunk is validated alone, cached with the chunk, after the
 * lines before the file's first FROM when they hold instructions (the global
 * ARGs that FROM lines and ARGs without a default resolve against, and that
 * dockerfile-utils reads variables by) — what it reports there belongs to the
 * first chunk; without a prefix, over the chunk's own parse. Dropped: what only
 * comes from the cut (a "no source image" in a later chunk) and duplicate stage
 * names, the one check across stages, made over all stages here. When
 * dockerfile-utils fails on any chunk it would have failed on the whole text:
 * nothing is reported, as then.
 */
function chunkedProblems(df: DfFile): Problem[] {
  const out: Problem[] = [];
  const byName = new Map<string, OffsetRange[]>();
  for (const s of df.stages) {
    if (s.name === null || !s.nameRange) continue;
    const key = s.name.toLowerCase();
    const list = byName.get(key);
    if (list) list.push(s.nameRange);
    else byName.set(key, [s.nameRange]);
  }
  for (const [name, ranges] of byName) {
    if (ranges.length < 2) continue;
    for (const r of ranges) {
      out.push({ ...r, message: Validator.getDiagnosticMessage_DuplicateBuildStageName(name), code: ValidationCode.DUPLICATE_BUILD_STAGE_NAME });
    }
  }
  const firstFrom = df.stages[0]?.from.range.start ?? 0;
  // Without instructions before the first FROM, the lines there (comments, and
  // directives other than `escape`, which turns cutting off) change nothing in a
  // later chunk: it is validated alone, over its own parse.
  const prefix = df.preamble.length === 0 ? '' : df.text.slice(0, df.text.lastIndexOf('\n', firstFrom - 1) + 1);
  for (let k = 0; k < df.chunks.length; k++) {
    const chunk = df.chunks[k];
    const pre = k === 0 ? '' : prefix;
    let done = chunk.data.get(DATA_KEY) as ChunkProblems | undefined;
    if (!done || done.prefix !== pre) {
      const text = pre + df.text.slice(chunk.start, chunk.end);
      // Without a prefix, the text is the chunk's: its parse is the chunk's `ast`.
      const all = problemsIn(text, new LineIndex(text), pre === '' ? chunk.ast : undefined);
      const problems = all === null ? null : all
        .filter((p) => p.code !== ValidationCode.DUPLICATE_BUILD_STAGE_NAME && (k === 0 || (p.code !== ValidationCode.NO_SOURCE_IMAGE && p.start >= pre.length)))
        .map((p) => ({ ...p, start: p.start - pre.length, end: p.end - pre.length }));
      done = { prefix: pre, problems };
      chunk.data.set(DATA_KEY, done);
    }
    if (done.problems === null) return [];
    for (const p of done.problems) out.push({ ...p, start: p.start + chunk.start, end: p.end + chunk.start });
  }
  return out;
}

export default defineRule({
  id: 'docker-syntax',
  severity: 'error',
  seed: '000 ECR: DO scan and lint all Dockerfiles. Consider hadolint.',
  description: 'The Dockerfile must parse: no unknown instructions, invalid flags, missing arguments or malformed references.',
  fixable: false,

  dockerfile(ctx) {
    const df = ctx.dockerfile;
    // An empty file, or one with only comments, is a file being written: `docker
    // build` would refuse it, but an error on an empty editor is noise.
    if (df.instructions.length === 0) return;
    // A `dockerfile-utils: ignore` comment can silence the line after it, across a cut.
    const whole = df.chunks.length <= 1 || ctx.text.includes('dockerfile-utils: ignore');
    // One chunk: the engine's `ast` is the parse of the whole text.
    const problems = (whole ? problemsIn(ctx.text, ctx.lines, df.chunks.length <= 1 ? df.ast : undefined) : chunkedProblems(df)) ?? [];
    for (const p of problems) {
      ctx.report({ range: offsetRange(p.start, p.end), message: p.message, resource: stageNameAt(df, p.start) });
    }
  },
});

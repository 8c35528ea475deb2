import { validate, ValidationCode, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { Validator } from 'dockerfile-utils/lib/dockerValidator';
import { LineIndex } from '../server/engine/positions';
import { defineRule } from '../server/engine/rule';
import type { DfFile } from '../server/engine/dockerfile/model';
import type { OffsetRange } from '../server/engine/types';

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

/** The errors dockerfile-utils finds in `text`, with offsets into it. */
function problemsIn(text: string, lines: LineIndex): Problem[] {
  let problems;
  try {
    problems = validate(text, SETTINGS);
  } catch {
    return [];
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

/**
 * The errors of a file cut into chunks (`DfFile.chunks`), equal to those of the
 * whole text: each chunk is validated alone (cached with the chunk), without
 * what only comes from the cut (a chunk after the first starts with FROM, so it
 * has no directives, and "no source image" there is the cut's doing), and the one
 * check across stages, duplicate stage names, is made over all stages here.
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
  df.chunks.forEach((chunk, k) => {
    let rel = chunk.data.get(DATA_KEY) as Problem[] | undefined;
    if (!rel) {
      const text = df.text.slice(chunk.start, chunk.end);
      rel = problemsIn(text, new LineIndex(text)).filter(
        (p) => p.code !== ValidationCode.DUPLICATE_BUILD_STAGE_NAME && (k === 0 || p.code !== ValidationCode.NO_SOURCE_IMAGE),
      );
      chunk.data.set(DATA_KEY, rel);
    }
    for (const p of rel) out.push({ ...p, start: p.start + chunk.start, end: p.end + chunk.start });
  });
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
    const problems = whole ? problemsIn(ctx.text, ctx.lines) : chunkedProblems(df);
    for (const p of problems) {
      ctx.report({ range: { start: p.start, end: p.end }, message: p.message, resource: stageNameAt(df, p.start) });
    }
  },
});

import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { defineRule } from '../server/engine/rule';
import type { DfFile } from '../server/engine/dockerfile/model';

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
    let problems;
    try {
      problems = validate(ctx.text, SETTINGS);
    } catch {
      return;
    }
    for (const p of problems) {
      if (p.severity !== LSP_ERROR) continue;
      const start = ctx.lines.positionToOffset(p.range.start);
      const end = ctx.lines.positionToOffset(p.range.end);
      ctx.report({ range: { start, end }, message: typeof p.message === 'string' ? p.message : p.message.value, resource: stageNameAt(df, start) });
    }
  },
});

/**
 * Human-readable output: findings grouped by file, one line each
 * (`line:col  severity  rule-id  message`), then a summary line. Colours follow
 * the usual conventions: on for a terminal, off for pipes and files, `--color` /
 * `--no-color` win, then `NO_COLOR` (any value turns colours off) and
 * `FORCE_COLOR` (`0`/`false` off, anything else on), and `TERM=dumb` is off.
 */
import picocolors from 'picocolors';
import type { LintResult } from '../engine/linter';
import type { Severity } from '../engine/types';

export type Colors = ReturnType<typeof picocolors.createColors>;

export function useColor(flag: boolean | undefined, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force.toLowerCase() === 'false');
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

export function colors(enabled: boolean): Colors {
  return picocolors.createColors(enabled);
}

const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

export interface TextSummary {
  /** Files that were linted (reported or clean). */
  files: number;
  /** Findings hidden because the baseline knows them. */
  baselined?: number;
  /** Findings below error hidden by --quiet. */
  quieted?: number;
}

export function formatText(results: readonly LintResult[], display: (path: string) => string, c: Colors, summary: TextSummary): string {
  const sevColor: Record<Severity, (s: string) => string> = { error: c.red, warning: c.yellow, info: c.cyan, hint: c.dim };
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  let fixable = 0;
  let out = '';
  for (const r of results) {
    if (!r.findings.length) continue;
    const rows = r.findings.map((f) => {
      const p = r.lines.offsetToPosition(f.range.start);
      counts[f.severity]++;
      if (f.fixes.some((x) => x.kind === 'exact')) fixable++;
      return { pos: `${p.line + 1}:${p.character + 1}`, sev: f.severity, rule: f.ruleId, message: f.message };
    });
    const w = {
      pos: Math.max(...rows.map((x) => x.pos.length)),
      sev: Math.max(...rows.map((x) => x.sev.length)),
      rule: Math.max(...rows.map((x) => x.rule.length)),
    };
    out += `${c.underline(display(r.path))}\n`;
    for (const x of rows) {
      out += `  ${c.dim(x.pos.padEnd(w.pos))}  ${sevColor[x.sev](x.sev.padEnd(w.sev))}  ${c.dim(x.rule.padEnd(w.rule))}  ${x.message}\n`;
    }
    out += '\n';
  }
  const total = counts.error + counts.warning + counts.info + counts.hint;
  const files = plural(summary.files, 'file');
  const notes: string[] = [];
  if (summary.baselined) notes.push(`${summary.baselined} known from the baseline`);
  if (summary.quieted) notes.push(`${plural(summary.quieted, 'warning or info', 'warnings or infos')} hidden by --quiet`);
  const tail = notes.length ? ` (${notes.join('; ')})` : '';
  if (!total) return `${out}${c.green('No problems')} in ${files}${tail}.\n`;
  const parts = [plural(counts.error, 'error'), plural(counts.warning, 'warning'), plural(counts.info, 'info', 'infos')];
  if (counts.hint) parts.push(plural(counts.hint, 'hint'));
  const head = `${plural(total, 'problem')} (${parts.join(', ')}) in ${files}`;
  const line = `${counts.error ? c.bold(c.red(head)) : c.bold(c.yellow(head))}${fixable ? `; ${fixable} fixable with --fix` : ''}${tail}`;
  return `${out}${line}\n`;
}

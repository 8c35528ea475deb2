/**
 * `iac-lint diff --base REF [paths]`: the security changes of a change set, as
 * `cdk diff` shows them ("IAM Statement Changes", "Security Group Changes"),
 * per CloudFormation template, compared with the template at a git revision.
 *
 * Exit codes: 0 nothing widens access, 1 something does (the change needs a
 * security review), 2 usage error, git missing, or no template could be compared.
 */
import { parseCloudFormation } from '../engine/cloudformation/parser';
import { GitBase } from '../engine/gitBase';
import { LineIndex } from '../engine/positions';
import { formatSecurityTables, securityChanges, type BroadeningChange } from '../engine/securityChanges';
import type { Colors } from './text';

export interface DiffInput {
  path: string;
  text: string;
  /** Named on the command line (not found by walking a folder). */
  explicit: boolean;
}

export interface DiffOptions {
  base: string;
  format: 'text' | 'json';
  colors: Colors;
  colorEnabled: boolean;
  display: (path: string) => string;
  out: (s: string) => void;
  err: (s: string) => void;
  /** PATH to look for git in (tests). */
  pathEnv?: string;
}

interface FileReport {
  path: string;
  status: 'compared' | 'new' | 'skipped';
  reason?: string;
  broadening: (Omit<BroadeningChange, 'range'> & { range: ReturnType<LineIndex['toRange']> })[];
  tables?: string;
}

export async function runDiff(inputs: readonly DiffInput[], opts: DiffOptions): Promise<number> {
  const c = opts.colors;
  const templates = inputs
    .map((f) => ({ ...f, tpl: parseCloudFormation(f.path, f.text) }))
    .filter((f) => {
      if (f.tpl) return true;
      if (f.explicit) opts.err(`iac-lint: ${opts.display(f.path)}: not a CloudFormation template; skipped\n`);
      return false;
    });
  const git = new GitBase({ ref: opts.base, pathEnv: opts.pathEnv });
  await git.load(templates.map((t) => t.path));
  const reports: FileReport[] = [];
  let compared = 0;
  for (const t of templates) {
    const base = git.baseText(t.path);
    const path = opts.display(t.path);
    if (base.kind === 'unavailable') {
      reports.push({ path, status: 'skipped', reason: base.reason, broadening: [] });
      continue;
    }
    if (t.tpl!.errors.length) {
      reports.push({ path, status: 'skipped', reason: `${path} does not parse: ${t.tpl!.errors[0].message}`, broadening: [] });
      continue;
    }
    const before = base.kind === 'text' ? parseCloudFormation(t.path, base.text) : null;
    if (before?.errors.length) {
      reports.push({ path, status: 'skipped', reason: `${path} at ${opts.base} does not parse: ${before.errors[0].message}`, broadening: [] });
      continue;
    }
    compared++;
    if (base.kind === 'text' && base.text === t.text) {
      reports.push({ path, status: 'compared', broadening: [] });
      continue;
    }
    let changes;
    try {
      changes = securityChanges(before, t.tpl!);
    } catch (e) {
      compared--;
      reports.push({ path, status: 'skipped', reason: `${path}: ${(e as Error).message}`, broadening: [] });
      continue;
    }
    const lines = new LineIndex(t.text);
    reports.push({
      path,
      status: base.kind === 'absent' ? 'new' : 'compared',
      broadening: changes.broadening.map((b) => ({ ...b, range: lines.toRange(b.range.start, b.range.end) })),
      tables: changes.diff.permissionsAnyChanges || changes.diff.securityGroupChanges.hasChanges ? formatSecurityTables(changes.diff, opts.colorEnabled) : undefined,
    });
  }

  const problems = git.messages();
  const skipped = reports.filter((r) => r.status === 'skipped');
  // Whole-run problems (no git, bad revision) once; per-file reasons for the rest.
  for (const m of problems) opts.err(`iac-lint: ${m}\n`);
  for (const s of skipped) if (!problems.includes(s.reason!)) opts.err(`iac-lint: ${s.reason}; skipped\n`);

  const widened = reports.filter((r) => r.broadening.length);
  if (opts.format === 'json') {
    opts.out(JSON.stringify({
      version: 1,
      base: opts.base,
      files: reports.map((r) => ({ path: r.path, status: r.status, ...(r.reason ? { reason: r.reason } : {}), broadening: r.broadening })),
    }, null, 2) + '\n');
  } else {
    for (const r of reports) {
      if (r.status === 'skipped' || !r.tables) continue;
      opts.out(`${c.underline(r.path)}${r.status === 'new' ? c.dim(` (new since ${opts.base})`) : ''}\n`);
      opts.out(r.tables.endsWith('\n') ? r.tables : `${r.tables}\n`);
      const pos = (b: FileReport['broadening'][number]) => `${b.range.start.line + 1}:${b.range.start.character + 1}`;
      const wPos = Math.max(0, ...r.broadening.map((b) => pos(b).length));
      const wHow = Math.max(0, ...r.broadening.map((b) => b.how.length));
      for (const b of r.broadening) {
        opts.out(`  ${c.dim(pos(b).padEnd(wPos))}  ${c.yellow(b.how.padEnd(wHow))}  ${b.summary}\n`);
      }
      opts.out('\n');
    }
    const n = compared;
    const files = `${n} template${n === 1 ? '' : 's'}`;
    opts.out(widened.length
      ? `${c.bold(c.yellow(`Access widened in ${widened.length} of ${files}`))} compared with ${opts.base}: ${widened.reduce((a, r) => a + r.broadening.length, 0)} change(s) to review.\n`
      : `${c.green('No widening of access')} in ${files} compared with ${opts.base}.\n`);
  }
  // No git, no repository, unknown revision: nothing could be compared.
  if (problems.length && compared === 0) return 2;
  return widened.length ? 1 : 0;
}

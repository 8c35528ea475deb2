/**
 * Stable identities for findings, and baselines built on them.
 *
 * A finding is identified by its rule, its file, its resource and a normalised
 * snippet of the line(s) it sits on (whitespace collapsed) — never by line
 * numbers, so that edits above it do not change who it is. Findings that share
 * all four (the same mistake repeated) are told apart by counting: a baseline
 * that holds two of them hides two, and a third is new.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { LintResult } from '../engine/linter';
import type { Finding } from '../engine/types';

export const BASELINE_VERSION = 1;

/** The text of the whole lines a finding covers, whitespace-normalised. */
export function findingSnippet(result: LintResult, f: Finding): string {
  const lines = result.lines;
  const s = lines.offsetToPosition(f.range.start);
  let e = lines.offsetToPosition(f.range.end);
  // A range that ends at column 0 of a line does not cover that line.
  if (e.line > s.line && e.character === 0) e = { line: e.line - 1, character: 0 };
  const from = lines.lineStarts[s.line];
  const to = lines.lineEnd(Math.min(e.line, s.line + 200));
  return lines.text.slice(from, to).replace(/\s+/g, ' ').trim().slice(0, 4000);
}

/** `path` is as the user should see it (relative, forward slashes). */
export function findingKey(ruleId: string, path: string, resource: string | null, snippet: string): string {
  return createHash('sha256').update([ruleId, path, resource ?? '', snippet].join('\0')).digest('hex').slice(0, 32);
}

export interface Identified {
  result: LintResult;
  finding: Finding;
  /** Identity without position. */
  key: string;
  /** Nth finding with this key in the file, from 0, in file order: makes fingerprints unique. */
  occurrence: number;
}

/** Keys for every finding of `results`; `pathOf` gives the path used in the key. */
export function identify(results: readonly LintResult[], pathOf: (r: LintResult) => string): Identified[] {
  const out: Identified[] = [];
  for (const result of results) {
    const seen = new Map<string, number>();
    const path = pathOf(result);
    for (const finding of result.findings) {
      const key = findingKey(finding.ruleId, path, finding.resource, findingSnippet(result, finding));
      const occurrence = seen.get(key) ?? 0;
      seen.set(key, occurrence + 1);
      out.push({ result, finding, key, occurrence });
    }
  }
  return out;
}

interface BaselineEntry {
  ruleId: string;
  path: string;
  resource: string | null;
  key: string;
  count: number;
  /** For people reading the file; not used for matching. */
  message: string;
}

interface BaselineFile {
  version: number;
  tool: 'iac-lint';
  findings: BaselineEntry[];
}

export class BaselineError extends Error {}

/** Paths in a baseline are relative to the baseline file's folder, so it works from any current folder. */
export function baselinePath(baselineFile: string, file: string): string {
  return nodePath.relative(nodePath.dirname(nodePath.resolve(baselineFile)), file).split(nodePath.sep).join('/');
}

export function writeBaseline(file: string, results: readonly LintResult[]): number {
  const ids = identify(results, (r) => baselinePath(file, r.path));
  const byKey = new Map<string, BaselineEntry>();
  for (const id of ids) {
    const hit = byKey.get(id.key);
    if (hit) hit.count++;
    else {
      byKey.set(id.key, {
        ruleId: id.finding.ruleId,
        path: baselinePath(file, id.result.path),
        resource: id.finding.resource,
        key: id.key,
        count: 1,
        message: id.finding.message,
      });
    }
  }
  const entries = [...byKey.values()].sort((a, b) => cmp(a.path, b.path) || cmp(a.ruleId, b.ruleId) || cmp(a.resource ?? '', b.resource ?? '') || cmp(a.key, b.key));
  const doc: BaselineFile = { version: BASELINE_VERSION, tool: 'iac-lint', findings: entries };
  fs.mkdirSync(nodePath.dirname(nodePath.resolve(file)), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  return ids.length;
}

export function readBaseline(file: string): Map<string, number> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new BaselineError(`cannot read baseline \`${file}\`: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: BaselineFile;
  try {
    doc = JSON.parse(text) as BaselineFile;
  } catch (e) {
    throw new BaselineError(`baseline \`${file}\` is not JSON: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || doc.version !== BASELINE_VERSION || !Array.isArray(doc.findings)) {
    throw new BaselineError(`baseline \`${file}\` is not an iac-lint baseline (version ${BASELINE_VERSION}); write one with --write-baseline`);
  }
  const counts = new Map<string, number>();
  for (const e of doc.findings) {
    if (!e || typeof e.key !== 'string' || !Number.isInteger(e.count) || e.count < 1) throw new BaselineError(`baseline \`${file}\` has a malformed entry: ${JSON.stringify(e)}`);
    counts.set(e.key, (counts.get(e.key) ?? 0) + e.count);
  }
  return counts;
}

/**
 * Removes the findings the baseline knows from `results` (in place). Returns how
 * many were hidden.
 */
export function applyBaseline(file: string, results: LintResult[]): number {
  const counts = readBaseline(file);
  const known = new Set<Finding>();
  for (const id of identify(results, (r) => baselinePath(file, r.path))) {
    const left = counts.get(id.key) ?? 0;
    if (left > 0) {
      counts.set(id.key, left - 1);
      known.add(id.finding);
    }
  }
  for (const r of results) r.findings = r.findings.filter((f) => !known.has(f));
  return known.size;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

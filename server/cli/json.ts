/**
 * The CLI's JSON report (`--format json`), written file by file: over a large
 * workspace it is tens of megabytes, which as one object and one string doubled
 * the CLI's peak memory. The text is exactly `JSON.stringify(report, null, 2)`.
 */
import type { LintResult } from '../engine/linter';

/** One file of the report. */
export function fileJson(r: LintResult, display: (path: string) => string) {
  return {
    path: display(r.path),
    format: r.format,
    findings: r.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      range: r.lines.toRange(f.range.start, f.range.end),
      resource: f.resource,
      fixable: f.fixes.some((x) => x.kind === 'exact'),
    })),
  };
}

/**
 * The report in pieces, one per file, that join to `JSON.stringify({ version: 1,
 * files }, null, 2) + '\n'`: each file's own JSON indented two levels deeper
 * (JSON text has no line breaks inside strings, so every line can be indented).
 */
export function* jsonReport(results: readonly LintResult[], display: (path: string) => string): Generator<string> {
  if (results.length === 0) {
    yield '{\n  "version": 1,\n  "files": []\n}\n';
    return;
  }
  yield '{\n  "version": 1,\n  "files": [\n';
  for (let i = 0; i < results.length; i++) {
    const text = JSON.stringify(fileJson(results[i], display), null, 2);
    yield `    ${text.replace(/\n/g, '\n    ')}${i + 1 < results.length ? ',' : ''}\n`;
  }
  yield '  ]\n}\n';
}

/** Pieces gathered into strings of about `size` characters, for fewer writes. */
export function* batched(pieces: Iterable<string>, size = 1 << 20): Generator<string> {
  let buf: string[] = [];
  let n = 0;
  for (const p of pieces) {
    buf.push(p);
    n += p.length;
    if (n >= size) {
      yield buf.join('');
      buf = [];
      n = 0;
    }
  }
  if (buf.length) yield buf.join('');
}

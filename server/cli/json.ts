/**
 * The CLI's JSON report (`--format json`), written file by file: over a large
 * workspace it is tens of megabytes, which as one object and one string doubled
 * the CLI's peak memory. The text is exactly `JSON.stringify(report, null, 2)`.
 */
import type { LintResult } from '../engine/linter';

/** The report in pieces, one per file, that join to `JSON.stringify({ version: 1, files }, null, 2) + '\n'`. */
export function* jsonReport(results: readonly LintResult[], display: (path: string) => string): Generator<string> {
  if (results.length === 0) {
    yield '{\n  "version": 1,\n  "files": []\n}\n';
    return;
  }
  yield '{\n  "version": 1,\n  "files": [\n';
  for (let i = 0; i < results.length; i++) yield `${fileText(results[i], display)}${i + 1 < results.length ? ',' : ''}\n`;
  yield '  ]\n}\n';
}

/**
 * One file of the report, as `JSON.stringify(report, null, 2)` writes it (four
 * spaces in), written out directly: no object per finding, no second pass to
 * indent. The report's largest part and the CLI's last serial step; the test
 * compares it with `JSON.stringify` of the same file as an object.
 */
export function fileText(r: LintResult, display: (path: string) => string): string {
  const q = JSON.stringify;
  let out = `    {\n      "path": ${q(display(r.path))},\n      "format": ${q(r.format)},\n      "findings": `;
  if (r.findings.length === 0) return `${out}[]\n    }`;
  out += '[\n';
  const pos = (p: { line: number; character: number }) => `{\n              "line": ${p.line},\n              "character": ${p.character}\n            }`;
  r.findings.forEach((f, k) => {
    const range = r.lines.toRange(f.range.start, f.range.end);
    out += `        {\n          "ruleId": ${q(f.ruleId)},\n          "severity": ${q(f.severity)},\n          "message": ${q(f.message)},\n`
      + `          "range": {\n            "start": ${pos(range.start)},\n            "end": ${pos(range.end)}\n          },\n`
      // (A resource left undefined is left out, as JSON.stringify leaves it out.)
      + `${f.resource === undefined ? '' : `          "resource": ${q(f.resource)},\n`}          "fixable": ${f.fixes.some((x) => x.kind === 'exact')}\n        }${k + 1 < r.findings.length ? ',' : ''}\n`;
  });
  return `${out}      ]\n    }`;
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

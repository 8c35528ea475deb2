/**
 * The CLI's JSON report is written file by file (server/cli/json.ts): joined, the
 * pieces must be exactly the one-string `JSON.stringify(report, null, 2)` form.
 */
import * as assert from 'node:assert/strict';
import { batched, jsonReport } from '../../server/cli/json';
import type { LintResult } from '../../server/engine/linter';
import { LineIndex } from '../../server/engine/positions';
import type { Finding } from '../../server/engine/types';

const display = (p: string) => p.replace(/^\/w\//, '');

function result(path: string, text: string, findings: Partial<Finding>[]): LintResult {
  return {
    path,
    format: 'cloudformation',
    lines: new LineIndex(text),
    findings: findings.map((f, i) => ({
      ruleId: f.ruleId ?? `rule-${i}`,
      severity: f.severity ?? 'warning',
      message: f.message ?? `message ${i}`,
      path,
      range: f.range ?? { start: i, end: i + 3 },
      resource: f.resource ?? null,
      fixes: f.fixes ?? [],
    })),
  };
}

/** One file of the report as an object: `JSON.stringify` of it is the reference text. */
function fileJson(r: LintResult, display: (path: string) => string) {
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

const whole = (results: LintResult[]) => JSON.stringify({ version: 1, files: results.map((r) => fileJson(r, display)) }, null, 2) + '\n';

describe('CLI JSON report in pieces', () => {
  const cases: [string, LintResult[]][] = [
    ['no files', []],
    ['a file without findings', [result('/w/a.yaml', 'x: 1\n', [])]],
    ['files with findings, fixes and awkward messages', [
      result('/w/a.yaml', 'Resources:\n  A:\n    Type: X\n', [
        { message: 'line\nbreak, "quotes", tab\t, unicode é 💥 \u2028', resource: 'A' },
        { severity: 'error', fixes: [{ title: 't', kind: 'exact', changes: [] }], range: { start: 11, end: 12 } },
      ]),
      result('/w/b.tf', 'resource "a" "b" {}\n', []),
      result('/w/c/Dockerfile', 'FROM x\n', [{ ruleId: 'docker-x', resource: 'stage' }]),
    ]],
    ['findings on later lines, at the end of the text, without a resource', [
      (() => {
        const r = result('/w/d.tf', 'a = 1\r\nb = 2\n\nc = "\u00e9"\n', [{ range: { start: 7, end: 12 } }, { range: { start: 20, end: 99 } }, {}]);
        (r.findings[2] as { resource?: string | null }).resource = undefined;
        return r;
      })(),
    ]],
  ];
  for (const [name, results] of cases) {
    it(`joins to JSON.stringify's text: ${name}`, () => {
      const pieces = [...jsonReport(results, display)];
      assert.equal(pieces.join(''), whole(results));
      assert.deepEqual(JSON.parse(pieces.join('')).files.length, results.length);
    });
  }

  it('batches pieces without losing or reordering any', () => {
    const results = Array.from({ length: 50 }, (_, i) => result(`/w/f${i}.yaml`, 'a: 1\nb: 2\n', [{ message: `m${i}` }]));
    const batches = [...batched(jsonReport(results, display), 1500)];
    assert.ok(batches.length > 5 && batches.length < 50, `${batches.length} batches`);
    assert.equal(batches.join(''), whole(results));
  });
});

/**
 * Suggestions are never applied by fix-all, so the fixture runner does not try
 * them. Here every suggestion of the ECR / disaster-recovery rules on their bad
 * fixtures is applied alone: the result must parse and the finding must go.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { applyEdits } from '../../server/engine/fixer';
import { PARSE_ERROR } from '../../server/engine/linter';
import type { SourceFile } from '../../server/engine/types';
import { rules } from '../../rules';
import { ROOT, engineFor, memoryWorkspace, read } from '../helpers/engine';

const IDS = ['ecr-scan-on-push', 'ecr-immutable-tags', 'ecr-lifecycle-policy', 'dr-deletion-policy', 'dr-backups'];
const INPUT = /\.(ya?ml|json|tf)$/;

function caseFiles(path: string): string[] {
  if (!fs.statSync(path).isDirectory()) return [path];
  return fs.readdirSync(path).filter((n) => INPUT.test(n)).sort().map((n) => nodePath.join(path, n));
}

describe('suggestions of the ECR and disaster-recovery rules', () => {
  for (const id of IDS) {
    it(`${id}: every suggestion re-parses and removes its finding`, async () => {
      const rule = rules.find((r) => r.id === id);
      assert.ok(rule, id);
      const engine = await engineFor([rule]);
      const dir = nodePath.join(ROOT, 'test', 'fixtures', id);
      let tried = 0;
      for (const name of fs.readdirSync(dir).filter((n) => n.startsWith('bad-') && !/\.(findings|fixed)$/.test(n))) {
        const files: SourceFile[] = caseFiles(nodePath.join(dir, name)).map((p) => ({ path: p, text: read(p) }));
        for (const file of files) {
          const ws = memoryWorkspace(files);
          const res = engine.lint(file, ws)!;
          const before = res.findings.filter((f) => f.ruleId === id);
          for (const finding of before) {
            for (const fix of finding.fixes.filter((f) => f.kind === 'suggestion')) {
              tried++;
              assert.equal(fix.changes.length, 1);
              const text = applyEdits(file.text, fix.changes[0].edits);
              const fixed = { path: file.path, text };
              const after = engine.lint(fixed, memoryWorkspace(files.map((f) => (f.path === file.path ? fixed : f))))!;
              assert.equal(after.findings.filter((f) => f.ruleId === PARSE_ERROR).length, 0, `${name}: "${fix.title}" breaks the file:\n${text}`);
              const left = after.findings.filter((f) => f.ruleId === id);
              assert.equal(left.length, before.length - 1, `${name}: "${fix.title}" did not remove "${finding.message}"`);
            }
          }
        }
      }
      assert.ok(tried > 0, `${id}: the bad fixtures offer no suggestion to try`);
    });
  }
});

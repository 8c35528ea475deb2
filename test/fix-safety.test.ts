/**
 * Fix safety across rules. test/rules.test.ts applies one rule's exact fixes to
 * that rule's fixtures; here every fixture case (bad and good, with its
 * `.iac-lint.yaml` when it has one) gets the exact fixes of ALL rules, as
 * fix-all and `iac-lint --fix` apply them. The result must parse, must no longer
 * carry the findings that were fixed (nor any other exact-fixable finding), and
 * a second fix pass must change nothing.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { rules } from '../rules';
import { CONFIG_FILE_NAME, parseConfigText } from '../server/engine/configFile';
import { defaultConfig } from '../server/engine/config';
import { fixFiles } from '../server/engine/fixer';
import { Engine, PARSE_ERROR } from '../server/engine/linter';
import type { Finding, SourceFile } from '../server/engine/types';
import { ROOT, memoryWorkspace, read } from './helpers/engine';

const FIXTURES = nodePath.join(ROOT, 'test', 'fixtures');
const INPUT = /\.(ya?ml|json|tf|dockerfile)$|(^|\/)(Dockerfile|Containerfile)(\.[\w.-]+)?$/i;

function caseFiles(casePath: string): string[] {
  if (fs.statSync(casePath).isDirectory()) {
    return fs.readdirSync(casePath).filter((n) => INPUT.test(n) && n !== CONFIG_FILE_NAME && !/\.(findings|fixed|base)$/.test(n)).sort().map((n) => nodePath.join(casePath, n));
  }
  return [casePath];
}

const key = (f: Finding): string => `${f.ruleId}\u0000${f.resource ?? ''}\u0000${f.message}`;
const exact = (f: Finding) => f.fixes.some((x) => x.kind === 'exact');

describe('fix-all of every rule on every fixture', function () {
  this.timeout(120000);
  const cases: string[] = [];
  for (const dir of fs.readdirSync(FIXTURES).sort()) {
    for (const name of fs.readdirSync(nodePath.join(FIXTURES, dir)).sort()) {
      if (/^(bad|good)-/.test(name) && !/\.(findings|fixed|base)$/.test(name)) cases.push(nodePath.join(dir, name));
    }
  }
  let engine: Engine;
  before(async () => {
    engine = await Engine.create(defaultConfig(), rules);
  });

  it('has cases', () => assert.ok(cases.length > 200, `${cases.length} cases`));

  it('parses, removes what it fixed and is idempotent', async () => {
    const failures: string[] = [];
    let fixedCases = 0;
    for (const c of cases) {
      const casePath = nodePath.join(FIXTURES, c);
      const configPath = nodePath.join(casePath, CONFIG_FILE_NAME);
      const eng = fs.statSync(casePath).isDirectory() && fs.existsSync(configPath)
        ? await Engine.create(parseConfigText(read(configPath), rules.map((r) => r.id)).config, rules)
        : engine;
      const files: SourceFile[] = caseFiles(casePath).map((p) => ({ path: p, text: read(p) }));
      const ws = memoryWorkspace(files);
      // Findings are told apart by rule, resource and message; several can share them,
      // so what is counted: how many of each could be fixed, and how many could not.
      const fixable = new Map<string, number>();
      const unfixable = new Map<string, number>();
      for (const f of files) {
        for (const x of eng.lint(f, ws)?.findings ?? []) {
          const m = exact(x) ? fixable : unfixable;
          m.set(key(x), (m.get(key(x)) ?? 0) + 1);
        }
      }
      if (fixable.size === 0) continue;
      const fixed = fixFiles(eng, files, ws);
      if (fixed.changed.size === 0) {
        failures.push(`${c}: ${fixable.size} exact-fixable findings, but fix-all changed nothing`);
        continue;
      }
      fixedCases++;
      const after = files.map((f) => ({ path: f.path, text: fixed.changed.get(f.path) ?? f.text }));
      const ws2 = memoryWorkspace(after);
      const left = new Map<string, number>();
      for (const f of after) {
        const res = eng.lint(f, ws2);
        const name = nodePath.relative(FIXTURES, f.path);
        for (const x of res?.findings ?? []) {
          left.set(key(x), (left.get(key(x)) ?? 0) + 1);
          if (x.ruleId === PARSE_ERROR) failures.push(`${name}: fixed output does not parse: ${x.message}`);
          else if (exact(x)) failures.push(`${name}: an exact-fixable finding is left after fix-all: ${x.ruleId}: ${x.message}`);
        }
      }
      for (const [k, n] of fixable) {
        if ((left.get(k) ?? 0) > (unfixable.get(k) ?? 0)) failures.push(`${c}: still has a fixed finding: ${k.split('\u0000').join(' / ')}`);
      }
      const again = fixFiles(eng, after, ws2);
      if (again.changed.size) failures.push(`${c}: a second fix-all pass changes ${[...again.changed.keys()].map((p) => nodePath.basename(p)).join(', ')}`);
    }
    assert.ok(fixedCases > 50, `only ${fixedCases} cases had exact fixes`);
    assert.deepEqual(failures, []);
  });
});

/**
 * The generic rule fixture runner. For every rule, `test/fixtures/<rule-id>/`
 * holds cases: `bad-*` must fire, `good-*` must stay clean. A case is a file
 * (`.yaml`, `.yml`, `.json`, `.tf`, `.dockerfile`) or a folder (a Terraform module,
 * or a folder holding a `Dockerfile`). Next to each linted file:
 *   `<file>.findings`  the findings, underlined in the source (a reviewed snapshot)
 *   `<file>.fixed`     the file after all exact fixes of the rule (when it has any)
 *   `<file>.base`      optional: the file at the git base, for rules that judge changes
 * A folder case may hold a `.iac-lint.yaml`: its rule options apply to that case
 * (for rules that are silent until configured, such as an approved AMI list).
 * Run with UPDATE_SNAPSHOTS=1 to (re)write snapshots, then review the diff.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fixFiles } from '../server/engine/fixer';
import { CONFIG_FILE_NAME, parseConfigText } from '../server/engine/configFile';
import { Engine, PARSE_ERROR, type LintResult } from '../server/engine/linter';
import type { SourceFile } from '../server/engine/types';
import { rules } from '../rules';
import { ROOT, engineFor, memoryWorkspace, read } from './helpers/engine';

const FIXTURES = nodePath.join(ROOT, 'test', 'fixtures');
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';
const INPUT = /\.(ya?ml|json|tf|dockerfile)$|(^|\/)(Dockerfile|Containerfile)(\.[\w.-]+)?$/i;

export function renderFindings(result: LintResult | null, ruleId: string): string {
  if (!result) return '(not linted: not an IaC file)\n';
  const src = result.lines;
  let out = '';
  for (const f of result.findings.filter((x) => x.ruleId === ruleId || x.ruleId === PARSE_ERROR)) {
    const s = src.offsetToPosition(f.range.start);
    const e = src.offsetToPosition(f.range.end);
    out += `${f.ruleId} ${f.severity} ${s.line + 1}:${s.character + 1}-${e.line + 1}:${e.character + 1} resource=${f.resource ?? '-'}\n`;
    out += `  ${f.message}\n`;
    const lineText = src.text.slice(src.lineStarts[s.line], src.lineEnd(s.line));
    const width = e.line === s.line ? Math.max(1, e.character - s.character) : Math.max(1, lineText.length - s.character);
    const num = String(s.line + 1).padStart(4);
    out += `${num} | ${lineText}\n     | ${' '.repeat(s.character)}${'^'.repeat(width)}${e.line > s.line ? ' ...' : ''}\n`;
    for (const fix of f.fixes) out += `  fix (${fix.kind}): ${fix.title}${fix.changes.length > 1 ? ` [${fix.changes.length} files]` : ''}\n`;
  }
  return out || '(no findings)\n';
}

function caseFiles(casePath: string): string[] {
  if (fs.statSync(casePath).isDirectory()) {
    return fs.readdirSync(casePath).filter((n) => INPUT.test(n) && n !== CONFIG_FILE_NAME && !/\.(findings|fixed|base)$/.test(n)).sort().map((n) => nodePath.join(casePath, n));
  }
  return [casePath];
}

function checkSnapshot(file: string, actual: string): void {
  if (UPDATE) {
    if (!fs.existsSync(file) || read(file) !== actual) fs.writeFileSync(file, actual);
    return;
  }
  assert.ok(fs.existsSync(file), `missing snapshot ${nodePath.relative(ROOT, file)} (run UPDATE_SNAPSHOTS=1 npm test and review it)`);
  assert.equal(actual, read(file), `snapshot ${nodePath.relative(ROOT, file)} differs`);
}

/** A snapshot that must not exist (a case that no longer fires, or no longer has exact fixes). */
function checkNoSnapshot(file: string): void {
  if (!fs.existsSync(file)) return;
  if (UPDATE) fs.rmSync(file);
  else assert.fail(`stale snapshot ${nodePath.relative(ROOT, file)} (run UPDATE_SNAPSHOTS=1 npm test to remove it)`);
}

describe('rule fixtures', () => {
  const ruleDirs = fs.existsSync(FIXTURES) ? fs.readdirSync(FIXTURES).sort() : [];
  for (const dir of ruleDirs) {
    const rule = rules.find((r) => r.id === dir);
    describe(dir, () => {
      it('is a known rule', () => assert.ok(rule, `test/fixtures/${dir} matches no rule`));
      if (!rule) return;
      let ruleEngine: Engine;
      before(async () => {
        ruleEngine = await engineFor([rule]);
      });
      const cases = fs.readdirSync(nodePath.join(FIXTURES, dir))
        .filter((n) => /^(bad|good)-/.test(n) && !/\.(findings|fixed|base)$/.test(n))
        .sort();
      for (const name of cases) {
        it(name, async () => {
          const casePath = nodePath.join(FIXTURES, dir, name);
          const configPath = nodePath.join(casePath, CONFIG_FILE_NAME);
          let engine = ruleEngine;
          if (fs.statSync(casePath).isDirectory() && fs.existsSync(configPath)) {
            const parsed = parseConfigText(read(configPath), rules.map((r) => r.id));
            assert.deepEqual(parsed.errors, [], `${name}/${CONFIG_FILE_NAME} has errors`);
            engine = await Engine.create(parsed.config, [rule]);
          }
          const paths = caseFiles(casePath);
          assert.ok(paths.length > 0, `case ${name} has no input files`);
          const files: SourceFile[] = paths.map((p) => ({ path: p, text: read(p) }));
          const bases = new Map(paths.filter((p) => fs.existsSync(`${p}.base`)).map((p) => [p, read(`${p}.base`)] as const));
          const ws = memoryWorkspace(files, bases.size ? bases : undefined);
          let total = 0;
          let exact = 0;
          for (const f of files) {
            const res = engine.lint(f, ws);
            const mine = res?.findings.filter((x) => x.ruleId === rule.id) ?? [];
            total += mine.length;
            exact += mine.filter((x) => x.fixes.some((fx) => fx.kind === 'exact')).length;
            assert.equal(res?.findings.filter((x) => x.ruleId === PARSE_ERROR).length ?? 0, 0, `${name}: the fixture itself does not parse`);
            if (name.startsWith('bad-')) checkSnapshot(`${f.path}.findings`, renderFindings(res, rule.id));
          }
          if (name.startsWith('good-')) {
            assert.equal(total, 0, `${name} must stay clean`);
            for (const f of files) for (const ext of ['.findings', '.fixed']) checkNoSnapshot(f.path + ext);
            return;
          }
          assert.ok(total > 0, `${name} must fire ${rule.id}`);
          if (exact === 0) {
            for (const f of files) checkNoSnapshot(`${f.path}.fixed`);
            return;
          }
          const onlyRule = (id: string) => id === rule.id;
          const fixed = fixFiles(engine, files, ws, 10, onlyRule);
          assert.ok(fixed.changed.size > 0, `${name}: exact fixes changed nothing`);
          for (const f of files) {
            const after = fixed.changed.get(f.path) ?? f.text;
            checkSnapshot(`${f.path}.fixed`, after);
          }
          // The fixed files parse, no longer carry fixable findings, and a second pass changes nothing.
          const fixedFiles = files.map((f) => ({ path: f.path, text: fixed.changed.get(f.path) ?? f.text }));
          const ws2 = memoryWorkspace(fixedFiles);
          for (const f of fixedFiles) {
            const res = engine.lint(f, ws2);
            assert.equal(res?.findings.filter((x) => x.ruleId === PARSE_ERROR).length ?? 0, 0, `${nodePath.basename(f.path)}: fixed output does not parse`);
            const left: { message: string }[] = res?.findings.filter((x) => x.ruleId === rule.id && x.fixes.some((fx) => fx.kind === 'exact')) ?? [];
            assert.equal(left.length, 0, `${nodePath.basename(f.path)}: fixable findings remain after fixing: ${left.map((l) => l.message).join('; ')}`);
          }
          const again = fixFiles(engine, fixedFiles, ws2, 10, onlyRule);
          assert.equal(again.changed.size, 0, `${name}: fixing is not idempotent`);
        });
      }
      it('has cases that fire and cases that stay clean', () => {
        assert.ok(cases.some((c) => c.startsWith('bad-')), `${dir} has no bad- case`);
        assert.ok(cases.some((c) => c.startsWith('good-')), `${dir} has no good- case`);
      });
    });
  }
});

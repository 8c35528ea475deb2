/**
 * Peer cases from aquasecurity/trivy-checks (MIT, see test/external/trivy-checks/LICENSE),
 * mapped to our rule ids. Each case whose rule exists must agree with its `expect`:
 * `fire` = the rule reports at least one finding, `clean` = it reports none.
 * Findings of other rules never matter.
 */
import * as assert from 'node:assert/strict';
import * as nodePath from 'node:path';
import type { Engine } from '../server/engine/linter';
import { rules } from '../rules';
import { ROOT, engineFor, memoryWorkspace, read } from './helpers/engine';

interface Case { file: string; format: string; rule: string; expect: 'fire' | 'clean'; peer: string; note?: string }

const BASE = nodePath.join(ROOT, 'test', 'external', 'trivy-checks');
const manifest = JSON.parse(read(nodePath.join(BASE, 'manifest.json'))) as Case[];

describe('peer cases (trivy-checks)', () => {
  let engine: Engine;
  before(async () => {
    engine = await engineFor();
  });
  it('the manifest is readable and names only catalog formats', () => {
    assert.ok(manifest.length > 100);
    for (const c of manifest) assert.ok(['cloudformation', 'terraform', 'dockerfile'].includes(c.format), c.file);
  });
  for (const c of manifest) {
    if (!rules.some((r) => r.id === c.rule)) continue;
    it(`${c.rule}: ${c.file.split('/').slice(2).join('/')} → ${c.expect} (${c.peer})`, () => {
      const path = nodePath.join(BASE, c.file);
      const file = { path, text: read(path) };
      const res = engine.lint(file, memoryWorkspace([file]));
      assert.ok(res, `${c.file} was not recognised as ${c.format}`);
      assert.equal(res.format, c.format);
      const mine = res.findings.filter((f) => f.ruleId === c.rule);
      if (c.expect === 'fire') assert.ok(mine.length > 0, `${c.rule} should fire${c.note ? ` (${c.note})` : ''}`);
      else assert.equal(mine.length, 0, `${c.rule} should stay clean${c.note ? ` (${c.note})` : ''}: ${mine.map((m) => m.message).join('; ')}`);
    });
  }
});

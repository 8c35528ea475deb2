/**
 * Shortcuts of the rules (session 8) against their general forms: an index or
 * a skipped document may only save work, never change what the rules see.
 */
import * as assert from 'node:assert/strict';
import * as nodePath from 'node:path';
import { filesUnder, ROOT, read } from '../helpers/engine';
import { rng } from '../helpers/random';
import { parseCloudFormation } from '../../server/engine/cloudformation/parser';
import type { CfnTemplate } from '../../server/engine/cloudformation/model';
import { cfnOfType, cfnOfTypes } from '../../rules/lib/byType';
import { cloudFormationJson } from '../../scripts/bench/generate';

/** Every CloudFormation fixture that parses as a template, and the bench template. */
function templates(): CfnTemplate[] {
  const out: CfnTemplate[] = [];
  const files = filesUnder(nodePath.join(ROOT, 'test', 'fixtures'), /\.(ya?ml|json)$/);
  for (const f of files) {
    const tpl = parseCloudFormation(f, read(f));
    if (tpl && tpl.resources.length) out.push(tpl);
  }
  const bench = parseCloudFormation('/bench/t.json', cloudFormationJson(2000));
  if (bench) out.push(bench);
  return out;
}

describe('rule shortcuts (session 8)', () => {
  const all = templates();

  it('cfnOfType / cfnOfTypes: the resources of the types, in template order, as filtering every resource gives', () => {
    assert.ok(all.length > 50, `${all.length} templates`);
    const next = rng(8);
    let checked = 0;
    for (const tpl of all) {
      const types = [...new Set(tpl.resources.map((r) => r.type))];
      const pool = [...types, 'AWS::No::Such', 'constructor'];
      for (const t of pool) {
        assert.deepEqual(cfnOfType(tpl, t), tpl.resources.filter((r) => r.type === t), `${tpl.path} ${t}`);
        // Asked twice: the kept list is the same.
        assert.deepEqual(cfnOfType(tpl, t), tpl.resources.filter((r) => r.type === t));
      }
      for (let k = 0; k < 12; k++) {
        const pick = pool.filter(() => next() < 0.4);
        const want = tpl.resources.filter((r) => pick.includes(r.type));
        assert.deepEqual(cfnOfTypes(tpl, pick), want, `${tpl.path} ${pick.join(',')}`);
        assert.deepEqual(cfnOfTypes(tpl, pick), want, 'asked again');
        checked++;
      }
    }
    assert.ok(checked > 500);
  });
});

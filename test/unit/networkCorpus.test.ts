/**
 * Realistic templates and modules (test/corpus/network/) must not drown in
 * noise: the findings of the network rules on them were reviewed one by one and
 * are kept in test/corpus/network/findings.txt. A rule change that adds or drops
 * a finding there shows up here (UPDATE_SNAPSHOTS=1 rewrites the file; review
 * the diff like code).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { Engine } from '../../server/engine/linter';
import { rules } from '../../rules';
import { ROOT, engineFor, filesUnder, memoryWorkspace, read } from '../helpers/engine';

const CORPUS = nodePath.join(ROOT, 'test', 'corpus', 'network');
const EXPECTED = nodePath.join(CORPUS, 'findings.txt');
const RULES = [
  'sg-no-public-ingress', 'sg-admin-ports-restricted', 'sg-least-privilege', 'sg-unrestricted-egress', 'ec2-ssh-default-port',
  'ec2-prefer-session-manager', 'ec2-in-vpc', 'ec2-elastic-ip', 'asg-multi-az', 'ec2-key-pair-unused',
];

describe('network corpus', () => {
  let engine: Engine;
  before(async () => {
    engine = await engineFor(rules.filter((r) => RULES.includes(r.id)));
  });

  it('gives exactly the reviewed findings', () => {
    const paths = filesUnder(CORPUS, /\.(ya?ml|json|tf)$/);
    assert.ok(paths.length >= 5, 'the corpus is missing');
    const files = paths.map((p) => ({ path: p, text: read(p) }));
    const ws = memoryWorkspace(files);
    const lines: string[] = [];
    for (const f of files) {
      const res = engine.lint(f, ws);
      assert.ok(res, `${f.path} is not recognised`);
      for (const x of res.findings) {
        assert.ok(RULES.includes(x.ruleId), `${x.ruleId}: ${x.message}`);
        const pos = res.lines.offsetToPosition(x.range.start);
        lines.push(`${nodePath.relative(CORPUS, f.path)}:${pos.line + 1}:${pos.character + 1} ${x.ruleId} ${x.resource ?? '-'}`);
      }
    }
    const actual = lines.join('\n') + '\n';
    if (process.env.UPDATE_SNAPSHOTS === '1') fs.writeFileSync(EXPECTED, actual);
    assert.equal(actual, read(EXPECTED));
  });
});

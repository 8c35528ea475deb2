/**
 * The EC2 rules on broken input: every fixture and corpus file of these rules,
 * cut short at many points and with values swapped for functions, must lint
 * without an `internal-error` (a rule that throws).
 */
import * as assert from 'node:assert/strict';
import * as nodePath from 'node:path';
import { defaultConfig } from '../../server/engine/config';
import { Engine, INTERNAL_ERROR } from '../../server/engine/linter';
import { rules } from '../../rules';
import { ROOT, filesUnder, memoryWorkspace, read } from '../helpers/engine';

const IDS = [
  'ebs-encryption', 'ec2-alarm', 'ec2-approved-ami', 'ec2-burstable-unlimited', 'ec2-detailed-monitoring', 'ec2-imds-endpoint-enabled',
  'ec2-imds-hop-limit', 'ec2-instance-role', 'ec2-name-tag', 'ec2-separate-data-volume', 'ec2-spot-for-noncritical', 'ec2-termination-protection',
];

const INPUT = /\.(ya?ml|json|tf)$/;

function variants(text: string): string[] {
  const out: string[] = [];
  const step = Math.max(1, Math.floor(text.length / 12));
  for (let cut = step; cut < text.length; cut += step) out.push(text.slice(0, cut));
  // Values turned into functions or nulls, where rules expect literals or maps.
  out.push(text.replace(/: (true|false|\d+|[a-z][\w.-]*)$/gm, ': !Ref Unknown'));
  out.push(text.replace(/: (\S.*)$/gm, ':'));
  out.push(text.replace(/= ("[^"]*"|true|false|\d+)/g, '= var.unknown'));
  out.push(text.replace(/= ("[^"]*"|true|false|\d+)/g, '= null'));
  return out;
}

describe('EC2 rules on broken input', function () {
  this.timeout(120000);
  let engine: Engine;
  const mine = rules.filter((r) => IDS.includes(r.id));
  const files = [
    ...IDS.flatMap((id) => filesUnder(nodePath.join(ROOT, 'test', 'fixtures', id), INPUT)),
    ...filesUnder(nodePath.join(ROOT, 'test', 'corpus', 'compute'), INPUT),
  ].filter((f) => !f.endsWith('.iac-lint.yaml'));

  before(async () => {
    // Options set, so that the rules silent by default run too.
    const config = defaultConfig();
    config.options.approvedAmis = ['ami-0a1b2c3d4e5f60718', '/golden/*'];
    config.options.requiredTags = ['Team'];
    engine = await Engine.create(config, mine);
  });

  it('covers every rule', () => assert.equal(mine.length, IDS.length));

  it('never throws', () => {
    assert.ok(files.length > 50, `only ${files.length} files`);
    let linted = 0;
    for (const path of files) {
      for (const text of variants(read(path))) {
        const file = { path, text };
        const res = engine.lint(file, memoryWorkspace([file]));
        const crashed = res?.findings.filter((f) => f.ruleId === INTERNAL_ERROR) ?? [];
        assert.deepEqual(crashed.map((c) => c.message), [], `${nodePath.relative(ROOT, path)} cut to ${text.length} characters`);
        linted++;
      }
    }
    assert.ok(linted > 500);
  });
});

/**
 * The realistic compute templates and modules of test/corpus/compute: the EC2
 * rules report exactly the findings reviewed in notes/issue-3b (no noise, nothing
 * lost). Other rules are ignored, so that rules added later do not change this.
 */
import * as assert from 'node:assert/strict';
import * as nodePath from 'node:path';
import type { Engine } from '../../server/engine/linter';
import type { SourceFile } from '../../server/engine/types';
import { rules } from '../../rules';
import { ROOT, engineFor, filesUnder, read } from '../helpers/engine';

const CORPUS = nodePath.join(ROOT, 'test', 'corpus', 'compute');
const IDS = new Set([
  'ebs-encryption', 'ec2-alarm', 'ec2-approved-ami', 'ec2-burstable-unlimited', 'ec2-detailed-monitoring', 'ec2-imds-endpoint-enabled',
  'ec2-imds-hop-limit', 'ec2-instance-role', 'ec2-name-tag', 'ec2-separate-data-volume', 'ec2-spot-for-noncritical', 'ec2-termination-protection',
]);

/** [file, rule, resource], in file order then finding order. */
const EXPECTED = [
  ['ci-runners.yaml', 'ec2-alarm', 'RunnerManager'],
  ['ci-runners.yaml', 'ec2-detailed-monitoring', 'RunnerManager'],
  ['ci-runners.yaml', 'ec2-termination-protection', 'RunnerManager'],
  ['ci-runners.yaml', 'ec2-detailed-monitoring', 'ExecutorTemplate'],
  ['ci-runners.yaml', 'ec2-imds-hop-limit', 'ExecutorTemplate'],
  ['ci-runners.yaml', 'ec2-detailed-monitoring', 'PreviewNodeTemplate'],
  ['ci-runners.yaml', 'ec2-imds-hop-limit', 'PreviewNodeTemplate'],
  ['database-host.json', 'ebs-encryption', 'WalVolume'],
  ['database-host.json', 'ec2-name-tag', 'WalVolume'],
  ['tf-jenkins/main.tf', 'ec2-name-tag', 'aws_security_group.controller'],
  ['tf-jenkins/main.tf', 'ec2-detailed-monitoring', 'aws_launch_template.agent'],
  ['tf-web/jump.tf', 'ec2-alarm', 'aws_instance.jump'],
  ['tf-web/jump.tf', 'ec2-detailed-monitoring', 'aws_instance.jump'],
  ['tf-web/jump.tf', 'ec2-name-tag', 'aws_instance.jump'],
  ['tf-web/jump.tf', 'ec2-termination-protection', 'aws_instance.jump'],
  ['tf-web/jump.tf', 'ec2-burstable-unlimited', 'aws_instance.jump'],
  ['web-tier.yaml', 'ec2-name-tag', 'BastionSecurityGroup'],
  ['web-tier.yaml', 'ec2-detailed-monitoring', 'Bastion'],
  ['web-tier.yaml', 'ec2-termination-protection', 'Bastion'],
];

describe('EC2 rules on the compute corpus', () => {
  let engine: Engine;
  before(async () => {
    engine = await engineFor(rules.filter((r) => IDS.has(r.id)));
  });

  it('report exactly the reviewed findings', () => {
    const paths = filesUnder(CORPUS, /\.(ya?ml|json|tf)$/);
    const files: SourceFile[] = paths.map((p) => ({ path: p, text: read(p) }));
    const ws = { terraformFilesIn: (dir: string) => files.filter((f) => f.path.endsWith('.tf') && nodePath.dirname(f.path) === dir) };
    const seen: string[][] = [];
    for (const f of files) {
      const res = engine.lint(f, ws);
      assert.ok(res, `${f.path} was not linted`);
      for (const x of res.findings) seen.push([nodePath.relative(CORPUS, f.path), x.ruleId, x.resource ?? '-']);
    }
    const order = (a: string[], b: string[]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    assert.deepEqual(seen.sort(order), [...EXPECTED].sort(order));
  });
});

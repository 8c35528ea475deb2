/** rules/lib/images.ts: what counts as an ECR reference and as a semantic version, and how values are resolved. */
import * as assert from 'node:assert/strict';
import { parseCloudFormation } from '../../server/engine/cloudformation/parser';
import { initTerraform, parseTerraform } from '../../server/engine/terraform/parser';
import type { TfModule } from '../../server/engine/terraform/model';
import { ECR_REPOSITORY_URI, SEMVER_TAG, UNKNOWN, cfnStrings, dockerImageValue, isEcrHost, judgeEcrImage, tfExprString } from '../../rules/lib/images';

const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

describe('lib/images', () => {
  describe('SEMVER_TAG', () => {
    for (const tag of ['1.2.3', 'v1.2.3', '0.0.1', '1.2.3-rc.1', '10.20.30-alpha-1', '2.0.0-alpine', 'v1.0.0-0.3.7']) {
      it(`accepts ${tag}`, () => assert.ok(SEMVER_TAG.test(tag)));
    }
    for (const tag of ['latest', '1.2', '1', '3.12-slim', '01.2.3', '1.02.3', '1.2.3.4', 'V1.2.3', 'sha-4f2a9c1', '2024-05-01', '1.2.3-', '1.2.3+build', '1.2.3-01']) {
      it(`rejects ${tag}`, () => assert.ok(!SEMVER_TAG.test(tag)));
    }
  });

  describe('isEcrHost', () => {
    for (const h of [ECR, '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com', '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', '123456789012.dkr-ecr.eu-west-1.on.aws', `${UNKNOWN}.dkr.ecr.${UNKNOWN}.amazonaws.com`]) {
      it(`ECR: ${JSON.stringify(h)}`, () => assert.ok(isEcrHost(h)));
    }
    for (const h of ['public.ecr.aws', 'ghcr.io', 'docker.io', 'evil.com/123456789012.dkr.ecr.eu-west-1.amazonaws.com', null]) {
      it(`not ECR: ${JSON.stringify(h)}`, () => assert.ok(!isEcrHost(h)));
    }
  });

  describe('judgeEcrImage', () => {
    const kind = (v: string) => judgeEcrImage(v)?.verdict.kind ?? null;
    it('ignores other registries', () => {
      assert.equal(kind('nginx:latest'), null);
      assert.equal(kind('public.ecr.aws/nginx/nginx:latest'), null);
    });
    it('judges the tag', () => {
      assert.equal(kind(`${ECR}/app`), 'no-tag');
      assert.equal(kind(`${ECR}/app:`), 'no-tag');
      assert.equal(kind(`${ECR}/app:latest`), 'latest');
      assert.equal(kind(`${ECR}/team/app:1.2`), 'not-semver');
      assert.equal(kind(`${ECR}/team/app:1.2.3`), 'ok');
      assert.deepEqual(judgeEcrImage(`${ECR}/team/app:nightly`), { verdict: { kind: 'not-semver', tag: 'nightly' }, repository: 'team/app' });
    });
    it('passes a digest, with or without a tag', () => {
      assert.equal(kind(`${ECR}/app@sha256:${'a'.repeat(64)}`), 'ok');
      assert.equal(kind(`${ECR}/app:latest@sha256:${'a'.repeat(64)}`), 'ok');
    });
    it('does not judge what it cannot know', () => {
      assert.equal(judgeEcrImage(`${ECR}/app:${UNKNOWN}`), null);
      assert.equal(judgeEcrImage(`${ECR}/app:1.2.${UNKNOWN}`), null);
      // `.../${Name}` could carry its own tag
      assert.equal(judgeEcrImage(`${ECR}/${UNKNOWN}`), null);
      // a repository URI is known to carry none
      assert.equal(kind(ECR_REPOSITORY_URI), 'no-tag');
      assert.equal(kind(`${ECR_REPOSITORY_URI}:latest`), 'latest');
    });
  });

  describe('cfnStrings', () => {
    const tpl = parseCloudFormation('/t.yaml', `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Tag: { Type: String, Default: "1.0.0" }
  Free: { Type: String }
Conditions:
  C: !Equals [a, b]
Resources:
  Repo:
    Type: AWS::ECR::Repository
  Bucket:
    Type: AWS::S3::Bucket
  T:
    Type: AWS::ECS::TaskDefinition
    Properties:
      A: !Sub "\${AWS::AccountId}.dkr.ecr.\${AWS::Region}.\${AWS::URLSuffix}/app:\${Tag}"
      B: !Sub ["\${R}/app:\${Free}", { R: !Sub "\${AWS::AccountId}.dkr.ecr.eu-west-1.amazonaws.com" }]
      C: !Join [":", [!GetAtt Repo.RepositoryUri, !If [C, latest, "2.0.0"]]]
      D: !Sub "\${Repo.RepositoryUri}:\${!Literal}"
      E: !GetAtt Bucket.Arn
      F: !Ref Repo
`)!;
    const p = (k: string) => cfnStrings(tpl, tpl.resourceById.get('T')!.properties!.get(k, true) as never);
    it('resolves Sub with pseudo parameters and parameter defaults', () => {
      assert.deepEqual(p('A'), [`${UNKNOWN}.dkr.ecr.${UNKNOWN}.amazonaws.com/app:1.0.0`]);
    });
    it('resolves the Sub variable map; a parameter without default is unknown', () => {
      assert.deepEqual(p('B'), [`${UNKNOWN}.dkr.ecr.eu-west-1.amazonaws.com/app:${UNKNOWN}`]);
    });
    it('resolves Join over GetAtt RepositoryUri and both If branches', () => {
      assert.deepEqual(p('C'), [`${ECR_REPOSITORY_URI}:latest`, `${ECR_REPOSITORY_URI}:2.0.0`]);
    });
    it('keeps ${!Literal} and reads attributes in Sub', () => {
      assert.deepEqual(p('D'), [`${ECR_REPOSITORY_URI}:\${Literal}`]);
    });
    it('other attributes are unknown; Ref to a repository is its (opaque) name', () => {
      assert.deepEqual(p('E'), [UNKNOWN]);
      assert.equal(p('F').length, 1);
      assert.notEqual(p('F')[0], UNKNOWN);
    });
  });

  describe('tfExprString', () => {
    before(() => initTerraform());
    it('resolves templates, variable defaults, locals, heredocs and repository URLs', () => {
      const vars = parseTerraform('/m/variables.tf', 'variable "tag" {\n  default = "1.2.3"\n}\nvariable "free" {}\nlocals {\n  registry = "' + ECR + '"\n}\n');
      const main = parseTerraform('/m/main.tf', `resource "x" "y" {
  a = "\${local.registry}/app:\${var.tag}"
  b = "\${aws_ecr_repository.app.repository_url}:\${var.free}"
  c = <<-EOT
    \${local.registry}/app:latest
  EOT
  d = "%{ if true }x%{ endif }"
  e = "a\\"b$\${c}"
  f = format("%s", var.tag)
}
`);
      const module: TfModule = { dir: '/m', files: [main, vars] };
      const attr = (n: string) => tfExprString(module, main.blocks[0].attr(n)!.expr);
      assert.equal(attr('a'), `${ECR}/app:1.2.3`);
      assert.equal(attr('b'), `${ECR_REPOSITORY_URI}:${UNKNOWN}`);
      assert.equal(attr('c').trim(), `${ECR}/app:latest`);
      assert.equal(attr('d'), UNKNOWN);
      assert.equal(attr('e'), 'a"b${c}');
      assert.equal(attr('f'), UNKNOWN);
    });
  });

  it('dockerImageValue marks variables left after ARG substitution', () => {
    assert.equal(dockerImageValue(`${ECR}/app:\${TAG}`), `${ECR}/app:${UNKNOWN}`);
    assert.equal(dockerImageValue(`${ECR}/app:1.0.0`), `${ECR}/app:1.0.0`);
  });
});

import * as assert from 'node:assert/strict';
import { DEFAULT_OPTIONS } from '../../server/engine/config';
import { checkName, rewriteName, splitWords, suggestName, templateParts } from '../../rules/lib/naming';

const opts = { namingSeparator: DEFAULT_OPTIONS.namingSeparator, namingPrefixes: DEFAULT_OPTIONS.namingPrefixes };
const kinds = (entity: string, name: string) => checkName(entity, templateParts(name, 'cloudformation')!, opts).map((i) => i.kind);

describe('naming convention', () => {
  it('splits words at case changes and separators, keeping region codes whole', () => {
    assert.deepEqual(splitWords('WebServerSG'), ['Web', 'Server', 'SG']);
    assert.deepEqual(splitWords('EC2Instance_eu-west-1 api'), ['EC2', 'Instance', 'eu-west-1', 'api']);
    assert.deepEqual(splitWords('IAMRole'), ['IAM', 'Role']);
  });

  it('reads CloudFormation and Terraform templates into literal text and placeholders', () => {
    assert.deepEqual(templateParts('a-${AWS::Region}-${!Literal}', 'cloudformation'), [
      { text: 'a-', placeholder: false },
      { text: '${AWS::Region}', placeholder: true },
      { text: '-${Literal}', placeholder: false },
    ]);
    assert.deepEqual(templateParts('x-${lookup(var.m, "k")}-$${y}', 'terraform'), [
      { text: 'x-', placeholder: false },
      { text: '${lookup(var.m, "k")}', placeholder: true },
      { text: '-${y}', placeholder: false },
    ]);
    assert.equal(templateParts('%{ if x }a%{ endif }', 'terraform'), null);
  });

  it('judges case, abbreviations, the entity prefix and its region', () => {
    assert.deepEqual(kinds('s3_bucket', 'my-logs'), []);
    assert.deepEqual(kinds('s3_bucket', 'My-Logs'), ['case']);
    assert.deepEqual(kinds('ecr_repository', 'payments-svc'), ['abbreviation']);
    assert.deepEqual(kinds('security_group', 'web-sg'), ['abbreviation', 'prefix']);
    assert.deepEqual(kinds('security_group', 'security-group-web'), ['region']);
    assert.deepEqual(kinds('security_group', 'security-group-eu-west-1-web'), []);
    assert.deepEqual(kinds('security_group', 'security-group-${AWS::Region}-web'), []);
    assert.deepEqual(kinds('ec2_instance', 'ec2-instance-us-gov-west-1-api'), []);
    // Database, environment and service acronyms are standard.
    assert.deepEqual(kinds('db_instance', 'orders-db-prod'), []);
  });

  it('never fires on unknown values alone', () => {
    assert.deepEqual(kinds('security_group', '${AWS::StackName}'), []);
    assert.deepEqual(kinds('security_group', '${Prefix}-web'), []);
    // The region may come from the placeholder.
    assert.deepEqual(kinds('security_group', 'security-group-${Where}-web'), []);
    // Known text is judged even next to placeholders.
    assert.deepEqual(kinds('iam_role', '${AWS::StackName}-AppRole'), ['case']);
  });

  it('rewrites names to the convention, idempotently', () => {
    const cases: [string, string, string][] = [
      ['security_group', 'web-sg', 'security-group-${AWS::Region}-web'],
      ['security_group', 'WebServerSG', 'security-group-${AWS::Region}-web-server'],
      ['security_group', 'web-eu-west-1-sg', 'security-group-eu-west-1-web'],
      ['ec2_instance', 'BastionHost', 'ec2-instance-${AWS::Region}-bastion-host'],
      ['ec2_instance', 'web-${Env}', 'ec2-instance-${AWS::Region}-web-${Env}'],
      ['s3_bucket', 'My_Svc_Bucket', 'my-service-bucket'],
      ['iam_role', '${AWS::StackName}-AppRole', '${AWS::StackName}-app-role'],
    ];
    for (const [entity, name, expected] of cases) {
      const out = rewriteName(entity, templateParts(name, 'cloudformation')!, opts, '${AWS::Region}');
      assert.equal(out, expected, name);
      assert.deepEqual(checkName(entity, templateParts(out!, 'cloudformation')!, opts), [], `${out} must comply`);
    }
    assert.equal(rewriteName('s3_bucket', [{ text: 'bücket/x', placeholder: false }], opts), null);
  });

  it('follows a configured separator and prefix table', () => {
    const custom = { namingSeparator: '_', namingPrefixes: { security_group: 'sg_[region]', iam_role: 'role' } };
    assert.deepEqual(checkName('security_group', [{ text: 'sg_us-east-1_web', placeholder: false }], custom), []);
    assert.equal(rewriteName('security_group', [{ text: 'WebSG', placeholder: false }], custom, 'eu-west-1'), 'sg_eu-west-1_web');
    assert.equal(rewriteName('iam_role', [{ text: 'DeployRole', placeholder: false }], custom), 'role_deploy');
    assert.deepEqual(checkName('iam_role', [{ text: 'role', placeholder: false }], custom), []);
  });

  it('suggests a name from a logical id', () => {
    assert.equal(suggestName('ec2_instance', 'WebServer', opts, '${AWS::Region}'), 'ec2-instance-${AWS::Region}-web-server');
    assert.equal(suggestName('ec2_instance', 'WebServer', opts), 'ec2-instance-[region]-web-server');
    assert.equal(suggestName('ebs_volume', 'DataVolume1', opts), 'data-volume1');
    assert.equal(suggestName('ec2_instance', 'Ünter Server', opts, 'eu-west-1'), 'ec2-instance-eu-west-1-unter-server');
  });
});

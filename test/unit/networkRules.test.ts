/**
 * The network rules with configured options (the fixture runner uses the
 * defaults), and the ec2-key-pair-unused suggestion: it removes the whole key
 * pair cleanly, the result parses, and the finding is gone.
 */
import * as assert from 'node:assert/strict';
import { defaultConfig, type RuleOptions } from '../../server/engine/config';
import { applyEdits } from '../../server/engine/fixer';
import { Engine, PARSE_ERROR } from '../../server/engine/linter';
import type { Finding } from '../../server/engine/types';
import { rules } from '../../rules';
import { memoryWorkspace } from '../helpers/engine';

async function engineWith(ids: string[], options: Partial<RuleOptions> = {}): Promise<Engine> {
  const config = defaultConfig();
  Object.assign(config.options, options);
  return Engine.create(config, rules.filter((r) => ids.includes(r.id)));
}

function lint(engine: Engine, path: string, text: string, siblings: Record<string, string> = {}): Finding[] {
  const files = [{ path, text }, ...Object.entries(siblings).map(([p, t]) => ({ path: p, text: t }))];
  const res = engine.lint(files[0], memoryWorkspace(files));
  assert.ok(res);
  assert.deepEqual(res.findings.filter((f) => f.ruleId === PARSE_ERROR), []);
  return res.findings;
}

function underlined(text: string, findings: Finding[]): string[] {
  return findings.map((f) => text.slice(f.range.start, f.range.end));
}

const SG = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Port:
    Type: Number
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      VpcId: vpc-1
      SecurityGroupIngress:
        - { IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0 }
        - { IpProtocol: tcp, FromPort: 80, ToPort: 81, CidrIp: 0.0.0.1/0 }
        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.2/0 }
        - { IpProtocol: tcp, FromPort: !Ref Port, ToPort: !Ref Port, CidrIp: 0.0.0.3/0 }
        - { IpProtocol: "-1", CidrIp: 0.0.0.4/0 }
        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 198.51.100.0/24 }
        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 198.51.0.0/16 }
        - { IpProtocol: tcp, FromPort: 1000, ToPort: 1999, CidrIp: 10.0.0.0/8 }
      SecurityGroupEgress:
        - { IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8 }
`;

describe('network rules with options', () => {
  it('sg-no-public-ingress exempts the ports in publicPorts, and only those', async () => {
    const id = 'sg-no-public-ingress';
    const all = lint(await engineWith([id]), '/t/sg.yaml', SG);
    assert.deepEqual(underlined(SG, all), ['0.0.0.0/0', '0.0.0.1/0', '0.0.0.2/0', '0.0.0.3/0', '0.0.0.4/0']);
    const some = lint(await engineWith([id], { publicPorts: [443, 80] }), '/t/sg.yaml', SG);
    // 81 is not listed; SSH is not; unknown ports get the benefit of the doubt; all protocols never do.
    assert.deepEqual(underlined(SG, some), ['0.0.0.1/0', '0.0.0.2/0', '0.0.0.4/0']);
  });

  it('sg-admin-ports-restricted allows sources inside adminCidrs', async () => {
    const id = 'sg-admin-ports-restricted';
    const def = lint(await engineWith([id]), '/t/sg.yaml', SG);
    assert.deepEqual(underlined(SG, def), ['0.0.0.2/0', '0.0.0.4/0', '198.51.100.0/24', '198.51.0.0/16']);
    const office = lint(await engineWith([id], { adminCidrs: ['198.51.100.0/24'] }), '/t/sg.yaml', SG);
    assert.deepEqual(underlined(SG, office), ['0.0.0.2/0', '0.0.0.4/0', '198.51.0.0/16'], 'the /16 is wider than the allowed /24');
  });

  it('sg-least-privilege follows maxPortRange', async () => {
    const id = 'sg-least-privilege';
    assert.deepEqual(underlined(SG, lint(await engineWith([id]), '/t/sg.yaml', SG)), ['"-1"']);
    assert.deepEqual(underlined(SG, lint(await engineWith([id], { maxPortRange: 100 }), '/t/sg.yaml', SG)), ['"-1"', '1000, ToPort: 1999']);
    const wide = lint(await engineWith([id], { maxPortRange: 70000 }), '/t/sg.yaml', SG);
    assert.deepEqual(underlined(SG, wide), ['"-1"'], 'all protocols fire whatever the maximum');
  });

  it('Terraform rules read options too', async () => {
    const tf = `resource "aws_security_group" "lb" {
  vpc_id = "vpc-1"
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;
    assert.equal(lint(await engineWith(['sg-no-public-ingress']), '/m/main.tf', tf).length, 1);
    assert.equal(lint(await engineWith(['sg-no-public-ingress'], { publicPorts: [443] }), '/m/main.tf', tf).length, 0);
  });
});

describe('ec2-key-pair-unused suggestion', () => {
  const id = 'ec2-key-pair-unused';
  let engine: Engine;
  before(async () => {
    engine = await engineWith([id]);
  });

  /** Applies the suggestion for the finding on `resource`, checks the result and returns it. */
  function removed(path: string, text: string, resource: string, siblings: Record<string, string> = {}): string {
    const f = lint(engine, path, text, siblings).find((x) => x.resource === resource);
    assert.ok(f, `no finding on ${resource}`);
    assert.equal(f.fixes.length, 1);
    assert.equal(f.fixes[0].kind, 'suggestion');
    const out = applyEdits(text, f.fixes[0].changes[0].edits);
    const again = lint(engine, path, out, siblings);
    assert.ok(!again.some((x) => x.resource === resource), 'the finding is gone');
    return out;
  }

  const YAML = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  # Old deploy key
  First:
    Type: AWS::EC2::KeyPair
    Properties:
      KeyName: first
    # (end of First)

  Topic:
    Type: AWS::SNS::Topic

  Middle:
    Type: AWS::EC2::KeyPair
    Properties: { KeyName: middle }

  Queue:
    Type: AWS::SQS::Queue
  Last:
    Type: AWS::EC2::KeyPair

Outputs:
  TopicArn:
    Value: !Ref Topic
`;

  it('removes the first resource with its comments and the blank line after it', () => {
    assert.equal(removed('/t/k.yaml', YAML, 'First'), YAML.replace('  # Old deploy key\n  First:\n    Type: AWS::EC2::KeyPair\n    Properties:\n      KeyName: first\n    # (end of First)\n\n', ''));
  });

  it('removes a resource between blank lines, leaving one', () => {
    assert.equal(removed('/t/k.yaml', YAML, 'Middle'), YAML.replace('  Middle:\n    Type: AWS::EC2::KeyPair\n    Properties: { KeyName: middle }\n\n', ''));
  });

  it('removes the last resource before the next section', () => {
    assert.equal(removed('/t/k.yaml', YAML, 'Last'), YAML.replace('  Last:\n    Type: AWS::EC2::KeyPair\n', ''));
  });

  it('keeps CRLF line endings and leaves no blank line at the end of the file', () => {
    const text = 'AWSTemplateFormatVersion: "2010-09-09"\r\nResources:\r\n  Topic:\r\n    Type: AWS::SNS::Topic\r\n\r\n  Key:\r\n    Type: AWS::EC2::KeyPair\r\n';
    assert.equal(removed('/t/k.yaml', text, 'Key'), 'AWSTemplateFormatVersion: "2010-09-09"\r\nResources:\r\n  Topic:\r\n    Type: AWS::SNS::Topic\r\n');
  });

  it('offers no removal for a template\'s only resource', () => {
    const text = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Key:\n    Type: AWS::EC2::KeyPair\n';
    const f = lint(engine, '/t/k.yaml', text);
    assert.equal(f.length, 1);
    assert.deepEqual(f[0].fixes, []);
  });

  const JSON_TEXT = `{
  "Resources": {
    "Key": { "Type": "AWS::EC2::KeyPair", "Properties": { "KeyName": "a" } },
    "Topic": { "Type": "AWS::SNS::Topic" },
    "Spare": {
      "Type": "AWS::EC2::KeyPair"
    }
  }
}
`;

  it('removes a JSON member with its comma, first or last', () => {
    assert.equal(removed('/t/k.json', JSON_TEXT, 'Key'), JSON_TEXT.replace('    "Key": { "Type": "AWS::EC2::KeyPair", "Properties": { "KeyName": "a" } },\n', ''));
    assert.equal(removed('/t/k.json', JSON_TEXT, 'Spare'), JSON_TEXT.replace(',\n    "Spare": {\n      "Type": "AWS::EC2::KeyPair"\n    }', ''));
    JSON.parse(removed('/t/k.json', JSON_TEXT, 'Spare'));
  });

  it('removes a Terraform block with the comment above it, in any file of the module', () => {
    const keys = `# Deploy key, no longer used
resource "aws_key_pair" "old" {
  key_name   = "old"
  public_key = file("old.pub")
}

resource "aws_key_pair" "ops" {
  key_name   = "ops"
  public_key = file("ops.pub")
}

resource "aws_key_pair" "spare" {
  key_name   = "spare"
  public_key = file("spare.pub")
}
`;
    const main = 'resource "aws_instance" "web" {\n  key_name = aws_key_pair.ops.key_name\n}\n';
    const found = lint(engine, '/m/keys.tf', keys, { '/m/main.tf': main });
    assert.deepEqual(found.map((f) => f.resource), ['aws_key_pair.old', 'aws_key_pair.spare']);
    assert.equal(removed('/m/keys.tf', keys, 'aws_key_pair.old', { '/m/main.tf': main }), keys.slice(keys.indexOf('resource "aws_key_pair" "ops"')));
    assert.equal(removed('/m/keys.tf', keys, 'aws_key_pair.spare', { '/m/main.tf': main }), keys.slice(0, keys.indexOf('\nresource "aws_key_pair" "spare"')));
  });
});

/**
 * The security-change analysis behind iam-permission-broadening, with in-memory
 * bases: what counts as widening, where it is reported, and what keeps the rule
 * silent. Also the git provider's input checks.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { parseCloudFormation } from '../../server/engine/cloudformation/parser';
import { GitBase, findGit } from '../../server/engine/gitBase';
import type { Engine } from '../../server/engine/linter';
import { securityChanges, templateToJson } from '../../server/engine/securityChanges';
import type { BaseText, WorkspaceView } from '../../server/engine/types';
import { rules } from '../../rules';
import { engineFor } from '../helpers/engine';

const RULE = rules.find((r) => r.id === 'iam-permission-broadening')!;
const PATH = '/w/stack.yaml';

const role = (statements: string) => `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: { Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: sts:AssumeRole }] }
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
${statements}`;
const stmt = (body: string) => `              - ${body}\n`;

const group = (rules_: string) => `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
${rules_}`;
const rule = (body: string) => `        - ${body}\n`;

function tpl(text: string) {
  const t = parseCloudFormation(PATH, text);
  assert.ok(t, 'not a template');
  assert.deepEqual(t.errors, []);
  return t;
}

/** What widens, as `kind/how` at `line`. */
function widening(before: string | null, after: string): string[] {
  const cur = tpl(after);
  return securityChanges(before === null ? null : tpl(before), cur).broadening.map((b) => `${b.kind}/${b.how}@${cur.lines.offsetToPosition(b.range.start).line + 1}`);
}

describe('security changes (iam-permission-broadening)', function () {
  this.timeout(20000);
  let engine: Engine;
  before(async () => {
    engine = await engineFor([RULE]);
  });
  const lint = (text: string, base: BaseText | undefined) => {
    const ws: WorkspaceView = { terraformFilesIn: () => [] };
    if (base) ws.baseText = () => base;
    return engine.lint({ path: PATH, text }, ws)!.findings;
  };

  describe('IAM statements', () => {
    it('reports added and widened Allow statements, not narrowed ones', () => {
      const base = role(stmt('{ Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::b/*" }'));
      assert.deepEqual(widening(base, base), []);
      assert.deepEqual(widening(base, role(stmt('{ Effect: Allow, Action: "s3:*", Resource: "arn:aws:s3:::b/*" }'))), ['iam-statement/widened@11']);
      assert.deepEqual(widening(base, role(stmt('{ Effect: Allow, Action: s3:GetObject, Resource: "*" }'))), ['iam-statement/widened@11']);
      assert.deepEqual(widening(base, role(stmt('{ Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::b/*" }') + stmt('{ Effect: Allow, Action: sqs:SendMessage, Resource: "*" }'))), ['iam-statement/added@12']);
      // Narrower actions, narrower resources, an added condition, a removed statement: nothing widens.
      assert.deepEqual(widening(role(stmt('{ Effect: Allow, Action: "s3:*", Resource: "arn:aws:s3:::b/*" }')), base), []);
      assert.deepEqual(widening(role(stmt('{ Effect: Allow, Action: "s3:Get*", Resource: "arn:aws:s3:::b/*" }')), base), []);
      assert.deepEqual(widening(base, role(stmt('{ Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::b/logs/*" }'))), []);
      assert.deepEqual(widening(base, role(stmt('{ Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::b/*", Condition: { Bool: { aws:SecureTransport: "true" } } }'))), []);
      assert.deepEqual(widening(role(stmt('{ Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::b/*" }') + stmt('{ Effect: Allow, Action: sqs:SendMessage, Resource: "*" }')), base), []);
      // Action names are case-insensitive in IAM.
      assert.deepEqual(widening(role(stmt('{ Effect: Allow, Action: "S3:*", Resource: "arn:aws:s3:::b/*" }')), base), []);
    });

    it('counts an Allow with NotAction as widening, though cloudformation-diff calls it negative', () => {
      const base = role(stmt('{ Effect: Allow, Action: s3:GetObject, Resource: "*" }'));
      assert.deepEqual(widening(base, role(stmt('{ Effect: Allow, NotAction: "iam:*", Resource: "*" }'))), ['iam-statement/widened@11']);
      assert.deepEqual(widening(base, role(stmt('{ Effect: Allow, Action: s3:GetObject, Resource: "*" }') + stmt('{ Effect: Allow, NotAction: "iam:*", Resource: "*" }'))), ['iam-statement/added@12']);
    });

    it('reports a removed or narrowed Deny, not a widened one', () => {
      const deny = (actions: string) => role(stmt('{ Effect: Allow, Action: s3:GetObject, Resource: "*" }') + stmt(`{ Effect: Deny, Action: ${actions}, Resource: "*" }`));
      const base = deny('s3:DeleteBucket');
      assert.deepEqual(widening(base, role(stmt('{ Effect: Allow, Action: s3:GetObject, Resource: "*" }'))), ['iam-deny-removed/removed@3']);
      assert.deepEqual(widening(base, deny('[s3:DeleteBucket, s3:PutBucketPolicy]')), []);
      assert.deepEqual(widening(base, deny('"s3:Delete*"')), []);
      assert.deepEqual(widening(deny('"s3:Delete*"'), base), ['iam-deny-removed/removed@3']);
    });

    it('reports managed policies, resource policies, Lambda permissions and standalone policies', () => {
      const base = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Topic:
    Type: AWS::SNS::Topic
`;
      const after = `${base}  Group:
    Type: AWS::IAM::Group
    Properties:
      ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
  TopicPolicy:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics: [!Ref Topic]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: sns:Publish
            Resource: !Ref Topic
  Invoke:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: fn
      Action: lambda:InvokeFunction
      Principal: s3.amazonaws.com
  Pol:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Groups: [!Ref Group]
      PolicyDocument:
        Statement: { Effect: Allow, Action: "ec2:*", Resource: "*" }
`;
      assert.deepEqual(widening(base, after), ['managed-policy/added@8', 'iam-statement/added@15', 'iam-statement/added@19', 'iam-statement/added@31']);
    });

    it('tells two identical statements of two roles apart by their role', () => {
      const two = (a: string, b: string) => `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  A:
    Type: AWS::IAM::Role
    Properties:
      Policies: [{ PolicyName: p, PolicyDocument: { Statement: [${a}] } }]
  B:
    Type: AWS::IAM::Role
    Properties:
      Policies: [{ PolicyName: p, PolicyDocument: { Statement: [${b}] } }]
`;
      const s = '{ Effect: Allow, Action: "s3:*", Resource: "*" }';
      const cur = tpl(two(s, s));
      const found = securityChanges(tpl(two('', s)), cur).broadening;
      assert.deepEqual(found.map((f) => [f.resource, cur.lines.offsetToPosition(f.range.start).line + 1]), [['A', 6]]);
    });
  });

  describe('security group rules', () => {
    const base = group(rule('{ IpProtocol: tcp, FromPort: 8000, ToPort: 8100, CidrIp: 10.0.0.0/8 }'));
    it('reports added and widened rules, not narrowed ones', () => {
      assert.deepEqual(widening(base, group(rule('{ IpProtocol: tcp, FromPort: 8000, ToPort: 8100, CidrIp: 0.0.0.0/0 }'))), ['sg-ingress/widened@8']);
      assert.deepEqual(widening(base, group(rule('{ IpProtocol: tcp, FromPort: 8000, ToPort: 9000, CidrIp: 10.0.0.0/8 }'))), ['sg-ingress/widened@8']);
      assert.deepEqual(widening(base, group(rule('{ IpProtocol: "-1", CidrIp: 10.0.0.0/8 }'))), ['sg-ingress/widened@8']);
      assert.deepEqual(widening(base, group(rule('{ IpProtocol: udp, FromPort: 8000, ToPort: 8100, CidrIp: 10.0.0.0/8 }'))), ['sg-ingress/added@8']);
      assert.deepEqual(widening(base, group(rule('{ IpProtocol: tcp, FromPort: 8000, ToPort: 8100, CidrIpv6: "::/0" }'))), ['sg-ingress/added@8']);
      // Narrower: a smaller CIDR, fewer ports, the protocol by number.
      assert.deepEqual(widening(base, group(rule('{ IpProtocol: tcp, FromPort: 8000, ToPort: 8100, CidrIp: 10.2.3.0/24 }'))), []);
      assert.deepEqual(widening(base, group(rule('{ IpProtocol: "6", FromPort: 8080, ToPort: 8080, CidrIp: 10.0.0.1/32 }'))), []);
      assert.deepEqual(widening(group(rule('{ IpProtocol: "-1", CidrIp: 0.0.0.0/0 }')), base), []);
      assert.deepEqual(widening(group(rule('{ IpProtocol: tcp, FromPort: 0, ToPort: 65535, CidrIpv6: "2001:db8::/32" }')), group(rule('{ IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIpv6: "2001:db8:1::/48" }'))), []);
    });
  });

  describe('the rule', () => {
    const base = role(stmt('{ Effect: Allow, Action: s3:GetObject, Resource: "*" }'));
    const wider = role(stmt('{ Effect: Allow, Action: "s3:*", Resource: "*" }'));

    it('compares a new file with an empty template and says so', () => {
      const found = lint(wider, { kind: 'absent', label: 'origin/main' });
      assert.deepEqual(found.map((f) => f.message), [
        'IAM permissions added since origin/main (new file): Allow sts:AssumeRole on ${Role.Arn} for Service:ec2.amazonaws.com.',
        'IAM permissions added since origin/main (new file): Allow s3:* on * for AWS:${Role}.',
      ]);
      assert.ok(found.every((f) => f.severity === 'info' && f.resource === 'Role' && f.fixes.length === 0));
    });

    it('is silent without a base, with an unavailable one, or when either side does not parse', () => {
      assert.deepEqual(lint(wider, undefined), []);
      assert.deepEqual(lint(wider, { kind: 'unavailable', reason: 'no git' }), []);
      assert.deepEqual(lint(wider, { kind: 'text', text: 'AWSTemplateFormatVersion: "2010-09-09"\nResources: [\n  broken', label: 'HEAD' }), []);
      const broken = `${wider}  Oops: [\n`;
      const findings = engine.lint({ path: PATH, text: broken }, { terraformFilesIn: () => [], baseText: () => ({ kind: 'text', text: base, label: 'HEAD' }) })!.findings;
      assert.deepEqual(findings.filter((f) => f.ruleId === RULE.id), []);
      assert.equal(lint(wider, { kind: 'text', text: base, label: 'HEAD' }).length, 1);
    });

    it('compares against a base that was no template as against an empty one', () => {
      assert.equal(lint(wider, { kind: 'text', text: 'just: yaml\n', label: 'HEAD' }).length, 2);
    });

    it('does not expand an alias bomb', () => {
      let bomb = 'AWSTemplateFormatVersion: "2010-09-09"\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
      for (let i = 1; i < 9; i++) bomb += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
      bomb += `Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Metadata: *a8\n`;
      const started = Date.now();
      const findings = lint(bomb, { kind: 'absent', label: 'HEAD' });
      assert.ok(Date.now() - started < 5000, 'took too long');
      assert.deepEqual(findings.filter((f) => f.ruleId !== 'parse-error'), []);
    });
  });

  it('reads short-form intrinsics as CloudFormation does', () => {
    const json = templateToJson(tpl(`Resources:
  A:
    Type: AWS::S3::Bucket
    Properties:
      X: !GetAtt B.Arn
      Y: !Sub "\${AWS::Region}"
      Z: !If [c, !Ref P, !Ref "AWS::NoValue"]
      L: &l [1, 2]
      M: *l
`)) as { Resources: { A: { Properties: Record<string, unknown> } } };
    assert.deepEqual(json.Resources.A.Properties, {
      X: { 'Fn::GetAtt': ['B', 'Arn'] },
      Y: { 'Fn::Sub': '${AWS::Region}' },
      Z: { 'Fn::If': ['c', { Ref: 'P' }, { Ref: 'AWS::NoValue' }] },
      L: [1, 2],
      M: [1, 2],
    });
  });

  describe('git provider input checks', () => {
    it('accepts revisions and refuses option-like or odd ones', () => {
      for (const ok of ['HEAD', 'main', 'origin/main', 'v1.2.3', 'HEAD~2', 'HEAD^', 'a1b2c3d', 'release/2024-01']) assert.ok(GitBase.validRef(ok), ok);
      for (const bad of ['', '-x', '--upload-pack=x', 'a..b', 'HEAD@{1}', 'a b', 'a:b', 'x\ny', '~1']) assert.ok(!GitBase.validRef(bad), JSON.stringify(bad));
    });

    it('finds git on absolute PATH entries only', function () {
      if (process.platform === 'win32') this.skip();
      const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'iac-lint-path-'));
      try {
        const fake = nodePath.join(dir, 'git');
        fs.writeFileSync(fake, '#!/bin/sh\n');
        fs.chmodSync(fake, 0o755);
        assert.equal(findGit(dir), fake);
        assert.equal(findGit(['relative/bin', '.', dir].join(nodePath.delimiter)), fake);
        assert.equal(findGit(nodePath.relative(process.cwd(), dir)), null);
        fs.chmodSync(fake, 0o644);
        assert.equal(findGit(dir), null, 'not executable');
        assert.equal(findGit(''), null);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

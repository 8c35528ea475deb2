/**
 * The policy document model (rules/lib/policy.ts) and what it is built on: the
 * structured-value view of every format (rules/lib/docNode.ts), the IAM
 * relation graph (rules/lib/iamGraph.ts) and credential detection
 * (rules/lib/secrets.ts). Every value must keep the range where it is written.
 */
import * as assert from 'node:assert/strict';
import type { YAMLMap } from 'yaml';
import type { CfnTemplate } from '../../server/engine/cloudformation/model';
import { parseCloudFormation } from '../../server/engine/cloudformation/parser';
import type { TfFile, TfModule } from '../../server/engine/terraform/model';
import { initTerraform, parseTerraform } from '../../server/engine/terraform/parser';
import type { OffsetRange } from '../../server/engine/types';
import { alignDecoded, fromCfn, spanOf } from '../../rules/lib/docNode';
import { administrators, awsManagedName, cfnIamGraph, effectivePolicies, tfIamGraph } from '../../rules/lib/iamGraph';
import {
  actionMatches, adminGrants, deniesWithoutMfa, isAllow, known, onAllResources, policyFromNode, tfPolicyFromExpr, wildcardPrincipals,
  type PolicyDocument, type PolicyList, type PolicyStatement,
} from '../../rules/lib/policy';
import { decodeBase64, isLiteralSecret, isSecretKeyShaped, mask, reportable, scanText } from '../../rules/lib/secrets';

const HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\n';

function cfn(text: string, path = '/ws/t.yaml'): CfnTemplate {
  const tpl = parseCloudFormation(path, text);
  assert.ok(tpl, 'expected a template');
  assert.deepEqual(tpl.errors, [], 'template does not parse');
  return tpl;
}

/** The document under `Properties.<key>` of resource `id`. */
function cfnDoc(tpl: CfnTemplate, id: string, key = 'PolicyDocument'): PolicyDocument {
  const props = tpl.resourceById.get(id)?.properties as YAMLMap;
  const node = fromCfn(tpl, props.get(key, true) as never);
  assert.ok(node, 'no node');
  return policyFromNode(node);
}

/** Each value of a list as `value@source-text` (`?` for unknown). */
function vals(text: string, list: PolicyList | null): string[] {
  assert.ok(list, 'list is absent');
  return list.values.map((v) => `${v.value ?? '?'}@${text.slice(v.range.start, v.range.end)}`);
}

function src(text: string, r: OffsetRange): string {
  return text.slice(r.start, r.end);
}

function tfModule(files: Record<string, string>): TfModule {
  const parsed: TfFile[] = Object.entries(files).map(([name, text]) => {
    const f = parseTerraform(`/m/${name}`, text);
    assert.deepEqual(f.errors, [], `${name} does not parse`);
    return f;
  });
  return { dir: '/m', files: parsed };
}

function tfDoc(m: TfModule, address: string, attr = 'policy'): PolicyDocument {
  for (const f of m.files) {
    const b = f.blocks.find((x) => x.address === address);
    const a = b?.attr(attr);
    if (a) return tfPolicyFromExpr(m, f, a.expr);
  }
  throw new Error(`${address}.${attr} not found`);
}

describe('policy model', () => {
  before(async () => {
    await initTerraform();
  });

  describe('CloudFormation documents', () => {
    it('reads statements with every element, string-or-list, and ranges at the values', () => {
      const text = `${HEAD}Resources:
  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyDocument:
        Statement:
          - Sid: One
            Effect: Allow
            Action: s3:*
            Resource:
              - arn:aws:s3:::a
              - "*"
            Condition:
              StringEquals:
                aws:SourceAccount: ["111122223333", "444455556666"]
          - Effect: Deny
            NotAction: [iam:*, 'sts:*']
            NotResource: arn:aws:s3:::b
`;
      const doc = cfnDoc(cfn(text), 'P');
      assert.equal(doc.unknown, false);
      assert.equal(doc.statements.length, 2);
      const [a, b] = doc.statements;
      assert.equal(a.sid, 'One');
      assert.equal(src(text, a.effect!.range), 'Allow');
      assert.deepEqual(vals(text, a.action), ['s3:*@s3:*']);
      assert.deepEqual(vals(text, a.resource), ['arn:aws:s3:::a@arn:aws:s3:::a', '*@"*"']);
      assert.equal(src(text, a.action!.keyRange), 'Action');
      assert.equal(a.conditions.length, 1);
      assert.equal(a.conditions[0].operator, 'StringEquals');
      assert.equal(a.conditions[0].key, 'aws:SourceAccount');
      assert.deepEqual(known(a.conditions[0].values).map((v) => v.value), ['111122223333', '444455556666']);
      assert.equal(b.effect!.value, 'Deny');
      assert.deepEqual(vals(text, b.notAction), ['iam:*@iam:*', "sts:*@'sts:*'"]);
      assert.deepEqual(vals(text, b.notResource), ['arn:aws:s3:::b@arn:aws:s3:::b']);
      assert.equal(b.action, null);
      assert.ok(onAllResources(a) && onAllResources(b));
    });

    it('reads every principal form', () => {
      const text = `${HEAD}Resources:
  P:
    Type: AWS::S3::BucketPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
          - Effect: Allow
            Principal: { AWS: "*" }
          - Effect: Allow
            Principal:
              AWS: [arn:aws:iam::111122223333:root, "*"]
              Service: ec2.amazonaws.com
              Federated: cognito-identity.amazonaws.com
          - Effect: Allow
            Principal:
              AWS: arn:aws:iam::111122223333:root
`;
      const doc = cfnDoc(cfn(text), 'P');
      const stars = doc.statements.map((s) => wildcardPrincipals(s).map((v) => src(text, v.range)));
      assert.deepEqual(stars, [['"*"'], ['"*"'], ['"*"'], []]);
      const p = doc.statements[2].principal!;
      assert.deepEqual(p.entries.map((e) => e.type), ['AWS', 'Service', 'Federated']);
      assert.deepEqual(known(p.entries[1].values).map((v) => v.value), ['ec2.amazonaws.com']);
    });

    it('judges !If per branch, !Ref by the parameter default, and keeps !Sub / !GetAtt unknown', () => {
      const text = `${HEAD}Parameters:
  Res:
    Type: String
    Default: "*"
  Other:
    Type: String
Conditions:
  C: !Equals [a, b]
Resources:
  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: !If [C, "*", s3:GetObject]
            Resource: !Ref Res
          - Effect: Allow
            Action: s3:GetObject
            Resource:
              - !Sub arn:\${AWS::Partition}:s3:::b/*
              - !GetAtt Bucket.Arn
              - !Ref Other
          - !If
            - C
            - Effect: Deny
              Action: ec2:*
              Resource: "*"
            - !Ref AWS::NoValue
`;
      const doc = cfnDoc(cfn(text), 'P');
      assert.equal(doc.statements.length, 3);
      const [a, b, c] = doc.statements;
      assert.deepEqual(vals(text, a.action), ['*@"*"', 's3:GetObject@s3:GetObject']);
      assert.deepEqual(known(a.resource).map((v) => v.value), ['*'], 'the parameter default');
      assert.equal(b.resource!.unknown, true);
      assert.deepEqual(known(b.resource), [], 'no value of b.resource is known');
      assert.equal(c.effect!.value, 'Deny');
    });

    it('reads a policy written as a JSON string, mapping positions through the escapes', () => {
      const text = `${HEAD}Resources:
  Block:
    Type: AWS::IAM::Policy
    Properties:
      PolicyDocument: |
        {
          "Statement": [{"Effect": "Allow", "Action": ["s3:*", "iam:Pass\\u0052ole"], "Resource": "*"}]
        }
  Quoted:
    Type: AWS::IAM::Policy
    Properties:
      PolicyDocument: "{\\"Statement\\": {\\"Effect\\": \\"Allow\\", \\"Action\\": \\"*\\", \\"Resource\\": \\"*\\"}}"
  Single:
    Type: AWS::IAM::Policy
    Properties:
      PolicyDocument: '{"Statement": {"Effect": "Allow", "Action": "it''s:*", "Resource": "*"}}'
`;
      const tpl = cfn(text);
      const block = cfnDoc(tpl, 'Block');
      assert.deepEqual(vals(text, block.statements[0].action), ['s3:*@"s3:*"', 'iam:PassRole@"iam:Pass\\u0052ole"']);
      const quoted = cfnDoc(tpl, 'Quoted');
      assert.deepEqual(vals(text, quoted.statements[0].action), ['*@\\"*\\"']);
      assert.equal(adminGrants(quoted.statements[0]).length, 1);
      const single = cfnDoc(tpl, 'Single');
      assert.deepEqual(known(single.statements[0].action).map((v) => v.value), ["it's:*"]);
    });

    it('reads JSON templates, including a JSON string document inside one', () => {
      const text = `{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Q": {
      "Type": "AWS::IAM::Policy",
      "Properties": {
        "PolicyDocument": "{\\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Action\\": \\"ec2:*\\", \\"Resource\\": \\"*\\"}]}"
      }
    },
    "R": {
      "Type": "AWS::IAM::Policy",
      "Properties": {
        "PolicyDocument": { "Statement": [ { "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": { "Fn::Sub": "arn:aws:s3:::\${B}/*" } } ] }
      }
    }
  }
}
`;
      const tpl = cfn(text, '/ws/t.json');
      assert.deepEqual(vals(text, cfnDoc(tpl, 'Q').statements[0].action), ['ec2:*@\\"ec2:*\\"']);
      const r = cfnDoc(tpl, 'R').statements[0];
      assert.deepEqual(vals(text, r.action), ['s3:GetObject@"s3:GetObject"']);
      assert.equal(r.resource!.unknown, true);
    });

    it('a !Sub JSON document: interpolated strings are unknown, the rest is read', () => {
      const text = `${HEAD}Resources:
  S:
    Type: AWS::IAM::Policy
    Properties:
      PolicyDocument: !Sub |
        {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::\${B}/*"}]}
`;
      const st = cfnDoc(cfn(text), 'S').statements[0];
      assert.deepEqual(vals(text, st.action), ['s3:*@"s3:*"']);
      assert.equal(st.resource!.unknown, true);
    });

    it('an unreadable document is unknown, never an empty allow-list', () => {
      const text = `${HEAD}Resources:
  A:
    Type: AWS::IAM::Policy
    Properties:
      PolicyDocument: !ImportValue shared-policy
  B:
    Type: AWS::IAM::Policy
    Properties:
      PolicyDocument: '{"Statement": [ broken'
`;
      const tpl = cfn(text);
      assert.equal(cfnDoc(tpl, 'A').unknown, true);
      assert.equal(cfnDoc(tpl, 'B').unknown, true);
    });
  });

  describe('Terraform documents', () => {
    it('reads jsonencode({...}) with variable defaults, tuples and interpolations', () => {
      const main = `variable "bucket" {
  default = "*"
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:*", "ec2:Describe*"]
        Resource = var.bucket
      },
      {
        "Effect"   = "Allow"
        "Action"   = "iam:PassRole"
        "Resource" = "arn:aws:iam::\${var.account}:role/x"
        Condition  = { StringEquals = { "iam:PassedToService" = "ec2.amazonaws.com" } }
      },
    ]
  })
}
`;
      const m = tfModule({ 'main.tf': main });
      const doc = tfDoc(m, 'aws_iam_policy.p');
      assert.equal(doc.statements.length, 2);
      assert.deepEqual(vals(main, doc.statements[0].action), ['s3:*@"s3:*"', 'ec2:Describe*@"ec2:Describe*"']);
      assert.deepEqual(known(doc.statements[0].resource).map((v) => v.value), ['*']);
      assert.equal(doc.statements[1].resource!.unknown, true);
      assert.equal(doc.statements[1].conditions[0].key, 'iam:PassedToService');
    });

    it('reads heredoc and quoted JSON strings, mapping offsets through HCL escapes', () => {
      const main = `resource "aws_iam_role_policy" "h" {
  policy = <<-EOF
    {
      "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "\${aws_kms_key.k.arn}"}]
    }
  EOF
}
resource "aws_iam_role_policy" "q" {
  policy = "{\\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Action\\": \\"*\\", \\"Resource\\": \\"*\\"}]}"
}
`;
      const m = tfModule({ 'main.tf': main });
      const h = tfDoc(m, 'aws_iam_role_policy.h').statements[0];
      assert.deepEqual(vals(main, h.action), ['kms:*@"kms:*"']);
      assert.equal(h.resource!.unknown, true);
      const q = tfDoc(m, 'aws_iam_role_policy.q').statements[0];
      assert.deepEqual(vals(main, q.action), ['*@\\"*\\"']);
      assert.equal(adminGrants(q).length, 1);
    });

    it('reads data "aws_iam_policy_document" through .json, in another file of the module', () => {
      const main = `resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.doc.json
}
`;
      const data = `data "aws_iam_policy_document" "doc" {
  statement {
    actions   = ["s3:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["true"]
    }
  }
  statement {
    effect      = "Deny"
    not_actions = ["iam:*"]
  }
}
`;
      const m = tfModule({ 'main.tf': main, 'data.tf': data });
      const doc = tfDoc(m, 'aws_iam_policy.p');
      assert.equal(doc.statements.length, 2);
      const [a, b] = doc.statements;
      assert.equal(a.path, '/m/data.tf');
      assert.ok(isAllow(a), 'effect defaults to Allow');
      assert.deepEqual(vals(data, a.action), ['s3:*@"s3:*"']);
      assert.deepEqual(wildcardPrincipals(a).map((v) => src(data, v.range)), ['"*"']);
      assert.deepEqual(a.conditions.map((c) => `${c.operator} ${c.key}`), ['Bool aws:SecureTransport']);
      assert.equal(b.effect!.value, 'Deny');
      assert.deepEqual(vals(data, b.notAction), ['iam:*@"iam:*"']);
    });

    it('merges source and override documents by sid, and a dynamic statement makes it unknown', () => {
      const main = `data "aws_iam_policy_document" "base" {
  statement {
    sid     = "A"
    actions = ["s3:GetObject"]
  }
  statement {
    sid     = "B"
    actions = ["s3:PutObject"]
  }
}
data "aws_iam_policy_document" "over" {
  statement {
    sid     = "B"
    actions = ["s3:*"]
  }
}
data "aws_iam_policy_document" "merged" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [data.aws_iam_policy_document.over.json]
  statement {
    sid     = "A"
    actions = ["ec2:*"]
  }
  statement {
    actions = ["sqs:SendMessage"]
  }
}
data "aws_iam_policy_document" "dyn" {
  dynamic "statement" {
    for_each = var.statements
    content {
      actions = statement.value
    }
  }
}
resource "aws_iam_policy" "merged" {
  policy = data.aws_iam_policy_document.merged.json
}
resource "aws_iam_policy" "dyn" {
  policy = data.aws_iam_policy_document.dyn.json
}
resource "aws_iam_policy" "file" {
  policy = file("policy.json")
}
`;
      const m = tfModule({ 'main.tf': main });
      const merged = tfDoc(m, 'aws_iam_policy.merged');
      assert.deepEqual(merged.statements.map((s) => `${s.sid ?? '-'}:${known(s.action).map((v) => v.value).join(',')}`), ['A:ec2:*', 'B:s3:*', '-:sqs:SendMessage']);
      assert.equal(tfDoc(m, 'aws_iam_policy.dyn').unknown, true);
      assert.equal(tfDoc(m, 'aws_iam_policy.file').unknown, true);
    });
  });

  describe('predicates', () => {
    const st = (over: Partial<PolicyStatement>): PolicyStatement => ({
      path: '/x', range: { start: 0, end: 0 }, sid: undefined, effect: { value: 'Allow', range: { start: 0, end: 0 }, path: '/x' },
      action: null, notAction: null, resource: null, notResource: null, principal: null, notPrincipal: null,
      conditions: [], hasCondition: false, conditionUnknown: false, ...over,
    });
    const list = (...values: string[]): PolicyList => ({
      values: values.map((value) => ({ value, range: { start: 0, end: 0 }, path: '/x' })), unknown: false, range: { start: 0, end: 0 }, keyRange: { start: 0, end: 0 },
    });

    it('matches IAM action wildcards case-insensitively', () => {
      assert.ok(actionMatches('iam:Pass*', 'iam:PassRole'));
      assert.ok(actionMatches('IAM:passrole', 'iam:PassRole'));
      assert.ok(actionMatches('sts:Assume?ole', 'sts:AssumeRole'));
      assert.ok(!actionMatches('iam:Get*', 'iam:PassRole'));
      assert.ok(!actionMatches('s3.*', 's3:GetObject'), 'a dot is not a wildcard');
    });

    it('finds administrator grants: * on *, *:* on *, NotAction on *, not on narrower resources', () => {
      assert.equal(adminGrants(st({ action: list('*'), resource: list('*') })).length, 1);
      assert.equal(adminGrants(st({ action: list('*:*'), resource: list('arn:x', '*') })).length, 1);
      assert.equal(adminGrants(st({ notAction: list('iam:*'), resource: list('*') })).length, 1);
      assert.equal(adminGrants(st({ action: list('*'), notResource: list('arn:x') })).length, 1);
      assert.equal(adminGrants(st({ action: list('*'), resource: list('arn:aws:s3:::b') })).length, 0);
      assert.equal(adminGrants(st({ action: list('s3:*'), resource: list('*') })).length, 0);
      assert.equal(adminGrants(st({ effect: { value: 'Deny', range: { start: 0, end: 0 }, path: '/x' }, action: list('*'), resource: list('*') })).length, 0);
    });

    it('recognises the MFA-enforcing deny', () => {
      const cond = (operator: string, key: string, value: string) => ({ operator, key, keyRange: { start: 0, end: 0 }, values: list(value) });
      const deny = { value: 'Deny', range: { start: 0, end: 0 }, path: '/x' };
      assert.ok(deniesWithoutMfa(st({ effect: deny, conditions: [cond('BoolIfExists', 'aws:MultiFactorAuthPresent', 'false')] })));
      assert.ok(deniesWithoutMfa(st({ effect: deny, conditions: [cond('Bool', 'aws:multifactorauthpresent', 'false')] })));
      assert.ok(deniesWithoutMfa(st({ effect: deny, conditions: [cond('Null', 'aws:MultiFactorAuthAge', 'true')] })));
      assert.ok(!deniesWithoutMfa(st({ conditions: [cond('Bool', 'aws:MultiFactorAuthPresent', 'false')] })), 'an Allow enforces nothing');
      assert.ok(!deniesWithoutMfa(st({ effect: deny, conditions: [cond('Bool', 'aws:MultiFactorAuthPresent', 'true')] })));
    });
  });

  describe('decoded string positions', () => {
    it('aligns YAML double-quoted escapes and HCL $${ escapes', () => {
      const src1 = '"a\\"b\\u0041c"';
      const al = alignDecoded('a"bAc', src1, 10);
      assert.deepEqual(spanOf(al, 1, 2), { start: 12, end: 14 });
      assert.deepEqual(spanOf(al, 3, 4), { start: 15, end: 21 });
      const src2 = '"x$${y}"';
      const al2 = alignDecoded('x${y}', src2, 0);
      assert.equal(src2.slice(spanOf(al2, 3, 5).start, spanOf(al2, 3, 5).end), 'y}');
    });
  });
});

describe('IAM graph', () => {
  before(async () => {
    await initTerraform();
  });

  it('CloudFormation: groups, memberships, managed policies by Ref, login profiles and access keys', () => {
    const text = `${HEAD}Resources:
  Alice:
    Type: AWS::IAM::User
    Properties:
      LoginProfile:
        Password: "{{resolve:secretsmanager:alice}}"
      Groups: [!Ref Admins]
  Bob:
    Type: AWS::IAM::User
    Properties:
      UserName: bob
      ManagedPolicyArns:
        - !Ref ReadOnly
  Carol:
    Type: AWS::IAM::User
    Properties:
      Groups: [!ImportValue other-stack-group]
  Admins:
    Type: AWS::IAM::Group
    Properties:
      ManagedPolicyArns:
        - !Sub arn:\${AWS::Partition}:iam::aws:policy/AdministratorAccess
  Add:
    Type: AWS::IAM::UserToGroupAddition
    Properties:
      GroupName: !Ref Admins
      Users: [bob]
  ReadOnly:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: s3:Get*
            Resource: "*"
  Key:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref Alice
`;
    const g = cfnIamGraph(cfn(text));
    const alice = g.principals.get('Alice')!;
    const bob = g.principals.get('Bob')!;
    assert.deepEqual([...alice.groups], ['Admins']);
    assert.deepEqual([...bob.groups], ['Admins'], 'UserToGroupAddition by literal name');
    assert.deepEqual([...g.principals.get('Admins')!.members].sort(), ['Alice', 'Bob']);
    assert.ok(g.principals.get('Carol')!.groupsUnknown);
    assert.ok(alice.loginProfile);
    assert.equal(bob.policies[0].doc?.statements.length, 1, 'managed policy resolved through !Ref');
    assert.deepEqual(g.accessKeys.map((k) => k.user.id), ['Alice']);
    assert.deepEqual(administrators(g).map((p) => p.id).sort(), ['Alice', 'Bob']);
    assert.deepEqual(g.userPolicySites.map((s) => s.resource), ['Bob']);
    const eff = effectivePolicies(g, alice);
    assert.equal(eff.unknown, false);
    assert.equal(eff.policies.length, 1);
  });

  it('Terraform: references and names across files, attachments, memberships', () => {
    const users = `resource "aws_iam_user" "ci" {
  name = "ci"
}
resource "aws_iam_user" "dev" {
  name = "dev"
}
resource "aws_iam_user_login_profile" "dev" {
  user = aws_iam_user.dev.name
}
resource "aws_iam_access_key" "ci" {
  user = "ci"
}
`;
    const groups = `resource "aws_iam_group" "ops" {
  name = "ops"
}
resource "aws_iam_group_membership" "ops" {
  name  = "ops"
  group = aws_iam_group.ops.name
  users = [aws_iam_user.dev.name]
}
resource "aws_iam_group_policy_attachment" "admin" {
  group      = aws_iam_group.ops.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
resource "aws_iam_role" "deploy" {
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" } }] })
  managed_policy_arns = [aws_iam_policy.all.arn]
}
resource "aws_iam_policy" "all" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
resource "aws_iam_user_policy_attachment" "x" {
  user       = var.someone
  policy_arn = "arn:aws:iam::111122223333:policy/custom"
}
`;
    const m = tfModule({ 'users.tf': users, 'groups.tf': groups });
    const g = tfIamGraph(m);
    assert.deepEqual([...g.principals.get('aws_iam_user.dev')!.groups], ['aws_iam_group.ops']);
    assert.ok(g.principals.get('aws_iam_user.dev')!.loginProfile);
    assert.deepEqual(g.accessKeys.map((k) => k.user.id), ['aws_iam_user.ci'], 'user by literal name');
    assert.deepEqual(administrators(g).map((p) => p.id).sort(), ['aws_iam_role.deploy', 'aws_iam_user.dev']);
    assert.deepEqual(g.policies.filter((p) => p.kind === 'trust').map((p) => p.resource), ['aws_iam_role.deploy']);
    assert.equal(g.userPolicySites.length, 1, 'a user attachment counts even when the user is a variable');
    assert.equal(g.managed.filter((a) => a.unknown).length, 1, 'a customer managed ARN is unknown');
  });

  it('reads AWS managed policy ARNs in every partition spelling', () => {
    assert.equal(awsManagedName('arn:aws:iam::aws:policy/AdministratorAccess'), 'AdministratorAccess');
    assert.equal(awsManagedName('arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess'), 'ViewOnlyAccess');
    assert.equal(awsManagedName('arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess'), 'AdministratorAccess');
    assert.equal(awsManagedName('arn:${data.aws_partition.current.partition}:iam::aws:policy/ReadOnlyAccess'), 'ReadOnlyAccess');
    assert.equal(awsManagedName('arn:aws:iam::111122223333:policy/AdministratorAccess'), null);
  });
});

describe('credential detection', () => {
  it('finds key ids, secret keys after a naming context and literal settings in scripts', () => {
    const script = [
      '#!/bin/bash',
      'export AWS_ACCESS_KEY_ID=AKIA2E0A8F3B244C9986',
      'export AWS_SECRET_ACCESS_KEY="abcdEFGHijklMNOPqrstUVWX1234567890/+abcd"',
      'export AWS_SESSION_TOKEN=$TOKEN',
      'aws configure set aws_session_token FwoGZXIvYXdzEJr',
      '# AKIAIOSFODNN7EXAMPLE in a comment',
      'echo AWS_ACCESS_KEY_ID is required',
    ].join('\n');
    const hits = scanText(script);
    assert.deepEqual(hits.map((h) => `${h.kind}:${script.slice(h.start, h.end)}:${h.inComment}`), [
      'key-id:AKIA2E0A8F3B244C9986:false',
      'secret-key:abcdEFGHijklMNOPqrstUVWX1234567890/+abcd:false',
      'setting:FwoGZXIvYXdzEJr:false',
      'key-id:AKIAIOSFODNN7EXAMPLE:true',
    ]);
    assert.deepEqual(hits.map(reportable), [true, true, true, false], "AWS's example key is exempt in a comment only");
    assert.equal(reportable({ value: 'AKIAIOSFODNN7EXAMPLE', kind: 'key-id', inComment: false }), true);
  });

  it('tells secret keys from digests and identifiers', () => {
    assert.ok(isSecretKeyShaped('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'));
    assert.ok(!isSecretKeyShaped('da39a3ee5e6b4b0d3255bfef95601890afd80709'), 'a SHA-1');
    assert.ok(!isSecretKeyShaped('short/Key1'));
    assert.ok(!isSecretKeyShaped('ThisIsNotASecretButAVeryLongIdentifierX', true));
  });

  it('treats references and placeholders as not literal', () => {
    for (const v of ['$AWS_KEY', '${var.key}', '"${KEY}"', '$(cat /run/secrets/k)', '{{resolve:secretsmanager:x}}', '<your-key>', 'xxxx', '', '  ']) {
      assert.ok(!isLiteralSecret(v), v);
    }
    for (const v of ['AIPA8YOHGIS58IBFDU3E', 'test', '"quoted"']) assert.ok(isLiteralSecret(v), v);
  });

  it('masks secrets and decodes base64 user data', () => {
    assert.equal(mask('AKIAIOSFODNN7EXAMPLE'), 'AKIA************MPLE');
    assert.equal(mask('test'), 't***');
    assert.equal(decodeBase64('ZXhwb3J0IEVESVRPUj12aW1hY3M='), 'export EDITOR=vimacs');
    assert.equal(decodeBase64('not base64!'), null);
  });
});

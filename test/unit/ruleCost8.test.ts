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
import { cfnResourceHits, tfFileHits } from '../../rules/no-hardcoded-credentials';
import { adminServices, adminServicesGeneral, cfnSecurityGroupRules, cfnSecurityGroupRulesGeneral } from '../../rules/lib/securityGroups';
import { adminGrants, isAllActions, isServiceWildcard, known, policyFromNode, tfPolicyFromExpr, wildcardFree, type PolicyDocument } from '../../rules/lib/policy';
import { fromCfn } from '../../rules/lib/docNode';
import { templateParts, type NamePart } from '../../rules/lib/naming';
import { tfIamGraph, tfMayHoldIamFindings } from '../../rules/lib/iamGraph';
import { getNode } from '../../server/engine/cloudformation/nodes';
import { initTerraform, parseTerraform } from '../../server/engine/terraform/parser';

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

/** `templateParts` as written before session 8 (the literal built character by character): the oracle. */
function templatePartsByChar(text: string, flavour: 'cloudformation' | 'terraform'): NamePart[] | null {
  const parts: NamePart[] = [];
  let lit = '';
  let i = 0;
  while (i < text.length) {
    if (flavour === 'terraform' && (text.startsWith('$${', i) || text.startsWith('%%{', i))) {
      lit += text.slice(i + 1, i + 3);
      i += 3;
      continue;
    }
    if (flavour === 'terraform' && text.startsWith('%{', i)) return null;
    if (text.startsWith('${', i)) {
      let depth = 0;
      let j = i;
      for (; j < text.length; j++) {
        if (text[j] === '{') depth++;
        else if (text[j] === '}' && --depth === 0) break;
      }
      if (j >= text.length) return null;
      const whole = text.slice(i, j + 1);
      if (flavour === 'cloudformation' && whole.startsWith('${!')) {
        lit += '${' + whole.slice(3);
      } else {
        if (lit) parts.push({ text: lit, placeholder: false });
        lit = '';
        parts.push({ text: whole, placeholder: true });
      }
      i = j + 1;
      continue;
    }
    lit += text[i++];
  }
  if (lit) parts.push({ text: lit, placeholder: false });
  return parts;
}

describe('rule shortcuts (session 8)', () => {
  it('templateParts: literal runs taken as slices give the parts of reading character by character', () => {
    const next = rng(12);
    const pieces = ['web', '-', '${AWS::Region}', '${!Literal}', '$${x}', '%%{y}', '%{ if a }', '${', '}', '{', '$', '%', '${a{b}c}', 'é', '😀', '${var.env}', 'x', '$$', '%%'];
    let placeholders = 0;
    for (let round = 0; round < 4000; round++) {
      let t = '';
      for (let k = Math.floor(next() * 7); k >= 0; k--) t += pieces[Math.floor(next() * pieces.length)];
      for (const flavour of ['cloudformation', 'terraform'] as const) {
        const want = templatePartsByChar(t, flavour);
        placeholders += want?.filter((p) => p.placeholder).length ?? 0;
        assert.deepEqual(templateParts(t, flavour), want, `${flavour} ${JSON.stringify(t)}`);
      }
    }
    assert.ok(placeholders > 1000);
  });


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

  it('security group rules: plain scalars read directly give what resolveValues gives', () => {
    let rules = 0;
    for (const tpl of all) {
      const general = cfnSecurityGroupRulesGeneral(tpl);
      rules += general.length;
      assert.deepEqual(cfnSecurityGroupRules(tpl), general, tpl.path);
    }
    const next = rng(9);
    const values = ['22', '"22"', "'443'", '-1', 'tcp', '"-1"', '~', '', '!Ref Port', '!Ref Cidr', '!Ref AWS::NoValue', '!If [C, 22, 80]', '{ Ref: Port }', '!!str 22', '0.0.0.0/0', '"::/0"', '10.0.0.0/8', 'sg-123', '*p', 'true', '1.5', '!Sub "${Cidr}"', '[1, 2]'];
    const pick = () => values[Math.floor(next() * values.length)];
    let read = 0;
    for (let round = 0; round < 300; round++) {
      let text = 'Parameters:\n  Port:\n    Type: Number\n    Default: 22\n  Cidr:\n    Type: String\n    Default: 0.0.0.0/0\nConditions:\n  C: !Equals [a, b]\nResources:\n';
      text += `  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n`;
      for (let e = 0; e < 3; e++) {
        text += `        - IpProtocol: ${e === 0 ? `&p ${pick()}` : pick()}\n          FromPort: ${pick()}\n          ToPort: ${pick()}\n          CidrIp: ${pick()}\n          SourceSecurityGroupId: ${pick()}\n`;
      }
      text += `  I:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      GroupId: !Ref G\n      IpProtocol: ${pick()}\n      FromPort: ${pick()}\n      ToPort: ${pick()}\n      CidrIpv6: ${pick()}\n`;
      const tpl = parseCloudFormation(`/g/t${round}.yaml`, text);
      if (!tpl || tpl.errors.length) continue;
      read++;
      const general = cfnSecurityGroupRulesGeneral(tpl);
      rules += general.length;
      assert.deepEqual(cfnSecurityGroupRules(tpl), general, text);
    }
    assert.ok(read > 150, `${read} templates`);
    assert.ok(rules > 1000, `${rules} rules`);
    // adminServices' shared lists: what filtering the admin ports gives, for the traffic of every rule read.
    let withService = 0;
    for (const tpl of all) {
      for (const r of cfnSecurityGroupRules(tpl)) {
        for (const t of r.traffic) {
          const want = adminServicesGeneral(t);
          if (want.length) withService++;
          assert.deepEqual(adminServices(t), want);
        }
      }
    }
    assert.ok(withService > 50, `${withService} traffic reaching an admin service`);
  });

  it('wildcardFree: a document whose source it accepts has no administrator grant, action wildcard or Resource "*"', async () => {
    await initTerraform();
    const matters = (d: PolicyDocument): boolean => d.statements.some((st) =>
      adminGrants(st).length > 0 || known(st.action).some((a) => isAllActions(a.value!) || isServiceWildcard(a.value!)) || known(st.resource).some((r) => r.value === '*'));
    const next = rng(10);
    const cfnValues = ['"*"', "'*'", '"*:*"', 's3:*', '"s3:Get*"', 'arn:aws:s3:::b/*', '"\\u002a"', '"\\x2A:\\x2a"', '!Ref P', '!If [C, "*", s3:GetObject]', '!Sub "*"', 'iam:*', '*w', '[s3:GetObject, "*"]', 's3:GetObject', '[a:b, c:d]', "'s3:*'", '{ Ref: P }', '"\\\\*"', 'x/*', 's3:GetObject', 'arn:aws:s3:::b/*', '"s3:Get*"', 'logs:PutLogEvents', '[s3:GetObject, x/*]'];
    const keys = ['Action', 'NotAction', 'Resource', 'NotResource'];
    let free = 0;
    let mattering = 0;
    const judge = (d: PolicyDocument, text: string, start: number, end: number, what: string) => {
      const f = wildcardFree(text, start, end);
      if (f) {
        free++;
        assert.ok(!matters(d), `${what}: ${text.slice(start, end)}`);
      }
      if (matters(d)) mattering++;
    };
    for (let round = 0; round < 300; round++) {
      let st = '          - Effect: Allow\n';
      const used = new Set<string>();
      for (let k = 0; k < 3; k++) {
        const key = keys[Math.floor(next() * keys.length)];
        if (used.has(key)) continue;
        used.add(key);
        st += `            ${key}: ${cfnValues[Math.floor(next() * cfnValues.length)]}\n`;
      }
      const text = `Parameters:\n  P:\n    Type: String\n    Default: "*"\nConditions:\n  C: !Equals [a, b]\nMetadata:\n  W: &w "*"\nResources:\n  Pol:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n${st}`;
      const tpl = parseCloudFormation(`/w/t${round}.yaml`, text);
      if (!tpl || tpl.errors.length) continue;
      const props = tpl.resources[0].properties;
      const d = fromCfn(tpl, getNode(props, 'PolicyDocument', tpl));
      assert.ok(d);
      judge(policyFromNode(d), tpl.text, d.range.start, d.range.end, 'cfn');
      // The same statement as JSON in a string.
      const json = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: next() < 0.5 ? '*' : 's3:GetObject', Resource: next() < 0.5 ? 'arn:aws:s3:::b/*' : next() < 0.5 ? '*' : 'x' }] });
      const jtext = `Resources:\n  Pol:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: ${JSON.stringify(next() < 0.3 ? json.replace('"*"', '"\\u002a"') : json)}\n`;
      const jt = parseCloudFormation(`/w/j${round}.yaml`, jtext)!;
      const jd = fromCfn(jt, getNode(jt.resources[0].properties, 'PolicyDocument', jt))!;
      judge(policyFromNode(jd), jt.text, jd.range.start, jd.range.end, 'cfn json string');
    }
    const tfValues = ['"*"', '"*:*"', '"s3:*"', '"s3:Get*"', '"arn:aws:s3:::b/*"', '"\\u002a"', 'var.any', '["s3:GetObject", "*"]', '"s3:GetObject"', 'local.x', '"${var.any}"', '"x/*"', '"s3:GetObject"', '"arn:aws:s3:::b/*"', '["a:b", "c:Get*"]'];
    for (let round = 0; round < 200; round++) {
      const pick = () => tfValues[Math.floor(next() * tfValues.length)];
      const text = `variable "any" {\n  default = "*"\n}\nresource "aws_iam_policy" "p" {\n  policy = jsonencode({\n    Statement = [{ Effect = "Allow", Action = ${pick()}, ${next() < 0.3 ? 'NotResource' : 'Resource'} = ${pick()} }]\n  })\n}\n` +
        `data "aws_iam_policy_document" "d" {\n${next() < 0.3 ? '  source_policy_documents = [data.aws_iam_policy_document.w.json]\n' : ''}  statement {\n    actions = [${pick()}]\n    ${next() < 0.3 ? 'not_resources' : 'resources'} = [${pick()}]\n  }\n}\n` +
        'data "aws_iam_policy_document" "w" {\n  statement {\n    actions = ["*"]\n    resources = ["*"]\n  }\n}\n';
      const f = parseTerraform(`/t/m${round}/main.tf`, text);
      if (f.errors.length) continue;
      const m = { dir: `/t/m${round}`, files: [f] };
      const p = f.blocks.find((b) => b.type === 'resource')!.attr('policy')!;
      judge(tfPolicyFromExpr(m, f, p.expr), f.text, p.expr.range.start, p.expr.range.end, 'tf');
      const dataBlock = f.blocks.find((b) => b.type === 'data')!;
      const ref = parseTerraform(`/t/m${round}/ref.tf`, 'locals {\n  j = data.aws_iam_policy_document.d.json\n}\n');
      const refExpr = ref.blocks[0].attr('j')!.expr;
      judge(tfPolicyFromExpr({ dir: m.dir, files: [f, ref] }, ref, refExpr), f.text, dataBlock.range.start, dataBlock.range.end, 'tf data');
    }
    assert.ok(free > 80, `${free} documents free of wildcards`);
    assert.ok(mattering > 300, `${mattering} documents with one`);
  });

  it('no-hardcoded-credentials (Terraform): skipping attributes and nested blocks by their text finds what reading them all finds', async () => {
    await initTerraform();
    let hits = 0;
    let files = 0;
    const judge = (m: { dir: string; files: ReturnType<typeof parseTerraform>[] }, f: ReturnType<typeof parseTerraform>, what: string) => {
      const general = tfFileHits(m, f, true);
      hits += general.length;
      files++;
      assert.deepEqual(tfFileHits(m, f, false), general, what);
    };
    const tfFixtures = filesUnder(nodePath.join(ROOT, 'test', 'fixtures'), /\.tf$/);
    const byDir = new Map<string, ReturnType<typeof parseTerraform>[]>();
    for (const p of tfFixtures) {
      const f = parseTerraform(p, read(p));
      byDir.set(nodePath.dirname(p), [...(byDir.get(nodePath.dirname(p)) ?? []), f]);
    }
    for (const [dir, fs] of byDir) for (const f of fs) judge({ dir, files: fs }, f, f.path);
    const next = rng(11);
    const b64 = Buffer.from('AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz').toString('base64');
    const values = [
      '"AKIAZZZZZZZZZZZZZZZ1"', '"\\u0041KIAZZZZZZZZZZZZZZZ2"', 'var.k', 'var.plain', '"${var.k}"', '"plain"', '42', '"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz"',
      '"secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz"', `"${b64}"`, 'jsonencode({ AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz" })',
      '<<-EOT\n    export AWS_ACCESS_KEY_ID=AKIAZZZZZZZZZZZZZZZ3\n  EOT', '<<EOT\n{"Value": "\\u0041KIAZZZZZZZZZZZZZZZ4"}\nEOT', '["AKIAZZZZZZZZZZZZZZZ5", "x"]', 'local.x', '"$${AKIA}"',
    ];
    const keys = ['user_data', 'user_data_base64', 'tags', 'description', 'AWS_SECRET_ACCESS_KEY', 'name', 'value', 'x', 'policy'];
    for (let round = 0; round < 300; round++) {
      const pick = () => values[Math.floor(next() * values.length)];
      let body = '';
      const used = new Set<string>();
      for (let k = 0; k < 4; k++) {
        const key = keys[Math.floor(next() * keys.length)];
        if (used.has(key)) continue;
        used.add(key);
        body += `  ${key} = ${pick()}\n`;
      }
      if (next() < 0.5) body += `  environment {\n    name  = "${next() < 0.5 ? 'AWS_SECRET_ACCESS_KEY' : 'OTHER'}"\n    value = ${pick()}\n  }\n`;
      if (next() < 0.3) body += `  nested {\n    deeper {\n      x = ${pick()}\n    }\n  }\n`;
      const text = `variable "k" {\n  default = "AKIAZZZZZZZZZZZZZZZ6"\n}\nvariable "plain" {\n  default = "x"\n}\nresource "aws_instance" "i" {\n  ami = "x"\n${body}}\n`;
      const f = parseTerraform(`/h/m${round}/main.tf`, text);
      if (f.errors.length) continue;
      judge({ dir: `/h/m${round}`, files: [f] }, f, text);
    }
    assert.ok(files > 250, `${files} files`);
    assert.ok(hits > 150, `${hits} hits`);
  });

  it('IAM graph (Terraform): every place it holds is in a file tfMayHoldIamFindings accepts', async () => {
    await initTerraform();
    const dirs = new Map<string, string[]>();
    for (const p of filesUnder(nodePath.join(ROOT, 'test', 'fixtures'), /\.tf$/)) dirs.set(nodePath.dirname(p), [...(dirs.get(nodePath.dirname(p)) ?? []), p]);
    // A module whose policies read variables and data documents kept in files of their own.
    const extra: Record<string, string> = {
      '/x/split/variables.tf': 'variable "act" {\n  default = "*"\n}\nvariable "who" {\n  default = "alice"\n}\n',
      '/x/split/outputs.tf': 'output "o" {\n  value = aws_iam_user.u.arn\n}\nlocals {\n  l = "*"\n}\n',
      '/x/split/docs.tf': 'data "aws_iam_policy_document" "d" {\n  statement {\n    actions = [var.act]\n    resources = ["*"]\n  }\n}\n',
      '/x/split/main.tf': 'resource "aws_iam_user" "u" {\n  name = var.who\n}\nresource "aws_iam_user_policy" "p" {\n  user = aws_iam_user.u.name\n  policy = data.aws_iam_policy_document.d.json\n}\n' +
        'resource "aws_iam_user_policy" "q" {\n  user = var.who\n  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = var.act, Resource = "*" }] })\n}\nresource "aws_iam_access_key" "k" {\n  user = var.who\n}\n' +
        'resource "aws_iam_role" "r" {\n  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = var.act }, Action = "sts:AssumeRole" }] })\n  managed_policy_arns = [var.act]\n}\n',
    };
    const modules: ReturnType<typeof parseTerraform>[][] = [];
    for (const [, ps] of dirs) modules.push(ps.map((p) => parseTerraform(p, read(p))));
    modules.push(Object.entries(extra).map(([p, t]) => parseTerraform(p, t)));
    let places = 0;
    let skipped = 0;
    for (const files of modules) {
      const m = { dir: nodePath.dirname(files[0].path), files };
      const g = tfIamGraph(m);
      const paths: string[] = [];
      for (const p of g.principals.values()) {
        paths.push(p.path);
        if (p.loginProfile) paths.push(p.loginProfile.path);
        for (const a of p.policies) paths.push(a.path);
      }
      for (const k of g.accessKeys) paths.push(k.path, k.user.path);
      for (const s of g.userPolicySites) paths.push(s.path);
      for (const a of g.managed) paths.push(a.path);
      for (const u of g.policies) {
        const d = u.doc;
        paths.push(d.path);
        for (const st of d.statements) {
          paths.push(st.path);
          for (const l of [st.effect ? { values: [st.effect] } : null, st.action, st.notAction, st.resource, st.notResource]) for (const v of l?.values ?? []) paths.push(v.path);
          for (const pr of [st.principal, st.notPrincipal]) for (const e of pr?.entries ?? []) for (const v of e.values.values) paths.push(v.path);
        }
      }
      const holds = new Set(files.filter((f) => tfMayHoldIamFindings(f)).map((f) => f.path));
      skipped += files.length - holds.size;
      for (const p of paths) {
        places++;
        assert.ok(holds.has(p), `${p} holds a place of the IAM graph`);
      }
    }
    assert.ok(places > 200, `${places} places`);
    assert.ok(skipped >= 2, `${skipped} files skipped`);
  });

  it('no-hardcoded-credentials: skipping entries by their text (short ones too) finds what reading every entry finds', () => {
    const next = rng(88);
    const keys = ['K', 'Value', 'Name', 'UserData', 'Secret', 'AWS_SECRET_ACCESS_KEY', 'aws_access_key_id', 'Env', 'Description', 'Policy', 'X'];
    const b64 = Buffer.from('export AWS_ACCESS_KEY_ID=AKIAZZZZZZZZZZZZZZZ7').toString('base64');
    const values = [
      'AKIAZZZZZZZZZZZZZZZ1', '"\\x41KIAZZZZZZZZZZZZZZZ2"', '"A\\u004BIAZZZZZZZZZZZZZZZ3"', '!Ref P', '!Ref Q', '{ Ref: P }', '*a', 'plain', '"x"', '42', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz',
      `'{"Sid": "\\u0041KIAZZZZZZZZZZZZZZZ4"}'`, b64, '"secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz"', '"s\\u0065cret wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz"', '!Sub "x-${P}"', 'AWS_SESSION_TOKEN', '"aws configure"',
      '!If [C, AKIAZZZZZZZZZZZZZZZ5, plain]', "'AKIA'", 'AS\u0049A',
    ];
    const value = (depth: number): string => {
      const r = next();
      if (depth < 2 && r < 0.2) {
        let m = '{ ';
        for (let i = Math.floor(next() * 3); i >= 0; i--) m += `${keys[Math.floor(next() * keys.length)]}${i}: ${value(depth + 1)}, `;
        return m + 'Z: 1 }';
      }
      if (depth < 2 && r < 0.3) return `[${value(depth + 1)}, ${value(depth + 1)}]`;
      if (depth < 2 && r < 0.35) return `[{ Name: AWS_SECRET_ACCESS_KEY, Value: ${value(depth + 1)} }]`;
      return values[Math.floor(next() * values.length)];
    };
    let hits = 0;
    let templatesRead = 0;
    for (let round = 0; round < 400; round++) {
      const pdefault = values[Math.floor(next() * values.length)];
      let text = `Parameters:\n  P:\n    Type: String\n    Default: ${pdefault}\n  Q:\n    Type: String\nConditions:\n  C: !Equals [a, b]\nResources:\n`;
      text += `  Anchor:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Value: &a ${values[Math.floor(next() * 12)]}\n`;
      for (let r = 0; r < 3; r++) {
        text += `  R${r}:\n    Type: AWS::EC2::Instance\n    Properties:\n`;
        for (let e = 1 + Math.floor(next() * 5); e > 0; e--) text += `      ${keys[Math.floor(next() * keys.length)]}${e}: ${value(0)}\n`;
      }
      const tpl = parseCloudFormation(`/r/t${round}.yaml`, text);
      if (!tpl || tpl.errors.length) continue;
      templatesRead++;
      const general = cfnResourceHits(tpl, true);
      hits += general.reduce((n, h) => n + h.length, 0);
      assert.deepEqual(cfnResourceHits(tpl, false), general, text);
    }
    assert.ok(templatesRead > 200, `${templatesRead} templates`);
    assert.ok(hits > 200, `${hits} hits`);
  });
});

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
import { cfnResourceHits } from '../../rules/no-hardcoded-credentials';
import { cfnSecurityGroupRules, cfnSecurityGroupRulesGeneral } from '../../rules/lib/securityGroups';

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

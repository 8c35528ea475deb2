/**
 * Prefilters and shared facts of the CloudFormation rules (session 7) against
 * their general forms: a prefilter may only skip work whose result cannot matter.
 */
import * as assert from 'node:assert/strict';
import { parseDocument, isScalar, visit } from 'yaml';
import { engineFor } from '../helpers/engine';
import { rules } from '../../rules';
import { hasSpellingEscape, includesAny } from '../../rules/lib/textFacts';
import { nameWords, nonCriticalWords } from '../../rules/lib/tags';
import { literalWords, splitWords } from '../../rules/lib/naming';
import { cfnCopies } from '../../rules/asg-multi-az';
import { ENTITIES, cfnEntitySpec, entityOf, entityOfType } from '../../rules/naming-convention';
import { parseCloudFormation } from '../../server/engine/cloudformation/parser';

function random(seed: number): (n: number) => number {
  return (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
}

/** Every string value and key of a YAML (or JSON) document. */
function strings(text: string): string[] {
  const out: string[] = [];
  const doc = parseDocument(text, { uniqueKeys: false });
  visit(doc, {
    Scalar(_k, n) {
      if (isScalar(n) && typeof n.value === 'string') out.push(n.value);
    },
  });
  return out;
}

describe('CloudFormation rule prefilters (session 7)', () => {
  it('hasSpellingEscape: a value spells a word only as written or through such an escape', () => {
    const rand = random(7);
    const word = 'PublicIp';
    const pieces = ['Public', 'Ip', 'P', 'ublic', 'I', 'p', '\\x50', '\\u0050', '\\U00000050', '\\x49', '\\u0049p', '\\\n', '\\\r\n', '\n', '\n  ', ' ', '\\\\', '\\n', '\\t', '\\"', "''", 'x', '\\/', '\\ ', '\\_', '\\N', '\\P'];
    let spelled = 0;
    for (let round = 0; round < 5000; round++) {
      let body = '';
      for (let i = rand(7); i >= 0; i--) body += pieces[rand(pieces.length)];
      const forms = [`k: "${body}"\n`, `k: '${body.replace(/\\/g, '')}'\n`, `k: ${body.replace(/[\\"']/g, '')}\n`, `k: |\n  ${body.replace(/\n/g, '\n  ')}\n`, `k: >\n  ${body.replace(/\n/g, '\n  ')}\n`, `{"k": "${body}"}`];
      for (const text of forms) {
        let values: string[];
        try {
          values = text.startsWith('{') ? [JSON.parse(text).k as string] : strings(text);
        } catch {
          continue;
        }
        if (!values.some((v) => v.includes(word))) continue;
        spelled++;
        assert.ok(text.includes(word) || hasSpellingEscape(text), JSON.stringify(text));
      }
    }
    assert.ok(spelled > 60, `values spelled the word ${spelled} times`);
    assert.ok(!hasSpellingEscape('a: "x\\ny\\t\\\\"'));
  });

  it('ec2-elastic-ip: a public address written through an escape is still found', async () => {
    const engine = await engineFor(rules.filter((r) => r.id === 'ec2-elastic-ip'));
    const yaml = (attr: string) => `Resources:\n  Web:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-12345678\n  Rec:\n    Type: AWS::Route53::RecordSet\n    Properties:\n      ResourceRecords:\n        - !GetAtt ${attr}\n`;
    const json = (attr: string) => `{"Resources": {"Web": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "ami-12345678"}}, "Rec": {"Type": "AWS::Route53::RecordSet", "Properties": {"ResourceRecords": [{"Fn::GetAtt": ["Web", "${attr}"]}]}}}}`;
    const cases: [string, string][] = [
      ['a.yaml', yaml('Web.PublicIp')], ['b.yaml', yaml('"Web.\\x50ublicIp"')], ['c.yaml', yaml('"Web.Public\\\n           Ip"')], ['d.yaml', yaml('"Web.PublicDns\\u004Eame"')],
      ['e.json', json('PublicIp')], ['f.json', json('\\u0050ublicIp')], ['g.json', json('PublicDnsNam\\u0065')],
    ];
    for (const [name, text] of cases) {
      const r = engine.lint({ path: `/x/${name}`, text })!;
      assert.deepEqual(r.findings.map((f) => f.ruleId), ['ec2-elastic-ip'], `${name}: ${JSON.stringify(r.findings)}`);
    }
    const none = engine.lint({ path: '/x/n.yaml', text: yaml('Web.PrivateIp') })!;
    assert.deepEqual(none.findings, []);
  });

  it('asg-multi-az: comparing instances property by property groups them as whole keys do', () => {
    const rand = random(13);
    const names = ['Web1', 'Web2', 'Web3', 'NodeA', 'NodeB', 'Jenkins', 'web-a', 'web-b', 'Build1', 'Build2'];
    const values = ['t3.micro', 'm5.large', '!Ref Ami', '!Ref Other', '[a, b]', '{x: 1}', '"a;b"', '"a;b=c"', '1', '"1"', '!Sub "x-${AWS::Region}"', '!GetAtt A.B', 'x|y', '"\\x3b"', '*shared'];
    const keys = ['ImageId', 'InstanceType', 'KeyName', 'Monitoring', 'UserData', 'X=1;Y', 'X', 'Y', 'Tags', 'PrivateIpAddress'];
    const subnets = ['!Ref SubnetA', '!Ref SubnetB', 'subnet-1', 'sub|net'];
    let grouped = 0;
    for (let round = 0; round < 1500; round++) {
      let t = 'Resources:\n  Anchor:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: &shared shared-value\n';
      const used = new Set<string>();
      const n = 2 + rand(5);
      for (let i = 0; i < n; i++) {
        let name = names[rand(names.length)];
        if (used.has(name)) name += `x${i}`;
        used.add(name);
        t += `  ${name}:\n    Type: AWS::EC2::Instance\n    Properties:\n      SubnetId: ${subnets[rand(2) ? 0 : rand(subnets.length)]}\n`;
        const m = rand(4);
        for (let k = 0; k < m; k++) {
          // Few distinct values: instances are often equal.
          const key = keys[rand(3) ? rand(3) : rand(keys.length)];
          const value = values[rand(3) ? rand(2) : rand(values.length)];
          t += `      ${key}: ${value}\n`;
        }
      }
      const tpl = parseCloudFormation('/x/t.yaml', t);
      if (!tpl) continue;
      const shape = (gs: ReturnType<typeof cfnCopies>) => gs.map((g) => g.map((c) => `${c.res.logicalId} ${c.place}`));
      const fast = shape(cfnCopies(tpl));
      assert.deepEqual(fast, shape(cfnCopies(tpl, true)), t);
      grouped += fast.length;
    }
    assert.ok(grouped > 100, `groups found: ${grouped}`);
    // Keys that join into the same whole key: grouped by the whole key, as before.
    const t = 'Resources:\n  Web1:\n    Type: AWS::EC2::Instance\n    Properties:\n      SubnetId: s\n      X=1;Y: 2\n  Web2:\n    Type: AWS::EC2::Instance\n    Properties:\n      SubnetId: s\n      X: 1\n      Y: 2\n';
    const tpl = parseCloudFormation('/x/t.yaml', t)!;
    assert.equal(cfnCopies(tpl).length, 1);
    // A `;` in a canonical text (here in an intrinsic's name) can do the same.
    const u = 'Resources:\n  Web1:\n    Type: AWS::EC2::Instance\n    Properties:\n      SubnetId: s\n      X: {\'Fn::Ref("1");Z=!Sub\': v}\n  Web2:\n    Type: AWS::EC2::Instance\n    Properties:\n      SubnetId: s\n      X: !Ref "1"\n      Z: !Sub v\n';
    const tpu = parseCloudFormation('/x/u.yaml', u)!;
    assert.equal(cfnCopies(tpu, true).length, 1);
    assert.equal(cfnCopies(tpu).length, 1);
    // And a `=` in a key, without any `;`.
    const v = 'Resources:\n  Web1:\n    Type: AWS::EC2::Instance\n    Properties:\n      SubnetId: s\n      X: {\'Fn::Ref=!Sub\': v}\n  Web2:\n    Type: AWS::EC2::Instance\n    Properties:\n      SubnetId: s\n      X=!Ref: !Sub v\n';
    const tpv = parseCloudFormation('/x/v.yaml', v)!;
    assert.equal(cfnCopies(tpv, true).length, 1);
    assert.equal(cfnCopies(tpv).length, 1);
    // The `;` spelled by an escape; a repeated key in another order.
    const w = 'Resources:\n  Web1:\n    Type: AWS::EC2::Instance\n    Properties:\n      SubnetId: s\n      X: {"Fn::Ref(\\"1\\")\\x3bZ=!Sub": v}\n  Web2:\n    Type: AWS::EC2::Instance\n    Properties:\n      SubnetId: s\n      X: !Ref "1"\n      Z: !Sub v\n';
    const dup = 'Resources:\n  Web1:\n    Type: AWS::EC2::Instance\n    Properties:\n      SubnetId: s\n      X: 1\n      X: 2\n  Web2:\n    Type: AWS::EC2::Instance\n    Properties:\n      SubnetId: s\n      X: 2\n      X: 1\n';
    for (const [name, text] of [['w.yaml', w], ['dup.yaml', dup]]) {
      const tp = parseCloudFormation(`/x/${name}`, text)!;
      assert.equal(cfnCopies(tp, true).length, 1, name);
      assert.equal(cfnCopies(tp).length, 1, name);
    }
  });

  it('naming-convention: the entity tables by type agree with searching the list', () => {
    const types = [...ENTITIES.flatMap((e) => [e.cfn, e.tf]), 'AWS::EC2::NatGateway', 'aws_nat_gateway', 'AWS::Foo::Bar', '', 'constructor', '__proto__', 'AWS::EC2::Instance ', 'aws_instance'];
    for (const t of types) {
      if (t === undefined) continue;
      assert.equal(cfnEntitySpec(t), ENTITIES.find((e) => e.cfn === t), t);
      for (let i = 0; i < 2; i++) assert.equal(entityOf(t), entityOfType(t), t);
    }
    for (let i = 0; i < 1100; i++) assert.equal(entityOf(`AWS::S${i}::T`), `s${i}_t`);
  });

  it('includesAny agrees with searching each word', () => {
    const bits = ['Public', 'Publi', 'Ip', 'I', 'p', 'DnsName', 'Dns', 'PublicPublic', 'x', ' '];
    let hits = 0;
    // Every text of up to four pieces.
    const texts = [''];
    for (let len = 0; len < 4; len++) for (const t of texts.slice()) for (const b of bits) if (t.length < 40) texts.push(t + b);
    for (const t of new Set(texts)) {
      const expected = t.includes('PublicIp') || t.includes('PublicDnsName');
      if (expected) hits++;
      assert.equal(includesAny(t, 'Public', ['Ip', 'DnsName']), expected, t);
    }
    assert.ok(hits > 100, `${hits} texts hold a word`);
  });

  it('nonCriticalWords agrees with comparing each word (plural s included)', () => {
    // The former form: every pattern word compared, the last also with an `s` appended.
    const reference = (text: string, patterns: readonly string[]): string[] => {
      const words = nameWords(text);
      const found: string[] = [];
      for (const p of patterns) {
        const pw = nameWords(p);
        if (pw.length === 0) continue;
        for (let i = 0; i + pw.length <= words.length; i++) {
          if (pw.every((w, j) => words[i + j] === w || (j === pw.length - 1 && words[i + j] === `${w}s`))) {
            found.push(p);
            break;
          }
        }
      }
      return found;
    };
    const bits = ['build', 'builds', 'Build', 'buildss', 'bs', 'ci', 'cis', 'CI', 'pull', 'request', 'requests', 'Request', 'PR', 'prs', 's', '-', '_', ' ', 'x', '1', 'Runner', 'tests', 'testS'];
    const patterns = [['build', 'ci', 'pr', 'runner', 'test'], ['pull-request', 'build'], ['', 's', 'pull_request', 'x1']];
    const texts = [''];
    for (let len = 0; len < 3; len++) for (const t of texts.slice()) for (const b of bits) texts.push(t + b);
    let some = 0;
    for (const t of texts) {
      for (const ps of patterns) {
        const expected = reference(t, ps);
        if (expected.length) some++;
        assert.deepEqual(nonCriticalWords(t, ps), expected, `${t} ${ps}`);
      }
    }
    assert.ok(some > 1000, `${some}`);
  });

  it('naming: the words of a literal, kept by text, are its splitWords', () => {
    const bits = ['ec2-instance-', 'Inst', 'inst', 'eu-west-1', 'apsouth', 'ap-south-1', 'SG', 'webSrv', '-', '_', ' ', 'X', 'constructor', 'İ'];
    const texts = [''];
    for (let len = 0; len < 3; len++) for (const t of texts.slice()) for (const b of bits) texts.push(t + b);
    // Twice over more texts than the cache keeps: cached, recomputed after a clear, and shared lists all agree.
    for (let round = 0; round < 2; round++) for (const t of texts) assert.deepEqual(literalWords(t), splitWords(t), t);
    assert.equal(literalWords('ec2-instance-'), literalWords('ec2-instance-'));
  });
});

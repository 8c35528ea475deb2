/**
 * Prefilters and shared facts of the CloudFormation rules (session 7) against
 * their general forms: a prefilter may only skip work whose result cannot matter.
 */
import * as assert from 'node:assert/strict';
import { parseDocument, isScalar, visit } from 'yaml';
import { engineFor } from '../helpers/engine';
import { rules } from '../../rules';
import { hasSpellingEscape } from '../../rules/lib/textFacts';

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
});

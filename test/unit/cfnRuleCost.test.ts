/**
 * Fast paths of the CloudFormation rules' helpers against their general forms:
 * the key id search over candidate starts, the first test of `scanText`, the
 * length test of `credentialSetting`.
 */
import * as assert from 'node:assert/strict';
import { engineFor } from '../helpers/engine';
import { rules } from '../../rules';
import { ABBREVIATIONS, mayAbbreviate, splitWords } from '../../rules/lib/naming';
import { credentialSetting, keyIdStarts, keyIdsIn, scanText, scanTextFully } from '../../rules/lib/secrets';

function random(seed: number): (n: number) => number {
  return (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
}

const PIECES = [
  'AKIA', 'ASIA', 'AKIAKIA', 'A', 'K', 'I', 'S', '0', '7', 'Q', 'x', ' ', '\n', '-', '/', '+', '"', "'", '=', ':', '#',
  'AKIAIOSFODNN7EXAMPLE', 'ASIA1234567890ABCDEF', 'ABCDEFGHIJKLMNOP', 'aws_access_key_id', 'AWS_SECRET_ACCESS_KEY', 'aws_session_token',
  'aws configure set ', 'secret_key ', 'Secret', 'ſecret', 'aWs', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  'AWS::Region', '${AWS::AccountId}', 'aws:', 'aws\t', 'aws\u00a0', 'aws\u2028', 'aws configure', ' set aws_', '_access_key_id=', '\u212A', 'İ', 'akia', 'asia', 'SECRET', 'export ', ' AKIAIOSFODNN7EXAMPLE ', 'aws_access_key_id = ', 'AWS_SECRET_ACCESS_KEY: ', ' secret_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ',
];

function text(rand: (n: number) => number): string {
  let t = '';
  const n = rand(40);
  for (let i = 0; i < n; i++) t += PIECES[rand(PIECES.length)];
  return t;
}

describe('CloudFormation rule helpers: fast paths', () => {
  it('keyIdsIn over candidate starts finds what the global search finds, in every range', () => {
    const rand = random(11);
    for (let round = 0; round < 400; round++) {
      const t = text(rand);
      const starts = keyIdStarts(t);
      const all: number[] = [];
      for (let i = 0; i < t.length; i++) if (t.startsWith('AKIA', i) || t.startsWith('ASIA', i)) all.push(i);
      assert.deepEqual(starts, all, t);
      for (let k = 0; k < 6; k++) {
        const from = rand(t.length + 2);
        const to = from + rand(t.length + 2 - from + 1);
        assert.deepEqual(keyIdsIn(t, from, to, starts), keyIdsIn(t, from, to), `${JSON.stringify(t)} [${from}, ${to})`);
      }
      assert.deepEqual(keyIdsIn(t, 0, t.length, starts), keyIdsIn(t, 0, t.length));
    }
    // Overlapping leads: the search goes on after a match, as the global one does.
    const t = 'AKIAAKIA12345678901234 xAKIA1234567890123456 AKIA1234567890123456';
    assert.deepEqual(keyIdsIn(t, 0, t.length, keyIdStarts(t)), keyIdsIn(t, 0, t.length));
    assert.equal(keyIdsIn(t, 0, t.length).length, 1);
  });

  it('scanText finds what the full scan finds', () => {
    const rand = random(5);
    let found = 0;
    for (let round = 0; round < 3000; round++) {
      const t = text(rand);
      const full = scanTextFully(t);
      found += full.length;
      assert.deepEqual(scanText(t), full, JSON.stringify(t));
    }
    assert.ok(found > 100, 'the texts hold credentials');
  });

  it('credentialSetting agrees with lower-casing every name', () => {
    const settings: Record<string, string> = {
      aws_access_key_id: 'access-key-id', aws_secret_access_key: 'secret-access-key', aws_session_token: 'session-token', aws_security_token: 'session-token',
    };
    const names = [
      ...Object.keys(settings), 'AWS_ACCESS_KEY_ID', 'Aws_Session_Token', 'aws_access_\u212Aey_id', 'aws_access_key_İd', 'aws_access_key_i', 'aws_access_key_idd',
      'AWS_SECURITY_TOKEN', 'aws_secret_access_keys', '', 'x',
    ];
    for (const n of names) assert.equal(credentialSetting(n), settings[n.toLowerCase()] ?? null, n);
  });

  it('mayAbbreviate holds for every text whose words hold an abbreviation', () => {
    const rand = random(3);
    const bits = [...Object.keys(ABBREVIATIONS), 'SG', 'Sg', 'b\u212At', 'BKT', 'eu-west-1', 'Web', 'web', '-', '_', ' ', 'X', '0', 'my', 'Fn', 'İ', 'ſg', 'instance', 'Inst', 'grpName'];
    let some = 0;
    for (let round = 0; round < 3000; round++) {
      let t = '';
      for (let i = rand(8); i >= 0; i--) t += bits[rand(bits.length)];
      const has = splitWords(t).some((w) => Object.prototype.hasOwnProperty.call(ABBREVIATIONS, w.toLowerCase()));
      if (has) some++;
      if (has) assert.ok(mayAbbreviate(t), JSON.stringify(t));
    }
    assert.ok(some > 500);
    assert.ok(!mayAbbreviate('security-group-eu-west-1-web-0'));
  });

  it('no-hardcoded-credentials skips only entries it can find nothing in (escapes, aliases, parameter defaults, JSON in strings)', async () => {
    // Expected: the findings of the walk without skipping (every entry read).
    const engine = await engineFor(rules.filter((r) => r.id === 'no-hardcoded-credentials'));
    const cases: [string, string, unknown][] = [
      ['tricky.yaml', "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  P:\n    Type: String\n    Default: AKIAZZZZZZZZZZZZZZZ1\nResources:\n  Shared:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Value: &tagged\n        Deep:\n          Deeper: \"AKIAZZZZZZZZZZZZZZZ2 padded out to be long enough for the test\"\n  Box:\n    Type: AWS::EC2::Instance\n    Properties:\n      UserData: plain\n      Description: \"escaped \\x41KIAZZZZZZZZZZZZZZZ3 inside a long enough double quoted string\"\n      Environment:\n        Variables:\n          X: !Ref P\n          Padding: \"some padding text that is long enough to pass the threshold\"\n      Other: { a: *tagged, b: \"long padding text to make this entry longer than the threshold\" }\n      Policy: \"{\\\"Statement\\\": [{\\\"Sid\\\": \\\"\\\\u0041KIAZZZZZZZZZZZZZZZ4 padded text padded\\\"}]}\"\n      Folded: >-\n        nothing here but a long folded\n        text with sec\n        ret split\n      Env:\n        - Name: \"AWS_\\u0053ECRET_ACCESS_KEY\"\n          Value: wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz\n", [["no-hardcoded-credentials", 86, 106, "tricky.yaml: hard-coded AWS access key id 'AKIA************ZZZ1'. Use an IAM role, or read credentials from the environment or a secrets store at run time."], ["no-hardcoded-credentials", 228, 248, "Shared: hard-coded AWS access key id 'AKIA************ZZZ2'. Use an IAM role, or read credentials from the environment or a secrets store at run time."], ["no-hardcoded-credentials", 228, 248, "Box: hard-coded AWS access key id 'AKIA************ZZZ2'. Use an IAM role, or read credentials from the environment or a secrets store at run time."], ["no-hardcoded-credentials", 394, 417, "Box: hard-coded AWS access key id 'AKIA************ZZZ3'. Use an IAM role, or read credentials from the environment or a secrets store at run time."], ["no-hardcoded-credentials", 517, 518, "Box: hard-coded AWS access key id 'AKIA************ZZZ1' (through P, whose default holds it). Use an IAM role, or read credentials from the environment or a secrets store at run time."], ["no-hardcoded-credentials", 750, 767, "Box: hard-coded AWS access key id 'AKIA************ZZZ4'. Use an IAM role, or read credentials from the environment or a secrets store at run time."], ["no-hardcoded-credentials", 962, 1002, "Box: hard-coded AWS secret access key 'wJal********************************zzzz'. Use an IAM role, or read credentials from a secrets store at run time, and rotate this key."]]],
      ['tricky.json', "{\n  \"Parameters\": { \"P\": { \"Type\": \"String\", \"Default\": \"AKIAZZZZZZZZZZZZZZZ1\" } },\n  \"Resources\": {\n    \"Box\": {\n      \"Type\": \"AWS::EC2::Instance\",\n      \"Properties\": {\n        \"UserData\": \"plain\",\n        \"Environment\": { \"Variables\": { \"X\": { \"Ref\": \"P\" }, \"Padding\": \"some padding text that is long enough to pass\" } },\n        \"Description\": \"escaped \\u0041KIAZZZZZZZZZZZZZZZ3 inside a long enough double quoted string\",\n        \"Policy\": \"{\\\"Statement\\\": [{\\\"Sid\\\": \\\"\\\\u0041KIAZZZZZZZZZZZZZZZ4 padded text padded\\\"}]}\",\n        \"Env\": [ { \"Name\": \"AWS_\\u0053ECRET_ACCESS_KEY\", \"Value\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz\" } ]\n      }\n    }\n  }\n}\n", [["no-hardcoded-credentials", 57, 77, "tricky.json: hard-coded AWS access key id 'AKIA************ZZZ1'. Use an IAM role, or read credentials from the environment or a secrets store at run time."], ["no-hardcoded-credentials", 246, 260, "Box: hard-coded AWS access key id 'AKIA************ZZZ1' (through { \"Ref\": \"P\" }, whose default holds it). Use an IAM role, or read credentials from the environment or a secrets store at run time."], ["no-hardcoded-credentials", 358, 383, "Box: hard-coded AWS access key id 'AKIA************ZZZ3'. Use an IAM role, or read credentials from the environment or a secrets store at run time."], ["no-hardcoded-credentials", 485, 502, "Box: hard-coded AWS access key id 'AKIA************ZZZ4'. Use an IAM role, or read credentials from the environment or a secrets store at run time."], ["no-hardcoded-credentials", 595, 637, "Box: hard-coded AWS secret access key 'wJal********************************zzzz'. Use an IAM role, or read credentials from a secrets store at run time, and rotate this key."]]],
    ];
    for (const [name, text, expected] of cases) {
      const r = engine.lint({ path: `/x/${name}`, text })!;
      assert.deepEqual(r.findings.map((x) => [x.ruleId, x.range.start, x.range.end, x.message]), expected, name);
    }
  });
});

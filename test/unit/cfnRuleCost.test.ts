/**
 * Fast paths of the CloudFormation rules' helpers against their general forms:
 * the key id search over candidate starts, the first test of `scanText`, the
 * length test of `credentialSetting`.
 */
import * as assert from 'node:assert/strict';
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
  '\u212A', 'İ', 'akia', 'asia', 'SECRET', 'export ', ' AKIAIOSFODNN7EXAMPLE ', 'aws_access_key_id = ', 'AWS_SECRET_ACCESS_KEY: ', ' secret_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ',
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
});

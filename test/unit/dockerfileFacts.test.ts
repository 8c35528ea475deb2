import * as assert from 'node:assert';
import { defaultConfig } from '../../server/engine/config';
import { Engine } from '../../server/engine/linter';
import type { Finding } from '../../server/engine/types';
import { rules } from '../../rules';
import { memoryWorkspace } from '../helpers/engine';

/**
 * Per-chunk data of the Dockerfile credential rules (kept with the parse chunks
 * across edits) give the findings a one-pass engine (one chunk, nothing kept) gives.
 */
const KEY = 'AKIA' + 'ZZZZQQQQ12345678';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Tr0nAbC';

function stage(i: number): string {
  const parts = [
    `# service ${i}\nFROM ubuntu:22.04 AS s${i}\n`,
    i % 3 === 0 ? `ENV AWS_ACCESS_KEY_ID=${KEY} \\\n    OTHER=1\n` : `ENV APP_HOME=/opt/${i}\n`,
    i % 4 === 1 ? `ARG DB_PASSWORD\nRUN echo $DB_PASSWORD\n` : `ARG VERSION=1.${i}\n`,
    i % 5 === 2 ? `RUN aws configure set aws_secret_access_key ${SECRET}\n` : `RUN echo ok\n`,
    i % 7 === 3 ? `# aws_secret_access_key = ${SECRET}\n` : '',
    // `\s` of `aws configure set --profile` crosses the cut: the next FROM is the profile word.
    i % 11 === 5 ? `RUN aws configure set --profile\n` : '',
    `USER app\n\n`,
  ];
  return parts.join('');
}

function file(n: number, crossing: boolean): string {
  let t = `ARG BASE=ubuntu\nARG GITHUB_TOKEN=ghp_abcdefghijklmnop\n`;
  for (let i = 0; i < n; i++) {
    t += stage(i);
    if (crossing && i === 5) t += `RUN aws configure set --profile\nFROM aws_access_key_id literal-value-1\n`;
  }
  return t;
}

const key = (f: Finding) => JSON.stringify([f.ruleId, f.range, f.message, f.resource, f.fixes]);
const only = rules.filter((r) => r.id === 'docker-no-secrets' || r.id === 'no-hardcoded-credentials');

describe('Dockerfile facts kept across edits', () => {
  for (const crossing of [false, true]) {
    it(`incremental findings equal one-pass findings, edit after edit${crossing ? ' (match across a cut)' : ''}`, async () => {
      const warm = await Engine.create(defaultConfig(), only);
      const ws = memoryWorkspace([]);
      let text = file(30, crossing);
      let seed = 7;
      const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
      const snippets = ['x', '\n', `${KEY}`, 'AWS_SESSION_TOKEN=abc ', '\\\n', 'FROM ', '# ', 'ENV API_TOKEN=tok123\n', '$', `--profile\n`];
      let checked = 0;
      for (let step = 0; step < 60; step++) {
        const path = '/w/Dockerfile';
        const got = warm.lint({ path, text }, ws)!.findings.map(key);
        const fresh = await Engine.create(defaultConfig(), only, { incremental: false });
        const want = fresh.lint({ path, text }, ws)!.findings.map(key);
        assert.deepStrictEqual(got, want, `step ${step}`);
        if (want.length > 0) checked++;
        const at = rnd(text.length);
        text = rnd(4) === 0 ? text.slice(0, at) + text.slice(at + 1 + rnd(20)) : text.slice(0, at) + snippets[rnd(snippets.length)] + text.slice(at);
      }
      assert.ok(checked > 50);
      if (crossing) {
        // The crossing match is found (only through the whole-text scan).
        const one = await Engine.create(defaultConfig(), only, { incremental: false });
        const t = file(30, true);
        const f = one.lint({ path: '/w/Dockerfile', text: t }, ws)!.findings;
        assert.ok(f.some((x) => x.range.start === t.indexOf('literal-value-1')), 'crossing hit');
      }
    });
  }
});

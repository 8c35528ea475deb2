/**
 * docker-no-secrets' suggestion (a reviewed rewrite to a build secret mount):
 * the fixture runner applies exact fixes only, so the suggestion's edits are
 * checked here.
 */
import * as assert from 'node:assert/strict';
import { applyEdits } from '../../server/engine/fixer';
import type { Engine } from '../../server/engine/linter';
import rule from '../../rules/docker-no-secrets';
import { engineFor } from '../helpers/engine';

function suggest(engine: Engine, text: string): { text: string; titles: string[] } {
  const res = engine.lint({ path: '/w/Dockerfile', text });
  assert.ok(res);
  const findings = res.findings.filter((f) => f.ruleId === 'docker-no-secrets');
  assert.equal(findings.length, 1, `expected one finding, got ${findings.map((f) => f.message).join('; ')}`);
  const fix = findings[0].fixes[0];
  assert.equal(fix.kind, 'suggestion');
  return { text: applyEdits(text, fix.changes[0].edits), titles: findings[0].fixes.map((f) => f.title) };
}

function clean(engine: Engine, text: string): void {
  const res = engine.lint({ path: '/w/Dockerfile', text });
  assert.deepEqual(res?.findings.map((f) => f.ruleId), [], `not clean:\n${text}`);
}

describe('docker-no-secrets suggestion', () => {
  let engine: Engine;
  before(async () => {
    engine = await engineFor([rule]);
  });

  it('moves a build argument to a secret mount on every later RUN of its stage', () => {
    const input = [
      'FROM node:20-slim',
      'ARG NPM_TOKEN',
      'RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci',
      'RUN --network=none npm test',
      'RUN --mount=type=cache,target=/root/.npm NPM_TOKEN=$NPM_TOKEN npm publish',
      'FROM node:20-slim',
      'RUN npm --version',
      '',
    ].join('\n');
    const out = suggest(engine, input);
    // `npm test` reads the token through .npmrc without naming it: every RUN of the stage gets the mount, the next stage none.
    assert.equal(out.text, [
      'FROM node:20-slim',
      'RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci',
      'RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN --network=none npm test',
      'RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN --mount=type=cache,target=/root/.npm NPM_TOKEN=$NPM_TOKEN npm publish',
      'FROM node:20-slim',
      'RUN npm --version',
      '',
    ].join('\n'));
    assert.match(out.titles[0], /build secret/);
    clean(engine, out.text);
  });

  it('gives an ENV secret a mount only where a RUN names it', () => {
    const out = suggest(engine, 'FROM alpine:3.20\nENV API_TOKEN=abc\nRUN apk add --no-cache curl\nRUN curl -H "Authorization: $API_TOKEN" https://x\n');
    assert.equal(out.text, 'FROM alpine:3.20\nRUN apk add --no-cache curl\nRUN --mount=type=secret,id=api_token,env=API_TOKEN curl -H "Authorization: $API_TOKEN" https://x\n');
  });

  it('removes one variable of a multi-variable ENV and keeps the others', () => {
    const out = suggest(engine, 'FROM alpine:3.20\nENV A=1 DB_PASSWORD="s3cret" B=2\r\nCMD ["sh"]\r\n');
    assert.equal(out.text, 'FROM alpine:3.20\nENV A=1 B=2\r\nCMD ["sh"]\r\n');
    assert.match(out.titles[0], /Remove ENV DB_PASSWORD/);
    clean(engine, out.text);
    const first = suggest(engine, 'FROM alpine:3.20\nENV API_TOKEN=x A=1\n');
    assert.equal(first.text, 'FROM alpine:3.20\nENV A=1\n');
  });

  it('removes a whole continued instruction with its line break', () => {
    const out = suggest(engine, 'FROM alpine:3.20\nENV \\\n  GITHUB_TOKEN=x\nCMD ["sh"]\n');
    assert.equal(out.text, 'FROM alpine:3.20\nCMD ["sh"]\n');
  });
});

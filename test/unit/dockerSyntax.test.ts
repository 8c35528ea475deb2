/**
 * docker-syntax validates with dockerfile-utils, handing it the engine's own
 * dockerfile-ast parse instead of letting it parse the text again
 * (`validateParsed`): the problems must be those of a plain `validate`, on every
 * Dockerfile of the fixtures and examples, and the text must not be parsed twice.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { validateParsed } from '../../rules/docker-syntax';
import { isDockerfilePath, parseDockerfile } from '../../server/engine/dockerfile/parser';
import { ROOT, read } from '../helpers/engine';

function dockerfiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = nodePath.join(dir, e.name);
    if (e.isDirectory()) dockerfiles(p, out);
    else if (isDockerfilePath(p) && !/\.(findings|fixed)$/.test(p)) out.push(p);
  }
  return out;
}

describe('docker-syntax: validation over the engine parse', () => {
  const paths = [...dockerfiles(nodePath.join(ROOT, 'test', 'fixtures')), ...dockerfiles(nodePath.join(ROOT, 'examples'))];

  it('finds what dockerfile-utils finds on its own, on every Dockerfile fixture and example', () => {
    assert.ok(paths.length > 50, `${paths.length} Dockerfiles`);
    let problems = 0;
    for (const p of paths) {
      const text = read(p);
      const df = parseDockerfile(p, text);
      assert.ok(df.ast, p);
      const mine = validateParsed(text, df.ast, {});
      assert.deepEqual(mine, validate(text, {}), p);
      problems += mine.length;
    }
    assert.ok(problems > 10, `${problems} problems`);
  });

  it('does not parse the text again, and leaves the parser as it was', () => {
    const text = 'FROM alpine:3.20\nRUN apk add --no-cache curl\nEXPOSE 80/tcp\nCMD ["sh"]\n';
    const df = parseDockerfile('/w/Dockerfile', text);
    const parse = DockerfileParser.parse;
    let parsed = 0;
    DockerfileParser.parse = (content: string) => {
      parsed++;
      return parse.call(DockerfileParser, content);
    };
    try {
      const mine = validateParsed(text, df.ast, {});
      assert.equal(parsed, 0);
      assert.deepEqual(mine, validate(text, {}));
      assert.equal(parsed, 1);
    } finally {
      DockerfileParser.parse = parse;
    }
    assert.equal(DockerfileParser.parse, parse);
  });
});

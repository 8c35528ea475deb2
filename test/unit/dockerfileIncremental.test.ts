/**
 * The chunked, cached Dockerfile parse (parser.ts `chunkStarts`, `DfParseCache`)
 * must be indistinguishable from a parse of the whole text: same instructions,
 * ranges, stages, shell commands and `docker-syntax` errors, after any sequence of
 * edits (heredocs, continuations, comments, escape directives, CRLF included).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { validate, ValidationSeverity } from 'dockerfile-utils';
import { chunkStarts, newDfParseCache, parseDockerfile, type DfParseCache } from '../../server/engine/dockerfile/parser';
import type { DfFile } from '../../server/engine/dockerfile/model';
import { initShell, runCommands } from '../../server/engine/dockerfile/shell';
import { Engine } from '../../server/engine/linter';
import { defaultConfig } from '../../server/engine/config';
import { LineIndex } from '../../server/engine/positions';
import dockerSyntax from '../../rules/docker-syntax';
import { dockerfile as generated } from '../../scripts/bench/generate';
import { ROOT, filesUnder } from '../helpers/engine';
import { rng } from '../helpers/random';

function view(df: DfFile): unknown {
  // Field by field: moved instructions compute `argsMap` on demand (a getter).
  const instr = df.instructions.map((i) => ({
    keyword: i.keyword,
    range: i.range,
    keywordRange: i.keywordRange,
    argsText: i.argsText,
    argsMap: i.argsMap,
    argsRange: i.argsRange,
    args: i.args,
    flags: i.flags,
    heredocs: i.heredocs,
    json: i.json,
    properties: i.properties,
    commands: i.keyword === 'RUN' ? runCommands(i) : [],
  }));
  const at = (i: unknown) => df.instructions.indexOf(i as never);
  return {
    escapeChar: df.escapeChar,
    directives: df.directives,
    comments: df.comments,
    globalArgs: [...df.globalArgs],
    preamble: df.preamble.map(at),
    stages: df.stages.map((s) => ({ ...s, from: at(s.from), instructions: s.instructions.map(at) })),
    instr,
  };
}

const TRICKY = [
  '# syntax=docker/dockerfile:1',
  'ARG BASE=alpine:3.19',
  'FROM ${BASE} AS base',
  'RUN apk add curl \\',
  '# a comment inside the continuation',
  '',
  'FROM not-a-stage',
  'RUN <<EOF',
  'set -e',
  'FROM inside-a-heredoc',
  'EOF',
  'RUN true',
  'FROM debian AS two',
  'RUN echo hi \\   ',
  'FROM continued-with-spaces',
  'RUN ["sh", "-c", "apt-get update && apt-get install -y curl"]',
  '  FROM indented AS three',
  'ONBUILD RUN <<EOF',
  'FROM in-onbuild-heredoc',
  'EOF',
  'USER app',
  'from lower AS two',
  '# comment \\',
  'FROM after-comment-backslash',
  'FROM',
  'ENV A=${X:?err}',
  'COPY <<-X /etc/x',
  '\tFROM tabbed',
  '\tX',
  'FROM after-tabbed',
  '',
].join('\n');

const ALPHABET = [
  'a', ' ', '\n', '\\', '\\\n', '#', '"', '<<', '<<EOF\n', 'EOF\n', 'FROM x AS a\n', '\nFROM y AS a\n', 'RUN <<EOF\n',
  'RUN a && \\\n', 'COPY <<-T /t\n', '\tT\n', '\r\n', '`', '# escape=`\n', 'AS ', 'apt-get install -y z && ', '\nONBUILD ',
  '# dockerfile-utils: ignore\n', 'RUN apt-get update\n', '${BASE}', 'FROM\n',
];

describe('chunked Dockerfile parse', () => {
  let engine: Engine;
  before(async () => {
    await initShell();
    engine = await Engine.create(defaultConfig(), [dockerSyntax]);
  });

  const files = [...filesUnder(nodePath.join(ROOT, 'test', 'fixtures'), /(Dockerfile[^/]*|\.dockerfile)$/), ...filesUnder(nodePath.join(ROOT, 'examples'), /(Dockerfile[^/]*|\.dockerfile)$/)]
    .filter((f) => !/\.(findings|fixed)$/.test(f));
  const seeds: [string, string][] = [
    ['tricky', TRICKY],
    ['generated', generated(120)],
    ['generated-crlf', generated(60).replace(/\n/g, '\r\n')],
    ...files.map((f): [string, string] => [nodePath.relative(ROOT, f), fs.readFileSync(f, 'utf8')]),
  ];

  /** docker-syntax through the engine, against dockerfile-utils on the whole text. */
  function syntaxAgrees(text: string, path: string): void {
    const got = (engine.lint({ path: '/w/Dockerfile', text })?.findings ?? [])
      .filter((f) => f.ruleId === 'docker-syntax')
      .map((f) => `${f.range.start}-${f.range.end} ${f.message}`)
      .sort();
    const lines = new LineIndex(text);
    const settings = Object.fromEntries(
      ['deprecatedMaintainer', 'directiveCasing', 'emptyContinuationLine', 'instructionCasing', 'instructionCmdMultiple', 'instructionEntrypointMultiple',
        'instructionHealthcheckMultiple', 'instructionJSONInSingleQuotes', 'instructionWorkdirRelative'].map((k) => [k, ValidationSeverity.IGNORE]),
    );
    const df = parseDockerfile('/w/Dockerfile', text);
    let problems: ReturnType<typeof validate> = [];
    try {
      if (df.instructions.length > 0) problems = validate(text, settings);
    } catch {
      problems = [];
    }
    const want = problems
      .filter((p) => p.severity === 1)
      .map((p) => `${lines.positionToOffset(p.range.start)}-${lines.positionToOffset(p.range.end)} ${typeof p.message === 'string' ? p.message : p.message.value}`)
      .sort();
    assert.deepEqual(got, want, path);
  }

  it('finds Dockerfiles to check, and cuts them', () => {
    assert.ok(files.length >= 20, String(files.length));
    assert.ok(chunkStarts(generated(120)).length >= 8);
    // The FROMs in a continuation, heredoc bodies, an indented line and the first FROM are no cut.
    const cuts = chunkStarts(TRICKY).map((s) => TRICKY.slice(s, TRICKY.indexOf('\n', s)));
    assert.deepEqual(cuts, ['# syntax=docker/dockerfile:1', 'FROM debian AS two', 'from lower AS two', 'FROM']);
    assert.deepEqual(chunkStarts('# escape=`\nFROM a\nFROM b\n'), [0]);
  });

  it('parses every seed exactly as the whole-text parse does', () => {
    for (const [name, text] of seeds) {
      assert.deepEqual(view(parseDockerfile('/w/Dockerfile', text, newDfParseCache())), view(parseDockerfile('/w/Dockerfile', text)), name);
      syntaxAgrees(text, name);
    }
  });

  it('stays identical to the whole-text parse through random edits', function () {
    this.timeout(Math.max(30000, seeds.length * 1500));
    const rand = rng(7);
    for (const [name, seed] of seeds) {
      let text = seed;
      const cache: DfParseCache = newDfParseCache();
      for (let i = 0; i < 40; i++) {
        const pos = Math.floor(rand() * (text.length + 1));
        const r = rand();
        if (r < 0.25 && text.length > 0) text = text.slice(0, pos) + text.slice(pos + 1 + Math.floor(rand() * 20));
        else text = text.slice(0, pos) + ALPHABET[Math.floor(rand() * ALPHABET.length)] + text.slice(pos);
        assert.deepEqual(view(parseDockerfile('/w/Dockerfile', text, cache)), view(parseDockerfile('/w/Dockerfile', text)), `${name} after edit ${i}`);
        if (i % 4 === 0) syntaxAgrees(text, `${name} after edit ${i}`);
      }
    }
  });
});

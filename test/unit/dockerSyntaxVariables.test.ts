/**
 * docker-syntax validates with dockerfile-utils, skipping its variable check
 * for the instructions where it can report nothing and cannot fail
 * (`variablesCanReport`): the result (or the failure) must be that of
 * dockerfile-utils' own `validate`, on every file.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { validateParsed, variablesCanReport } from '../../rules/docker-syntax';
import { dockerfile as generated } from '../../scripts/bench/generate';
import { ROOT, dockerfileFixtures } from '../helpers/engine';
import { rng } from '../helpers/random';

const TRICKY = [
  'ARG BASE=alpine', 'FROM ${BASE} AS base', 'ENV A=${X:-y} B=${X:} C=${X:a} D=${X} E=$X', 'LABEL a=${A:+b} c=${A?}',
  'WORKDIR ${HOME:?x}', 'USER ${U:}:${G}', 'RUN echo ${X:} ${Y:-z}', 'CMD ${X:}', 'ENTRYPOINT ${X:q}', 'COPY ${S:} /d',
  'EXPOSE ${PORT:}', 'STOPSIGNAL ${S:x}', 'ENV F=${X \\', '  :-y}', 'ENV G=${X', 'FROM base', 'ENV H=${N:} I=$N',
].join('\n');

const ALPHABET = ['${X:}', '${X:-y}', '${X:q}', '${X}', '$X', ':', '}', '${', '\n', ' ', '\\\n', 'ENV A=', 'FROM a\n', '  ', '\t', 'RUN ', 'ARG B=${C:}\n', '  ENV Q=$X\n'];

function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    return { threw: String(e) };
  }
}

const same = (text: string) =>
  assert.deepEqual(outcome(() => validateParsed(text, undefined, {})), outcome(() => validate(text, {})), JSON.stringify(text));

describe('docker-syntax: dockerfile-utils variable check only where it can report', () => {
  const files = dockerfileFixtures();
  const texts: [string, string][] = [
    ['tricky', TRICKY],
    ['tricky, indented', TRICKY.replace(/\n/g, '\n  ')],
    ['indented preamble with a variable (dockerfile-ast recurses)', '  RUN echo $X\nFROM a\nENV A=$X\n'],
    ['generated', generated(200)],
    ...files.map((f): [string, string] => [nodePath.relative(ROOT, f), fs.readFileSync(f, 'utf8')]),
  ];

  for (const [name, text] of texts) {
    it(`validates as dockerfile-utils does: ${name}`, () => same(text));
  }

  it('validates as dockerfile-utils does on randomly edited files', () => {
    const next = rng(11);
    const bases = [TRICKY, generated(30), '  RUN echo $X\nFROM a\n', ...texts.slice(4, 20).map(([, t]) => t)];
    for (let n = 0; n < 400; n++) {
      let text = bases[n % bases.length];
      for (let e = 0; e < 4; e++) {
        const at = Math.floor(next() * (text.length + 1));
        text = text.slice(0, at) + ALPHABET[Math.floor(next() * ALPHABET.length)] + text.slice(at + (next() < 0.3 ? 3 : 0));
      }
      same(text);
    }
  });

  it('skips the instructions without a `:` after the first FROM, and only those', () => {
    const ast = DockerfileParser.parse('ENV P=$X\nFROM a:1\nENV A=$X\nENV B=${X:-y}\nRUN echo $X\nCOPY a b:c /d\nFROM b\nUSER $U\n') as any;
    assert.deepEqual(ast.getInstructions().map((i: any) => variablesCanReport(i)), [true, true, false, true, false, true, false, false]);
  });
});

/**
 * dockerfile-ast's arguments recorded per instruction (astMemo.ts) answer every
 * call as the library's own `getRawArguments` does: the same values and ranges,
 * in new objects each time (callers change them), so that every getter built on
 * them and dockerfile-utils' validation give what they give without the memo.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { DockerfileParser, Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { originalRawArguments } from '../../server/engine/dockerfile/astMemo';
import { dockerfile as generated } from '../../scripts/bench/generate';
import { ROOT, dockerfileFixtures } from '../helpers/engine';
import { rng } from '../helpers/random';

const proto = Instruction.prototype as unknown as { getRawArguments: () => unknown[] };
const memoized = proto.getRawArguments;

/** Runs `f` with dockerfile-ast's own method (the general path). */
function unmemoized<T>(f: () => T): T {
  proto.getRawArguments = originalRawArguments as () => unknown[];
  try {
    return f();
  } finally {
    proto.getRawArguments = memoized;
  }
}

const TRICKY = [
  '# escape=\\', 'ARG BASE=alpine:3.19', 'ARG V', 'FROM --platform=$BUILDPLATFORM ${BASE} AS base', 'RUN apk add curl \\', '# a comment', '',
  '  && echo "$V ${V:-x} ${V:+y} ${V?}"', 'ENV A=1 B="two words" C=${A}', 'ENV D $A', 'COPY --from=base --chown=app:app a b /c/',
  'RUN <<EOF', 'set -e', 'echo $A', 'EOF', 'RUN ["sh", "-c", "echo \\"$A\\""]', 'CMD ["a", \'b\']', 'FROM registry.example.com:5000/team/img:1.2@sha256:abc AS two',
  'ONBUILD RUN echo ${A}', 'EXPOSE ${PORT:-80}/tcp 443', 'STOPSIGNAL $SIG', 'HEALTHCHECK --interval=5s CMD curl -f http://x || exit 1',
  'LABEL a=b "c d"=e', 'USER ${U}:${G}', 'WORKDIR $HOME/x', 'ADD --chmod=755 https://x/y /z', 'SHELL ["/bin/bash", "-c"]', 'RUN a \\  ', '\tb',
  'FROM', 'RUN', 'ENV', 'ARG X=${Y', 'COPY <<-X /etc/x', '\tline $A', '\tX', 'from lower as three', 'run echo \\$escaped',
].join('\n');

const ALPHABET = [
  '\\', ' \\', '\\\n', '\n', ' ', '$', '${A}', '${A:-b}', '"', "'", '#', '<<EOF\n', 'EOF\n', 'FROM x AS a\n', 'RUN a && \\\n', '--flag=v ',
  '[', ']', '", "', '\r\n', '\t', 'ENV A=$B\n', '  RUN echo $X\n', '`', '=', 'AS ', ':', '@sha256:', '/',
];

/** What dockerfile-ast and dockerfile-utils say about `text`, through every getter that reads the arguments. */
function describeAll(text: string): unknown {
  const call = (f: () => unknown): unknown => {
    try {
      return f();
    } catch (e) {
      return { threw: String(e) };
    }
  };
  const ast = DockerfileParser.parse(text) as any;
  const instructions = [...ast.getInstructions(), ...ast.getOnbuildTriggers()];
  const out = instructions.map((i: any) => {
    const d: Record<string, unknown> = {};
    // Twice each: the second call answers from the record.
    for (let round = 0; round < 2; round++) {
      d[`args${round}`] = call(() => i.getArguments().map((a: any) => [a.getValue(), a.getRange()]));
      d[`range${round}`] = call(() => i.getArgumentsRange());
      d[`ranges${round}`] = call(() => i.getArgumentsRanges());
      d[`content${round}`] = call(() => [i.getArgumentsContent(), i.getRawArgumentsContent(), i.toString()]);
      d[`vars${round}`] = call(() => i.getVariables().map((v: any) => [v.getName(), v.getRange(), v.getModifier(), v.isDefined(), v.isBuildVariable()]));
      d[`expanded${round}`] = call(() => i.getExpandedArguments().map((a: any) => [a.getValue(), a.getRange()]));
      if (typeof i.getFlags === 'function') d[`flags${round}`] = call(() => i.getFlags().map((f: any) => [f.getName(), f.getValue(), f.getRange(), f.getValueRange()]));
      if (typeof i.getHeredocs === 'function') d[`heredocs${round}`] = call(() => i.getHeredocs().map((h: any) => [h.getName(), h.getRange(), h.getContentRange()]));
      if (typeof i.getProperties === 'function') d[`props${round}`] = call(() => i.getProperties().map((p: any) => [p.getName(), p.getValue(), p.getRange()]));
      if (typeof i.getImageNameRange === 'function') {
        // These move the ends of the first argument's range they are given.
        d[`image${round}`] = call(() => [i.getImageNameRange(), i.getRegistryRange(), i.getImageRange(), i.getImageName(), i.getImageTag(), i.getBuildStage(), i.getBuildStageRange()]);
      }
    }
    return d;
  });
  return { out, validation: call(() => validate(text, {})) };
}

describe('dockerfile-ast arguments recorded per instruction', () => {
  const files = dockerfileFixtures();
  const texts: [string, string][] = [
    ['tricky', TRICKY],
    ['tricky-crlf', TRICKY.replace(/\n/g, '\r\n')],
    ['tricky-backtick', '# escape=`\n' + TRICKY.replace(/\\/g, '`')],
    ['indented preamble with a variable (dockerfile-ast recurses)', '  RUN echo $X\nFROM a\n'],
    ['generated', generated(150)],
    ...files.map((f): [string, string] => [nodePath.relative(ROOT, f), fs.readFileSync(f, 'utf8')]),
  ];

  it('is installed', () => {
    assert.notEqual(memoized, originalRawArguments);
  });

  for (const [name, text] of texts) {
    it(`answers as dockerfile-ast does: ${name}`, () => {
      assert.deepEqual(describeAll(text), unmemoized(() => describeAll(text)));
    });
  }

  it('answers as dockerfile-ast does on randomly edited files', () => {
    const next = rng(7);
    const bases = [TRICKY, generated(40), ...texts.slice(5, 25).map(([, t]) => t)];
    for (let n = 0; n < 300; n++) {
      let text = bases[n % bases.length];
      for (let e = 0; e < 4; e++) {
        const at = Math.floor(next() * (text.length + 1));
        const cut = next() < 0.3 ? Math.floor(next() * 6) : 0;
        text = text.slice(0, at) + ALPHABET[Math.floor(next() * ALPHABET.length)] + text.slice(at + cut);
      }
      assert.deepEqual(describeAll(text), unmemoized(() => describeAll(text)), JSON.stringify(text));
    }
  });

  it('gives new objects on every call', () => {
    const ast = DockerfileParser.parse('FROM a:1 AS b\nRUN x y\n') as any;
    for (const i of ast.getInstructions()) {
      const first = i.getArguments();
      const again = i.getArguments();
      assert.deepEqual(first, again);
      assert.notEqual(first, again);
      assert.notEqual(first[0], again[0]);
      assert.notEqual(first[0].getRange(), again[0].getRange());
      assert.notEqual(first[0].getRange().start, again[0].getRange().start);
      first[0].getRange().start.character = 99;
      assert.deepEqual(i.getArguments(), again);
    }
  });
});

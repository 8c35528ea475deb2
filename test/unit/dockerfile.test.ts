import * as assert from 'node:assert/strict';
import type { DfFile, DfInstruction } from '../../server/engine/dockerfile/model';
import {
  expandVariables,
  isDockerfilePath,
  joinContinuations,
  parseDockerfile,
  splitImageReference,
} from '../../server/engine/dockerfile/parser';
import { initShell, runCommands } from '../../server/engine/dockerfile/shell';
import type { OffsetRange } from '../../server/engine/types';

const slice = (df: { text: string }, r: OffsetRange | null) => (r ? df.text.slice(r.start, r.end) : null);
const byKeyword = (df: DfFile, k: string, n = 0): DfInstruction => df.instructions.filter((i) => i.keyword === k)[n];

describe('dockerfile parser', () => {
  describe('stages', () => {
    const text = [
      'ARG BASE=node:20',
      'FROM --platform=$BUILDPLATFORM ${BASE} As Deps',
      'RUN npm ci',
      '',
      'FROM deps AS build',
      'RUN npm run build',
      'from gcr.io/distroless/nodejs20-debian12',
      'COPY --from=build /app /app',
      '',
    ].join('\n');
    const df = parseDockerfile('/w/Dockerfile', text);

    it('splits the file into preamble and stages', () => {
      assert.equal(df.format, 'dockerfile');
      assert.equal(df.path, '/w/Dockerfile');
      assert.deepEqual(df.preamble.map((i) => i.keyword), ['ARG']);
      assert.equal(df.stages.length, 3);
      assert.deepEqual(df.stages.map((s) => s.index), [0, 1, 2]);
      assert.deepEqual(df.stages.map((s) => s.instructions.map((i) => i.keyword)), [['FROM', 'RUN'], ['FROM', 'RUN'], ['FROM', 'COPY']]);
      assert.deepEqual(df.instructions.map((i) => i.keyword), ['ARG', 'FROM', 'RUN', 'FROM', 'RUN', 'FROM', 'COPY']);
    });

    it('reads stage names (any case of AS) with exact ranges', () => {
      assert.deepEqual(df.stages.map((s) => s.name), ['Deps', 'build', null]);
      assert.equal(slice(df, df.stages[0].nameRange), 'Deps');
      assert.equal(df.stages[0].nameRange!.start, text.indexOf('Deps'));
      assert.equal(df.stages[2].nameRange, null);
    });

    it('links a stage to the earlier stage it builds FROM, case-insensitively', () => {
      assert.deepEqual(df.stages.map((s) => s.parentStage), [null, 'Deps', null]);
    });

    it('gives each stage the range from its FROM to its last instruction', () => {
      assert.equal(slice(df, df.stages[1].range), 'FROM deps AS build\nRUN npm run build');
      assert.equal(slice(df, df.stages[0].from.range), 'FROM --platform=$BUILDPLATFORM ${BASE} As Deps');
      assert.equal(slice(df, df.stages[2].from.keywordRange), 'from');
      assert.equal(df.stages[2].from.keyword, 'FROM');
    });

    it('reads FROM flags with exact ranges', () => {
      const flags = df.stages[0].from.flags;
      assert.equal(flags.length, 1);
      assert.equal(flags[0].name, 'platform');
      assert.equal(flags[0].value, '$BUILDPLATFORM');
      assert.equal(slice(df, flags[0].range), '--platform=$BUILDPLATFORM');
      assert.equal(slice(df, flags[0].valueRange), '$BUILDPLATFORM');
      assert.equal(slice(df, df.stages[0].from.argsRange), '${BASE} As Deps');
      assert.equal(df.stages[0].from.argsText, '${BASE} As Deps');
    });

    it('resolves the image through global ARG defaults', () => {
      const img = df.stages[0].image;
      assert.deepEqual(
        { ...img },
        { raw: '${BASE}', resolved: 'node:20', registry: null, repository: 'node', tag: '20', digest: null, range: img.range, unresolved: false },
      );
      assert.equal(slice(df, img.range), '${BASE}');
      assert.equal(df.stages[2].image.registry, 'gcr.io');
      assert.equal(df.stages[2].image.repository, 'distroless/nodejs20-debian12');
      assert.equal(df.stages[2].image.tag, null);
    });
  });

  describe('ARG substitution in FROM', () => {
    const text = [
      'ARG REGISTRY=registry.example.com:5000',
      'ARG IMAGE=${REGISTRY}/team/app',
      'ARG VERSION',
      'ARG EMPTY=',
      'FROM $IMAGE:1.2.3',
      'FROM node:${VERSION}',
      'FROM node:${VERSION:-20-alpine}',
      'FROM alpine${EMPTY:+-never}:3.20',
      'FROM --platform=$TARGETPLATFORM golang:${TARGETARCH}',
      'FROM python:${UNDECLARED:-3.12}',
      'FROM scratch',
    ].join('\n');
    const df = parseDockerfile('Dockerfile', text);
    const images = df.stages.map((s) => s.image);

    it('collects global ARGs, their defaults expanded', () => {
      assert.deepEqual([...df.globalArgs], [
        ['REGISTRY', 'registry.example.com:5000'],
        ['IMAGE', 'registry.example.com:5000/team/app'],
        ['VERSION', null],
        ['EMPTY', ''],
      ]);
    });

    it('substitutes $NAME and ${NAME} and the default/alternative forms', () => {
      assert.deepEqual(images.map((i) => i.resolved), [
        'registry.example.com:5000/team/app:1.2.3',
        'node:${VERSION}',
        'node:20-alpine',
        'alpine:3.20',
        'golang:${TARGETARCH}',
        'python:3.12',
        'scratch',
      ]);
      assert.deepEqual(images.map((i) => i.unresolved), [false, true, false, false, true, false, false]);
    });

    it('splits registry, repository and tag of the resolved reference', () => {
      assert.deepEqual(
        { registry: images[0].registry, repository: images[0].repository, tag: images[0].tag },
        { registry: 'registry.example.com:5000', repository: 'team/app', tag: '1.2.3' },
      );
      assert.equal(images[1].tag, '${VERSION}');
      assert.equal(images[6].repository, 'scratch');
    });
  });

  describe('splitImageReference', () => {
    it('follows Docker reference grammar', () => {
      assert.deepEqual(splitImageReference('ubuntu'), { registry: null, repository: 'ubuntu', tag: null, digest: null });
      assert.deepEqual(splitImageReference('library/ubuntu:24.04'), { registry: null, repository: 'library/ubuntu', tag: '24.04', digest: null });
      assert.deepEqual(splitImageReference('localhost/app'), { registry: 'localhost', repository: 'app', tag: null, digest: null });
      assert.deepEqual(splitImageReference('localhost:5000/x/y:2'), { registry: 'localhost:5000', repository: 'x/y', tag: '2', digest: null });
      assert.deepEqual(
        splitImageReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0@sha256:abcd'),
        { registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', repository: 'app', tag: '1.0', digest: 'sha256:abcd' },
      );
      assert.deepEqual(splitImageReference('alpine@sha256:ff'), { registry: null, repository: 'alpine', tag: null, digest: 'sha256:ff' });
    });
  });

  describe('expandVariables', () => {
    const vars = new Map<string, string | null>([['A', 'x'], ['E', ''], ['N', null]]);
    const cases: [string, string, boolean][] = [
      ['$A-${A}', 'x-x', false],
      ['${E:-d}|${E-d}', 'd|', false],
      ['${A:+alt}|${E:+alt}|${E+alt}', 'alt||alt', false],
      ['${N:-d}', 'd', false],
      ['${N}', '${N}', true],
      ['${N:?must be set}', '${N:?must be set}', true],
      ['${A#x}', '${A#x}', true],
      ['\\$A', '$A', false],
      ['$ 1 $', '$ 1 $', false],
      ['${UNCLOSED', '${UNCLOSED', true],
      ['${A:-${N:-deep}}', 'x', false],
      ['${N:-${A}y}', 'xy', false],
    ];
    for (const [input, value, unresolved] of cases) {
      it(`${input} -> ${value}`, () => assert.deepEqual(expandVariables(input, vars), { value, unresolved }));
    }
  });

  describe('instructions', () => {
    it('joins continuation lines and drops comment and empty lines inside them', () => {
      const text = 'FROM alpine\nRUN apk add \\\n  # a comment\n\n  curl \\  \n  jq\n';
      const df = parseDockerfile('Dockerfile', text);
      const run = byKeyword(df, 'RUN');
      assert.equal(run.argsText, 'apk add   curl   jq');
      assert.equal(run.argsMap.length, run.argsText.length + 1);
      // Every character maps back to the same character of the file.
      for (let i = 0; i < run.argsText.length; i++) assert.equal(text[run.argsMap[i]], run.argsText[i], `char ${i}`);
      assert.equal(run.argsMap[run.argsText.length], text.indexOf('jq') + 2);
      assert.equal(slice(df, run.range), 'RUN apk add \\\n  # a comment\n\n  curl \\  \n  jq');
      assert.deepEqual(run.args.map((a) => a.value), ['apk', 'add', 'curl', 'jq']);
    });

    it('keeps exact offsets with CRLF line breaks and characters outside the BMP', () => {
      const text = 'LABEL x="🐳"\r\nFROM alpine:3.20 AS base\r\nRUN echo a && \\\r\n    echo b\r\nCMD ["sh"]\r\n';
      const df = parseDockerfile('Dockerfile', text);
      const run = byKeyword(df, 'RUN');
      assert.equal(run.range.start, text.indexOf('RUN'));
      assert.equal(run.range.end, text.indexOf('echo b') + 'echo b'.length);
      assert.equal(run.argsText, 'echo a &&     echo b');
      for (let i = 0; i < run.argsText.length; i++) assert.equal(text[run.argsMap[i]], run.argsText[i]);
      assert.equal(slice(df, df.stages[0].nameRange), 'base');
      assert.equal(slice(df, byKeyword(df, 'CMD').range), 'CMD ["sh"]');
      assert.deepEqual(byKeyword(df, 'CMD').json, ['sh']);
      const label = byKeyword(df, 'LABEL');
      assert.deepEqual(label.properties.map((p) => [p.name, p.value, slice(df, p.valueRange)]), [['x', '🐳', '"🐳"']]);
    });

    it('reads heredocs and keeps their bodies verbatim', () => {
      const text = 'FROM alpine\nRUN <<EOF bash\nset -e\necho "$HOME" \\\n  more\nEOF\nCOPY <<-A <<B /dst/\n\tone\n\tA\ntwo\nB\n';
      const df = parseDockerfile('Dockerfile', text);
      const run = byKeyword(df, 'RUN');
      assert.equal(run.heredocs.length, 1);
      const h = run.heredocs[0];
      assert.equal(h.name, 'EOF');
      assert.equal(h.content, 'set -e\necho "$HOME" \\\n  more');
      assert.equal(slice(df, h.contentRange), h.content);
      assert.equal(slice(df, h.startRange), '<<EOF');
      assert.equal(slice(df, h.delimiterRange), 'EOF');
      assert.equal(run.argsText, '<<EOF bash\nset -e\necho "$HOME" \\\n  more\nEOF');
      for (let i = 0; i < run.argsText.length; i++) assert.equal(text[run.argsMap[i]], run.argsText[i]);
      const copy = byKeyword(df, 'COPY');
      assert.deepEqual(copy.heredocs.map((x) => [x.name, x.content]), [['A', '\tone'], ['B', 'two']]);
      assert.equal(df.instructions.length, 3);
    });

    it('honours the escape directive', () => {
      const text = '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir C:\\ && `\n    echo done\nWORKDIR C:\\app\\\n';
      const df = parseDockerfile('Dockerfile', text);
      assert.equal(df.escapeChar, '`');
      assert.deepEqual(df.directives.map((d) => [d.name, d.value, slice(df, d.valueRange)]), [['escape', '`', '`']]);
      assert.equal(byKeyword(df, 'RUN').argsText, 'dir C:\\ &&     echo done');
      assert.equal(byKeyword(df, 'WORKDIR').argsText, 'C:\\app\\');
      assert.equal(df.instructions.length, 3);
    });

    it('reads flags of RUN and COPY, leaving them out of the arguments', () => {
      const text = 'FROM alpine\nRUN --mount=type=cache,target=/root/.cache \\\n    --network=none pip wheel .\nCOPY --from=build --chmod=755 /a /b\n';
      const df = parseDockerfile('Dockerfile', text);
      const run = byKeyword(df, 'RUN');
      assert.deepEqual(run.flags.map((f) => [f.name, f.value, slice(df, f.range)]), [
        ['mount', 'type=cache,target=/root/.cache', '--mount=type=cache,target=/root/.cache'],
        ['network', 'none', '--network=none'],
      ]);
      assert.equal(run.argsText, 'pip wheel .');
      const copy = byKeyword(df, 'COPY');
      assert.deepEqual(copy.flags.map((f) => [f.name, f.value]), [['from', 'build'], ['chmod', '755']]);
      assert.deepEqual(copy.args.map((a) => [a.value, slice(df, a.range)]), [['/a', '/a'], ['/b', '/b']]);
      assert.equal(byKeyword(df, 'FROM').flags.length, 0);
    });

    it('reads exec form as JSON only when it is a valid string array', () => {
      const df = parseDockerfile('Dockerfile', 'FROM a\nCMD ["node", "x.js"]\nENTRYPOINT [\'sh\']\nRUN ["a", 1]\n');
      assert.deepEqual(byKeyword(df, 'CMD').json, ['node', 'x.js']);
      assert.equal(byKeyword(df, 'ENTRYPOINT').json, null);
      assert.equal(byKeyword(df, 'RUN').json, null);
    });

    it('reads ENV and ARG properties', () => {
      const df = parseDockerfile('Dockerfile', 'FROM a\nENV A=1 B="two words"\nENV LEGACY value with spaces\nARG TOKEN\n');
      assert.deepEqual(byKeyword(df, 'ENV').properties.map((p) => [p.name, p.value]), [['A', '1'], ['B', 'two words']]);
      assert.deepEqual(byKeyword(df, 'ENV', 1).properties.map((p) => [p.name, p.value]), [['LEGACY', 'value with spaces']]);
      assert.deepEqual(byKeyword(df, 'ARG').properties.map((p) => [p.name, p.value]), [['TOKEN', null]]);
    });
  });

  describe('never throws', () => {
    before(() => initShell());
    const inputs: [string, string][] = [
      ['empty', ''],
      ['only comments', '# syntax=docker/dockerfile:1\n# nothing here\n'],
      ['binary garbage', '\u0000\u0001\u00ff\ufffd\ud800 FROM \\\n\\\n<<'],
      ['only a continuation', '\\'],
      ['unterminated heredoc', 'FROM a\nRUN <<EOF\necho'],
      ['FROM without image', 'FROM\nFROM --platform=x\n'],
      ['lone CRs', 'FROM a\rRUN b \\\rc\r'],
      ['unclosed variable', 'ARG A=${B\nFROM ${A'],
    ];
    for (const [name, text] of inputs) {
      it(name, () => {
        const df = parseDockerfile('Dockerfile', text);
        assert.equal(df.text, text);
        for (const i of df.instructions) {
          assert.ok(i.range.start >= 0 && i.range.end <= text.length && i.range.start <= i.range.end);
          assert.equal(i.argsMap.length, i.argsText.length === 0 && !i.argsRange ? 0 : i.argsText.length + 1);
          runCommands(i);
        }
      });
    }
    it('has no stages for an empty file and for comments only', () => {
      assert.deepEqual(parseDockerfile('Dockerfile', '').stages, []);
      assert.deepEqual(parseDockerfile('Dockerfile', '# only\n').instructions, []);
    });
    it('gives a FROM without image an empty image at the end of the keyword', () => {
      const df = parseDockerfile('Dockerfile', 'FROM\n');
      assert.equal(df.stages.length, 1);
      assert.deepEqual(df.stages[0].image.range, { start: 4, end: 4 });
      assert.equal(df.stages[0].image.raw, '');
    });
  });

  describe('joinContinuations', () => {
    it('copies verbatim ranges as they are', () => {
      const text = 'a \\\nb\nkeep \\\nthis\nEND';
      const body = { start: text.indexOf('keep'), end: text.length };
      assert.equal(joinContinuations(text, 0, text.length, '\\', [body]).text, 'a b\nkeep \\\nthis\nEND');
      assert.equal(joinContinuations(text, 0, text.length, '\\').text, 'a b\nkeep this\nEND');
    });
  });

  describe('isDockerfilePath', () => {
    const yes = ['Dockerfile', '/repo/Dockerfile', 'C:\\repo\\dockerfile', 'DOCKERFILE', 'Containerfile', 'Dockerfile.dev',
      'Dockerfile.prod.alpine', 'Dockerfile.ubuntu-22.04', 'containerfile.windows', 'api.dockerfile', 'api.Dockerfile', 'x/build.containerfile'];
    const no = ['Dockerfile.md', 'dockerfile.MD', 'Dockerfile.tmpl', 'Dockerfile.j2', 'Dockerfile.bak', 'Dockerfile.json',
      '.dockerignore', 'Dockerfile.dockerignore', 'api.dockerfile.dockerignore', 'Dockerfile.', 'Dockerfiles', 'my-Dockerfile',
      'dockerfile.yaml', 'main.tf', 'dockerfile/README', '.dockerfile', 'dockerfile.vim', 'dockerfile.test.js.map', 'Dockerfile.tmpl.dev'];
    for (const p of yes) it(`${p} is a Dockerfile`, () => assert.equal(isDockerfilePath(p), true));
    for (const p of no) it(`${p} is not a Dockerfile`, () => assert.equal(isDockerfilePath(p), false));
  });
});

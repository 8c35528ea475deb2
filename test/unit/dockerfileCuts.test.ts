/**
 * The cut points of a Dockerfile found from the previous text's scan
 * (parser.ts `chunkStartsAfter`: resumes at the last cut before the change,
 * stops at the first earlier cut after it reached in the same state) are those
 * of a scan of the whole text, edit after edit.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { chunkStarts, chunkStartsAfter, type CutScan } from '../../server/engine/dockerfile/parser';
import { dockerfile as generated } from '../../scripts/bench/generate';
import { ROOT, filesUnder } from '../helpers/engine';
import { rng } from '../helpers/random';

const TRICKY = [
  '# syntax=docker/dockerfile:1', 'ARG BASE=alpine:3.19', 'FROM ${BASE} AS base', 'RUN apk add curl \\', '# a comment inside the continuation', '',
  'FROM not-a-stage', 'RUN <<EOF', 'set -e', 'FROM inside-a-heredoc', 'EOF', 'RUN true', 'FROM debian AS two', 'RUN echo hi \\   ',
  'FROM continued-with-spaces', '  FROM indented AS three', 'ONBUILD RUN <<EOF', 'FROM in-onbuild-heredoc', 'EOF', 'USER app', 'from lower AS two',
  '# comment \\', 'FROM after-comment-backslash', 'FROM', 'COPY <<-X /etc/x', '\tFROM tabbed', '\tX', 'FROM after-tabbed', '',
].join('\n');

const ALPHABET = [
  '\\', ' \\', '\\ ', 'a', ' ', '\n', '\\', '\\\n', '#', '<<', '<<EOF\n', 'EOF\n', 'FROM x AS a\n', '\nFROM y AS a\n', 'RUN <<EOF\n', 'RUN a && \\\n',
  'COPY <<-T /t\n', '\tT\n', '\r\n', 'escape', '# esc', 'FROM\n', 'FROM ', 'F', '<', 'RUN x \\\n# c\n\n', '=', 'ape=',
];
const DOUBTS = ['\r', '# escape=`\n', 'escape='];

describe('Dockerfile cut points from the previous scan', () => {
  const files = [...filesUnder(nodePath.join(ROOT, 'test', 'fixtures'), /(Dockerfile[^/]*|\.dockerfile)$/)].filter((f) => !/\.(findings|fixed)$/.test(f));
  const seeds: [string, string][] = [
    ['tricky', TRICKY],
    ['generated', generated(200)],
    ['generated-crlf', generated(80).replace(/\n/g, '\r\n')],
    ...files.slice(0, 30).map((f): [string, string] => [nodePath.relative(ROOT, f), fs.readFileSync(f, 'utf8')]),
  ];

  it('equal a whole scan through random edits (local ones mostly, as typing)', function () {
    this.timeout(60000);
    const rand = rng(11);
    let checked = 0;
    for (const [name, seed] of seeds) {
      let text = seed;
      let scan: CutScan | undefined = chunkStartsAfter(text, undefined);
      assert.deepEqual(scan.starts, chunkStarts(text), name);
      let cursor = Math.floor(text.length / 2);
      for (let i = 0; i < 120; i++) {
        // Typing near a cursor, with jumps now and then.
        if (rand() < 0.15) cursor = Math.floor(rand() * (text.length + 1));
        // Or to the end of the line before a FROM (a `\\` there continues into it).
        else if (rand() < 0.1) {
          const at = text.indexOf('\nFROM', Math.floor(rand() * text.length));
          if (at >= 0) cursor = at;
        }
        cursor = Math.min(cursor, text.length);
        const r = rand();
        if (r < 0.2 && text.length > 0) text = text.slice(0, cursor) + text.slice(cursor + 1 + Math.floor(rand() * 12));
        else {
          // The doubts that turn cutting off for good (a lone CR, an escape directive) now and then only.
          const pool = rand() < 0.04 ? DOUBTS : ALPHABET;
          const s = pool[Math.floor(rand() * pool.length)];
          text = text.slice(0, cursor) + s + text.slice(cursor);
          cursor += s.length;
        }
        scan = chunkStartsAfter(text, scan);
        assert.deepEqual(scan.starts, chunkStarts(text), `${name} after edit ${i}`);
        if (scan.starts.length > 2) checked++;
      }
    }
    assert.ok(checked > 100, String(checked));
  });
});

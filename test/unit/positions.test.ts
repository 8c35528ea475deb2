import * as assert from 'node:assert/strict';
import { LineIndex } from '../../server/engine/positions';
import { changedSpan } from '../../server/engine/textDiff';
import { rng } from '../helpers/random';

describe('LineIndex (offset <-> LSP position)', () => {
  it('maps offsets in LF text', () => {
    const li = new LineIndex('ab\ncd\n');
    assert.deepEqual(li.offsetToPosition(0), { line: 0, character: 0 });
    assert.deepEqual(li.offsetToPosition(2), { line: 0, character: 2 });
    assert.deepEqual(li.offsetToPosition(3), { line: 1, character: 0 });
    assert.deepEqual(li.offsetToPosition(6), { line: 2, character: 0 });
    assert.equal(li.lineCount, 3);
  });
  it('treats CRLF as one line break and a lone CR as a line break', () => {
    const li = new LineIndex('a\r\nb\rc');
    assert.deepEqual(li.offsetToPosition(3), { line: 1, character: 0 });
    assert.deepEqual(li.offsetToPosition(5), { line: 2, character: 0 });
    assert.equal(li.lineEnd(0), 1);
    assert.equal(li.eol, '\r\n');
  });
  it('counts a tab as one character', () => {
    const li = new LineIndex('\tkey: v');
    assert.deepEqual(li.offsetToPosition(1), { line: 0, character: 1 });
    assert.equal(li.indentAt(3), '\t');
  });
  it('counts UTF-16 code units for emoji (surrogate pairs) and combining marks', () => {
    const text = 'x: "😀é"\ny';
    const li = new LineIndex(text);
    assert.deepEqual(li.offsetToPosition(text.indexOf('é')), { line: 0, character: 6 });
    assert.deepEqual(li.offsetToPosition(text.indexOf('y')), { line: 1, character: 0 });
    const combining = 'e\u0301z';
    assert.deepEqual(new LineIndex(combining).offsetToPosition(2), { line: 0, character: 2 });
  });
  it('round-trips every offset', () => {
    const text = 'a\r\n\tb😀\n\ncé\r';
    const li = new LineIndex(text);
    for (let o = 0; o <= text.length; o++) {
      if (text[o - 1] === '\r' && text[o] === '\n') continue; // between \r and \n is not a position
      assert.equal(li.positionToOffset(li.offsetToPosition(o)), o, `offset ${o}`);
    }
  });
  it('clamps out-of-range input', () => {
    const li = new LineIndex('ab\ncd');
    assert.deepEqual(li.offsetToPosition(-5), { line: 0, character: 0 });
    assert.deepEqual(li.offsetToPosition(99), { line: 1, character: 2 });
    assert.equal(li.positionToOffset({ line: 0, character: 99 }), 2);
    assert.equal(li.positionToOffset({ line: 9, character: 0 }), 5);
  });

  describe('derived from the previous version of the document', () => {
    const rand = rng(7);
    const pieces = ['a', 'b', ' ', '\n', '\r', '\r\n', '😀', 'é', '\n\r'];
    const piece = () => pieces[Math.floor(rand() * pieces.length)];
    const randomText = (n: number) => {
      let t = '';
      while (t.length < n) t += piece();
      return t;
    };
    const same = (derived: LineIndex, text: string, what: string) => {
      const fresh = new LineIndex(text);
      assert.deepEqual(derived.lineStarts, fresh.lineStarts, what);
      assert.equal(derived.text, text, what);
      for (const o of [0, text.length, Math.floor(rand() * (text.length + 1))]) {
        assert.deepEqual(derived.offsetToPosition(o), fresh.offsetToPosition(o), `${what}, offset ${o}`);
      }
    };

    it('equals a fresh index over random edits (CRLF, lone CR, emoji), chained version after version', () => {
      for (let doc = 0; doc < 200; doc++) {
        let text = randomText(Math.floor(rand() * (doc % 20 === 0 ? 2000 : 40)));
        let li = new LineIndex(text);
        for (let edit = 0; edit < 30; edit++) {
          // Insert, delete or replace at a random place (inside a CRLF or a surrogate pair too).
          const at = Math.floor(rand() * (text.length + 1));
          const del = rand() < 0.5 ? 0 : Math.floor(rand() * Math.min(6, text.length - at + 1));
          const ins = rand() < 0.3 ? '' : randomText(1 + Math.floor(rand() * 4));
          const next = text.slice(0, at) + ins + text.slice(at + del);
          // The span of the edit as made, and the (smaller or equal) span changedSpan finds: both must do.
          const made = { start: at, oldEnd: at + del, newEnd: at + ins.length };
          const span = rand() < 0.5 ? made : changedSpan(text, next);
          const derived = new LineIndex(next, li, span);
          same(derived, next, `doc ${doc} edit ${edit}: ${JSON.stringify(text)} -> ${JSON.stringify(next)}`);
          text = next;
          li = derived;
        }
      }
    });

    it('handles edits at the very start and end, and to and from empty text', () => {
      const cases: [string, string][] = [
        ['', '\r'], ['\r', ''], ['\r', '\r\n'], ['\r\n', '\r'], ['\n', '\r\n'], ['a\r', 'a\r\n'],
        ['\nb', 'b'], ['x\r\ny', 'x\ry'], ['😀\r', '\r😀\n'], ['a\n', 'a\n\n\r'],
      ];
      for (const [a, b] of cases) same(new LineIndex(b, new LineIndex(a), changedSpan(a, b)), b, `${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
    });

    it('can fail: a wrong span gives a different index', () => {
      const a = 'ab\ncd\nef';
      const b = 'ab\ncd\n\nef';
      assert.notDeepEqual(new LineIndex(b, new LineIndex(a), { start: 0, oldEnd: 0, newEnd: 0 }).lineStarts, new LineIndex(b).lineStarts);
    });
  });
});

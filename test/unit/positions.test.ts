import * as assert from 'node:assert/strict';
import { LineIndex } from '../../server/engine/positions';

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
});

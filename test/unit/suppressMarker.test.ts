/**
 * `mentionsMarker`: the whole-text test for suppression syntax, searched only
 * around the change when the last text of the path held none, must answer as
 * the whole-text search does, edit after edit (markers built and broken a
 * character at a time, at the edges of the change).
 */
import * as assert from 'node:assert/strict';
import { mentionsMarker } from '../../server/engine/suppress';

const MARKER = /iac-lint-ignore|checkov:skip|(?:trivy|tfsec):ignore|tflint-ignore|hadolint/;
const MARKERS = ['iac-lint-ignore', 'checkov:skip', 'trivy:ignore', 'tfsec:ignore', 'tflint-ignore', 'hadolint'];

describe('suppression marker test', () => {
  it('answers as a search of the whole text over random edits', () => {
    let seed = 11;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let taken = 0;
    for (let doc = 0; doc < 40; doc++) {
      const path = `/m/${doc}.yaml`;
      let text = 'Resources:\n  A:\n    Type: AWS::EC2::Volume\n'.repeat(1 + rnd(5));
      for (let i = 0; i < 200; i++) {
        const at = rnd(text.length + 1);
        const op = rnd(5);
        if (op === 0) text = text.slice(0, at) + text.slice(at + 1 + rnd(6));
        else if (op === 1) {
          // A piece of a marker: markers appear and disappear across edits.
          const m = MARKERS[rnd(MARKERS.length)];
          const a = rnd(m.length);
          text = text.slice(0, at) + m.slice(a, a + 1 + rnd(m.length - a)) + text.slice(at);
        } else if (op === 2) {
          // A marker typed in two edits: the second completes it from the left or the right of the change.
          const m = MARKERS[rnd(MARKERS.length)];
          const cut = 1 + rnd(m.length - 1);
          const first = rnd(2) === 0;
          text = text.slice(0, at) + (first ? m.slice(0, cut) : m.slice(cut)) + text.slice(at);
          assert.equal(mentionsMarker(text, path), MARKER.test(text));
          text = first ? text.slice(0, at + cut) + m.slice(cut) + text.slice(at + cut) : text.slice(0, at) + m.slice(0, cut) + text.slice(at);
        } else text = text.slice(0, at) + 'ab\n'.slice(rnd(3)) + text.slice(at);
        const want = MARKER.test(text);
        if (want) taken++;
        assert.equal(mentionsMarker(text, path), want, `doc ${doc} edit ${i}`);
        assert.equal(mentionsMarker(text, path), want);
        if (want) {
          // Broken again (their last character deleted), so that the next edits start from a text without one.
          text = text.replace(/iac-lint-ignore|checkov:skip|(?:trivy|tfsec):ignore|tflint-ignore|hadolint/g, (m) => m.slice(0, -1));
          assert.equal(mentionsMarker(text, path), MARKER.test(text));
        }
      }
    }
    assert.ok(taken > 100, `markers present in only ${taken} texts`);
  });
});

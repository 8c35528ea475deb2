/**
 * `tfContextText` keeps the last context text of a path across an edit inside
 * one resource block: it must always equal the text built from scratch.
 */
import * as assert from 'node:assert/strict';
import { initTerraform, parseTerraform } from '../../server/engine/terraform/parser';
import { tfContextText } from '../../server/engine/units';
import type { TfFile } from '../../server/engine/terraform/model';
import { TF_VARIABLES, terraform } from '../../scripts/bench/generate';

function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

let fresh = 0;
/** The context text of `text` built from scratch (a path never seen before). */
function built(text: string, vars: TfFile): string {
  const path = `/fresh${fresh++}/main.tf`;
  const file = parseTerraform(path, text);
  return tfContextText({ dir: '/m', files: [file, vars] }, file);
}

describe('tfContextText across edits', () => {
  before(async () => {
    await initTerraform();
  });

  it('equals the context built afresh after edits inside, between and across blocks', () => {
    const vars = parseTerraform('/m/variables.tf', TF_VARIABLES);
    let text = terraform(400);
    let file = parseTerraform('/m/main.tf', text);
    const module = (f: TfFile) => ({ dir: '/m', files: [f, vars] });
    assert.equal(tfContextText(module(file), file), built(text, vars));
    const random = rng(7);
    const snippets = ['a', '"', '\n', '}', '{', '# c\n', 'resource "aws_s3_bucket" "x" {\n}\n', ' = 1\n', ''];
    let kept = 0;
    for (let k = 0; k < 200; k++) {
      // Mostly typing inside blocks (the kept path), sometimes anywhere.
      const at = Math.floor(random() * text.length);
      const del = random() < 0.3 ? Math.floor(random() * 4) : 0;
      const ins = snippets[Math.floor(random() * snippets.length)];
      text = text.slice(0, at) + ins + text.slice(Math.min(text.length, at + del));
      const prev = tfContextText(module(file), file);
      file = parseTerraform('/m/main.tf', text, file);
      const got = tfContextText(module(file), file);
      if (got === prev) kept++;
      assert.equal(got, built(text, vars), `edit ${k} at ${at}`);
    }
    // The kept path is exercised (a mutation that never keeps it would still pass the equalities).
    assert.ok(kept > 15, `kept ${kept}`);
  });
});

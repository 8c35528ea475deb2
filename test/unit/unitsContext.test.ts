/**
 * `tfContextText` keeps the last context text of a path across an edit inside
 * one resource block: it must always equal the text built from scratch.
 */
import * as assert from 'node:assert/strict';
import { initTerraform, parseTerraform } from '../../server/engine/terraform/parser';
import { cfnContextText, cfnPairCounts, tfContextText } from '../../server/engine/units';
import { parseCloudFormation } from '../../server/engine/cloudformation/parser';
import { newPieceCache } from '../../server/engine/cloudformation/incremental';
import type { TfFile } from '../../server/engine/terraform/model';
import { TF_VARIABLES, cloudFormationJson, cloudFormationYaml, terraform } from '../../scripts/bench/generate';
import { rng } from '../helpers/random';

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

describe('CloudFormation context and line pairs across edits', () => {
  for (const [name, make] of [['YAML', () => cloudFormationYaml(300)], ['JSON', () => cloudFormationJson(300)]] as const) {
    it(`equal those of a fresh parse after edits inside, between and across resources (${name})`, () => {
      let text = make();
      const cache = newPieceCache();
      let tpl = parseCloudFormation('/c/template', text, cache)!;
      const fresh = (t: string) => parseCloudFormation(`/fresh${freshCfn++}/template`, t)!;
      const random = rng(11);
      const snippets = ['a', ' ', '\n', '- x\n', '  - y\n', 'Tags:\n', ':', '"', '}', ''];
      let kept = 0;
      for (let k = 0; k < 150; k++) {
        const prevContext = cfnContextText(tpl);
        cfnPairCounts(tpl);
        const at = Math.floor(random() * text.length);
        const del = random() < 0.3 ? Math.floor(random() * 4) : 0;
        text = text.slice(0, at) + snippets[Math.floor(random() * snippets.length)] + text.slice(Math.min(text.length, at + del));
        const next = parseCloudFormation('/c/template', text, cache);
        if (!next) continue;
        tpl = next;
        const f = fresh(text);
        const context = cfnContextText(tpl);
        if (context === prevContext) kept++;
        assert.equal(context, cfnContextText(f), `context after edit ${k} at ${at}`);
        assert.deepEqual(cfnPairCounts(tpl), cfnPairCounts(f), `pairs after edit ${k} at ${at}`);
      }
      assert.ok(kept > 10, `kept ${kept}`);
    });
  }
});
let freshCfn = 0;

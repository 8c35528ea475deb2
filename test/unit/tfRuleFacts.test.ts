/**
 * Facts the Terraform rules take from a cheaper source than the general one
 * must equal it: references of one top-level block (the model's per-block
 * references) against the file's references inside the block, on every fixture
 * and on a generated module edited line by line (blocks copied from the last
 * version, moved); a file with syntax errors falls back to the general path.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { filesUnder } from '../helpers/engine';
import type { TfFile } from '../../server/engine/terraform/model';
import { initTerraform, parseTerraform } from '../../server/engine/terraform/parser';
import { tfBlockRefs, tfBlockRefsIn, tfRefsIn } from '../../rules/lib/ec2';
import { tfResourceBlocks } from '../../rules/lib/tfBlocks';
import { resourcesOfType } from '../../server/engine/terraform/values';
import { terraform, TF_VARIABLES } from '../../scripts/bench/generate';

const ROOT = path.join(__dirname, '..', '..', '..', 'test');


/** Every top-level block's references, both ways; every local's too. Returns how many blocks had references. */
function checkFile(file: TfFile, label: string): number {
  let withRefs = 0;
  for (const b of file.blocks) {
    // Read the block's own first (the file's references not queried yet), then the file's.
    const own = tfBlockRefs(file, b);
    const whole = tfRefsIn(file, b.range);
    assert.deepEqual(own, whole, `${label}: ${b.type} ${b.labels.map((l) => l.value).join(' ')}`);
    if (own.length) withRefs++;
  }
  for (const l of file.locals) {
    if (l.block) assert.deepEqual(tfBlockRefsIn(file, l.block, l.expr.range), tfRefsIn(file, l.expr.range), `${label}: local.${l.name}`);
  }
  return withRefs;
}

describe('Terraform rule facts from cheaper sources', () => {
  before(async () => {
    await initTerraform();
  });

  it('per-block references equal the file references inside the block (every fixture)', () => {
    const files = filesUnder(path.join(ROOT, 'fixtures'), /\.tf$/).concat(filesUnder(path.join(ROOT, 'external'), /\.tf$/));
    assert.ok(files.length > 50, `found ${files.length} .tf files`);
    let withRefs = 0;
    for (const p of files) {
      const file = parseTerraform(p, fs.readFileSync(p, 'utf8'));
      withRefs += checkFile(file, p);
    }
    assert.ok(withRefs > 100, `blocks with references: ${withRefs}`);
  });

  it('per-block references equal the file references after edits (blocks reused from the last version)', () => {
    let text = terraform(400);
    let prev = parseTerraform('/m/main.tf', text);
    checkFile(prev, 'generated');
    let at = text.indexOf('description = "web tier 1"');
    for (let i = 0; i < 60; i++) {
      // Type inside a block, add a line between blocks, or rename an instance reference.
      if (i % 3 === 0) text = text.slice(0, at) + 'x' + text.slice(at);
      else if (i % 3 === 1) text = text.replace('\n# web tier 2', `\n# note ${i}\n# web tier 2`);
      else text = text.replace(/InstanceId = aws_instance\.(\w+)\.id/, (_m, n: string) => `InstanceId = aws_instance.${n}${i}.id`);
      const file = parseTerraform('/m/main.tf', text, prev);
      assert.ok(checkFile(file, `edit ${i}`) > 5);
      prev = file;
      at = text.indexOf('description = "web tier 1"');
    }
  });

  it('resource blocks by type equal the filtered blocks (one type, several, repeated, unknown)', () => {
    const files = filesUnder(path.join(ROOT, 'fixtures'), /\.tf$/);
    let found = 0;
    for (const p of files) {
      const file = parseTerraform(p, fs.readFileSync(p, 'utf8'));
      const types = [...new Set(file.blocks.filter((b) => b.type === 'resource').map((b) => b.labels[0]?.value ?? ''))];
      const lists = [[], ['aws_nothing'], ...types.map((t) => [t]), types, [...types].reverse(), types.concat(types.slice(0, 1)), ['aws_instance', 'aws_launch_template', 'aws_security_group']];
      for (const list of lists) {
        const want = resourcesOfType(file.blocks, list);
        const got = tfResourceBlocks(file, list);
        assert.equal(got.length, want.length, `${p} ${list.join(',')}`);
        got.forEach((b, i) => assert.equal(b, want[i], `${p} ${list.join(',')} #${i}`));
        found += got.length;
      }
    }
    assert.ok(found > 500, `blocks found: ${found}`);
  });

  it('variables file and a file with a syntax error', () => {
    checkFile(parseTerraform('/m/variables.tf', TF_VARIABLES), 'variables');
    const broken = parseTerraform('/m/b.tf', 'locals {\n  a = aws_instance.x.id\n}\nresource "aws_cloudwatch_metric_alarm" "a" {\n  dimensions = { InstanceId = aws_instance.x.id }\n  = \n}\n');
    assert.ok(broken.errors.length > 0);
    checkFile(broken, 'broken');
  });
});

/**
 * While the user types, a rule whose `reads` no changed unit is of gets its last
 * findings moved instead of running (memo.ts `replayRule`). Which units changed
 * is decided by comparing the units of two lints as sequences of text ids: a
 * document can hold the same text twice, and an edit that turns one copy of a
 * text into another text already there keeps the set of texts the same.
 */
import * as assert from 'node:assert/strict';
import { defaultConfig } from '../../server/engine/config';
import { Engine } from '../../server/engine/linter';
import { changedUnitKinds } from '../../server/engine/memo';
import type { Finding } from '../../server/engine/types';
import { memoryWorkspace } from '../helpers/engine';

const view = (fs: readonly Finding[] | undefined) => JSON.stringify((fs ?? []).map((f) => [f.ruleId, f.range, f.message, f.resource]));

describe('changed units between two lints', () => {
  const k = (ids: number[]) => ids.map((i) => `kind${i}`);
  const changed = (a: number[], b: number[]) => [...changedUnitKinds(a, k(a), b, k(b))].sort();

  it('sees nothing when the sequence is the same', () => {
    assert.deepEqual(changed([1, 2, 3], [1, 2, 3]), []);
  });

  it('sees the inserted, removed and replaced units', () => {
    assert.deepEqual(changed([1, 2, 3], [1, 4, 2, 3]), ['kind4']);
    assert.deepEqual(changed([1, 2, 3], [1, 3]), ['kind2']);
    assert.deepEqual(changed([1, 2, 3], [1, 5, 3]), ['kind2', 'kind5']);
  });

  it('sees a copy of a text turned into another text the document already holds', () => {
    // [A, B, B, C] -> [A, B, A, C]: the same set of texts, not the same document.
    assert.deepEqual(changed([1, 2, 2, 3], [1, 2, 1, 3]), ['kind1', 'kind2']);
  });

  it('sees units that swapped places', () => {
    assert.deepEqual(changed([1, 2, 3], [2, 1, 3]), ['kind1', 'kind2']);
  });
});

describe('re-lint after an edit that keeps the set of unit texts', () => {
  it('Terraform: a duplicated block edited into a copy of another block is linted again', async () => {
    // Found by the robustness suite: the warm engine kept the findings of the
    // third block's old text (the launch template it named no longer resolves).
    const templates = { path: '/m/templates.tf', text: 'resource "aws_launch_template" "ci" {\n  name = "ci-spot"\n\n  instance_market_options {\n    market_type = "spot"\n  }\n}\n' };
    const block = (name: string) => `resource "aws_instance" "ci_copy" {\n  launch_template {\n    name = "${name}"\n  }\n}\n\n`;
    const before = block('.ci-spot') + block('ci-spot') + block('ci-spot') + 'resource "aws_instance" "ci" {\n  launch_template {\n    name = "~ci-spot"\n  }\n}\n';
    const after = before.replace(block('ci-spot') + block('ci-spot'), block('ci-spot') + block('.ci-spot'));
    assert.notEqual(after, before);
    const path = '/m/main.tf';
    const warm = await Engine.create(defaultConfig());
    warm.lint({ path, text: before }, memoryWorkspace([{ path, text: before }, templates]));
    const ws = memoryWorkspace([{ path, text: after }, templates]);
    const again = warm.lint({ path, text: after }, ws);
    const cold = (await Engine.create(defaultConfig())).lint({ path, text: after }, ws);
    // The edited block no longer names a template the module has: no finding that needs one.
    assert.ok(cold!.findings.some((f) => f.ruleId === 'ec2-instance-role'));
    assert.equal(view(again?.findings), view(cold?.findings));
  });
});

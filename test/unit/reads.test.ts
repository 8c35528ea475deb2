/**
 * The `reads` a rule declares (the resource types whose text can change its
 * findings, server/engine/rule.ts) decide when the engine moves the rule's last
 * findings instead of running it while the user types. This checks the
 * declarations against every CloudFormation and Terraform fixture and corpus
 * file: removing a resource of a type the rule does not read must leave its
 * findings elsewhere as they were.
 */
import * as assert from 'node:assert/strict';
import * as nodePath from 'node:path';
import { rules } from '../../rules';
import { parseCloudFormation } from '../../server/engine/cloudformation/parser';
import { defaultConfig } from '../../server/engine/config';
import { Engine } from '../../server/engine/linter';
import { readsKind } from '../../server/engine/memo';
import { initTerraform, parseTerraform } from '../../server/engine/terraform/parser';
import type { Finding, Format, SourceFile } from '../../server/engine/types';
import { cfnReusable, cfnUnits, isTfUnit } from '../../server/engine/units';
import { ROOT, filesUnder, memoryWorkspace, read } from '../helpers/engine';

function units(path: string, text: string): { start: number; end: number; kind: string }[] {
  if (/\.tf$/.test(path)) {
    const f = parseTerraform(path, text);
    if (f.errors.length) return [];
    return f.blocks.filter(isTfUnit).map((b) => ({ ...b.range, kind: b.labels[0].value }));
  }
  const t = parseCloudFormation(path, text);
  if (!t || !cfnReusable(t)) return [];
  return cfnUnits(t).map((u) => ({ ...u.range, kind: u.kind }));
}

/** Whether the text parses cleanly (removing a JSON entry can leave a stray comma: no use comparing then). */
function clean(path: string, text: string): boolean {
  if (/\.tf$/.test(path)) return parseTerraform(path, text).errors.length === 0;
  const t = parseCloudFormation(path, text);
  return !!t && cfnReusable(t);
}

function view(fs: readonly Finding[], moved: (o: number) => number): string[] {
  return fs.map((f) => JSON.stringify([f.ruleId, f.message, f.resource, moved(f.range.start), moved(f.range.end), f.fixes.map((x) => [x.title, x.kind, x.changes.map((c) => c.edits.map((e) => [moved(e.start), moved(e.end), e.newText]))])]));
}

describe('rules declare what they read', function () {
  this.timeout(120000);
  const declared = rules.filter((r) => r.reads);
  let engine: Engine;

  before(async () => {
    await initTerraform();
    engine = await Engine.create(defaultConfig(), declared);
  });

  it('removing a resource of a type a rule does not read leaves its other findings alone', () => {
    const files = [
      ...filesUnder(nodePath.join(ROOT, 'test', 'fixtures'), /\.(ya?ml|json|tf)$/),
      ...filesUnder(nodePath.join(ROOT, 'test', 'corpus'), /\.(ya?ml|json|tf)$/),
      ...filesUnder(nodePath.join(ROOT, 'examples'), /\.(ya?ml|json|tf)$/),
    ].filter((f) => !/\.iac-lint\.ya?ml$/.test(f));
    const failures: string[] = [];
    let checks = 0;
    for (const path of files) {
      const text = read(path);
      const format: Format = /\.tf$/.test(path) ? 'terraform' : 'cloudformation';
      const siblings: SourceFile[] = format === 'terraform'
        ? files.filter((p) => p !== path && /\.tf$/.test(p) && nodePath.dirname(p) === nodePath.dirname(path)).map((p) => ({ path: p, text: read(p) }))
        : [];
      // A fresh engine state per lint: no reuse between the two texts compared.
      let n = 0;
      const lint = (t: string) => {
        const p = nodePath.join(nodePath.dirname(path), `~${n++}-${nodePath.basename(path)}`);
        return engine.lint({ path: p, text: t }, memoryWorkspace([{ path: p, text: t }, ...siblings]))?.findings ?? [];
      };
      let before: Finding[] | null = null;
      for (const u of units(path, text)) {
        const cut = text.slice(0, u.start) + text.slice(u.end);
        if (!clean(path, cut)) continue;
        const skip = declared.filter((r) => {
          const reads = r.reads![format as 'cloudformation' | 'terraform'];
          return r.formats.includes(format) && reads && reads !== '*' && !readsKind(reads, u.kind);
        });
        if (!skip.length) continue;
        before ??= lint(text);
        checks++;
        const after = lint(cut);
        const len = u.end - u.start;
        for (const rule of skip) {
          const kept = view(before.filter((f) => f.ruleId === rule.id && (f.range.end <= u.start || f.range.start >= u.end)), (o) => (o >= u.end ? o - len : o));
          const now = view(after.filter((f) => f.ruleId === rule.id), (o) => o);
          if (JSON.stringify(kept) !== JSON.stringify(now)) failures.push(`${rule.id} reads ${u.kind}: removing it from ${nodePath.relative(ROOT, path)} changes its findings`);
        }
      }
    }
    assert.ok(checks > 100, `only ${checks} checks`);
    assert.deepEqual([...new Set(failures)], []);
  });
});

import { defineRule } from '../server/engine/rule';
import type { TfAttribute, TfBlock, TfFile } from '../server/engine/terraform/model';
import { insertAttribute, setAttributeValue } from '../server/engine/terraform/edit';
import { headerRange, resolveAttr } from '../server/engine/terraform/values';
import { tfResourceBlocks } from './lib/tfBlocks';
import type { TextEdit } from '../server/engine/types';

interface Requirement {
  name: string;
  /** The value the fix writes. */
  fix: string;
  /** What is required, for messages. */
  wants: string;
  /** What AWS does when the attribute is absent, in words. */
  absent: string;
  ok(v: string | number | boolean | null): boolean;
}

const num = (v: string | number | boolean | null): number => (typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN);
const yes = (v: string | number | boolean | null): boolean => v === true || v === 'true';

const REQUIREMENTS: Requirement[] = [
  { name: 'minimum_password_length', fix: '14', wants: 'at least 14', absent: 'a minimum length of 6', ok: (v) => num(v) >= 14 },
  { name: 'require_lowercase_characters', fix: 'true', wants: 'true', absent: 'no lower case letter', ok: yes },
  { name: 'require_uppercase_characters', fix: 'true', wants: 'true', absent: 'no upper case letter', ok: yes },
  { name: 'require_numbers', fix: 'true', wants: 'true', absent: 'no digit', ok: yes },
  { name: 'require_symbols', fix: 'true', wants: 'true', absent: 'no symbol', ok: yes },
  { name: 'max_password_age', fix: '90', wants: 'between 1 and 90 (days)', absent: 'passwords that never expire', ok: (v) => num(v) >= 1 && num(v) <= 90 },
  { name: 'password_reuse_prevention', fix: '24', wants: 'at least 24', absent: 'no reuse prevention', ok: (v) => num(v) >= 24 },
];

const TITLE = 'Strengthen the password policy (length 14, all character classes, 90-day expiry, 24 remembered)';

/** The width of the name field (up to the space before `=`) on the block's last attribute line: `terraform fmt` aligns a run of attributes to it. */
function nameFieldWidth(file: TfFile, block: TfBlock): number {
  const last = [...block.attributes].sort((a, b) => b.range.start - a.range.start)[0];
  if (!last) return 0;
  const eq = file.text.indexOf('=', last.nameRange.end);
  return eq > last.nameRange.start && eq < last.expr.range.start ? eq - last.nameRange.start - 1 : 0;
}

/**
 * One edit per weak literal attribute, and one insertion holding every missing
 * attribute (aligned on `=` as `terraform fmt` does), so that the whole block is
 * fixed in one step.
 */
function strengthen(file: TfFile, block: TfBlock, weak: { req: Requirement; attr: TfAttribute }[], missing: Requirement[]): TextEdit[] {
  const edits = weak.map((w) => setAttributeValue(file, w.attr, w.req.fix));
  if (missing.length) {
    const width = Math.max(nameFieldWidth(file, block), ...missing.map((r) => r.name.length));
    const [first, ...rest] = missing;
    // Continuation lines of a multi-line value are indented like the first item by insertAttribute.
    const value = [first.fix, ...rest.map((r) => `${r.name.padEnd(width)} = ${r.fix}`)].join('\n');
    edits.push(insertAttribute(file, block, first.name.padEnd(width), value));
  }
  return edits;
}

export default defineRule({
  id: 'iam-password-policy',
  severity: 'warning',
  seed: '003 IAM: configure a strong password policy for your users',
  description: 'The account password policy should require 14+ characters, all four character classes, expiry within 90 days and 24 remembered passwords.',
  fixable: 'exact',
  reads: { terraform: ['aws_iam_account_password_policy'] },

  terraform(ctx) {
    for (const block of tfResourceBlocks(ctx.file, ['aws_iam_account_password_policy'])) {
      const weak: { req: Requirement; attr: TfAttribute; shown: string; literal: boolean }[] = [];
      const missing: Requirement[] = [];
      for (const req of REQUIREMENTS) {
        const attr = block.attr(req.name);
        const v = resolveAttr(ctx.module, attr);
        if (!attr || !v) { missing.push(req); continue; }
        if (v.kind === 'unknown' || req.ok(v.value)) continue;
        weak.push({ req, attr, shown: String(v.value), literal: attr.expr.value !== undefined });
      }
      if (!weak.length && !missing.length) continue;
      const literalWeak = weak.filter((w) => w.literal);
      const fix = ctx.fix(TITLE, strengthen(ctx.file, block, literalWeak, missing));
      const address = block.address ?? 'aws_iam_account_password_policy';
      for (const w of weak) {
        ctx.report({
          range: w.attr.expr.range,
          resource: address,
          message: `${address}: ${w.req.name} is ${w.shown}; it should be ${w.req.wants}.`,
          fixes: w.literal ? [fix] : [ctx.suggest(`Set ${w.req.name} = ${w.req.fix}`, [setAttributeValue(ctx.file, w.attr, w.req.fix)])],
        });
      }
      if (missing.length) {
        ctx.report({
          range: headerRange(block),
          resource: address,
          message: `${address}: the password policy leaves ${missing.map((r) => r.name).join(', ')} unset, so AWS allows ${missing.map((r) => r.absent).join(', ')}. Set ${missing.map((r) => `${r.name} = ${r.fix}`).join(', ')}.`,
          fixes: [fix],
        });
      }
    }
  },
});

/**
 * Resolving Terraform expressions as the catalog prescribes: literals are known,
 * `var.x` takes the variable's `default`, everything else is unknown.
 */
import type { TfAttribute, TfBlock, TfExpr, TfModule } from './model';
import { offsetRange } from '../offsetRange';

export type TfResolved =
  | { kind: 'known'; value: string | number | boolean | null; expr: TfExpr }
  | { kind: 'unknown'; expr: TfExpr };

export function findVariable(module: TfModule, name: string): TfBlock | undefined {
  for (const f of module.files) {
    for (const b of f.blocks) {
      if (b.type === 'variable' && b.labels[0]?.value === name) return b;
    }
  }
  return undefined;
}

export function resolveExpr(module: TfModule, expr: TfExpr | undefined, depth = 0): TfResolved | undefined {
  if (!expr) return undefined;
  if (expr.value !== undefined) return { kind: 'known', value: expr.value, expr };
  if (depth < 4 && expr.kind === 'reference') {
    const m = /^var\.([A-Za-z_][\w-]*)$/.exec(expr.text.trim());
    if (m) {
      const def = findVariable(module, m[1])?.attr('default');
      const r = def ? resolveExpr(module, def.expr, depth + 1) : undefined;
      if (r?.kind === 'known') return { kind: 'known', value: r.value, expr };
    }
  }
  return { kind: 'unknown', expr };
}

export function resolveAttr(module: TfModule, attr: TfAttribute | undefined): TfResolved | undefined {
  return attr ? resolveExpr(module, attr.expr) : undefined;
}

/** The block header `resource "aws_instance" "web"`, where findings about a missing setting sit. */
export function headerRange(block: TfBlock): { start: number; end: number } {
  const last = block.labels[block.labels.length - 1];
  return offsetRange(block.typeRange.start, last ? last.fullRange.end : block.typeRange.end);
}

/** Top-level `resource` blocks of the given types in a file. */
export function resourcesOfType(blocks: readonly TfBlock[], types: readonly string[]): TfBlock[] {
  return blocks.filter((b) => b.type === 'resource' && types.includes(b.labels[0]?.value ?? ''));
}

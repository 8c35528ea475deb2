/**
 * Reporting for rules that look at a whole template or module: a finding is
 * reported once per range, and only when it lies in the file being linted
 * (a Terraform module is linted file by file; each file reports its own).
 */
import type { BaseContext } from '../../server/engine/rule';
import type { Fix, OffsetRange } from '../../server/engine/types';

export interface Place {
  range: OffsetRange;
  path: string;
}

export type OnceReporter = (at: Place, resource: string | null, message: string, fixes?: Fix[]) => void;

export function reportOnce(ctx: BaseContext): OnceReporter {
  const seen = new Set<string>();
  return (at, resource, message, fixes) => {
    if (at.path !== ctx.path) return;
    const key = `${at.range.start}:${at.range.end}`;
    if (seen.has(key)) return;
    seen.add(key);
    ctx.report({ range: at.range, resource, message, fixes });
  };
}

/**
 * Protocol tests pick one example rule and assert on its diagnostics only, so
 * that rules added later (which may fire on the same sample templates) do not
 * change what a test checks.
 */

/** The example rule of the protocol tests. */
export const IMDS = 'ec2-imdsv2-required';

/** The diagnostics of rule `id` (all of them, in order). */
export function ofRule<T extends { code?: string | number }>(id: string, diags: readonly T[] | undefined | null): T[] {
  return (diags ?? []).filter((d) => d.code === id);
}

/** The ec2-imdsv2-required diagnostics. */
export function imds<T extends { code?: string | number }>(diags: readonly T[] | undefined | null): T[] {
  return ofRule(IMDS, diags);
}

/** The rule ids of `diags` other than `id`, sorted: what must stay when only `id` changes. */
export function otherCodes(id: string, diags: readonly { code?: string | number }[] | undefined | null): string[] {
  return (diags ?? []).filter((d) => d.code !== id).map((d) => String(d.code)).sort();
}

/**
 * Facts of a template's text that let a rule skip work whose result cannot
 * matter: whether some string or key of the template can spell a word.
 */
import type { CfnTemplate } from '../../server/engine/cloudformation/model';

const escapeCache = new WeakMap<CfnTemplate, boolean>();
const semicolons = new WeakMap<CfnTemplate, number[]>();

/**
 * Whether `text` holds an escape that can spell a letter or digit inside a
 * string, or join two lines without a space: `\x`, `\u`, `\U` (YAML double
 * quotes, JSON strings) and a `\` before a line break (an escaped line break of
 * YAML double quotes). No other escape of YAML or JSON gives a letter or digit,
 * and every other way a scalar spans lines puts a space or a line break between
 * them (folding), so without one of these a word of letters and digits in any
 * value is written as it is. An escaped backslash before `u` counts too (a
 * harmless over-estimate).
 */
export function hasSpellingEscape(text: string): boolean {
  for (let i = text.indexOf('\\'); i >= 0; i = text.indexOf('\\', i + 1)) {
    const c = text.charCodeAt(i + 1);
    // x u U \n \r
    if (c === 0x78 || c === 0x75 || c === 0x55 || c === 0x0a || c === 0x0d) return true;
  }
  return false;
}

/** `hasSpellingEscape` of the template's text, once per template. */
export function cfnHasSpellingEscape(tpl: CfnTemplate): boolean {
  let v = escapeCache.get(tpl);
  if (v === undefined) {
    v = hasSpellingEscape(tpl.text);
    escapeCache.set(tpl, v);
  }
  return v;
}

/**
 * Whether some scalar or key of the template may hold `word` (letters and
 * digits only): its text holds the word as written, or an escape that could
 * spell it (`hasSpellingEscape`). False means no value of the template, alias
 * targets and parameter defaults included, contains the word.
 */
export function cfnMayHold(tpl: CfnTemplate, word: string): boolean {
  return tpl.text.includes(word) || cfnHasSpellingEscape(tpl);
}

/** The offsets of `;` in the template's text, once per template (none in most). */
export function cfnSemicolons(tpl: CfnTemplate): readonly number[] {
  let at = semicolons.get(tpl);
  if (!at) {
    at = [];
    for (let i = tpl.text.indexOf(';'); i >= 0; i = tpl.text.indexOf(';', i + 1)) at.push(i);
    semicolons.set(tpl, at);
  }
  return at;
}

/** Whether some offset of `sorted` (ascending) lies in [start, end). */
export function anyIn(sorted: readonly number[], start: number, end: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] < end;
}

/**
 * Whether `text` holds `stem` followed by one of `tails` (`includes(stem + tail)`
 * for some tail), in one search for the stem instead of one search per word.
 */
export function includesAny(text: string, stem: string, tails: readonly string[]): boolean {
  for (let i = text.indexOf(stem); i >= 0; i = text.indexOf(stem, i + 1)) {
    const at = i + stem.length;
    for (const t of tails) if (text.startsWith(t, at)) return true;
  }
  return false;
}

/**
 * `compute(text)`, kept per text: at most `limit` texts, the cache empties when
 * full (texts come from templates: it never grows without bound). A result is
 * shared by every caller: read it, do not change it.
 */
export function cachedByText<T>(limit: number, compute: (text: string) => T): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    let v = cache.get(text);
    if (v === undefined) {
      if (cache.size >= limit) cache.clear();
      v = compute(text);
      cache.set(text, v);
    }
    return v;
  };
}

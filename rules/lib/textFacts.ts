/**
 * Facts of a template's text that let a rule skip work whose result cannot
 * matter: whether some string or key of the template can spell a word.
 */
import type { CfnTemplate } from '../../server/engine/cloudformation/model';

const escapeCache = new WeakMap<CfnTemplate, boolean>();

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

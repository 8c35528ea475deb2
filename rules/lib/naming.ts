/**
 * The naming convention of seed 000 ("DO employ complete names but with
 * standard acronyms and in all lower cases", with the entity prefix table
 * `security-group-[region]`, `ec2-instance-[region]`, "only include the region
 * for resources that can be created in multiple regions"), shared by
 * `naming-convention` and the rules that write names (`ec2-name-tag`).
 *
 * A name is a list of parts: literal text, and placeholders whose value is not
 * known from the source (`${AWS::StackName}` in `!Sub`, `${var.env}` in a
 * Terraform template). Placeholders never make a name wrong by themselves; one
 * that mentions a region (`${AWS::Region}`, `${var.region}`) counts as the region.
 */
import type { RuleOptions } from '../../server/engine/config';
import { cachedByText } from './textFacts';

export type NamingOptions = Pick<RuleOptions, 'namingSeparator' | 'namingPrefixes'>;

export interface NamePart {
  /** Literal text, or the placeholder as written (`${AWS::Region}`). */
  text: string;
  placeholder: boolean;
}

export interface NameIssue {
  kind: 'case' | 'abbreviation' | 'prefix' | 'region';
  /** A phrase for the message: `is not all lower case`, `abbreviates "security group" as "sg"`. */
  text: string;
}

/**
 * Abbreviations that are not standard acronyms, and the complete words. Kept
 * to unambiguous ones: `db`, `env`, `prod`, `dev`, `app`, `api`, `vpc`, `az` and
 * AWS service acronyms (`ec2`, `s3`, `iam`, `rds`, `alb`, `ecs` ...) are standard
 * and pass.
 */
export const ABBREVIATIONS: Readonly<Record<string, string[]>> = {
  sg: ['security', 'group'],
  secgrp: ['security', 'group'],
  inst: ['instance'],
  svc: ['service'],
  srv: ['server'],
  svr: ['server'],
  mgmt: ['management'],
  mgt: ['management'],
  repo: ['repository'],
  bkt: ['bucket'],
  tbl: ['table'],
  grp: ['group'],
  usr: ['user'],
  acct: ['account'],
  msg: ['message'],
  fn: ['function'],
  func: ['function'],
};

/**
 * Text that may hold a word `ABBREVIATIONS` names: words are pieces of the text,
 * and a word lower-casing to one of those keys is written in ASCII letters but
 * for the Kelvin sign (U+212A, lower-cased to `k`), which case-insensitive
 * matching does not take for `k`.
 */
const ABBREVIATION_ANY = new RegExp(
  Object.keys(ABBREVIATIONS).map((k) => k.replace(/k/g, '[k\u212A]')).join('|'),
  'i',
);

/** Whether `splitWords(text)` may hold a word `ABBREVIATIONS` names (a test that can only err towards yes). */
export function mayAbbreviate(text: string): boolean {
  return ABBREVIATION_ANY.test(text);
}

/** An AWS region code (`eu-west-1`, `us-gov-west-1`, `ap-southeast-2`). */
export const REGION_CODE = /(?<![a-z0-9])(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-(?:gov-|iso-|isob-)?(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-\d(?![0-9])/i;
const REGION_CODE_G = new RegExp(REGION_CODE.source, 'gi');

const isRegionPlaceholder = (p: NamePart) => p.placeholder && /region/i.test(p.text);

/**
 * The parts of a template string: `${...}` placeholders (nested braces
 * allowed) and the literal text around them. `${!Literal}` (CloudFormation)
 * and `$${` (Terraform) are escapes that stand for literal text.
 */
export function templateParts(text: string, flavour: 'cloudformation' | 'terraform'): NamePart[] | null {
  const parts: NamePart[] = [];
  // The literal so far is `lit` followed by `text[from, i)`: plain characters are taken as one slice, not one by one.
  let lit = '';
  let from = 0;
  let i = 0;
  while (i < text.length) {
    // Every form below starts with `$` or `%`.
    const c = text.charCodeAt(i);
    if (c !== 36 && c !== 37) {
      i++;
      continue;
    }
    if (flavour === 'terraform' && (text.startsWith('$${', i) || text.startsWith('%%{', i))) {
      lit += text.slice(from, i) + text.slice(i + 1, i + 3);
      i += 3;
      from = i;
      continue;
    }
    if (flavour === 'terraform' && text.startsWith('%{', i)) return null; // directives: not a plain name
    if (text.startsWith('${', i)) {
      let depth = 0;
      let j = i;
      for (; j < text.length; j++) {
        if (text[j] === '{') depth++;
        else if (text[j] === '}' && --depth === 0) break;
      }
      if (j >= text.length) return null;
      const whole = text.slice(i, j + 1);
      lit += text.slice(from, i);
      if (flavour === 'cloudformation' && whole.startsWith('${!')) {
        lit += '${' + whole.slice(3);
      } else {
        if (lit) parts.push({ text: lit, placeholder: false });
        lit = '';
        parts.push({ text: whole, placeholder: true });
      }
      i = j + 1;
      from = i;
      continue;
    }
    i++;
  }
  lit += text.slice(from);
  if (lit) parts.push({ text: lit, placeholder: false });
  return parts;
}

/** Words of a literal: split at case changes, `-`, `_` and spaces; region codes stay one word. */
export function splitWords(text: string): string[] {
  const out: string[] = [];
  let last = 0;
  const push = (s: string) => {
    for (const w of s
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
      .split(/[-_\s]+/)) {
      if (w) out.push(w);
    }
  };
  for (const m of text.matchAll(REGION_CODE_G)) {
    push(text.slice(last, m.index));
    out.push(m[0].toLowerCase());
    last = (m.index ?? 0) + m[0].length;
  }
  push(text.slice(last));
  return out;
}

/**
 * `splitWords(text)`, computed once per text: the literal parts of names repeat
 * (`ec2-instance-` before `${AWS::Region}` in every instance's name). The list is
 * shared: read it, do not change it.
 */
export const literalWords: (text: string) => readonly string[] = cachedByText(2048, splitWords);

/** The prefix template configured for an entity (`security-group-[region]`), or null. */
export function prefixTemplate(entity: string, options: NamingOptions): string | null {
  const t = options.namingPrefixes?.[entity];
  return typeof t === 'string' && t.trim() !== '' ? t.trim() : null;
}

/** The template's literal start (`security-group-`), with the separator before `[region]`. */
function prefixLiteral(template: string, sep: string): string {
  const at = template.indexOf('[region]');
  const lit = at < 0 ? template : template.slice(0, at);
  return at < 0 && !lit.endsWith(sep) ? lit + sep : lit;
}

const NO_WORDS: ReadonlySet<string> = new Set();
/** Lower-cased words of a prefix template's literal start, by separator and template (a few configured templates). */
const prefixWordCache = new Map<string, Map<string, ReadonlySet<string>>>();

/** `splitWords(prefixLiteral(template, sep))` lower-cased, as a set: computed once per template and separator. */
function prefixWordsOf(template: string, sep: string): ReadonlySet<string> {
  let bySep = prefixWordCache.get(sep);
  if (!bySep) prefixWordCache.set(sep, (bySep = new Map()));
  let words = bySep.get(template);
  if (!words) {
    words = new Set(splitWords(prefixLiteral(template, sep)).map((w) => w.toLowerCase()));
    // Templates come from the configuration: a handful; never let the cache grow without bound.
    if (bySep.size > 256) bySep.clear();
    bySep.set(template, words);
  }
  return words;
}

/** What is wrong with a name, per the convention; empty when it complies or cannot be judged. */
export function checkName(entity: string, parts: readonly NamePart[], options: NamingOptions): NameIssue[] {
  const issues: NameIssue[] = [];
  // The literal parts read in place (no filtered copy), the set of abbreviations made at the first one: most names have none.
  let literals = 0;
  let upper = false;
  for (const p of parts) {
    if (p.placeholder) continue;
    literals++;
    if (!upper && /\p{Lu}/u.test(p.text)) upper = true;
  }
  if (literals === 0) return issues;
  if (upper) issues.push({ kind: 'case', text: 'is not all lower case' });
  let abbreviations: Set<string> | null = null;
  const template = prefixTemplate(entity, options);
  const sep = options.namingSeparator || '-';
  // Words of the configured prefix are the user's choice (`sg_[region]`); read at the first abbreviation.
  let prefixWords: ReadonlySet<string> | undefined;
  for (const p of parts) {
    if (p.placeholder || !mayAbbreviate(p.text)) continue;
    for (const w of literalWords(p.text)) {
      const full = ABBREVIATIONS[w.toLowerCase()];
      if (!full) continue;
      prefixWords ??= template ? prefixWordsOf(template, sep) : NO_WORDS;
      if (!prefixWords.has(w.toLowerCase())) (abbreviations ??= new Set()).add(`"${w}" for "${full.join(' ')}"`);
    }
  }
  if (abbreviations !== null) issues.push({ kind: 'abbreviation', text: `abbreviates ${[...abbreviations].join(', ')}` });

  if (template && !parts[0].placeholder) {
    const lit = prefixLiteral(template, sep).toLowerCase();
    const start = parts[0].text.toLowerCase();
    // A name that starts with a placeholder may get its prefix from it: unknown.
    const exact = parts.length === 1 && start === lit.slice(0, lit.length - sep.length);
    if (!exact && !start.startsWith(lit) && !(start.length < lit.length && lit.startsWith(start) && parts.length > 1)) {
      issues.push({ kind: 'prefix', text: `lacks the prefix "${template}"` });
    } else if (template.includes('[region]')) {
      const hasRegion = parts.some((p) => isRegionPlaceholder(p) || (!p.placeholder && REGION_CODE.test(p.text)));
      const unknownAfter = parts.some((p) => p.placeholder && !isRegionPlaceholder(p));
      if (!hasRegion && !unknownAfter) issues.push({ kind: 'region', text: `lacks the region after "${lit}"` });
    }
  }
  return issues;
}

/** Names with characters a rewrite could mangle are left to the user. */
const REWRITABLE = /^[A-Za-z0-9 ._-]*$/;

/**
 * The name rewritten to the convention: words lower-cased and complete,
 * joined by the separator, behind the entity's prefix with the region (an
 * existing region word or placeholder is moved there; otherwise `region` is
 * used, `[region]` when not given), without repeating the entity's words.
 * Placeholders are kept as they are. Null when the literal text holds
 * characters other than letters, digits, spaces, `.`, `_` and `-`.
 */
export function rewriteName(entity: string, parts: readonly NamePart[], options: NamingOptions, region = '[region]'): string | null {
  if (parts.some((p) => !p.placeholder && !REWRITABLE.test(p.text))) return null;
  const sep = options.namingSeparator || '-';
  type Token = { word: string; placeholder: boolean; region: boolean };
  const template = prefixTemplate(entity, options);
  const entityWords = new Set(template ? splitWords(prefixLiteral(template, sep)).map((w) => w.toLowerCase()) : []);
  const raw: Token[] = [];
  for (const p of parts) {
    if (p.placeholder) raw.push({ word: p.text, placeholder: true, region: isRegionPlaceholder(p) });
    else for (const w of splitWords(p.text)) raw.push({ word: w.toLowerCase(), placeholder: false, region: REGION_CODE.test(w) });
  }
  const prefixed = template !== null && raw.length > 0 && !raw[0].placeholder;
  const found = prefixed ? raw.find((t) => t.region) : undefined;
  const tokens: Token[] = [];
  for (const t of raw) {
    if (prefixed && !t.placeholder) {
      // The prefix says what the entity is and where: drop those words (and abbreviations of them) from the rest.
      if (t.region || entityWords.has(t.word)) continue;
      const full = ABBREVIATIONS[t.word];
      if (full && full.every((w) => entityWords.has(w))) continue;
    }
    if (prefixed && t.placeholder && t === found) continue;
    const full = !t.placeholder && !entityWords.has(t.word) ? ABBREVIATIONS[t.word] : undefined;
    for (const x of full ?? [t.word]) tokens.push({ ...t, word: x });
  }
  if (!prefixed) return tokens.map((t) => t.word).join(sep);
  const rest = tokens.map((t) => t.word).join(sep);
  const headText = template!.replace('[region]', found ? found.word : region);
  const prefix = headText.endsWith(sep) ? headText.slice(0, -sep.length) : headText;
  return rest ? `${prefix}${sep}${rest}` : prefix;
}

/**
 * The name an entity should carry, from its current name or (for a resource
 * that has none) its logical id / label: `suggestName('ec2_instance',
 * 'WebServer', options, '${AWS::Region}')` is
 * `ec2-instance-${AWS::Region}-web-server`. `region` replaces `[region]` in the
 * entity's prefix; leave it out to keep the `[region]` marker. Characters other
 * than ASCII letters, digits, spaces, `.`, `_` and `-` separate words.
 */
export function suggestName(entity: string, currentOrLogicalName: string, options: NamingOptions, region = '[region]'): string {
  const cleaned = currentOrLogicalName.normalize('NFKD').replace(/\p{M}/gu, '').replace(/[^A-Za-z0-9 ._-]+/g, '-');
  return rewriteName(entity, [{ text: cleaned, placeholder: false }], options, region) ?? cleaned.toLowerCase();
}

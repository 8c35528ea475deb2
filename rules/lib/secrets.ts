/**
 * Recognising AWS credentials in source: access key ids (`AKIA...`, `ASIA...`),
 * secret access keys (40 characters of base64 with high entropy, where the
 * context names a secret key), and literal values given to credential settings
 * (`AWS_ACCESS_KEY_ID=...`, `aws_secret_access_key = ...`). Shared by
 * `no-hardcoded-credentials` and `docker-no-secrets`.
 *
 * References are never secrets: `$VAR`, `${...}`, `$(...)`, `{{resolve:...}}`,
 * template placeholders and empty values are not literal.
 */
import { firstAtOrAfter } from '../../server/engine/positions';
import { DisjointRanges } from './ranges';

/** An access key id: `AKIA` (long-lived) or `ASIA` (temporary) and 16 upper-case letters or digits. */
export const KEY_ID = /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;

const KEY_ID_EXACT = new RegExp(`^${KEY_ID.source}$`);
const KEY_ID_ANY = new RegExp(KEY_ID.source);

/** The whole value is an access key id. */
export function isKeyId(value: string): boolean {
  return KEY_ID_EXACT.test(value);
}

/** The value contains an access key id. */
export function containsKeyId(value: string): boolean {
  return KEY_ID_ANY.test(value);
}

/** Where a key id can start in `text`: the offsets of every `AKIA` and `ASIA`, ascending. */
export function keyIdStarts(text: string): number[] {
  const out: number[] = [];
  for (const lead of ['AKIA', 'ASIA']) {
    for (let i = text.indexOf(lead); i >= 0; i = text.indexOf(lead, i + 1)) out.push(i);
  }
  return out.sort((a, b) => a - b);
}

const KEY_ID_STICKY = new RegExp(KEY_ID.source, 'y');

/**
 * The key ids a global search of `text` from `from` finds starting before `to`
 * (the last may end after it). With `starts` (`keyIdStarts(text)`) the pattern
 * is tried only there, in order, each search going on after the previous match
 * as the global search does (every match starts at an `AKIA`/`ASIA`): a range
 * without candidates is not read, where the global search reads on to the next
 * match or the end of the text.
 */
export function keyIdsIn(text: string, from: number, to: number, starts?: readonly number[]): { start: number; end: number; value: string }[] {
  const out: { start: number; end: number; value: string }[] = [];
  if (!starts) {
    const re = new RegExp(KEY_ID.source, 'g');
    re.lastIndex = from;
    for (let m = re.exec(text); m && m.index < to; m = re.exec(text)) out.push({ start: m.index, end: m.index + m[0].length, value: m[0] });
    return out;
  }
  const lo = firstAtOrAfter(starts, from, (s) => s);
  let after = from;
  for (let k = lo; k < starts.length && starts[k] < to; k++) {
    const start = starts[k];
    if (start < after) continue;
    KEY_ID_STICKY.lastIndex = start;
    const m = KEY_ID_STICKY.exec(text);
    if (!m) continue;
    after = start + m[0].length;
    out.push({ start, end: after, value: m[0] });
  }
  return out;
}

/** What a literal given to a credential setting is: an access key id, a secret key, or just a literal. */
export function classify(value: string, setting: CredentialKind): 'key-id' | 'secret-key' | 'setting' {
  if (isKeyId(value)) return 'key-id';
  return setting === 'secret-access-key' && isSecretKeyShaped(value) ? 'secret-key' : 'setting';
}

/** AWS's documented example credentials: exempt inside comments only (Fine print). */
export const EXAMPLE_CREDENTIALS = new Set([
  'AKIAIOSFODNN7EXAMPLE',
  'ASIAIOSFODNN7EXAMPLE',
  'AKIAI44QH8DHBEXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
]);

export type CredentialKind = 'access-key-id' | 'secret-access-key' | 'session-token';

const SETTINGS: Record<string, CredentialKind> = {
  aws_access_key_id: 'access-key-id',
  aws_secret_access_key: 'secret-access-key',
  aws_session_token: 'session-token',
  aws_security_token: 'session-token',
};

/** `AWS_ACCESS_KEY_ID`, `aws_secret_access_key`, `AWS_SESSION_TOKEN`... (any case): the credential it holds. */
export function credentialSetting(name: string): CredentialKind | null {
  // Lower-casing keeps the length of any name that lower-cases to ASCII: other lengths cannot match.
  const n = name.length;
  if (n !== 17 && n !== 18 && n !== 21) return null;
  return SETTINGS[name.toLowerCase()] ?? null;
}

export const KIND_LABEL: Record<CredentialKind | 'key-id' | 'secret-key', string> = {
  'access-key-id': 'access key id',
  'secret-access-key': 'secret access key',
  'session-token': 'session token',
  'key-id': 'AWS access key id',
  'secret-key': 'AWS secret access key',
};

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * The shape of a secret access key: 40 characters of `[A-Za-z0-9/+]`, mixed
 * case, not a hex digest (git SHA-1s are 40 characters too), high entropy.
 * `strict` (no naming context) asks for a digit or `/`/`+` and more entropy.
 */
export function isSecretKeyShaped(s: string, strict = false): boolean {
  if (!/^[A-Za-z0-9/+]{40}$/.test(s)) return false;
  if (/^[0-9a-fA-F]+$/.test(s)) return false;
  if (!/[a-z]/.test(s) || !/[A-Z]/.test(s)) return false;
  if (strict && !/[0-9/+]/.test(s)) return false;
  return entropy(s) >= (strict ? 4.5 : 4.0);
}

/**
 * A value written as a literal: not empty, not a reference (`$VAR`, `${...}`,
 * `$(...)`, `{{resolve:...}}`, `{{ var }}`, `#{...}`) and not a placeholder
 * (`<your-key>`, `xxxx`, `...`, `changeme`).
 */
export function isLiteralSecret(value: string): boolean {
  const t = value.trim().replace(/^(["'])(.*)\1$/s, '$2').trim();
  if (!t) return false;
  if (/\$[{(A-Za-z_]|\{\{|#\{|%\{/.test(t)) return false;
  if (/^<[^>]*>$|^\[[^\]]*\]$/.test(t)) return false;
  if (/^(x+|X+|\*+|\.+|-+|changeme|change_me|placeholder|redacted|dummy|none|null|undefined|todo|fixme|secret|password|your[\w-]*)$/i.test(t)) return false;
  return true;
}

/** `AKIA************MPLE`: enough to recognise the value, not enough to use it. */
export function mask(value: string): string {
  if (value.length >= 12) return value.slice(0, 4) + '*'.repeat(value.length - 8) + value.slice(-4);
  if (value.length > 2) return value[0] + '*'.repeat(value.length - 1);
  return '*'.repeat(value.length);
}

export interface TextHit {
  /** Offsets in the scanned text. */
  start: number;
  end: number;
  value: string;
  kind: 'key-id' | 'secret-key' | 'setting';
  /** For `setting`: the setting's name as written and what it holds. */
  name?: string;
  setting?: CredentialKind;
  /** The hit sits on a comment line (`#`, `//`) of the text. */
  inComment: boolean;
}

const SETTING_RE = /(?<![A-Za-z0-9_])(aws_access_key_id|aws_secret_access_key|aws_session_token|aws_security_token)(["']?)[ \t]*(?:=|:(?!:))[ \t]*/gi;
const CONFIGURE_RE = /\baws\s+configure\s+set\s+(?:--profile\s+\S+\s+)?(aws_access_key_id|aws_secret_access_key|aws_session_token)[ \t]+/gi;
const SECRET_CONTEXT_RE = /(?<![A-Za-z0-9])((?:aws)?[_-]?secret[_-]?(?:access[_-]?)?key)(["']?)[ \t]*(?:=|:|[ \t])[ \t]*(["']?)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi;

/** The value token at `i`: a quoted string (without quotes) or a bare word. */
function valueAt(text: string, i: number): { start: number; end: number; value: string } | null {
  const q = text[i];
  if (q === '"' || q === "'") {
    let j = i + 1;
    while (j < text.length && text[j] !== q && text[j] !== '\n') j += text[j] === '\\' && q === '"' ? 2 : 1;
    if (text[j] !== q) return null;
    return { start: i + 1, end: j, value: text.slice(i + 1, j) };
  }
  const m = /^[^\s"'`;&|,)}\]]+/.exec(text.slice(i, i + 400));
  return m ? { start: i, end: i + m[0].length, value: m[0] } : null;
}

function onCommentLine(text: string, offset: number): boolean {
  const ls = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*(#|\/\/|REM\b|::)/.test(text.slice(ls, offset + 1));
}

/**
 * Credentials in free text (a user data script, a heredoc, a `RUN` line):
 * access key ids anywhere, secret keys after a name that says so, literal
 * values of credential settings (`export AWS_SECRET_ACCESS_KEY=...`,
 * `aws configure set aws_access_key_id ...`, `"AWS_ACCESS_KEY_ID": "..."`).
 * Overlapping hits are reduced to the most specific one.
 */
/**
 * Text none of `scanText`'s patterns can match: each needs `AKIA`/`ASIA` (key
 * ids), `secret` (secret keys) or `aws_` (the setting names of `SETTING_RE`,
 * which `CONFIGURE_RE` needs after `aws configure set` too), in the same
 * case-insensitive matching as the patterns. `AWS::Region` in a `!Sub` string
 * holds none.
 */
const SCAN_NEEDS = /AKIA|ASIA|secret|aws_/i;

export function scanText(text: string): TextHit[] {
  return SCAN_NEEDS.test(text) ? scanTextFully(text) : [];
}

/** `scanText` without its first test (exported for the test that checks the two agree). */
export function scanTextFully(text: string): TextHit[] {
  const hits: TextHit[] = [];
  for (const m of text.matchAll(KEY_ID)) {
    hits.push({ start: m.index!, end: m.index! + m[0].length, value: m[0], kind: 'key-id', inComment: onCommentLine(text, m.index!) });
  }
  for (const m of text.matchAll(SECRET_CONTEXT_RE)) {
    const v = m[4];
    if (!isSecretKeyShaped(v)) continue;
    const start = m.index! + m[0].length - v.length;
    hits.push({ start, end: start + v.length, value: v, kind: 'secret-key', inComment: onCommentLine(text, start) });
  }
  for (const re of [SETTING_RE, CONFIGURE_RE]) {
    for (const m of text.matchAll(re)) {
      const v = valueAt(text, m.index! + m[0].length);
      if (!v || !isLiteralSecret(v.value)) continue;
      const setting = credentialSetting(m[1])!;
      hits.push({ ...v, kind: classify(v.value, setting), name: m[1], setting, inComment: onCommentLine(text, v.start) });
    }
  }
  return dedupe(hits);
}

const PRIORITY: Record<TextHit['kind'], number> = { 'key-id': 0, 'secret-key': 1, setting: 2 };

/** Keeps, among overlapping hits, the most specific (key id, then secret key, then setting). */
export function dedupe<T extends { start: number; end: number; kind: TextHit['kind'] }>(hits: T[]): T[] {
  // None or one (most scanned texts): nothing overlaps; a copy, as below.
  if (hits.length < 2) return hits.slice();
  const sorted = [...hits].sort((a, b) => PRIORITY[a.kind] - PRIORITY[b.kind] || a.start - b.start);
  const out: T[] = [];
  const kept = new DisjointRanges();
  for (const h of sorted) if (kept.add(h)) out.push(h);
  return out.sort((a, b) => a.start - b.start);
}

/** Whether a hit is to be reported: documented example credentials and mere settings are exempt on comment lines. */
export function reportable(hit: { value: string; kind: TextHit['kind']; inComment: boolean }): boolean {
  if (!hit.inComment) return true;
  return hit.kind !== 'setting' && !EXAMPLE_CREDENTIALS.has(hit.value);
}

/** The finding message for a hit; `via` names the parameter or variable whose default holds the value. */
export function describe(hit: { value: string; kind: TextHit['kind']; name?: string }, where: string, via?: string): string {
  const shown = mask(hit.value);
  const example = EXAMPLE_CREDENTIALS.has(hit.value) ? " (AWS's documented example key: replace it before it is taken for a real one)" : '';
  const through = via ? ` (through ${via}, whose default holds it)` : '';
  if (hit.kind === 'key-id') return `${where}: hard-coded AWS access key id '${shown}'${through}${example}. Use an IAM role, or read credentials from the environment or a secrets store at run time.`;
  if (hit.kind === 'secret-key') return `${where}: hard-coded AWS secret access key '${shown}'${through}${example}. Use an IAM role, or read credentials from a secrets store at run time, and rotate this key.`;
  return `${where}: ${hit.name} is given the literal value '${shown}'${through}. Credentials do not belong in source: use an IAM role, or a reference to a secrets store.`;
}

/** Decodes base64 text (user data given pre-encoded), or null when it is not base64. */
export function decodeBase64(s: string): string | null {
  const t = s.trim();
  if (t.length < 16 || t.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return null;
  const out = Buffer.from(t, 'base64').toString('utf8');
  // Text, not binary.
  return /^[\t\n\r\x20-\x7e\u00a0-\uffff]*$/.test(out) && !out.includes('\ufffd') ? out : null;
}

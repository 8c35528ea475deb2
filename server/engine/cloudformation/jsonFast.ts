/**
 * A fast path for JSON templates: a small scanner that builds the very node
 * tree `yaml` builds for the same text (JSON is YAML flow syntax), without the
 * general YAML lexer, parser and composer, which are slow on flow collections.
 *
 * It only takes texts it fully understands: one JSON object, strict JSON syntax,
 * no duplicate key, no lone carriage return, no character whose YAML reading
 * could differ (see `plainChar`), no blank line where `yaml` would mark a node
 * `spaceBefore` in a way the scanner does not model, nesting within the limits
 * of parser.ts (`MAX_FLOW_DEPTH`, `MAX_INDENT`). On anything else it returns
 * null and the caller parses with `yaml`, so errors and messages are the
 * library's. test/unit/jsonFast.test.ts checks the trees are equal, to the last
 * range, property and flag, over every JSON file of the repository and
 * generated JSON.
 *
 * What `yaml` does, as the scanner reproduces it:
 * - Scalars: double-quoted strings are `QUOTE_DOUBLE`, numbers, `true`, `false`
 *   and `null` are `PLAIN` and resolved by the schema's tags (the same tag
 *   objects, so the same values, formats and `minFractionDigits`); `source` is
 *   the value.
 * - Ranges are [start, end of the token, end of the blanks that follow]: in a
 *   sequence all the blanks up to the next `,` or `]`; in a mapping (and for the
 *   top-level object) the spaces and tabs, then at most one line break. Keys end
 *   where they end.
 * - `spaceBefore` on a node that a blank line separates from what precedes it
 *   (the library's resolveProps: a line break while at the start of a line).
 * - The document runs from the start of the line of `{` to the end of the line
 *   after the one where the top-level object ends (blanks only).
 */
import { Composer, Document, Pair, Scalar, YAMLMap, YAMLSeq, type DocumentOptions, type Node, type ParseOptions, type Schema, type SchemaOptions } from 'yaml';

type Options = ParseOptions & DocumentOptions & SchemaOptions & { schema: Schema };

interface ScalarTag {
  default?: boolean | 'key';
  test?: RegExp;
  format?: string;
  resolve(value: string, onError: (msg: string) => void, options: unknown): unknown;
}

/** Thrown (as a constant, no stack) when the text is not for the fast path. */
const DECLINE = { decline: true };

/** Limits of parser.ts (kept in step by its tests: the fast path declines where the slow path checks). */
export interface JsonLimits {
  maxDepth: number;
  maxIndent: number;
}

const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

class Scanner {
  pos = 0;
  private readonly strTag: ScalarTag;
  private readonly onError = (): void => {
    throw DECLINE;
  };

  constructor(
    private readonly text: string,
    private readonly schema: Schema,
    private readonly options: unknown,
    private readonly limits: JsonLimits,
  ) {
    const tags = schema.tags as unknown as ScalarTag[] & { tag?: string }[];
    const str = tags.find((t) => (t as { tag?: string }).tag === 'tag:yaml.org,2002:str' && !(t as { collection?: string }).collection);
    if (!str) throw DECLINE;
    this.strTag = str;
  }

  /**
   * Skips blanks from `pos`. Returns whether a line break came while at the
   * start of a line (`spaceBefore`), `atNewline` being the state before.
   */
  blanks(atNewline: boolean): boolean {
    const text = this.text;
    let space = false;
    let i = this.pos;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9) continue;
      if (c === 13) {
        if (text.charCodeAt(i + 1) !== 10) throw DECLINE;
        i++;
      } else if (c !== 10) break;
      if (atNewline) space = true;
      atNewline = true;
      this.indentAfter(i + 1);
    }
    this.pos = i;
    return space;
  }

  /** Declines lines indented further than the limit (parser.ts `tooDeepAt` counts spaces only). */
  private indentAfter(lineStart: number): void {
    let k = lineStart;
    const text = this.text;
    while (text.charCodeAt(k) === 32) k++;
    if (k - lineStart > this.limits.maxIndent) throw DECLINE;
  }

  /** After a node in a mapping (or at the top): spaces and tabs, then one line break. */
  mapTrail(): number {
    const text = this.text;
    let i = this.pos;
    while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
    const c = text.charCodeAt(i);
    if (c === 10) i++;
    else if (c === 13) {
      if (text.charCodeAt(i + 1) !== 10) throw DECLINE;
      i += 2;
    }
    if (i > this.pos && (c === 10 || c === 13)) this.indentAfter(i);
    this.pos = i;
    return i;
  }

  /** After a node in a sequence: all blanks up to the next token. */
  private seqTrail(): number {
    this.blanks(false);
    return this.pos;
  }

  /** A value at `pos` (blanks already skipped); its range's third offset is left for the caller. */
  private value(depth: number): Node {
    const c = this.text.charCodeAt(this.pos);
    if (c === 123) return this.map(depth + 1);
    if (c === 91) return this.seq(depth + 1);
    if (c === 34) return this.string();
    return this.plain();
  }

  map(depth: number): YAMLMap {
    if (depth > this.limits.maxDepth) throw DECLINE;
    const text = this.text;
    const open = this.pos;
    const map = new YAMLMap(this.schema);
    map.flow = true;
    this.pos++;
    let sb = this.blanks(false);
    if (text.charCodeAt(this.pos) === 125) {
      this.pos++;
      map.range = [open, this.pos, this.pos];
      return map;
    }
    let keys: Set<unknown> | null = null;
    for (;;) {
      if (text.charCodeAt(this.pos) !== 34) throw DECLINE;
      const key = this.string();
      key.range![2] = key.range![1];
      if (sb) key.spaceBefore = true;
      const items = map.items;
      // `yaml` reports a key given twice; the fast path leaves that to it.
      if (items.length < 8) {
        for (let k = 0; k < items.length; k++) if ((items[k].key as Scalar).value === key.value) throw DECLINE;
      } else {
        if (!keys) {
          keys = new Set();
          for (const p of items) keys.add((p.key as Scalar).value);
        }
        if (keys.has(key.value)) throw DECLINE;
        keys.add(key.value);
      }
      while (text.charCodeAt(this.pos) === 32 || text.charCodeAt(this.pos) === 9) this.pos++;
      if (text.charCodeAt(this.pos) !== 58) throw DECLINE;
      this.pos++;
      sb = this.blanks(false);
      const value = this.value(depth);
      if (sb) value.spaceBefore = true;
      (value.range as number[])[2] = this.mapTrail();
      items.push(new Pair(key, value));
      // The rest of the blanks, up to the next key, are that key's.
      sb = this.blanks(false);
      const c = text.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        sb = this.blanks(false) || sb;
        continue;
      }
      if (c !== 125) throw DECLINE;
      this.pos++;
      map.range = [open, this.pos, this.pos];
      return map;
    }
  }

  seq(depth: number): YAMLSeq {
    if (depth > this.limits.maxDepth) throw DECLINE;
    const text = this.text;
    const open = this.pos;
    const seq = new YAMLSeq(this.schema);
    seq.flow = true;
    this.pos++;
    let sb = this.blanks(false);
    if (text.charCodeAt(this.pos) === 93) {
      this.pos++;
      seq.range = [open, this.pos, this.pos];
      return seq;
    }
    for (;;) {
      const value = this.value(depth);
      if (sb) value.spaceBefore = true;
      (value.range as number[])[2] = this.seqTrail();
      seq.items.push(value);
      const c = text.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        sb = this.blanks(false);
        continue;
      }
      if (c !== 93) throw DECLINE;
      this.pos++;
      seq.range = [open, this.pos, this.pos];
      return seq;
    }
  }

  /** A double-quoted string at `pos`: range [start, end, end]. */
  private string(): Scalar {
    const text = this.text;
    const start = this.pos;
    let escaped = false;
    let i = start + 1;
    for (;; i++) {
      // Unterminated (past the end `charCodeAt` is NaN, which no test below matches).
      if (i >= text.length) throw DECLINE;
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        const d = text.charCodeAt(++i);
        if (d === 117) {
          for (let k = 1; k <= 4; k++) {
            const h = text.charCodeAt(i + k);
            if (!((h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102))) throw DECLINE;
          }
          i += 4;
        } else if (d !== 34 && d !== 92 && d !== 47 && d !== 98 && d !== 102 && d !== 110 && d !== 114 && d !== 116) {
          throw DECLINE;
        }
        continue;
      }
      if (c < 32 || c >= 127) {
        if (!plainChar(text, i)) throw DECLINE;
        if (c >= 0xd800 && c <= 0xdbff) i++;
      }
    }
    const end = i + 1;
    const value = escaped ? (JSON.parse(text.slice(start, end)) as string) : text.slice(start + 1, i);
    const res = this.strTag.resolve(value, this.onError, this.options);
    const s = res instanceof Scalar ? res : new Scalar(res);
    s.range = [start, end, end];
    s.source = value;
    s.type = 'QUOTE_DOUBLE';
    if (this.strTag.format) s.format = this.strTag.format;
    this.pos = end;
    return s;
  }

  /** A number, `true`, `false` or `null`, resolved as `yaml` resolves a plain scalar. */
  private plain(): Scalar {
    const text = this.text;
    const start = this.pos;
    let i = start;
    const c = text.charCodeAt(i);
    if (c === 116 || c === 102 || c === 110) {
      const word = c === 116 ? 'true' : c === 102 ? 'false' : 'null';
      if (!text.startsWith(word, i)) throw DECLINE;
      i += word.length;
    } else {
      if (c === 45) i++;
      const d0 = text.charCodeAt(i);
      if (d0 === 48) i++;
      else if (d0 >= 49 && d0 <= 57) while (isDigit(text.charCodeAt(i))) i++;
      else throw DECLINE;
      if (text.charCodeAt(i) === 46) {
        i++;
        if (!isDigit(text.charCodeAt(i))) throw DECLINE;
        while (isDigit(text.charCodeAt(i))) i++;
      }
      const e = text.charCodeAt(i);
      if (e === 101 || e === 69) {
        i++;
        const sgn = text.charCodeAt(i);
        if (sgn === 43 || sgn === 45) i++;
        if (!isDigit(text.charCodeAt(i))) throw DECLINE;
        while (isDigit(text.charCodeAt(i))) i++;
      }
    }
    const next = text.charCodeAt(i);
    if (!(isBlank(next) || next === 44 || next === 93 || next === 125)) throw DECLINE;
    const value = text.slice(start, i);
    let tag: ScalarTag | undefined;
    for (const t of this.schema.tags as unknown as ScalarTag[]) {
      if (t.default === true && t.test?.test(value)) {
        tag = t;
        break;
      }
    }
    if (!tag) throw DECLINE;
    const res = tag.resolve(value, this.onError, this.options);
    const s = res instanceof Scalar ? res : new Scalar(res);
    s.range = [start, i, i];
    s.source = value;
    s.type = 'PLAIN';
    if (tag.format) s.format = tag.format;
    this.pos = i;
    return s;
  }
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * A character at or above 0x7F, or a control character, inside a string: the
 * fast path takes the ones YAML reads as plain content (no line breaks such as
 * NEL, no byte order mark, no C1 controls, no lone surrogates).
 */
function plainChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0xa0) return false;
  if (c === 0x2028 || c === 0x2029 || c === 0xfeff || c >= 0xfffe) return false;
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = text.charCodeAt(i + 1);
    return d >= 0xdc00 && d <= 0xdfff;
  }
  return !(c >= 0xdc00 && c <= 0xdfff);
}

/**
 * The document `yaml`'s `parseDocument(text, options)` returns, when `text` is a
 * JSON object the fast path takes; otherwise null.
 */
export function parseJsonDocument(text: string, options: Options, limits: JsonLimits): Document | null {
  // The document starts at the line of `{` (blank lines before it are outside it).
  // Tabs before it: not ours.
  let i = 0;
  let lineStart = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) lineStart = i + 1;
    else if (c === 13) {
      if (text.charCodeAt(i + 1) !== 10) return null;
    } else if (c !== 32) break;
    if (i - lineStart >= limits.maxIndent) return null;
  }
  if (text.charCodeAt(i) !== 123) return null;
  const composer = new Composer(options) as unknown as { directives?: unknown };
  if (!composer.directives) return null;
  const doc = new Document(undefined, Object.assign({ _directives: composer.directives }, options) as DocumentOptions);
  try {
    const scanner = new Scanner(text, options.schema, doc.options, limits);
    scanner.pos = i;
    const root = scanner.map(1);
    const contentEnd = scanner.mapTrail();
    // The document takes one more line of blanks; then only blanks (the scanner
    // checks the indentation of their lines).
    const docEnd = scanner.mapTrail();
    scanner.blanks(false);
    if (scanner.pos !== text.length) return null;
    (root.range as number[])[2] = contentEnd;
    doc.contents = root;
    doc.range = [lineStart, contentEnd, docEnd];
    return doc;
  } catch (e) {
    if (e === DECLINE) return null;
    throw e;
  }
}

/**
 * The JSON fast path (server/engine/cloudformation/jsonFast.ts) must give the
 * document `yaml` gives, to the last property: every node's class, range, type,
 * value, flags (`flow`, `spaceBefore`), the document's range, options and
 * directives. Where it declines, the `yaml` parse runs, so errors stay the
 * library's. Checked on every JSON file of the repository, on generated
 * templates, and on random JSON with random layout.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Schema, type Document } from 'yaml';
import { LineIndex } from '../../server/engine/positions';
import { MAX_FLOW_DEPTH, MAX_INDENT, parseCloudFormation, parseJsonFast, parseYamlDocument, templateOf } from '../../server/engine/cloudformation/parser';
import { cloudFormationJson } from '../../scripts/bench/generate';
import { ROOT, filesUnder } from '../helpers/engine';
import { rng } from '../helpers/random';

/** The first difference between two object graphs (own keys, symbols and non-enumerable ones included), or null. */
function difference(a: unknown, b: unknown, path = '$', seen = new Map<object, unknown>()): string | null {
  if (Object.is(a, b)) return null;
  if (typeof a !== typeof b) return `${path}: ${typeof a} vs ${typeof b}`;
  if (typeof a !== 'object' || a === null || b === null) return `${path}: ${String(a)} vs ${String(b)}`;
  // Both parses share the one schema of parser.ts.
  if (a instanceof Schema || b instanceof Schema) return a === b ? null : `${path}: another schema`;
  // Errors of two parses differ in their stack only.
  if (a instanceof Error && b instanceof Error) return difference({ ...a, message: a.message }, { ...b, message: b.message }, path, seen);
  if (seen.has(a)) return seen.get(a) === b ? null : `${path}: shared differently`;
  seen.set(a, b);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: ${a.constructor?.name} vs ${(b as object).constructor?.name}`;
  const ka = Reflect.ownKeys(a);
  const kb = new Set(Reflect.ownKeys(b as object));
  if (ka.length !== kb.size) return `${path}: keys ${ka.map(String).join(',')} vs ${[...kb].map(String).join(',')}`;
  for (const k of ka) {
    if (!kb.has(k)) return `${path}: no ${String(k)} on the right`;
    const da = Object.getOwnPropertyDescriptor(a, k)!;
    const db = Object.getOwnPropertyDescriptor(b, k)!;
    if (da.enumerable !== db.enumerable) return `${path}.${String(k)}: enumerable`;
    const d = difference(da.value, db.value, `${path}.${String(k)}`, seen);
    if (d) return d;
  }
  return null;
}

/** Checks the fast path against `yaml` on `text`; returns whether it took the text. */
function check(text: string, name: string): boolean {
  const fast = parseJsonFast(text);
  if (!fast) return false;
  const ref = parseYamlDocument(text);
  assert.deepEqual([...ref.errors, ...ref.warnings].map((e) => e.message), [], `${name}: taken, but yaml reports`);
  assert.equal(difference(fast, ref), null, `${name}: ${JSON.stringify(text.slice(0, 200))}`);
  return true;
}

/** parseCloudFormation (fast path where it applies) against the template read from the `yaml` document. */
function checkTemplate(path: string, text: string): void {
  const got = parseCloudFormation(path, text);
  const want = /AWSTemplateFormatVersion|["']?Type["']?\s*:\s*["']?(AWS|Custom)::/.test(text) ? templateOf(path, text, LineIndex.of(text), parseYamlDocument(text), null) : null;
  assert.equal(difference(got, want), null, path);
}

/** A JSON object the fast path must take: strict JSON, an object, no duplicate key, nothing `yaml` objects to. */
function plainJsonObject(text: string, doc: Document): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) && !doc.errors.length && !doc.warnings.length;
  } catch {
    return false;
  }
}

/** Random JSON-ish objects: layout, escapes, unicode, numbers, literals, and now and then what JSON or the fast path do not allow. */
function generator(seed: number, plainLayout: boolean): () => string {
  const rand = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)];
  const LAYOUT = ['', '', '', ' ', ' ', '\n', '\n  ', '\n    ', '  ', '\r\n', '\r\n  ', '\t', '\n\t', ' \n', '\n\n', '\n \n  ', '\n\n\n'];
  const CHARS = ['a', 'b', 'Z', '0', ' ', '-', ':', '#', ',', '{', '}', '[', ']', "'", '&', '*', '!', '|', '>', '%', '@', '`', '?', '~', '\\"', '\\\\', '\\/', '\\n', '\\t',
    '\\u00e9', '\\ud83d\\ude00', '\\ud800', 'é', '😀', '中', '\u2028', '\u0085', '\ufeff', '\u00a0', '\x7f', '\t', '\ud800', '\\b', '\\f', '\\r', '\\u0000', '\\x41', '\\a', ' #', ': ', '- ', '...', '---'];
  const NUMBERS = ['0', '-0', '1', '12', '-5', '1.5', '1.50', '0.0', '-0.0', '1e5', '1E5', '1e+5', '1.5e-3', '123456789012345678901234', '0.1', '01', '1.', '.5', '+1', '0x1F', 'Infinity', '1e400', '5e-324'];
  const WORDS = ['true', 'false', 'null', 'True', 'NULL', 'nul'];
  const ws = () => (plainLayout && rand() < 0.9 ? pick(['', ' ', '\n  ']) : pick(LAYOUT));
  const str = (max: number) => {
    let s = '';
    for (let n = Math.floor(rand() * max); n > 0; n--) s += rand() < 0.6 ? pick(['a', 'b', 'x', 'Y', '1', '_', '.', '/', ' ']) : pick(CHARS);
    return `"${s}"`;
  };
  const value = (d: number): string => {
    const r = rand();
    if (d > 0 && r < 0.25) return obj(d - 1);
    if (d > 0 && r < 0.4) return arr(d - 1);
    return r < 0.6 ? str(12) : r < 0.85 ? pick(NUMBERS) : pick(WORDS);
  };
  const obj = (d: number): string => {
    const keys: string[] = [];
    let s = `{${ws()}`;
    const n = Math.floor(rand() * 5);
    for (let i = 0; i < n; i++) {
      const k = rand() < 0.05 && keys.length ? pick(keys) : str(8);
      keys.push(k);
      s += `${i ? `,${ws()}` : ''}${k}${rand() < 0.1 ? ws() : ''}:${ws()}${value(d)}${ws()}${rand() < 0.01 ? ',' : ''}`;
    }
    return `${s}${n ? '' : ws()}}`;
  };
  const arr = (d: number): string => {
    let s = `[${ws()}`;
    for (let i = 0, n = Math.floor(rand() * 4); i < n; i++) s += `${i ? `,${ws()}` : ''}${value(d)}${ws()}`;
    return `${s}]`;
  };
  return () => {
    let t = ws() + obj(4) + ws();
    const r = rand();
    if (r < 0.02) t = `\ufeff${t}`;
    else if (r < 0.04) t += ' # c';
    else if (r < 0.06) t = t.replace(/\n/, '\r');
    return t;
  };
}

describe('JSON fast path (jsonFast.ts)', () => {
  const files = [...filesUnder(nodePath.join(ROOT, 'test'), /\.json$/), ...filesUnder(nodePath.join(ROOT, 'examples'), /\.json$/)]
    .map((f) => ({ name: nodePath.relative(ROOT, f), text: fs.readFileSync(f, 'utf8') }));

  it('gives the yaml document for every JSON file of the repository, and takes every plain JSON object', () => {
    let taken = 0;
    for (const f of files) {
      if (check(f.text, f.name)) taken++;
      else assert.ok(!plainJsonObject(f.text, parseYamlDocument(f.text)), `${f.name}: plain JSON object declined`);
    }
    assert.ok(files.length >= 50 && taken >= 50, `${taken} of ${files.length}`);
  });

  it('gives the template the yaml document gives (errors, resources, parameters, ranges) for every JSON file', () => {
    for (const f of files) checkTemplate(`/ws/${f.name}`, f.text);
  });

  it('takes generated templates, LF and CRLF', () => {
    for (const [i, text] of [cloudFormationJson(120), cloudFormationJson(400), cloudFormationJson(300).replace(/\n/g, '\r\n')].entries()) {
      assert.ok(check(text, `generated ${i}`), `generated ${i} declined`);
      checkTemplate('/ws/t.json', text);
    }
  });

  it('gives the yaml document for random JSON with random layout (and declines what is not JSON)', function () {
    this.timeout(60000);
    const next = generator(1, false);
    let taken = 0;
    let valid = 0;
    for (let i = 0; i < 4000; i++) {
      const text = next();
      if (check(text, `random ${i}`)) {
        taken++;
        assert.doesNotThrow(() => JSON.parse(text), `random ${i}: taken but not JSON`);
      }
      if (plainJsonObject(text, parseYamlDocument(text))) valid++;
    }
    // What it declines among valid JSON: tabs before the top-level object, a line break between a key and its colon, unusual characters.
    assert.ok(taken > valid * 0.6, `${taken} taken of ${valid} plain objects`);
  });

  it('takes every plain JSON object laid out in the usual ways', function () {
    this.timeout(60000);
    const next = generator(2, true);
    let taken = 0;
    let plain = 0;
    for (let i = 0; i < 1500; i++) {
      const text = next();
      const ok = check(text, `usual ${i}`);
      if (ok) taken++;
      // Declined by design: tabs, a line break before a colon, a lone CR, characters YAML may read otherwise.
      if (/[\t\u2028\u0085\ufeff\x7f\ud800-\udfff]|\\ud800(?!\\ud)|\n\s*:|\r(?!\n)/.test(text) || !plainJsonObject(text, parseYamlDocument(text))) continue;
      plain++;
      assert.ok(ok, `usual ${i} declined: ${JSON.stringify(text)}`);
    }
    assert.ok(plain > 300 && taken >= plain, `${taken} taken, ${plain} plain`);
  });

  it('takes the corners of JSON it models', () => {
    const cases = [
      '{}', '{ }', '{}\n', '{}\n\n\n', '{} \n  \n', '{}\r\n\r\n\r\n', '\n\n  {"a": 1}', '{"a":-0,"b":1.50,"c":1e5,"d":1E-5,"e":123456789012345678901234,"f":0.0}',
      '{"a": "\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\ud83d\\ude00\\u0000"}', '{"é": "中文 😀 \u00a0"}', '{"a": [true, false, null, [], {}, [[]], {"b": {}}]}',
      '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {\n    "c": "d"\n  }\n}\n', '{\r\n  "a": [\r\n\r\n    1\r\n\r\n  ]\r\n}', '{"a":\n\n\n 1\n\n ,\n\n\n "b": 2}',
      '{"": "", " ": " "}', `{${Array.from({ length: 30 }, (_, i) => `"k${i}": ${i}`).join(', ')}}`,
    ];
    for (const [i, text] of cases.entries()) assert.ok(check(text, `case ${i}`), `case ${i} declined: ${JSON.stringify(text)}`);
  });

  it('ends on every truncation of a template (a prefix of the text), taken or declined as yaml reads it', () => {
    const text = files.find((f) => /good-spread\.json$/.test(f.name))?.text ?? files[0].text;
    let declined = 0;
    for (let n = 0; n < text.length; n++) {
      const t = text.slice(0, n);
      if (parseJsonFast(t) === null) declined++;
      else checkTemplate('/ws/t.json', t);
    }
    assert.ok(declined > text.length / 2, `${declined} of ${text.length} declined`);
  });

  it('declines what it does not model, and the template then is the yaml one (errors included)', () => {
    const head = '"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"B": {"Type": "AWS::S3::Bucket"}}';
    const cases = [
      `{${head}, "Resources": {}}`, // a duplicate key
      `{${head}, ${Array.from({ length: 12 }, (_, i) => `"k${i}": ${i}`).join(', ')}, "k3": 0}`, // a duplicate key in a large map
      `{${head}} # c`, // a comment
      `{${head},}`, // a trailing comma
      `{${head}, "a": [1,]}`,
      `\ufeff{${head}}`, // a byte order mark
      `{${head},\r"a": 1}`, // a lone carriage return
      `[{${head}}]`, // not an object
      `\t{${head}}`, // a tab before the object
      `{${head}, "a"\n: 1}`, // a line break between key and colon
      `{${head}, 'a': 1}`, // single quotes
      `{${head}, a: 1}`, // a plain key
      `{${head}, "a": 01}`, // not a JSON number
      `{${head}, "a": "x\ty"}`, // a raw tab in a string
      `{${head}, "a": "\\x41"}`, // not a JSON escape
      `{${head}, "a": "\u0085"}`, // a character YAML may read otherwise
      `{${head}, "a": !Ref B}`, // a tag
      `{${head}} {}`, // text after the object
      `{${head}`, // unclosed
      `{${head}, "a": "x`, // an unterminated string
      `{${head}, "a": ["`, // one at the end of the text
      `{${head}, "a": "x\\`, // an escape at the end of the text
      `{${head}, "a": "\\u00`, // a short unicode escape at the end
    ];
    for (const [i, text] of cases.entries()) {
      assert.equal(parseJsonFast(text), null, `case ${i}: ${JSON.stringify(text.slice(0, 120))}`);
      checkTemplate('/ws/t.json', text);
    }
    // Beyond the limits of parser.ts: declined, and the slow path reports it.
    const deep = [
      `{${head}, "a": ${'['.repeat(MAX_FLOW_DEPTH)}${']'.repeat(MAX_FLOW_DEPTH)}}`, // nested too deep
      `{${head},\n${' '.repeat(MAX_INDENT + 1)}"a": 1}`, // indented too far
      `{${head}}\n${' '.repeat(MAX_INDENT + 1)}\n`, // a blank line after it indented too far
      `${' '.repeat(MAX_INDENT + 1)}\n{${head}}`, // one before it
    ];
    for (const [i, text] of deep.entries()) {
      assert.equal(parseJsonFast(text), null, `deep ${i}`);
      assert.match(parseCloudFormation('/ws/t.json', text)?.errors[0]?.message ?? '', /nests more than/, `deep ${i}`);
    }
    // Just within the limits: taken.
    assert.ok(check(`{${head}, "a": ${'['.repeat(MAX_FLOW_DEPTH - 1)}${']'.repeat(MAX_FLOW_DEPTH - 1)}}`, 'deep'));
    assert.ok(check(`{${head},\n${' '.repeat(MAX_INDENT)}"a": 1}`, 'indented'));
  });
});

/**
 * Offset ranges of one hidden class of their own.
 *
 * A `{ start, end }` object literal shares V8's hidden class with every other
 * two-property literal whose first key is `start`, in any module: among them the
 * LSP `Range` of vscode-languageserver-types (`{ start: Position, end: Position }`),
 * which dockerfile-ast makes for every Dockerfile it parses. The first such range
 * with object fields generalizes the shared class's `start` and `end` from small
 * integers to any value, and V8 throws away every optimized function that read or
 * wrote an offset range of that class (over the 10,002-file workspace: about sixty
 * functions compiled again per lint thread, a quarter of all repeat compiles).
 *
 * Ranges made here come from one constructor: their own hidden class, with small
 * integers in both fields, whatever other libraries put in theirs. They are still
 * plain objects (prototype `Object.prototype`, own fields `start` then `end`), equal
 * to the literal under `deepStrictEqual` and printed and serialized the same.
 */
import type { OffsetRange, TextEdit } from './types';

interface RangeConstructor {
  new (start: number, end: number): OffsetRange;
}

const PlainRange = function (this: OffsetRange, start: number, end: number) {
  this.start = start;
  this.end = end;
} as unknown as RangeConstructor;
// Plain objects: what `{ start, end }` would give, but built by a constructor.
(PlainRange as unknown as { prototype: object }).prototype = Object.prototype;

/** The range [start, end): `{ start, end }`, of the hidden class all engine ranges share. */
export function offsetRange(start: number, end: number): OffsetRange {
  return new PlainRange(start, end);
}

interface TextEditConstructor {
  new (start: number, end: number, newText: string): TextEdit;
}

const PlainTextEdit = function (this: TextEdit, start: number, end: number, newText: string) {
  this.start = start;
  this.end = end;
  this.newText = newText;
} as unknown as TextEditConstructor;
(PlainTextEdit as unknown as { prototype: object }).prototype = Object.prototype;

/**
 * The edit replacing [start, end) by `newText`: `{ start, end, newText }`, by one
 * constructor for the same reason. A three-property literal starting with `start`
 * shares its class with the `yaml` parser's `{ start, key, sep }` tokens, whose
 * `start` is an array: the first YAML file threw away the optimized edit builders.
 */
export function textEdit(start: number, end: number, newText: string): TextEdit {
  return new PlainTextEdit(start, end, newText);
}

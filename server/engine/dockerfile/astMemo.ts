/**
 * dockerfile-ast computes an instruction's arguments from its text on every
 * call of `Instruction.getRawArguments` (the private method behind
 * `getArguments`, `getArgumentsRange`, `getFlags`, `getVariables`, heredocs...):
 * a character-by-character scan that builds each value by string concatenation
 * and converts every boundary with `positionAt`. One instruction asks for them
 * about nine times between its construction, the engine's conversion and
 * dockerfile-utils' validation.
 *
 * The result depends only on the instruction's document text, its ranges and
 * its escape character, none of which change after construction (dockerfile-ast
 * makes a new document per parse and never updates it). So the first call's
 * arguments are recorded per instruction (by identity), and later calls get new
 * `Argument` objects with new ranges built from that record: callers may change
 * what they are given (`ModifiableInstruction.getArguments` shifts the flags off
 * the array, `From.getImageNameRange` moves the ends of the first argument's
 * range), exactly as they could change a fresh result.
 *
 * Installed once, on the prototype, when this module is loaded (by the
 * Dockerfile parser): dockerfile-utils' validation of the engine's parse goes
 * through the same instances. test/unit/dockerfileAstMemo.test.ts checks every
 * call against the library's own method.
 */
import { Argument, Instruction } from 'dockerfile-ast';

/** Per argument: value, start line, start character, end line, end character. */
type Record = (string | number)[];

const RECORD = Symbol('iac-lint.rawArguments');

interface Memoized {
  [RECORD]?: Record;
}

type RawArguments = (this: Instruction) => Argument[];

const proto = Instruction.prototype as unknown as { getRawArguments: RawArguments & { original?: RawArguments } };

/** dockerfile-ast's own `getRawArguments` (the general path, kept for tests). */
export const originalRawArguments: RawArguments = proto.getRawArguments.original ?? proto.getRawArguments;

function record(args: Argument[]): Record {
  const r: Record = new Array(args.length * 5);
  for (let i = 0, k = 0; i < args.length; i++, k += 5) {
    const a = args[i];
    const range = a.getRange();
    r[k] = a.getValue();
    r[k + 1] = range.start.line;
    r[k + 2] = range.start.character;
    r[k + 3] = range.end.line;
    r[k + 4] = range.end.character;
  }
  return r;
}

function replay(r: Record): Argument[] {
  const n = r.length / 5;
  const args: Argument[] = new Array(n);
  for (let i = 0, k = 0; i < n; i++, k += 5) {
    args[i] = new Argument(r[k] as string, {
      start: { line: r[k + 1] as number, character: r[k + 2] as number },
      end: { line: r[k + 3] as number, character: r[k + 4] as number },
    });
  }
  return args;
}

function memoizedRawArguments(this: Instruction & Memoized): Argument[] {
  const r = this[RECORD];
  if (r !== undefined) return replay(r);
  const args = originalRawArguments.call(this);
  this[RECORD] = record(args);
  return args;
}
memoizedRawArguments.original = originalRawArguments;

// Only over the method this was written for: were a version of dockerfile-ast to
// rename or drop it, the library would run as it comes (slower, same results).
if (typeof originalRawArguments === 'function') proto.getRawArguments = memoizedRawArguments;

/**
 * The shell commands of `RUN` instructions, read with a real shell parser:
 * tree-sitter-bash (the grammar of the tree-sitter project, run by the same
 * web-tree-sitter runtime as the Terraform grammar). It handles quoting,
 * `&&`/`||`/`;`/pipes, compound commands (`if`, `for`, subshells, functions),
 * heredocs and redirections, recovers from syntax errors, and gives every node
 * its position, which is mapped back to the Dockerfile through the joined
 * continuation lines (`DfInstruction.argsMap`), heredoc bodies, exec-form JSON
 * strings and `sh -c '...'` scripts, so fixes can insert text at the right word.
 *
 * `initShell()` loads the grammar (async, once); everything after is synchronous.
 */
// See terraform/parser.ts: `import x = require(...)` keeps esbuild on the CommonJS build.
import TreeSitter = require('web-tree-sitter');
import { mapDense } from '../arrays';
import type { OffsetRange } from '../types';
import type { DfInstruction } from './model';
import { originOf } from './parser';
import { loadParser } from '../treeSitter';
import { offsetRange } from '../offsetRange';

type TsNode = TreeSitter.Node;

export interface ShellWord {
  /** The word with quotes removed and escapes resolved; expansions (`$X`, `$(...)`) are left as written. */
  text: string;
  /** The word in the file, quotes included. */
  range: OffsetRange;
}

export interface ShellCommand {
  /** Every word of the simple command: assignments, program, arguments, and redirections. */
  words: ShellWord[];
  /**
   * The program and its arguments: leading `NAME=value` assignments, wrappers
   * (`sudo`, `env`, `exec`, `nohup`, `time`, `command`, with their options) and
   * redirections removed.
   */
  argv: ShellWord[];
  /** Leading `NAME=value` assignments (and those given to `env`): the command's own environment. */
  assignments: { name: string; value: string }[];
  /** The wrapper words removed from the front of `argv` (`sudo`, `-u`, `app`, `env`, ...). */
  wrappers: ShellWord[];
  /** The simple command in the file, from its first to its last word. */
  range: OffsetRange;
  /**
   * The command's element of its and-or list: the pipeline it belongs to, with
   * its redirections and a leading `!`. Inserting `x && ` at its start runs `x`
   * just before it.
   */
  element: OffsetRange;
  /** The whole and-or list (`a && b || c`) holding `element`; `element` itself when it stands alone. */
  chain: OffsetRange;
  /** The operator just before `element` in `chain`; null for the first element. */
  connector: '&&' | '||' | null;
  /**
   * Whether `chain` is a statement of the script itself: not inside `if`,
   * loops, `case`, subshells, `{ }` groups or functions.
   */
  topLevel: boolean;
  /** `exec` for the JSON array form (`RUN ["apt-get", "install"]`): its words are JSON strings. */
  form: 'shell' | 'exec';
}

// ---------------------------------------------------------------------------
// Grammar loading

let parser: TreeSitter.Parser | null = null;
let initializing: Promise<void> | null = null;

/** Loads the bash grammar (treeSitter.ts). Idempotent. */
export function initShell(): Promise<void> {
  if (parser) return Promise.resolve();
  if (!initializing) {
    initializing = loadParser('tree-sitter-bash.wasm', 'tree-sitter-bash/tree-sitter-bash.wasm').then((p) => {
      parser = p;
    }, (e: unknown) => {
      initializing = null;
      throw e;
    });
  }
  return initializing;
}

// ---------------------------------------------------------------------------
// Position maps

/**
 * Where each character of a text came from in the file: `starts[i]`/`ends[i]`
 * bound the source of character `i` (an escape sequence maps to all of it);
 * `eof` is the position after the text.
 */
interface CharMap {
  starts: number[];
  /** null: each character's source is one character (`starts[i] + 1`). */
  ends: number[] | null;
  eof: number;
}

const startOf = (m: CharMap, i: number): number => (i < m.starts.length ? m.starts[Math.max(0, i)] : m.eof);
const endOf = (m: CharMap, e: number): number => {
  if (e <= 0) return startOf(m, 0);
  const i = Math.min(e, m.starts.length) - 1;
  return m.ends ? m.ends[i] : m.starts[i] + 1;
};
const rangeOf = (m: CharMap, s: number, e: number): OffsetRange => offsetRange(startOf(m, s), Math.max(startOf(m, s), endOf(m, e)));

function identityMap(length: number, base = 0): CharMap {
  const starts = Array.from({ length }, (_, i) => base + i);
  return { starts, ends: null, eof: base + length };
}

/** A map from an `argsMap`-style array: one file offset per character plus one for the end. */
function fromOffsets(offsets: readonly number[], length: number): CharMap {
  const starts = offsets.slice(0, length);
  return { starts, ends: null, eof: offsets[length] ?? (length ? starts[length - 1] + 1 : 0) };
}

/** A text built from pieces of another: `spans[i]` is the [start, end) in the outer text of character `i`. */
function composeMap(outer: CharMap, spans: [number, number][], outerEnd: number): CharMap {
  return {
    starts: spans.map(([s]) => startOf(outer, s)),
    ends: spans.map(([, e]) => endOf(outer, e)),
    eof: endOf(outer, outerEnd),
  };
}

// ---------------------------------------------------------------------------
// Words

const EXPANSIONS = new Set([
  'simple_expansion', 'expansion', 'command_substitution', 'arithmetic_expansion', 'process_substitution',
]);

/** Tests only: look for expansions below every word (the general path of `mayExpand`). */
export const shellTesting = { everyWord: false };

/**
 * Whether `src[start, end)` can hold an expansion node: every kind starts with
 * `$` (`$x`, `${x}`, `$(...)`, `$((...))`, `$[...]`), a backquote, or `<(`/`>(`.
 * Without one the word's children need not be read (each is a call into the parser).
 */
function mayExpand(src: string, start: number, end: number): boolean {
  for (let k = start; k < end; k++) {
    const c = src.charCodeAt(k);
    if (c === 36 /* $ */ || c === 96 /* ` */ || c === 40 /* ( */) return true;
  }
  return false;
}

/**
 * The value of a word node (quotes removed, escapes resolved, expansions kept as
 * written) and, with `withSpans`, per character, its span in the parsed text.
 */
function wordValue(node: TsNode, src: string, withSpans = false): { text: string; spans: [number, number][]; end: number } {
  let text = '';
  const spans: [number, number][] = [];
  // Every character of the value is a character of `src`: runs of consecutive
  // ones are appended as one slice.
  let runStart = 0;
  let runEnd = -1;
  /** Appends `src[at]`, which stands for `src[s, e)`. */
  const push = (at: number, s: number, e: number) => {
    if (at !== runEnd) {
      if (runEnd > runStart) text += src.slice(runStart, runEnd);
      runStart = at;
    }
    runEnd = at + 1;
    if (withSpans) spans.push([s, e]);
  };
  const verbatim = (s: number, e: number) => {
    for (let k = s; k < e; k++) push(k, k, k + 1);
  };
  /** Ranges of expansion nodes below `n` (not descending into them). */
  const expansionRanges = (n: TsNode, out: [number, number][] = []): [number, number][] => {
    for (const c of n.children) {
      if (!c) continue;
      const type = c.type;
      if (EXPANSIONS.has(type)) out.push([c.startIndex, c.endIndex]);
      else if (type !== 'raw_string') expansionRanges(c, out);
    }
    return out;
  };
  let i = node.startIndex;
  const end = node.endIndex;
  const expansions = shellTesting.everyWord || mayExpand(src, i, end) ? expansionRanges(node) : [];
  let quote: '"' | null = null;
  while (i < end) {
    const exp = expansions.find(([s]) => s === i);
    if (exp) {
      verbatim(exp[0], exp[1]);
      i = exp[1];
      continue;
    }
    const c = src[i];
    if (quote) {
      if (c === '"') {
        quote = null;
        i++;
      } else if (c === '\\' && i + 1 < end && '"\\$`\n'.includes(src[i + 1])) {
        if (src[i + 1] !== '\n') push(i + 1, i, i + 2);
        i += 2;
      } else {
        push(i, i, i + 1);
        i++;
      }
    } else if (c === '"') {
      quote = '"';
      i++;
    } else if (c === '$' && (src[i + 1] === "'" || src[i + 1] === '"')) {
      // $'ansi-c' and $"translated": the quotes go, the content stays as written.
      i++;
    } else if (c === "'") {
      const close = src.indexOf("'", i + 1);
      const stop = close < 0 || close > end ? end : close;
      verbatim(i + 1, stop);
      i = Math.min(stop + 1, end);
    } else if (c === '\\') {
      if (i + 1 >= end) {
        i++;
      } else if (src[i + 1] === '\n') {
        i += 2;
      } else {
        push(i + 1, i, i + 2);
        i += 2;
      }
    } else {
      push(i, i, i + 1);
      i++;
    }
  }
  if (runEnd > runStart) text += src.slice(runStart, runEnd);
  return { text, spans, end };
}

// ---------------------------------------------------------------------------
// Commands

const SHELLS = /^(\/usr)?(\/bin\/)?(sh|bash|ash|dash|zsh|ksh|mksh)$/;
const SIMPLE_WRAPPERS = new Set(['exec', 'nohup', 'time', 'command', 'builtin']);
/** Nodes whose statements are not statements of the script itself. */
const NESTING = new Set([
  'if_statement', 'elif_clause', 'else_clause', 'while_statement', 'for_statement', 'c_style_for_statement',
  'case_statement', 'case_item', 'subshell', 'compound_statement', 'function_definition', 'do_group',
  'command_substitution', 'process_substitution',
]);
/** Nodes between a command and the and-or list it is an element of. */
const ELEMENT_WRAPPERS = new Set(['pipeline', 'redirected_statement', 'negated_command']);

interface ScriptContext {
  src: string;
  map: CharMap;
  form: 'shell' | 'exec';
  depth: number;
  /** The and-or position of every element of every and-or list, by node id (see indexChain). */
  chains: Map<number, Placement>;
}

/** Parses `src` as a shell script and returns its simple commands in order. */
function parseScript(src: string, map: CharMap, depth = 0): ShellCommand[] {
  if (!parser) throw new Error('the shell parser is not initialised (initShell() was not awaited)');
  if (depth > 4 || src.trim() === '') return [];
  const tree = parser.parse(src);
  if (!tree) return [];
  try {
    const out: ShellCommand[] = [];
    visit(tree.rootNode, { src, map, form: 'shell', depth, chains: new Map() }, out);
    return out;
  } finally {
    tree.delete();
  }
}

/**
 * A node on the way down from the root. The way up is read from these frames,
 * not from `node.parent`, which tree-sitter answers by walking down from the root.
 */
interface Frame {
  node: TsNode;
  type: string;
  parent: Frame | null;
  /** An and-or list, or a redirected one. */
  listLike: boolean;
  /** An ancestor is a statement that nests (if, while, subshell, function, ...). */
  nested: boolean;
}

/**
 * The simple commands below `root`, in order. Iterative (a long `a && b && ...`
 * chain is a deep tree), and every and-or list is flattened once, when it is
 * reached from above.
 */
function visit(root: TsNode, ctx: ScriptContext, out: ShellCommand[]): void {
  const stack: Frame[] = [{ node: root, type: root.type, parent: null, listLike: false, nested: false }];
  while (stack.length) {
    const frame = stack.pop()!;
    const { node, type } = frame;
    if (type === 'command') {
      out.push(...commandOf(node, ctx, frame));
      // Process substitutions and the like inside words are not separate statements.
      continue;
    }
    // Words and expansions are not statements: `$(...)` inside an argument stays part of it.
    if (EXPANSIONS.has(type) || type === 'heredoc_body' || type === 'string' || type === 'raw_string') continue;
    frame.listLike = type === 'list' || (type === 'redirected_statement' && node.namedChildren[0]?.type === 'list');
    if (frame.listLike && !frame.parent?.listLike) indexChain(frame, ctx.chains);
    const nested = frame.nested || NESTING.has(type);
    const children = node.children;
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i];
      if (c) stack.push({ node: c, type: c.type, parent: frame, listLike: false, nested });
    }
  }
}

/** A redirected and-or list: tree-sitter-bash attaches `a && b >log` 's redirection to the list. */
const isRedirectedList = (n: TsNode | null): boolean =>
  !!n && n.type === 'redirected_statement' && n.namedChildren[0]?.type === 'list';

interface Placement {
  element: [number, number];
  chain: [number, number];
  connector: '&&' | '||' | null;
  topLevel: boolean;
}

type ChainItem = { id: number; range: [number, number] } | '&&' | '||';

/**
 * Flattens the (left-nested) and-or list of `frame` into elements and operators
 * (a redirection of a list belongs to its last element) and records the
 * placement of each element.
 */
function indexChain(frame: Frame, into: Map<number, Placement>): void {
  const chain = frame.node;
  const items: ChainItem[] = [];
  const work: ({ node: TsNode } | { extendTo: number } | { op: '&&' | '||' })[] = [{ node: chain }];
  while (work.length) {
    const w = work.pop()!;
    if ('op' in w) {
      items.push(w.op);
      continue;
    }
    if ('extendTo' in w) {
      const last = items[items.length - 1];
      if (last && typeof last !== 'string') last.range = [last.range[0], w.extendTo];
      continue;
    }
    const n = w.node;
    if (isRedirectedList(n)) {
      work.push({ extendTo: n.endIndex }, { node: n.namedChildren[0]! });
      continue;
    }
    if (n.type !== 'list') {
      items.push({ id: n.id, range: [n.startIndex, n.endIndex] });
      continue;
    }
    const children = n.children;
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i];
      if (!c) continue;
      work.push(c.type === '&&' || c.type === '||' ? { op: c.type } : { node: c });
    }
  }
  // Top level: no ancestor of the chain nests it.
  const topLevel = !frame.nested;
  const range: [number, number] = [chain.startIndex, chain.endIndex];
  items.forEach((item, idx) => {
    if (typeof item === 'string') return;
    const before = items[idx - 1];
    into.set(item.id, { element: item.range, chain: range, connector: typeof before === 'string' ? before : null, topLevel });
  });
}

/** The and-or position of a command: element, chain, connector, and whether it is top level. */
function placement(frame: Frame, chains: ReadonlyMap<number, Placement>): Placement {
  let element = frame;
  // (`listLike` of the frames above a command is known: they were visited.)
  while (element.parent && ELEMENT_WRAPPERS.has(element.parent.type) && !(element.parent.type === 'redirected_statement' && element.parent.listLike)) {
    element = element.parent;
  }
  const indexed = chains.get(element.node.id);
  if (indexed) return indexed;
  // Not an element of an and-or list: a chain of one.
  let chain = element;
  while (chain.parent && chain.parent.listLike) chain = chain.parent;
  const own = new Map<number, Placement>();
  if (chain !== element) indexChain(chain, own);
  return own.get(element.node.id) ?? {
    element: [element.node.startIndex, element.node.endIndex],
    chain: [chain.node.startIndex, chain.node.endIndex],
    connector: null,
    topLevel: !chain.nested,
  };
}

function commandOf(node: TsNode, ctx: ScriptContext, frame: Frame): ShellCommand[] {
  const { src, map } = ctx;
  // Every word with the same fields (`assignment` null but for assignments).
  const words: (ShellWord & { kind: 'assignment' | 'word' | 'redirect'; assignment: { name: string; value: string } | null })[] = [];
  for (const c of node.namedChildren) {
    if (!c) continue;
    const type = c.type;
    if (type === 'variable_assignment') {
      const end = c.endIndex;
      const text = src.slice(c.startIndex, end);
      const range = rangeOf(map, c.startIndex, end);
      const nameNode = c.childForFieldName('name') ?? c.namedChildren[0];
      const valueNode = c.childForFieldName('value');
      const value = valueNode ? wordValue(valueNode, src).text : '';
      words.push({ kind: 'assignment', text, range, assignment: { name: nameNode ? src.slice(nameNode.startIndex, nameNode.endIndex) : '', value } });
    } else if (type.endsWith('redirect')) {
      const end = c.endIndex;
      words.push({ kind: 'redirect', text: src.slice(c.startIndex, end), range: rangeOf(map, c.startIndex, end), assignment: null });
    } else {
      const w = type === 'command_name' && c.namedChildren[0] ? c.namedChildren[0]! : c;
      const v = wordValue(w, src);
      words.push({ kind: 'word', text: v.text, range: rangeOf(map, w.startIndex, v.end), assignment: null });
    }
  }
  if (words.length === 0) return [];
  const assignments: { name: string; value: string }[] = [];
  for (const w of words) if (w.assignment) assignments.push(w.assignment);
  // Program words: no redirections, no leading assignments.
  const idx: number[] = [];
  for (let j = 0; j < words.length; j++) if (words[j].kind === 'word') idx.push(j);
  let k = 0;
  const wrappers: ShellWord[] = [];
  for (;;) {
    const w = words[idx[k]];
    if (!w) break;
    const t = w.text;
    if (SIMPLE_WRAPPERS.has(t)) {
      wrappers.push(strip(w));
      k++;
      // `command -v`, `time -p`: options of the wrapper.
      while (words[idx[k]] && /^-/.test(words[idx[k]].text)) wrappers.push(strip(words[idx[k++]]));
    } else if (t === 'sudo' || t === 'env' || t === 'doas') {
      wrappers.push(strip(w));
      k++;
      while (words[idx[k]]) {
        const o = words[idx[k]].text;
        if (t === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(o)) {
          const eq = o.indexOf('=');
          assignments.push({ name: o.slice(0, eq), value: o.slice(eq + 1) });
        } else if (!o.startsWith('-')) break;
        wrappers.push(strip(words[idx[k++]]));
        // Options that take a value.
        if (/^-[ugCDhprRTU]$/.test(o) && words[idx[k]]) wrappers.push(strip(words[idx[k++]]));
      }
    } else {
      break;
    }
  }
  const argvIdx = idx.slice(k);
  const argv = mapDense(argvIdx, (j) => strip(words[j]));
  const pl = placement(frame, ctx.chains);
  const common = {
    element: rangeOf(map, pl.element[0], pl.element[1]),
    chain: rangeOf(map, pl.chain[0], pl.chain[1]),
    connector: pl.connector,
    topLevel: pl.topLevel,
  };

  // `sh -c '<script>'`: the script's commands, positions mapped through the word.
  const scriptAt = argv.length >= 3 && SHELLS.test(argv[0].text) ? shellScriptIndex(argv.map((w) => w.text)) : -1;
  if (scriptAt > 0) {
    const j = argvIdx[scriptAt];
    const wordNode = wordNodes(node)[j];
    if (wordNode) {
      // The spans of the script's characters (only this word needs them).
      const spans = wordValue(wordNode, src, true).spans;
      const inner = composeMap(map, spans, wordNode.endIndex);
      return parseScript(words[j].text, inner, ctx.depth + 1);
    }
  }
  return [{
    words: mapDense(words, (x) => strip(x)),
    argv,
    assignments,
    wrappers,
    range: offsetRange(words[0].range.start, words[words.length - 1].range.end),
    // Written out, not spread: every command of one shape, whichever function made it.
    element: common.element,
    chain: common.chain,
    connector: common.connector,
    topLevel: common.topLevel,
    form: ctx.form,
  }];
}

/** The named children of a command in the order `commandOf` turns them into words. */
function wordNodes(node: TsNode): TsNode[] {
  return node.namedChildren
    .filter((c): c is TsNode => !!c)
    .map((c) => (c.type === 'command_name' && c.namedChildren[0] ? c.namedChildren[0]! : c));
}

const strip = (w: ShellWord): ShellWord => ({ text: w.text, range: w.range });

/**
 * The index in `argv` of the script of `sh -c script` / `bash -ec script` /
 * `bash -o pipefail -c script`, or -1.
 */
function shellScriptIndex(argv: string[]): number {
  for (let k = 1; k < argv.length; k++) {
    const t = argv[k];
    if (t === '-o' || t === '+o') {
      k++;
      continue;
    }
    if (!/^[-+]/.test(t)) return -1;
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(t)) return k + 1 < argv.length ? k + 1 : -1;
  }
  return -1;
}

// ---------------------------------------------------------------------------
// Entry points

/**
 * Split `input` into its simple commands. `map[i]` is the file offset of
 * `input[i]` (one extra entry for the end); without it offsets are indexes into
 * `input`.
 */
export function splitShell(input: string, map?: readonly number[]): ShellCommand[] {
  return parseScript(input, map ? fromOffsets(map, input.length) : identityMap(input.length));
}

const cache = new WeakMap<DfInstruction, ShellCommand[]>();

/**
 * The simple commands a `RUN` executes, in order: its shell form, its exec form
 * (`["sh", "-c", "..."]` is parsed too), and heredoc bodies that the shell runs
 * (`RUN <<EOF`, `RUN bash <<EOF`; not `RUN python3 <<EOF` nor a body whose `#!`
 * line names another interpreter). Empty for other instructions. Results are
 * cached per instruction.
 */
export function runCommands(instr: DfInstruction): ShellCommand[] {
  if (instr.keyword !== 'RUN' || !instr.argsRange) return [];
  const hit = cache.get(instr);
  if (hit) return hit;
  // A copy of an instruction of an earlier parse, moved by an edit before it:
  // the same text, so the same commands, moved.
  const origin = originOf(instr);
  const result = origin ? shiftCommands(runCommands(origin.from), origin.delta) : instr.json ? execForm(instr) : shellForm(instr);
  cache.set(instr, result);
  return result;
}

function shiftCommands(commands: ShellCommand[], d: number): ShellCommand[] {
  const r = (x: OffsetRange): OffsetRange => offsetRange(x.start + d, x.end + d);
  const words = new Map<ShellWord, ShellWord>();
  const w = (x: ShellWord): ShellWord => {
    let moved = words.get(x);
    if (!moved) {
      moved = { text: x.text, range: r(x.range) };
      words.set(x, moved);
    }
    return moved;
  };
  return mapDense(commands, (c) => ({
    words: mapDense(c.words, w),
    argv: mapDense(c.argv, w),
    assignments: mapDense(c.assignments, (a) => ({ name: a.name, value: a.value })),
    wrappers: mapDense(c.wrappers, w),
    range: r(c.range),
    element: r(c.element),
    chain: r(c.chain),
    connector: c.connector,
    topLevel: c.topLevel,
    form: c.form,
  }));
}

function shellForm(instr: DfInstruction): ShellCommand[] {
  let firstBody = Infinity;
  for (const h of instr.heredocs) {
    const s = h.contentRange?.start ?? h.delimiterRange?.start ?? -1;
    if (s >= 0) firstBody = Math.min(firstBody, s);
  }
  // The instruction line(s) before the first heredoc body, heredoc operators blanked.
  let headerLen = 0;
  while (headerLen < instr.argsText.length && instr.argsMap[headerLen] < firstBody) headerLen++;
  const header = instr.argsText
    .slice(0, headerLen)
    .replace(/<<-?[ \t]*(["']?)[A-Za-z0-9_.-]+\1/g, (m) => ' '.repeat(m.length));
  const commands = parseScript(header, fromOffsets(instr.argsMap, headerLen));
  if (instr.heredocs.length === 0) return commands;
  const headerProgram = commands[0]?.argv[0]?.text;
  if (headerProgram !== undefined && !SHELLS.test(headerProgram)) return commands;
  for (const h of instr.heredocs) {
    if (!h.contentRange) continue;
    const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(h.content);
    if (shebang) {
      const interp = shebang[1].endsWith('/env') ? shebang[2] ?? '' : shebang[1].replace(/^.*\//, '');
      if (!SHELLS.test(interp)) continue;
    }
    commands.push(...parseScript(h.content, identityMap(h.content.length, h.contentRange.start)));
  }
  return commands;
}

/** The JSON string literals of an exec-form instruction: value and per-character source spans. */
function jsonStrings(instr: DfInstruction): { text: string; range: OffsetRange; map: CharMap }[] {
  const src = instr.argsText;
  const argMap = fromOffsets(instr.argsMap, src.length);
  const out: { text: string; range: OffsetRange; map: CharMap }[] = [];
  let i = 0;
  while (i < src.length) {
    if (src[i] !== '"') {
      i++;
      continue;
    }
    const open = i;
    let text = '';
    const spans: [number, number][] = [];
    i++;
    while (i < src.length && src[i] !== '"') {
      if (src[i] === '\\' && i + 1 < src.length) {
        const e = src[i + 1];
        if (e === 'u') {
          text += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16) || 0);
          spans.push([i, Math.min(i + 6, src.length)]);
          i += 6;
        } else {
          text += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[e] ?? e;
          spans.push([i, i + 2]);
          i += 2;
        }
      } else {
        text += src[i];
        spans.push([i, i + 1]);
        i++;
      }
    }
    const close = Math.min(i, src.length);
    i = close + 1;
    out.push({ text, range: rangeOf(argMap, open, Math.min(close + 1, src.length)), map: composeMap(argMap, spans, close) });
  }
  return out;
}

function execForm(instr: DfInstruction): ShellCommand[] {
  const strings = jsonStrings(instr).slice(0, instr.json?.length ?? 0);
  if (strings.length === 0) return [];
  const words: ShellWord[] = mapDense(strings, (s) => ({ text: s.text, range: s.range }));
  const script = words.length >= 3 && SHELLS.test(words[0].text) ? shellScriptIndex(words.map((w) => w.text)) : -1;
  if (script > 0) return parseScript(strings[script].text, strings[script].map, 1);
  const range = offsetRange(words[0].range.start, words[words.length - 1].range.end);
  return [{
    words,
    argv: words,
    assignments: [],
    wrappers: [],
    range,
    element: range,
    chain: range,
    connector: null,
    topLevel: true,
    form: 'exec',
  }];
}

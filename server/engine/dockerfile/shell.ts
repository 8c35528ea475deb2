/**
 * A small shell command splitter for `RUN` instructions: enough to find the
 * simple commands of a script and their words, with file offsets. It respects
 * quotes, escapes, `$(...)`, `${...}` and backquotes, and splits on `&&`, `||`,
 * `;`, `|`, `&`, `(`, `)` and line breaks. It is not a shell parser: no
 * expansion, no control-flow structure. Kept in its own file so that a real
 * parser can replace it without touching the rules.
 */
import type { OffsetRange } from '../types';
import type { DfInstruction } from './model';

export interface ShellWord {
  /** The word with quotes removed and escapes resolved; expansions are left as written. */
  text: string;
  /** The word in the file, quotes included. */
  range: OffsetRange;
}

export interface ShellCommand {
  /** Every word of the simple command, redirections and assignments included. */
  words: ShellWord[];
  /**
   * The program and its arguments: leading `NAME=value` assignments, reserved
   * words (`then`, `do`, `!`, `{` ...), wrappers (`sudo`, `env`, `exec`, `nohup`,
   * `time`, `command`) and redirections removed. Empty for `for`/`case` headers.
   */
  argv: ShellWord[];
  /** From the first to the last word. */
  range: OffsetRange;
}

interface Token {
  text: string;
  /** Index in the input of the first and past the last raw character. */
  start: number;
  end: number;
  /** Per character of `text`, its index in the input (for nested `sh -c` scripts). */
  map: number[];
}

const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}', 'esac', 'in']);
const HEADERS = new Set(['for', 'case', 'select', 'function']);
const SHELLS = /^(\/usr)?(\/bin\/)?(sh|bash|ash|dash|zsh|ksh)$/;

/**
 * Split `input` into simple commands. `map[i]` is the file offset of `input[i]`
 * (one extra entry for the end); without it offsets are indexes into `input`.
 */
export function splitShell(input: string, map?: readonly number[]): ShellCommand[] {
  const at = (i: number): number => (map ? map[Math.max(0, Math.min(i, map.length - 1))] : i);
  const commands: Token[][] = [];
  let words: Token[] = [];
  let cur: Token | null = null;
  const endWord = () => {
    if (cur) words.push(cur);
    cur = null;
  };
  const endCommand = () => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  const word = (i: number): Token => {
    if (!cur) cur = { text: '', start: i, end: i, map: [] };
    return cur;
  };
  const add = (ch: string, src: number) => {
    const w = word(src);
    w.text += ch;
    w.map.push(src);
  };
  /** Scan a balanced `$(...)`, `${...}` or backquoted span starting at `i`; returns its end. */
  const skipNested = (i: number): number => {
    const open = input[i + 1];
    if (input[i] === '`') {
      let j = i + 1;
      while (j < input.length && input[j] !== '`') j += input[j] === '\\' ? 2 : 1;
      return Math.min(j + 1, input.length);
    }
    const close = open === '(' ? ')' : '}';
    let depth = 0;
    let j = i + 1;
    while (j < input.length) {
      const c = input[j];
      if (c === '\\') {
        j += 2;
        continue;
      }
      if (c === "'" && open === '(') {
        const k = input.indexOf("'", j + 1);
        j = k < 0 ? input.length : k + 1;
        continue;
      }
      if (c === open) depth++;
      else if (c === close) {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return input.length;
  };

  let i = 0;
  while (i < input.length) {
    const c = input[i];
    const next = input[i + 1];
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else if (c === '\n' || c === '\r' || c === ';') {
      endCommand();
      i++;
    } else if (c === '#' && !cur) {
      while (i < input.length && input[i] !== '\n' && input[i] !== '\r') i++;
    } else if (c === '&') {
      const prev: string = cur ? (cur as Token).text.slice(-1) : '';
      if (next === '&') {
        endCommand();
        i += 2;
      } else if (prev === '>' || prev === '<' || next === '>') {
        add(c, i++);
        (cur as Token | null)!.end = i;
      } else {
        endCommand();
        i++;
      }
    } else if (c === '|') {
      endCommand();
      i += next === '|' || next === '&' ? 2 : 1;
    } else if (c === '(' || c === ')') {
      endCommand();
      i++;
    } else if (c === "'") {
      const w = word(i);
      const k = input.indexOf("'", i + 1);
      const stop = k < 0 ? input.length : k;
      for (let j = i + 1; j < stop; j++) add(input[j], j);
      i = Math.min(stop + 1, input.length);
      w.end = i;
    } else if (c === '"') {
      const w = word(i);
      let j = i + 1;
      while (j < input.length && input[j] !== '"') {
        if (input[j] === '\\' && j + 1 < input.length && '"\\$`\n'.includes(input[j + 1])) {
          if (input[j + 1] !== '\n') add(input[j + 1], j + 1);
          j += 2;
        } else if ((input[j] === '$' && (input[j + 1] === '(' || input[j + 1] === '{')) || input[j] === '`') {
          const e = skipNested(j);
          for (let k = j; k < e; k++) add(input[k], k);
          j = e;
        } else {
          add(input[j], j);
          j++;
        }
      }
      i = Math.min(j + 1, input.length);
      w.end = i;
    } else if (c === '\\') {
      if (next === '\n') i += 2;
      else if (next === '\r') i += input[i + 2] === '\n' ? 3 : 2;
      else if (next === undefined) i++;
      else {
        const w = word(i);
        add(next, i + 1);
        i += 2;
        w.end = i;
      }
    } else if ((c === '$' && (next === '(' || next === '{')) || c === '`') {
      const w = word(i);
      const e = skipNested(i);
      for (let k = i; k < e; k++) add(input[k], k);
      i = e;
      w.end = i;
    } else {
      const w = word(i);
      add(c, i);
      i++;
      w.end = i;
    }
  }
  endCommand();

  const out: ShellCommand[] = [];
  for (const toks of commands) {
    const argvToks = programWords(toks);
    const nested = argvToks.length >= 3 && SHELLS.test(argvToks[0].text) ? shellScriptArg(argvToks) : null;
    if (nested) {
      // `sh -c '<script>'`: the script's commands, offsets mapped through the word.
      const fileMap = nested.map.map(at);
      const inner = splitShell(nested.text, [...fileMap, fileMap.length ? fileMap[fileMap.length - 1] + 1 : at(nested.end)]);
      out.push(...inner);
      continue;
    }
    const conv = (t: Token): ShellWord => ({ text: t.text, range: { start: at(t.start), end: at(t.end) } });
    const ws = toks.map(conv);
    out.push({
      words: ws,
      argv: argvToks.map(conv),
      range: { start: ws[0].range.start, end: ws[ws.length - 1].range.end },
    });
  }
  return out;
}

/** The `-c` script of `sh -c script` / `bash -ec script`, or null. */
function shellScriptArg(argv: Token[]): Token | null {
  for (let k = 1; k < argv.length; k++) {
    const t = argv[k].text;
    if (!t.startsWith('-')) return null;
    if (/^-[a-z]*c[a-z]*$/.test(t)) return argv[k + 1] ?? null;
  }
  return null;
}

function programWords(toks: Token[]): Token[] {
  // Drop redirections (`>file`, `2>&1`, `> file`).
  const ws: Token[] = [];
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k].text;
    if (/^\d*(>>?|<<?|&>>?|>&|<&|<>)/.test(t)) {
      if (/^\d*(>>?|<<?|&>>?|>&|<&|<>)$/.test(t)) k++;
      continue;
    }
    ws.push(toks[k]);
  }
  let k = 0;
  for (;;) {
    const t = ws[k]?.text;
    if (t === undefined) return [];
    if (HEADERS.has(t)) return [];
    if (RESERVED.has(t) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(t) || t === 'exec' || t === 'nohup' || t === 'time' || t === 'command') {
      k++;
    } else if (t === 'sudo' || t === 'env') {
      k++;
      // Their options; `sudo -u user`, `env -u NAME` take a value.
      while (ws[k] && (ws[k].text.startsWith('-') || (t === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(ws[k].text)))) {
        if (/^-[ugCDhprRTU]$/.test(ws[k].text)) k++;
        k++;
      }
    } else {
      return ws.slice(k);
    }
  }
}

/**
 * The simple commands a `RUN` executes, in order: its shell form, its exec form
 * (`["sh", "-c", "..."]` is split too), and heredoc bodies that the shell runs
 * (`RUN <<EOF`, `RUN bash <<EOF`; not `RUN python3 <<EOF` nor a body whose `#!`
 * line names another interpreter). Empty for other instructions.
 */
export function runCommands(instr: DfInstruction): ShellCommand[] {
  if (instr.keyword !== 'RUN' || !instr.argsRange) return [];
  if (instr.json) return execForm(instr);
  const bodies = instr.heredocs
    .map((h) => h.contentRange?.start ?? h.delimiterRange?.start ?? -1)
    .filter((s) => s >= 0);
  const firstBody = bodies.length ? Math.min(...bodies) : Infinity;
  // The instruction line(s) before the first heredoc body, operators blanked.
  let headerLen = 0;
  while (headerLen < instr.argsText.length && instr.argsMap[headerLen] < firstBody) headerLen++;
  const header = instr.argsText
    .slice(0, headerLen)
    .replace(/<<-?[ \t]*(["']?)[A-Za-z0-9_.-]+\1/g, (m) => ' '.repeat(m.length));
  const commands = splitShell(header, instr.argsMap.slice(0, headerLen + 1));
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
    const start = h.contentRange.start;
    const map = Array.from({ length: h.content.length + 1 }, (_, k) => start + k);
    commands.push(...splitShell(h.content, map));
  }
  return commands;
}

function execForm(instr: DfInstruction): ShellCommand[] {
  const strings = instr.json ?? [];
  const words: ShellWord[] = [];
  const maps: number[][] = [];
  const re = /"(?:[^"\\]|\\.)*"/g;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = re.exec(instr.argsText)) && n < strings.length) {
    const s = m.index;
    const e = s + m[0].length;
    const text = strings[n++];
    const exact = text.length === m[0].length - 2;
    words.push({ text, range: { start: instr.argsMap[s], end: instr.argsMap[e] } });
    maps.push(Array.from({ length: text.length + 1 }, (_, k) => instr.argsMap[exact ? s + 1 + k : s + 1]));
  }
  if (words.length === 0) return [];
  if (words.length >= 3 && SHELLS.test(words[0].text)) {
    for (let k = 1; k < words.length - 1; k++) {
      if (!words[k].text.startsWith('-')) break;
      if (/^-[a-z]*c[a-z]*$/.test(words[k].text)) return splitShell(words[k + 1].text, maps[k + 1]);
    }
  }
  return [{ words, argv: words, range: { start: words[0].range.start, end: words[words.length - 1].range.end } }];
}

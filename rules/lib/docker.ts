/**
 * Shared Dockerfile knowledge for the docker-* rules: which stages ship, what a
 * stage inherits, `RUN --mount` flags, and the package manager commands of a
 * RUN (read with the shell parser of server/engine/dockerfile/shell.ts).
 */
import type { DfFile, DfInstruction, DfStage } from '../../server/engine/dockerfile/model';
import { expandVariables } from '../../server/engine/dockerfile/parser';
import { runCommands, type ShellCommand, type ShellWord } from '../../server/engine/dockerfile/shell';
import { firstAtOrAfter } from '../../server/engine/positions';
import { offsetRange, textEdit } from '../../server/engine/offsetRange';

export const baseName = (p: string): string => p.replace(/^.*\//, '');

// ---------------------------------------------------------------------------
// Stages

/** The stage a plain `docker build` produces: the last one. */
export function finalStage(df: DfFile): DfStage | null {
  return df.stages[df.stages.length - 1] ?? null;
}

/** The stage named `name` (compared case-insensitively, as Docker does) or numbered `name`, defined before `before`. */
export function stageByRef(df: DfFile, name: string, before = Infinity): DfStage | null {
  const lower = name.toLowerCase();
  if (/^\d+$/.test(name)) {
    const s = df.stages[Number(name)];
    return s && s.index < before ? s : null;
  }
  // The first stage of a name is the one any later reference means.
  const first = firstByName(df).get(lower);
  return first && first.index < before ? first : null;
}

const firstByNames = new WeakMap<DfFile, Map<string, DfStage>>();

/** The first stage of each name (lower case), per parse. */
function firstByName(df: DfFile): Map<string, DfStage> {
  let m = firstByNames.get(df);
  if (!m) {
    m = new Map();
    for (const s of df.stages) if (s.name !== null && !m.has(s.name.toLowerCase())) m.set(s.name.toLowerCase(), s);
    firstByNames.set(df, m);
  }
  return m;
}

/** `stage` and the stages it is built FROM, the root first. */
export function stageChain(df: DfFile, stage: DfStage): DfStage[] {
  const chain = [stage];
  let s = stage;
  for (let guard = 0; s.parentStage !== null && guard < df.stages.length; guard++) {
    const parent = stageByRef(df, s.parentStage, s.index);
    if (!parent) break;
    chain.push(parent);
    s = parent;
  }
  return chain.reverse();
}

/**
 * The stages whose layers end up in the image a plain `docker build` produces:
 * the final stage and the stages it is built FROM. Stages that are only copied
 * from (`COPY --from`) ship just the files copied.
 */
export function shippedStages(df: DfFile): DfStage[] {
  const final = finalStage(df);
  return final ? stageChain(df, final) : [];
}

/** Whether a FROM names an image (not an earlier stage, not `scratch`, not a missing image). */
export function fromImage(stage: DfStage): boolean {
  return stage.parentStage === null && stage.image.raw !== '' && stage.image.resolved.toLowerCase() !== 'scratch';
}

// ---------------------------------------------------------------------------
// Environment

/**
 * The variables a RUN at `at` sees from the Dockerfile: ENV of the stage and
 * the stages it is built FROM, and the stage's own ARGs (with their defaults;
 * an ARG without one takes the global default of the same name). Null values
 * are declared but unset. Values are expanded where the defaults allow.
 */
export function environmentAt(df: DfFile, stage: DfStage, at: DfInstruction | null): Map<string, string | null> {
  const env = new Map<string, string | null>();
  for (const s of stageChain(df, stage)) {
    const own = s === stage;
    const args = new Map<string, string | null>();
    for (const i of s.instructions) {
      if (own && at && i === at) break;
      if (i.keyword === 'ENV') {
        for (const p of i.properties) env.set(p.name, p.value === null ? null : expandVariables(p.value, new Map([...args, ...env])).value);
      } else if (i.keyword === 'ARG' && own) {
        for (const p of i.properties) {
          const v = p.value !== null ? expandVariables(p.value, new Map([...args, ...env])).value : df.globalArgs.get(p.name) ?? null;
          args.set(p.name, v);
          if (!env.has(p.name) || env.get(p.name) === null) env.set(p.name, v);
        }
      }
    }
  }
  return env;
}

// ---------------------------------------------------------------------------
// RUN flags

export interface Mount {
  type: string;
  target: string | null;
  from: string | null;
  options: Map<string, string>;
}

/** The `--mount` flags of a RUN, parsed (`type=cache,target=/root/.cache`). */
export function mountsOf(instr: DfInstruction): Mount[] {
  const out: Mount[] = [];
  for (const f of instr.flags) {
    if (f.name.toLowerCase() !== 'mount' || f.value === null) continue;
    const options = new Map<string, string>();
    for (const part of f.value.split(',')) {
      const eq = part.indexOf('=');
      const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
      const value = eq < 0 ? 'true' : part.slice(eq + 1).trim().replace(/^(["'])(.*)\1$/, '$2');
      if (key) options.set(key, value);
    }
    out.push({
      type: (options.get('type') ?? 'bind').toLowerCase(),
      target: options.get('target') ?? options.get('dst') ?? options.get('destination') ?? null,
      from: options.get('from') ?? null,
      options,
    });
  }
  return out;
}

const normalizeDir = (p: string) => p.replace(/\/\*(\.\*)?$/, '').replace(/\/+$/, '') || '/';

/**
 * Whether a cache or tmpfs mount of the RUN keeps `dir` out of the layer: its
 * target is `dir` or a folder above it.
 */
export function mountKeepsOut(instr: DfInstruction, dirs: (string | RegExp)[]): boolean {
  return mountsOf(instr).some((m) => {
    if ((m.type !== 'cache' && m.type !== 'tmpfs') || !m.target) return false;
    const t = normalizeDir(m.target);
    return dirs.some((d) => (typeof d === 'string' ? d === t || d.startsWith(t === '/' ? '/' : t + '/') : d.test(t)));
  });
}

// ---------------------------------------------------------------------------
// Shell of the stage

const POSIX_SHELL = /(^|\/)(sh|bash|ash|dash|zsh|ksh|mksh)$/;

/**
 * Whether shell-form RUNs of the stage run in a POSIX shell: not after a
 * `SHELL ["powershell", ...]` / `["cmd", ...]` (in the stage or one it is built
 * FROM), nor on a Windows base image without such a SHELL.
 */
export function posixShellAt(df: DfFile, stage: DfStage, at: DfInstruction): boolean {
  let shell: string | null = null;
  const chain = stageChain(df, stage);
  for (const s of chain) {
    for (const i of s.instructions) {
      if (s === stage && i === at) break;
      if (i.keyword === 'SHELL' && i.json && i.json.length > 0) shell = i.json[0];
    }
  }
  if (shell !== null) return POSIX_SHELL.test(shell.toLowerCase().replace(/\.exe$/, ''));
  const root = chain[0].image.resolved.toLowerCase();
  return !/(windows|nanoserver|servercore)/.test(root);
}

/**
 * What the shell commands of a stage's RUNs (`commandsOf`) depend on besides the
 * stage's own text: the escape character, the SHELL the stage inherits from the
 * stages it is built FROM, and its root image. A key for `ctx.memo` of a check
 * that reads only a stage and its commands.
 */
export function stageShellDeps(df: DfFile, stage: DfStage): string {
  let shell: string | null = null;
  let root = stage;
  if (stage.parentStage !== null) {
    const chain = stageChain(df, stage);
    root = chain[0];
    for (const s of chain) {
      if (s === stage) break;
      for (const i of s.instructions) if (i.keyword === 'SHELL' && i.json && i.json.length > 0) shell = i.json[0];
    }
  }
  // One string per content, looked up by its parts: most stages have the same
  // deps, and a keystroke asks for those of every stage.
  const image = root.image.resolved.toLowerCase();
  let byShell = shellDeps.get(df.escapeChar);
  if (!byShell) shellDeps.set(df.escapeChar, (byShell = new Map()));
  let byImage = byShell.get(shell ?? NO_SHELL);
  if (!byImage) byShell.set(shell ?? NO_SHELL, (byImage = new Map()));
  let deps = byImage.get(image);
  if (deps === undefined) {
    if (byImage.size >= 5000) byImage.clear();
    deps = JSON.stringify([df.escapeChar, shell, image]);
    byImage.set(image, deps);
  }
  return deps;
}

/** `stageShellDeps` strings by escape character, then shell (`NO_SHELL` for none), then root image. */
const shellDeps = new Map<string, Map<string, Map<string, string>>>();
/** Not a shell any SHELL instruction can name (its first word is a JSON string without NUL). */
const NO_SHELL = '\0';

/**
 * The instructions of a parse chunk (`DfFile.chunks[k]`): those that start in
 * it, in order (found by binary search: `instructions` are in file order).
 */
export function chunkInstructions(df: DfFile, k: number): DfInstruction[] {
  const { start, end } = df.chunks[k];
  const all = df.instructions;
  const lo = firstAtOrAfter(all, start, (i) => i.range.start);
  let to = lo;
  while (to < all.length && all[to].range.start < end) to++;
  return all.slice(lo, to);
}

// ---------------------------------------------------------------------------
// Commands

export interface RunCommand {
  command: ShellCommand;
  /** Index among the RUN's commands (execution order). */
  index: number;
}

/** The commands a RUN executes in a POSIX shell (exec form always), empty otherwise. */
export function commandsOf(df: DfFile, stage: DfStage, instr: DfInstruction): ShellCommand[] {
  if (instr.keyword !== 'RUN') return [];
  if (!instr.json && !posixShellAt(df, stage, instr)) return [];
  return runCommands(instr);
}

/**
 * Whether a RUN can hold an `apt-get`/`apt` `install` command (`packageCommand`
 * with manager apt and subcommand install): false only when it certainly
 * cannot, so its shell commands need not be read for that. A word's value is
 * made of characters of the text the shell parser read, in order, with only
 * quotes, backslashes, escaped line breaks and the `$` of `$'...'` removed
 * between them, and that text is the RUN's joined arguments or a heredoc body
 * (for `sh -c`, a word's value again); in exec form, the decoded JSON strings.
 * So without `apt` and `install` (any case) in those texts once such
 * characters are removed, no command is one.
 */
export function mayRunAptInstall(instr: DfInstruction): boolean {
  if (instr.keyword !== 'RUN') return false;
  const texts = instr.json ?? [instr.argsText, ...instr.heredocs.map((h) => h.content)];
  // All together: a command's words can come from several (the strings of an exec-form array).
  const all = texts.join(' ').replace(/["'\\$\n]/g, '').toLowerCase();
  return all.includes('apt') && all.includes('install');
}

/** Positional arguments (flags skipped; flags matched by `valued` consume the next word). */
export function positionals(args: ShellWord[], valued: RegExp): ShellWord[] {
  const out: ShellWord[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k].text;
    if (a === '--') {
      out.push(...args.slice(k + 1));
      break;
    }
    if (a.startsWith('-') && a.length > 1) {
      if (!a.includes('=') && valued.test(a)) k++;
      continue;
    }
    out.push(args[k]);
  }
  return out;
}

export type Manager = 'apt' | 'apk' | 'yum' | 'pip';

export interface PackageCommand {
  manager: Manager;
  /** The program as written in argv (`apt-get`, `/usr/bin/dnf`, `pip3`; `python3` for `python3 -m pip`). */
  program: string;
  /** `apt-get`, `apt`, `apk`, `yum`, `dnf`, `microdnf`, `tdnf`, `pip`. */
  tool: string;
  /** The subcommand (`install`, `add`, `update`, ...), lower case; null when none is given. */
  sub: string | null;
  subWord: ShellWord | null;
  /** Every word after the program (flags included). */
  args: ShellWord[];
  /** Positional words after the subcommand (packages, mostly). */
  operands: ShellWord[];
  command: ShellCommand;
}

const APT_VALUED = /^-(o|t|c)$|^--(option|target-release|config-file|default-release)$/;
const APK_VALUED = /^-(X|p|t)$|^--(repository|root|arch|cache-dir|keys-dir|repositories-file|virtual|cache-max-age)$/;
const YUM_VALUED = /^-(c|R|x|d|e)$|^--(setopt|enablerepo|disablerepo|exclude|installroot|releasever|config|repo|repoid|forcearch|downloaddir|destdir)$/;
const PIP_VALUED = /^-(r|c|e|t|i|f)$|^--(requirement|constraint|editable|target|index-url|extra-index-url|find-links|proxy|cache-dir|python|log|timeout|retries|root|prefix|src|platform|python-version|implementation|abi|trusted-host|upgrade-strategy|progress-bar|report|config-settings|global-option|no-binary|only-binary)$/;

/** Reads `apt-get`/`apt`, `apk`, `yum`/`dnf`/`microdnf`/`tdnf` and `pip` commands. */
export function packageCommand(c: ShellCommand): PackageCommand | null {
  const argv = c.argv;
  if (argv.length === 0) return null;
  const program = argv[0].text;
  const tool = baseName(program);
  const make = (manager: Manager, toolName: string, args: ShellWord[], valued: RegExp): PackageCommand => {
    const pos = positionals(args, valued);
    return {
      manager,
      program,
      tool: toolName,
      sub: pos[0] ? pos[0].text.toLowerCase() : null,
      subWord: pos[0] ?? null,
      args,
      operands: pos.slice(1),
      command: c,
    };
  };
  if (tool === 'apt-get' || tool === 'apt') return make('apt', tool, argv.slice(1), APT_VALUED);
  if (tool === 'apk') return make('apk', tool, argv.slice(1), APK_VALUED);
  if (/^(yum|dnf|dnf5|microdnf|tdnf)$/.test(tool)) return make('yum', tool, argv.slice(1), YUM_VALUED);
  if (/^pip[\d.]*$/.test(tool)) return make('pip', 'pip', argv.slice(1), PIP_VALUED);
  if (/^python[\d.]*$/.test(tool) && argv[1]?.text === '-m' && /^pip[\d.]*$/.test(argv[2]?.text ?? '')) {
    return make('pip', 'pip', argv.slice(3), PIP_VALUED);
  }
  return null;
}

export const hasFlag = (p: PackageCommand, ...names: string[]): boolean =>
  p.args.some((w) => names.some((n) => w.text === n || w.text.startsWith(n + '=')));

/** The paths a recursive `rm` removes, normalized (`/var/lib/apt/lists/*` -> `/var/lib/apt/lists`). */
export function removedPaths(c: ShellCommand): string[] {
  const argv = c.argv.map((w) => w.text);
  if (baseName(argv[0] ?? '') !== 'rm') return [];
  return argv
    .slice(1)
    .filter((a) => !a.startsWith('-'))
    .map((a) => normalizeDir(a.replace(/^(~|\$HOME|\$\{HOME\})(?=\/)/, '~')));
}

// ---------------------------------------------------------------------------
// Edits

/** The line break style of the file. */
export const eolOf = (df: DfFile): string => (/\r\n/.test(df.text) ? '\r\n' : '\n');

/**
 * Text that appends `&& <cmd>` to the and-or list ending at `chainEnd`, in
 * the layout the list already uses: operators leading continuation lines
 * (`\` + break + indent + `&& cmd`), trailing them (`&& \` + break + indent +
 * `cmd`), or all on one line.
 */
export function appendToChain(df: DfFile, c: ShellCommand, cmd: string): { start: number; end: number; newText: string } {
  const at = c.chain.end;
  const text = df.text.slice(c.chain.start, c.chain.end);
  const esc = df.escapeChar === '`' ? '`' : '\\';
  const e = esc.replace(/[\\`]/g, (m) => '\\' + m);
  const leading = new RegExp(`${e}[ \\t]*\\r?\\n([ \\t]*)(&&|\\|\\|)`, 'g');
  const trailing = new RegExp(`(&&|\\|\\|)[ \\t]*${e}[ \\t]*\\r?\\n([ \\t]*)`, 'g');
  const lastLeading = [...text.matchAll(leading)].pop();
  const lastTrailing = [...text.matchAll(trailing)].pop();
  const eol = eolOf(df);
  if (lastLeading && (!lastTrailing || (lastLeading.index ?? 0) > (lastTrailing.index ?? 0))) {
    return textEdit(at, at, ` ${esc}${eol}${lastLeading[1]}&& ${cmd}`);
  }
  if (lastTrailing) {
    return textEdit(at, at, ` && ${esc}${eol}${lastTrailing[2]}${cmd}`);
  }
  return textEdit(at, at, ` && ${cmd}`);
}

/** An edit inserting the flag `flag` right after `word` (a JSON string in exec form). */
export function insertAfterWord(df: DfFile, c: ShellCommand, word: ShellWord, flag: string): { start: number; end: number; newText: string } {
  if (c.form === 'exec') {
    // Follow the separator the array already uses.
    const i = c.argv.indexOf(word);
    const next = c.argv[i + 1] ?? c.argv[i - 1];
    const between = next ? df.text.slice(Math.min(word.range.end, next.range.end), Math.max(word.range.start, next.range.start)) : ', ';
    const sep = /^\s*,\s*$/.test(between) ? between.trim() + (/,\s/.test(between) ? ' ' : '') : ', ';
    return textEdit(word.range.end, word.range.end, `${sep}${JSON.stringify(flag)}`);
  }
  return textEdit(word.range.end, word.range.end, ` ${flag}`);
}

/** `apt-get install -y x` -> the range from the program to the last argument. */
export function commandRange(c: ShellCommand): { start: number; end: number } {
  const first = c.argv[0] ?? c.words[0];
  const last = c.argv[c.argv.length - 1] ?? c.words[c.words.length - 1];
  return offsetRange(first.range.start, last.range.end);
}

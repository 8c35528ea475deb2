import { defineRule } from '../server/engine/rule';
import type { DfFile, DfInstruction, DfStage } from '../server/engine/dockerfile/model';
import { runCommands, splitShell, type ShellCommand } from '../server/engine/dockerfile/shell';
import type { OffsetRange, TextEdit } from '../server/engine/types';
import { offsetRange, textEdit } from '../server/engine/offsetRange';

type Toolchain = 'go' | 'npm' | 'maven' | 'gradle' | 'cargo' | 'dotnet' | 'native';

/** What one command of a RUN contributes. */
interface Hit {
  /** `installs` a package, or `runs` a build command. */
  verb: 'installs' | 'runs';
  what: string;
  toolchain: Toolchain;
  command: ShellCommand;
  /** A package installed under this apk `--virtual` name, if any. */
  virtual?: string;
  /** A native build step that leaves nothing behind when its packages are removed in the same RUN. */
  cleanable: boolean;
}

const COMPILER_PACKAGES = /^(gcc|g\+\+|clang|clang\+\+)(-\d[\d.]*)?$|^(gcc-c\+\+|make|cmake|build-essential|build-base)$/;
const DEV_PACKAGE = /.-(dev|devel)$/;
const LANGUAGE_PACKAGES: Record<string, Toolchain> = {
  golang: 'go', 'golang-go': 'go', rustc: 'cargo', cargo: 'cargo', maven: 'maven', gradle: 'gradle',
};
const COMPILERS = new Set(['gcc', 'g++', 'cc', 'c++', 'clang', 'clang++', 'make', 'cmake']);
const USER_SETUP = new Set(['useradd', 'adduser', 'groupadd', 'addgroup', 'usermod', 'mkdir', 'chown', 'chmod']);

const base = (p: string) => p.replace(/^.*\//, '');
const words = (c: ShellCommand) => c.argv.map((w) => w.text);

/** Positional arguments after `from` (flags skipped; `valued` flags consume a value). */
function positionals(args: string[], valued: RegExp): string[] {
  const out: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (a.startsWith('-')) {
      if (!a.includes('=') && valued.test(a)) k++;
      continue;
    }
    out.push(a);
  }
  return out;
}

interface PackageOp {
  op: 'install' | 'remove';
  packages: string[];
  virtual?: string;
}

/** `apt-get install`, `apk add`, `yum/dnf install`, and their removals. */
function packageOp(argv: string[]): PackageOp | null {
  const prog = base(argv[0] ?? '');
  const rest = argv.slice(1);
  if (prog === 'apt-get' || prog === 'apt' || prog === 'aptitude') {
    const pos = positionals(rest, /^-(o|t|c)$|^--(option|target-release|config-file)$/);
    const sub = pos[0];
    const pkgs = pos.slice(1).map((p) => p.replace(/[=/].*$/, '').replace(/:[a-z0-9]+$/, ''));
    if (sub === 'install') return { op: 'install', packages: pkgs };
    if (sub === 'purge' || sub === 'remove') return { op: 'remove', packages: pkgs };
    return null;
  }
  if (prog === 'apk') {
    let virtual: string | undefined;
    for (let k = 0; k < rest.length; k++) {
      if (rest[k] === '--virtual' || rest[k] === '-t') virtual = rest[k + 1];
      else if (rest[k].startsWith('--virtual=')) virtual = rest[k].slice('--virtual='.length);
    }
    const pos = positionals(rest, /^-(t|X|p)$|^--(virtual|repository|root|arch|cache-dir|keys-dir|repositories-file)$/);
    const pkgs = pos.slice(1).map((p) => p.replace(/[=~<>].*$/, ''));
    if (pos[0] === 'add') return { op: 'install', packages: pkgs, virtual };
    if (pos[0] === 'del') return { op: 'remove', packages: pkgs };
    return null;
  }
  if (/^(yum|dnf|microdnf|tdnf|zypper)$/.test(prog)) {
    const pos = positionals(rest, /^-(c|R|x)$|^--(setopt|enablerepo|disablerepo|exclude|installroot|releasever)$/);
    const pkgs = pos.slice(1).map((p) => p.replace(/\.(x86_64|aarch64|noarch|i686)$/, ''));
    if (/^(install|in)$/.test(pos[0] ?? '')) return { op: 'install', packages: pkgs };
    if (pos[0] === 'groupinstall' || (pos[0] === 'group' && pos[1] === 'install')) {
      const groups = pos[0] === 'group' ? pos.slice(2) : pos.slice(1);
      return { op: 'install', packages: groups.map((g) => (/development tools/i.test(g) ? 'Development Tools' : g)) };
    }
    if (/^(remove|erase|rm)$/.test(pos[0] ?? '')) return { op: 'remove', packages: pkgs };
    return null;
  }
  return null;
}

function flagValue(argv: string[], names: string[]): string | null {
  for (let k = 0; k < argv.length; k++) {
    for (const n of names) {
      if (argv[k] === n) return argv[k + 1] ?? null;
      if (argv[k].startsWith(n + '=')) return argv[k].slice(n.length + 1);
    }
  }
  return null;
}

/** The build commands and toolchain packages of one command, if any. */
function commandHits(c: ShellCommand): Hit[] {
  const argv = words(c);
  if (argv.length === 0) return [];
  const prog = base(argv[0]);
  const pkg = packageOp(argv);
  if (pkg) {
    if (pkg.op !== 'install') return [];
    const hits: Hit[] = [];
    for (const p of pkg.packages) {
      if (p.includes('$')) continue;
      const lang = LANGUAGE_PACKAGES[p];
      if (COMPILER_PACKAGES.test(p) || DEV_PACKAGE.test(p) || p === 'Development Tools') {
        hits.push({ verb: 'installs', what: p, toolchain: 'native', command: c, virtual: pkg.virtual, cleanable: true });
      } else if (lang) {
        hits.push({ verb: 'installs', what: p, toolchain: lang, command: c, virtual: pkg.virtual, cleanable: false });
      }
    }
    return hits;
  }
  const sub = positionals(argv.slice(1), /^-(C|f|o|p|s|w)$|^--(prefix|cwd|dir|filter|project|file|settings)$/);
  const run = (what: string, toolchain: Toolchain, cleanable = false): Hit[] => [
    { verb: 'runs', what, toolchain, command: c, cleanable },
  ];
  if (COMPILERS.has(prog)) return run(prog, 'native', true);
  if (prog === 'go' && (sub[0] === 'build' || sub[0] === 'install')) return run(`go ${sub[0]}`, 'go');
  if (prog === 'cargo' && (sub[0] === 'build' || sub[0] === 'install')) return run(`cargo ${sub[0]}`, 'cargo');
  if (prog === 'dotnet' && (sub[0] === 'build' || sub[0] === 'publish')) return run(`dotnet ${sub[0]}`, 'dotnet');
  if (prog === 'mvn' || prog === 'mvnw') {
    const goal = argv.slice(1).find((a) => /^(clean|validate|compile|test|package|verify|install|deploy|[\w.-]+:[\w.-]+)$/.test(a));
    return run(goal ? `${prog} ${goal}` : prog, 'maven');
  }
  if (prog === 'gradle' || prog === 'gradlew') {
    const task = argv.slice(1).find((a) => /^:?[A-Za-z][\w:-]*$/.test(a));
    return run(task ? `${prog} ${task}` : prog, 'gradle');
  }
  if (prog === 'npm' || prog === 'yarn' || prog === 'pnpm') {
    const script = sub[0] === 'run' || sub[0] === 'run-script' ? sub[1] : prog === 'npm' ? undefined : sub[0];
    if (script !== undefined && /^build(:|$)/.test(script)) {
      return run(prog === 'npm' || sub[0] === 'run' ? `${prog} run ${script}` : `${prog} ${script}`, 'npm');
    }
    return [];
  }
  const pip = /^pip[\d.]*$/.test(prog) ? sub : /^python[\d.]*$/.test(prog) && argv[1] === '-m' && /^pip[\d.]*$/.test(argv[2] ?? '') ? positionals(argv.slice(3), /^$/) : null;
  if (pip && pip[0] === 'wheel') return run('pip wheel', 'native', true);
  if (/^python[\d.]*$/.test(prog) && base(sub[0] ?? '') === 'setup.py' && /^(build|build_ext|bdist_wheel)$/.test(sub[1] ?? '')) {
    return run(`setup.py ${sub[1]}`, 'native', true);
  }
  return [];
}

function isPipInstall(c: ShellCommand): boolean {
  const argv = words(c);
  const prog = base(argv[0] ?? '');
  if (/^pip[\d.]*$/.test(prog)) return argv.includes('install');
  return /^python[\d.]*$/.test(prog) && argv[1] === '-m' && /^pip/.test(argv[2] ?? '') && argv.includes('install');
}

interface RunFinding {
  instr: DfInstruction;
  hits: Hit[];
  pip: boolean;
}

/** The RUNs of `stage` that install or run a build toolchain. */
function analyse(stage: DfStage): RunFinding[] {
  const out: RunFinding[] = [];
  for (const instr of stage.instructions) {
    if (instr.keyword !== 'RUN') continue;
    const commands = runCommands(instr);
    let hits = commands.flatMap(commandHits);
    // Packages removed again in the same RUN (`apk add --virtual .build-deps ... && apk del .build-deps`,
    // `apt-get purge`) never reach the image; neither do native builds that needed only them.
    const removed = new Set(commands.flatMap((c) => {
      const op = packageOp(words(c));
      return op?.op === 'remove' ? op.packages : [];
    }));
    const installs = hits.filter((h) => h.verb === 'installs');
    const gone = (h: Hit) => removed.has(h.what) || (h.virtual !== undefined && removed.has(h.virtual));
    if (installs.length > 0 && installs.every(gone)) hits = hits.filter((h) => !h.cleanable);
    else hits = hits.filter((h) => h.verb !== 'installs' || !gone(h));
    if (hits.length === 0) continue;
    out.push({ instr, hits, pip: commands.some(isPipInstall) });
  }
  return out;
}

function messageFor(f: RunFinding): string {
  const list = (xs: string[]) => {
    const uniq = [...new Set(xs)].map((x) => `\`${x}\``);
    return uniq.length > 4 ? `${uniq.slice(0, 4).join(', ')} and ${uniq.length - 4} more` : uniq.join(', ');
  };
  const installs = f.hits.filter((h) => h.verb === 'installs').map((h) => h.what);
  const runs = f.hits.filter((h) => h.verb === 'runs').map((h) => h.what);
  if (f.pip && installs.length > 0) runs.push('pip install');
  const parts: string[] = [];
  if (installs.length) parts.push(`installs ${list(installs)}`);
  if (runs.length) parts.push(`runs ${list(runs)}`);
  return `The final stage ${parts.join(' and ')}: build in a separate stage and copy only the output into a minimal runtime stage`;
}

function hitRange(f: RunFinding): OffsetRange {
  const start = Math.min(...f.hits.map((h) => h.command.range.start));
  const end = Math.max(...f.hits.map((h) => h.command.range.end));
  return offsetRange(start, end);
}

// ---------------------------------------------------------------------------
// The fix: name the stage and append a runtime stage.

const ARTEFACT_COMMENT = '# iac-lint: choose the build output to copy (for example the compiled binary or the dist/ folder)';
const USER_COMMENT = '# iac-lint: the build stage creates this user in a RUN that also builds; create it here too';
/** Instructions that set up the environment before the copy, and those that say how the image starts. */
const CARRY_BEFORE = new Set(['ARG', 'ENV', 'WORKDIR', 'SHELL', 'LABEL']);
const CARRY_AFTER = new Set(['USER', 'EXPOSE', 'VOLUME', 'HEALTHCHECK', 'STOPSIGNAL', 'ENTRYPOINT', 'CMD']);

function uniqueName(df: DfFile, wanted: string, also: string[] = []): string {
  const taken = new Set([...df.stages.map((s) => s.name?.toLowerCase()), ...also.map((a) => a.toLowerCase())]);
  if (!taken.has(wanted)) return wanted;
  for (let n = 2; ; n++) if (!taken.has(`${wanted}${n}`)) return `${wanted}${n}`;
}

const isAbsolute = (p: string) => p.startsWith('/') || p.startsWith('$') || /^[A-Za-z]:[\\/]/.test(p);

function joinPath(dir: string, p: string): string {
  if (p === '.' || p === './' || p === '') return dir;
  const rel = p.replace(/^\.\//, '');
  return dir.endsWith('/') ? dir + rel : `${dir}/${rel}`;
}

/** The workdir the stage ends in: absolute (or variable) path, or null when it depends on the base image. */
function workdirOf(stage: DfStage): string | null {
  let dir: string | null = null;
  for (const i of stage.instructions) {
    if (i.keyword !== 'WORKDIR') continue;
    const p = i.argsText.trim().replace(/^(["'])(.*)\1$/, '$2');
    if (p === '') continue;
    dir = isAbsolute(p) ? p : dir === null ? null : joinPath(dir, p);
  }
  return dir;
}

interface Artefacts {
  /** Paths to copy, relative to the build stage's workdir unless absolute. */
  paths: string[];
  /**
   * Whether the paths follow from the file (an explicit output flag, the
   * toolchain's convention, the absolute program the image starts). False for
   * the work-directory fallback: a native build (compilers, `-dev` packages)
   * may install what it builds anywhere, e.g. Python packages compiled
   * against `libpq-dev` land in site-packages, not in the work directory.
   */
  determined: boolean;
}

const SYSTEM_DIRS = /^\/(usr\/)?(s?bin|lib|lib64|libexec)\//;
const INTERPRETERS = /^(sh|bash|ash|dash|zsh|env|tini|dumb-init)$/;

/** The absolute program the image starts (ENTRYPOINT, else CMD), when it is not a system binary. */
function startedProgram(stage: DfStage): string | null {
  const last = (k: string) => [...stage.instructions].reverse().find((i) => i.keyword === k);
  const start = last('ENTRYPOINT') ?? last('CMD');
  if (!start) return null;
  let program: string | undefined;
  if (start.json) {
    const [first, flag, script] = start.json;
    program = INTERPRETERS.test(base(first ?? '')) && /^-[a-z]*c[a-z]*$/.test(flag ?? '')
      ? splitShell(script ?? '')[0]?.argv[0]?.text
      : first;
  } else {
    program = splitShell(start.argsText)[0]?.argv[0]?.text;
  }
  if (!program || !program.startsWith('/') || SYSTEM_DIRS.test(program) || INTERPRETERS.test(base(program))) return null;
  return program;
}

function artefacts(stage: DfStage, hits: Hit[]): Artefacts {
  const toolchains = hits.filter((h) => h.toolchain !== 'native');
  // An explicit output path wins.
  for (const h of toolchains) {
    const argv = words(h.command);
    const o = h.toolchain === 'go' ? flagValue(argv, ['-o']) : h.toolchain === 'dotnet' ? flagValue(argv, ['-o', '--output']) : null;
    if (o) return { paths: [o], determined: true };
  }
  const program = startedProgram(stage);
  if (program) return { paths: [program], determined: true };
  for (const h of toolchains) {
    const argv = words(h.command);
    switch (h.toolchain) {
      case 'go': {
        // `go build ./cmd/server` writes `server`; `go build` and `go build .` name it after the module.
        const sub = positionals(argv.slice(1), /^-(C|p|tags|ldflags|gcflags|asmflags|mod|buildmode|pkgdir|modfile|overlay)$/);
        const pkg = sub.slice(1).find((a) => /^\.\.?\/./.test(a) && !a.includes('...'));
        if (pkg) return { paths: [base(pkg.replace(/\/$/, ''))], determined: true };
        return { paths: ['.'], determined: true };
      }
      case 'npm':
        // `node dist/...` and `npm start` need the dependencies next to the build output.
        return { paths: ['package.json', 'node_modules', 'dist'], determined: true };
      case 'maven':
        return { paths: ['target/*.jar'], determined: true };
      case 'gradle':
        return { paths: ['build/libs/*.jar'], determined: true };
      case 'cargo':
        return { paths: ['target/release/'], determined: true };
      case 'dotnet':
        return { paths: ['.'], determined: true };
      default:
        break;
    }
  }
  return { paths: ['.'], determined: false };
}

function quotePaths(src: string, dest: string): string {
  return /\s/.test(src + dest) ? JSON.stringify([src, dest]).replace(/","/, '", "') : `${src} ${dest}`;
}

/** The instruction's exact text, continuation lines and heredocs included. */
const textOf = (df: DfFile, i: DfInstruction) => df.text.slice(i.range.start, i.range.end);

/** The stage at the root of `stage`'s FROM chain (itself when it builds on an image). */
function rootStage(df: DfFile, stage: DfStage): DfStage {
  let s = stage;
  for (let guard = 0; s.parentStage !== null && guard < df.stages.length; guard++) {
    const parent = df.stages.find((x) => x.index < s.index && x.name?.toLowerCase() === s.parentStage!.toLowerCase());
    if (!parent) break;
    s = parent;
  }
  return s;
}

function buildFix(df: DfFile, stage: DfStage, hits: Hit[]): { title: string; edits: TextEdit[]; exact: boolean } | null {
  if (stage.image.raw === '' || stage.image.range.end <= stage.image.range.start) return null;
  const eol = df.lines.eol;
  const keyword = df.text.slice(stage.from.keywordRange.start, stage.from.keywordRange.end);
  const lower = keyword === keyword.toLowerCase();
  const kw = (k: string) => (lower ? k.toLowerCase() : k);
  const edits: TextEdit[] = [];

  const buildName = stage.name ?? uniqueName(df, 'build');
  if (stage.name === null) {
    const at = stage.image.range.end;
    edits.push(textEdit(at, at, ` ${kw('AS')} ${buildName}`));
  }
  const runtimeName = uniqueName(df, 'runtime', [buildName]);

  const root = rootStage(df, stage);
  const platform = root.from.flags.find((f) => f.name === 'platform' && !/BUILDPLATFORM/.test(f.value ?? ''));
  const image = df.text.slice(root.image.range.start, root.image.range.end);
  const out: string[] = [];
  out.push(`${keyword} ${platform ? df.text.slice(platform.range.start, platform.range.end) + ' ' : ''}${image} ${kw('AS')} ${runtimeName}`);

  const before: DfInstruction[] = [];
  const after: DfInstruction[] = [];
  const userSetup = (i: DfInstruction) => {
    const cmds = runCommands(i);
    return cmds.length > 0 && cmds.every((c) => USER_SETUP.has(base(c.argv[0]?.text ?? '')) || c.argv.length === 0);
  };
  for (const i of stage.instructions) {
    if (CARRY_BEFORE.has(i.keyword)) before.push(i);
    else if (CARRY_AFTER.has(i.keyword)) after.push(i);
    else if (i.keyword === 'RUN' && userSetup(i)) after.push(i);
  }
  for (const i of before) out.push(textOf(df, i));

  const wd = workdirOf(stage);
  const art = artefacts(stage, hits);
  let known = art.determined;
  out.push(ARTEFACT_COMMENT);
  for (const p of art.paths) {
    let src = isAbsolute(p) ? p : wd !== null ? joinPath(wd, p) : null;
    if (src === null) {
      // The work directory comes from the base image: the user has to say where the output is.
      known = false;
      src = p === '.' ? '/path/to/build/output' : p;
    }
    const dest = /[*?[]/.test(src) ? src.replace(/[^/]*$/, '') : src;
    out.push(`${kw('COPY')} --from=${buildName} ${quotePaths(src, dest)}`);
  }

  for (const i of after) {
    if (i.keyword === 'USER') {
      const user = i.argsText.trim().split(':')[0];
      const createdElsewhere = !/^(\d+|root|\$.*)$/.test(user) &&
        stage.instructions.some((r) => r.keyword === 'RUN' && !after.includes(r) &&
          runCommands(r).some((c) => /^(useradd|adduser)$/.test(base(c.argv[0]?.text ?? '')) && c.argv.some((w) => w.text === user)));
      if (createdElsewhere) {
        // The runtime image would not start as a user it does not have: let the user decide.
        out.push(USER_COMMENT);
        known = false;
      }
    }
    out.push(textOf(df, i));
  }

  const endsWithBreak = df.text.length === 0 || /[\r\n]$/.test(df.text);
  const block = (endsWithBreak ? '' : eol) + eol + out.join(eol) + eol;
  edits.push(textEdit(df.text.length, df.text.length, block));
  return {
    title: `Add a runtime stage \`${runtimeName}\` that copies only the output of stage \`${buildName}\``,
    edits,
    exact: df.stages.length === 1 && known,
  };
}

export default defineRule({
  id: 'docker-multi-stage',
  severity: 'warning',
  seed: '000 ECR: DO create and push only minimal images by using multi-stage builds.',
  description: 'The final stage of a Dockerfile must not install or run a build toolchain: build in an earlier stage and copy only the output.',
  fixable: 'exact',

  dockerfile(ctx) {
    const df = ctx.dockerfile;
    const final = df.stages[df.stages.length - 1];
    if (!final) return;
    const findings = analyse(final);
    if (findings.length === 0) return;
    const fix = buildFix(df, final, findings.flatMap((f) => f.hits));
    const fixes = fix ? [fix.exact ? ctx.fix(fix.title, fix.edits) : ctx.suggest(fix.title, fix.edits)] : [];
    for (const f of findings) {
      ctx.report({ range: hitRange(f), message: messageFor(f), resource: final.name, fixes });
    }
  },
});

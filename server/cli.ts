/**
 * The command-line front end:
 *   iac-lint [paths..] [--format text|json|sarif] [--fix] [--config FILE] [--fail-on LEVEL]
 *            [--max-warnings N] [--quiet] [--baseline FILE] [--write-baseline FILE]
 *            [--diff-base REF] [--output-file FILE] [--color|--no-color]
 *   iac-lint diff [--base REF] [paths..] [--format text|json]
 *   iac-lint rules [--format text|json]
 * Exit codes: 0 nothing at or above --fail-on (and warnings within --max-warnings),
 * 1 something, 2 bad usage/config/input. `diff`: 1 when access widens, 2 without git.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { rules } from '../rules';
import { looksLikeCloudFormation } from './engine/cloudformation/parser';
import { defaultConfig, type EngineConfig } from './engine/config';
import { CONFIG_FILE_NAME, parseConfigText } from './engine/configFile';
import { fixFiles } from './engine/fixer';
import { GitBase, gitTopLevel } from './engine/gitBase';
import { Engine, candidateFormat, type LintResult } from './engine/linter';
import { SEVERITY_ORDER, type Format, type Severity, type SourceFile, type WorkspaceView } from './engine/types';
import { DiskWorkspace } from './engine/workspace';
import { BaselineError, applyBaseline, writeBaseline } from './cli/baseline';
import { runDiff } from './cli/diff';
import { isLintWorker, lintInWorkers, runLintWorker, withoutFixEdits, workerCount } from './cli/parallel';
import { batched, jsonReport } from './cli/json';
import { toSarif } from './cli/sarif';
import { colors, formatText, useColor } from './cli/text';
import { SKIP_DIRS, discover, type IgnoreList } from './engine/discovery';

const VERSION = '0.1.0';
/** How much of an oversized YAML/JSON file is read to tell whether it is a template. */
const SNIFF_BYTES = 64 * 1024;
const BROADENING = 'iam-permission-broadening';

class UsageError extends Error {}

const HELP = `Usage: iac-lint [paths..] [options]
       iac-lint diff [--base REF] [paths..]
       iac-lint rules [--format text|json]

Lints CloudFormation (YAML/JSON), Terraform and Dockerfiles against AWS best practices.
Paths may be files or folders (default: the current folder).

Options:
  --format text|json|sarif   output format (default: text)
  -o, --output-file FILE     write the report to FILE instead of standard output
  --fix                      apply exact fixes in place, then report what is left
  --config FILE              configuration file (default: ./${CONFIG_FILE_NAME} when present)
  --fail-on LEVEL            error|warning|info|hint|off: exit 1 when a finding at or above it remains (default: error)
  --max-warnings N           exit 1 when more than N warnings remain (default: no limit)
  --quiet                    report errors only (warnings still count for --max-warnings)
  --baseline FILE            report only findings that FILE does not know
  --write-baseline FILE      record today's findings in FILE (exit 0)
  --diff-base REF            git revision that ${BROADENING} compares with (default: HEAD)
  --max-file-size KB         files larger than this are not linted but reported as file-too-large
                             (default: option maxFileSizeKB of the configuration, 4096)
  --color, --no-color        force colours on or off (default: on for a terminal; NO_COLOR, FORCE_COLOR)
  -h, --help                 show this help
  -v, --version              print the version

iac-lint diff: prints the IAM and security group changes of each CloudFormation
template against a git revision (as cdk diff does) and exits 1 when access widens.
  --base REF                 git revision to compare with (default: HEAD)
  --format text|json         output format (default: text)`;

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  try {
    return await run(argv, out, err);
  } catch (e) {
    if (e instanceof UsageError || e instanceof BaselineError) {
      err(`iac-lint: ${e.message}\n`);
      return 2;
    }
    err(`iac-lint: ${(e as Error).stack ?? e}\n`);
    return 2;
  }
}

function parse<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${HELP}`);
  }
}

function colorFlag(values: { color?: unknown; 'no-color'?: unknown }): boolean | undefined {
  if (values['no-color']) return false;
  if (values.color) return true;
  return undefined;
}

async function run(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  if (argv[0] === 'diff') return runDiffCommand(argv.slice(1), out, err);
  const { values, positionals } = parse({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', default: 'text' },
      'output-file': { type: 'string', short: 'o' },
      fix: { type: 'boolean', default: false },
      config: { type: 'string' },
      'fail-on': { type: 'string', default: 'error' },
      'max-warnings': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      baseline: { type: 'string' },
      'write-baseline': { type: 'string' },
      'diff-base': { type: 'string' },
      'max-file-size': { type: 'string' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
  if (values.help) {
    out(HELP + '\n');
    return 0;
  }
  if (values.version) {
    out(VERSION + '\n');
    return 0;
  }
  const format = values.format as string;
  if (positionals[0] === 'rules') {
    if (positionals.length > 1) throw new UsageError('`rules` takes no paths');
    if (format !== 'json' && format !== 'text') throw new UsageError(`--format must be text or json for \`rules\`, not \`${format}\``);
    return printRules(format, out);
  }
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`--format must be text, json or sarif, not \`${format}\``);
  const failOn = values['fail-on'] as string;
  if (!['error', 'warning', 'info', 'hint', 'off'].includes(failOn)) throw new UsageError(`--fail-on must be error, warning, info, hint or off, not \`${failOn}\``);
  let maxWarnings = -1;
  if (values['max-warnings'] !== undefined) {
    const raw = values['max-warnings'] as string;
    if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--max-warnings must be a whole number, not \`${raw}\``);
    maxWarnings = Number(raw);
  }
  const diffBase = values['diff-base'] as string | undefined;
  if (diffBase !== undefined && !GitBase.validRef(diffBase)) throw new UsageError(`--diff-base must be a git revision (branch, tag, commit), not \`${diffBase}\``);
  const outputFile = values['output-file'] as string | undefined;
  const baselineFile = values.baseline as string | undefined;
  const writeBaselineFile = values['write-baseline'] as string | undefined;

  const config = loadConfig(values.config as string | undefined, err);
  if (values['max-file-size'] !== undefined) {
    const raw = values['max-file-size'] as string;
    if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) throw new UsageError(`--max-file-size must be a whole number of KB (1 or more), not \`${raw}\``);
    config.options.maxFileSizeKB = Number(raw);
  }
  const paths = positionals.length ? positionals : ['.'];
  const { sources, large, inputError: readError } = readInputs(paths, err, config.options.maxFileSizeKB * 1024);
  let inputError = readError;
  const engine = await Engine.create(config, undefined, { incremental: false });
  // Files already read win over the disk, and the disk is not listed twice for the same folder.
  const disk = DiskWorkspace.snapshotOver(sources);
  let workspace: WorkspaceView = disk;
  const notes: string[] = [];
  if (config.rules[BROADENING] !== 'off' && engine.ruleById(BROADENING)) {
    const git = new GitBase({ ref: diffBase ?? 'HEAD' });
    await git.load(sources.filter((s) => candidateFormat(s.path) === 'cloudformation' && looksLikeCloudFormation(s.text)).map((s) => s.path));
    workspace = { terraformFilesIn: (dir) => disk.terraformFilesIn(dir), baseText: (p) => git.baseText(p) };
    // Outside git, the default comparison with HEAD is silently skipped; one asked for by name is explained.
    if (diffBase !== undefined) {
      for (const m of git.messages()) notes.push(`${m}; ${BROADENING} skipped`);
      const untracked = sources.filter((s) => /not tracked by git/.test((git.baseText(s.path) as { reason?: string }).reason ?? '')).length;
      if (untracked) notes.push(`${untracked} template${untracked === 1 ? ' is' : 's are'} not tracked by git and ${untracked === 1 ? 'was' : 'were'} not compared with ${diffBase}`);
    }
  }
  for (const n of notes) err(`iac-lint: ${n}\n`);
  if (values.fix) {
    const fixed = fixFiles(engine, sources, workspace);
    for (const [p, text] of fixed.changed) {
      fs.writeFileSync(p, text);
      const s = sources.find((x) => x.path === p);
      if (s) s.text = text;
    }
    if (fixed.applied) err(`iac-lint: applied ${fixed.applied} fix${fixed.applied === 1 ? '' : 'es'} in ${fixed.changed.size} file${fixed.changed.size === 1 ? '' : 's'}\n`);
  }
  const results: LintResult[] = [];
  for (const l of large) results.push(engine.tooLarge(l.path, l.format, l.size));
  // A one-pass engine: its results keep no parse, only findings and line index,
  // and fixes' edits only for SARIF, the one report that shows them.
  const fixEdits = format === 'sarif';
  const lintHere = (s: SourceFile): LintResult | null => {
    const r = engine.lint(s, workspace);
    if (r && !fixEdits) withoutFixEdits(r.findings);
    return r;
  };
  const threads = workerCount(sources.length);
  const linted = threads > 1
    ? await lintInWorkers(__filename, sources, config, threads, workspace.baseText?.bind(workspace), lintHere, { fixEdits })
    : sources.map(lintHere);
  sources.forEach((s, i) => {
    const r = linted[i];
    if (r) results.push(r);
    else if (s.explicit) err(`iac-lint: ${display(s.path)}: not a CloudFormation template; skipped\n`);
  });

  if (writeBaselineFile) {
    const n = writeBaseline(writeBaselineFile, results);
    err(`iac-lint: wrote ${n} finding${n === 1 ? '' : 's'} to the baseline ${writeBaselineFile}\n`);
  }
  let baselined = 0;
  if (baselineFile) baselined = applyBaseline(baselineFile, results);

  // What counts for the exit code is decided before --quiet hides anything.
  const all = results.flatMap((r) => r.findings);
  const warnings = all.filter((f) => f.severity === 'warning').length;
  const threshold = failOn === 'off' ? Infinity : SEVERITY_ORDER[failOn as Severity];
  const failing = all.some((f) => SEVERITY_ORDER[f.severity] >= threshold);
  let quieted = 0;
  if (values.quiet) {
    for (const r of results) {
      const kept = r.findings.filter((f) => f.severity === 'error');
      quieted += r.findings.length - kept.length;
      r.findings = kept;
    }
  }

  const toFile = outputFile !== undefined;
  const colorOn = !toFile && format === 'text' && useColor(colorFlag(values), process.stdout);
  let report: string | Iterable<string>;
  if (format === 'json') report = batched(jsonReport(results, display));
  else if (format === 'sarif') {
    const root = (await gitTopLevel(process.cwd())) ?? process.cwd();
    const sarif = toSarif(results, {
      rules: engine.rules,
      version: VERSION,
      root,
      executionSuccessful: !inputError,
      notifications: notes,
      baselined: baselineFile !== undefined,
      readText: (p) => {
        try {
          return fs.readFileSync(p, 'utf8');
        } catch {
          return undefined;
        }
      },
    });
    report = JSON.stringify(sarif, null, 2) + '\n';
  } else report = formatText(results, display, colors(colorOn), { files: results.length, baselined, quieted });
  if (toFile) {
    try {
      fs.mkdirSync(nodePath.dirname(nodePath.resolve(outputFile)), { recursive: true });
      const fd = fs.openSync(outputFile, 'w');
      try {
        for (const piece of typeof report === 'string' ? [report] : report) fs.writeSync(fd, piece);
      } finally {
        fs.closeSync(fd);
      }
    } catch (e) {
      err(`iac-lint: cannot write ${outputFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      inputError = true;
    }
  } else if (typeof report === 'string') out(report);
  else for (const piece of report) out(piece);

  if (inputError) return 2;
  if (writeBaselineFile) return 0;
  if (failing) return 1;
  if (maxWarnings >= 0 && warnings > maxWarnings) {
    err(`iac-lint: ${warnings} warning${warnings === 1 ? '' : 's'} found; --max-warnings allows ${maxWarnings}\n`);
    return 1;
  }
  return 0;
}

async function runDiffCommand(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { values, positionals } = parse({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      base: { type: 'string', default: 'HEAD' },
      format: { type: 'string', default: 'text' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(HELP + '\n');
    return 0;
  }
  const format = values.format as string;
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json for \`diff\`, not \`${format}\``);
  const base = values.base as string;
  if (!GitBase.validRef(base)) throw new UsageError(`--base must be a git revision (branch, tag, commit), not \`${base}\``);
  const paths = positionals.length ? positionals : ['.'];
  const { sources, inputError } = readInputs(paths, err, defaultConfig().options.maxFileSizeKB * 1024);
  const colorOn = format === 'text' && useColor(colorFlag(values), process.stdout);
  const code = await runDiff(sources.filter((s) => candidateFormat(s.path) === 'cloudformation'), {
    base, format, colors: colors(colorOn), colorEnabled: colorOn, display, out, err,
  });
  return inputError ? 2 : code;
}

interface LargeFile {
  path: string;
  format: Format;
  /** Bytes on disk. */
  size: number;
}

/**
 * Files named or found below the folders named, read from disk. Files over
 * `maxBytes` are not read (only their start, for a YAML/JSON file, to tell whether
 * it is a template): they come back in `large`.
 */
function readInputs(paths: string[], err: (s: string) => void, maxBytes: number): { sources: { path: string; text: string; explicit: boolean }[]; large: LargeFile[]; inputError: boolean } {
  const files: string[] = [];
  let inputError = false;
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      throw new UsageError(`cannot read \`${p}\`: no such file or folder`);
    }
    if (st.isDirectory()) {
      for (const bad of walk(p, files)) {
        err(`iac-lint: cannot read folder ${bad}\n`);
        inputError = true;
      }
    } else files.push(p);
  }
  const sources: { path: string; text: string; explicit: boolean }[] = [];
  const large: LargeFile[] = [];
  for (const f of [...new Set(files.map((f) => nodePath.resolve(f)))]) {
    const explicit = paths.some((p) => nodePath.resolve(p) === f);
    const format = candidateFormat(f);
    if (!format) {
      if (explicit) err(`iac-lint: ${display(f)}: not a CloudFormation template, Terraform file or Dockerfile; skipped\n`);
      continue;
    }
    try {
      const size = fs.statSync(f).size;
      if (size > maxBytes) {
        if (format !== 'cloudformation' || looksLikeCloudFormation(readStart(f, SNIFF_BYTES))) large.push({ path: f, format, size });
        else if (explicit) err(`iac-lint: ${display(f)}: not a CloudFormation template; skipped\n`);
        continue;
      }
      sources.push({ path: f, text: fs.readFileSync(f, 'utf8'), explicit });
    } catch (e) {
      err(`iac-lint: cannot read ${display(f)}: ${(e as Error).message}\n`);
      inputError = true;
    }
  }
  return { sources, large, inputError };
}

/** The first `bytes` bytes of a file, as text. */
function readStart(path: string, bytes: number): string {
  const fd = fs.openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = fs.readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function loadConfig(file: string | undefined, err: (s: string) => void): EngineConfig {
  const path = file ?? (fs.existsSync(CONFIG_FILE_NAME) ? CONFIG_FILE_NAME : undefined);
  if (!path) return defaultConfig();
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read configuration \`${path}\`: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const res = parseConfigText(text, rules.map((r) => r.id));
  configIgnore = { base: nodePath.dirname(nodePath.resolve(path)), patterns: res.ignore };
  if (res.errors.length) throw new UsageError(`invalid configuration \`${path}\`:\n${res.errors.map((e) => `  - ${e}`).join('\n')}`);
  void err;
  return res.config;
}

/** `ignore:` of the configuration file in use, relative to its folder (set by loadConfig). */
let configIgnore: IgnoreList | undefined;

/**
 * Collects candidate files below `dir` (discovery.ts: .gitignore, the
 * configuration's `ignore:` list, dependency and VCS folders skipped); returns
 * the folders it could not read.
 */
function walk(dir: string, files: string[], unreadable: string[] = []): string[] {
  for (const ev of discover(dir, { ignore: configIgnore ? [configIgnore] : [], skipDirs: SKIP_DIRS })) {
    if (ev.kind === 'unreadable') unreadable.push(`${ev.path} (${ev.error})`);
    else files.push(ev.path);
  }
  return unreadable;
}

function display(path: string): string {
  const rel = nodePath.relative(process.cwd(), path);
  return (rel && !rel.startsWith('..') && !nodePath.isAbsolute(rel) ? rel : path).split(nodePath.sep).join('/');
}

function printRules(format: string, out: (s: string) => void): number {
  const list = rules.map((r) => ({
    id: r.id,
    severity: r.severity,
    formats: r.formats,
    fixable: r.fixable === 'exact',
    fixKind: r.fixable || null,
    description: r.description,
  }));
  if (format === 'json') out(JSON.stringify(list, null, 2) + '\n');
  else for (const r of list) out(`${r.id.padEnd(30)} ${r.severity.padEnd(8)} ${r.formats.join(',').padEnd(40)} ${r.fixable ? 'fix' : '   '}  ${r.description}\n`);
  return 0;
}

if (isLintWorker()) void runLintWorker();
else if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

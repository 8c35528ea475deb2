/**
 * The command-line front end: `iac-lint [paths..] --format text|json|sarif
 * [--fix] [--config FILE] [--fail-on LEVEL]` and `iac-lint rules`.
 * Exit codes: 0 nothing at or above --fail-on, 1 something, 2 bad usage/config/input.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { parseArgs } from 'node:util';
import { rules } from '../rules';
import { defaultConfig, type EngineConfig } from './engine/config';
import { CONFIG_FILE_NAME, parseConfigText } from './engine/configFile';
import { docsUrl } from './engine/docs';
import { fixFiles } from './engine/fixer';
import { Engine, candidateFormat, type LintResult } from './engine/linter';
import { SEVERITY_ORDER, type Severity } from './engine/types';
import { DiskWorkspace } from './engine/workspace';
import { SKIP_DIRS, discover, type IgnoreList } from './engine/discovery';

const VERSION = '0.1.0';
const MAX_FILE_BYTES = 5 * 1024 * 1024;

class UsageError extends Error {}

const HELP = `Usage: iac-lint [paths..] [options]
       iac-lint rules [--format text|json]

Lints CloudFormation (YAML/JSON), Terraform and Dockerfiles against AWS best practices.
Paths may be files or folders (default: the current folder).

Options:
  --format text|json|sarif   output format (default: text)
  --fix                      apply exact fixes in place, then report what is left
  --config FILE              configuration file (default: ./${CONFIG_FILE_NAME} when present)
  --fail-on LEVEL            error|warning|info|hint|off: exit 1 when a finding at or above it remains (default: error)
  -h, --help                 show this help
  -v, --version              print the version`;

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  try {
    return await run(argv, out, err);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`iac-lint: ${e.message}\n`);
      return 2;
    }
    err(`iac-lint: ${(e as Error).stack ?? e}\n`);
    return 2;
  }
}

async function run(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        fix: { type: 'boolean', default: false },
        config: { type: 'string' },
        'fail-on': { type: 'string', default: 'error' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(HELP + '\n');
    return 0;
  }
  if (values.version) {
    out(VERSION + '\n');
    return 0;
  }
  const format = values.format!;
  if (positionals[0] === 'rules') {
    if (positionals.length > 1) throw new UsageError('`rules` takes no paths');
    if (format !== 'json' && format !== 'text') throw new UsageError(`--format must be text or json for \`rules\`, not \`${format}\``);
    return printRules(format, out);
  }
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`--format must be text, json or sarif, not \`${format}\``);
  const failOn = values['fail-on']!;
  if (!['error', 'warning', 'info', 'hint', 'off'].includes(failOn)) throw new UsageError(`--fail-on must be error, warning, info, hint or off, not \`${failOn}\``);

  const config = loadConfig(values.config, err);
  const paths = positionals.length ? positionals : ['.'];
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
  const engine = await Engine.create(config);
  const workspace = new DiskWorkspace();
  const sources: { path: string; text: string; explicit: boolean }[] = [];
  for (const f of [...new Set(files.map((f) => nodePath.resolve(f)))]) {
    const explicit = paths.some((p) => nodePath.resolve(p) === f);
    if (!candidateFormat(f)) {
      if (explicit) err(`iac-lint: ${display(f)}: not a CloudFormation template, Terraform file or Dockerfile; skipped\n`);
      continue;
    }
    try {
      const size = fs.statSync(f).size;
      if (size > MAX_FILE_BYTES) {
        err(`iac-lint: ${display(f)}: larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB; skipped\n`);
        continue;
      }
      sources.push({ path: f, text: fs.readFileSync(f, 'utf8'), explicit });
    } catch (e) {
      err(`iac-lint: cannot read ${display(f)}: ${(e as Error).message}\n`);
      inputError = true;
    }
  }
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
  for (const s of sources) {
    const r = engine.lint(s, workspace);
    if (r) results.push(r);
    else if (s.explicit) err(`iac-lint: ${display(s.path)}: not a CloudFormation template; skipped\n`);
  }
  if (format === 'json') out(JSON.stringify(toJson(results), null, 2) + '\n');
  else if (format === 'sarif') out(JSON.stringify(toSarif(results), null, 2) + '\n');
  else out(toText(results));
  if (inputError) return 2;
  if (failOn === 'off') return 0;
  const threshold = SEVERITY_ORDER[failOn as Severity];
  return results.some((r) => r.findings.some((f) => SEVERITY_ORDER[f.severity] >= threshold)) ? 1 : 0;
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

function toJson(results: LintResult[]) {
  return {
    version: 1,
    files: results.map((r) => ({
      path: display(r.path),
      format: r.format,
      findings: r.findings.map((f) => ({
        ruleId: f.ruleId,
        severity: f.severity,
        message: f.message,
        range: r.lines.toRange(f.range.start, f.range.end),
        resource: f.resource,
        fixable: f.fixes.some((x) => x.kind === 'exact'),
      })),
    })),
  };
}

function toText(results: LintResult[]): string {
  let out = '';
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  let fixable = 0;
  for (const r of results) {
    if (!r.findings.length) continue;
    out += `${display(r.path)}\n`;
    for (const f of r.findings) {
      const p = r.lines.offsetToPosition(f.range.start);
      counts[f.severity]++;
      if (f.fixes.some((x) => x.kind === 'exact')) fixable++;
      out += `  ${`${p.line + 1}:${p.character + 1}`.padEnd(7)}  ${f.severity.padEnd(7)}  ${f.ruleId.padEnd(28)}  ${f.message}\n`;
    }
    out += '\n';
  }
  const total = counts.error + counts.warning + counts.info + counts.hint;
  out += total
    ? `${total} problem${total === 1 ? '' : 's'} (${counts.error} error${counts.error === 1 ? '' : 's'}, ${counts.warning} warning${counts.warning === 1 ? '' : 's'}, ${counts.info + counts.hint} info) in ${results.length} file${results.length === 1 ? '' : 's'}${fixable ? `; ${fixable} fixable with --fix` : ''}\n`
    : `No problems in ${results.length} file${results.length === 1 ? '' : 's'}.\n`;
  return out;
}

function toSarif(results: LintResult[]) {
  const level = (s: Severity) => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note');
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'iac-lint',
          version: VERSION,
          informationUri: 'https://github.com/iac-lint/iac-lint',
          rules: rules.map((r) => ({
            id: r.id,
            shortDescription: { text: r.description },
            helpUri: docsUrl(r.id),
            defaultConfiguration: { level: level(r.severity) },
          })),
        },
      },
      results: results.flatMap((r) => r.findings.map((f) => {
        const s = r.lines.offsetToPosition(f.range.start);
        const e = r.lines.offsetToPosition(f.range.end);
        return {
          ruleId: f.ruleId,
          level: level(f.severity),
          message: { text: f.message },
          locations: [{
            physicalLocation: {
              artifactLocation: { uri: display(r.path) },
              region: { startLine: s.line + 1, startColumn: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 },
            },
          }],
        };
      })),
    }],
  };
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

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

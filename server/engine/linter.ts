/**
 * The engine: detects a file's format, parses it (never throwing), runs the rules
 * for that format and returns findings with exact offsets. Pure: no LSP, no VS
 * Code, no disk access except through the `WorkspaceView` it is handed.
 */
import * as nodePath from 'node:path';
import { rules as allRules } from '../../rules';
import { DEFAULT_OPTIONS, defaultConfig, type EngineConfig } from './config';
import { parseCloudFormation, isCloudFormationCandidatePath, looksLikeCloudFormation } from './cloudformation/parser';
import type { CfnTemplate } from './cloudformation/model';
import { newPieceCache, type PieceCache } from './cloudformation/incremental';
import { parseDockerfile, isDockerfilePath, newDfParseCache, type DfParseCache } from './dockerfile/parser';
import type { DfFile } from './dockerfile/model';
import { initTerraform, parseTerraform, releaseTree } from './terraform/parser';
import { initShell } from './dockerfile/shell';
import type { TfFile, TfModule } from './terraform/model';
import { LineIndex } from './positions';
import type { BaseContext, ReportDescriptor, Rule } from './rule';
import {
  applySuppressions, CfnSuppressionView, DfSuppressionView, TfSuppressionView, UNUSED_SUPPRESSION, type SuppressionView,
} from './suppress';
import { DocMemo } from './memo';
import { cfnContextText, cfnReusable, cfnStyle, cfnUnits, tfContextText, tfReusable, tfStyle, tfUnits } from './units';
import type { Finding, Fix, Format, OffsetRange, Severity, SourceFile, TextEdit, WorkspaceView } from './types';
import { offsetRange } from './offsetRange';

/** Findings that come from the engine itself, not from a catalog rule. */
export const PARSE_ERROR = 'parse-error';
export const INTERNAL_ERROR = 'internal-error';
/** A file over the size limit (option `maxFileSizeKB`): one information finding instead of a lint. */
export const FILE_TOO_LARGE = 'file-too-large';
export { UNUSED_SUPPRESSION };
/** Ids of the engine's own findings; `unused-suppression` can be configured like a rule. */
export const ENGINE_IDS: readonly string[] = [PARSE_ERROR, INTERNAL_ERROR, UNUSED_SUPPRESSION, FILE_TOO_LARGE];

export interface LintResult {
  path: string;
  format: Format;
  findings: Finding[];
  lines: LineIndex;
  /**
   * The parsed file as the suppression code actions need it (absent when the file
   * could not be read, and from a one-pass engine, which keeps no parse).
   */
  suppression?: SuppressionView;
}

export function isTerraformPath(path: string): boolean {
  return /\.tf$/i.test(path);
}

/** The format a path could hold, before looking at the content. */
export function candidateFormat(path: string): Format | null {
  if (isTerraformPath(path)) return 'terraform';
  if (isDockerfilePath(path)) return 'dockerfile';
  if (isCloudFormationCandidatePath(path)) return 'cloudformation';
  return null;
}

/** A document's incremental state (parse, memo), made on first use; past `limit` documents all are dropped. */
function perPath<T>(caches: Map<string, T>, path: string, make: () => T, limit = 200): T {
  let cache = caches.get(path);
  if (!cache) {
    if (caches.size > limit) caches.clear();
    cache = make();
    caches.set(path, cache);
  }
  return cache;
}

/** How many parsed Terraform files the engine keeps for re-parsing and module context. */
const TF_CACHE_FILES = 500;

const emptyWorkspace: WorkspaceView = { terraformFilesIn: () => [] };

export interface EngineOptions {
  /**
   * Whether files are linted again as they change (the language server: keep
   * each document's parse pieces and findings per unit so that a keystroke costs
   * what it changes). `false` for a one-pass scan (the CLI): every file is
   * linted once, so nothing is kept for later and no memo keys are computed.
   * Findings are the same either way. A one-pass engine's results carry no
   * `suppression` view, and it frees the tree of a Terraform file as soon as the
   * file leaves its cache of parses (`releaseTree`) instead of waiting for the
   * garbage collector: over a workspace, WebAssembly memory stays small.
   */
  incremental?: boolean;
  /** How many parsed Terraform files the engine keeps (default 500; tests set fewer). */
  terraformCacheFiles?: number;
}

export class Engine {
  private readonly tfCache = new Map<string, TfFile>();
  /** One-pass: parses that left `tfCache`, their trees to free after the current lint. */
  private readonly dropped: TfFile[] = [];
  /** Per-file pieces of the last YAML parse, for incremental re-parsing. */
  private readonly cfnCache = new Map<string, PieceCache>();
  /** Per-file chunks of the last Dockerfile parse, for incremental re-parsing. */
  private readonly dfCache = new Map<string, DfParseCache>();
  /** Per-file findings of units (resources, blocks, stages) at the last lint (memo.ts). */
  private readonly memos = new Map<string, DocMemo>();
  readonly rules: readonly Rule[];
  readonly incremental: boolean;
  /** Every id a suppression may name: all registered rules, this engine's, and the engine's own ids. */
  private readonly knownRules: ReadonlySet<string>;
  /** The rules with a handler for each format, in `rules` order. */
  private readonly rulesFor: Readonly<Record<Format, readonly Rule[]>>;
  private readonly tfCacheFiles: number;

  private constructor(public config: EngineConfig, rules: readonly Rule[], options: EngineOptions) {
    this.rules = rules;
    this.knownRules = new Set([...allRules.map((r) => r.id), ...rules.map((r) => r.id), ...ENGINE_IDS]);
    const rulesFor: Record<Format, Rule[]> = { cloudformation: [], terraform: [], dockerfile: [] };
    for (const r of rules) for (const f of r.formats) rulesFor[f].push(r);
    this.rulesFor = rulesFor;
    this.incremental = options.incremental ?? true;
    this.tfCacheFiles = Math.max(1, options.terraformCacheFiles ?? TF_CACHE_FILES);
  }

  /** Loads the Terraform and shell grammars once; everything after is synchronous. */
  static async create(config: EngineConfig = defaultConfig(), rules: readonly Rule[] = allRules, options: EngineOptions = {}): Promise<Engine> {
    // One after the other: both instantiate the shared web-tree-sitter runtime on first use.
    await initTerraform();
    await initShell();
    return new Engine(config, rules, options);
  }

  ruleById(id: string): Rule | undefined {
    return this.rules.find((r) => r.id === id);
  }

  /** The size limit in characters of text (option `maxFileSizeKB`). */
  get maxFileChars(): number {
    const kb = this.config.options.maxFileSizeKB;
    return typeof kb === 'number' && kb > 0 ? kb * 1024 : DEFAULT_OPTIONS.maxFileSizeKB * 1024;
  }

  /**
   * Lints one file. Returns null when the file is not CloudFormation, Terraform or
   * a Dockerfile. A file over the size limit is not parsed: it gets one
   * `file-too-large` information finding (a CloudFormation candidate only when its
   * text looks like a template).
   */
  lint(file: SourceFile, workspace: WorkspaceView = emptyWorkspace): LintResult | null {
    const kind = candidateFormat(file.path);
    if (kind && file.text.length > this.maxFileChars) {
      if (kind === 'cloudformation' && !looksLikeCloudFormation(file.text)) return null;
      return this.tooLarge(file.path, kind, file.text.length, file.text);
    }
    if (kind === 'terraform') return this.lintTerraform(file, workspace);
    if (kind === 'dockerfile') return this.lintDockerfile(file, workspace);
    if (kind === 'cloudformation') return this.lintCloudFormation(file, workspace);
    return null;
  }

  private lintCloudFormation(file: SourceFile, workspace: WorkspaceView): LintResult | null {
    let tpl: CfnTemplate | null;
    try {
      tpl = parseCloudFormation(file.path, file.text, this.incremental ? perPath(this.cfnCache, file.path, newPieceCache) : undefined);
    } catch (e) {
      return this.crashed(file, 'cloudformation', e);
    }
    if (!tpl) return null;
    if (!this.incremental) tpl.transient = true;
    const t = tpl;
    const findings = this.parseErrors(file.path, t.errors);
    const units = (m: DocMemo) => m.setUnits(cfnUnits(t), cfnReusable(t) ? `${m.textId(cfnContextText(t))}|${cfnStyle(t)}` : null);
    this.run('cloudformation', this.rulesFor.cloudformation, t, workspace, findings, new Subject(t, undefined, undefined, undefined), units);
    const suppression = new CfnSuppressionView(t);
    return this.result(file.path, 'cloudformation', this.suppress(file.path, suppression, findings), t.lines, suppression);
  }

  private lintDockerfile(file: SourceFile, workspace: WorkspaceView): LintResult {
    let df: DfFile;
    try {
      df = parseDockerfile(file.path, file.text, this.incremental ? perPath(this.dfCache, file.path, newDfParseCache) : undefined);
    } catch (e) {
      return this.crashed(file, 'dockerfile', e);
    }
    const findings: Finding[] = [];
    this.run('dockerfile', this.rulesFor.dockerfile, df, workspace, findings, new Subject(undefined, undefined, undefined, df));
    const suppression = new DfSuppressionView(df);
    return this.result(file.path, 'dockerfile', this.suppress(file.path, suppression, findings), df.lines, suppression);
  }

  private lintTerraform(file: SourceFile, workspace: WorkspaceView): LintResult {
    let tf: TfFile;
    let module: TfModule;
    try {
      tf = this.parseTf(file.path, file.text);
      const dir = nodePath.dirname(file.path);
      const files = [tf];
      for (const sib of workspace.terraformFilesIn(dir)) {
        if (sib.path !== file.path) files.push(this.parseTf(sib.path, sib.text));
      }
      files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      // One shape for both kinds of engine.
      module = { dir, files, transient: !this.incremental };
    } catch (e) {
      return this.crashed(file, 'terraform', e);
    }
    const findings = this.parseErrors(file.path, tf.errors);
    const units = (m: DocMemo) => m.setUnits(tfUnits(tf), tfReusable(module) ? `${m.textId(tfContextText(module, tf))}|${tfStyle(tf)}` : null);
    try {
      this.run('terraform', this.rulesFor.terraform, tf, workspace, findings, new Subject(undefined, tf, module, undefined), units);
      const suppression = new TfSuppressionView(tf);
      return this.result(file.path, 'terraform', this.suppress(file.path, suppression, findings), tf.lines, suppression);
    } finally {
      if (this.dropped.length) this.releaseDropped();
    }
  }

  /**
   * A lint's result; a one-pass engine's keeps no parse (see `EngineOptions.incremental`).
   * Every result of an engine has one shape: the fields in one order, `suppression`
   * present in every result of an incremental engine and in none of a one-pass one's.
   */
  private result(path: string, format: Format, findings: Finding[], lines: LineIndex, suppression?: SuppressionView): LintResult {
    return this.incremental && suppression
      ? { path, format, findings, lines, suppression }
      : { path, format, findings, lines };
  }

  /**
   * The findings array of a lint, starting with the parse's syntax errors. Built
   * by pushing, as every findings array is: arrays made by `map` in optimized
   * code are of another (holey) kind than those built step by step, and code
   * that reads findings would then see two kinds of array.
   */
  private parseErrors(path: string, errors: readonly { range: OffsetRange; message: string }[]): Finding[] {
    const findings: Finding[] = [];
    for (const e of errors) findings.push(this.parseError(path, e.range, e.message));
    return findings;
  }

  /**
   * One-pass: frees the trees of the parses that left the cache, once the lint that
   * dropped them is over (a module larger than the cache drops files the lint still
   * reads). Nothing reads them later: the next lint of the module parses them again.
   */
  private releaseDropped(): void {
    for (const f of this.dropped) releaseTree(f);
    this.dropped.length = 0;
  }

  private parseTf(path: string, text: string): TfFile {
    const cached = this.tfCache.get(path);
    if (cached && cached.text === text) {
      this.tfCache.delete(path);
      this.tfCache.set(path, cached);
      return cached;
    }
    const parsed = parseTerraform(path, text, cached);
    // The most recently used parses (open files and their modules); a walk over a
    // whole workspace keeps only the modules around the current one.
    this.tfCache.delete(path);
    if (cached) this.drop(cached);
    if (this.tfCache.size >= this.tfCacheFiles) {
      const oldest = this.tfCache.keys().next().value!;
      this.drop(this.tfCache.get(oldest)!);
      this.tfCache.delete(oldest);
    }
    this.tfCache.set(path, parsed);
    return parsed;
  }

  private drop(file: TfFile): void {
    if (!this.incremental) this.dropped.push(file);
  }

  private run(
    format: Format,
    rules: readonly Rule[],
    doc: { path: string; text: string; lines: LineIndex },
    workspace: WorkspaceView,
    findings: Finding[],
    subject: Subject,
    units?: (memo: DocMemo) => void,
  ): void {
    if (!this.incremental) {
      this.runRules(format, rules, doc, workspace, findings, subject, null);
      findings.sort(byPosition);
      return;
    }
    const memo = perPath(this.memos, doc.path, () => new DocMemo(), 100);
    memo.begin(doc.path, doc.text);
    try {
      units?.(memo);
      this.runRules(format, rules, doc, workspace, findings, subject, memo);
    } finally {
      memo.end();
    }
    findings.sort(byPosition);
  }

  /** Runs `rules` (those of `format`: `rulesFor[format]`, picked by the caller, by name). */
  private runRules(
    format: Format,
    rules: readonly Rule[],
    doc: { path: string; text: string; lines: LineIndex },
    workspace: WorkspaceView,
    findings: Finding[],
    subject: Subject,
    memo: DocMemo | null,
  ): void {
    // One context for every rule of this lint (its closures read the rule being
    // run), of one shape for every format: made per rule call, contexts showed in
    // profiles of workspace scans.
    let rule!: Rule;
    let severity!: Severity;
    let recording = false;
    /** Units already checked by this rule in this lint (a repeated unit is not reused). */
    let used: Set<number> | null = null;
    const ctx: BaseContext & Subject = {
      path: doc.path,
      text: doc.text,
      lines: doc.lines,
      options: this.config.options,
      workspace,
      report: (d: ReportDescriptor) => {
        findings.push({
          ruleId: rule.id,
          severity,
          message: d.message,
          path: doc.path,
          range: clampRange(d.range, doc.text.length),
          resource: d.resource ?? null,
          fixes: d.fixes ? d.fixes.filter((f) => fixApplies(f, doc.path, doc.text.length)) : [],
        });
      },
      fix: (title: string, edits: TextEdit[]): Fix => ({ title, kind: 'exact', changes: [{ path: doc.path, edits }] }),
      suggest: (title: string, edits: TextEdit[]): Fix => ({ title, kind: 'suggestion', changes: [{ path: doc.path, edits }] }),
      memo: (unit: OffsetRange, deps: string | null, check: () => void): void => {
        if (!memo) {
          check();
          return;
        }
        const id = deps === null || recording ? -1 : memo.unitId(unit);
        // Nested, unkeyed or repeated (the same unit twice in one lint): no reuse.
        if (id < 0 || used?.has(id)) {
          check();
          return;
        }
        (used ??= new Set()).add(id);
        const replayed = memo.replay(rule.id, unit, deps!);
        if (replayed) {
          for (const f of replayed) findings.push(f);
          return;
        }
        const mark = findings.length;
        recording = true;
        try {
          check();
        } finally {
          recording = false;
        }
        memo.record(rule.id, unit, deps!, findings.slice(mark));
      },
      // Without a memo keys are never compared: any will do.
      unitKey: (range: OffsetRange): string => (memo ? `u${memo.unitId(range)}` : 'u'),
      textKey: (text: string): string => (memo ? `t${memo.textId(text)}` : 't'),
      template: subject.template,
      file: subject.file,
      module: subject.module,
      dockerfile: subject.dockerfile,
    };
    for (const r of rules) {
      const configured = this.config.rules[r.id];
      if (configured === 'off') continue;
      rule = r;
      severity = configured ?? r.severity;
      recording = false;
      used = null;
      // Nothing the rule reads changed since the last lint: its findings, moved.
      const reads = format === 'dockerfile' || !memo ? undefined : r.reads?.[format];
      if (reads && memo) {
        const again = memo.replayRule(r.id, reads);
        if (again) {
          for (const f of again) findings.push(f);
          memo.keepRule(r.id, again);
          continue;
        }
      }
      const mark = findings.length;
      let failed = false;
      try {
        // One call site for every format (its feedback is ready whichever format
        // comes first), the rule's handler looked up as it is now.
        (r[format] as (ctx: BaseContext) => void)(ctx);
      } catch (e) {
        failed = true;
        findings.push({
          ruleId: INTERNAL_ERROR,
          severity: 'info',
          message: `Rule ${r.id} failed on this file: ${(e as Error).message}`,
          path: doc.path,
          range: offsetRange(0, 0),
          resource: null,
          fixes: [],
        });
      }
      if (reads && memo && !failed) memo.keepRule(r.id, findings.slice(mark));
    }
  }

  /**
   * Applies suppression comments and Metadata (suppress.ts). While the file has
   * syntax errors, rules see only part of it: unused suppressions are not
   * reported then, so that they do not flicker while the user types.
   */
  private suppress(path: string, view: SuppressionView, findings: Finding[]): Finding[] {
    try {
      const configured = this.config.rules[UNUSED_SUPPRESSION];
      const broken = findings.some((f) => f.ruleId === PARSE_ERROR);
      const activeRules = new Set<string>();
      for (const r of this.rules) if (this.config.rules[r.id] !== 'off') activeRules.add(r.id);
      const out = applySuppressions(view, findings, {
        path,
        activeRules,
        knownRules: this.knownRules,
        unusedSeverity: broken ? 'off' : configured ?? 'info',
      });
      if (out !== findings) out.sort(byPosition);
      return out;
    } catch (e) {
      findings.push({
        ruleId: INTERNAL_ERROR, severity: 'info', message: `Suppressions could not be read: ${(e as Error).message}`,
        path, range: offsetRange(0, 0), resource: null, fixes: [],
      });
      return findings;
    }
  }

  /**
   * The result for a file over the size limit, without its text when the caller
   * did not read it (`size`: its length in characters, or bytes on disk).
   */
  tooLarge(path: string, format: Format, size: number, text = ''): LintResult {
    const kb = Math.round(this.maxFileChars / 1024);
    const sizeText = size >= 1024 * 1024 ? `${(size / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(size / 1024)} KB`;
    return this.result(path, format, [{
      ruleId: FILE_TOO_LARGE,
      severity: 'info',
      message: `Not checked: this file (${sizeText}) is larger than iac-lint's limit of ${kb} KB. Raise \`maxFileSizeKB\` under \`options:\` in .iac-lint.yaml (or pass --max-file-size to the CLI) to lint it.`,
      path,
      range: offsetRange(0, 0),
      resource: null,
      fixes: [],
    }], new LineIndex(text));
  }

  private parseError(path: string, range: { start: number; end: number }, message: string): Finding {
    return { ruleId: PARSE_ERROR, severity: 'error', message, path, range, resource: null, fixes: [] };
  }

  private crashed(file: SourceFile, format: Format, e: unknown): LintResult {
    return this.result(file.path, format, [{
      ruleId: INTERNAL_ERROR, severity: 'error', message: `iac-lint could not read this file: ${(e as Error).message}`,
      path: file.path, range: offsetRange(0, 0), resource: null, fixes: [],
    }], new LineIndex(file.text));
  }
}

/**
 * What the rules of a format read besides the text: the parsed file (and
 * Terraform's module); the others undefined. One class, so that the engine
 * reads one shape whatever the format.
 */
class Subject {
  constructor(
    readonly template: CfnTemplate | undefined,
    readonly file: TfFile | undefined,
    readonly module: TfModule | undefined,
    readonly dockerfile: DfFile | undefined,
  ) {}
}

function byPosition(a: Finding, b: Finding): number {
  return a.range.start - b.range.start || a.range.end - b.range.end || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}

/**
 * A fix whose edits of this file stay inside it and do not overlap (a rule
 * confused by a broken file could compute others): only such fixes are offered.
 * Edits of other files (module siblings) are checked when they are applied.
 */
function fixApplies(fix: Fix, path: string, length: number): boolean {
  for (const ch of fix.changes) {
    const edits = [...ch.edits].sort((a, b) => a.start - b.start || a.end - b.end);
    let pos = 0;
    for (const e of edits) {
      if (!(e.start >= pos && e.end >= e.start) || typeof e.newText !== 'string') return false;
      if (ch.path === path && e.end > length) return false;
      pos = e.end;
    }
  }
  return true;
}

function clampRange(r: { start: number; end: number }, len: number): { start: number; end: number } {
  const start = Math.max(0, Math.min(r.start, len));
  const end = Math.max(start, Math.min(r.end, len));
  return offsetRange(start, end);
}

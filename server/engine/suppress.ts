/**
 * Suppressions, applied by the linter after the rules ran, so that the CLI and the
 * editor honour them alike. Generic: they name rule ids and never look at what a
 * rule checks.
 *
 * Our own syntax, in every format that has comments (YAML, HCL `#` `//` `/* *\/`,
 * Dockerfile):
 *
 *   # iac-lint-ignore <rule-id>[,<rule-id>...] [-- <reason>]
 *       on its own line: the syntax element that starts on the next line that is
 *       not a comment (a resource, block, attribute, key, list item or
 *       instruction, with everything inside it); at the end of a line: that line's
 *       element.
 *   # iac-lint-ignore-file <rule-id>[,...] [-- <reason>]
 *       anywhere: the whole file.
 *
 * CloudFormation (YAML and JSON) also takes resource Metadata, and template
 * Metadata for the whole file:
 *
 *   Metadata:
 *     iac-lint:
 *       ignore:
 *         - ec2-imdsv2-required                  # an id
 *         - id: ebs-encryption                   # or an id with its reason
 *           reason: scratch volume, no data
 *
 * Peer tools' suppressions are honoured through `peerIds.ts`: checkov, trivy /
 * tfsec, tflint, hadolint comments, cfn-lint and cfn_nag and checkov Metadata.
 *
 * One of ours that suppresses nothing becomes an `unused-suppression` finding
 * (peers' are left alone: they serve their own tool).
 */
import { isMap, isScalar, isSeq, visit, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { CfnTemplate } from './cloudformation/model';
import { getMap, getNode } from './cloudformation/nodes';
import type { DfFile } from './dockerfile/model';
import { ourRulesFor, type PeerTool } from './peerIds';
import type { LineIndex } from './positions';
import type { TfBlock, TfFile } from './terraform/model';
import { changedSpan } from './textDiff';
import type { Finding, Format, OffsetRange, Severity, TextEdit } from './types';
import { offsetRange, textEdit } from './offsetRange';

export const UNUSED_SUPPRESSION = 'unused-suppression';

export type SuppressionSource = 'iac-lint' | PeerTool;

export interface SourceComment {
  /** The whole comment, marker included (`# ...`, `// ...`, `/* ... *\/`). */
  range: OffsetRange;
  text: string;
}

/** A syntax element: everything a line directive in front of it covers. */
export interface SyntaxUnit {
  range: OffsetRange;
  /** Set when the element is a resource (its id as findings name it). */
  resource: string | null;
}

export interface ResourceSpan {
  id: string;
  range: OffsetRange;
}

/** One id named by a suppression, with where it is written. */
export interface SuppressionEntry {
  /** As written (our id, or the peer's). */
  id: string;
  /** Our rule ids it stands for. */
  rules: readonly string[];
  range: OffsetRange;
}

export interface MetadataSuppression {
  source: SuppressionSource;
  scope: 'resource' | 'file';
  resource: ResourceSpan | null;
  entries: SuppressionEntry[];
  /** Problems with the Metadata's shape, reported like unused suppressions (ours only). */
  problems: { range: OffsetRange; message: string }[];
}

/** What the suppression pass needs from a parsed file. One implementation per format. */
export interface SuppressionView {
  readonly format: Format;
  readonly text: string;
  readonly lines: LineIndex;
  /** False for JSON templates. */
  readonly commentsAllowed: boolean;
  /** Comments in source order. May be empty when the text holds no directive at all. */
  comments(): SourceComment[];
  /** The largest syntax element that starts on `line`, or null. */
  unitAt(line: number): SyntaxUnit | null;
  /** The resource enclosing `offset`. */
  resourceAt(offset: number): ResourceSpan | null;
  /** Metadata suppressions (CloudFormation only). */
  metadata(): MetadataSuppression[];
  /**
   * The line in front of which a comment covers `offset`: the offset's own line,
   * unless that line is inside a multi-line string (block scalar, heredoc) or a
   * continued instruction, where a comment would change the content.
   */
  anchorLine(offset: number): number;
}

/** Cheap test: does the text mention any suppression syntax at all? */
const MARKER = /iac-lint-ignore|checkov:skip|(?:trivy|tfsec):ignore|tflint-ignore|hadolint/;
/** The longest text `MARKER` matches (`iac-lint-ignore`). */
const MARKER_MAX = 15;

/** The last text `mentionsMarker` answered for (a lint asks for the same text several times). */
let lastMarker: { text: string; has: boolean } | null = null;
/** Per path, the last text found without a marker (bounded). */
const markerFree = new Map<string, string>();

/**
 * `MARKER.test(text)`, without searching the whole text on every keystroke: when
 * the last text of `path` held no marker, a marker in this one must touch what
 * changed, so only the changed span (widened by a marker's length) is searched.
 */
export function mentionsMarker(text: string, path?: string): boolean {
  const l = lastMarker;
  if (l && l.text === text) return l.has;
  const before = path === undefined ? undefined : markerFree.get(path);
  let has: boolean;
  if (before !== undefined) {
    const span = changedSpan(before, text);
    has = MARKER.test(text.slice(Math.max(0, span.start - (MARKER_MAX - 1)), Math.min(text.length, span.newEnd + (MARKER_MAX - 1))));
  } else {
    has = MARKER.test(text);
  }
  if (path !== undefined) {
    if (has) markerFree.delete(path);
    else {
      if (markerFree.size >= 64 && !markerFree.has(path)) markerFree.clear();
      markerFree.set(path, text);
    }
  }
  lastMarker = { text, has };
  return has;
}

// ---------------------------------------------------------------------------
// Directives

interface Directive {
  source: SuppressionSource;
  scope: 'next' | 'resource' | 'file';
  /** `next`: the line whose element is covered. */
  line: number;
  unit: SyntaxUnit | null;
  resource: ResourceSpan | null;
  entries: SuppressionEntry[];
  /** Every rule (`tflint-ignore: all`, `trivy:ignore:*`). */
  all: boolean;
  /** The comment (or Metadata entry) that holds it. */
  range: OffsetRange;
  /** The comment is alone on its line. */
  ownLine: boolean;
  problems: { range: OffsetRange; message: string }[];
  used: Set<number>;
}

interface ParsedComment {
  source: SuppressionSource;
  kind: 'next' | 'file' | 'resource';
  entries: { id: string; range: OffsetRange }[];
  all?: boolean;
  problems?: { range: OffsetRange; message: string }[];
}

/** Strips the comment marker; returns the body and its offset in the file. */
function commentBody(c: SourceComment): { body: string; at: number } {
  let t = c.text;
  let at = c.range.start;
  const m = /^(#|\/\/|\/\*)/.exec(t);
  if (m) {
    t = t.slice(m[0].length);
    at += m[0].length;
  }
  if (m?.[0] === '/*') t = t.replace(/\*\/\s*$/, '');
  const lead = /^\s*/.exec(t)![0].length;
  return { body: t.slice(lead).replace(/\s+$/, ''), at: at + lead };
}

/** Splits `a, b c` into ids with their offsets. */
function idList(s: string, at: number): { id: string; range: OffsetRange }[] {
  const out: { id: string; range: OffsetRange }[] = [];
  const re = /[^\s,]+/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push({ id: m[0], range: offsetRange(at + m.index, at + m.index + m[0].length) });
  return out;
}

function parseComment(c: SourceComment, today: string): ParsedComment[] {
  const { body, at } = commentBody(c);
  const out: ParsedComment[] = [];
  // Ours: `iac-lint-ignore[-file] ids [-- reason]`.
  const own = /^iac-lint-ignore(-file)?(?::|(?=\s)|$)/.exec(body);
  if (own) {
    const rest = body.slice(own[0].length);
    const dash = rest.search(/(^|\s)--(\s|$)/);
    const idsText = dash >= 0 ? rest.slice(0, dash) : rest;
    const entries = idList(idsText, at + own[0].length);
    const problems = entries.length ? [] : [{ range: c.range, message: `\`${own[0].replace(/:$/, '')}\` names no rule id: write \`${own[0].replace(/:$/, '')} <rule-id> -- <reason>\`.` }];
    out.push({ source: 'iac-lint', kind: own[1] ? 'file' : 'next', entries, problems });
    return out;
  }
  // checkov: `checkov:skip=CKV_AWS_8:reason` inside the resource it skips (a Dockerfile: the file).
  for (const m of body.matchAll(/checkov:skip=([A-Za-z0-9_]+)/g)) {
    const s = at + m.index! + 'checkov:skip='.length;
    out.push({ source: 'checkov', kind: 'resource', entries: [{ id: m[1], range: offsetRange(s, s + m[1].length) }] });
  }
  // trivy / tfsec: `trivy:ignore:<id>[:exp:YYYY-MM-DD][[k=v]]`, several per comment.
  for (const m of body.matchAll(/\b(?:trivy|tfsec):ignore:([^\s:[\]]+)((?::exp:\d{4}-\d{2}-\d{2}|\[[^\]]*\])*)/g)) {
    const exp = /:exp:(\d{4}-\d{2}-\d{2})/.exec(m[2] ?? '');
    if (exp && exp[1] < today) continue;
    const s = at + m.index! + m[0].indexOf(':ignore:') + ':ignore:'.length;
    const all = m[1] === '*';
    out.push({ source: 'trivy', kind: 'next', all, entries: all ? [] : [{ id: m[1], range: offsetRange(s, s + m[1].length) }] });
  }
  // tflint: `tflint-ignore: a, b # why` / `tflint-ignore-file: a`.
  const tfl = /^tflint-ignore(-file)?:\s*/.exec(body);
  if (tfl) {
    let rest = body.slice(tfl[0].length);
    const end = rest.search(/\s(#|\/\/)/);
    if (end >= 0) rest = rest.slice(0, end);
    const entries = idList(rest, at + tfl[0].length);
    const all = entries.some((e) => e.id === 'all');
    out.push({ source: 'tflint', kind: tfl[1] ? 'file' : 'next', all, entries: entries.filter((e) => e.id !== 'all') });
  }
  // hadolint: `hadolint ignore=DL3008,DL3015` / `hadolint global ignore=...`.
  const had = /^hadolint\s+(global\s+)?ignore=/.exec(body);
  if (had) {
    const rest = /^[A-Za-z0-9_,\s]*/.exec(body.slice(had[0].length))![0];
    out.push({ source: 'hadolint', kind: had[1] ? 'file' : 'next', entries: idList(rest, at + had[0].length) });
  }
  return out;
}

function rulesFor(source: SuppressionSource, id: string): readonly string[] {
  return source === 'iac-lint' ? [id] : ourRulesFor(source, id);
}

function lineOf(view: SuppressionView, offset: number): number {
  return view.lines.offsetToPosition(offset).line;
}

/** Lines that hold nothing but comments. */
function commentOnlyLines(view: SuppressionView, comments: SourceComment[]): Set<number> {
  const out = new Set<number>();
  for (const c of comments) {
    const first = lineOf(view, c.range.start);
    const last = lineOf(view, Math.max(c.range.start, c.range.end - 1));
    const before = view.text.slice(view.lines.lineStarts[first], c.range.start);
    const after = view.text.slice(c.range.end, view.lines.lineEnd(last));
    if (/^\s*$/.test(before) && /^\s*$/.test(after)) for (let l = first; l <= last; l++) out.add(l);
  }
  return out;
}

function collectDirectives(view: SuppressionView, today: string): Directive[] {
  const out: Directive[] = [];
  const comments = view.commentsAllowed ? view.comments() : [];
  let commentLines: Set<number> | undefined;
  for (const c of comments) {
    if (!MARKER.test(c.text)) continue;
    for (const p of parseComment(c, today)) {
      commentLines ??= commentOnlyLines(view, comments);
      const first = lineOf(view, c.range.start);
      const last = lineOf(view, Math.max(c.range.start, c.range.end - 1));
      const ownLine = commentLines.has(first);
      const base = {
        source: p.source,
        entries: p.entries.map((e) => ({ ...e, rules: rulesFor(p.source, e.id) })),
        all: p.all ?? false,
        range: c.range,
        ownLine,
        problems: p.problems ?? [],
        used: new Set<number>(),
        unit: null,
        resource: null,
        line: -1,
      };
      if (p.kind === 'file' || (p.kind === 'resource' && view.format === 'dockerfile')) {
        out.push({ ...base, scope: 'file' });
        continue;
      }
      if (p.kind === 'resource') {
        const res = view.resourceAt(c.range.start);
        if (res) {
          out.push({ ...base, scope: 'resource', resource: res });
          continue;
        }
      }
      // `next`: the element on this line (trailing comment) or on the next line that is not a comment.
      let line = first;
      if (ownLine) {
        line = last + 1;
        while (line < view.lines.lineCount && commentLines.has(line)) line++;
      }
      out.push({ ...base, scope: 'next', line, unit: view.unitAt(line) });
    }
  }
  for (const m of view.metadata()) {
    out.push({
      source: m.source,
      scope: m.scope,
      line: -1,
      unit: null,
      resource: m.resource,
      entries: m.entries,
      all: false,
      range: m.entries[0]?.range ?? m.problems[0]?.range ?? offsetRange(0, 0),
      ownLine: false,
      problems: m.source === 'iac-lint' ? m.problems : [],
      used: new Set(),
    });
  }
  return out;
}

function covers(view: SuppressionView, d: Directive, f: Finding): boolean {
  switch (d.scope) {
    case 'file':
      return true;
    case 'resource':
      return !!d.resource && (f.resource === d.resource.id || (f.range.start >= d.resource.range.start && f.range.start <= d.resource.range.end));
    case 'next': {
      if (lineOf(view, f.range.start) === d.line) return true;
      const u = d.unit;
      if (!u) return false;
      return (f.range.start >= u.range.start && f.range.start <= u.range.end) || (u.resource !== null && f.resource === u.resource);
    }
  }
}

export interface SuppressOptions {
  /** The file's path, for the findings this pass adds. */
  path: string;
  /** Rules that ran on this file (enabled, not `off`): unused checks apply to these only. */
  activeRules: ReadonlySet<string>;
  /** Every id a suppression may name: all registered rules and the engine's own ids. */
  knownRules: ReadonlySet<string>;
  /** Severity of `unused-suppression` findings, or `off`. */
  unusedSeverity: Severity | 'off';
  /** `YYYY-MM-DD`, for trivy's `:exp:` dates. Default: today. */
  today?: string;
}

/**
 * Drops suppressed findings and adds `unused-suppression` findings for our own
 * directives that suppressed nothing. Returns the findings in the same order,
 * unused ones appended (the caller sorts).
 */
export function applySuppressions(view: SuppressionView, findings: Finding[], opts: SuppressOptions): Finding[] {
  const hasComments = view.commentsAllowed && mentionsMarker(view.text, opts.path);
  const directives = hasComments || view.format === 'cloudformation'
    ? collectDirectives(view, opts.today ?? new Date().toISOString().slice(0, 10))
    : [];
  if (directives.length === 0) return findings;
  const kept: Finding[] = [];
  for (const f of findings) {
    let suppressed = false;
    for (const d of directives) {
      if (!d.all && !d.entries.some((e) => e.rules.includes(f.ruleId))) continue;
      if (!covers(view, d, f)) continue;
      suppressed = true;
      d.entries.forEach((e, i) => {
        if (e.rules.includes(f.ruleId)) d.used.add(i);
      });
    }
    if (!suppressed) kept.push(f);
  }
  if (opts.unusedSeverity === 'off') return kept;
  const severity = opts.unusedSeverity;
  const path = opts.path;
  const report = (range: OffsetRange, message: string, fixes: Finding['fixes'] = []): void => {
    kept.push({ ruleId: UNUSED_SUPPRESSION, severity, message, path, range, resource: null, fixes });
  };
  for (const d of directives) {
    if (d.source !== 'iac-lint') continue;
    for (const p of d.problems) report(p.range, p.message);
    const where = d.scope === 'file' ? 'in this file'
      : d.scope === 'resource' ? `in resource ${d.resource?.id ?? ''}`.trimEnd()
      : 'on the element below it';
    const unused: number[] = [];
    d.entries.forEach((e, i) => {
      if (d.used.has(i)) return;
      if (!opts.knownRules.has(e.id)) {
        report(e.range, `\`${e.id}\` is not an iac-lint rule id: this suppression does nothing.`);
        return;
      }
      // A rule that did not run (turned off, or not part of this engine) cannot be judged.
      if (!opts.activeRules.has(e.id)) return;
      unused.push(i);
    });
    for (const i of unused) {
      const e = d.entries[i];
      const all = unused.length === d.entries.length;
      const edit = d.range === e.range ? null : removalEdit(view, d, e.range, all);
      const fixes = edit ? [{ title: all ? 'Remove the unused suppression' : `Remove \`${e.id}\` from the suppression`, kind: 'suggestion' as const, changes: [{ path, edits: [edit] }] }] : [];
      report(e.range, `Unused suppression: no \`${e.id}\` finding ${where}.`, fixes);
    }
  }
  return kept;
}

/** The edit that removes an unused id (or the whole comment line when nothing is left). */
function removalEdit(view: SuppressionView, d: Directive, id: OffsetRange, all: boolean): TextEdit | null {
  if (d.scope === 'resource' || (d.scope === 'file' && !view.commentsAllowed)) return null;
  const text = view.text;
  if (!isComment(view, d.range)) return null;
  if (all) {
    if (!d.ownLine) {
      // Trailing comment: remove it and the spaces before it.
      let s = d.range.start;
      while (s > 0 && (text[s - 1] === ' ' || text[s - 1] === '\t')) s--;
      return textEdit(s, d.range.end, '');
    }
    const line = lineOf(view, d.range.start);
    const start = view.lines.lineStarts[line];
    const end = line + 1 < view.lines.lineCount ? view.lines.lineStarts[line + 1] : text.length;
    return textEdit(start, end, '');
  }
  // Remove the id with one neighbouring separator.
  let s = id.start;
  let e = id.end;
  const after = /^\s*,\s*/.exec(text.slice(e, d.range.end));
  if (after) e += after[0].length;
  else {
    const before = /\s*,\s*$/.exec(text.slice(d.range.start, s));
    if (before) s -= before[0].length;
  }
  return textEdit(s, e, '');
}

function isComment(view: SuppressionView, r: OffsetRange): boolean {
  return /^(#|\/\/|\/\*)/.test(view.text.slice(r.start, r.start + 2));
}

// ---------------------------------------------------------------------------
// Views per format

/** `#` comments of a YAML text, skipping `#` inside scalars (quoted strings, block scalars). */
function hashComments(text: string, lines: LineIndex, insideString: (offset: number) => boolean): SourceComment[] {
  const out: SourceComment[] = [];
  for (let line = 0; line < lines.lineCount; line++) {
    const start = lines.lineStarts[line];
    const end = lines.lineEnd(line);
    let i = text.indexOf('#', start);
    while (i >= 0 && i < end) {
      const prev = i === start ? ' ' : text[i - 1];
      if ((prev === ' ' || prev === '\t') && !insideString(i)) {
        out.push({ range: offsetRange(i, end), text: text.slice(i, end) });
        break;
      }
      i = text.indexOf('#', i + 1);
    }
  }
  return out;
}

/** Builds `line → largest element starting on it` from element ranges. */
class UnitIndex {
  private readonly byLine = new Map<number, SyntaxUnit>();
  constructor(private readonly lines: LineIndex) {}
  add(range: OffsetRange, resource: string | null = null): void {
    const line = this.lines.offsetToPosition(range.start).line;
    const cur = this.byLine.get(line);
    if (!cur || range.end > cur.range.end || (resource && !cur.resource && range.end >= cur.range.end)) {
      this.byLine.set(line, { range: offsetRange(Math.min(range.start, cur?.range.start ?? range.start), Math.max(range.end, cur?.range.end ?? range.end)), resource: resource ?? cur?.resource ?? null });
    }
  }
  get(line: number): SyntaxUnit | null {
    return this.byLine.get(line) ?? null;
  }
}

function yamlRange(n: Node | null | undefined): OffsetRange | null {
  return n?.range ? offsetRange(n.range[0], n.range[1]) : null;
}

export class CfnSuppressionView implements SuppressionView {
  readonly format = 'cloudformation';
  readonly commentsAllowed: boolean;
  private units?: UnitIndex;
  private strings?: OffsetRange[];
  constructor(readonly tpl: CfnTemplate) {
    this.commentsAllowed = !tpl.isJson;
  }
  get text(): string {
    return this.tpl.text;
  }
  get lines(): LineIndex {
    return this.tpl.lines;
  }

  /** Ranges of scalars that span lines or are quoted: a `#` inside is content. */
  private stringRanges(): OffsetRange[] {
    if (!this.strings) {
      const out: OffsetRange[] = [];
      visit(this.tpl.doc as Document, {
        Scalar(_, s) {
          if (s.range && s.type !== 'PLAIN') out.push(offsetRange(s.range[0], s.range[1]));
        },
      });
      out.sort((a, b) => a.start - b.start);
      this.strings = out;
    }
    return this.strings;
  }

  private containing(offset: number): OffsetRange | null {
    const rs = this.stringRanges();
    let lo = 0;
    let hi = rs.length - 1;
    let found: OffsetRange | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (rs[mid].start <= offset) {
        found = rs[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found && offset < found.end ? found : null;
  }

  comments(): SourceComment[] {
    if (!this.commentsAllowed || !mentionsMarker(this.tpl.text)) return [];
    return hashComments(this.tpl.text, this.tpl.lines, (o) => this.containing(o) !== null);
  }

  unitAt(line: number): SyntaxUnit | null {
    if (!this.units) {
      const units = new UnitIndex(this.tpl.lines);
      const resourcePairs = new Map<Pair, string>(this.tpl.resources.map((r) => [r.pair, r.logicalId]));
      // Pairs, list items and scalars; not the maps that are a pair's value: such a
      // map starts at its first key, and would make that key's line cover its siblings.
      visit(this.tpl.doc as Document, {
        Pair(_, pair) {
          const k = yamlRange(pair.key as Node);
          if (!k) return;
          const v = yamlRange(pair.value as Node);
          units.add(offsetRange(k.start, v ? v.end : k.end), resourcePairs.get(pair as Pair) ?? null);
        },
        Seq(_, seq) {
          for (const item of seq.items) {
            const r = yamlRange(item as Node);
            if (r) units.add(r);
          }
        },
        Scalar(_, scalar) {
          const r = yamlRange(scalar);
          if (r) units.add(r);
        },
      });
      this.units = units;
    }
    return this.units.get(line);
  }

  private span(id: string, pair: Pair): ResourceSpan | null {
    const k = yamlRange(pair.key as Node);
    const v = yamlRange(pair.value as Node);
    return k ? { id, range: offsetRange(k.start, v ? v.end : k.end) } : null;
  }

  resourceAt(offset: number): ResourceSpan | null {
    for (const r of this.tpl.resources) {
      const s = this.span(r.logicalId, r.pair);
      if (s && offset >= s.range.start && offset <= s.range.end) return s;
    }
    return null;
  }

  anchorLine(offset: number): number {
    const line = this.tpl.lines.offsetToPosition(offset).line;
    const s = this.containing(offset);
    return s ? Math.min(line, this.tpl.lines.offsetToPosition(s.start).line) : line;
  }

  metadata(): MetadataSuppression[] {
    const out: MetadataSuppression[] = [];
    const tpl = this.tpl;
    const read = (meta: YAMLMap | undefined, scope: 'resource' | 'file', resource: ResourceSpan | null): void => {
      if (!meta) return;
      const ours = getNode(meta, 'iac-lint', tpl);
      if (ours) out.push(ourMetadata(tpl, ours, scope, resource));
      const cfnLint = getMap(getMap(meta, 'cfn-lint', tpl), 'config', tpl);
      const checks = getNode(cfnLint, 'ignore_checks', tpl);
      if (checks) out.push(peerMetadata(tpl, 'cfn-lint', checks, null, scope, resource));
      if (scope === 'resource') {
        const nag = getNode(getMap(meta, 'cfn_nag', tpl), 'rules_to_suppress', tpl);
        if (nag) out.push(peerMetadata(tpl, 'cfn_nag', nag, 'id', scope, resource));
        const ckv = getNode(getMap(meta, 'checkov', tpl), 'skip', tpl);
        if (ckv) out.push(peerMetadata(tpl, 'checkov', ckv, 'id', scope, resource));
      }
    };
    read(getMap(tpl.root, 'Metadata', tpl), 'file', null);
    for (const r of tpl.resources) {
      const meta = getMap(r.body, 'Metadata', tpl);
      if (meta) read(meta, 'resource', this.span(r.logicalId, r.pair));
    }
    return out;
  }
}

function scalarEntry(tpl: CfnTemplate, n: unknown): { id: string; range: OffsetRange } | null {
  if (!isScalar(n) || typeof n.value !== 'string' || !n.range) return null;
  return { id: n.value, range: offsetRange(n.range[0], n.range[1]) };
}

function ourMetadata(tpl: CfnTemplate, node: Node, scope: 'resource' | 'file', resource: ResourceSpan | null): MetadataSuppression {
  const m: MetadataSuppression = { source: 'iac-lint', scope, resource, entries: [], problems: [] };
  const shape = '`Metadata: iac-lint:` takes `ignore:` with a list of rule ids (or of `{id, reason}`)';
  const whole = yamlRange(node) ?? offsetRange(0, 0);
  const ignore = isMap(node) ? getNode(node as YAMLMap, 'ignore', tpl) : undefined;
  if (!ignore || !isSeq(ignore)) {
    m.problems.push({ range: whole, message: shape });
    return m;
  }
  for (const item of ignore.items) {
    const e = scalarEntry(tpl, item) ?? (isMap(item) ? scalarEntry(tpl, getNode(item as YAMLMap, 'id', tpl)) : null);
    if (e) m.entries.push({ ...e, rules: [e.id] });
    else m.problems.push({ range: yamlRange(item as Node) ?? whole, message: shape });
  }
  return m;
}

function peerMetadata(tpl: CfnTemplate, source: PeerTool, node: Node, idKey: string | null, scope: 'resource' | 'file', resource: ResourceSpan | null): MetadataSuppression {
  const m: MetadataSuppression = { source, scope, resource, entries: [], problems: [] };
  const items = isSeq(node) ? node.items : [node];
  for (const item of items) {
    const e = idKey && isMap(item) ? scalarEntry(tpl, getNode(item as YAMLMap, idKey, tpl)) : scalarEntry(tpl, item);
    if (e) m.entries.push({ ...e, rules: ourRulesFor(source, e.id) });
  }
  return m;
}

export class TfSuppressionView implements SuppressionView {
  readonly format = 'terraform';
  readonly commentsAllowed = true;
  private units?: UnitIndex;
  constructor(readonly file: TfFile) {}
  get text(): string {
    return this.file.text;
  }
  get lines(): LineIndex {
    return this.file.lines;
  }

  comments(): SourceComment[] {
    if (!MARKER.test(this.file.text) || !this.file.tree) return [];
    try {
      return (this.file.tree.rootNode.descendantsOfType('comment') as { startIndex: number; endIndex: number }[])
        .map((n) => ({ range: offsetRange(n.startIndex, n.endIndex), text: this.file.text.slice(n.startIndex, n.endIndex) }))
        .sort((a, b) => a.range.start - b.range.start);
    } catch {
      return [];
    }
  }

  unitAt(line: number): SyntaxUnit | null {
    if (!this.units) {
      const units = new UnitIndex(this.file.lines);
      const walk = (blocks: readonly TfBlock[], top: boolean): void => {
        for (const b of blocks) {
          units.add(b.range, top ? b.address : null);
          for (const a of b.attributes) units.add(a.range);
          walk(b.blocks, false);
        }
      };
      walk(this.file.blocks, true);
      for (const a of this.file.attributes) units.add(a.range);
      this.units = units;
    }
    return this.units.get(line);
  }

  resourceAt(offset: number): ResourceSpan | null {
    const b = this.file.blocks.find((x) => offset >= x.range.start && offset <= x.range.end);
    return b?.address ? { id: b.address, range: b.range } : null;
  }

  anchorLine(offset: number): number {
    const line = this.file.lines.offsetToPosition(offset).line;
    // Inside a string or heredoc that started on an earlier line: in front of its attribute.
    let best: { start: number } | null = null;
    const visitBlocks = (blocks: readonly TfBlock[]): void => {
      for (const b of blocks) {
        if (offset < b.range.start || offset > b.range.end) continue;
        for (const a of b.attributes) {
          const e = a.expr;
          if (offset >= e.range.start && offset <= e.range.end && ['string', 'template', 'heredoc'].includes(e.kind)
            && this.file.lines.offsetToPosition(e.range.start).line < line) best = a.range;
        }
        visitBlocks(b.blocks);
      }
    };
    visitBlocks(this.file.blocks);
    return best ? this.file.lines.offsetToPosition((best as { start: number }).start).line : line;
  }

  metadata(): MetadataSuppression[] {
    return [];
  }
}

export class DfSuppressionView implements SuppressionView {
  readonly format = 'dockerfile';
  readonly commentsAllowed = true;
  constructor(readonly df: DfFile) {}
  get text(): string {
    return this.df.text;
  }
  get lines(): LineIndex {
    return this.df.lines;
  }

  comments(): SourceComment[] {
    if (!MARKER.test(this.df.text)) return [];
    const out = this.df.comments.map((c) => ({ range: c.range, text: this.df.text.slice(c.range.start, c.range.end) }));
    // dockerfile-ast reads any `# word ...=...` line at the top as a parser directive
    // (`# hadolint global ignore=DL3015`); only syntax, escape and check are real ones.
    for (const d of this.df.directives) {
      if (['syntax', 'escape', 'check'].includes(d.name)) continue;
      const line = this.df.lines.offsetToPosition(d.range.start).line;
      const start = this.df.text.indexOf('#', this.df.lines.lineStarts[line]);
      const end = this.df.lines.lineEnd(line);
      if (start >= 0 && start < end) out.push({ range: offsetRange(start, end), text: this.df.text.slice(start, end) });
    }
    return out.sort((a, b) => a.range.start - b.range.start);
  }

  private instructionAt(offset: number) {
    return this.df.instructions.find((i) => offset >= i.range.start && offset <= i.range.end);
  }

  unitAt(line: number): SyntaxUnit | null {
    const i = this.df.instructions.find((x) => this.df.lines.offsetToPosition(x.range.start).line === line);
    return i ? { range: i.range, resource: null } : null;
  }

  resourceAt(offset: number): ResourceSpan | null {
    const s = this.df.stages.find((x) => offset >= x.range.start && offset <= x.range.end);
    return s?.name ? { id: s.name, range: s.range } : null;
  }

  anchorLine(offset: number): number {
    const i = this.instructionAt(offset);
    return this.df.lines.offsetToPosition(i ? i.range.start : offset).line;
  }

  metadata(): MetadataSuppression[] {
    return [];
  }
}


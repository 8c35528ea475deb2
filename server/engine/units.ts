/**
 * Documents as units (CloudFormation resources, Terraform resource blocks) and
 * the rest, for reusing rule work while the user types (memo.ts): a unit's text
 * says all a rule needs of it, provided the document parsed cleanly (and, in
 * YAML, has no aliases); everything else is the document's context.
 */
import type { Node } from 'yaml';
import { indentUnit as cfnIndentUnit } from './cloudformation/edit';
import type { CfnResource, CfnTemplate } from './cloudformation/model';
import { detach, factOf, factsOf, type Unit } from './memo';
import { indentUnit as tfIndentUnit } from './terraform/edit';
import type { TfBlock, TfFile, TfModule } from './terraform/model';
import { blockRecord } from './terraform/parser';
import { changedSpan } from './textDiff';
import type { OffsetRange } from './types';
import { offsetRange } from './offsetRange';

// ---------------------------------------------------------------------------
// CloudFormation

/** A resource as a unit: from its logical id to the end of its body. */
export function cfnUnit(res: CfnResource): OffsetRange {
  const v = res.pair.value as Node | null;
  return offsetRange(res.keyRange.start, Math.max(res.keyRange.end, v?.range?.[1] ?? res.keyRange.end));
}

/** Whether the text of a unit says all there is to it (no syntax errors, no aliases) and the template is linted again later (not `transient`). */
export function cfnReusable(tpl: CfnTemplate): boolean {
  return tpl.errors.length === 0 && !tpl.aliasTargets && !tpl.transient;
}

/**
 * Per resource pair: its unit text (detached from the document) and facts. The
 * incremental parser hands back the same pair object while the resource's text
 * does not change, so a keystroke does not slice and hash every resource again.
 */
const unitTexts = new WeakMap<object, string>();
const unitRecords = new WeakMap<object, Map<string, unknown>>();

/**
 * A fact about one resource computed from its text alone (offsets in it relative
 * to the unit's start), cached across lints by the text; computed afresh when the
 * template's text does not say all (see `cfnReusable`).
 */
export function cfnFacts<T>(tpl: CfnTemplate, res: CfnResource, kind: string, compute: (base: number) => T): T {
  if (!cfnReusable(tpl)) return compute(cfnUnit(res).start);
  let record = unitRecords.get(res.pair);
  if (!record) {
    record = factsOf(cfnUnitText(tpl, res));
    unitRecords.set(res.pair, record);
  }
  return factOf(record, kind, () => compute(cfnUnit(res).start));
}

/** The text of a resource's unit (one string per resource and parse, so that its hash is computed once). */
export function cfnUnitText(tpl: CfnTemplate, res: CfnResource): string {
  let s = unitTexts.get(res.pair);
  if (s === undefined) {
    const u = cfnUnit(res);
    s = detach(tpl.text.slice(u.start, u.end));
    unitTexts.set(res.pair, s);
  }
  return s;
}

/** The resources as units, with their types. */
export function cfnUnits(tpl: CfnTemplate): Unit[] {
  return tpl.resources.map((r) => ({ range: cfnUnit(r), kind: r.type, token: r.pair }));
}

const contextText = new WeakMap<CfnTemplate, string>();

/** The template's text outside its resources (parameters, conditions, mappings, outputs, comments between resources). */
export function cfnContextText(tpl: CfnTemplate): string {
  let s = contextText.get(tpl);
  // An edit inside one resource leaves the context as it was: the same string as
  // for the last template of this path (its id is then found without hashing it).
  const last = lastContext.get(tpl.path);
  if (s === undefined && last && last.tpl !== tpl) {
    const was = contextText.get(last.tpl);
    if (was !== undefined && changedUnit(last, tpl, unitRanges(tpl)) >= 0) {
      s = was;
      contextText.set(tpl, s);
    }
  }
  if (s === undefined) {
    const units = tpl.resources.map(cfnUnit).sort((a, b) => a.start - b.start);
    const parts: string[] = [];
    let pos = 0;
    for (const u of units) {
      if (u.start > pos) parts.push(tpl.text.slice(pos, u.start));
      parts.push('\u0000');
      pos = Math.max(pos, u.end);
    }
    parts.push(tpl.text.slice(pos));
    s = parts.join('');
    contextText.set(tpl, s);
  }
  remember(lastContext, tpl);
  return s;
}

/**
 * Per path, the last template whose context or style was asked for (the next
 * version of the document derives them from it when the edit lies inside one
 * resource).
 */
const lastContext = new Map<string, Remembered>();
const lastCounts = new Map<string, Remembered>();

/**
 * A template and its resources' unit ranges (flat: start, end, ...) as they were
 * when it was linted: the incremental parser moves the nodes it reuses in place,
 * so an earlier template's nodes may already hold the next version's offsets.
 */
interface Remembered {
  tpl: CfnTemplate;
  units: number[];
}

function unitRanges(tpl: CfnTemplate): number[] {
  const out: number[] = new Array(tpl.resources.length * 2);
  for (let k = 0; k < tpl.resources.length; k++) {
    const u = cfnUnit(tpl.resources[k]);
    out[2 * k] = u.start;
    out[2 * k + 1] = u.end;
  }
  return out;
}

function remember(last: Map<string, Remembered>, tpl: CfnTemplate, units?: number[]): void {
  if (last.get(tpl.path)?.tpl === tpl) return;
  if (last.size >= 64) last.clear();
  last.set(tpl.path, { tpl, units: units ?? unitRanges(tpl) });
}

/**
 * When `cur` (its unit ranges `units`), a later version of `old`, differs from
 * it only inside one resource, the index of that resource: both clean, the same
 * number of resources in increasing position, each where `old`'s was (moved by
 * the edit), the changed text inside the one; -1 otherwise.
 */
function changedUnit(old: Remembered, cur: CfnTemplate, units: number[]): number {
  const o = old.units;
  if (!cfnReusable(old.tpl) || !cfnReusable(cur) || o.length !== units.length || old.tpl.isJson !== cur.isJson) return -1;
  const { start, oldEnd, newEnd } = changedSpan(old.tpl.text, cur.text);
  const delta = newEnd - oldEnd;
  const moved = (x: number): number => (x <= start ? x : x >= oldEnd ? x + delta : -1);
  let inside = -1;
  let end = 0;
  for (let k = 0; k < o.length; k += 2) {
    const xs = o[k];
    const xe = o[k + 1];
    const ys = units[k];
    const ye = units[k + 1];
    if (xs < end || moved(xs) !== ys || moved(xe) !== ye) return -1;
    end = xe;
    if (xs <= start && oldEnd <= xe && ys <= start && newEnd <= ye) inside = k >> 1;
  }
  return inside;
}

/** The style fixes follow: indentation step, line breaks, JSON or YAML, how block sequences sit. */
export function cfnStyle(tpl: CfnTemplate): string {
  return JSON.stringify([cfnIndentUnit(tpl), tpl.lines.eol, tpl.isJson, compactSequences(tpl)]);
}

const KEY_LINE = /^(\s*)[^\s#-][^:#]*:\s*(#.*)?$/;
const DASH_LINE = /^(\s*)- /;

/** Key lines followed by a block sequence item: at the key's column (compact) or deeper (indented). */
function countPairs(lines: readonly string[], from: number, to: number, out: { compact: number; indented: number }): void {
  for (let i = from; i + 1 <= to && i + 1 < lines.length; i++) {
    const m = KEY_LINE.exec(lines[i]);
    if (!m) continue;
    const n = DASH_LINE.exec(lines[i + 1]);
    if (!n) continue;
    if (n[1].length === m[1].length) out.compact++;
    else if (n[1].length > m[1].length) out.indented++;
  }
}

/** Key/item line pairs of a template; `byUnits`: those inside resources were counted per resource. */
interface PairCounts {
  compact: number;
  indented: number;
  byUnits: boolean;
}

const countsCache = new WeakMap<CfnTemplate, PairCounts>();

/**
 * Whether the file writes block sequences at the column of their parent key
 * (`Tags:\n- Key: ...`) rather than indented: the majority of its key/item line
 * pairs. Once per parse; the pairs inside each resource are counted once per
 * resource text.
 */
export function compactSequences(tpl: CfnTemplate): boolean {
  const c = cfnPairCounts(tpl);
  return c.compact > c.indented;
}

/** The key/item line pairs `compactSequences` counts: compact and indented. */
export function cfnPairCounts(tpl: CfnTemplate): { compact: number; indented: number } {
  let c = countsCache.get(tpl);
  if (c === undefined) {
    // An edit inside one resource: the last version's counts, with the pairs
    // that involve that resource's lines counted again (old and new).
    const last = lastCounts.get(tpl.path);
    const was = last && last.tpl !== tpl ? countsCache.get(last.tpl) : undefined;
    const units = unitRanges(tpl);
    const u = was?.byUnits ? changedUnit(last!, tpl, units) : -1;
    const a = u >= 0 ? localPairs(last!.tpl, u, last!.units) : null;
    const b = a ? localPairs(tpl, u, units) : null;
    c = a && b
      ? { compact: was!.compact - a.compact + b.compact, indented: was!.indented - a.indented + b.indented, byUnits: true }
      : allPairs(tpl);
    countsCache.set(tpl, c);
    remember(lastCounts, tpl, units);
  }
  return c;
}

/**
 * The pairs that involve the lines of resource `u`: from the last line of the
 * resource before it (or the first line) to the first line of the one after it
 * (or the last line); null when a neighbour overlaps its lines (then
 * `allPairs` counts every pair directly).
 */
function localPairs(tpl: CfnTemplate, u: number, units: number[]): { compact: number; indented: number } | null {
  const li = tpl.lines;
  const n = li.lineCount;
  const count = units.length >> 1;
  const lineOf = (o: number) => li.offsetToPosition(o).line;
  const unit = offsetRange(units[2 * u], units[2 * u + 1]);
  const first = lineOf(unit.start);
  const last = lineOf(unit.end);
  const before = u > 0 ? lineOf(units[2 * u - 1]) : 0;
  const after = u + 1 < count ? lineOf(units[2 * u + 2]) : n - 1;
  // As in `allPairs`, neighbours may share a line with it but not overlap it.
  if ((u > 0 && first < before) || (u + 1 < count && after < last)) return null;
  const counts = { compact: 0, indented: 0 };
  directPairs(tpl, before, first, counts);
  const inner = unitPairs(tpl, tpl.resources[u], unit, first, last);
  counts.compact += inner.compact;
  counts.indented += inner.indented;
  directPairs(tpl, last, after, counts);
  return counts;
}

/** Pairs (i, i + 1) for `from <= i < to`. */
function directPairs(tpl: CfnTemplate, from: number, to: number, counts: { compact: number; indented: number }): void {
  const li = tpl.lines;
  const n = li.lineCount;
  const line = (i: number) => tpl.text.slice(li.lineStarts[i], li.lineEnd(i));
  let next = from < to && from + 1 < n ? line(from) : '';
  for (let i = from; i < to && i + 1 < n; i++) {
    const cur = next;
    next = line(i + 1);
    const m = KEY_LINE.exec(cur);
    if (!m) continue;
    const d = DASH_LINE.exec(next);
    if (!d) continue;
    if (d[1].length === m[1].length) counts.compact++;
    else if (d[1].length > m[1].length) counts.indented++;
  }
}

/** The pairs inside a resource's lines (its first line with the indentation before it), per resource text. */
function unitPairs(tpl: CfnTemplate, res: CfnResource, unit: OffsetRange, first: number, last: number): { compact: number; indented: number } {
  const li = tpl.lines;
  const lead = tpl.text.slice(li.lineStarts[first], unit.start);
  return cfnFacts(tpl, res, `compactSequences:${lead}`, () => {
    const c = { compact: 0, indented: 0 };
    const ls = tpl.text.slice(li.lineStarts[first], li.lineEnd(last)).split(/\r\n|\r|\n/);
    countPairs(ls, 0, ls.length - 1, c);
    return c;
  });
}

function allPairs(tpl: CfnTemplate): PairCounts {
  const li = tpl.lines;
  const line = (i: number) => tpl.text.slice(li.lineStarts[i], li.lineEnd(i));
  const counts = { compact: 0, indented: 0 };
  const n = li.lineCount;
  // Resources span whole lines: their inner pairs are counted from their text.
  let spans = cfnReusable(tpl)
    ? tpl.resources.map((r) => {
      const u = cfnUnit(r);
      return { first: li.offsetToPosition(u.start).line, last: li.offsetToPosition(u.end).line, unit: u, res: r };
    }).sort((a, b) => a.first - b.first)
    : [];
  // Resources sharing lines (a one-line JSON template): count everything directly.
  if (spans.some((s, k) => k > 0 && s.first < spans[k - 1].last)) spans = [];
  const lines: string[] = [];
  const at = (i: number) => (lines[i] ??= line(i));
  let i = 0;
  const direct = (to: number) => {
    // Pairs (i, i + 1) for i < to.
    for (; i < to && i + 1 < n; i++) {
      const m = KEY_LINE.exec(at(i));
      if (!m) continue;
      const d = DASH_LINE.exec(at(i + 1));
      if (!d) continue;
      if (d[1].length === m[1].length) counts.compact++;
      else if (d[1].length > m[1].length) counts.indented++;
    }
  };
  for (const s of spans) {
    direct(s.first);
    // The unit's lines, its first line with the indentation before the unit.
    const inner = unitPairs(tpl, s.res, s.unit, s.first, s.last);
    counts.compact += inner.compact;
    counts.indented += inner.indented;
    i = s.last;
  }
  direct(n - 1);
  return { compact: counts.compact, indented: counts.indented, byUnits: spans.length > 0 };
}

// ---------------------------------------------------------------------------
// Terraform

/** Resource blocks are units; every other block is context. */
export const isTfUnit = (b: TfBlock): boolean => b.type === 'resource' && b.labels.length >= 1;

/** The file's resource blocks as units, with their types. */
export function tfUnits(file: TfFile): Unit[] {
  return file.blocks.filter(isTfUnit).map((b) => ({ range: b.range, kind: b.labels[0].value }));
}

/** Whether the module parsed cleanly (error recovery may read a block differently depending on what is around it) and is linted again later (not `transient`). */
export function tfReusable(module: TfModule): boolean {
  return !module.transient && module.files.every((f) => f.errors.length === 0);
}

/** Per file: its context text, and the sibling files (parses) it was built from. */
const tfContext = new WeakMap<TfFile, { siblings: TfFile[]; text: string }>();

/**
 * The module as a check of one resource block of `file` reads it besides the
 * block: the other files whole, this file outside its resource blocks
 * (variables, locals, data sources, providers, comments). Cached per file, and
 * rebuilt when a sibling file changed (a changed file is a new parse object),
 * since the same parse of this file is reused while its siblings are edited.
 */
export function tfContextText(module: TfModule, file: TfFile): string {
  const siblings = module.files.filter((f) => f !== file && f.path !== file.path);
  const cached = tfContext.get(file);
  if (cached && sameFiles(cached.siblings, siblings)) return cached.text;
  // An edit inside one resource block leaves the context as it was: the last
  // context text of this path is kept (the same string, whose id is found
  // without hashing it again) instead of being built anew.
  const last = lastTfContext.get(file.path);
  if (last && sameFiles(last.siblings, siblings) && sameTfContext(last.file, file)) {
    tfContext.set(file, { siblings, text: last.text });
    lastTfContext.set(file.path, { file, siblings, text: last.text });
    return last.text;
  }
  const text = buildTfContextText(siblings, file);
  tfContext.set(file, { siblings, text });
  if (lastTfContext.size >= 64) lastTfContext.clear();
  lastTfContext.set(file.path, { file, siblings, text });
  return text;
}

/** Per path: the file the context text was last made for. */
const lastTfContext = new Map<string, { file: TfFile; siblings: TfFile[]; text: string }>();

function sameFiles(a: readonly TfFile[], b: readonly TfFile[]): boolean {
  return a.length === b.length && a.every((f, i) => f === b[i]);
}

/**
 * Whether `cur`, a later version of `old`, has the same text outside its
 * resource blocks and as many of them: the text changed inside one resource
 * block only, and every resource block is where `old`'s is, moved by the edit.
 */
function sameTfContext(old: TfFile, cur: TfFile): boolean {
  if (old === cur) return true;
  const { start, oldEnd, newEnd } = changedSpan(old.text, cur.text);
  const delta = newEnd - oldEnd;
  const moved = (o: number): number => (o <= start ? o : o >= oldEnd ? o + delta : -1);
  let inside = false;
  let i = 0;
  let j = 0;
  const a = old.blocks;
  const b = cur.blocks;
  for (;;) {
    while (i < a.length && !isTfUnit(a[i])) i++;
    while (j < b.length && !isTfUnit(b[j])) j++;
    if (i >= a.length || j >= b.length) return i >= a.length && j >= b.length && inside;
    const x = a[i++].range;
    const y = b[j++].range;
    if (moved(x.start) !== y.start || moved(x.end) !== y.end) return false;
    if (x.start <= start && oldEnd <= x.end && y.start <= start && newEnd <= y.end) inside = true;
  }
}

function buildTfContextText(siblings: readonly TfFile[], file: TfFile): string {
  const parts: string[] = [];
  for (const f of siblings) parts.push(f.path, '\u0000', f.text, '\u0001');
  let pos = 0;
  for (const b of file.blocks) {
    if (!isTfUnit(b)) continue;
    if (b.range.start > pos) parts.push(file.text.slice(pos, b.range.start));
    parts.push('\u0000');
    pos = Math.max(pos, b.range.end);
  }
  parts.push(file.text.slice(pos));
  return parts.join('');
}

/** The style fixes follow in a Terraform file. */
export function tfStyle(file: TfFile): string {
  return JSON.stringify([tfIndentUnit(file), file.lines.eol]);
}

/** Ids of context texts (equal texts, equal ids), for keying facts; bounded. */
const tfContextIds = new Map<string, number>();
let tfNextContextId = 1;
const tfContextIdOf = new WeakMap<TfFile, { text: string; id: number }>();

/** A small id of `tfContextText(module, file)`. */
export function tfContextId(module: TfModule, file: TfFile): number {
  const text = tfContextText(module, file);
  const last = tfContextIdOf.get(file);
  if (last && last.text === text) return last.id;
  let id = tfContextIds.get(text);
  if (id === undefined) {
    if (tfContextIds.size >= 64) tfContextIds.clear();
    id = tfNextContextId++;
    tfContextIds.set(text, id);
  }
  tfContextIdOf.set(file, { text, id });
  return id;
}

/**
 * A fact about one top-level block of `file` that reads the block's text and the
 * module outside this file's resource blocks (`tfContextText`): cached by both
 * across lints (one entry per block text and kind, replaced when the context
 * changes). `compute` must return offsets relative to the block's start and no
 * parse nodes. Computed afresh while the module has syntax errors.
 */
export function tfFacts<T>(module: TfModule, file: TfFile, block: TfBlock, kind: string, compute: () => T): T {
  if (!tfReusable(module)) return compute();
  const id = tfContextId(module, file);
  const record = blockRecord(file, block, factsOf);
  const hit = record.get(kind) as { id: number; value: T } | undefined;
  if (hit && hit.id === id) return hit.value;
  const value = compute();
  record.set(kind, { id, value });
  return value;
}

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

// ---------------------------------------------------------------------------
// CloudFormation

/** A resource as a unit: from its logical id to the end of its body. */
export function cfnUnit(res: CfnResource): OffsetRange {
  const v = res.pair.value as Node | null;
  return { start: res.keyRange.start, end: Math.max(res.keyRange.end, v?.range?.[1] ?? res.keyRange.end) };
}

/** Whether the text of a unit says all there is to it: no syntax errors, no aliases. */
export function cfnReusable(tpl: CfnTemplate): boolean {
  return tpl.errors.length === 0 && !tpl.aliasTargets;
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
  return s;
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

const compactCache = new WeakMap<CfnTemplate, boolean>();

/**
 * Whether the file writes block sequences at the column of their parent key
 * (`Tags:\n- Key: ...`) rather than indented: the majority of its key/item line
 * pairs. Once per parse; the pairs inside each resource are counted once per
 * resource text.
 */
export function compactSequences(tpl: CfnTemplate): boolean {
  let v = compactCache.get(tpl);
  if (v !== undefined) return v;
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
    const lead = tpl.text.slice(li.lineStarts[s.first], s.unit.start);
    const inner = cfnFacts(tpl, s.res, `compactSequences:${lead}`, () => {
      const c = { compact: 0, indented: 0 };
      const ls = tpl.text.slice(li.lineStarts[s.first], li.lineEnd(s.last)).split(/\r\n|\r|\n/);
      countPairs(ls, 0, ls.length - 1, c);
      return c;
    });
    counts.compact += inner.compact;
    counts.indented += inner.indented;
    i = s.last;
  }
  direct(n - 1);
  v = counts.compact > counts.indented;
  compactCache.set(tpl, v);
  return v;
}

// ---------------------------------------------------------------------------
// Terraform

/** Resource blocks are units; every other block is context. */
export const isTfUnit = (b: TfBlock): boolean => b.type === 'resource' && b.labels.length >= 1;

/** The file's resource blocks as units, with their types. */
export function tfUnits(file: TfFile): Unit[] {
  return file.blocks.filter(isTfUnit).map((b) => ({ range: b.range, kind: b.labels[0].value }));
}

/** Whether the module parsed cleanly (error recovery may read a block differently depending on what is around it). */
export function tfReusable(module: TfModule): boolean {
  return module.files.every((f) => f.errors.length === 0);
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

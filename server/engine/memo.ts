/**
 * Reusing rule work between lints of the same document, so that a keystroke
 * costs what it changes and not the whole file (see `BaseContext.memo`).
 *
 * A document is cut into units by the rules themselves (a CloudFormation
 * resource, a Terraform block, a Dockerfile stage): `memo(range, deps, check)`
 * names the unit by its text (interned into a small id) and the rest of what
 * `check` reads by `deps`. When the same rule met the same unit text and deps at
 * the previous lint of the document, the findings it reported then are replayed,
 * moved to where the unit is now; otherwise `check` runs and what it reports is
 * recorded, relative to the unit. Findings or fix edits outside the unit, or on
 * other files, are not recorded: such a unit is checked every time.
 *
 * Entries the last lints of a document did not use are dropped once they
 * outnumber those in use, so memory stays proportional to the document.
 */
import { changedSpan } from './textDiff';
import type { Finding, Fix, OffsetRange, TextEdit } from './types';
import { offsetRange, textEdit } from './offsetRange';

/** A unit of a document for rule replay: a resource, and its type. */
export interface Unit {
  range: OffsetRange;
  /** The resource type (`AWS::EC2::Instance`, `aws_instance`). */
  kind: string;
  /**
   * An object that stands for the unit's text across lints (the same object, the
   * same text: a parse node the incremental parser reused), so that the text
   * need not be looked up again.
   */
  token?: object;
}

/** Whether `kind` is one of `reads` (an entry ending in `*` is a prefix: `AWS::IAM::*`, `aws_iam_*`). */
export function readsKind(reads: readonly string[], kind: string): boolean {
  return reads.some((r) => (r.endsWith('*') ? kind.startsWith(r.slice(0, -1)) : r === kind));
}

/** What the last lint of a document left for the next one. */
interface LastLint {
  text: string;
  context: string;
  /** The units' text ids in document order, and their kinds (equal texts, equal kinds). */
  units: number[];
  kinds: string[];
  /** The findings of each rule that declares what it reads. */
  byRule: Map<string, Finding[]>;
}

interface RelFix {
  title: string;
  kind: Fix['kind'];
  edits: TextEdit[];
}

interface RelFinding {
  ruleId: string;
  severity: Finding['severity'];
  message: string;
  start: number;
  end: number;
  resource: string | null;
  fixes: RelFix[];
}

interface Entry {
  deps: string;
  /** Findings relative to the unit's start. */
  findings: RelFinding[];
  /** The lint that last used the entry (LintMap). */
  used: number;
  /** The findings last replayed, placed at `base` of `path` (findings are never changed once made: reused while the unit does not move). */
  placed?: { base: number; path: string; findings: Finding[] };
}

/**
 * A copy of `s` that does not keep the string it was cut from alive: a
 * substring of a document holds on to the whole document otherwise, and keys
 * outlive the lint that made them.
 */
export function detach(s: string): string {
  return (s + ' ').slice(0, -1);
}

/**
 * A map whose values note the lint that last used them. Entries the last lints
 * did not use are swept once they outnumber those in use (so memory stays
 * proportional to the document) instead of moving every used entry into a new
 * map at each lint: a keystroke touches thousands of entries (rules × units) and
 * the maps rebuilt per lint were most of the young-generation garbage. Keys are
 * contents (texts, text ids and deps), so an entry kept a little longer is
 * still exact.
 */
class LintMap<K, V extends { used: number }> {
  private readonly map = new Map<K, V>();
  private lint = 1;
  /** How many entries the current lint used. */
  private live = 0;

  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined && v.used !== this.lint) {
      v.used = this.lint;
      this.live++;
    }
    return v;
  }

  set(k: K, v: V): void {
    const old = this.map.get(k);
    if (old !== undefined && old !== v && old.used === this.lint) this.live--;
    if (v.used !== this.lint) {
      v.used = this.lint;
      this.live++;
    }
    this.map.set(k, v);
  }

  /** Ends a lint: drops what recent lints did not use when it outnumbers what the last one did. */
  turn(): void {
    if (this.map.size > 2 * this.live + 64) {
      const lint = this.lint;
      for (const [k, v] of this.map) if (v.used !== lint) this.map.delete(k);
    }
    this.lint++;
    this.live = 0;
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * The kinds of the units that differ between two lints, the units compared as
 * sequences of text ids: what lies between their common start and common end.
 * Not as sets: a document can hold the same text twice (a duplicated block), and
 * an edit that turns one copy of a text into another text already there keeps
 * the set of texts while the document changed.
 */
export function changedUnitKinds(oldIds: readonly number[], oldKinds: readonly string[], newIds: readonly number[], newKinds: readonly string[]): Set<string> {
  let head = 0;
  const most = Math.min(oldIds.length, newIds.length);
  while (head < most && oldIds[head] === newIds[head]) head++;
  let tail = 0;
  while (tail < most - head && oldIds[oldIds.length - 1 - tail] === newIds[newIds.length - 1 - tail]) tail++;
  const changed = new Set<string>();
  for (let i = head; i < oldIds.length - tail; i++) changed.add(oldKinds[i]);
  for (let i = head; i < newIds.length - tail; i++) changed.add(newKinds[i]);
  return changed;
}

/** The memo of one document (one path). */
export class DocMemo {
  /** Interned texts: the key is kept (detached) in the value, so that moving an entry keeps it. */
  private readonly ids = new LintMap<string, { key: string; id: number; used: number }>();
  private nextId = 1;
  /** Per lint: unit start → [end, id], so that rules asking for the same unit share one lookup. */
  private byRange = new Map<number, [number, number]>();
  /** The last lint's text and `byRange` (see `begin`). */
  private prevByRange: { text: string; byRange: Map<number, [number, number]> } | null = null;
  private readonly entries = new Map<string, LintMap<number, Entry>>();
  private text = '';
  private path = '';
  /** Unit tokens (see `Unit.token`) → the id of their text. */
  private readonly tokenIds = new WeakMap<object, number>();

  private last: LastLint | null = null;
  private next: LastLint | null = null;
  /** Kinds of the units that changed since the last lint; null: nothing can be replayed. */
  private changedKinds: Set<string> | null = null;
  private span: { start: number; oldEnd: number; newEnd: number } | null = null;

  /** Starts a lint of `text`. */
  begin(path: string, text: string): void {
    // The units of the last lint that lie wholly before or after the change keep
    // their text ids: found by position instead of hashing their text again.
    this.prevByRange = this.byRange.size && this.text !== text ? { text: this.text, byRange: this.byRange } : null;
    this.path = path;
    this.text = text;
    this.byRange = new Map();
    this.next = null;
    this.changedKinds = null;
    this.span = null;
  }

  /**
   * The document's units and a key of everything else rules may read (its text
   * outside the units, the style fixes follow; null when units do not say all,
   * as while the document has syntax errors). Prepares replaying the findings of
   * rules whose `reads` no changed unit is of.
   */
  setUnits(units: readonly Unit[], context: string | null): void {
    if (context === null) return;
    const ids: number[] = [];
    const kinds: string[] = [];
    for (const u of units) {
      let id = u.token ? this.tokenIds.get(u.token) : undefined;
      if (id === undefined) {
        id = this.unitId(u.range);
        if (u.token) this.tokenIds.set(u.token, id);
      } else {
        this.byRange.set(u.range.start, [u.range.end, id]);
      }
      ids.push(id);
      kinds.push(u.kind);
    }
    this.next = { text: this.text, context, units: ids, kinds, byRule: new Map() };
    const last = this.last;
    if (!last || last.context !== context) return;
    this.changedKinds = changedUnitKinds(last.units, last.kinds, ids, kinds);
  }

  /**
   * The findings `ruleId` gave at the last lint, moved to the current text, when
   * no unit of a kind it `reads` changed (and none lies in the changed text).
   */
  replayRule(ruleId: string, reads: readonly string[] | '*'): Finding[] | undefined {
    const changed = this.changedKinds;
    const last = this.last;
    if (!changed || !last) return undefined;
    if (reads === '*' ? changed.size > 0 : [...changed].some((k) => readsKind(reads, k))) return undefined;
    const prev = last.byRule.get(ruleId);
    if (!prev) return undefined;
    const span = (this.span ??= changedSpan(last.text, this.text));
    const { start, oldEnd } = span;
    const delta = span.newEnd - oldEnd;
    const path = this.path;
    // Ranges before the change stay, after it move; one that touches it (or an
    // empty one right where it starts) cannot be placed: the rule runs.
    const before = (a: number, b: number): boolean => b <= start && !(a === b && a === start);
    const after = (a: number, b: number): boolean => a >= oldEnd && !(a === b && a === start);
    const editsBefore = (f: Finding): boolean => {
      for (const x of f.fixes) {
        for (const ch of x.changes) {
          if (ch.path !== path) continue;
          for (const ed of ch.edits) if (!before(ed.start, ed.end)) return false;
        }
      }
      return true;
    };
    const out: Finding[] = new Array(prev.length);
    for (let i = 0; i < prev.length; i++) {
      const f = prev[i];
      const a = f.range.start;
      const b = f.range.end;
      // Before the change, with its fixes: the finding as it was (findings are never changed once made).
      if (before(a, b) && editsBefore(f)) {
        out[i] = f;
        continue;
      }
      if (!before(a, b) && !after(a, b)) return undefined;
      const shift = before(a, b) ? 0 : delta;
      let fixes = f.fixes;
      if (fixes.length) {
        fixes = [];
        for (const x of f.fixes) {
          const changes = [];
          for (const ch of x.changes) {
            if (ch.path !== path) {
              changes.push(ch);
              continue;
            }
            const edits: TextEdit[] = [];
            for (const ed of ch.edits) {
              if (before(ed.start, ed.end)) edits.push(ed);
              else if (after(ed.start, ed.end)) edits.push(textEdit(ed.start + delta, ed.end + delta, ed.newText));
              else return undefined;
            }
            changes.push({ path: ch.path, edits });
          }
          fixes.push({ title: x.title, kind: x.kind, changes });
        }
      }
      out[i] = { ...f, range: offsetRange(a + shift, b + shift), fixes };
    }
    return out;
  }

  /** Keeps the findings of a rule that declares what it reads, for the next lint. */
  keepRule(ruleId: string, findings: Finding[]): void {
    this.next?.byRule.set(ruleId, findings);
  }

  /** Ends the lint: drops what it did not use. */
  end(): void {
    this.ids.turn();
    for (const g of this.entries.values()) g.turn();
    this.last = this.next;
    this.next = null;
  }

  /** The id of a text (equal texts, equal ids, across lints of this document). */
  textId(text: string): number {
    let e = this.ids.get(text);
    if (e === undefined) {
      e = { key: detach(text), id: this.nextId++, used: 0 };
      this.ids.set(e.key, e);
    }
    return e.id;
  }

  /** The id of the text in `range` of the current document. */
  unitId(range: OffsetRange): number {
    const hit = this.byRange.get(range.start);
    if (hit && hit[0] === range.end) return hit[1];
    const prev = this.prevByRange;
    if (prev) {
      // Ids are never reused for another text: an id found this way still names this text.
      const span = changedSpan(prev.text, this.text);
      const delta = span.newEnd - span.oldEnd;
      const before = range.end <= span.start && range.start < range.end;
      const after = range.start >= span.newEnd && range.start < range.end;
      if (before || after) {
        const was = prev.byRange.get(before ? range.start : range.start - delta);
        if (was && was[0] === (before ? range.end : range.end - delta)) {
          this.byRange.set(range.start, [range.end, was[1]]);
          return was[1];
        }
      }
    }
    const id = this.textId(this.text.slice(range.start, range.end));
    this.byRange.set(range.start, [range.end, id]);
    return id;
  }

  /**
   * The findings recorded for `ruleId` on the unit, moved to `range`, when its
   * text and `deps` are those of the recording; undefined otherwise.
   */
  replay(ruleId: string, range: OffsetRange, deps: string): Finding[] | undefined {
    const e = this.entries.get(ruleId)?.get(this.unitId(range));
    if (!e || e.deps !== deps) return undefined;
    const base = range.start;
    const path = this.path;
    if (e.placed && e.placed.base === base && e.placed.path === path) return e.placed.findings;
    const findings = e.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      path,
      range: offsetRange(base + f.start, base + f.end),
      resource: f.resource,
      // Fix lists are never changed once made: an empty one is shared, not copied.
      fixes: f.fixes.length === 0 ? (f.fixes as unknown as Fix[]) : f.fixes.map((x) => ({
        title: x.title,
        kind: x.kind,
        changes: [{ path, edits: x.edits.map((ed) => textEdit(base + ed.start, base + ed.end, ed.newText)) }],
      })),
    }));
    e.placed = { base, path, findings };
    return findings;
  }

  /** Records what `ruleId` reported for the unit, unless something lies outside it. */
  record(ruleId: string, range: OffsetRange, deps: string, findings: readonly Finding[]): void {
    const inside = (s: number, e: number) => s >= range.start && e <= range.end && s <= e;
    const rel: RelFinding[] = [];
    for (const f of findings) {
      if (f.path !== this.path || !inside(f.range.start, f.range.end)) return;
      const fixes: RelFix[] = [];
      for (const x of f.fixes) {
        if (x.changes.length !== 1 || x.changes[0].path !== this.path) return;
        const edits: TextEdit[] = [];
        for (const ed of x.changes[0].edits) {
          if (!inside(ed.start, ed.end)) return;
          edits.push(textEdit(ed.start - range.start, ed.end - range.start, ed.newText));
        }
        fixes.push({ title: x.title, kind: x.kind, edits });
      }
      rel.push({
        ruleId: f.ruleId, severity: f.severity, message: f.message,
        start: f.range.start - range.start, end: f.range.end - range.start, resource: f.resource, fixes,
      });
    }
    let g = this.entries.get(ruleId);
    if (!g) this.entries.set(ruleId, (g = new LintMap()));
    g.set(this.unitId(range), { deps, findings: rel, used: 0 });
  }
}

/**
 * Facts derived from the text of a unit alone (the references a resource makes,
 * ...), kept across lints and documents: `compute` must depend on nothing but
 * `text` (and `kind` names what it computes). Values must not hold offsets into a
 * document (make them relative to the unit) nor parse nodes. Bounded: the cache
 * of a kind is emptied when it grows past `MAX_FACTS`.
 */
export const MAX_FACTS = 50000;
const records = new Map<string, Map<string, unknown>>();

/** The facts known about a unit text, by kind (one lookup by the long text, then by kind). */
export function factsOf(text: string): Map<string, unknown> {
  let r = records.get(text);
  if (!r) {
    if (records.size >= MAX_FACTS) records.clear();
    r = new Map();
    records.set(detach(text), r);
  }
  return r;
}

/** `kind` of the facts `record` holds, computed when missing. */
export function factOf<T>(record: Map<string, unknown>, kind: string, compute: () => T): T {
  if (record.has(kind)) return record.get(kind) as T;
  const v = compute();
  record.set(kind, v);
  return v;
}

export function unitFacts<T>(kind: string, text: string, compute: () => T): T {
  return factOf(factsOf(text), kind, compute);
}

/** Forgets every fact (benchmarks measure work from scratch). */
export function clearFacts(): void {
  records.clear();
}

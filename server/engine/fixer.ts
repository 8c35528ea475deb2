/**
 * Applying fixes: non-overlapping edits per file, several fixes per pass, re-lint
 * between passes, a bounded number of passes. Only exact fixes are applied.
 */
import * as nodePath from 'node:path';
import type { Engine } from './linter';
import type { Fix, SourceFile, TextEdit, WorkspaceView } from './types';

/** Applies non-overlapping edits to `text`. Throws on overlap: callers choose edits first. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) throw new Error(`overlapping edits at offset ${e.start}`);
    out += text.slice(pos, e.start) + e.newText;
    pos = e.end;
  }
  return out + text.slice(pos);
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  // Two insertions at the same point also conflict: their order would be arbitrary.
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  return a.start < b.end && b.start < a.end || (a.start === a.end && a.start > b.start && a.start < b.end) || (b.start === b.end && b.start > a.start && b.start < a.end);
}

export interface FixResult {
  /** Final text of every file that changed. */
  changed: Map<string, string>;
  passes: number;
  applied: number;
}

/**
 * Fixes `files` (and whatever Terraform siblings a rename reaches) until no exact
 * fix is left or `maxPasses` is reached. Nothing is written: the caller gets texts.
 */
export function fixFiles(engine: Engine, files: readonly SourceFile[], workspace: WorkspaceView, maxPasses = 10, ruleFilter?: (ruleId: string) => boolean): FixResult {
  const texts = new Map<string, string>(files.map((f) => [f.path, f.text]));
  const original = new Map(texts);
  const overlay: WorkspaceView = {
    terraformFilesIn(dir: string): SourceFile[] {
      const out = new Map<string, SourceFile>();
      for (const f of workspace.terraformFilesIn(dir)) out.set(f.path, { path: f.path, text: texts.get(f.path) ?? f.text });
      for (const [p, t] of texts) if (nodePath.dirname(p) === dir && /\.tf$/i.test(p)) out.set(p, { path: p, text: t });
      return [...out.values()];
    },
  };
  const readOther = (path: string): string | undefined => {
    if (texts.has(path)) return texts.get(path);
    const sib = workspace.terraformFilesIn(nodePath.dirname(path)).find((f) => f.path === path);
    if (sib) {
      texts.set(path, sib.text);
      original.set(path, sib.text);
    }
    return sib?.text;
  };
  let passes = 0;
  let applied = 0;
  for (; passes < maxPasses; passes++) {
    const accepted = new Map<string, TextEdit[]>();
    let count = 0;
    for (const f of files) {
      const res = engine.lint({ path: f.path, text: texts.get(f.path)! }, overlay);
      if (!res) continue;
      for (const finding of res.findings) {
        if (ruleFilter && !ruleFilter(finding.ruleId)) continue;
        const fix = finding.fixes.find((x) => x.kind === 'exact');
        if (fix && tryAccept(fix, accepted, readOther)) count++;
      }
    }
    if (count === 0) break;
    for (const [path, edits] of accepted) texts.set(path, applyEdits(texts.get(path)!, edits));
    applied += count;
  }
  const changed = new Map<string, string>();
  for (const [p, t] of texts) if (original.get(p) !== t) changed.set(p, t);
  return { changed, passes, applied };
}

function tryAccept(fix: Fix, accepted: Map<string, TextEdit[]>, readOther: (p: string) => string | undefined): boolean {
  for (const ch of fix.changes) {
    if (readOther(ch.path) === undefined) return false;
    const prior = accepted.get(ch.path) ?? [];
    for (const e of ch.edits) {
      if (prior.some((p) => overlaps(p, e))) return false;
      if (ch.edits.some((o) => o !== e && overlaps(o, e))) return false;
    }
  }
  for (const ch of fix.changes) {
    const list = accepted.get(ch.path) ?? [];
    list.push(...ch.edits);
    accepted.set(ch.path, list);
  }
  return true;
}

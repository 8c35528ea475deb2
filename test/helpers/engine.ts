import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { defaultConfig } from '../../server/engine/config';
import { Engine } from '../../server/engine/linter';
import type { Rule } from '../../server/engine/rule';
import type { SourceFile, WorkspaceView } from '../../server/engine/types';
import { rules } from '../../rules';

export const ROOT = nodePath.resolve(__dirname, '..', '..', '..');

/** An engine running only the given rules (all when omitted). */
export function engineFor(only?: readonly Rule[]): Promise<Engine> {
  return Engine.create(defaultConfig(), only ?? rules);
}

/**
 * A workspace made of the given files only. With `bases` (path → text at the git
 * base), files in it have that base and the others are new since the base.
 */
export function memoryWorkspace(files: readonly SourceFile[], bases?: ReadonlyMap<string, string>): WorkspaceView {
  const ws: WorkspaceView = {
    terraformFilesIn: (dir) => files.filter((f) => /\.tf$/i.test(f.path) && nodePath.dirname(f.path) === dir),
  };
  if (bases) {
    ws.baseText = (path) => {
      const text = bases.get(path);
      return text === undefined ? { kind: 'absent', label: 'HEAD' } : { kind: 'text', text, label: 'HEAD' };
    };
  }
  return ws;
}

export function read(path: string): string {
  return fs.readFileSync(path, 'utf8');
}

/** Applies LSP-style edits (line/character ranges) to a text, as an editor would. */
export function applyLspEdits(text: string, edits: readonly { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  // Imported lazily to keep this helper free of engine internals at load time.
  const { LineIndex } = require('../../server/engine/positions') as typeof import('../../server/engine/positions');
  const { applyEdits } = require('../../server/engine/fixer') as typeof import('../../server/engine/fixer');
  const li = new LineIndex(text);
  return applyEdits(text, edits.map((e) => ({ start: li.positionToOffset(e.range.start), end: li.positionToOffset(e.range.end), newText: e.newText })));
}

/** Every file below `dir` whose name matches `pattern`, in a stable order. */
export function filesUnder(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = nodePath.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p, pattern));
    else if (pattern.test(e.name)) out.push(p);
  }
  return out;
}

/** The Dockerfiles among the rule fixtures (not their `.findings`/`.fixed` snapshots). */
export function dockerfileFixtures(): string[] {
  return filesUnder(nodePath.join(ROOT, 'test', 'fixtures'), /(Dockerfile[^/]*|\.dockerfile)$/).filter((f) => !/\.(findings|fixed)$/.test(f));
}

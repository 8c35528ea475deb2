/**
 * A disk-backed WorkspaceView for the CLI and for files the editor has not opened.
 * Reads only `.tf` files of one folder, never executes anything.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { SourceFile, WorkspaceView } from './types';

/** Files larger than this are not read as module siblings (generated or binary files). */
export const MAX_SIBLING_BYTES = 4 * 1024 * 1024;

export class DiskWorkspace implements WorkspaceView {
  private readonly cache = new Map<string, { mtimeMs: number; size: number; text: string }>();

  constructor(private readonly overlay?: (path: string) => string | undefined) {}

  terraformFilesIn(dir: string): SourceFile[] {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return [];
    }
    const out: SourceFile[] = [];
    for (const name of names) {
      if (!/\.tf$/i.test(name)) continue;
      const path = nodePath.join(dir, name);
      const open = this.overlay?.(path);
      if (open !== undefined) {
        out.push({ path, text: open });
        continue;
      }
      const text = this.read(path);
      if (text !== undefined) out.push({ path, text });
    }
    return out;
  }

  private read(path: string): string | undefined {
    try {
      const st = fs.statSync(path);
      if (!st.isFile() || st.size > MAX_SIBLING_BYTES) return undefined;
      const hit = this.cache.get(path);
      if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.text;
      const text = fs.readFileSync(path, 'utf8');
      this.cache.set(path, { mtimeMs: st.mtimeMs, size: st.size, text });
      return text;
    } catch {
      return undefined;
    }
  }
}

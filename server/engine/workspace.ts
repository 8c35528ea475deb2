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
  /** Folder listings, when the disk is taken as a snapshot (`snapshot`). */
  private readonly listings: Map<string, string[] | null> | null;

  /**
   * `overlay`: texts that win over the disk (open editors, files the CLI already
   * read). `snapshot`: the disk does not change while this view is used (one CLI
   * run), so each folder is listed once.
   */
  constructor(private readonly overlay?: (path: string) => string | undefined, options: { snapshot?: boolean } = {}) {
    this.listings = options.snapshot ? new Map() : null;
  }

  /**
   * The disk as one CLI run sees it: a snapshot where `files` (already read; their
   * current `text`, which --fix may change) win over what is on disk.
   */
  static snapshotOver(files: readonly SourceFile[]): DiskWorkspace {
    const byPath = new Map(files.map((f) => [nodePath.resolve(f.path), f]));
    return new DiskWorkspace((p) => byPath.get(nodePath.resolve(p))?.text, { snapshot: true });
  }

  terraformFilesIn(dir: string): SourceFile[] {
    const names = this.list(dir);
    if (!names) return [];
    const out: SourceFile[] = [];
    for (const name of names) {
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

  private list(dir: string): string[] | null {
    const known = this.listings?.get(dir);
    if (known !== undefined) return known;
    let names: string[] | null;
    try {
      names = fs.readdirSync(dir).filter((n) => /\.tf$/i.test(n));
    } catch {
      names = null;
    }
    this.listings?.set(dir, names);
    return names;
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

/**
 * Finding the files to lint below a folder, for the CLI and the editor's
 * workspace scan alike: CloudFormation candidates (`.yaml`, `.yml`, `.json`,
 * `.template`, `.cfn`; their content is sniffed when they are read), Terraform
 * (`.tf`) and Dockerfiles, honouring `.gitignore` files (with the `ignore`
 * package, the same matcher ESLint and Prettier use), extra globs such as VS
 * Code's `files.exclude` (picomatch), the configuration file's `ignore` list and
 * a size limit. Synchronous and incremental: a generator the caller can pause
 * between files.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { isCloudFormationCandidatePath, looksLikeCloudFormation } from './cloudformation/parser';
import { isDockerfilePath } from './dockerfile/parser';
import type { Format } from './types';

/** Folders never walked: VCS data, dependencies, tool caches. */
export const SKIP_DIRS: ReadonlySet<string> = new Set([
  '.git', '.hg', '.svn', 'node_modules', '.terraform', '.terragrunt-cache', '.venv', 'venv', '__pycache__', '.aws-sam', 'cdk.out', '.serverless',
]);

/** JSON/YAML files that are never templates: not worth reading. */
const NOT_TEMPLATES = /^(package(-lock)?\.json|npm-shrinkwrap\.json|[jt]sconfig(\..*)?\.json|composer\.json|pnpm-lock\.ya?ml|\.eslintrc\.json|\.prettierrc(\.json)?|renovate\.json|\.iac-lint\.ya?ml|\.pre-commit-config\.ya?ml)$/i;

/** The format a file name could hold, before looking at its content. */
export function formatOfName(path: string): Format | null {
  if (/\.tf$/i.test(path)) return 'terraform';
  if (isDockerfilePath(path)) return 'dockerfile';
  if (isCloudFormationCandidatePath(path) && !NOT_TEMPLATES.test(nodePath.basename(path))) return 'cloudformation';
  return null;
}

/** Cheap content test for YAML/JSON: does it look like a template at all? Others always pass. */
export function sniff(format: Format, text: string): boolean {
  return format !== 'cloudformation' || looksLikeCloudFormation(text);
}

/** gitignore-style patterns relative to `base` (a `.iac-lint.yaml`'s `ignore:` list). */
export interface IgnoreList {
  base: string;
  patterns: readonly string[];
}

export interface DiscoveryOptions {
  /** Honour `.gitignore` files (and `.git/info/exclude`) from the repository root down. Default true. */
  gitignore?: boolean;
  /** Globs relative to the root to leave out (VS Code `files.exclude` keys whose value is true). */
  exclude?: readonly string[];
  /** gitignore-style pattern lists, each relative to its own base folder. */
  ignore?: readonly IgnoreList[];
  /** Candidates larger than this are reported as `too-large` and not returned as files. */
  maxFileBytes?: number;
  /** Folder names never entered. Default SKIP_DIRS. */
  skipDirs?: ReadonlySet<string>;
}

export type DiscoveryEvent =
  | { kind: 'file'; path: string; format: Format; size: number }
  | { kind: 'too-large'; path: string; size: number }
  | { kind: 'unreadable'; path: string; error: string };

const posix = (p: string): string => p.split(nodePath.sep).join('/');

/**
 * Decides whether a path below `root` is left out. Shared by the walk and by the
 * editor for single paths (watched-file events), so both agree.
 */
export class PathFilter {
  private readonly gitRoot: string;
  private readonly gitignores = new Map<string, Ignore | null>();
  private readonly excludeMatch: ((p: string) => boolean) | null;
  private readonly lists: { base: string; ig: Ignore }[];
  private readonly skipDirs: ReadonlySet<string>;

  constructor(readonly root: string, private readonly opts: DiscoveryOptions = {}) {
    this.root = nodePath.resolve(root);
    this.skipDirs = opts.skipDirs ?? SKIP_DIRS;
    this.gitRoot = opts.gitignore === false ? this.root : findGitRoot(this.root) ?? this.root;
    const globs = (opts.exclude ?? []).filter((g) => g.trim() !== '');
    this.excludeMatch = globs.length ? picomatch(globs.map((g) => g.replace(/\/+$/, '')), { dot: true }) : null;
    this.lists = (opts.ignore ?? []).filter((l) => l.patterns.length).map((l) => ({ base: nodePath.resolve(l.base), ig: ignore().add([...l.patterns]) }));
  }

  /** The `.gitignore` rules of one folder (and `.git/info/exclude` at the repository root). */
  private gitignoreOf(dir: string): Ignore | null {
    if (this.opts.gitignore === false) return null;
    let ig = this.gitignores.get(dir);
    if (ig !== undefined) return ig;
    ig = null;
    const texts: string[] = [];
    for (const f of [nodePath.join(dir, '.gitignore'), ...(dir === this.gitRoot ? [nodePath.join(dir, '.git', 'info', 'exclude')] : [])]) {
      try {
        texts.push(fs.readFileSync(f, 'utf8'));
      } catch {
        // none there
      }
    }
    if (texts.length) ig = ignore().add(texts.join('\n'));
    if (this.gitignores.size > 10000) this.gitignores.clear();
    this.gitignores.set(dir, ig);
    return ig;
  }

  /** Forget cached `.gitignore` rules (one changed on disk). */
  reset(): void {
    this.gitignores.clear();
  }

  /**
   * Whether `path` (absolute, below the root) is left out, judging only `path`
   * itself; the walk checks folders on the way down. `isDir` matters for
   * patterns ending in `/`.
   */
  private ignoredItself(path: string, isDir: boolean): boolean {
    const name = nodePath.basename(path);
    if (isDir && this.skipDirs.has(name)) return true;
    const rel = posix(nodePath.relative(this.root, path));
    if (rel === '' || rel.startsWith('..')) return false;
    if (this.excludeMatch?.(rel)) return true;
    for (const l of this.lists) {
      const r = posix(nodePath.relative(l.base, path));
      if (r && !r.startsWith('..') && !nodePath.isAbsolute(r) && l.ig.ignores(isDir ? `${r}/` : r)) return true;
    }
    if (this.opts.gitignore === false) return false;
    // .gitignore files from the repository root down to the path's folder; deeper ones win.
    let ignored = false;
    const parent = nodePath.dirname(path);
    const chain: string[] = [];
    for (let d = parent; ; d = nodePath.dirname(d)) {
      chain.push(d);
      if (d === this.gitRoot || d === nodePath.dirname(d) || !isInside(this.gitRoot, d)) break;
    }
    for (const dir of chain.reverse()) {
      const ig = this.gitignoreOf(dir);
      if (!ig) continue;
      const r = posix(nodePath.relative(dir, path));
      const res = ig.test(isDir ? `${r}/` : r);
      if (res.ignored) ignored = true;
      else if (res.unignored) ignored = false;
    }
    return ignored;
  }

  /** Whether `path` or any folder between the root and it is left out. */
  isIgnored(path: string, isDir = false): boolean {
    const abs = nodePath.resolve(path);
    if (!isInside(this.root, abs)) return false;
    const parts = posix(nodePath.relative(this.root, abs)).split('/').filter(Boolean);
    let cur = this.root;
    for (let i = 0; i < parts.length; i++) {
      cur = nodePath.join(cur, parts[i]);
      const last = i === parts.length - 1;
      if (this.ignoredItself(cur, last ? isDir : true)) return true;
    }
    return false;
  }

  /** Used by the walk: `path` is a direct child of a folder that was not ignored. */
  childIgnored(path: string, isDir: boolean): boolean {
    return this.ignoredItself(path, isDir);
  }
}

function isInside(root: string, p: string): boolean {
  const r = nodePath.relative(root, p);
  return r === '' || (!r.startsWith('..') && !nodePath.isAbsolute(r));
}

function findGitRoot(start: string): string | null {
  let d = start;
  for (let i = 0; i < 40; i++) {
    if (fs.existsSync(nodePath.join(d, '.git'))) return d;
    const up = nodePath.dirname(d);
    if (up === d) return null;
    d = up;
  }
  return null;
}

/**
 * Walks `root` depth-first in name order and yields every candidate file (by
 * name; sniff the content with `sniff` after reading it), files over the size
 * limit and folders that could not be read.
 */
export function* discover(root: string, opts: DiscoveryOptions = {}, filter = new PathFilter(root, opts)): Generator<DiscoveryEvent> {
  const stack = [nodePath.resolve(root)];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      yield { kind: 'unreadable', path: dir, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const e of entries) {
      const p = nodePath.join(dir, e.name);
      if (e.isDirectory()) {
        if (!filter.childIgnored(p, true)) subdirs.push(p);
        continue;
      }
      if (!e.isFile() && !e.isSymbolicLink()) continue;
      const format = formatOfName(p);
      if (!format || filter.childIgnored(p, false)) continue;
      let size: number;
      try {
        const st = fs.statSync(p);
        if (!st.isFile()) continue;
        size = st.size;
      } catch {
        continue;
      }
      if (opts.maxFileBytes !== undefined && size > opts.maxFileBytes) yield { kind: 'too-large', path: p, size };
      else yield { kind: 'file', path: p, format, size };
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  }
}

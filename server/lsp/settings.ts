/**
 * The editor settings (`iac-lint.*` in VS Code), as the server reads them: pulled
 * with workspace/configuration when the client supports it (per workspace folder,
 * with `files.exclude`), else taken from initializationOptions and
 * didChangeConfiguration pushes. Every field is checked; a bad value keeps its
 * default. What a rule checks is never here: that is `.iac-lint.yaml`, shared
 * with the CLI.
 */

export type ScanMode = 'onStartup' | 'manual' | 'off';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Settings {
  /** Milliseconds between the last keystroke and the lint. */
  lintDebounceMs: number;
  /** When to lint every IaC file of the workspace, opened or not. */
  workspaceScan: ScanMode;
  scan: {
    /** Files larger than this are not scanned (open files are always linted). */
    maxFileSizeKB: number;
    /** Globs (relative to the workspace folder) the scan leaves out, besides `files.exclude`. */
    exclude: string[];
    /** Leave out what `.gitignore` files ignore. */
    respectGitignore: boolean;
  };
  /** Level of the server's log in the output channel. */
  logLevel: LogLevel;
}

export const DEFAULT_SETTINGS: Settings = {
  lintDebounceMs: 30,
  workspaceScan: 'onStartup',
  scan: { maxFileSizeKB: 1024, exclude: [], respectGitignore: true },
  logLevel: 'info',
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads the `iac-lint` section (nested objects, as workspace/configuration returns it). */
export function readSettings(raw: unknown, base: Settings = DEFAULT_SETTINGS): Settings {
  const s: Settings = structuredClone(base);
  if (!isObj(raw)) return s;
  const ms = raw.lintDebounceMs;
  if (typeof ms === 'number' && ms >= 0 && ms <= 5000) s.lintDebounceMs = ms;
  if (raw.workspaceScan === 'onStartup' || raw.workspaceScan === 'manual' || raw.workspaceScan === 'off') s.workspaceScan = raw.workspaceScan;
  // Flat keys (`scan.maxFileSizeKB`) as some clients send them, or nested.
  const scan = isObj(raw.scan) ? raw.scan : {};
  const kb = scan.maxFileSizeKB ?? raw['scan.maxFileSizeKB'];
  if (typeof kb === 'number' && kb > 0) s.scan.maxFileSizeKB = kb;
  const ex = scan.exclude ?? raw['scan.exclude'];
  if (Array.isArray(ex)) s.scan.exclude = ex.filter((x): x is string => typeof x === 'string' && x.trim() !== '');
  const gi = scan.respectGitignore ?? raw['scan.respectGitignore'];
  if (typeof gi === 'boolean') s.scan.respectGitignore = gi;
  if (raw.logLevel === 'error' || raw.logLevel === 'warn' || raw.logLevel === 'info' || raw.logLevel === 'debug') s.logLevel = raw.logLevel;
  return s;
}

/** `files.exclude` → the globs whose value is `true` (conditional `{when}` entries are skipped). */
export function excludeGlobs(filesExclude: unknown): string[] {
  if (!isObj(filesExclude)) return [];
  return Object.entries(filesExclude).filter(([, v]) => v === true).map(([k]) => k);
}

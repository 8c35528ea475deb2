/**
 * Core engine types. The engine knows nothing of LSP or VS Code: every range is a
 * pair of UTF-16 offsets (JavaScript string indices) into the file's text, and
 * `LineIndex` (positions.ts) is the one place that turns them into line/character.
 */

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type Format = 'cloudformation' | 'terraform' | 'dockerfile';

export const SEVERITY_ORDER: Record<Severity, number> = { hint: 0, info: 1, warning: 2, error: 3 };

/** Half-open range of UTF-16 offsets [start, end). */
export interface OffsetRange {
  start: number;
  end: number;
}

/** Replace text[start, end) of the original text with newText. */
export interface TextEdit extends OffsetRange {
  newText: string;
}

/** Edits to one file; `path` is the absolute file path the engine was given. */
export interface FileEdits {
  path: string;
  edits: TextEdit[];
}

export interface Fix {
  title: string;
  /**
   * `exact` fixes are safe to apply blindly (fix-all, `--fix`); `suggestion`s are
   * offered as code actions only, for the user to review.
   */
  kind: 'exact' | 'suggestion';
  /** Edits per file. Most fixes touch only the linted file; renames touch the module. */
  changes: FileEdits[];
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  path: string;
  range: OffsetRange;
  /** CFN logical id, Terraform address, Dockerfile stage name, or null. */
  resource: string | null;
  fixes: Fix[];
}

/** A file handed to the engine. `text` is the current content (editor buffer or disk). */
export interface SourceFile {
  path: string;
  text: string;
}

/**
 * How the engine sees the rest of the workspace without touching the disk itself:
 * the LSP front end answers from open documents first and the disk second, the CLI
 * from the disk, tests from memory.
 */
export interface WorkspaceView {
  /** All `*.tf` files of the folder `dir` (absolute paths), including open unsaved buffers. */
  terraformFilesIn(dir: string): SourceFile[];
  /**
   * The file as it was at the configured base revision (git `HEAD` by default), for
   * rules that judge a change rather than a state (`iam-permission-broadening`).
   * Optional: a workspace without it makes those rules silent. Synchronous, so a
   * provider answers from what it fetched beforehand (server/engine/gitBase.ts).
   */
  baseText?(path: string): BaseText;
}

/** What a workspace knows about a file at the base revision. */
export type BaseText =
  /** The file existed at the base; `label` names the base for messages (`HEAD`, `origin/main`). */
  | { kind: 'text'; text: string; label: string }
  /** The file is tracked but new since the base: compare it with an empty template. */
  | { kind: 'absent'; label: string }
  /** No comparison possible (no git, not a repository, untracked, not fetched yet); `reason` says why. */
  | { kind: 'unavailable'; reason: string };

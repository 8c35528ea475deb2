/**
 * The editor side of "security changes against a git base":
 * - base texts for `iam-permission-broadening`, fetched with git in the
 *   background (the engine is synchronous) and refreshed at most every few
 *   seconds, so that a commit or a branch switch moves the base;
 * - the request `iac-lint/securityChanges` ({ uri } → { title, markdown }) behind
 *   the command "iac-lint: Show Security Changes".
 *
 * Git runs only when the client says the workspace is trusted
 * (`initializationOptions.trusted`); the base revision comes from the setting
 * `iac-lint.diffBase` (default `HEAD`).
 */
import type { Connection } from 'vscode-languageserver/node';
import { parseCloudFormation } from '../engine/cloudformation/parser';
import { GitBase } from '../engine/gitBase';
import { LineIndex } from '../engine/positions';
import { formatSecurityTables, securityChanges, warmUp } from '../engine/securityChanges';
import type { BaseText } from '../engine/types';

export const SECURITY_CHANGES_REQUEST = 'iac-lint/securityChanges';

export interface SecurityChangesParams {
  uri: string;
}

export interface SecurityChangesResult {
  title: string;
  markdown: string;
}

export interface SecurityDiffHost {
  connection: Connection;
  /** The document's path as the engine sees it. */
  pathOf(uri: string): string;
  /** The open buffer, else the disk. */
  textOf(path: string): string | undefined;
  /** Lint the open documents of these paths again (their base arrived or moved). */
  relint(paths: string[]): void;
  log(message: string): void;
}

export interface SecurityDiff {
  /** For the engine's WorkspaceView: answers from what was fetched, fetching in the background. */
  baseText(path: string): BaseText;
  /** Reads `trusted` and `diffBase` from the initialization options. */
  initialize(initializationOptions: unknown): void;
  /** Reads `diffBase` from the pushed `iac-lint` settings section. */
  configure(settings: unknown): void;
}

/** A fetched base stays good this long; after it the next lint refreshes it in the background. */
const FRESH_MS = 5000;

interface Entry {
  result: BaseText;
  at: number;
  loading?: Promise<void>;
}

/** Whether a lint with `b` can differ from one with `a` (no base and no base for another reason lint alike). */
function sameBase(a: BaseText, b: BaseText): boolean {
  if (a.kind === 'unavailable' && b.kind === 'unavailable') return true;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'text' && b.kind === 'text') return a.text === b.text && a.label === b.label;
  return true;
}

export function registerSecurityDiff(host: SecurityDiffHost): SecurityDiff {
  let trusted = false;
  let ref = 'HEAD';
  const cache = new Map<string, Entry>();

  const unavailableReason = (path: string): string | null => {
    if (!trusted) return 'the workspace is not trusted: iac-lint does not run git in untrusted workspaces';
    if (path.startsWith('/__untitled__/')) return 'the document is not saved in a git repository';
    if (!GitBase.validRef(ref)) return `the setting iac-lint.diffBase (\`${ref}\`) is not a git revision`;
    return null;
  };

  // The library and its service database load synchronously in about half a
  // second, once. Only a document with a base to compare with needs them (not an
  // untrusted workspace, nor one without git): they are loaded when the first
  // such base arrives (see `refresh`), so that neither a lint nor a keystroke
  // waits for them, and never when no base is ever found.
  let warmed = false;
  const warm = (): void => {
    if (warmed) return;
    warmed = true;
    try {
      warmUp();
    } catch (e) {
      host.log(`iac-lint: loading @aws-cdk/cloudformation-diff failed: ${(e as Error).message}`);
    }
  };

  const refresh = (path: string, entry: Entry | undefined): void => {
    if (entry?.loading) return;
    if (cache.size > 1000) cache.clear();
    const git = new GitBase({ ref });
    const forRef = ref;
    const loading = git.load([path]).then(() => {
      if (forRef !== ref) return;
      const result = git.baseText(path);
      const prev = cache.get(path);
      cache.set(path, { result, at: Date.now() });
      // The first base to compare with: the library is loaded now, before the
      // lint that needs it, rather than by that lint or a keystroke after it.
      if (result.kind !== 'unavailable') warm();
      if (!prev || !sameBase(prev.result, result)) host.relint([path]);
    }, (e: unknown) => {
      host.log(`iac-lint: reading the git base of ${path} failed: ${(e as Error).message}`);
      cache.delete(path);
    });
    cache.set(path, { result: entry?.result ?? { kind: 'unavailable', reason: 'reading the git base' }, at: entry?.at ?? 0, loading });
  };

  const setRef = (value: unknown): void => {
    const next = typeof value === 'string' && value.trim() ? value.trim() : 'HEAD';
    if (next === ref) return;
    ref = next;
    const paths = [...cache.keys()];
    cache.clear();
    host.relint(paths);
  };

  host.connection.onRequest(SECURITY_CHANGES_REQUEST, async (params: SecurityChangesParams): Promise<SecurityChangesResult> => {
    const path = host.pathOf(params.uri);
    const name = path.split(/[\\/]/).pop() ?? path;
    const title = `Security changes: ${name} since ${ref}`;
    const say = (text: string): SecurityChangesResult => ({ title, markdown: `# ${title}\n\n${text}\n` });
    const text = host.textOf(path);
    if (text === undefined) return say('The document could not be read.');
    const tpl = parseCloudFormation(path, text);
    if (!tpl) return say('This file is not a CloudFormation template; security changes are computed for CloudFormation only.');
    const why = unavailableReason(path);
    if (why) return say(`Not compared: ${why}.`);
    if (tpl.errors.length) return say(`The template does not parse (${tpl.errors[0].message}); fix that first.`);
    const git = new GitBase({ ref });
    await git.load([path]);
    const base = git.baseText(path);
    cache.set(path, { result: base, at: Date.now() });
    if (base.kind === 'unavailable') return say(`Not compared: ${base.reason}.`);
    const before = base.kind === 'text' ? parseCloudFormation(path, base.text) : null;
    if (before?.errors.length) return say(`The template at ${ref} does not parse (${before.errors[0].message}); nothing to compare with.`);
    let changes;
    try {
      changes = securityChanges(before, tpl);
    } catch (e) {
      return say(`Not compared: ${(e as Error).message}.`);
    }
    const lines = new LineIndex(text);
    const intro = base.kind === 'absent' ? `The file is new since \`${ref}\`: compared with an empty template.\n\n` : '';
    const hasTables = changes.diff.permissionsAnyChanges || changes.diff.securityGroupChanges.hasChanges;
    let md = intro;
    if (changes.broadening.length) {
      md += `## What widens access (${changes.broadening.length})\n\n`;
      for (const b of changes.broadening) {
        const p = lines.offsetToPosition(b.range.start);
        md += `- line ${p.line + 1}: **${b.how}** ${b.summary.replace(/([*_`[\]])/g, '\\$1')}${b.resource ? ` (\`${b.resource}\`)` : ''}\n`;
      }
      md += '\n';
    } else {
      md += 'Nothing in this file widens access.\n\n';
    }
    if (hasTables) md += `## IAM and security group changes\n\n\`\`\`text\n${formatSecurityTables(changes.diff, false).trimEnd()}\n\`\`\`\n`;
    else md += 'No IAM statement, managed policy or security group rule changed.\n';
    return say(md.trimEnd());
  });

  return {
    baseText(path: string): BaseText {
      const why = unavailableReason(path);
      if (why) return { kind: 'unavailable', reason: why };
      const entry = cache.get(path);
      if (!entry || Date.now() - entry.at > FRESH_MS) refresh(path, entry);
      return cache.get(path)!.result;
    },
    initialize(opts: unknown): void {
      const o = (opts ?? {}) as { trusted?: unknown; diffBase?: unknown };
      trusted = o.trusted === true;
      setRef(o.diffBase);
    },
    configure(settings: unknown): void {
      const section = (settings as { 'iac-lint'?: { diffBase?: unknown } } | undefined)?.['iac-lint'];
      if (section && 'diffBase' in section) setRef(section.diffBase);
    },
  };
}

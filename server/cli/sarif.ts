/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
 *
 * - Every rule is described in `tool.driver.rules` (with its docs page as help),
 *   plus the engine's own `parse-error`, `internal-error`, `unused-suppression` and
 *   `file-too-large`, so `ruleIndex` is stable across runs.
 * - Locations are relative to the repository root (`uriBaseId: SRCROOT`),
 *   regions 1-based, columns in UTF-16 code units (`columnKind`), which is what
 *   the engine's offsets are.
 * - `partialFingerprints` carry the position-free identity that baselines use,
 *   so an alert survives edits above it.
 * - Fixes (exact ones and suggestions) become `fixes[].artifactChanges`.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { Rule } from '../engine/rule';
import { docsUrl } from '../engine/docs';
import { FILE_TOO_LARGE, INTERNAL_ERROR, PARSE_ERROR, UNUSED_SUPPRESSION, type LintResult } from '../engine/linter';
import { LineIndex } from '../engine/positions';
import type { Fix, Severity } from '../engine/types';
import { identify } from './baseline';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const INFORMATION_URI = 'https://github.com/iac-lint/iac-lint';
export const FINGERPRINT = 'iacLintFinding/v1';

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/** GitHub shows `security-severity` (CVSS-like 0–10) as critical/high/medium/low for security rules. */
const SECURITY_SEVERITY: Record<Severity, string> = { error: '7.5', warning: '5.0', info: '3.0', hint: '1.0' };

/** Rules about access, exposure, secrets and patching; the rest are reliability, cost or style. */
const SECURITY = /^(iam-|sg-|ebs-|no-|ecr-not-public|ecr-scan|ecr-immutable|ec2-(imds|no-public|instance-role|ssh|prefer-session|key-pair|approved|in-vpc)|docker-(no-secrets|non-root|trusted|pin|update|syntax))/;

const FORMAT_TAG: Record<string, string> = { cloudformation: 'cloudformation', terraform: 'terraform', dockerfile: 'dockerfile' };

/** The rules folder holding `<id>.md`: next to the bundle (dist/../rules) or the compiled sources. */
function rulesDir(): string | null {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = nodePath.join(dir, 'rules');
    if (fs.existsSync(nodePath.join(candidate, 'ec2-imdsv2-required.md'))) return candidate;
    dir = nodePath.dirname(dir);
  }
  return null;
}

interface Docs {
  markdown: string;
  /** The first paragraph after the title and the severity line. */
  summary: string;
}

function readDocs(dir: string | null, id: string): Docs | null {
  if (!dir) return null;
  let markdown: string;
  try {
    markdown = fs.readFileSync(nodePath.join(dir, `${id}.md`), 'utf8').replace(/\r\n?/g, '\n');
  } catch {
    return null;
  }
  const paragraphs = markdown.split(/\n{2,}/).map((p) => p.trim()).filter(Boolean);
  const summary = paragraphs.find((p) => !p.startsWith('#') && !p.startsWith('**') && !p.startsWith('```') && !p.startsWith('|')) ?? '';
  return { markdown, summary: summary.replace(/\s*\n\s*/g, ' ') };
}

function pascal(id: string): string {
  return id.split(/[^a-z0-9]+/i).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

function describeRules(rules: readonly Rule[]): Sarif.ReportingDescriptor[] {
  const dir = rulesDir();
  const out: Sarif.ReportingDescriptor[] = rules.map((r) => {
    const docs = readDocs(dir, r.id);
    const security = SECURITY.test(r.id);
    const descriptor: Sarif.ReportingDescriptor = {
      id: r.id,
      name: pascal(r.id),
      shortDescription: { text: r.description },
      fullDescription: { text: docs?.summary || r.description },
      helpUri: docsUrl(r.id),
      help: docs
        ? { text: docs.markdown, markdown: docs.markdown }
        : { text: `${r.description}\nSee ${docsUrl(r.id)}`, markdown: `${r.description}\n\nSee [${r.id}](${docsUrl(r.id)}).` },
      defaultConfiguration: { level: LEVEL[r.severity] },
      properties: {
        tags: [...(security ? ['security'] : []), ...r.formats.map((f) => FORMAT_TAG[f] ?? f), 'iac'],
        precision: 'high',
        'problem.severity': r.severity === 'hint' ? 'recommendation' : r.severity === 'info' ? 'recommendation' : r.severity,
        ...(security ? { 'security-severity': SECURITY_SEVERITY[r.severity] } : {}),
        seed: r.seed,
        fixable: r.fixable || 'no',
      },
    };
    return descriptor;
  });
  out.push(
    {
      id: PARSE_ERROR,
      name: 'ParseError',
      shortDescription: { text: 'The file does not parse as CloudFormation, Terraform or Dockerfile.' },
      fullDescription: { text: 'The file does not parse; iac-lint reports the syntax error and checks what it could read.' },
      help: { text: 'Fix the syntax error at the reported place.', markdown: 'Fix the syntax error at the reported place.' },
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['iac', 'correctness'], precision: 'very-high', 'problem.severity': 'error' },
    },
    {
      id: INTERNAL_ERROR,
      name: 'InternalError',
      shortDescription: { text: 'iac-lint failed on this file.' },
      fullDescription: { text: 'A rule or the parser failed on this file; the result for it is incomplete. Please report it.' },
      help: { text: `Please report it at ${INFORMATION_URI}/issues with the file if you can share it.`, markdown: `Please report it at [the issue tracker](${INFORMATION_URI}/issues) with the file if you can share it.` },
      defaultConfiguration: { level: 'note' },
      properties: { tags: ['iac'], precision: 'high', 'problem.severity': 'recommendation' },
    },
    {
      id: UNUSED_SUPPRESSION,
      name: 'UnusedSuppression',
      shortDescription: { text: 'A suppression comment or Metadata entry suppresses nothing.' },
      fullDescription: { text: 'An iac-lint suppression (comment or CloudFormation Metadata) names a rule that does not fire where the suppression applies; remove it so that it cannot hide a future finding.' },
      help: { text: 'Remove the suppression, or the rule ids in it that no longer fire.', markdown: 'Remove the suppression, or the rule ids in it that no longer fire. See [suppression](' + INFORMATION_URI + '/blob/main/docs/suppression.md).' },
      defaultConfiguration: { level: 'note' },
      properties: { tags: ['iac', 'maintainability'], precision: 'very-high', 'problem.severity': 'recommendation' },
    },
    {
      id: FILE_TOO_LARGE,
      name: 'FileTooLarge',
      shortDescription: { text: 'The file is larger than the size limit and was not checked.' },
      fullDescription: { text: 'Files over the size limit (option maxFileSizeKB, --max-file-size) are not parsed; the file was not checked.' },
      help: { text: 'Raise maxFileSizeKB under options: in .iac-lint.yaml, or pass --max-file-size, to lint it.', markdown: 'Raise `maxFileSizeKB` under `options:` in `.iac-lint.yaml`, or pass `--max-file-size`, to lint it.' },
      defaultConfiguration: { level: 'note' },
      properties: { tags: ['iac'], precision: 'very-high', 'problem.severity': 'recommendation' },
    },
  );
  return out;
}

/** RFC 3986 relative reference for a path below the root: each segment percent-encoded. */
function relativeUri(rel: string): string {
  return rel.split('/').map((seg) => encodeURIComponent(seg)).join('/');
}

export interface SarifOptions {
  rules: readonly Rule[];
  version: string;
  /** The repository root (git top level) or the current folder: locations are relative to it. */
  root: string;
  /** False when input errors kept some files from being read. */
  executionSuccessful: boolean;
  /** Messages printed on stderr, repeated as tool notifications. */
  notifications: string[];
  /** Text of files other than the linted ones that a fix touches (Terraform renames). */
  readText?: (path: string) => string | undefined;
  /** Findings are what is left after a baseline. */
  baselined?: boolean;
}

export function toSarif(results: readonly LintResult[], opts: SarifOptions): Sarif.Log {
  const descriptors = describeRules(opts.rules);
  const index = new Map(descriptors.map((d, i) => [d.id, i]));
  const root = nodePath.resolve(opts.root);
  const locate = (path: string): Sarif.ArtifactLocation => {
    const rel = nodePath.relative(root, path);
    if (rel && !rel.startsWith('..') && !nodePath.isAbsolute(rel)) return { uri: relativeUri(rel.split(nodePath.sep).join('/')), uriBaseId: 'SRCROOT' };
    return { uri: pathToFileURL(path).href };
  };
  const linesOf = new Map<string, LineIndex>(results.map((r) => [r.path, r.lines]));
  const lineIndex = (path: string): LineIndex | undefined => {
    let li = linesOf.get(path);
    if (!li) {
      const text = opts.readText?.(path);
      if (text !== undefined) linesOf.set(path, (li = new LineIndex(text)));
    }
    return li;
  };
  const region = (li: LineIndex, start: number, end: number): Sarif.Region => {
    const s = li.offsetToPosition(start);
    const e = li.offsetToPosition(end);
    return { startLine: s.line + 1, startColumn: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 };
  };
  const toFix = (fix: Fix): Sarif.Fix | null => {
    const changes: Sarif.ArtifactChange[] = [];
    for (const fe of fix.changes) {
      const li = lineIndex(fe.path);
      if (!li) return null;
      changes.push({
        artifactLocation: locate(fe.path),
        replacements: fe.edits.map((ed) => ({ deletedRegion: region(li, ed.start, ed.end), insertedContent: { text: ed.newText } })),
      });
    }
    return { description: { text: fix.kind === 'exact' ? fix.title : `${fix.title} (suggestion: review before applying)` }, artifactChanges: changes };
  };

  const sarifResults: Sarif.Result[] = identify(results, (r) => nodePath.relative(root, r.path).split(nodePath.sep).join('/')).map((id) => {
    const f = id.finding;
    const result: Sarif.Result = {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [{
        physicalLocation: { artifactLocation: locate(id.result.path), region: region(id.result.lines, f.range.start, f.range.end) },
        ...(f.resource ? { logicalLocations: [{ name: f.resource, kind: 'resource' }] } : {}),
      }],
      partialFingerprints: { [FINGERPRINT]: `${id.key}:${id.occurrence}` },
    };
    if (result.ruleIndex === undefined) delete result.ruleIndex;
    const fixes = f.fixes.map(toFix).filter((x): x is Sarif.Fix => x !== null);
    if (fixes.length) result.fixes = fixes;
    if (opts.baselined) result.baselineState = 'new';
    return result;
  });

  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'iac-lint',
          version: opts.version,
          semanticVersion: opts.version,
          informationUri: INFORMATION_URI,
          rules: descriptors,
        },
      },
      originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(root.endsWith(nodePath.sep) ? root : root + nodePath.sep).href } },
      columnKind: 'utf16CodeUnits',
      invocations: [{
        executionSuccessful: opts.executionSuccessful,
        ...(opts.notifications.length
          ? { toolExecutionNotifications: opts.notifications.map((text) => ({ message: { text }, level: 'warning' as const })) }
          : {}),
      }],
      results: sarifResults,
    }],
  };
}

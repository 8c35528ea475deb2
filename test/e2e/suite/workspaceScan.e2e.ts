/**
 * The workspace scan in a real VS Code: right after startup, with no file open, the
 * Problems panel (vscode.languages.getDiagnostics) holds the findings of every example,
 * exactly as the diagnostics suite sees them in open editors; files created and deleted
 * on disk afterwards follow through the file watchers.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { SOURCE, type Seen, recordMetric, ruleOf, uriOf, waitFor } from '../helpers';
import { EXPECTED } from '../examples';

const SEVERITY = ['error', 'warning', 'info', 'hint'] as const;

/** The text a 0-based range of a file on disk covers (lines joined with \n). */
function textOnDisk(path: string, [l1, c1, l2, c2]: Seen['range']): string {
  const lines = fs.readFileSync(path, 'utf8').split(/\r?\n/);
  if (l1 === l2) return lines[l1].slice(c1, c2);
  return [lines[l1].slice(c1), ...lines.slice(l1 + 1, l2), lines[l2].slice(0, c2)].join('\n');
}

/** describeDiagnostics for a file that is not open: the underlined text comes from the disk. */
function describeUnopened(uri: vscode.Uri): Seen[] {
  return vscode.languages.getDiagnostics(uri)
    .filter((d) => d.source === SOURCE)
    .map((d) => {
      const range: Seen['range'] = [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character];
      return { rule: ruleOf(d), severity: SEVERITY[d.severity], range, text: textOnDisk(uri.fsPath, range) };
    })
    .sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1] || a.rule.localeCompare(b.rule));
}

/** Workspace-relative paths of the files the Problems panel lists iac-lint findings for. */
function filesWithFindings(): string[] {
  return vscode.languages.getDiagnostics()
    .filter(([, ds]) => ds.some((d) => d.source === SOURCE))
    .map(([uri]) => vscode.workspace.asRelativePath(uri, false))
    .sort();
}

const openFiles = (): string[] => vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file').map((d) => d.uri.fsPath);

describe('workspace scan in VS Code', () => {
  const started = Date.now();

  it('lists the findings of every example in the Problems panel without opening a file', async () => {
    const expectedFiles = Object.keys(EXPECTED).sort();
    assert.deepEqual(openFiles(), [], 'a file is open before the scan');
    // The scan publishes each file once, with all of its diagnostics.
    await waitFor('the scan to publish every example', () => {
      const files = filesWithFindings();
      return expectedFiles.every((f) => files.includes(f));
    }, { timeoutMs: 60_000, state: filesWithFindings });
    recordMetric('scanToProblemsMs', Date.now() - started);
    assert.deepEqual(filesWithFindings(), expectedFiles);
    for (const file of expectedFiles) assert.deepEqual(describeUnopened(uriOf(file)), EXPECTED[file], file);
    assert.deepEqual(openFiles(), [], 'the scan opened documents');
  });

  it('a file created on disk is linted, and its findings go when it is deleted', async () => {
    const uri = uriOf('cloudformation/created-later.yaml');
    const text = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Worker:\n    Type: AWS::EC2::Instance\n    Properties:\n      MetadataOptions:\n        HttpTokens: optional\n';
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
    const imds = (): Seen[] => describeUnopened(uri).filter((d) => d.rule === 'ec2-imdsv2-required');
    await waitFor('the new file\'s imdsv2 finding', () => imds().length > 0, { state: () => describeUnopened(uri) });
    assert.deepEqual(imds(), [{ rule: 'ec2-imdsv2-required', severity: 'error', range: [6, 20, 6, 28], text: 'optional' }]);
    await vscode.workspace.fs.delete(uri);
    await waitFor('the deleted file\'s findings to go', () => vscode.languages.getDiagnostics(uri).length === 0, {
      state: () => vscode.languages.getDiagnostics(uri).map((d) => ruleOf(d)),
    });
    assert.deepEqual(openFiles(), []);
  });
});

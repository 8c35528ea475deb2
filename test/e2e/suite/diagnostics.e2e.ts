/**
 * The packaged extension in a real VS Code: what the user sees on opening
 * CloudFormation YAML and JSON, a Terraform module and Dockerfiles.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import {
  DOCS_BASE, EXTENSION_ID, ROOT, type Seen, describeDiagnostics, iacDiagnostics, openEditor, recordMetric, ruleOf,
  screenshot, sleep, waitFor, waitForDiagnostics,
} from '../helpers';
import type { IacLintApi } from '../../../client/api';
import { EXPECTED } from '../examples';

describe('diagnostics in VS Code', () => {
  it('runs the extension installed from the .vsix, not the source tree', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    const installed = fs.realpathSync(ext.extensionPath);
    assert.ok(!installed.startsWith(fs.realpathSync(ROOT) + nodePath.sep), `loaded from the repository: ${installed}`);
    const manifest = JSON.parse(fs.readFileSync(nodePath.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal((ext.packageJSON as { version: string }).version, manifest.version);
    for (const shipped of ['dist/client.js', 'dist/server.js', 'dist/tree-sitter-terraform.wasm', 'dist/web-tree-sitter.wasm']) {
      assert.ok(fs.existsSync(nodePath.join(installed, shipped)), `${shipped} missing from the package`);
    }
    const walkthroughs = (ext.packageJSON as { contributes: { walkthroughs: { steps: { media: { markdown: string } }[] }[] } })
      .contributes.walkthroughs;
    for (const step of walkthroughs.flatMap((w) => w.steps)) {
      assert.ok(fs.existsSync(nodePath.join(installed, step.media.markdown)), `walkthrough page ${step.media.markdown} missing`);
    }
    for (const kept of ['node_modules', 'server', 'test', 'client', 'examples', 'scripts']) {
      assert.ok(!fs.existsSync(nodePath.join(installed, kept)), `${kept}/ should not be in the package`);
    }
  });

  it('starts by itself in a workspace with IaC files, before any file is opened', async () => {
    const ext = vscode.extensions.getExtension<IacLintApi>(EXTENSION_ID)!;
    assert.deepEqual(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file').map((d) => d.uri.fsPath), []);
    await waitFor('activation through workspaceContains', () => ext.isActive);
    const api = ext.exports;
    await waitFor('the language server to run', () => api.serverRunning());
    recordMetric('activateMs', api.timings.activateMs);
    if (api.timings.serverStartMs !== undefined) recordMetric('serverStartMs', api.timings.serverStartMs);
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`${file}: ${[...new Set(expected.map((e) => e.rule))].join(', ')} with their ranges and severities`, async () => {
      const opened = Date.now();
      const { document } = await openEditor(file);
      const seen = await waitForDiagnostics(document, (s) => s.length >= expected.length);
      recordMetric(`firstDiagnosticsMs:${file}`, Date.now() - opened);
      assert.deepEqual(seen, expected);
      for (const d of iacDiagnostics(document.uri)) {
        assert.ok(d.message.length > 10, `a terse message: ${d.message}`);
        if (ruleOf(d) === 'docker-syntax') continue;
        const target = typeof d.code === 'object' ? d.code.target.toString() : undefined;
        assert.equal(target, `${DOCS_BASE}${ruleOf(d)}.md`, 'the rule id links to its docs');
      }
    });
  }

  it('leaves YAML and JSON that are not templates alone', async () => {
    const plain = [await openEditor('notes/values.yaml'), await openEditor('notes/app-config.json')];
    // Documents are linted in the order they are opened: once a later file has its
    // diagnostics, the server has seen these two.
    const later = await openEditor('terraform/fleet/main.tf');
    await waitForDiagnostics(later.document);
    for (const { document } of plain) {
      assert.equal(document.languageId, document.fileName.endsWith('.json') ? 'json' : 'yaml');
      assert.deepEqual(describeDiagnostics(document), []);
    }
  });

  it('keeps up with edits: a change moves the squiggle, undo brings it back', async () => {
    const editor = await openEditor('terraform/web/main.tf');
    const doc = editor.document;
    const expected = EXPECTED['terraform/web/main.tf'];
    assert.ok(expected.every((d) => d.range[0] === 1 && d.range[2] === 1), 'the findings of main.tf are all on its line 1');
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), '\n\n'));
    await waitForDiagnostics(doc, (s) => s.length === expected.length && s.every((d) => d.range[0] === 3), 'the diagnostics two lines lower');
    await vscode.commands.executeCommand('undo');
    const seen = await waitForDiagnostics(doc, (s) => s.length === expected.length && s.every((d) => d.range[0] === 1), 'the diagnostics back in place');
    assert.deepEqual(seen, expected);
    assert.equal(doc.isDirty, false);
  });

  it('shows squiggles and the Problems panel', async () => {
    const editor = await openEditor('cloudformation/web-server.yaml');
    const finding = iacDiagnostics(editor.document.uri)[0];
    assert.ok(finding);
    editor.selection = new vscode.Selection(finding.range.start, finding.range.start);
    editor.revealRange(finding.range, vscode.TextEditorRevealType.InCenter);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    // The Problems panel lists what VS Code holds for every file.
    const files = vscode.languages.getDiagnostics().filter(([, ds]) => ds.some((d) => d.source === 'iac-lint'));
    assert.ok(files.length >= Object.keys(EXPECTED).length, `Problems lists ${files.length} files`);
    await sleep(750); // let the panel and the squiggles render before the picture
    await screenshot('editor-problems');
  });
});

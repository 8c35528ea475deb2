/**
 * A workspace of plain YAML and JSON: the extension wakes up for YAML (a template
 * can have any name) but starts no language server until a template is opened.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { IacLintApi } from '../../../client/api';
import { EXTENSION_ID, describeDiagnostics, openEditor, recordMetric, rulesIn, sleep, waitFor, waitForDiagnostics } from '../helpers';

describe('a workspace without IaC files', () => {
  const ext = (): vscode.Extension<IacLintApi> => {
    const found = vscode.extensions.getExtension<IacLintApi>(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is not installed`);
    return found;
  };

  it('does not activate the extension at startup', async () => {
    await sleep(1000); // startup activation (workspaceContains, onStartupFinished) has had its chance
    // If it did activate, say which documents the editor had open (onLanguage:yaml/json
    // activates for any of those, including ones the editor opens for itself).
    const open = vscode.workspace.textDocuments.map((d) => `${d.languageId} ${d.uri.toString()}`);
    assert.equal(ext().isActive, false, `active at startup; open documents: ${open.join(', ') || 'none'}`);
  });

  it('activates for YAML and JSON files but starts no server for them', async () => {
    const opened = [await openEditor('config/app.yaml'), await openEditor('data/items.json')];
    await waitFor('activation through onLanguage', () => ext().isActive);
    await sleep(1500); // time enough to start a server, if it were going to
    assert.equal(ext().exports.serverRunning(), false, 'a language server runs for plain YAML/JSON');
    assert.equal(ext().exports.timings.serverStartMs, undefined);
    for (const { document } of opened) assert.deepEqual(describeDiagnostics(document), []);
  });

  it('starts the server when a template is opened, and lints it', async () => {
    const started = Date.now();
    const { document } = await openEditor('deploy/stack.yaml');
    const seen = await waitForDiagnostics(document, (s) => rulesIn(s).includes('ec2-imdsv2-required'), 'the imdsv2 diagnostic');
    recordMetric('coldFirstDiagnosticsMs', Date.now() - started);
    // The example rule; other EC2 rules (role, subnet, tags, ...) fire on the Worker too.
    assert.deepEqual(seen.filter((d) => d.rule === 'ec2-imdsv2-required'), [
      { rule: 'ec2-imdsv2-required', severity: 'error', range: [9, 20, 9, 28], text: 'optional' },
    ]);
    assert.equal(ext().exports.serverRunning(), true);
    const { activateMs, serverStartMs } = ext().exports.timings;
    assert.ok(serverStartMs !== undefined && serverStartMs > 0);
    recordMetric('activateMs', activateMs);
    recordMetric('serverStartMs', serverStartMs);
  });
});

/**
 * The extension's commands, run the way the command palette runs them.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, extensionApi, openEditor, revert, waitFor, waitForDiagnostics } from '../helpers';
import { EXPECTED } from '../examples';

describe('commands in VS Code', () => {
  it('contributes its commands to the palette', async () => {
    const contributed = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { commands: { command: string }[] };
    }).contributes.commands.map((c) => c.command);
    const registered = await vscode.commands.getCommands(true);
    for (const id of ['iac-lint.restartServer', 'iac-lint.showOutput']) {
      assert.ok(contributed.includes(id), `${id} is not in package.json`);
      assert.ok(registered.includes(id), `${id} is not registered`);
    }
  });

  it('iac-lint.showOutput reveals the iac-lint output channel', async () => {
    await vscode.commands.executeCommand('iac-lint.showOutput');
    await waitFor('an output document of iac-lint', () => vscode.workspace.textDocuments.find(
      (d) => d.uri.scheme === 'output' && /iac-lint/i.test(d.uri.path),
    ), { state: () => vscode.workspace.textDocuments.map((d) => d.uri.toString()) });
  });

  it('iac-lint.restartServer starts a new server that lints what is open', async () => {
    const api = await extensionApi();
    const editor = await openEditor('cloudformation/web-server.yaml');
    const { document } = editor;
    await waitForDiagnostics(document);
    await vscode.commands.executeCommand('iac-lint.restartServer');
    assert.equal(api.serverRunning(), true);
    // The new server has the open document and follows its changes.
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), '# restarted\n'));
    const expected = EXPECTED['cloudformation/web-server.yaml'];
    await waitForDiagnostics(document, (s) => s.length === expected.length && s.every((d, i) => d.range[0] === expected[i].range[0] + 1), 'the diagnostics one line lower');
    await revert(document);
    const back = await waitForDiagnostics(document, (s) => s.length === expected.length && s.every((d, i) => d.range[0] === expected[i].range[0]), 'the diagnostics back in place');
    assert.deepEqual(back, expected);
  });
});

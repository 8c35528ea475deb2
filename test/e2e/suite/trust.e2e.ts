/**
 * Restricted mode (an untrusted folder): iac-lint still lints, but with its built-in
 * defaults. The folder's .iac-lint.yaml turns ec2-imdsv2-required off, lowers
 * ec2-instance-role to info and ignores docker/ — none of which may apply here
 * (test/e2e/workspaces/untrusted/.iac-lint.yaml, next to a copy of examples/).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, describeDiagnostics, iacDiagnostics, openEditor, waitFor, waitForDiagnostics } from '../helpers';
import { EXPECTED } from '../examples';

describe('an untrusted workspace', () => {
  it('opens in restricted mode, and the extension runs its server there', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    await waitFor('activation in restricted mode', () => ext.isActive);
  });

  for (const file of ['cloudformation/web-server.yaml', 'docker/go-service/Dockerfile']) {
    it(`${file}: the built-in defaults, not the folder's configuration`, async () => {
      const expected = EXPECTED[file];
      const { document } = await openEditor(file);
      const seen = await waitForDiagnostics(document, (s) => s.length >= expected.length);
      assert.deepEqual(seen, expected);
    });
  }

  it('the configuration file says that it is not read', async () => {
    const { document } = await openEditor('.iac-lint.yaml');
    const notice = await waitFor('the untrusted notice on .iac-lint.yaml', () => iacDiagnostics(document.uri)
      .find((d) => /not trusted/.test(d.message)), { state: () => describeDiagnostics(document) });
    assert.equal(notice.severity, vscode.DiagnosticSeverity.Information);
    assert.equal(notice.range.start.line, 0);
  });
});

/**
 * Suppressions as the user writes them: a `# iac-lint-ignore <id> -- reason` comment
 * and a CloudFormation `Metadata: iac-lint: ignore:` entry remove exactly that rule's
 * finding on their resource; the same finding elsewhere in the file stays.
 * (test/e2e/workspaces/iac/suppressed/)
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { type Seen, openEditor, revert, waitForDiagnostics } from '../helpers';

const IMDS = 'ec2-imdsv2-required';
const of = (seen: Seen[], rule: string): Seen[] => seen.filter((d) => d.rule === rule);

describe('suppressions in VS Code', () => {
  it('CloudFormation: a line comment and a Metadata entry suppress imdsv2 on their resources; the third instance keeps it', async () => {
    const { document } = await openEditor('suppressed/instances.yaml');
    // One publish carries all of the file's diagnostics: once the unsuppressed one is there, so is everything.
    const seen = await waitForDiagnostics(document, (s) => of(s, IMDS).length > 0, `the ${IMDS} diagnostic`);
    assert.deepEqual(of(seen, IMDS), [{ rule: IMDS, severity: 'error', range: [26, 20, 26, 28], text: 'optional' }]);
    // Only that rule is suppressed: the others still fire on all three instances.
    assert.deepEqual(of(seen, 'ec2-instance-role').map((d) => d.text), ['LegacyAgent', 'BatchWorker', 'WebServer']);
    // Both suppressions matched a finding (an unmatched one would be reported as unused).
    assert.deepEqual(of(seen, 'unused-suppression'), []);
  });

  it('deleting the comment brings the finding back; undo suppresses it again', async () => {
    const editor = await openEditor('suppressed/instances.yaml');
    const { document } = editor;
    const line = document.getText().split('\n').findIndex((l) => l.includes(`# iac-lint-ignore ${IMDS} --`));
    assert.equal(line, 8);
    await editor.edit((b) => b.delete(new vscode.Range(line, 0, line + 1, 0)));
    const back = await waitForDiagnostics(document, (s) => of(s, IMDS).length === 2, 'the LegacyAgent finding to come back');
    assert.deepEqual(of(back, IMDS).map((d) => d.range), [[8, 20, 8, 28], [25, 20, 25, 28]]);
    await vscode.commands.executeCommand('undo');
    await waitForDiagnostics(document, (s) => of(s, IMDS).length === 1 && s.every((d) => d.range[0] !== 8), 'the suppression to apply again');
    await revert(document);
  });

  it('Terraform: a comment before the resource suppresses imdsv2 for the whole block', async () => {
    const { document } = await openEditor('suppressed/main.tf');
    const seen = await waitForDiagnostics(document, (s) => of(s, IMDS).length > 0, `the ${IMDS} diagnostic`);
    assert.deepEqual(of(seen, IMDS), [
      { rule: IMDS, severity: 'error', range: [6, 0, 6, 36], text: 'resource "aws_instance" "web_server"' },
    ]);
    assert.deepEqual(of(seen, 'ec2-instance-role').map((d) => d.range[0]), [1, 6]);
    assert.deepEqual(of(seen, 'unused-suppression'), []);
  });
});

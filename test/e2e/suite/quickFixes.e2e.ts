/**
 * Quick fixes and fix-all through VS Code's own code action machinery: the
 * edits land in the editor exactly as the protocol tests reviewed them
 * (test/expected/examples/*.fixed), and the finding goes away.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  FIX_ALL_KIND, applyAction, codeActionsOfKind, openEditor, quickFixesAt, readRepoFile, revert, rulesIn, uriOf,
  waitFor, waitForDiagnostics,
} from '../helpers';
import { EXPECTED } from '../examples';

const expected = (file: string, rule: string): string => readRepoFile(`test/expected/examples/${file}.${rule}.fixed`);

/** Waits until fix-all has nothing left to do: every finding with an exact fix is gone. */
async function nothingLeftToFix(doc: vscode.TextDocument, fixedRules: string[]): Promise<void> {
  await waitForDiagnostics(doc, (s) => !s.some((d) => fixedRules.includes(d.rule)), `the ${fixedRules.join(', ')} diagnostics to go`);
  const more = await codeActionsOfKind(doc, FIX_ALL_KIND);
  assert.deepEqual(more.map((a) => a.title), [], 'fix-all still finds exact fixes to apply');
}

/** The one preferred quick fix for the `rule` finding, whose title matches `title`. */
async function preferredFix(doc: vscode.TextDocument, rule: string, title: RegExp): Promise<vscode.CodeAction> {
  await waitForDiagnostics(doc, (s) => rulesIn(s).includes(rule), `a ${rule} diagnostic`);
  const actions = await quickFixesAt(doc, rule);
  const preferred = actions.filter((a) => a.isPreferred && title.test(a.title));
  assert.equal(preferred.length, 1, `one preferred fix ${title} for ${rule}, got: ${actions.map((a) => a.title).join(' | ')}`);
  return preferred[0];
}

describe('quick fixes in VS Code', () => {
  const IMDSV2 = /^Require IMDSv2 session tokens/;
  const cases: [file: string, rule: string, title: RegExp][] = [
    ['cloudformation/web-server.yaml', 'ec2-imdsv2-required', IMDSV2],
    ['cloudformation/launch-template.json', 'ec2-imdsv2-required', IMDSV2],
    ['terraform/web/main.tf', 'ec2-imdsv2-required', IMDSV2],
    ['docker/go-service/Dockerfile', 'docker-multi-stage', /^Add a runtime stage `runtime` that copies only the output of stage `build`$/],
  ];
  for (const [file, rule, title] of cases) {
    it(`${file}: the ${rule} fix gives the reviewed text and clears the finding`, async () => {
      const { document } = await openEditor(file);
      await applyAction(await preferredFix(document, rule, title));
      assert.equal(document.getText(), expected(file, rule));
      await waitForDiagnostics(document, (s) => !rulesIn(s).includes(rule), `the ${rule} diagnostic to go`);
      await revert(document);
    });
  }

  it('terraform/web: the naming-snake-case fix renames across the module, in files that are not open', async () => {
    const { document } = await openEditor('terraform/web/main.tf');
    const outputs = uriOf('terraform/web/outputs.tf');
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === outputs.toString()), 'outputs.tf is already open');
    await applyAction(await preferredFix(document, 'naming-snake-case', /^Rename aws_instance\.WebServer to aws_instance\.web_server/));
    assert.equal(document.getText(), expected('terraform/web/main.tf', 'naming-snake-case'));
    const other = await vscode.workspace.openTextDocument(outputs);
    assert.equal(other.getText(), expected('terraform/web/outputs.tf', 'naming-snake-case'));
    assert.ok(other.isDirty, 'the edit of outputs.tf is unsaved, for the user to review');
    // The rename fixed its finding and left the others (the same rules as before, minus naming-snake-case).
    const others = rulesIn(EXPECTED['terraform/web/main.tf']).filter((r) => r !== 'naming-snake-case');
    await waitForDiagnostics(document, (s) => rulesIn(s).join() === others.join(), `only ${others.join(', ')}`);
    await revert(other);
    await revert(document);
  });

  it(`fix-all (${FIX_ALL_KIND}) applies every exact fix of a file in one edit`, async () => {
    const { document } = await openEditor('terraform/fleet/main.tf');
    // Two imdsv2 findings and a name to rename, among others.
    await waitForDiagnostics(document, (s) => rulesIn(s).filter((r) => r === 'ec2-imdsv2-required').length === 2 && rulesIn(s).includes('naming-snake-case'));
    const actions = await codeActionsOfKind(document, FIX_ALL_KIND);
    assert.deepEqual(actions.map((a) => a.title), ['Fix all auto-fixable iac-lint problems']);
    await applyAction(actions[0]);
    assert.equal(document.getText(), readRepoFile('test/e2e/expected/terraform/fleet/main.tf.fixed'));
    // What is left (a role, a subnet, a Name tag, alarms) needs a human.
    await nothingLeftToFix(document, ['ec2-imdsv2-required', 'naming-snake-case', 'ec2-detailed-monitoring', 'ec2-termination-protection']);
    await revert(document);
  });

  it('editor.codeActionsOnSave with source.fixAll.iac-lint fixes the file when it is saved', async () => {
    const editor = await openEditor('terraform/agents/main.tf');
    const { document } = editor;
    await waitForDiagnostics(document, (s) => rulesIn(s).includes('ec2-imdsv2-required'));
    // A user edit, then an explicit save (the workspace settings ask for fix-all on save for Terraform).
    const at = document.getText().indexOf('"t3.small"');
    await editor.edit((b) => b.replace(new vscode.Range(document.positionAt(at), document.positionAt(at + 10)), '"t3.medium"'));
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor('the save to finish', () => !document.isDirty);
    const want = readRepoFile('test/e2e/expected/terraform/agents/main.tf.fixed');
    assert.equal(document.getText(), want);
    assert.equal(fs.readFileSync(document.uri.fsPath, 'utf8'), want, 'the fixed text is what was written');
    await nothingLeftToFix(document, ['ec2-imdsv2-required', 'ec2-detailed-monitoring']);
  });
});

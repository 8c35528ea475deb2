/**
 * "iac-lint: Show Security Changes": asks the server for the IAM and security
 * group changes of the current CloudFormation template against the git base
 * (setting `iac-lint.diffBase`) and shows them as a Markdown document.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

const REQUEST = 'iac-lint/securityChanges';

export function registerSecurityChanges(context: vscode.ExtensionContext, client: () => LanguageClient | undefined): void {
  context.subscriptions.push(vscode.commands.registerCommand('iac-lint.showSecurityChanges', async (uri?: vscode.Uri) => {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target) {
      void vscode.window.showInformationMessage('iac-lint: open a CloudFormation template to see its security changes.');
      return;
    }
    const running = client();
    if (!running || !running.isRunning()) {
      void vscode.window.showWarningMessage('iac-lint: the server is not running (setting iac-lint.enable).');
      return;
    }
    const result = await running.sendRequest<{ title: string; markdown: string }>(REQUEST, { uri: running.code2ProtocolConverter.asUri(target) });
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: result.markdown });
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }));
}

/**
 * Starts the language server only once there is Infrastructure as Code around.
 *
 * The manifest activates the extension on `onLanguage:yaml`/`json` because a
 * CloudFormation template can have any name, but most YAML and JSON files are
 * something else. So activation itself is cheap, and the server (a Node process)
 * waits until either the workspace contains a file matching one of the
 * manifest's own `workspaceContains:` globs (Terraform, Dockerfiles, files named
 * like templates), or a document is opened or edited that may be IaC
 * (see iacFiles.ts).
 */
import * as vscode from 'vscode';
import { mayBeIac } from './iacFiles';

const SCHEMES = new Set(['file', 'untitled']);
const EXCLUDE = '**/{node_modules,.git,.terraform,.venv,dist,out}/**';

function isIacDocument(doc: vscode.TextDocument): boolean {
  return SCHEMES.has(doc.uri.scheme) && mayBeIac(doc.languageId, doc.uri.path, () => doc.getText());
}

/**
 * The globs of the manifest's `workspaceContains:` activation events, so that they
 * are written once. They contain no braces, so that one brace group can join them.
 */
function workspaceGlobs(context: vscode.ExtensionContext): string[] {
  const events = (context.extension.packageJSON as { activationEvents?: string[] }).activationEvents ?? [];
  return events.filter((e) => e.startsWith('workspaceContains:')).map((e) => e.slice('workspaceContains:'.length));
}

async function workspaceHasIac(globs: string[]): Promise<boolean> {
  if (!vscode.workspace.workspaceFolders?.length || globs.length === 0) return false;
  try {
    const found = await vscode.workspace.findFiles(`{${globs.join(',')}}`, EXCLUDE, 1);
    return found.length > 0;
  } catch {
    return false;
  }
}

/**
 * Calls `onPresent` once, as soon as IaC is seen; until then it watches opened and
 * edited documents and workspace folder changes. Returns immediately.
 */
export function whenIacPresent(context: vscode.ExtensionContext, onPresent: () => void): void {
  let done = false;
  const listeners: vscode.Disposable[] = [];
  const fire = (): void => {
    if (done) return;
    done = true;
    for (const l of listeners) l.dispose();
    onPresent();
  };
  const check = (doc: vscode.TextDocument): void => {
    if (!done && isIacDocument(doc)) fire();
  };
  listeners.push(
    vscode.workspace.onDidOpenTextDocument(check),
    vscode.workspace.onDidChangeTextDocument((e) => check(e.document)),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      void workspaceHasIac(workspaceGlobs(context)).then((yes) => yes && fire());
    }),
  );
  context.subscriptions.push(...listeners);
  if (vscode.workspace.textDocuments.some(isIacDocument)) {
    fire();
    return;
  }
  void workspaceHasIac(workspaceGlobs(context)).then((yes) => yes && fire());
}

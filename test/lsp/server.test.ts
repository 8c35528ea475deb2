/** Protocol tests: the real dist/server.js over stdio, as an editor talks to it. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeActionKind, DiagnosticSeverity, type InitializeResult } from 'vscode-languageserver-protocol';
import { LspClient } from '../helpers/lspClient';
import { fixFiles } from '../../server/engine/fixer';
import { applyLspEdits, engineFor, memoryWorkspace } from '../helpers/engine';

const YAML_TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  # web tier
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0abcdef1234567890
      MetadataOptions:
        HttpTokens: optional   # TODO
`;

const JSON_TEMPLATE = `{
    "Resources": {
        "Web": {
            "Type": "AWS::EC2::Instance",
            "Properties": {
                "ImageId": "ami-0abcdef1234567890"
            }
        }
    }
}
`;

/**
 * These tests use ec2-imdsv2-required as their example rule; other rules that
 * fire on the same templates (detailed monitoring, termination protection, ...)
 * are left out of the assertions so that adding rules does not change them.
 */
const IMDS = 'ec2-imdsv2-required';
function imds<T extends { code?: string | number }>(diags: T[] | undefined | null): T[] {
  return (diags ?? []).filter((d) => d.code === IMDS);
}

describe('language server over stdio', function () {
  this.timeout(30000);
  let client: LspClient;
  let dir: string;
  let init: InitializeResult;
  const uri = (name: string) => pathToFileURL(nodePath.join(dir, name)).href;

  before(async () => {
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'iac-lint-lsp-'));
    client = new LspClient();
    init = (await client.initialize(dir, { lintDebounceMs: 20 })) as InitializeResult;
  });
  after(async () => {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('announces incremental sync, quick fixes and source.fixAll.iac-lint', () => {
    const caps = init.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
    const kinds = (caps.codeActionProvider as { codeActionKinds: string[] }).codeActionKinds;
    assert.ok(kinds.includes(CodeActionKind.QuickFix));
    assert.ok(kinds.includes('source.fixAll.iac-lint'));
  });

  it('publishes a diagnostic with rule id, docs link and exact range for a YAML template', async () => {
    const diags = imds(await client.open(uri('web.yaml'), 'yaml', YAML_TEMPLATE));
    assert.equal(diags.length, 1);
    const d = diags[0];
    assert.equal(d.code, 'ec2-imdsv2-required');
    assert.equal(d.source, 'iac-lint');
    assert.equal(d.severity, DiagnosticSeverity.Error);
    assert.match(d.codeDescription!.href, /ec2-imdsv2-required\.md$/);
    assert.deepEqual(d.range, { start: { line: 8, character: 20 }, end: { line: 8, character: 28 } });
  });

  it('offers the quick fix with its edit inline, and the edit removes the finding', async () => {
    const u = uri('web.yaml');
    const diags = imds(client.latest.get(u)!.diagnostics);
    const actions = await client.codeActions(u, diags[0].range, { diagnostics: diags, only: [CodeActionKind.QuickFix] });
    const fix = actions.find((a) => a.kind === CodeActionKind.QuickFix && a.isPreferred);
    assert.ok(fix, `no preferred quick fix in ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.equal(fix.command, undefined);
    const edits = fix.edit!.changes![u];
    const fixed = applyLspEdits(YAML_TEMPLATE, edits);
    assert.equal(fixed, YAML_TEMPLATE.replace('HttpTokens: optional', 'HttpTokens: required'));
    const after = await client.change(u, 2, [{ text: fixed }]);
    assert.deepEqual(imds(after), []);
  });

  it('applies incremental changes and re-lints the new version', async () => {
    const u = uri('web.yaml');
    // "required" -> "requires" with a one-character range edit.
    const line = 8;
    const col = YAML_TEMPLATE.split('\n')[8].indexOf('optional') + 'required'.length - 1;
    const diags = imds(await client.change(u, 3, [{ range: { start: { line, character: col }, end: { line, character: col + 1 } }, text: 's' }]));
    assert.equal(diags.length, 1);
    assert.match(String(diags![0].message), /'requires'/);
  });

  it('drops superseded runs: a burst of changes publishes for the last version', async () => {
    const u = uri('burst.yaml');
    await client.open(u, 'yaml', YAML_TEMPLATE);
    const before = client.log.length;
    let text = YAML_TEMPLATE;
    for (let v = 2; v <= 11; v++) {
      text = text.replace('# TODO', `# TODO${v}`).replace(`# TODO${v - 1}`, `# TODO${v}`);
      await client.change(u, v, [{ text }], false);
    }
    const last = await client.waitForDiagnostics(u, 11);
    assert.equal(last.version, 11);
    const published = client.log.slice(before).filter((l) => l.params.uri === u);
    assert.ok(published.length < 10, `expected debounced publishes, got ${published.length} for 10 changes`);
  });

  it('lints a JSON template and fixes it in the file\'s own style', async () => {
    const u = uri('web.json');
    const diags = imds(await client.open(u, 'json', JSON_TEMPLATE));
    assert.equal(diags.length, 1);
    const actions = await client.codeActions(u, diags[0].range, { diagnostics: diags });
    const fix = actions.find((a) => a.isPreferred)!;
    const fixed = applyLspEdits(JSON_TEMPLATE, fix.edit!.changes![u]);
    assert.equal(fixed, JSON_TEMPLATE.replace('"ImageId": "ami-0abcdef1234567890"\n', '"ImageId": "ami-0abcdef1234567890",\n                "MetadataOptions": {\n                    "HttpTokens": "required"\n                }\n'));
  });

  it('answers source.fixAll.iac-lint with one edit that fixes the whole file', async () => {
    const text = YAML_TEMPLATE + `  Second:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        InstanceType: t3.micro
`;
    const u = uri('fixall.yaml');
    const diags = await client.open(u, 'yaml', text);
    assert.equal(imds(diags).length, 2);
    const actions = await client.codeActions(u, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, { diagnostics: [], only: ['source.fixAll.iac-lint'] });
    assert.equal(actions.length, 1);
    assert.equal(actions[0].kind, 'source.fixAll.iac-lint');
    const fixed = applyLspEdits(text, actions[0].edit!.changes![u]);
    // The same text as the engine's fix-all, which includes both imdsv2 fixes.
    const file = { path: nodePath.join(dir, 'fixall.yaml'), text };
    const expected = fixFiles(await engineFor(), [file], memoryWorkspace([file])).changed.get(file.path);
    assert.equal(fixed, expected);
    assert.ok(fixed.includes('HttpTokens: required   # TODO'), fixed);
    assert.ok(fixed.includes('      LaunchTemplateData:\n        InstanceType: t3.micro\n') && fixed.includes('        MetadataOptions:\n          HttpTokens: required\n'), fixed);
    const after = await client.change(u, 2, [{ text: fixed }]);
    assert.deepEqual(imds(after), []);
  });

  it('leaves other YAML alone and publishes nothing for it', async () => {
    const diags = await client.open(uri('workflow.yaml'), 'yaml', 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n');
    assert.deepEqual(diags, []);
  });

  it('turns a broken template into a diagnostic and keeps serving', async () => {
    const diags = await client.open(uri('broken.yaml'), 'yaml', 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Web:\n    Type: AWS::EC2::Instance\n   Properties: [\n');
    assert.ok(diags.some((d) => d.code === 'parse-error' && d.severity === DiagnosticSeverity.Error), JSON.stringify(diags));
    const again = imds(await client.open(uri('after-broken.yaml'), 'yaml', YAML_TEMPLATE));
    assert.equal(again.length, 1);
  });

  it('lints untitled documents by their language', async () => {
    const diags = imds(await client.open('untitled:Untitled-1', 'terraform', 'resource "aws_instance" "web" {\n  ami = "ami-1"\n}\n'));
    assert.equal(diags.length, 1);
    assert.equal(diags[0].code, 'ec2-imdsv2-required');
  });

  it('sees a Terraform module as a whole: an unsaved change in one file re-lints the others', async () => {
    const mod = nodePath.join(dir, 'module');
    fs.mkdirSync(mod);
    const main = pathToFileURL(nodePath.join(mod, 'main.tf')).href;
    const vars = pathToFileURL(nodePath.join(mod, 'variables.tf')).href;
    // variables.tf exists on disk with a bad default; main.tf only in the editor.
    fs.writeFileSync(nodePath.join(mod, 'variables.tf'), 'variable "tokens" {\n  default = "optional"\n}\n');
    const first = await client.open(main, 'terraform', 'resource "aws_instance" "web" {\n  metadata_options {\n    http_tokens = var.tokens\n  }\n}\n');
    assert.deepEqual(imds(first).map((d) => d.code), ['ec2-imdsv2-required']);
    await client.open(vars, 'terraform', 'variable "tokens" {\n  default = "optional"\n}\n');
    const relinted = client.waitForDiagnostics(main);
    await client.change(vars, 2, [{ text: 'variable "tokens" {\n  default = "required"\n}\n' }]);
    // Opening variables.tf may itself re-lint main.tf (still "optional") just before the change: skip that publish.
    let diags = (await relinted).diagnostics;
    for (let i = 0; i < 3 && imds(diags).length > 0; i++) diags = (await client.waitForDiagnostics(main)).diagnostics;
    assert.deepEqual(imds(diags), []);
  });

  it('clears diagnostics when a document closes', async () => {
    const u = uri('closing.yaml');
    await client.open(u, 'yaml', YAML_TEMPLATE);
    const wait = client.waitForDiagnostics(u);
    await client.close(u);
    assert.deepEqual((await wait).diagnostics, []);
  });
});

/**
 * Editor features over the real server: hover with the rule's docs, suppression
 * and documentation code actions, unused suppressions, the fix-all command
 * (workspace/applyEdit), the rule list, status notifications.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeActionKind, DiagnosticSeverity, type Hover, type MarkupContent } from 'vscode-languageserver-protocol';
import { LspClient } from '../helpers/lspClient';
import { applyLspEdits } from '../helpers/engine';

const YAML = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      MetadataOptions:
        HttpTokens: optional
`;
const TF = 'resource "aws_instance" "Web" {\n  ami = "ami-1"\n}\n';
const hoverText = (h: Hover | null) => (h?.contents as MarkupContent | undefined)?.value ?? '';

describe('editor features', function () {
  this.timeout(30000);
  let dir: string;
  let client: LspClient;
  const uri = (name: string) => pathToFileURL(nodePath.join(dir, name)).href;

  before(async () => {
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'iac-lint-editor-'));
    client = new LspClient();
    await client.initialize(dir, { trusted: true, lintDebounceMs: 10 });
  });
  after(async () => {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('announces hover and the server commands', async () => {
    const c2 = new LspClient();
    try {
      const init = (await c2.initialize(dir)) as { capabilities: { hoverProvider: boolean; executeCommandProvider: { commands: string[] } } };
      assert.equal(init.capabilities.hoverProvider, true);
      assert.deepEqual(init.capabilities.executeCommandProvider.commands.sort(), ['iac-lint.server.cancelScan', 'iac-lint.server.fixAll', 'iac-lint.server.scanWorkspace']);
    } finally {
      await c2.stop();
    }
  });

  it('hover on a finding shows the rule, why (with the seed quote), a good example in the file\'s format and a docs link', async () => {
    const diags = await client.open(uri('h.yaml'), 'yaml', YAML);
    const h = await client.hover(uri('h.yaml'), diags[0].range.start);
    const text = hoverText(h);
    assert.match(text, /`ec2-imdsv2-required` · error/);
    assert.match(text, /must require session tokens/);
    assert.match(text, /> DO NOT disable EC2 instance metadata/);
    assert.match(text, /\*\*Good\*\*\n\n```yaml\n[\s\S]*HttpTokens: required/);
    assert.match(text, /command:iac-lint\.openRuleDocs\?%5B%22ec2-imdsv2-required%22%5D/);
    assert.deepEqual(h!.range, diags[0].range);
    const tf = await client.open(uri('h.tf'), 'terraform', TF);
    const imds = tf.find((d) => d.code === 'ec2-imdsv2-required')!;
    assert.match(hoverText(await client.hover(uri('h.tf'), imds.range.start)), /```hcl\n[\s\S]*http_tokens = "required"/);
    assert.equal(await client.hover(uri('h.yaml'), { line: 0, character: 0 }), null);
  });

  it('offers suppress-for-line/resource/file and show-documentation for a finding; the line suppression works', async () => {
    const u = uri('s.yaml');
    const diags = await client.open(u, 'yaml', YAML);
    const actions = await client.codeActions(u, diags[0].range, { diagnostics: diags, only: [CodeActionKind.QuickFix] });
    assert.deepEqual(actions.map((a) => a.title), [
      'Require IMDSv2 session tokens (HttpTokens: required)',
      'Suppress ec2-imdsv2-required for this line',
      'Suppress ec2-imdsv2-required for Web',
      'Suppress ec2-imdsv2-required for this file',
      'Show documentation for ec2-imdsv2-required',
    ]);
    const docs = actions[4];
    assert.deepEqual(docs.command, { title: 'Show documentation for ec2-imdsv2-required', command: 'iac-lint.openRuleDocs', arguments: ['ec2-imdsv2-required'] });
    const line = applyLspEdits(YAML, actions[1].edit!.changes![u]);
    assert.ok(line.includes('        # iac-lint-ignore ec2-imdsv2-required -- <reason>\n        HttpTokens: optional'), line);
    assert.deepEqual(await client.change(u, 2, [{ text: line }]), []);
    // The resource form writes Metadata; that works too.
    const resource = applyLspEdits(YAML, actions[2].edit!.changes![u]);
    assert.deepEqual(await client.change(u, 3, [{ text: resource }]), []);
  });

  it('does not offer the same suppression twice (a finding on a Terraform block\'s first line)', async () => {
    const u = uri('dup.tf');
    const text = 'resource "aws_instance" "web" {\n  ami = "ami-1"\n}\n';
    const diags = await client.open(u, 'terraform', text);
    const imds = diags.filter((d) => d.code === 'ec2-imdsv2-required');
    const actions = await client.codeActions(u, imds[0].range, { diagnostics: imds, only: [CodeActionKind.QuickFix] });
    assert.deepEqual(actions.map((a) => a.title).filter((t) => t.startsWith('Suppress')), ['Suppress ec2-imdsv2-required for this line', 'Suppress ec2-imdsv2-required for this file']);
    const suppressed = applyLspEdits(text, actions.find((a) => a.title.endsWith('this line'))!.edit!.changes![u]);
    assert.equal(suppressed, `# iac-lint-ignore ec2-imdsv2-required -- <reason>\n${text}`);
  });

  it('an unused suppression is an information diagnostic with a removal fix', async () => {
    const u = uri('unused.tf');
    const text = '# iac-lint-ignore ec2-imdsv2-required -- old\nresource "aws_instance" "web" {\n  metadata_options {\n    http_tokens = "required"\n  }\n}\n';
    const diags = await client.open(u, 'terraform', text);
    assert.deepEqual(diags.map((d) => [d.code, d.severity, d.range.start.line, d.range.start.character]), [['unused-suppression', DiagnosticSeverity.Information, 0, 18]]);
    assert.match(diags[0].codeDescription!.href, /docs\/suppression\.md#unused-suppressions$/);
    const actions = await client.codeActions(u, diags[0].range, { diagnostics: diags });
    assert.equal(actions[0].title, 'Remove the unused suppression (review)');
    assert.equal(applyLspEdits(text, actions[0].edit!.changes![u]), text.split('\n').slice(1).join('\n'));
    assert.ok(!actions.some((a) => /^Suppress/.test(a.title)), 'offers to suppress the unused-suppression report');
  });

  it('honours peer suppressions in the editor (checkov)', async () => {
    const diags = await client.open(uri('peer.tf'), 'terraform', 'resource "aws_instance" "web" {\n  #checkov:skip=CKV_AWS_79:vendor agent needs IMDSv1\n  ami = "ami-1"\n}\n');
    assert.deepEqual(diags, []);
  });

  it('the fix-all command applies every exact fix through workspace/applyEdit', async () => {
    const u = uri('fixall.yaml');
    const text = YAML + '  Second:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n      LaunchTemplateData:\n        InstanceType: t3.micro\n';
    await client.open(u, 'yaml', text);
    const before = client.appliedEdits.length;
    const res = await client.executeCommand('iac-lint.server.fixAll', [{ uri: u, version: 1 }]);
    assert.deepEqual(res, { applied: true });
    assert.equal(client.appliedEdits.length, before + 1);
    const applied = client.appliedEdits[before];
    assert.equal(applied.label, 'Fix all auto-fixable iac-lint problems');
    const fixed = applyLspEdits(text, applied.edit.changes![u]);
    assert.equal(fixed, text.replace('HttpTokens: optional', 'HttpTokens: required') + '        MetadataOptions:\n          HttpTokens: required\n');
    // A stale version is refused.
    assert.deepEqual(await client.executeCommand('iac-lint.server.fixAll', [{ uri: u, version: 7 }]), { applied: false });
  });

  it('lists the rules with their docs for the quick pick', async () => {
    const list = (await client.conn.sendRequest('iac-lint/listRules', {})) as { id: string; severity: string; description: string; docs: string | null }[];
    const imds = list.find((r) => r.id === 'ec2-imdsv2-required')!;
    assert.equal(imds.severity, 'error');
    assert.ok(imds.docs && fs.existsSync(imds.docs) && imds.docs.endsWith(nodePath.join('docs', 'ec2-imdsv2-required.md')), String(imds.docs));
    assert.ok(list.every((r) => r.description.length > 10));
  });

  it('sends status notifications: idle, with the problem counts', async () => {
    await client.waitUntil(() => {
      const s = client.statuses[client.statuses.length - 1] as { state: string } | undefined;
      return s?.state === 'idle';
    }, 'an idle status');
    const s = client.statuses[client.statuses.length - 1] as { state: string; problems: { errors: number; warnings: number; infos: number; files: number }; trusted: boolean };
    let errors = 0;
    let files = 0;
    for (const p of client.latest.values()) {
      errors += p.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).length;
      if (p.diagnostics.length) files++;
    }
    assert.equal(s.problems.errors, errors);
    assert.equal(s.problems.files, files);
    assert.equal(s.trusted, true);
  });
});

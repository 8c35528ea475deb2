/**
 * Editor features over the real server: hover with the rule's docs, suppression
 * and documentation code actions, unused suppressions, the fix-all command
 * (workspace/applyEdit), the rule list, status notifications.
 *
 * The example rule is ec2-imdsv2-required: assertions look at its diagnostics
 * (other rules fire on the same samples), and where a suppression removes it,
 * the other rules' findings must stay as they were.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeActionKind, DiagnosticSeverity, type Hover, type MarkupContent } from 'vscode-languageserver-protocol';
import { LspClient } from '../helpers/lspClient';
import { applyLspEdits, engineFor, memoryWorkspace } from '../helpers/engine';
import { IMDS, imds, ofRule, otherCodes } from '../helpers/diagnostics';
import { fixFiles } from '../../server/engine/fixer';

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
    const diags = imds(await client.open(uri('h.yaml'), 'yaml', YAML));
    assert.equal(diags.length, 1);
    const h = await client.hover(uri('h.yaml'), diags[0].range.start);
    const text = hoverText(h);
    assert.match(text, /`ec2-imdsv2-required` · error/);
    assert.match(text, /must require session tokens/);
    assert.match(text, /> DO NOT disable EC2 instance metadata/);
    assert.match(text, /\*\*Good\*\*\n\n```yaml\n[\s\S]*HttpTokens: required/);
    assert.match(text, /command:iac-lint\.openRuleDocs\?%5B%22ec2-imdsv2-required%22%5D/);
    assert.deepEqual(h!.range, diags[0].range);
    const tf = await client.open(uri('h.tf'), 'terraform', TF);
    const tfImds = imds(tf)[0];
    assert.match(hoverText(await client.hover(uri('h.tf'), tfImds.range.start)), /```hcl\n[\s\S]*http_tokens = "required"/);
    assert.equal(await client.hover(uri('h.yaml'), { line: 0, character: 0 }), null);
  });

  it('offers suppress-for-line/resource/file and show-documentation for a finding; the line suppression works', async () => {
    const u = uri('s.yaml');
    const all = await client.open(u, 'yaml', YAML);
    const diags = imds(all);
    assert.equal(diags.length, 1);
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
    // The finding is gone, nothing else changes (and the suppression is not reported as unused).
    const afterLine = await client.change(u, 2, [{ text: line }]);
    assert.deepEqual(imds(afterLine), []);
    assert.deepEqual(otherCodes(IMDS, afterLine), otherCodes(IMDS, all));
    // The resource form writes Metadata; that works too.
    const resource = applyLspEdits(YAML, actions[2].edit!.changes![u]);
    const afterResource = await client.change(u, 3, [{ text: resource }]);
    assert.deepEqual(imds(afterResource), []);
    assert.deepEqual(otherCodes(IMDS, afterResource), otherCodes(IMDS, all));
  });

  it('does not offer the same suppression twice (a finding on a Terraform block\'s first line)', async () => {
    const u = uri('dup.tf');
    const text = 'resource "aws_instance" "web" {\n  ami = "ami-1"\n}\n';
    const found = imds(await client.open(u, 'terraform', text));
    assert.equal(found.length, 1);
    const actions = await client.codeActions(u, found[0].range, { diagnostics: found, only: [CodeActionKind.QuickFix] });
    assert.deepEqual(actions.map((a) => a.title).filter((t) => t.startsWith('Suppress')), ['Suppress ec2-imdsv2-required for this line', 'Suppress ec2-imdsv2-required for this file']);
    const suppressed = applyLspEdits(text, actions.find((a) => a.title.endsWith('this line'))!.edit!.changes![u]);
    assert.equal(suppressed, `# iac-lint-ignore ec2-imdsv2-required -- <reason>\n${text}`);
  });

  it('an unused suppression is an information diagnostic with a removal fix', async () => {
    const u = uri('unused.tf');
    const text = '# iac-lint-ignore ec2-imdsv2-required -- old\nresource "aws_instance" "web" {\n  metadata_options {\n    http_tokens = "required"\n  }\n}\n';
    const all = await client.open(u, 'terraform', text);
    // The instance requires tokens: no imdsv2 finding, so the suppression is unused.
    assert.deepEqual(imds(all), []);
    const diags = ofRule('unused-suppression', all);
    assert.deepEqual(diags.map((d) => [d.code, d.severity, d.range.start.line, d.range.start.character]), [['unused-suppression', DiagnosticSeverity.Information, 0, 18]]);
    assert.match(diags[0].codeDescription!.href, /docs\/suppression\.md#unused-suppressions$/);
    const actions = await client.codeActions(u, diags[0].range, { diagnostics: diags });
    assert.equal(actions[0].title, 'Remove the unused suppression (review)');
    assert.equal(applyLspEdits(text, actions[0].edit!.changes![u]), text.split('\n').slice(1).join('\n'));
    assert.ok(!actions.some((a) => /^Suppress/.test(a.title)), 'offers to suppress the unused-suppression report');
  });

  it('honours peer suppressions in the editor (checkov)', async () => {
    const u = uri('peer.tf');
    const plain = await client.open(u, 'terraform', 'resource "aws_instance" "web" {\n  ami = "ami-1"\n}\n');
    assert.equal(imds(plain).length, 1);
    const diags = (await client.change(u, 2, [{ text: 'resource "aws_instance" "web" {\n  #checkov:skip=CKV_AWS_79:vendor agent needs IMDSv1\n  ami = "ami-1"\n}\n' }]))!;
    assert.deepEqual(imds(diags), []);
    // Only the rule CKV_AWS_79 maps to is suppressed.
    assert.deepEqual(otherCodes(IMDS, diags), otherCodes(IMDS, plain));
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
    // The same text as the engine's fix-all (every rule's exact fixes), which includes both imdsv2 fixes.
    const file = { path: nodePath.join(dir, 'fixall.yaml'), text };
    assert.equal(fixed, fixFiles(await engineFor(), [file], memoryWorkspace([file])).changed.get(file.path));
    assert.ok(fixed.includes('        HttpTokens: required\n'), fixed);
    assert.ok(fixed.includes('      LaunchTemplateData:\n        InstanceType: t3.micro\n') && fixed.includes('        MetadataOptions:\n          HttpTokens: required\n'), fixed);
    assert.deepEqual(imds(await client.change(u, 2, [{ text: fixed }])), []);
    // A stale version is refused.
    assert.deepEqual(await client.executeCommand('iac-lint.server.fixAll', [{ uri: u, version: 7 }]), { applied: false });
  });

  it('lists the rules with their docs for the quick pick', async () => {
    const list = (await client.conn.sendRequest('iac-lint/listRules', {})) as { id: string; severity: string; description: string; docs: string | null }[];
    const rule = list.find((r) => r.id === IMDS)!;
    assert.equal(rule.severity, 'error');
    assert.ok(rule.docs && fs.existsSync(rule.docs) && rule.docs.endsWith(nodePath.join('docs', 'ec2-imdsv2-required.md')), String(rule.docs));
    assert.ok(list.every((r) => r.description.length > 10));
  });

  it('sends status notifications: idle, with the problem counts', async () => {
    type Status = { state: string; problems: { errors: number; warnings: number; infos: number; files: number }; trusted: boolean };
    const last = () => client.statuses[client.statuses.length - 1] as Status | undefined;
    const published = () => {
      let errors = 0;
      let files = 0;
      for (const p of client.latest.values()) {
        errors += p.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).length;
        if (p.diagnostics.length) files++;
      }
      return { errors, files };
    };
    // The status is debounced (100 ms) after the last publish: wait for one that is idle and
    // counts what has been published; a status that never agrees fails with the last values seen.
    await client.waitUntil(() => {
      const s = last();
      const p = published();
      return s?.state === 'idle' && s.problems.errors === p.errors && s.problems.files === p.files;
    }, 'an idle status with the published problem counts', 5000).catch((e: Error) => {
      throw new Error(`${e.message.split(';')[0]}: last status ${JSON.stringify(last())}, published ${JSON.stringify(published())}`);
    });
    const s = last()!;
    const p = published();
    assert.ok(p.errors > 0 && p.files > 1, JSON.stringify(p));
    assert.equal(s.problems.errors, p.errors);
    assert.equal(s.problems.files, p.files);
    assert.equal(s.trusted, true);
  });
});

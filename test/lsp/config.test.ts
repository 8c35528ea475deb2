/**
 * `.iac-lint.yaml` in the editor: problems are diagnostics on the config file
 * (saved file and open buffer), every valid entry applies, a change re-lints open
 * documents and scan results, `ignore:` applies to both, and an untrusted
 * workspace uses the built-in defaults until trust is granted.
 *
 * The configurations act on ec2-imdsv2-required, and the assertions look at its
 * diagnostics (other rules also fire on the samples); where a test turns the rule
 * off, it also checks that the other rules' findings stay as they were.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, FileChangeType } from 'vscode-languageserver-protocol';
import { LspClient } from '../helpers/lspClient';
import { IMDS, imds, otherCodes } from '../helpers/diagnostics';

const TEMPLATE = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Web:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-1\n';
const TF = 'resource "aws_instance" "web" {\n  ami = "ami-1"\n}\n';

function write(root: string, rel: string, text: string): string {
  const p = nodePath.join(root, rel);
  fs.mkdirSync(nodePath.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

describe('configuration file in the editor', function () {
  this.timeout(60000);
  let root: string;
  let client: LspClient;
  const uri = (rel: string) => pathToFileURL(nodePath.join(root, rel)).href;

  beforeEach(() => {
    root = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'iac-lint-cfg-'));
  });
  afterEach(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function start(opts: object = { trusted: true }): Promise<void> {
    client = new LspClient();
    await client.initialize(root, { lintDebounceMs: 10, ...opts });
  }

  it('a broken entry is a diagnostic on the config file; the valid ones apply', async () => {
    const text = 'rules:\n  ec2-imdsv2-required: warning\n  no-such-rule: off\noptions:\n  maxPortRange: wide\n';
    write(root, '.iac-lint.yaml', text);
    write(root, 'closed.tf', TF);
    client = new LspClient();
    const configDiags = client.waitForDiagnostics(uri('.iac-lint.yaml'));
    const scanned = client.waitForDiagnostics(uri('closed.tf'));
    await client.initialize(root, { trusted: true, lintDebounceMs: 10 });
    const diags = (await configDiags).diagnostics;
    assert.deepEqual(diags.map((d) => [d.code, d.severity, d.range.start.line, d.range.start.character, d.range.end.character]), [
      ['config', DiagnosticSeverity.Error, 2, 2, 14],
      ['config', DiagnosticSeverity.Error, 4, 16, 20],
    ]);
    assert.match(String(diags[0].message), /unknown rule id `no-such-rule`/);
    assert.match(String(diags[1].message), /option `maxPortRange` must be number/);
    // The valid severity applies, to open and scanned files alike.
    assert.deepEqual(imds((await scanned).diagnostics).map((d) => d.severity), [DiagnosticSeverity.Warning]);
    const open = await client.open(uri('t.yaml'), 'yaml', TEMPLATE);
    assert.deepEqual(imds(open).map((d) => [d.code, d.severity]), [['ec2-imdsv2-required', DiagnosticSeverity.Warning]]);
  });

  it('a YAML syntax error is one diagnostic and the defaults keep working', async () => {
    write(root, '.iac-lint.yaml', 'rules:\n  ec2-imdsv2-required: off\n bad: [\n');
    client = new LspClient();
    const configDiags = client.waitForDiagnostics(uri('.iac-lint.yaml'));
    await client.initialize(root, { trusted: true, lintDebounceMs: 10 });
    const d = (await configDiags).diagnostics;
    assert.ok(d.length >= 1 && /syntax error/.test(String(d[0].message)), JSON.stringify(d));
    const open = await client.open(uri('t.yaml'), 'yaml', TEMPLATE);
    assert.deepEqual(imds(open).map((x) => [x.code, x.severity]), [['ec2-imdsv2-required', DiagnosticSeverity.Error]]);
  });

  it('a config change on disk re-lints open documents and scan results; fixing it clears its diagnostics', async () => {
    write(root, 'closed.tf', TF);
    const cfgPath = write(root, '.iac-lint.yaml', 'rules:\n  bogus: off\n');
    client = new LspClient();
    const first = client.waitForDiagnostics(uri('closed.tf'));
    const cfgFirst = client.waitForDiagnostics(uri('.iac-lint.yaml'));
    await client.initialize(root, { trusted: true, lintDebounceMs: 10 });
    const closedBefore = (await first).diagnostics;
    assert.equal(imds(closedBefore).length, 1);
    assert.equal((await cfgFirst).diagnostics.length, 1);
    const open = await client.open(uri('t.yaml'), 'yaml', TEMPLATE);
    assert.equal(imds(open).length, 1);
    fs.writeFileSync(cfgPath, 'rules:\n  ec2-imdsv2-required: off\n');
    const waits = [client.waitForDiagnostics(uri('t.yaml')), client.waitForDiagnostics(uri('closed.tf')), client.waitForDiagnostics(uri('.iac-lint.yaml'))];
    await client.filesChanged([{ uri: uri('.iac-lint.yaml'), type: FileChangeType.Changed }]);
    const [openAfter, closedAfter, cfgAfter] = await Promise.all(waits);
    assert.deepEqual(imds(openAfter.diagnostics), []);
    assert.deepEqual(imds(closedAfter.diagnostics), []);
    // Only the rule turned off is gone.
    assert.deepEqual(otherCodes(IMDS, openAfter.diagnostics), otherCodes(IMDS, open));
    assert.deepEqual(otherCodes(IMDS, closedAfter.diagnostics), otherCodes(IMDS, closedBefore));
    assert.deepEqual(cfgAfter.diagnostics, []);
    // Deleting the file brings the defaults back.
    fs.rmSync(cfgPath);
    const back = client.waitForDiagnostics(uri('t.yaml'));
    await client.filesChanged([{ uri: uri('.iac-lint.yaml'), type: FileChangeType.Deleted }]);
    assert.equal(imds((await back).diagnostics).length, 1);
  });

  it('an open config buffer is checked as you type', async () => {
    await start();
    const u = uri('.iac-lint.yaml');
    const diags = await client.open(u, 'yaml', 'rules:\n  ec2-imdsv2-required: loud\n');
    assert.deepEqual(diags.map((d) => String(d.message).split(' —')[0]), ['rule `ec2-imdsv2-required`: severity must be one of error, warning, info, hint, off']);
    assert.deepEqual(await client.change(u, 2, [{ text: 'rules:\n  ec2-imdsv2-required: info\n' }]), []);
  });

  it('`ignore:` paths are not linted, open or not', async () => {
    write(root, '.iac-lint.yaml', 'ignore:\n  - legacy/\n');
    write(root, 'legacy/old.tf', TF);
    write(root, 'live/new.tf', TF);
    client = new LspClient();
    const live = client.waitForDiagnostics(uri('live/new.tf'));
    await client.initialize(root, { trusted: true, lintDebounceMs: 10 });
    assert.equal(imds((await live).diagnostics).length, 1);
    assert.equal(client.latest.has(uri('legacy/old.tf')), false);
    assert.deepEqual(await client.open(uri('legacy/open.tf'), 'terraform', TF), []);
  });

  it('untrusted: built-in defaults only, until trust is granted', async () => {
    write(root, '.iac-lint.yaml', 'rules:\n  ec2-imdsv2-required: off\n');
    await start({ trusted: false });
    const u = uri('t.yaml');
    const untrusted = await client.open(u, 'yaml', TEMPLATE);
    assert.deepEqual(imds(untrusted).map((d) => d.code), ['ec2-imdsv2-required']);
    const cfgOpen = await client.open(uri('.iac-lint.yaml'), 'yaml', 'rules:\n  ec2-imdsv2-required: off\n');
    assert.deepEqual(cfgOpen.map((d) => d.severity), [DiagnosticSeverity.Information]);
    assert.match(String(cfgOpen[0].message), /not trusted/);
    const after = client.waitForDiagnostics(u, 1);
    await client.conn.sendNotification('iac-lint/setTrusted', { trusted: true });
    const trusted = (await after).diagnostics;
    assert.deepEqual(imds(trusted), []);
    assert.deepEqual(otherCodes(IMDS, trusted), otherCodes(IMDS, untrusted));
  });
});

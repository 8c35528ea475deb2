/**
 * The workspace scan over the real server: a generated workspace of about three
 * thousand files with ignored folders (.gitignore, files.exclude, node_modules,
 * the configuration's `ignore:`, a size limit), work-done progress with counts,
 * open documents first, cancelling, and results kept fresh from watched-file
 * events (Terraform modules re-checked as a whole).
 *
 * Which files have findings is counted over every rule (clean files are not
 * CloudFormation at all); the freshness tests follow ec2-imdsv2-required, which
 * the samples switch on and off (other rules fire on both versions).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileChangeType } from 'vscode-languageserver-protocol';
import { LspClient } from '../helpers/lspClient';
import { imds } from '../helpers/diagnostics';

const TF_BAD = (i: number) => `resource "aws_instance" "web_${i}" {\n  ami = "ami-${i}"\n}\n`;
const TF_GOOD = (i: number) => `resource "aws_instance" "web_${i}" {\n  ami = "ami-${i}"\n  metadata_options {\n    http_tokens = "required"\n  }\n}\n`;
const CFN_BAD = (i: number) => `AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Web${i}:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-${i}\n`;
const DOCKER_BAD = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD ["/app"]\n';

function write(root: string, rel: string, text: string): string {
  const p = nodePath.join(root, rel);
  fs.mkdirSync(nodePath.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

interface Workspace {
  root: string;
  expected: Set<string>;
  ignored: string[];
  total: number;
}

/** ~3,000 files: 1,650 that have findings, the rest clean or left out for a reason. */
function generate(): Workspace {
  const root = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'iac-lint-scan-'));
  const expected = new Set<string>();
  const ignored: string[] = [];
  let total = 0;
  const add = (rel: string, text: string, kind: 'finding' | 'clean' | 'ignored'): void => {
    const p = write(root, rel, text);
    total++;
    if (kind === 'finding') expected.add(pathToFileURL(p).href);
    if (kind === 'ignored') ignored.push(pathToFileURL(p).href);
  };
  for (let m = 0; m < 300; m++) for (let f = 0; f < 4; f++) add(`infra/mod${m}/f${f}.tf`, TF_BAD(m * 10 + f), 'finding');
  for (let i = 0; i < 300; i++) add(`stacks/s${i % 30}/t${i}.yaml`, CFN_BAD(i), 'finding');
  for (let i = 0; i < 200; i++) add(`ci/w${i}.yml`, 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n', 'clean');
  for (let i = 0; i < 150; i++) add(`services/svc${i}/Dockerfile`, DOCKER_BAD, 'finding');
  for (let i = 0; i < 400; i++) add(`node_modules/pkg${i % 40}/m${i}.tf`, TF_BAD(i), 'ignored');
  for (let i = 0; i < 400; i++) add(`build/out${i % 20}/t${i}.yaml`, CFN_BAD(i), 'ignored');
  for (let i = 0; i < 300; i++) add(`generated/g${i}.tf`, TF_BAD(i), 'ignored');
  for (let i = 0; i < 100; i++) add(`legacy/old${i}.tf`, TF_BAD(i), 'ignored');
  add('huge/big.yaml', CFN_BAD(0) + `# ${'x'.repeat(70 * 1024)}\n`, 'ignored');
  write(root, '.gitignore', 'build/\n');
  write(root, '.iac-lint.yaml', 'ignore:\n  - legacy/\n');
  return { root, expected, ignored, total };
}

const withFindings = (client: LspClient) => new Set([...client.latest.values()].filter((p) => p.diagnostics.length > 0).map((p) => p.uri));

describe('workspace scan (generated workspace, ~3,000 files)', function () {
  this.timeout(180000);
  let ws: Workspace;
  let client: LspClient;
  let scanMs = 0;

  before(async () => {
    ws = generate();
    assert.ok(ws.total >= 3000, `only ${ws.total} files generated`);
    client = new LspClient();
    const rootUri = pathToFileURL(ws.root).href;
    client.settings = {
      'iac-lint': { workspaceScan: 'onStartup', scan: { maxFileSizeKB: 64 } },
      [`${rootUri} files.exclude`]: { '**/generated': true, '**/.git': true },
    };
    const t0 = Date.now();
    await client.initialize(ws.root, { trusted: true, lintDebounceMs: 10 }, { capabilities: { workspace: { configuration: true }, window: { workDoneProgress: true } } });
    await client.waitUntil(() => [...client.progress.values()].some((v) => v.some((x) => x.kind === 'end')), 'the scan to end', 150000);
    scanMs = Date.now() - t0;
  });
  after(async () => {
    await client.stop();
    fs.rmSync(ws.root, { recursive: true, force: true });
  });

  it('publishes the findings of every candidate file, and of nothing that is ignored', async () => {
    await client.waitUntil(() => withFindings(client).size >= ws.expected.size, `${ws.expected.size} files with findings`, 20000);
    const got = withFindings(client);
    assert.deepEqual([...got].filter((u) => !ws.expected.has(u)), []);
    assert.equal(got.size, ws.expected.size);
    const everPublished = new Set(client.log.map((l) => l.params.uri));
    assert.deepEqual(ws.ignored.filter((u) => everPublished.has(u)), [], 'an ignored file got diagnostics');
    // Clean files are not published at all (nothing to clear).
    assert.ok(![...everPublished].some((u) => u.includes('/ci/')), 'clean files were published');
    const tf = client.latest.get([...ws.expected].find((u) => u.endsWith('.tf'))!)!;
    assert.equal(imds(tf.diagnostics).length, 1);
    assert.equal(tf.version, undefined, 'scan results carry no document version');
    console.log(`      (scan of ${ws.total} files, ${ws.expected.size} with findings: ${scanMs} ms)`);
  });

  it('reports work-done progress: cancellable, with a file count, ended', async () => {
    const values = [...client.progress.values()].find((v) => v.some((x) => x.kind === 'end'))!;
    assert.equal(values[0].kind, 'begin');
    assert.equal(values[0].cancellable, true);
    const counts = values.filter((v) => v.kind === 'report' && /^\d+\/\d+ files$/.test(v.message ?? '')).map((v) => v.message!);
    assert.ok(counts.length >= 2, JSON.stringify(values.slice(0, 5)));
    assert.equal(counts[counts.length - 1], `${ws.expected.size + 200}/${ws.expected.size + 200} files`);
    // The idle status follows the progress end on the wire: wait for it rather than read what has arrived so far.
    const lastStatus = () => client.statuses[client.statuses.length - 1] as { state: string; problems: { files: number } } | undefined;
    await client.waitUntil(() => lastStatus()?.state === 'idle', `an idle status after the scan (last: ${JSON.stringify(lastStatus())})`, 5000);
    const last = lastStatus()!;
    assert.ok(last.problems.files >= ws.expected.size);
  });

  it('keeps results fresh from watched-file events: change, create, delete, ignored paths', async () => {
    const fixedPath = nodePath.join(ws.root, 'infra', 'mod1', 'f0.tf');
    const fixedUri = pathToFileURL(fixedPath).href;
    fs.writeFileSync(fixedPath, TF_GOOD(1));
    const created = write(ws.root, 'infra/new/main.tf', TF_BAD(9999));
    const createdUri = pathToFileURL(created).href;
    const ignoredNew = write(ws.root, 'generated/new.tf', TF_BAD(1));
    const deleted = nodePath.join(ws.root, 'stacks', 's0', 't0.yaml');
    const deletedUri = pathToFileURL(deleted).href;
    fs.rmSync(deleted);
    const waits = [client.waitForDiagnostics(fixedUri), client.waitForDiagnostics(createdUri), client.waitForDiagnostics(deletedUri)];
    await client.filesChanged([
      { uri: pathToFileURL(ignoredNew).href, type: FileChangeType.Created },
      { uri: fixedUri, type: FileChangeType.Changed },
      { uri: createdUri, type: FileChangeType.Created },
      { uri: deletedUri, type: FileChangeType.Deleted },
    ]);
    const [fixed, fresh, gone] = await Promise.all(waits);
    assert.deepEqual(imds(fixed.diagnostics), []);
    assert.deepEqual(imds(fresh.diagnostics).map((d) => d.code), ['ec2-imdsv2-required']);
    assert.deepEqual(gone.diagnostics, []);
    assert.equal(client.latest.has(pathToFileURL(ignoredNew).href), false);
  });

  it('re-checks a Terraform module as a whole when one of its files changes on disk', async () => {
    const main = write(ws.root, 'infra/vars/main.tf', 'resource "aws_instance" "web" {\n  metadata_options {\n    http_tokens = var.tokens\n  }\n}\n');
    const vars = write(ws.root, 'infra/vars/variables.tf', 'variable "tokens" {\n  default = "optional"\n}\n');
    const mainUri = pathToFileURL(main).href;
    const first = client.waitForDiagnostics(mainUri);
    await client.filesChanged([{ uri: pathToFileURL(main).href, type: FileChangeType.Created }, { uri: pathToFileURL(vars).href, type: FileChangeType.Created }]);
    assert.deepEqual(imds((await first).diagnostics).map((d) => d.code), ['ec2-imdsv2-required']);
    fs.writeFileSync(vars, 'variable "tokens" {\n  default = "required"\n}\n');
    const again = client.waitForDiagnostics(mainUri);
    await client.filesChanged([{ uri: pathToFileURL(vars).href, type: FileChangeType.Changed }]);
    assert.deepEqual(imds((await again).diagnostics), []);
  });

  it('an unsaved edit in an open module file re-checks its closed siblings', async () => {
    const vars = nodePath.join(ws.root, 'infra', 'vars', 'variables.tf');
    const varsUri = pathToFileURL(vars).href;
    const main = pathToFileURL(nodePath.join(ws.root, 'infra', 'vars', 'main.tf')).href;
    assert.deepEqual(imds(client.latest.get(main)!.diagnostics), []);
    await client.open(varsUri, 'terraform', fs.readFileSync(vars, 'utf8'));
    await client.change(varsUri, 2, [{ text: 'variable "tokens" {\n  default = "optional"\n}\n' }], false);
    await client.waitUntil(() => imds(client.latest.get(main)!.diagnostics).length === 1, 'main.tf to see the unsaved variable');
    // Closing without saving: the disk content counts again.
    await client.close(varsUri);
    await client.waitUntil(() => imds(client.latest.get(main)!.diagnostics).length === 0, 'main.tf to see the saved variable again');
  });

  it('a .gitignore change drops the files it now ignores', async () => {
    const victim = [...ws.expected].find((u) => u.includes('/services/svc7/'))!;
    assert.ok(withFindings(client).has(victim));
    fs.appendFileSync(nodePath.join(ws.root, '.gitignore'), 'services/svc7/\n');
    const cleared = client.waitForDiagnostics(victim, undefined, 60000);
    await client.filesChanged([{ uri: pathToFileURL(nodePath.join(ws.root, '.gitignore')).href, type: FileChangeType.Changed }]);
    assert.deepEqual((await cleared).diagnostics, []);
    await client.waitUntil(() => [...client.progress.values()].filter((v) => v.some((x) => x.kind === 'end')).length >= 2, 'the rescan to end', 120000);
  });

  it('serves open documents first while a scan runs, and closing one returns it to the scan', async () => {
    const before = client.progress.size;
    await client.executeCommand('iac-lint.server.scanWorkspace');
    await client.waitUntil(() => client.progress.size > before && [...client.progress.values()].pop()!.some((v) => v.kind === 'report' && /files$/.test(v.message ?? '')), 'the scan to be linting files', 60000);
    const path = nodePath.join(ws.root, 'infra', 'mod2', 'f1.tf');
    const uri = pathToFileURL(path).href;
    const t0 = Date.now();
    const opened = await client.open(uri, 'terraform', TF_BAD(21));
    assert.equal(imds(opened).length, 1);
    const typed = await client.change(uri, 2, [{ text: TF_GOOD(21) }]);
    const latency = Date.now() - t0;
    assert.deepEqual(imds(typed), []);
    const scan = [...client.progress.values()].pop()!;
    assert.ok(!scan.some((v) => v.kind === 'end'), `the scan ended before the open document was served (${latency} ms)`);
    assert.ok(latency < 5000, `open document waited ${latency} ms behind the scan`);
    // Closed again: the disk version (with its finding) comes back from the scan side.
    const back = client.waitForDiagnostics(uri);
    await client.close(uri);
    assert.deepEqual(imds((await back).diagnostics).map((d) => d.code), ['ec2-imdsv2-required']);
  });

  it('cancels a scan from the progress UI', async () => {
    await client.waitUntil(() => [...client.progress.values()].pop()!.some((v) => v.kind === 'end'), 'the previous scan to end', 120000);
    const before = client.progress.size;
    await client.executeCommand('iac-lint.server.scanWorkspace');
    await client.waitUntil(() => client.progress.size > before && [...client.progress.values()].pop()!.some((v) => v.kind === 'report' && /files$/.test(v.message ?? '')), 'the new scan to report', 60000);
    const token = [...client.progress.keys()].pop()!;
    await client.cancelProgress(token);
    await client.waitUntil(() => client.progress.get(token)!.some((v) => v.kind === 'end'), 'the cancelled scan to end', 10000);
    const reports = client.progress.get(token)!.filter((v) => /^\d+\/\d+ files$/.test(v.message ?? '')).map((v) => v.message!);
    const [done, total] = reports[reports.length - 1].split(' ')[0].split('/').map(Number);
    assert.ok(done < total, `the scan ran to the end (${done}/${total}) despite the cancel`);
  });
});

describe('workspace scan settings', function () {
  this.timeout(60000);
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'iac-lint-scanset-'));
    write(root, 'a/main.tf', TF_BAD(1));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('`manual` scans only on command; `off` never', async () => {
    const uri = pathToFileURL(nodePath.join(root, 'a', 'main.tf')).href;
    const manual = new LspClient();
    try {
      manual.settings = { 'iac-lint': { workspaceScan: 'manual' } };
      await manual.initialize(root, {}, { capabilities: { workspace: { configuration: true } } });
      await manual.waitUntil(() => manual.statuses.length > 0, 'the first status');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(manual.latest.has(uri), false, 'scanned without being asked');
      const got = manual.waitForDiagnostics(uri);
      await manual.executeCommand('iac-lint.server.scanWorkspace');
      assert.deepEqual(imds((await got).diagnostics).map((d) => d.code), ['ec2-imdsv2-required']);
      // Switching the setting to off clears what the scan published.
      manual.settings = { 'iac-lint': { workspaceScan: 'off' } };
      const cleared = manual.waitForDiagnostics(uri);
      await manual.configurationChanged();
      assert.deepEqual((await cleared).diagnostics, []);
    } finally {
      await manual.stop();
    }
  });
});

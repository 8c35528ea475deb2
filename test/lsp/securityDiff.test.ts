/**
 * The editor side of iam-permission-broadening over stdio (dist/server.js): in a
 * trusted workspace the server reads the git base in the background and
 * re-publishes; the setting iac-lint.diffBase moves the base; the request behind
 * "iac-lint: Show Security Changes" returns the report; an untrusted workspace
 * never runs git.
 */
import * as assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { DidChangeConfigurationNotification, type Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient } from '../helpers/lspClient';
import { TempDir, gitAvailable, onlyRules } from '../cli/run';
import { APP_ROLE } from '../helpers/templates';

const RULE = 'iam-permission-broadening';
const REQUEST = 'iac-lint/securityChanges';

const BASE = APP_ROLE;
const WIDER = `${BASE}      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AdministratorAccess
`;

const text = (d: Diagnostic): string => (typeof d.message === 'string' ? d.message : d.message.value);

async function until<T>(what: string, get: () => T | undefined, timeoutMs = 15000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('language server: security changes against a git base', function () {
  this.timeout(60000);
  let t: TempDir;
  let client: LspClient | undefined;
  before(function () {
    if (!gitAvailable()) this.skip();
  });
  beforeEach(() => {
    t = new TempDir('iac-lint-lsp-git-');
    t.write('.iac-lint.yaml', onlyRules({ [RULE]: 'on' }));
    t.git('init', '-q');
    t.write('app.yaml', BASE);
    t.git('add', '.');
    t.git('commit', '-q', '-m', 'base');
    t.git('branch', 'base');
  });
  afterEach(async () => {
    await client?.stop();
    client = undefined;
    t?.remove();
  });

  const uri = () => pathToFileURL(t.file('app.yaml')).href;
  const ours = (): Diagnostic[] | undefined => {
    const d = client!.latest.get(uri())?.diagnostics.filter((x) => x.code === RULE);
    return d && d.length ? d : undefined;
  };

  it('publishes the widening once the base is read, and follows iac-lint.diffBase', async () => {
    client = new LspClient();
    await client.initialize(t.path, { trusted: true, lintDebounceMs: 10 });
    await client.open(uri(), 'yaml', WIDER);
    const diags = await until('a diagnostic from the git base', ours);
    assert.equal(diags.length, 1);
    assert.equal(diags[0].severity, 3);
    assert.deepEqual(diags[0].range, { start: { line: 11, character: 10 }, end: { line: 11, character: 53 } });
    assert.match(text(diags[0]), /^IAM permissions added since HEAD: managed policy arn:aws:iam::aws:policy\/AdministratorAccess attached to \$\{AppRole\}\.$/);

    // The change is committed: against HEAD nothing is new any more; against `base` it is.
    t.write('app.yaml', WIDER);
    t.git('commit', '-q', '-am', 'widen');
    await client.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: { 'iac-lint': { diffBase: 'base' } } });
    const again = await until('a diagnostic against base', () => {
      const found = ours()?.filter((d) => /since base:/.test(text(d)));
      return found?.length ? found : undefined;
    });
    assert.equal(again.length, 1);
    await client.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: { 'iac-lint': { diffBase: 'HEAD' } } });
    await until('no diagnostic against HEAD', () => (ours() ? undefined : true));
  });

  it('answers the Show Security Changes request with the tables', async () => {
    client = new LspClient();
    await client.initialize(t.path, { trusted: true, lintDebounceMs: 10 });
    await client.open(uri(), 'yaml', WIDER);
    const res = await client.conn.sendRequest(REQUEST, { uri: uri() }) as { title: string; markdown: string };
    assert.equal(res.title, 'Security changes: app.yaml since HEAD');
    assert.match(res.markdown, /^# Security changes: app\.yaml since HEAD\n/);
    assert.match(res.markdown, /## What widens access \(1\)\n\n- line 12: \*\*added\*\* managed policy arn:aws:iam::aws:policy\/AdministratorAccess attached to \$\{AppRole\} \(`AppRole`\)/);
    assert.match(res.markdown, /```text\nIAM Policy Changes\n/);
    assert.match(res.markdown, /│ \+ │ \$\{AppRole\} │ arn:aws:iam::aws:policy\/AdministratorAccess │/);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(res.markdown, /\u001b\[/);
    const other = await client.conn.sendRequest(REQUEST, { uri: pathToFileURL(t.file('.iac-lint.yaml')).href }) as { markdown: string };
    assert.match(other.markdown, /not a CloudFormation template/);
  });

  it('never runs git in an untrusted workspace, and says so', async () => {
    client = new LspClient();
    await client.initialize(t.path, { trusted: false, lintDebounceMs: 10 });
    const diags = await client.open(uri(), 'yaml', WIDER);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(diags.filter((d) => d.code === RULE), []);
    assert.equal(ours(), undefined);
    const res = await client.conn.sendRequest(REQUEST, { uri: uri() }) as { markdown: string };
    assert.match(res.markdown, /Not compared: the workspace is not trusted: iac-lint does not run git in untrusted workspaces\./);
  });
});

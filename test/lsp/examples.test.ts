/**
 * The bundled examples, opened in the real server: each shows its rules'
 * diagnostics, and each preferred quick fix produces the reviewed text in
 * test/expected/examples/ (UPDATE_SNAPSHOTS=1 rewrites them).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CodeActionKind } from 'vscode-languageserver-protocol';
import { LspClient } from '../helpers/lspClient';
import { ROOT, applyLspEdits, read } from '../helpers/engine';

const EXAMPLES = nodePath.join(ROOT, 'examples');
const EXPECTED = nodePath.join(ROOT, 'test', 'expected', 'examples');
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';

const CASES: { file: string; languageId: string; rules: string[] }[] = [
  { file: 'cloudformation/web-server.yaml', languageId: 'yaml', rules: ['ec2-imdsv2-required', 'ec2-alarm', 'ec2-detailed-monitoring', 'ec2-instance-role', 'ec2-termination-protection'] },
  { file: 'cloudformation/launch-template.json', languageId: 'json', rules: ['ec2-imdsv2-required', 'ec2-detailed-monitoring', 'ec2-instance-role'] },
  { file: 'terraform/web/main.tf', languageId: 'terraform', rules: ['ec2-imdsv2-required', 'naming-snake-case', 'ec2-alarm', 'ec2-detailed-monitoring', 'ec2-instance-role', 'ec2-termination-protection'] },
  { file: 'docker/go-service/Dockerfile', languageId: 'dockerfile', rules: ['docker-multi-stage', 'docker-minimal-base'] },
  { file: 'docker/broken/Dockerfile', languageId: 'dockerfile', rules: ['docker-syntax', 'docker-non-root-user'] },
];

describe('examples in the language server', function () {
  this.timeout(30000);
  let client: LspClient;
  before(async () => {
    client = new LspClient();
    await client.initialize(EXAMPLES);
  });
  after(() => client.stop());

  for (const c of CASES) {
    it(`${c.file}: ${c.rules.join(', ')}, and the quick fixes give the expected text`, async () => {
      const path = nodePath.join(EXAMPLES, c.file);
      const uri = pathToFileURL(path).href;
      const diags = await client.open(uri, c.languageId, read(path));
      assert.deepEqual([...new Set(diags.map((d) => String(d.code)))].sort(), [...c.rules].sort());
      for (const d of diags) {
        const actions = await client.codeActions(uri, d.range, { diagnostics: [d], only: [CodeActionKind.QuickFix] });
        const fix = actions.find((a) => a.isPreferred);
        if (!fix) continue;
        for (const [target, edits] of Object.entries(fix.edit!.changes!)) {
          const targetPath = fileURLToPath(target);
          const fixed = applyLspEdits(read(targetPath), edits);
          const snap = nodePath.join(EXPECTED, `${nodePath.relative(EXAMPLES, targetPath)}.${d.code}.fixed`);
          if (UPDATE) {
            fs.mkdirSync(nodePath.dirname(snap), { recursive: true });
            fs.writeFileSync(snap, fixed);
          }
          assert.ok(fs.existsSync(snap), `missing ${nodePath.relative(ROOT, snap)} (UPDATE_SNAPSHOTS=1)`);
          assert.equal(fixed, read(snap), `${fix.title} on ${c.file}`);
        }
      }
      await client.close(uri);
    });
  }
});

/**
 * The client's cheap "may this be IaC?" test (client/iacFiles.ts) decides when the
 * language server starts. It must accept everything the engine lints, and it
 * should turn away the YAML and JSON most workspaces are full of.
 */
import * as assert from 'node:assert/strict';
import * as nodePath from 'node:path';
import { mayBeIac } from '../../client/iacFiles';
import { candidateFormat } from '../../server/engine/linter';
import { looksLikeCloudFormation } from '../../server/engine/cloudformation/parser';
import { ROOT, filesUnder, read } from '../helpers/engine';

const LANGUAGE: Record<string, string> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json', '.tf': 'terraform' };
const languageOf = (path: string): string => LANGUAGE[nodePath.extname(path).toLowerCase()] ?? 'plaintext';

describe('client: which documents start the server', () => {
  const files = ['test/fixtures', 'test/external/trivy-checks', 'examples', 'test/e2e/workspaces']
    .flatMap((dir) => filesUnder(nodePath.join(ROOT, dir), /./));

  it('accepts every file the engine would lint', () => {
    let linted = 0;
    for (const path of files) {
      const format = candidateFormat(path);
      const text = read(path);
      if (!format || (format === 'cloudformation' && !looksLikeCloudFormation(text))) continue;
      linted++;
      assert.ok(mayBeIac(languageOf(path), path, () => text), `${nodePath.relative(ROOT, path)} (${format}) would not start the server`);
      // Another extension may own the language id: the name alone must do for Terraform and Dockerfiles.
      if (format !== 'cloudformation') assert.ok(mayBeIac('plaintext', path, () => ''), nodePath.relative(ROOT, path));
    }
    assert.ok(linted > 50, `only ${linted} lintable files found`);
  });

  it('accepts the Dockerfile names and an untitled template by content', () => {
    for (const name of ['Dockerfile', 'Containerfile', 'Dockerfile.dev', 'x/api.dockerfile', 'build.Containerfile']) {
      assert.ok(mayBeIac('plaintext', `/w/${name}`, () => ''), name);
    }
    assert.ok(mayBeIac('yaml', 'Untitled-1', () => 'Resources:\n  B:\n    Type: AWS::S3::Bucket\n'));
    assert.ok(mayBeIac('json', 'Untitled-2', () => '{"AWSTemplateFormatVersion": "2010-09-09"}'));
  });

  it('turns away YAML and JSON that is not a template', () => {
    const plain: [string, string, string][] = [
      ['json', '/w/package.json', '{ "name": "app", "version": "1.0.0", "scripts": { "test": "mocha" } }'],
      ['jsonc', '/w/.vscode/settings.json', '{ "editor.tabSize": 2 }'],
      ['yaml', '/w/.github/workflows/ci.yml', 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n'],
      ['yaml', '/w/docker-compose.yaml', 'services:\n  web:\n    image: nginx\n'],
      ['plaintext', '/w/notes.txt', 'Type: AWS::EC2::Instance'],
    ];
    for (const [languageId, path, text] of plain) assert.equal(mayBeIac(languageId, path, () => text), false, path);
  });
});

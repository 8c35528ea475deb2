/**
 * The extension manifest's activation events: what starts the extension, and
 * what client/lazyStart.ts reads from it to decide when to start the server.
 */
import * as assert from 'node:assert/strict';
import * as nodePath from 'node:path';
import * as fs from 'node:fs';
import { ROOT, read } from '../helpers/engine';

interface Manifest {
  activationEvents: string[];
  contributes: { walkthroughs: { steps: { media: { markdown?: string } }[] }[] };
}
const manifest = JSON.parse(read(nodePath.join(ROOT, 'package.json'))) as Manifest;
const globs = manifest.activationEvents.filter((e) => e.startsWith('workspaceContains:')).map((e) => e.slice(18));

describe('extension manifest', () => {
  it('activates on the languages the client lints, never on every startup', () => {
    const languages = manifest.activationEvents.filter((e) => e.startsWith('onLanguage:')).map((e) => e.slice(11)).sort();
    assert.deepEqual(languages, ['dockerfile', 'json', 'jsonc', 'terraform', 'yaml']);
    assert.ok(!manifest.activationEvents.some((e) => e === '*' || e === 'onStartupFinished'));
  });

  it('has workspaceContains globs without braces (the client joins them into one search)', () => {
    assert.ok(globs.length > 5);
    for (const g of globs) assert.ok(!/[{}]/.test(g) && g.startsWith('**/'), g);
    assert.ok(globs.includes('**/*.tf') && globs.includes('**/Dockerfile'));
    // Generic YAML and JSON names must not start anything.
    for (const g of globs) assert.ok(!['**/*.yaml', '**/*.yml', '**/*.json'].includes(g), g);
  });

  it('ships every walkthrough page it names', () => {
    const ignore = read(nodePath.join(ROOT, '.vscodeignore'));
    for (const step of manifest.contributes.walkthroughs.flatMap((w) => w.steps)) {
      const page = step.media.markdown;
      assert.ok(page && fs.existsSync(nodePath.join(ROOT, page)), `missing ${page}`);
      assert.ok(ignore.includes(`!${nodePath.dirname(page)}/*.md`), `${page} is not kept by .vscodeignore`);
    }
  });
});

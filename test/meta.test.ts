/** Every rule has a catalog id, docs with the required sections, and fixtures. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { rules } from '../rules';
import { ROOT, read } from './helpers/engine';

const catalogIds = new Set([...read(nodePath.join(ROOT, 'docs', 'catalog.md')).matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]));

describe('rule meta', () => {
  it('the catalog copy lists the rule ids', () => {
    assert.ok(catalogIds.size >= 50, `only ${catalogIds.size} ids read from docs/catalog.md`);
    assert.ok(catalogIds.has('ec2-imdsv2-required'));
  });
  it('the registry is generated from the rule files', () => {
    const files = fs.readdirSync(nodePath.join(ROOT, 'rules')).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.slice(0, -3)).sort();
    assert.deepEqual(rules.map((r) => r.id).sort(), files);
  });
  for (const rule of rules) {
    describe(rule.id, () => {
      it('has a catalog id and a file named after it', () => {
        assert.ok(catalogIds.has(rule.id), `${rule.id} is not in the catalog`);
        assert.ok(fs.existsSync(nodePath.join(ROOT, 'rules', `${rule.id}.ts`)));
      });
      it('has complete metadata', () => {
        assert.match(rule.severity, /^(error|warning|info|hint)$/);
        assert.ok(rule.description.length > 20, 'description too short');
        assert.ok(rule.seed.length > 3, 'seed missing');
        assert.ok(rule.formats.length > 0, 'no format handler');
      });
      it('has docs with what, why, examples and suppression', () => {
        const docPath = nodePath.join(ROOT, 'rules', `${rule.id}.md`);
        assert.ok(fs.existsSync(docPath), `rules/${rule.id}.md is missing`);
        const doc = read(docPath);
        assert.match(doc, new RegExp(`^# ${rule.id}`, 'm'), 'docs must start with the rule id as title');
        for (const heading of ['Why', 'Bad', 'Good', 'Suppress']) {
          assert.match(doc, new RegExp(`^##+ .*${heading}`, 'mi'), `docs lack a "${heading}" section`);
        }
        assert.ok(/```/.test(doc), 'docs have no code example');
      });
      it('has fixtures that fire and that stay clean', () => {
        const dir = nodePath.join(ROOT, 'test', 'fixtures', rule.id);
        assert.ok(fs.existsSync(dir), `test/fixtures/${rule.id} is missing`);
        const names = fs.readdirSync(dir);
        assert.ok(names.some((n) => n.startsWith('bad-')), 'no bad- fixture');
        assert.ok(names.some((n) => n.startsWith('good-')), 'no good- fixture');
      });
    });
  }
});

describe('README', () => {
  it('has the current generated rule table (npm run docs)', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { readmeWithTable } = require('../scripts/gen-readme') as typeof import('../scripts/gen-readme');
    const readme = read(nodePath.join(ROOT, 'README.md'));
    assert.equal(readmeWithTable(readme), readme, 'README rule table is stale: run npm run docs');
  });
});

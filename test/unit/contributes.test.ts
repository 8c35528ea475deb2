/**
 * package.json `contributes` against the code: every command the client
 * registers is contributed (and the other way round), every server setting is
 * contributed with the server's default, and the server reads settings safely.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { DEFAULT_SETTINGS, excludeGlobs, readSettings } from '../../server/lsp/settings';
import { ROOT, read } from '../helpers/engine';

const pkg = JSON.parse(read(nodePath.join(ROOT, 'package.json'))) as {
  contributes: {
    commands: { command: string; title: string }[];
    configuration: { properties: Record<string, { default: unknown; enum?: string[] }> };
    menus: Record<string, { command: string }[]>;
  };
};
const client = fs.readdirSync(nodePath.join(ROOT, 'client'))
  .filter((n) => n.endsWith('.ts'))
  .map((n) => read(nodePath.join(ROOT, 'client', n)))
  .join('\n');

describe('package.json contributes', () => {
  it('contributes exactly the commands the client registers', () => {
    const registered = [...client.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]).sort();
    assert.deepEqual(pkg.contributes.commands.map((c) => c.command).sort(), registered);
    for (const list of Object.values(pkg.contributes.menus)) {
      for (const m of list) assert.ok(registered.includes(m.command), `menu names unknown command ${m.command}`);
    }
  });

  it('contributes every server setting with the server\'s default', () => {
    const props = pkg.contributes.configuration.properties;
    const flat: Record<string, unknown> = {
      'iac-lint.lintDebounceMs': DEFAULT_SETTINGS.lintDebounceMs,
      'iac-lint.workspaceScan': DEFAULT_SETTINGS.workspaceScan,
      'iac-lint.scan.maxFileSizeKB': DEFAULT_SETTINGS.scan.maxFileSizeKB,
      'iac-lint.scan.exclude': DEFAULT_SETTINGS.scan.exclude,
      'iac-lint.scan.respectGitignore': DEFAULT_SETTINGS.scan.respectGitignore,
      'iac-lint.logLevel': DEFAULT_SETTINGS.logLevel,
    };
    for (const [key, def] of Object.entries(flat)) {
      assert.ok(props[key], `${key} is not contributed`);
      assert.deepEqual(props[key].default, def, key);
    }
    assert.deepEqual(props['iac-lint.workspaceScan'].enum, ['onStartup', 'manual', 'off']);
    assert.deepEqual(props['iac-lint.logLevel'].enum, ['error', 'warn', 'info', 'debug']);
  });

  it('the client watches config files and .gitignore and trusts only the docs command in hovers', () => {
    assert.match(client, /'\*\*\/\.iac-lint\.\{yaml,yml\}'/);
    assert.match(client, /'\*\*\/\.gitignore'/);
    assert.match(client, /enabledCommands: \['iac-lint\.openRuleDocs'\]/);
    assert.match(client, /iac-lint\/setTrusted/);
  });
});

describe('readSettings', () => {
  it('reads nested and flat keys, and keeps defaults for bad values', () => {
    const s = readSettings({ workspaceScan: 'manual', lintDebounceMs: -4, scan: { maxFileSizeKB: 10, exclude: ['a/**', 3, ''] }, 'scan.respectGitignore': false, logLevel: 'loud' });
    assert.equal(s.workspaceScan, 'manual');
    assert.equal(s.lintDebounceMs, DEFAULT_SETTINGS.lintDebounceMs);
    assert.deepEqual(s.scan, { maxFileSizeKB: 10, exclude: ['a/**'], respectGitignore: false });
    assert.equal(s.logLevel, 'info');
    assert.deepEqual(readSettings(null), DEFAULT_SETTINGS);
  });

  it('files.exclude: the globs set to true', () => {
    assert.deepEqual(excludeGlobs({ '**/.git': true, '**/*.js': { when: '$(basename).ts' }, '**/off': false }), ['**/.git']);
    assert.deepEqual(excludeGlobs(undefined), []);
  });
});

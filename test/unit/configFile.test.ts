/**
 * `.iac-lint.yaml`: the generated JSON schema matches RuleOptions / DEFAULT_OPTIONS
 * and the rule registry (so it cannot go stale), and parsing reports problems
 * with ranges while every valid entry still applies.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_OPTIONS } from '../../server/engine/config';
import { CONFIG_SCHEMA, parseConfigText } from '../../server/engine/configFile';
import { UNUSED_SUPPRESSION } from '../../server/engine/linter';
import { rules } from '../../rules';
import { ROOT, read } from '../helpers/engine';

const IDS = [...rules.map((r) => r.id), UNUSED_SUPPRESSION];
type Schema = { properties: Record<string, { properties: Record<string, Record<string, unknown>> }> };
const schema = CONFIG_SCHEMA as unknown as Schema;

describe('config schema (schemas/iac-lint.schema.json)', () => {
  it('is the committed file, valid draft-07', () => {
    const onDisk = JSON.parse(read(nodePath.join(ROOT, 'schemas', 'iac-lint.schema.json')));
    assert.deepEqual(onDisk, CONFIG_SCHEMA);
    const ajv = new Ajv({ strict: false });
    assert.ok(ajv.validateSchema(onDisk), JSON.stringify(ajv.errors));
  });

  it('lists every rule id (and unused-suppression), no other', () => {
    assert.deepEqual(Object.keys(schema.properties.rules.properties).sort(), [...IDS].sort());
  });

  it('describes every option of RuleOptions with its default and a type that accepts it', () => {
    const opts = schema.properties.options.properties;
    assert.deepEqual(Object.keys(opts).sort(), Object.keys(DEFAULT_OPTIONS).sort());
    const ajv = new Ajv({ strict: false });
    for (const [name, def] of Object.entries(DEFAULT_OPTIONS)) {
      const s = opts[name];
      assert.deepEqual(s.default, def, `${name}: schema default differs from DEFAULT_OPTIONS`);
      assert.ok(typeof s.description === 'string' && s.description.length > 10, `${name}: no description (doc comment)`);
      assert.ok(ajv.validate(s, def), `${name}: the schema rejects its own default: ${JSON.stringify(ajv.errors)}`);
    }
  });

  it('the README example validates', () => {
    const readme = read(nodePath.join(ROOT, 'README.md'));
    const m = /## Configuration[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme);
    assert.ok(m, 'no yaml example under ## Configuration');
    const ajv = new Ajv({ strict: false });
    const data = parseYaml(m[1]) as { rules?: Record<string, string> };
    // The example may name rules that land in other issues: check against the catalog ids.
    const catalog = new Set([...read(nodePath.join(ROOT, 'docs', 'catalog.md')).matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((x) => x[1]));
    for (const id of Object.keys(data.rules ?? {})) assert.ok(catalog.has(id) || id === UNUSED_SUPPRESSION, id);
    const loose = JSON.parse(JSON.stringify(CONFIG_SCHEMA));
    loose.properties.rules.additionalProperties = { $ref: '#/definitions/severity' };
    assert.ok(ajv.validate(loose, data), JSON.stringify(ajv.errors));
  });

  it('package.json contributes it for the YAML extension', () => {
    const pkg = JSON.parse(read(nodePath.join(ROOT, 'package.json')));
    const v = (pkg.contributes.yamlValidation as { fileMatch: string | string[]; url: string }[]).find((x) => x.url.includes('iac-lint.schema.json'));
    assert.ok(v, 'no yamlValidation entry');
    assert.ok(fs.existsSync(nodePath.join(ROOT, v.url)), v.url);
    assert.ok([v.fileMatch].flat().includes('.iac-lint.yaml'));
  });
});

describe('parseConfigText', () => {
  const at = (text: string, r: { start: number; end: number }) => text.slice(r.start, r.end);

  it('applies severities, options and ignore', () => {
    const res = parseConfigText('rules:\n  ec2-imdsv2-required: warning\noptions:\n  adminCidrs: [203.0.113.10/32]\n  maxPortRange: 100\nignore:\n  - legacy/**\n', IDS);
    assert.deepEqual(res.problems, []);
    assert.equal(res.config.rules['ec2-imdsv2-required'], 'warning');
    assert.deepEqual(res.config.options.adminCidrs, ['203.0.113.10/32']);
    assert.equal(res.config.options.maxPortRange, 100);
    assert.deepEqual(res.ignore, ['legacy/**']);
  });

  it('underlines each problem where it is, and keeps every valid entry', () => {
    const text = `rules:
  ec2-imdsv2-required: fatal
  no-such-rule: off
  naming-snake-case: off
options:
  maxPortRange: wide
  adminCidrs: [10.0.0.1/32, 42]
  publicPorts: [443]
  colour: blue
extra: 1
`;
    const res = parseConfigText(text, IDS);
    const got = res.problems.map((p) => [p.message, at(text, p.range)]);
    assert.deepEqual(got, [
      ['rule `ec2-imdsv2-required`: severity must be one of error, warning, info, hint, off', 'fatal'],
      ['unknown rule id `no-such-rule`', 'no-such-rule'],
      ['option `maxPortRange` must be number', 'wide'],
      ['option `adminCidrs` item 2 must be string', '42'],
      ['unknown option `colour`', 'colour'],
      ['unknown key `extra` (expected rules, options, ignore)', 'extra'],
    ]);
    assert.equal(res.config.rules['naming-snake-case'], 'off');
    assert.equal(res.config.rules['ec2-imdsv2-required'], undefined);
    assert.deepEqual(res.config.options.publicPorts, [443]);
    assert.equal(res.config.options.maxPortRange, DEFAULT_OPTIONS.maxPortRange);
    assert.deepEqual(res.config.options.adminCidrs, DEFAULT_OPTIONS.adminCidrs);
    assert.match(res.errors[5], /\(line 10\)$/);
  });

  it('a YAML syntax error is one problem at the error; the defaults stay', () => {
    const text = 'rules:\n  ec2-imdsv2-required: off\n options: [\n';
    const res = parseConfigText(text, IDS);
    assert.ok(res.problems.length >= 1);
    assert.match(res.problems[0].message, /^syntax error/);
    assert.deepEqual(res.config.rules, {});
  });

  it('an empty file is the defaults, a list is a problem', () => {
    assert.deepEqual(parseConfigText('', IDS).problems, []);
    assert.deepEqual(parseConfigText('# nothing yet\n', IDS).problems, []);
    assert.match(parseConfigText('- a\n', IDS).problems[0].message, /must be a map/);
  });
});

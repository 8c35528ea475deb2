// Generates schemas/iac-lint.schema.json (the JSON schema of `.iac-lint.yaml`)
// from the sources, so that it cannot go stale: rule ids, default severities and
// descriptions from rules/<id>.ts, every option with its type, doc comment and
// default from RuleOptions / DEFAULT_OPTIONS in server/engine/config.ts. Run by
// scripts/gen.mjs (npm run gen / compile / build / test). test/unit/configFile.test.ts
// checks the result against the compiled config and registry.
import { readdirSync, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SEVERITIES = ['error', 'warning', 'info', 'hint'];
/** Engine findings that are configured like rules (server/engine/suppress.ts). */
const ENGINE_RULES = {
  'unused-suppression': { severity: 'info', description: 'A suppression comment or Metadata entry of ours that suppresses nothing.' },
};

function parse(file) {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
}

function docOf(node) {
  const tags = ts.getJSDocCommentsAndTags(node);
  const text = tags.map((t) => (typeof t.comment === 'string' ? t.comment : ts.getTextOfJSDocComment(t.comment) ?? '')).join('\n').trim();
  return text.replace(/\s*\n\s*/g, ' ');
}

/** A TypeScript type node of RuleOptions → JSON schema. */
function schemaOfType(t, name) {
  switch (t.kind) {
    case ts.SyntaxKind.StringKeyword: return { type: 'string' };
    case ts.SyntaxKind.NumberKeyword: return { type: 'number' };
    case ts.SyntaxKind.BooleanKeyword: return { type: 'boolean' };
    case ts.SyntaxKind.ArrayType: return { type: 'array', items: schemaOfType(t.elementType, name) };
    case ts.SyntaxKind.LiteralType:
      if (ts.isStringLiteral(t.literal)) return { const: t.literal.text };
      break;
    case ts.SyntaxKind.UnionType: {
      const parts = t.types.map((x) => schemaOfType(x, name));
      if (parts.every((p) => 'const' in p)) return { enum: parts.map((p) => p.const) };
      return { anyOf: parts };
    }
    case ts.SyntaxKind.TypeReference: {
      const id = t.typeName.getText();
      const args = t.typeArguments ?? [];
      if (id === 'Array' && args.length === 1) return { type: 'array', items: schemaOfType(args[0], name) };
      if (id === 'Record' && args.length === 2 && args[0].kind === ts.SyntaxKind.StringKeyword) {
        return { type: 'object', additionalProperties: schemaOfType(args[1], name) };
      }
      break;
    }
    case ts.SyntaxKind.TypeLiteral: {
      const properties = {};
      const required = [];
      for (const m of t.members) {
        if (!ts.isPropertySignature(m) || !m.type) continue;
        properties[m.name.getText()] = schemaOfType(m.type, name);
        if (!m.questionToken) required.push(m.name.getText());
      }
      return { type: 'object', properties, required, additionalProperties: false };
    }
  }
  throw new Error(`gen-schema: option \`${name}\` has a type the generator does not know: ${t.getText()} (extend scripts/gen-schema.mjs)`);
}

/** A literal expression of DEFAULT_OPTIONS → its JSON value. */
function valueOf(e, name) {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) return -Number(e.operand.text);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isArrayLiteralExpression(e)) return e.elements.map((x) => valueOf(x, name));
  if (ts.isObjectLiteralExpression(e)) {
    const o = {};
    for (const p of e.properties) {
      if (!ts.isPropertyAssignment(p)) throw new Error(`gen-schema: default of \`${name}\` is not a plain literal`);
      const key = ts.isStringLiteral(p.name) ? p.name.text : p.name.getText();
      o[key] = valueOf(p.initializer, name);
    }
    return o;
  }
  if (ts.isAsExpression(e) || ts.isSatisfiesExpression?.(e)) return valueOf(e.expression, name);
  throw new Error(`gen-schema: the default of \`${name}\` is not a literal: ${e.getText()}`);
}

function options() {
  const sf = parse(join(root, 'server', 'engine', 'config.ts'));
  let iface;
  let defaults;
  sf.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n) && n.name.text === 'RuleOptions') iface = n;
    if (ts.isVariableStatement(n)) {
      for (const d of n.declarationList.declarations) {
        if (d.name.getText() === 'DEFAULT_OPTIONS' && d.initializer) defaults = d.initializer;
      }
    }
  });
  if (!iface || !defaults || !ts.isObjectLiteralExpression(defaults)) throw new Error('gen-schema: RuleOptions / DEFAULT_OPTIONS not found in server/engine/config.ts');
  const defaultOf = new Map();
  for (const p of defaults.properties) {
    if (ts.isPropertyAssignment(p)) defaultOf.set(p.name.getText(), p.initializer);
  }
  const properties = {};
  for (const m of iface.members) {
    if (!ts.isPropertySignature(m) || !m.type) continue;
    const name = m.name.getText();
    const schema = schemaOfType(m.type, name);
    const doc = docOf(m);
    const def = defaultOf.get(name);
    if (!def) throw new Error(`gen-schema: option \`${name}\` has no default in DEFAULT_OPTIONS`);
    properties[name] = { description: doc, ...schema, default: valueOf(def, name) };
  }
  return properties;
}

function ruleMeta() {
  const dir = join(root, 'rules');
  const out = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts') && x !== 'index.ts').sort()) {
    const id = f.slice(0, -3);
    const sf = parse(join(dir, f));
    const meta = { id, severity: undefined, description: undefined };
    const visit = (n) => {
      if (ts.isCallExpression(n) && n.expression.getText() === 'defineRule' && n.arguments[0] && ts.isObjectLiteralExpression(n.arguments[0])) {
        for (const p of n.arguments[0].properties) {
          if (!ts.isPropertyAssignment(p)) continue;
          const k = p.name.getText();
          if ((k === 'severity' || k === 'description') && (ts.isStringLiteral(p.initializer) || ts.isNoSubstitutionTemplateLiteral(p.initializer))) meta[k] = p.initializer.text;
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    out.push(meta);
  }
  return out;
}

export function buildSchema() {
  const rules = {};
  for (const r of ruleMeta()) {
    rules[r.id] = {
      $ref: '#/definitions/severity',
      description: `${r.description ?? r.id}${r.severity ? ` Default: ${r.severity}.` : ''}`,
      markdownDescription: `${r.description ?? r.id}${r.severity ? ` Default: \`${r.severity}\`.` : ''} [Docs](https://github.com/iac-lint/iac-lint/blob/main/rules/${r.id}.md)`,
    };
  }
  for (const [id, r] of Object.entries(ENGINE_RULES)) {
    rules[id] = { $ref: '#/definitions/severity', description: `${r.description} Default: ${r.severity}.` };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/iac-lint/iac-lint/blob/main/schemas/iac-lint.schema.json',
    title: 'iac-lint configuration (.iac-lint.yaml)',
    description: 'Generated by scripts/gen-schema.mjs from rules/*.ts and server/engine/config.ts. Do not edit.',
    type: 'object',
    additionalProperties: false,
    properties: {
      rules: {
        description: 'Severity per rule id, or `off`.',
        type: 'object',
        additionalProperties: false,
        properties: rules,
      },
      options: {
        description: 'Options of the rules the catalog calls configurable.',
        type: 'object',
        additionalProperties: false,
        properties: options(),
      },
      ignore: {
        description: 'Paths not to lint, in .gitignore syntax, relative to the folder of this file (e.g. `legacy/**`, `*.generated.yaml`).',
        type: 'array',
        items: { type: 'string', minLength: 1 },
      },
    },
    definitions: {
      severity: { enum: [...SEVERITIES, 'off'] },
    },
  };
}

const target = join(root, 'schemas', 'iac-lint.schema.json');
const out = JSON.stringify(buildSchema(), null, 2) + '\n';
if (!existsSync(target) || readFileSync(target, 'utf8') !== out) {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, out);
}

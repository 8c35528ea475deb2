// Bundles the language server, the CLI and the VS Code client with esbuild and
// copies the tree-sitter .wasm files next to the bundles.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
  // Only fallbacks for unbundled runs; the bundles load the copies in dist/.
  external: ['web-tree-sitter/web-tree-sitter.wasm', '@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm', 'tree-sitter-bash/tree-sitter-bash.wasm'],
  // web-tree-sitter's CommonJS build still reads import.meta.url to find its .wasm.
  define: { 'import.meta.url': '__iacLintImportMetaUrl' },
  banner: { js: "const __iacLintImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

/**
 * A plugin that rewrites `from` to `to` in the dependency files matching `filter` as
 * they are bundled, and stops the build when a file no longer holds `from` (the
 * dependency changed: the rewrite must be looked at again).
 */
function rewrite(name, filter, from, to) {
  return {
    name,
    setup(b) {
      b.onLoad({ filter }, (args) => {
        const src = readFileSync(args.path, 'utf8');
        const contents = src.replace(from, to);
        if (contents === src) throw new Error(`${name}: ${args.path} no longer holds ${from}: update scripts/build.mjs`);
        return { contents, loader: 'js' };
      });
    },
  };
}

common.plugins = [
  // @aws-cdk/cloudformation-diff (iam-permission-broadening, `iac-lint diff`) loads the AWS
  // service database from `<package>/db.json.gz` next to its lib/ folder; in a bundle that
  // folder is dist/, so point it at a copy in dist/ itself.
  rewrite('aws-service-spec-db', /[\\/]@aws-cdk[\\/]aws-service-spec[\\/]lib[\\/]index\.js$/,
    "path.join(__dirname, '..', DB_COMPRESSED)", 'path.join(__dirname, DB_COMPRESSED)'),
  // yaml reads `process.env.LOG_TOKENS` once per token and `LOG_STREAM` once per document,
  // for its own debugging; a read of process.env is a call into the runtime, a tenth to a
  // fifth of a YAML parse's CPU. The bundles treat both as unset.
  rewrite('yaml-debug-off', /[\\/]yaml[\\/]dist[\\/](parse[\\/]parser|compose[\\/]composer)\.js$/,
    /\bnode_process\.env\.(LOG_TOKENS|LOG_STREAM)\b/g, 'false'),
];

await Promise.all([
  build({ ...common, entryPoints: ['server/lsp/main.ts'], outfile: 'dist/server.js' }),
  build({ ...common, entryPoints: ['server/cli.ts'], outfile: 'dist/cli.js', banner: { js: `#!/usr/bin/env node\n${common.banner.js}` } }),
  build({ ...common, entryPoints: ['client/extension.ts'], outfile: 'dist/client.js', external: ['vscode', ...common.external] }),
]);

copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), join(dist, 'web-tree-sitter.wasm'));
copyFileSync(join(dirname(require.resolve('@aws-cdk/aws-service-spec/package.json')), 'db.json.gz'), join(dist, 'db.json.gz'));
copyFileSync(require.resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm'), join(dist, 'tree-sitter-terraform.wasm'));
copyFileSync(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'), join(dist, 'tree-sitter-bash.wasm'));

// The rule docs, for hovers and the "open the rule's documentation" command.
mkdirSync(join(dist, 'docs'), { recursive: true });
for (const f of readdirSync(join(root, 'rules')).filter((n) => n.endsWith('.md'))) copyFileSync(join(root, 'rules', f), join(dist, 'docs', f));

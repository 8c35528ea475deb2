/**
 * The web-tree-sitter runtime and its grammars (Terraform, bash), loaded once.
 * The .wasm files are looked for next to the running script first (the build
 * copies them into dist/) and in node_modules second (tests run from out/).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
// `import x = require(...)` (not `import {...}`) so that esbuild picks the package's
// CommonJS build: its ESM build reads `import.meta.url`, which is empty in our CJS bundles.
import TreeSitter = require('web-tree-sitter');

let runtime: Promise<void> | null = null;

/** Through a variable, so bundlers leave the lookup to run time instead of warning about it. */
function resolvePackageFile(id: string): string {
  return require.resolve(id);
}

/** The first of `candidates` that exists on disk, else the last one (for the error message). */
function firstExisting(candidates: (() => string)[]): string {
  let last = '';
  for (const c of candidates) {
    try {
      last = c();
      if (fs.existsSync(last)) return last;
    } catch {
      // require.resolve fails inside a bundle shipped without node_modules
    }
  }
  return last;
}

/** Instantiates the WebAssembly runtime once, however many grammars ask at the same time. */
function initRuntime(): Promise<void> {
  if (!runtime) {
    const runtimeWasm = firstExisting([
      () => nodePath.join(__dirname, 'web-tree-sitter.wasm'),
      () => resolvePackageFile('web-tree-sitter/web-tree-sitter.wasm'),
    ]);
    runtime = TreeSitter.Parser.init({
      locateFile: (name: string, scriptDir: string) =>
        name === 'web-tree-sitter.wasm' && runtimeWasm ? runtimeWasm : scriptDir + name,
    }).catch((e: unknown) => {
      runtime = null;
      throw e;
    });
  }
  return runtime;
}

/**
 * A parser for the grammar in `wasmName` (shipped in dist/ under that name, or
 * found in node_modules at `packagePath`).
 */
export async function loadParser(wasmName: string, packagePath: string): Promise<TreeSitter.Parser> {
  await initRuntime();
  const grammarWasm = firstExisting([
    () => nodePath.join(__dirname, wasmName),
    () => resolvePackageFile(packagePath),
  ]);
  const lang = await TreeSitter.Language.load(grammarWasm);
  const p = new TreeSitter.Parser();
  p.setLanguage(lang);
  return p;
}

/**
 * Whether a document may hold something the server lints, decided cheaply in the
 * client so that opening a plain YAML or JSON file (a workflow, package.json,
 * settings) activates the extension without starting the language server.
 *
 * It may say yes too often (the server then decides exactly and stays quiet) but
 * must never say no to a file the engine lints: test/unit/iacFiles.test.ts checks
 * it against the engine's own path and content tests. It does not import the
 * engine because that would pull the YAML parser into the client bundle.
 */

/** The engine's `looksLikeCloudFormation`: a template version or an `AWS::`/`Custom::` resource type. */
const CLOUDFORMATION_TEXT = /AWSTemplateFormatVersion|["']?Type["']?\s*:\s*["']?(AWS|Custom)::/;
const CLOUDFORMATION_PATH = /\.(ya?ml|json|jsonc|template|cfn)$/i;
const DOCKERFILE_NAME = /^(docker|container)file([.\-_].*)?$|\.(docker|container)file$/i;

export function mayBeIac(languageId: string, path: string, text: () => string): boolean {
  const base = path.split(/[\\/]/).pop() ?? '';
  if (languageId === 'terraform' || /\.tf$/i.test(base)) return true;
  if (languageId === 'dockerfile' || DOCKERFILE_NAME.test(base)) return true;
  const yamlOrJson = languageId === 'yaml' || languageId === 'json' || languageId === 'jsonc';
  if (!yamlOrJson && !CLOUDFORMATION_PATH.test(base)) return false;
  return CLOUDFORMATION_TEXT.test(text());
}

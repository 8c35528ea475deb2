/** Where a rule's documentation page lives (bundled in the extension as rules/<id>.md). */
export const DOCS_BASE = 'https://github.com/iac-lint/iac-lint/blob/main/rules/';

export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE}${ruleId}.md`;
}

/**
 * Writes the peer id tables of docs/suppression.md from server/engine/peerIds.ts
 * (between `<!-- peers:start` and `<!-- peers:end -->`). Run after changing the
 * mapping: `npx tsc -p . && node out/scripts/gen-suppression-docs.js`; a test
 * fails while the docs are stale.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { PEER_MAPPINGS, type PeerTool } from '../server/engine/peerIds';

const SYNTAX: Record<PeerTool, string> = {
  checkov: '`#checkov:skip=<id>:<reason>` inside the Terraform block or CloudFormation resource (a Dockerfile: anywhere, for the file); CloudFormation `Metadata: checkov: skip: [{id, comment}]`',
  trivy: '`#trivy:ignore:<id>` or `#tfsec:ignore:<id>` on the line before the block or attribute, or at the end of its line; `:exp:YYYY-MM-DD` expires it; `*` is every rule',
  tflint: '`# tflint-ignore: <rule>[, <rule>]` on the line before or at the end of the line (`all` is every rule); `# tflint-ignore-file: <rule>` for the file',
  hadolint: '`# hadolint ignore=<id>[,<id>]` on the line before the instruction; `# hadolint global ignore=<id>` for the file',
  'cfn-lint': 'CloudFormation `Metadata: cfn-lint: config: ignore_checks: [<id>]` on a resource, or on the template for the whole file',
  cfn_nag: 'CloudFormation `Metadata: cfn_nag: rules_to_suppress: [{id, reason}]` on a resource',
};

const TITLES: Record<PeerTool, string> = {
  checkov: 'checkov',
  trivy: 'trivy / tfsec',
  tflint: 'tflint',
  hadolint: 'hadolint',
  'cfn-lint': 'cfn-lint',
  cfn_nag: 'cfn_nag',
};

export function peerTables(): string {
  let out = '';
  for (const [tool, list] of Object.entries(PEER_MAPPINGS) as [PeerTool, typeof PEER_MAPPINGS[PeerTool]][]) {
    out += `### ${TITLES[tool]}\n\n${SYNTAX[tool]}.\n\n| Peer id | Also accepted | Our rules | Peer check |\n|---|---|---|---|\n`;
    for (const p of list) {
      out += `| \`${p.id}\` | ${(p.aliases ?? []).map((a) => `\`${a}\``).join(', ') || '—'} | ${p.rules.map((r) => `[\`${r}\`](../rules/${r}.md)`).join(', ')} | ${p.title.replace(/\|/g, '\\|')} |\n`;
    }
    out += '\n';
  }
  return out.trimEnd() + '\n';
}

export function docWithTables(doc: string): string {
  const start = doc.indexOf('<!-- peers:start');
  const end = doc.indexOf('<!-- peers:end -->');
  if (start < 0 || end < start) throw new Error('docs/suppression.md lacks the <!-- peers:start --> / <!-- peers:end --> markers');
  const head = doc.slice(0, doc.indexOf('\n', start) + 1);
  return `${head}${peerTables()}${doc.slice(end)}`;
}

if (require.main === module) {
  const file = nodePath.join(__dirname, '..', '..', 'docs', 'suppression.md');
  const doc = fs.readFileSync(file, 'utf8');
  const next = docWithTables(doc);
  if (next !== doc) fs.writeFileSync(file, next);
}

/**
 * The rule docs bundled with the server (the build copies rules/*.md to
 * dist/docs/): the hover text of a diagnostic (what the rule checks, why, a good
 * example in the file's own format) and the list of rules for the quick pick.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { Rule } from '../engine/rule';
import type { Format } from '../engine/types';
import { FILE_TOO_LARGE, INTERNAL_ERROR, PARSE_ERROR, UNUSED_SUPPRESSION } from '../engine/linter';

/** dist/docs next to the bundle; rules/ of the source tree when running unbundled (out/). */
export function docsDir(): string | null {
  for (const d of [nodePath.join(__dirname, 'docs'), nodePath.join(__dirname, '..', '..', '..', 'rules'), nodePath.join(__dirname, '..', '..', 'rules')]) {
    try {
      if (fs.statSync(d).isDirectory()) return d;
    } catch {
      // next
    }
  }
  return null;
}

export function docPath(ruleId: string): string | null {
  const dir = docsDir();
  if (!dir || !/^[a-z0-9-]+$/.test(ruleId)) return null;
  const p = nodePath.join(dir, `${ruleId}.md`);
  return fs.existsSync(p) ? p : null;
}

const cache = new Map<string, string | null>();
function readDoc(ruleId: string): string | null {
  if (!cache.has(ruleId)) {
    const p = docPath(ruleId);
    let text: string | null = null;
    try {
      text = p ? fs.readFileSync(p, 'utf8') : null;
    } catch {
      text = null;
    }
    cache.set(ruleId, text);
  }
  return cache.get(ruleId) ?? null;
}

/** `## Heading` sections of a markdown text, by lower-cased heading. */
export function sections(md: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = md.split(/^##\s+/m);
  for (const p of parts.slice(1)) {
    const nl = p.indexOf('\n');
    const head = (nl < 0 ? p : p.slice(0, nl)).trim().toLowerCase();
    out.set(head, (nl < 0 ? '' : p.slice(nl + 1)).trim());
  }
  return out;
}

function section(md: string, word: string): string | undefined {
  for (const [k, v] of sections(md)) if (k.includes(word)) return v;
  return undefined;
}

const FENCES: Record<Format, RegExp> = {
  cloudformation: /^(ya?ml|json)$/i,
  terraform: /^(hcl|terraform|tf)$/i,
  dockerfile: /^(dockerfile|docker)$/i,
};

/** The code blocks of a section, with their language. */
function codeBlocks(text: string): { lang: string; code: string }[] {
  const out: { lang: string; code: string }[] = [];
  const re = /^```([\w-]*)\n([\s\S]*?)^```/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ lang: m[1], code: m[2] });
  return out;
}

const ENGINE_TEXT: Record<string, string> = {
  [PARSE_ERROR]: 'The file does not parse, so only part of it could be checked. Fix the syntax error first.',
  [INTERNAL_ERROR]: 'A rule failed on this file. Please report it with the file (or a reduced copy).',
  [FILE_TOO_LARGE]: 'Files over the size limit are not parsed, so that one huge generated or binary file cannot stall the editor. Raise `maxFileSizeKB` under `options:` in `.iac-lint.yaml` to lint it.',
  [UNUSED_SUPPRESSION]: 'This suppression does not suppress anything: the rule finds nothing here (any more), or the id is misspelt. Remove it, or fix the id. Set `unused-suppression: off` under `rules:` in `.iac-lint.yaml` to stop these reports.',
};

/** Hover markdown for one of our findings. */
export function hoverMarkdown(ruleId: string, rule: Rule | undefined, format: Format | null, message: string, severity?: string): string {
  const parts: string[] = [];
  const sev = severity ?? rule?.severity;
  const head = sev ? `**iac-lint** \`${ruleId}\` · ${sev}` : `**iac-lint** \`${ruleId}\``;
  parts.push(head);
  parts.push(message);
  if (!rule) {
    if (ENGINE_TEXT[ruleId]) parts.push(ENGINE_TEXT[ruleId]);
    return parts.join('\n\n');
  }
  parts.push(`*${rule.description}*`);
  const md = readDoc(ruleId);
  if (md) {
    const why = section(md, 'why');
    if (why) {
      // The seed quote and the first explanation paragraph: short enough for a hover.
      const paras = why.split(/\n\s*\n/).filter((p) => !/^```/.test(p.trim()));
      parts.push(paras.slice(0, 3).join('\n\n'));
    }
    const good = section(md, 'good');
    if (good) {
      const blocks = codeBlocks(good);
      const pick = (format && blocks.find((b) => FENCES[format].test(b.lang))) || blocks[0];
      if (pick) parts.push(`**Good**\n\n\`\`\`${pick.lang}\n${pick.code}\`\`\``);
    }
  }
  const args = encodeURIComponent(JSON.stringify([ruleId]));
  parts.push(`[Open the rule's documentation](command:iac-lint.openRuleDocs?${args}) · suppress with \`# iac-lint-ignore ${ruleId} -- <reason>\``);
  return parts.join('\n\n');
}

/**
 * Bad input for the robustness suite (test/robustness.test.ts, a fast slice in
 * `npm test`; scripts/fuzz.ts, the long run of `npm run fuzz`): the corpus (every
 * rule fixture, example and corpus file), mutations of it (truncated, lines
 * deleted and duplicated, bytes flipped, tabs and NULs inserted, invalid UTF-8,
 * lone surrogates, line endings changed), hostile documents (deep nesting, YAML
 * alias bombs, 20 MB files, binary files named like IaC) and the checks every
 * result must pass: well-formed findings (ranges inside the text, known rule ids,
 * valid severities, fixes whose edits apply) and no rule failing (`internal-error`).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { rules } from '../../rules';
import { defaultConfig, type EngineConfig } from '../../server/engine/config';
import { applyEdits } from '../../server/engine/fixer';
import { ENGINE_IDS, INTERNAL_ERROR, candidateFormat, type LintResult } from '../../server/engine/linter';
import { toDiagnostic } from '../../server/lsp/convert';
import type { SourceFile } from '../../server/engine/types';

export const ROOT = nodePath.resolve(__dirname, '..', '..', '..');

/** Options set, so that the rules silent by default run too. */
export function fuzzConfig(): EngineConfig {
  const config = defaultConfig();
  config.options.approvedAmis = ['ami-0a1b2c3d4e5f60718', '/golden/*'];
  config.options.requiredTags = ['Team'];
  config.options.trustedImages = ['docker.io/library', 'public.ecr.aws'];
  config.options.adminCidrs = ['10.0.0.0/8'];
  return config;
}

/** A corpus entry: one file to mutate, and the other files of its Terraform module. */
export interface CorpusFile {
  path: string;
  text: string;
  /** Other `.tf` files of the same folder (unchanged by the mutation). */
  siblings: SourceFile[];
}

const INPUT = /\.(ya?ml|json|tf|dockerfile)$|(^|\/)(Dockerfile|Containerfile)(\.[\w.-]+)?$/i;

function walk(dir: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = nodePath.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (INPUT.test(e.name) && !/\.(findings|fixed|base)$/.test(e.name) && !e.name.startsWith('.iac-lint')) out.push(p);
  }
}

/** Every fixture, example and corpus file, in a stable order. */
export function corpus(): CorpusFile[] {
  const paths: string[] = [];
  for (const d of ['test/fixtures', 'examples', 'test/corpus']) {
    const dir = nodePath.join(ROOT, d);
    if (fs.existsSync(dir)) walk(dir, paths);
  }
  const texts = new Map(paths.map((p) => [p, fs.readFileSync(p, 'utf8')]));
  return paths.map((path) => ({
    path,
    text: texts.get(path)!,
    siblings: /\.tf$/i.test(path)
      ? paths.filter((p) => p !== path && /\.tf$/i.test(p) && nodePath.dirname(p) === nodePath.dirname(path)).map((p) => ({ path: p, text: texts.get(p)! }))
      : [],
  }));
}

/** mulberry32: a small seeded PRNG, so that every failure can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);

function lines(text: string): string[] {
  return text.split(/(?<=\n)/);
}

function insertAt(text: string, r: Rand, piece: string, times: number): string {
  let out = text;
  for (let i = 0; i < times; i++) {
    const at = int(r, out.length + 1);
    out = out.slice(0, at) + piece + out.slice(at);
  }
  return out;
}

/** Bytes that are not valid UTF-8, decoded the way a file read as UTF-8 is. */
const INVALID_UTF8 = [[0xc3, 0x28], [0xff], [0xfe, 0xfe], [0xe2, 0x82], [0xf0, 0x28, 0x8c, 0xbc], [0xc0, 0xaf], [0xed, 0xa0, 0x80]];

/** A mutation: a name (for reports) and what it does to a text. */
export interface Mutator {
  name: string;
  apply(text: string, r: Rand): string;
}

export const MUTATORS: Mutator[] = [
  { name: 'truncate', apply: (t, r) => t.slice(0, int(r, t.length + 1)) },
  {
    name: 'delete-lines',
    apply: (t, r) => {
      const ls = lines(t);
      const at = int(r, ls.length);
      ls.splice(at, 1 + int(r, 3));
      return ls.join('');
    },
  },
  {
    name: 'duplicate-lines',
    apply: (t, r) => {
      const ls = lines(t);
      const at = int(r, ls.length);
      const n = 1 + int(r, 4);
      ls.splice(at, 0, ...ls.slice(at, at + n));
      return ls.join('');
    },
  },
  {
    name: 'swap-lines',
    apply: (t, r) => {
      const ls = lines(t);
      if (ls.length < 2) return t;
      const a = int(r, ls.length);
      const b = int(r, ls.length);
      [ls[a], ls[b]] = [ls[b], ls[a]];
      return ls.join('');
    },
  },
  {
    name: 'flip-bytes',
    apply: (t, r) => {
      const buf = Buffer.from(t, 'utf8');
      for (let i = 0, n = 1 + int(r, 8); i < n && buf.length; i++) buf[int(r, buf.length)] ^= 1 << int(r, 8);
      return buf.toString('utf8');
    },
  },
  { name: 'insert-tabs', apply: (t, r) => insertAt(t, r, '\t', 1 + int(r, 6)) },
  { name: 'insert-nul', apply: (t, r) => insertAt(t, r, '\0', 1 + int(r, 4)) },
  {
    name: 'invalid-utf8',
    apply: (t, r) => {
      const buf = Buffer.from(t, 'utf8');
      const parts: Buffer[] = [];
      let pos = 0;
      for (let i = 0, n = 1 + int(r, 4); i < n; i++) {
        const at = pos + int(r, Math.max(1, buf.length - pos));
        parts.push(buf.subarray(pos, at), Buffer.from(INVALID_UTF8[int(r, INVALID_UTF8.length)]));
        pos = at;
      }
      parts.push(buf.subarray(pos));
      return Buffer.concat(parts).toString('utf8');
    },
  },
  // An editor buffer can hold what no UTF-8 file can: unpaired UTF-16 surrogates.
  { name: 'lone-surrogates', apply: (t, r) => insertAt(insertAt(t, r, '\ud800', 1), r, '\udfff', 1) },
  { name: 'crlf', apply: (t) => t.replace(/\r?\n/g, '\r\n') },
  { name: 'cr', apply: (t) => t.replace(/\r?\n/g, '\r') },
  { name: 'bom', apply: (t) => `\ufeff${t}` },
  {
    name: 'values-to-functions',
    apply: (t, r) => (r() < 0.5
      ? t.replace(/: (true|false|\d+|[a-z][\w.-]*)$/gm, ': !Ref Unknown').replace(/= ("[^"]*"|true|false|\d+)/g, '= var.unknown')
      : t.replace(/: (\S.*)$/gm, ':').replace(/= ("[^"]*"|true|false|\d+)/g, '= null')),
  },
  {
    name: 'long-line',
    apply: (t, r) => {
      const ls = lines(t);
      const at = int(r, ls.length);
      ls.splice(at, 0, `${'x'.repeat(20000 + int(r, 80000))}\n`);
      return ls.join('');
    },
  },
  {
    name: 'splice-self',
    apply: (t, r) => {
      // A piece of the file pasted somewhere else in it (a half-done copy and paste).
      const a = int(r, t.length + 1);
      const b = Math.min(t.length, a + int(r, 400));
      return insertAt(t, r, t.slice(a, b), 1);
    },
  },
];

/** One mutated text of `text`: a mutator (seeded) or a chain of two. */
export function mutate(text: string, seed: number): { text: string; how: string } {
  const r = prng(seed);
  const first = MUTATORS[int(r, MUTATORS.length)];
  let out = first.apply(text, r);
  let how = first.name;
  if (r() < 0.3) {
    const second = MUTATORS[int(r, MUTATORS.length)];
    out = second.apply(out, r);
    how += `+${second.name}`;
  }
  return { text: out, how: `${how} (seed ${seed})` };
}

// ---------------------------------------------------------------------------
// Hostile documents

/** Depth of the deeply nested documents. */
export const DEEP = 5000;

/** Hostile documents per format: names like a real file, contents built to hurt. */
export function hostile(): { name: string; path: string; text: string }[] {
  const out: { name: string; path: string; text: string }[] = [];
  const add = (name: string, path: string, text: string) => out.push({ name, path: `/hostile/${path}`, text });
  const head = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n';
  add('yaml flow nesting', 'deep-flow.yaml', `${head}  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: ${'['.repeat(DEEP)}${']'.repeat(DEEP)}\n`);
  add('yaml block nesting', 'deep-block.yaml', `${head}  A:\n    Type: AWS::IAM::Policy\n    Properties:\n${Array.from({ length: 400 }, (_, i) => `${' '.repeat(6 + i * 2)}k${i}:\n`).join('')}`);
  add('yaml nested sequences', 'deep-seq.yaml', `${head}  A:\n    Type: AWS::EC2::Instance\n    Properties:\n      Tags:\n${Array.from({ length: 400 }, (_, i) => `${' '.repeat(8 + i * 2)}-\n`).join('')}`);
  add('yaml nested intrinsics', 'deep-if.yaml', `${head}  A:\n    Type: AWS::EC2::Instance\n    Properties:\n      InstanceType: ${'!If [c, '.repeat(300)}t3.micro${', x]'.repeat(300)}\n      MetadataOptions:\n        HttpTokens: ${'!Select [0, ['.repeat(300)}optional${']]'.repeat(300)}\n`);
  add('json nesting', 'deep.json', `{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": ${'['.repeat(DEEP)}${']'.repeat(DEEP)}}}}}`);
  add('json object nesting', 'deep-obj.json', `{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"A": {"Type": "AWS::IAM::Policy", "Properties": ${'{"a": '.repeat(DEEP)}1${'}'.repeat(DEEP)}}}}`);
  add('json intrinsics', 'deep-fn.json', `{"Resources": {"A": {"Type": "AWS::EC2::Instance", "Properties": {"InstanceType": ${'{"Fn::If": ["c", '.repeat(500)}"t3.micro"${', "x"]}'.repeat(500)}}}}}`);
  // Billion laughs: ten levels of ten aliases each expand to 10^10 strings.
  let bomb = `${head}  A:\n    Type: AWS::S3::Bucket\n    Metadata:\n      l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n`;
  for (let i = 1; i <= 10; i++) bomb += `      l${i}: &l${i} [${Array.from({ length: 10 }, () => `*l${i - 1}`).join(', ')}]\n`;
  add('yaml alias bomb (Metadata)', 'bomb.yaml', bomb);
  let bomb2 = `${head}  A:\n    Type: AWS::EC2::Instance\n    Properties:\n      X0: &x0 {HttpTokens: optional, Tags: [{Key: Name, Value: v}]}\n`;
  for (let i = 1; i <= 12; i++) bomb2 += `      X${i}: &x${i} {a: *x${i - 1}, b: *x${i - 1}, c: *x${i - 1}}\n`;
  bomb2 += '      MetadataOptions: *x12\n      Tags: [*x12, *x12]\n      UserData: *x12\n';
  add('yaml alias bomb (Properties)', 'bomb-props.yaml', bomb2);
  add('yaml self alias', 'self-alias.yaml', `${head}  A: &a\n    Type: AWS::EC2::Instance\n    Properties: *a\n`);
  add('terraform nested blocks', 'deep-blocks/main.tf', `${'a {\n'.repeat(2000)}${'}\n'.repeat(2000)}`);
  add('terraform nested objects', 'deep-objects/main.tf', `resource "aws_iam_policy" "p" {\n  policy = jsonencode(${'{ a = '.repeat(2000)}1${' }'.repeat(2000)})\n}\n`);
  add('terraform nested tuples', 'deep-tuples/main.tf', `resource "aws_security_group" "s" {\n  ingress = ${'['.repeat(DEEP)}${']'.repeat(DEEP)}\n}\n`);
  add('terraform nested interpolation', 'deep-template/main.tf', `locals {\n  x = "${'${"'.repeat(1000)}a${'"}'.repeat(1000)}"\n}\n`);
  add('terraform heredoc without end', 'heredoc/main.tf', `resource "aws_instance" "a" {\n  user_data = <<EOT\n${'echo AKIAIOSFODNN7EXAMPLE\n'.repeat(5000)}`);
  add('dockerfile nested subshells', 'deep-shell/Dockerfile', `FROM debian:12\nRUN ${'$('.repeat(2000)}apt-get install -y x${')'.repeat(2000)}\n`);
  add('dockerfile nested parentheses', 'deep-paren/Dockerfile', `FROM debian:12\nRUN ${'('.repeat(DEEP)}true${')'.repeat(DEEP)}\n`);
  add('dockerfile long continuation', 'continuation/Dockerfile', `FROM debian:12\nRUN apt-get update && \\\n${'    apt-get install -y pkg && \\\n'.repeat(5000)}    true\n`);
  add('dockerfile many stages', 'stages/Dockerfile', Array.from({ length: 2000 }, (_, i) => `FROM s${i > 0 ? i - 1 : 'debian:12'} AS s${i}\n`).join(''));
  add('dockerfile many heredocs', 'heredocs/Dockerfile', `FROM debian:12\nRUN ${Array.from({ length: 500 }, (_, i) => `<<E${i}`).join(' ')}\n${Array.from({ length: 500 }, (_, i) => `apt-get install x\nE${i}\n`).join('')}`);
  add('dockerfile unterminated heredoc', 'heredoc/Dockerfile', `FROM debian:12\nRUN <<EOF\n${'apt-get install -y curl\n'.repeat(5000)}`);
  add('dockerfile escape directive', 'escape/Dockerfile', '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN powershell -Command `\n    Write-Host hi\n');
  const r = prng(42);
  const bytes = Buffer.alloc(256 * 1024);
  for (let i = 0; i < bytes.length; i++) bytes[i] = int(r, 256);
  const binary = bytes.toString('utf8');
  add('binary named .tf', 'binary/main.tf', binary);
  add('binary named Dockerfile', 'binary/Dockerfile', binary);
  add('binary named .yaml', 'binary.yaml', binary);
  add('binary named .json', 'binary.json', binary);
  add('binary with a template marker', 'binary-cfn.yaml', `AWSTemplateFormatVersion: "2010-09-09"\n${binary}`);
  add('empty .tf', 'empty/main.tf', '');
  add('empty Dockerfile', 'empty/Dockerfile', '');
  add('only NULs', 'nul/main.tf', '\0'.repeat(10000));
  return out;
}

/** A file of about `bytes` bytes in the format of `path`, realistic content repeated. */
export function huge(path: string, bytes: number): string {
  const unit = /\.tf$/.test(path)
    ? 'resource "aws_instance" "web" {\n  ami = "ami-0abcdef1234567890"\n}\n'
    : /Dockerfile$/.test(path)
      ? 'RUN echo hello\n'
      : /\.json$/.test(path) ? '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}\n' : 'AWSTemplateFormatVersion: "2010-09-09"\n# filler\n';
  return unit.repeat(Math.ceil(bytes / unit.length));
}

// ---------------------------------------------------------------------------
// Checks

const SEVERITIES = new Set(['error', 'warning', 'info', 'hint']);
export const KNOWN_IDS = new Set([...rules.map((r) => r.id), ...ENGINE_IDS]);

/**
 * Problems with a lint result for `text` (empty when it is well formed): findings
 * on this file with ranges inside the text, known rule ids, valid severities and
 * messages; fixes whose edits lie inside the file they edit and apply; positions
 * the LSP conversion can make; no rule that failed (`internal-error`).
 */
export function problems(path: string, text: string, result: LintResult | null, texts: (p: string) => string | undefined): string[] {
  const out: string[] = [];
  if (result === null) {
    if (candidateFormat(path) !== 'cloudformation' && candidateFormat(path) !== null) out.push('no result for a Terraform file or Dockerfile');
    return out;
  }
  if (result.path !== path) out.push(`result for ${result.path}`);
  result.findings.forEach((f, i) => {
    const where = `finding ${i} (${f.ruleId})`;
    if (!KNOWN_IDS.has(f.ruleId)) out.push(`${where}: unknown rule id`);
    if (f.ruleId === INTERNAL_ERROR) out.push(`${where}: ${f.message}`);
    if (!SEVERITIES.has(f.severity)) out.push(`${where}: severity ${f.severity}`);
    if (typeof f.message !== 'string' || f.message.trim() === '') out.push(`${where}: empty message`);
    if (f.path !== path) out.push(`${where}: path ${f.path}`);
    const { start, end } = f.range;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end || end > text.length) out.push(`${where}: range ${start}-${end} outside 0-${text.length}`);
    try {
      const d = toDiagnostic(f, result.lines, i);
      const last = result.lines.lineCount - 1;
      for (const p of [d.range.start, d.range.end]) if (p.line < 0 || p.line > last || p.character < 0) out.push(`${where}: LSP position ${p.line}:${p.character}`);
    } catch (e) {
      out.push(`${where}: LSP conversion threw ${(e as Error).message}`);
    }
    for (const fix of f.fixes) {
      if (fix.kind !== 'exact' && fix.kind !== 'suggestion') out.push(`${where}: fix kind ${fix.kind}`);
      if (!fix.title) out.push(`${where}: fix without a title`);
      for (const ch of fix.changes) {
        const target = ch.path === path ? text : texts(ch.path);
        if (target === undefined) {
          out.push(`${where}: fix "${fix.title}" edits ${ch.path}, which is not in the workspace`);
          continue;
        }
        for (const e of ch.edits) {
          if (!Number.isInteger(e.start) || !Number.isInteger(e.end) || e.start < 0 || e.start > e.end || e.end > target.length || typeof e.newText !== 'string') {
            out.push(`${where}: fix "${fix.title}" edit ${e.start}-${e.end} outside 0-${target.length}`);
          }
        }
        try {
          applyEdits(target, ch.edits);
        } catch (e) {
          out.push(`${where}: fix "${fix.title}" does not apply: ${(e as Error).message}`);
        }
      }
    }
  });
  return out;
}

import { isDocument, isMap, isScalar, type Node, type Scalar, type YAMLMap } from 'yaml';
import { walkNodes } from '../server/engine/cloudformation/ranges';
import { cfnFacts, cfnReusable, cfnUnit } from './lib/memo';
import { DisjointRanges } from './lib/ranges';
import { defineRule, type BaseContext } from '../server/engine/rule';
import type { CfnTemplate } from '../server/engine/cloudformation/model';
import type { DfFile, DfInstruction, DfStage } from '../server/engine/dockerfile/model';
import { expandVariables } from '../server/engine/dockerfile/parser';
import type { TfFile, TfModule } from '../server/engine/terraform/model';
import { blockRecord, fileParts, walkBlocks } from '../server/engine/terraform/parser';
import { factOf, factsOf } from '../server/engine/memo';
import { tfFacts } from '../server/engine/units';
import type { OffsetRange } from '../server/engine/types';
import { UNKNOWN, OPAQUE_NAME, tfExprString } from './lib/images';
import { offsetRange } from '../server/engine/offsetRange';

// ---------------------------------------------------------------------------
// Inline key material

/**
 * A PEM / OpenSSH / PGP private key: the BEGIN line followed by key data (at
 * least 16 base64 characters, after optional `Proc-Type:`-style headers and
 * line breaks written as `\n` in a string). A bare BEGIN line, a placeholder
 * (`...`, `${var.key}`) or a public key / certificate is not key material.
 */
const BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----/g;
const BODY = /^(?:\s|\\[nr])*(?:[A-Za-z-]+: [^\r\n\\]*(?:\s|\\[nr])+)*[A-Za-z0-9+/=]{16}/;

interface KeyBlock {
  range: OffsetRange;
  kind: string;
}

export function privateKeyBlocks(text: string): KeyBlock[] {
  const out: KeyBlock[] = [];
  // BEGIN matches only where the text holds `-----BEGIN `: one plain search first, as files seldom do.
  if (text.indexOf('-----BEGIN ') < 0) return out;
  BEGIN.lastIndex = 0;
  for (let m = BEGIN.exec(text); m; m = BEGIN.exec(text)) {
    const start = m.index;
    const afterBegin = start + m[0].length;
    if (!BODY.test(text.slice(afterBegin, afterBegin + 600))) continue;
    const endMarker = `-----END ${m[1]}PRIVATE KEY${m[2] ?? ''}-----`;
    const endAt = text.indexOf(endMarker, afterBegin);
    const end = endAt >= 0 && endAt - afterBegin < 20000 ? endAt + endMarker.length : afterBegin;
    out.push({ range: offsetRange(start, end), kind: `${m[1]}PRIVATE KEY${m[2] ?? ''}`.trim() });
    BEGIN.lastIndex = end;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Key files in home and temp folders

const HOME = /^(?:~|\$HOME|\$\{HOME\}|%USERPROFILE%)[\\/]|^\/(?:home|Users)\/[^/]+\/|^\/root\/|^[A-Za-z]:[\\/]Users[\\/]/;
const TEMP = /^\/(?:tmp|var\/tmp|dev\/shm)\/|^\$\{?TMPDIR\}?\/|^%TEMP%[\\/]/;
/** Files in `.ssh` that are not private keys. */
const SSH_PUBLIC = /\.pub$|^(?:authorized_keys2?|known_hosts2?|config|environment|rc)$/i;
const DEFAULT_KEY_NAME = /^id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?$/i;
const KEY_EXT = /\.(?:pem|key|ppk)$/i;
/** `.pem` files that hold certificates or public keys, by the usual names. */
const NOT_PRIVATE = /cert|certificate|crt|chain|bundle|public|pubkey|gpg|pgp|trust|rootca|(?:^|[._-])(?:ca|pub)(?:[._\d-]|$)/i;

export function isKeyFileName(base: string): boolean {
  if (DEFAULT_KEY_NAME.test(base)) return true;
  return KEY_EXT.test(base) && !NOT_PRIVATE.test(base);
}

export type KeyPlace = 'home' | 'temp' | 'ssh';

/**
 * Where a path keeps a private key file: a home folder, a temp folder or any
 * `.ssh` folder. Null when the path is not a private key file in such a place
 * (public keys, `known_hosts`, certificates, a folder, a name only known at run time).
 */
export function privateKeyPlace(path: string, anyName = false): KeyPlace | null {
  const p = path.replace(/^file:\/\//, '').replace(/\$\{\s*pathexpand\(\s*"(~[^"]*)"\s*\)\s*\}/, '$1').replace(/[.:,]+$/, '');
  const segs = p.split('/');
  const base = segs[segs.length - 1];
  if (!base || base === '.ssh') return null;
  if (SSH_PUBLIC.test(base)) return null;
  if (/[$*?{}]/.test(base) && !KEY_EXT.test(base)) return null;
  const inSsh = segs.slice(0, -1).includes('.ssh');
  const place: KeyPlace | null = HOME.test(p) ? 'home' : TEMP.test(p) ? 'temp' : inSsh ? 'ssh' : null;
  if (!place) return null;
  return inSsh || anyName || isKeyFileName(base) ? place : null;
}

/** Path-like words of a text: runs without blanks, quotes or shell punctuation; `${...}` stays inside a word. */
const WORD = /(?:\$\{[^}\s]*\}|[^\s"'`;|&<>(),=[\]{}])+/g;

interface PathHit {
  range: OffsetRange;
  path: string;
  place: KeyPlace;
}

function keyPathsIn(text: string, base: number): PathHit[] {
  const out: PathHit[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m; m = WORD.exec(text)) {
    if (!m[0].includes('/')) continue;
    const place = privateKeyPlace(m[0]);
    if (place) out.push({ range: offsetRange(base + m.index, base + m.index + m[0].length), path: m[0], place });
  }
  return out;
}

/**
 * Text every path `privateKeyPlace` places holds (its home, temp or `.ssh` part;
 * the rewrites it makes first only drop characters, or keep a `~`): a text
 * without any holds no key path.
 */
const PLACE_HINT = /~|HOME|USERPROFILE|\/home\/|Users|\/root\/|\/tmp\/|\/dev\/shm\/|TMPDIR|%TEMP%|\.ssh/;

/** Whether `text[start, end)` holds a `/` (every word `keyPathsIn` keeps does). */
function hasSlash(text: string, start: number, end: number): boolean {
  const e = Math.min(end, text.length);
  for (let i = Math.max(0, start); i < e; i++) if (text.charCodeAt(i) === 47) return true;
  return false;
}

const PLACE_TEXT: Record<KeyPlace, string> = {
  home: 'a home folder',
  temp: 'a temp folder',
  ssh: 'an .ssh folder',
};

function pathMessage(hit: { path: string; place: KeyPlace }): string {
  return `\`${hit.path}\` is a private key kept in ${PLACE_TEXT[hit.place]}. Do not keep private keys in home or temp folders: store them where only the people and services that need them can read them (a secrets store such as Secrets Manager), or avoid the key altogether with Session Manager.`;
}

function blockMessage(kind: string, where: string): string {
  return `Private key material (${kind}) is written in this ${where}: anyone who can read the source holds the key. Rotate it and load it from a secrets store (Secrets Manager, SSM Parameter Store SecureString) instead.`;
}

/** Reports hits in order, each range once (nested string nodes and scanners overlap). */
function reportOnce(ctx: BaseContext, seen: DisjointRanges, range: OffsetRange, resource: string | null, message: string): void {
  if (!seen.add(range)) return;
  ctx.report({ range, resource, message });
}

/** Path hits: the first mention of each path per resource (a script names its key file many times). */
function reportPaths(ctx: BaseContext, seen: DisjointRanges, hits: PathHit[], resourceAt: (offset: number) => string | null): void {
  const done = new Set<string>();
  for (const h of [...hits].sort((a, b) => a.range.start - b.range.start)) {
    const resource = resourceAt(h.range.start);
    const key = `${resource}\u0000${h.path}`;
    if (done.has(key)) continue;
    done.add(key);
    reportOnce(ctx, seen, h.range, resource, pathMessage(h));
  }
}

// ---------------------------------------------------------------------------

function cfnResourceAt(tpl: CfnTemplate, offset: number): string | null {
  for (const r of tpl.resources) {
    const end = r.body.range?.[1] ?? r.keyRange.end;
    if (r.keyRange.start <= offset && offset < end) return r.logicalId;
  }
  return null;
}

function tfAddressAt(file: TfFile, offset: number): string | null {
  return file.blocks.find((b) => b.range.start <= offset && offset < b.range.end)?.address ?? null;
}

/** Terraform attributes whose value names a key file: a path in a home or temp folder is one whatever its name. */
const KEY_ATTRIBUTE = /(?:^|_)(?:private_key|ssh_key|identity_file|key_file|key_path|pem_file)(?:_|$)/;
/** In the text of a file with a `KEY_ATTRIBUTE` attribute (a name is a piece of the text). */
const KEY_ATTRIBUTE_WORD = /private_key|ssh_key|identity_file|key_file|key_path|pem_file/;
/**
 * In every text holding a word `privateKeyPlace` finds a place in: each of its
 * tests (HOME, TEMP, an `.ssh` segment) needs one of these in the path, and the
 * path is a piece of the word but for `${pathexpand("~...")}`, which holds `~`.
 */
export const KEY_PLACE_MARK = /~|HOME|USERPROFILE|\/home\/|Users|\/root\/|\/tmp\/|\/dev\/shm\/|TMPDIR|%TEMP%|\.ssh/;

/** Key paths in the strings under `node` (offsets moved by `delta`). */
function tfStringPaths(node: { descendantsOfType(types: string[]): unknown[] }, text: string, delta: number, out: PathHit[]): PathHit[] {
  const nodes = node.descendantsOfType(['string_lit', 'quoted_template', 'heredoc_template']) as { startIndex: number; endIndex: number }[];
  for (const n of nodes) out.push(...keyPathsIn(text.slice(n.startIndex, n.endIndex), n.startIndex + delta));
  return out;
}

function terraformPaths(ctx: BaseContext, file: TfFile, module: TfModule, seen: DisjointRanges): void {
  const root = file.tree?.rootNode;
  if (!root) return;
  const hits: PathHit[] = [];
  const parts = fileParts(file);
  if (!KEY_PLACE_MARK.test(file.text)) {
    // No string of the file can name a key file in such a place.
  } else if (parts) {
    // Per top-level block, cached by its text (offsets relative to the block).
    for (const p of parts) {
      if (!p.block) {
        tfStringPaths(p.node, file.text, 0, hits);
        continue;
      }
      const base = p.block.range.start;
      const rel = factOf(blockRecord(file, p.block, factsOf), 'no-private-key-material:tf-paths', () => tfStringPaths(p.node, file.text, -base, []));
      for (const h of rel) hits.push(base === 0 ? h : { ...h, range: offsetRange(base + h.range.start, base + h.range.end) });
    }
  } else {
    tfStringPaths(root, file.text, 0, hits);
  }
  reportPaths(ctx, seen, hits, (o) => tfAddressAt(file, o));
  // Key file attributes, per top-level block: cached by its text and the module's
  // variables and locals (offsets relative to the block).
  if (!KEY_ATTRIBUTE_WORD.test(file.text)) return;
  for (const top of file.blocks) {
    const base = top.range.start;
    const rel = tfFacts(module, file, top, 'no-private-key-material:tf-attributes', () => {
      const out: { range: OffsetRange; at: number; path: string; place: KeyPlace }[] = [];
      walkBlocks([top], (b) => {
        for (const a of b.attributes) {
          if (!KEY_ATTRIBUTE.test(a.name) || (a.expr.kind !== 'string' && a.expr.kind !== 'template')) continue;
          const value = tfExprString(module, a.expr);
          if (value.includes(UNKNOWN) || value.includes(OPAQUE_NAME)) continue;
          const place = privateKeyPlace(value, true);
          if (place) out.push({ range: offsetRange(a.expr.range.start - base, a.expr.range.end - base), at: a.range.start - base, path: value, place });
        }
      });
      return out;
    });
    for (const h of rel) {
      reportOnce(ctx, seen, offsetRange(h.range.start + base, h.range.end + base), tfAddressAt(file, h.at + base), pathMessage({ path: h.path, place: h.place }));
    }
  }
}

// ---------------------------------------------------------------------------
// Dockerfiles: COPY / ADD of key files

/** Where certificates go: `.pem` files copied there are CA certificates. */
const CA_STORE = /ca-certificates|\/etc\/ssl\/certs|\/etc\/pki\/ca-trust|\/certs?\/?$/i;

interface DfArg {
  value: string;
  range: OffsetRange;
}

/** Sources and destination of COPY/ADD as written (exec form strings located in the text). */
function copyArgs(df: DfFile, instr: DfInstruction): DfArg[] {
  if (instr.json) {
    const out: DfArg[] = [];
    let from = instr.argsRange?.start ?? instr.range.start;
    for (const s of instr.json) {
      const quoted = JSON.stringify(s);
      const at = df.text.indexOf(quoted, from);
      const start = at >= 0 ? at + 1 : from;
      out.push({ value: s, range: offsetRange(start, start + (at >= 0 ? quoted.length - 2 : 0)) });
      if (at >= 0) from = at + quoted.length;
    }
    return out;
  }
  const out: DfArg[] = [];
  for (const a of instr.args) if (!a.value.startsWith('<<')) out.push({ value: a.value, range: a.range });
  return out;
}

function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function dockerfileCopies(ctx: BaseContext, df: DfFile, seen: DisjointRanges, keyBlocks: boolean): void {
  // A stage's findings depend on its text, the global ARGs and the escape
  // character only, and lie inside it: checked per stage under `ctx.memo` when
  // nothing was reported before (a private key block could overlap them) and no
  // COPY/ADD is in exec form (its strings are searched in the text, possibly
  // beyond the stage).
  const perStage = !keyBlocks && !df.instructions.some((i) => i.json !== null && (i.keyword === 'COPY' || i.keyword === 'ADD'));
  const deps = perStage ? JSON.stringify([df.escapeChar, [...df.globalArgs]]) : null;
  for (const stage of df.stages) ctx.memo(stage.range, deps, () => stageCopies(ctx, df, stage, seen));
}

function stageCopies(ctx: BaseContext, df: DfFile, stage: DfStage, seen: DisjointRanges): void {
  {
    const vars = new Map(df.globalArgs);
    for (const instr of stage.instructions) {
      if (instr.keyword === 'ARG' || instr.keyword === 'ENV') {
        for (const p of instr.properties) if (p.value !== null || !vars.has(p.name)) vars.set(p.name, p.value === null ? null : expandVariables(p.value, vars).value);
        continue;
      }
      if (instr.keyword !== 'COPY' && instr.keyword !== 'ADD') continue;
      const args = copyArgs(df, instr);
      if (args.length < 2) continue;
      const expand = (a: DfArg) => {
        const e = expandVariables(a.value, vars);
        return e.unresolved ? null : e.value;
      };
      const dest = expand(args[args.length - 1]);
      const sources = args.slice(0, -1);
      let fired = false;
      for (const src of sources) {
        const value = expand(src);
        if (value === null) continue;
        const base = baseName(value);
        const sshDir = base === '.ssh' || value.split('/').slice(0, -1).includes('.ssh');
        const keyFile = isKeyFileName(base) && !(KEY_EXT.test(base) && /\.pem$/i.test(base) && dest !== null && CA_STORE.test(dest));
        if (!keyFile && !(sshDir && !SSH_PUBLIC.test(base))) continue;
        fired = true;
        const what = base === '.ssh' ? 'an .ssh folder (private keys included)' : `the private key \`${value}\``;
        reportOnce(ctx, seen, src.range, stage.name, `${instr.keyword} puts ${what} into an image layer: anyone who can pull the image can extract it, even if a later step deletes it. Use a build secret (RUN --mount=type=secret) or SSH forwarding (RUN --mount=type=ssh) instead.`);
      }
      if (fired || dest === null || !dest.split('/').includes('.ssh')) continue;
      // Into an .ssh folder: private keys, unless the file is a known public one.
      const destBase = dest.endsWith('/') ? '.ssh' : baseName(dest);
      if (destBase !== '.ssh') {
        if (SSH_PUBLIC.test(destBase)) continue;
      } else {
        const names = sources.map((src) => expand(src));
        if (names.some((n) => n === null) || names.every((n) => SSH_PUBLIC.test(baseName(n!)))) continue;
      }
      reportOnce(ctx, seen, args[args.length - 1].range, stage.name, `${instr.keyword} copies into \`${dest}\`: an .ssh folder in the image holds private keys anyone who can pull the image can extract. Use SSH forwarding (RUN --mount=type=ssh) or a build secret instead.`);
    }
  }
}

export default defineRule({
  id: 'no-private-key-material',
  severity: 'error',
  seed: '003 EC2 key pairs: do not keep private keys in temp or home directories',
  description: 'No private key material in source, no private key files read from home or temp folders, no key files copied into images.',
  fixable: false,
  reads: { cloudformation: '*', terraform: '*' },

  cloudformation(ctx) {
    const tpl = ctx.template;
    const seen = new DisjointRanges();
    // BEGIN matches only where the text holds `-----BEGIN `: found first, as templates seldom do.
    if (tpl.text.includes('-----BEGIN ')) {
      for (const b of privateKeyBlocks(tpl.text)) reportOnce(ctx, seen, b.range, cfnResourceAt(tpl, b.range.start), blockMessage(b.kind, 'template'));
    }
    const hits: PathHit[] = [];
    // The key paths in every string; those of a resource are cached by its text.
    // Every string scalar in document order (as `yaml`'s `visit` meets them,
    // without its per-node path arrays); a path holds a `/`, so a scalar whose
    // source has none is not cut out of the text and searched, nor one without a
    // home, temp or .ssh part (nor any, when the whole text has none).
    const text = tpl.text;
    const collect = (node: unknown, base: number, out: PathHit[]) => {
      if (!node) return;
      walkNodes(isDocument(node) ? node.contents : node, (n) => {
        if (!isScalar(n) || typeof n.value !== 'string') return;
        const r = n.range;
        if (!r || !hasSlash(text, r[0], r[1])) return;
        const src = text.slice(r[0], r[1]);
        if (!PLACE_HINT.test(src)) return;
        for (const h of keyPathsIn(src, r[0] - base)) out.push(h);
      });
    };
    if (tpl.doc.contents === tpl.root && cfnReusable(tpl)) {
      // `tpl.resources` are entries of one `Resources` map in its order (a clean
      // template names each once): met by a pointer, no lookup per entry.
      const all = tpl.resources;
      for (const section of tpl.root.items) {
        collect(section.key, 0, hits);
        const value = section.value as Node | null;
        if (!(isScalar(section.key) && section.key.value === 'Resources' && isMap(value))) {
          collect(value, 0, hits);
          continue;
        }
        let k = 0;
        for (const p of (value as YAMLMap).items) {
          const res = k < all.length && all[k].pair === p ? all[k++] : undefined;
          if (!res || tpl.resourceById.get(res.logicalId) !== res) {
            collect(p.key, 0, hits);
            collect(p.value, 0, hits);
            continue;
          }
          const rel = cfnFacts(tpl, res, 'no-private-key-material:paths', (base) => {
            const out: PathHit[] = [];
            collect(p.key, base, out);
            collect(p.value, base, out);
            return out;
          });
          if (rel.length === 0) continue;
          const base = cfnUnit(res).start;
          for (const h of rel) hits.push({ ...h, range: offsetRange(base + h.range.start, base + h.range.end) });
        }
      }
    } else if (PLACE_HINT.test(text)) {
      collect(tpl.doc, 0, hits);
    }
    reportPaths(ctx, seen, hits, (o) => cfnResourceAt(tpl, o));
  },

  terraform(ctx) {
    const seen = new DisjointRanges();
    for (const b of privateKeyBlocks(ctx.file.text)) reportOnce(ctx, seen, b.range, tfAddressAt(ctx.file, b.range.start), blockMessage(b.kind, 'configuration'));
    terraformPaths(ctx, ctx.file, ctx.module, seen);
  },

  dockerfile(ctx) {
    const df = ctx.dockerfile;
    const seen = new DisjointRanges();
    const stageAt = (o: number) => df.stages.find((s) => s.range.start <= o && o <= s.range.end)?.name ?? null;
    const blocks = privateKeyBlocks(df.text);
    for (const b of blocks) reportOnce(ctx, seen, b.range, stageAt(b.range.start), blockMessage(b.kind, 'Dockerfile'));
    dockerfileCopies(ctx, df, seen, blocks.length > 0);
  },
});

import * as nodePath from 'node:path';
import type { Node as YamlNode } from 'yaml';
import { defineRule, type BaseContext, type CfnContext } from '../server/engine/rule';
import type { CfnTemplate } from '../server/engine/cloudformation/model';
import type { TfBlock, TfFile, TfModule } from '../server/engine/terraform/model';
import { isTfUnit } from '../server/engine/units';
import { tfDeps } from './lib/memo';
import type { OffsetRange } from '../server/engine/types';
import { cfnDeps, cfnFacts, cfnUnit } from './lib/memo';
import { RangeIndex } from './lib/ranges';
import type { DfFile, DfInstruction, DfProperty } from '../server/engine/dockerfile/model';
import { chunkInstructions } from './lib/docker';
import { blockToDNode, cfnPlainMap, entrySource, type CfnEntry, entry, forEachCfnEntry, fromCfn, fromTf, jsonInside, str, subRange, type DEntry, type DMap, type DNode, type DScalar, type DTemplate } from './lib/docNode';
import {
  classify, credentialSetting, decodeBase64, dedupe, describe, isLiteralSecret, keyIdStarts, keyIdsIn, reportable, scanText,
  type CredentialKind, type TextHit,
} from './lib/secrets';
import { offsetRange } from '../server/engine/offsetRange';

interface Hit {
  start: number;
  end: number;
  value: string;
  kind: TextHit['kind'];
  name?: string;
  setting?: CredentialKind;
  inComment: boolean;
  resource: string | null;
  /** The value comes through a parameter or variable default. */
  indirect?: string;
}

/**
 * Cheap test on the source of a resource / block before walking it: everything
 * the walk can find contains one of these (a key id; a credential name, which a
 * secret key needs as context; a provider `token`; user data that may be base64).
 */
const MAYBE = /AKIA|ASIA|secret|access.?key|session.?token|security.?token|(?<![\w-])token\b|user.?data/i;

function maybe(text: string, range: OffsetRange): boolean {
  return MAYBE.test(text.slice(range.start, range.end));
}

/** Keys whose literal string value CloudFormation / Terraform take as base64 already. */
const BASE64_KEYS = new Set(['UserData', 'user_data_base64']);

/** A literal value given to a credential setting: the hit, classified by the value's shape. */
function settingHit(name: string, setting: CredentialKind, node: DScalar, resource: string | null): Hit | null {
  if (!isLiteralSecret(node.value)) return null;
  return {
    start: node.range.start, end: node.range.end, value: node.value, kind: classify(node.value, setting), name, setting, inComment: false, resource,
    indirect: node.literal ? undefined : node.text.slice(node.range.start, node.range.end),
  };
}

/** Credentials in the text of a scalar or template, positioned in the file. */
function textHits(node: DScalar | DTemplate, resource: string | null, text = node.value, at?: OffsetRange): Hit[] {
  const found = scanText(text);
  if (found.length === 0) return found as Hit[];
  return found.map((h) => {
    const r = at ?? subRange(node, h.start, h.end);
    return { ...h, start: r.start, end: r.end, resource, indirect: node.kind === 'scalar' && !node.literal ? node.text.slice(node.range.start, node.range.end) : undefined };
  });
}

/**
 * Every credential in a structured value: settings written as keys
 * (`AWS_SECRET_ACCESS_KEY: ...`), as `Name`/`Value` pairs (ECS, CodeBuild),
 * and anything key-shaped in any string (user data, JSON in strings).
 */
function walk(node: DNode, resource: string | null, out: Hit[], depth = 0, indirect: RegExp | null = WALK_INDIRECT): void {
  if (depth > 100) return;
  switch (node.kind) {
    case 'map': {
      nameValue(node, resource, out);
      for (const e of node.entries) {
        if (depth <= 3 && indirect !== null && nothingIn(e, indirect)) continue;
        const setting = e.key ? credentialSetting(e.key) : null;
        if (setting && e.value.kind === 'scalar') {
          const h = settingHit(e.key!, setting, e.value, resource);
          if (h) out.push(h);
        }
        if (e.key && BASE64_KEYS.has(e.key) && e.value.kind === 'scalar' && e.value.literal) {
          const decoded = decodeBase64(e.value.value);
          if (decoded) out.push(...textHits(e.value, resource, decoded, e.value.range));
        }
        walk(e.value, resource, out, depth + 1, indirect);
      }
      return;
    }
    case 'scalar':
    case 'template': {
      const th = textHits(node, resource);
      if (th.length) out.push(...th);
      const json = jsonInside(node);
      if (json?.node) walk(json.node, resource, out, depth + 1, indirect);
      return;
    }
    case 'list':
      node.items.forEach((n) => walk(n, resource, out, depth + 1, indirect));
      return;
    case 'alt':
      node.options.forEach((n) => walk(n, resource, out, depth + 1, indirect));
      return;
    case 'unknown':
      node.parts.forEach((n) => walk(n, resource, out, depth + 1, indirect));
  }
}

/**
 * The first entry whose key is `k` (lower case ASCII) in any case. Lower-casing
 * keeps the length of any key that lower-cases to ASCII: the others are not
 * lower-cased.
 */
function pick(m: DMap, k: string): DEntry | undefined {
  for (const e of m.entries) if (e.key !== null && e.key.length === k.length && e.key.toLowerCase() === k) return e;
  return undefined;
}

/**
 * Text a template entry must hold, as written, for the walk to find anything in
 * it (the entry's own checks included): a key id (`AKIA`/`ASIA`), `secret`,
 * `aws_` or `aws` and a space (settings and their names, `aws configure`), user data (base64 to decode), or what can
 * bring a value from elsewhere or spell it otherwise: `Ref` (a parameter's
 * default), `*` (an alias), `\` (escapes of quoted YAML and of JSON in strings).
 * Every pattern of the walk needs one of the first as a contiguous token; YAML
 * folding only turns line breaks into spaces, and case-insensitive matching is
 * the patterns' own.
 */
const WALK_NEEDS = /AKIA|ASIA|secret|aws[_\s]|user.?data/i;
const WALK_INDIRECT = /Ref|[*\\]/;
/** `WALK_INDIRECT` for a template whose parameter defaults hold nothing the walk can find: a `Ref` brings nothing. */
const WALK_INDIRECT_NO_REF = /[*\\]/;
/**
 * `WALK_INDIRECT` for Terraform: a `var.` reference reads a variable's default
 * (written elsewhere), a backslash is an escape; interpolations and heredocs are
 * read as written.
 */
const TF_WALK_INDIRECT = /var\.|\\/;

/**
 * The indirections to heed in a template's entries: a `Ref` only when some
 * parameter default, as written, holds what the walk looks for or an indirection
 * of its own (`!Ref X` reads X's default, through `!If` branches and further
 * references: all written in some default).
 */
function indirections(tpl: CfnTemplate): RegExp {
  for (const p of tpl.parameters.values()) {
    const r = p.default?.range;
    if (!p.default) continue;
    if (!r) return WALK_INDIRECT;
    const text = tpl.text.slice(r[0], Math.max(r[1], r[2]));
    if (WALK_NEEDS.test(text) || WALK_INDIRECT.test(text)) return WALK_INDIRECT;
  }
  return WALK_INDIRECT_NO_REF;
}

/**
 * An entry of a CloudFormation map or a Terraform block the walk can find
 * nothing in (its text tells). Short entries too: two tests of a few characters
 * cost less than reading the value into a node and scanning it.
 */
function nothingIn(e: DEntry, indirect: RegExp): boolean {
  const text = entrySource(e);
  if (text === null) return false;
  return !WALK_NEEDS.test(text) && !indirect.test(text);
}

/** `{ Name: AWS_ACCESS_KEY_ID, Value: ... }` (ECS, Batch, CodeBuild `PLAINTEXT`; any case of the keys). */
function nameValue(m: DMap, resource: string | null, out: Hit[]): void {
  const name = str(pick(m, 'name')?.value);
  if (!name) return;
  const val = pick(m, 'value')?.value;
  if (!name || val?.kind !== 'scalar') return;
  const setting = credentialSetting(name);
  if (!setting) return;
  const type = str(pick(m, 'type')?.value);
  if (type !== undefined && type.toUpperCase() !== 'PLAINTEXT') return;
  const h = settingHit(name, setting, val, resource);
  if (h) out.push(h);
}

function report(ctx: BaseContext, hits: Hit[], where: (h: Hit) => string): void {
  for (const h of dedupe(hits)) {
    if (!reportable(h)) continue;
    ctx.report({ range: offsetRange(h.start, h.end), resource: h.resource, message: describe(h, where(h), h.indirect) });
  }
}

/**
 * Access key ids the structured walk did not reach: comments (and anything
 * else), exempt when AWS's examples. Only those in [from, to) of the text, and
 * outside `skip`.
 */
function leftoverKeyIds(text: string, found: Hit[], from = 0, to = text.length, skip?: RangeIndex, starts?: readonly number[]): Hit[] {
  const out: Hit[] = [];
  const ids = keyIdsIn(text, from, to, starts);
  if (ids.length === 0) return out;
  const index = new RangeIndex(found);
  for (const { start, end, value } of ids) {
    if (index.overlapsAny(start, end) || skip?.overlapsAny(start, end)) continue;
    out.push({ start, end, value, kind: 'key-id', inComment: true, resource: null });
  }
  return out;
}

/** The findings of one resource entry `r` of `Resources` (its unit `unit`): the walk, then the key ids it did not reach. */
function cfnResourceCheck(ctx: CfnContext, r: CfnEntry, unit: OffsetRange, indirect: RegExp, starts: readonly number[], where: (h: Hit) => string): void {
  const own: Hit[] = [];
  walk(r.value(), r.key, own, 0, indirect);
  own.push(...leftoverKeyIds(ctx.template.text, own, unit.start, unit.end, undefined, starts));
  report(ctx, own, where);
}

/**
 * The walk's hits in every resource of a template, each resource read whole;
 * `general`: no entry skipped by its text (every entry read), for tests of the skips.
 */
export function cfnResourceHits(tpl: CfnTemplate, general: boolean): Hit[][] {
  const indirect = general ? null : indirections(tpl);
  const out: Hit[][] = [];
  for (const res of tpl.resources) {
    const value = fromCfn(tpl, res.pair.value as YamlNode | null);
    const own: Hit[] = [];
    if (value) walk(value, res.logicalId, own, 0, indirect);
    out.push(own);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Terraform specifics

/** Provider and S3 backend settings holding credentials. */
const TF_SETTINGS: Record<string, CredentialKind> = { access_key: 'access-key-id', secret_key: 'secret-access-key', token: 'session-token' };
/** Variable names that say they hold an AWS credential. */
const CREDENTIAL_VARIABLE = /^(aws_)?(access_key(_id)?|secret(_access)?_key|session_token)$/i;

/** The hits of the top-level blocks `which` accepts. */
function tfHits(module: TfModule, file: TfFile, which: (b: TfBlock) => boolean = () => true, indirect: RegExp | null = TF_WALK_INDIRECT): Hit[] {
  const hits: Hit[] = [];
  const settingsOf = (b: TfBlock, resource: string) => {
    for (const a of b.attributes) {
      const setting = TF_SETTINGS[a.name];
      if (!setting) continue;
      const n = fromTf(module, file.path, file.text, a.expr);
      if (n.kind !== 'scalar') continue;
      const h = settingHit(a.name, setting, n, resource);
      if (h) hits.push(h);
    }
  };
  for (const b of file.blocks) {
    const resource = b.address;
    if (!which(b) || !maybe(file.text, b.range)) continue;
    walk(blockToDNode(module, file.path, file.text, b), resource, hits, 0, indirect);
    if (b.type === 'provider' && b.labels[0]?.value === 'aws') settingsOf(b, resource ?? 'provider.aws');
    if (b.type === 'terraform') {
      for (const be of b.blocksOfType('backend')) if (be.labels[0]?.value === 's3') settingsOf(be, 'terraform.backend.s3');
    }
    if (b.type === 'variable' && CREDENTIAL_VARIABLE.test(b.labels[0]?.value ?? '')) {
      const d = b.attr('default');
      const n = d ? fromTf(module, file.path, file.text, d.expr) : null;
      if (n?.kind === 'scalar' && n.literal) {
        const name = b.labels[0]!.value;
        const setting: CredentialKind = /secret/i.test(name) ? 'secret-access-key' : /token/i.test(name) ? 'session-token' : 'access-key-id';
        const h = settingHit(`variable ${name}`, setting, n, resource);
        if (h) hits.push(h);
      }
    }
  }
  return hits;
}

/** `tfHits` of a file, each entry read (`general`) or skipped by its text as the rule does: for tests of the skips. */
export function tfFileHits(module: TfModule, file: TfFile, general: boolean): Hit[] {
  return tfHits(module, file, () => true, general ? null : TF_WALK_INDIRECT);
}

// ---------------------------------------------------------------------------
// CloudFormation specifics

/** Parameter names that say they hold an AWS credential (`SecretAccessKey`, `AwsAccessKeyId`). */
const CREDENTIAL_PARAMETER = /^(aws)?(accesskey(id)?|secret(access)?key|sessiontoken)$/i;

// ---------------------------------------------------------------------------
// Dockerfile specifics

const DF_FACT = 'no-hardcoded-credentials:pairs';
const DF_CHUNK_KEY = 'no-hardcoded-credentials:text';

/** An ENV/ARG pair giving a literal to a credential setting. */
function dfSettingPair(p: DfProperty): boolean {
  return credentialSetting(p.name) !== null && p.value !== null && p.valueRange !== null && !/\$/.test(p.value) && isLiteralSecret(p.value);
}

/**
 * A later chunk whose FROM line could end a `aws configure set --profile <word>
 * <setting>` begun in the chunk before (`\s` crosses lines; the FROM keyword is
 * the only word at a cut a match can go on through).
 */
const CROSSING = /^from\s+(?:aws_access_key_id|aws_secret_access_key|aws_session_token)[ \t]/i;

/**
 * `scanText(df.text)`, per parse chunk (`DfFile.chunks`), kept with the chunk:
 * an edit rescans the chunk it touches. Equal to the scan of the whole text: a
 * cut lies at the start of a line and every pattern stays within a line, but
 * for `aws configure set --profile`, whose profile word can be the FROM of the
 * next chunk (then the whole text is scanned).
 */
function dfTextHits(df: DfFile): TextHit[] {
  const chunks = df.chunks;
  if (chunks.length <= 1) return scanText(df.text);
  const per: { hits: TextHit[]; crossing: boolean }[] = [];
  for (const c of chunks) {
    let v = c.data.get(DF_CHUNK_KEY) as { hits: TextHit[]; crossing: boolean } | undefined;
    if (!v) {
      const text = df.text.slice(c.start, c.end);
      v = { hits: scanText(text), crossing: CROSSING.test(text) };
      c.data.set(DF_CHUNK_KEY, v);
    }
    per.push(v);
  }
  const out: TextHit[] = [];
  for (let k = 0; k < chunks.length; k++) {
    if (k > 0 && per[k].crossing) return scanText(df.text);
    const d = chunks[k].start;
    for (const h of per[k].hits) out.push({ ...h, start: h.start + d, end: h.end + d });
  }
  return out;
}

export default defineRule({
  id: 'no-hardcoded-credentials',
  severity: 'error',
  seed: '003 IAM: do not share access using access key & secret key; 000 EC2: access keys should be stored securely',
  description: 'AWS access keys, secret keys and literal values of credential settings (AWS_ACCESS_KEY_ID, provider access_key/secret_key/token) must not be written in templates, Terraform or Dockerfiles.',
  fixable: false,
  reads: { cloudformation: '*', terraform: '*' },

  cloudformation(ctx) {
    const tpl = ctx.template;
    const hits: Hit[] = [];
    const where = (h: Hit) => h.resource ?? nodePath.basename(ctx.path);
    // Each resource on its own (its findings reused while it does not change);
    // the key ids the walk does not reach, resource by resource too.
    const units: OffsetRange[] = [];
    const deps = cfnDeps(ctx);
    // Where key ids can start (none in most templates): each resource's leftover search reads only those.
    const starts = keyIdStarts(tpl.text);
    const indirect = indirections(tpl);
    // The root and `Resources` maps entry by entry, as `fromCfn` reads them: a
    // resource's value is made only when it is walked.
    const root = cfnPlainMap(tpl, tpl.root, 0);
    if (root) {
      forEachCfnEntry(tpl, root, 0, (e) => {
        const resMap = e.key === 'Resources' ? cfnPlainMap(tpl, e.pair.value as YamlNode | null, 1) : null;
        if (resMap) {
          // `tpl.resources` are entries of one `Resources` map in its order: met by a pointer.
          const all = tpl.resources;
          let k = 0;
          forEachCfnEntry(tpl, resMap, 1, (r) => {
            // A resource: its unit known without reading its body, whether it may hold credentials cached by its text.
            const res = k < all.length && all[k].pair === r.pair ? all[k++] : undefined;
            const unit = res ? cfnUnit(res) : offsetRange(r.keyRange.start, r.value().range.end);
            units.push(unit);
            // Without reuse (`deps` null: one-pass runs, syntax errors, aliases) facts are not kept and
            // `ctx.memo` runs its check at once: both asked directly, without a closure per resource.
            if (!(res && deps !== null ? cfnFacts(tpl, res, 'no-hardcoded-credentials:maybe', () => maybe(tpl.text, unit)) : maybe(tpl.text, unit))) return;
            if (deps === null) cfnResourceCheck(ctx, r, unit, indirect, starts, where);
            else ctx.memo(unit, deps, () => cfnResourceCheck(ctx, r, unit, indirect, starts, where));
          });
          return;
        }
        const value = e.value();
        if (e.key === 'Parameters' && value.kind === 'map') {
          for (const p of value.entries) {
            if (!maybe(tpl.text, offsetRange(p.keyRange.start, p.value.range.end))) continue;
            walk(p.value, null, hits, 0, indirect);
            const def = p.value.kind === 'map' ? entry(p.value, 'Default')?.value : undefined;
            if (p.key && CREDENTIAL_PARAMETER.test(p.key.replace(/[^A-Za-z0-9]/g, '')) && def?.kind === 'scalar') {
              const setting: CredentialKind = /secret/i.test(p.key) ? 'secret-access-key' : /token/i.test(p.key) ? 'session-token' : 'access-key-id';
              const h = settingHit(`parameter ${p.key}`, setting, def, null);
              if (h) hits.push(h);
            }
          }
        } else if (maybe(tpl.text, offsetRange(e.keyRange.start, value.range.end))) {
          walk(value, null, hits, 0, indirect);
        }
      });
    }
    // Key ids (KEY_ID: `AKIA` / `ASIA` + 16) outside what was walked; the text searched first, as it seldom holds one.
    if (starts.length) hits.push(...leftoverKeyIds(tpl.text, hits, 0, tpl.text.length, new RangeIndex(units), starts));
    report(ctx, hits, where);
  },

  terraform(ctx) {
    const file = ctx.file;
    const where = (h: Hit) => h.resource ?? nodePath.basename(ctx.path);
    // Each resource block on its own (its findings reused while neither it nor
    // the module outside resource blocks changes), then the rest of the file.
    const deps = tfDeps(ctx);
    const units: OffsetRange[] = [];
    // Key ids (KEY_ID: `AKIA` / `ASIA` + 16) left over: none unless the text holds one of the two.
    const keyIds = file.text.includes('AKIA') || file.text.includes('ASIA');
    for (const b of file.blocks) {
      if (!isTfUnit(b)) continue;
      units.push(b.range);
      ctx.memo(b.range, deps, () => {
        const own = tfHits(ctx.module, file, (x) => x === b);
        if (keyIds) own.push(...leftoverKeyIds(file.text, own, b.range.start, b.range.end));
        report(ctx, own, where);
      });
    }
    const hits = tfHits(ctx.module, file, (b) => !isTfUnit(b));
    if (keyIds) hits.push(...leftoverKeyIds(file.text, hits, 0, file.text.length, new RangeIndex(units)));
    report(ctx, hits, where);
  },

  dockerfile(ctx) {
    const df = ctx.dockerfile;
    const stageOf = (offset: number) => df.stages.find((s) => s.range.start <= offset && offset <= s.range.end)?.name ?? null;
    // Dockerfiles are line based: the whole text is scanned, `#` lines are comments.
    const hits: Hit[] = dfTextHits(df).map((h) => ({ ...h, resource: stageOf(h.start) }));
    for (let k = 0; k < df.chunks.length; k++) {
      // Known per parse chunk (kept with it): a keystroke neither re-tests nor moves
      // the pairs of the chunks it did not touch.
      const chunk = df.chunks[k];
      let some = chunk.data.get(DF_FACT) as boolean | undefined;
      if (some === undefined) {
        some = chunkInstructions(df, k).some((i) => (i.keyword === 'ENV' || i.keyword === 'ARG') && i.properties.some(dfSettingPair));
        chunk.data.set(DF_FACT, some);
      }
      if (some) dfPairHits(chunkInstructions(df, k), hits, stageOf);
    }
    report(ctx, hits, (h) => (h.resource ? `stage ${h.resource}` : nodePath.basename(ctx.path)));
  },
});

/** The ENV/ARG pairs of `instructions` giving a literal to a credential setting, as hits. */
function dfPairHits(instructions: DfInstruction[], hits: Hit[], stageOf: (offset: number) => string | null): void {
  for (const instr of instructions) {
    if (instr.keyword !== 'ENV' && instr.keyword !== 'ARG') continue;
    for (const p of instr.properties) {
      const setting = credentialSetting(p.name);
      if (!setting || !dfSettingPair(p)) continue;
      const value = p.value!;
      hits.push({ start: p.valueRange!.start, end: p.valueRange!.end, value, kind: classify(value, setting), name: p.name, setting, inComment: false, resource: stageOf(p.range.start) });
    }
  }
}

/**
 * Container image references into Amazon ECR and what `image-semver-tag` accepts
 * as a version. Values are resolved as the catalog prescribes (parameter
 * defaults, `!If` per branch, variable defaults); whatever the tool cannot know
 * becomes the UNKNOWN marker, and a reference whose tag depends on it is never
 * judged.
 */
import { isMap, isScalar, isSeq, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import type { CfnTemplate } from '../../server/engine/cloudformation/model';
import { deref, intrinsic } from '../../server/engine/cloudformation/nodes';
import { splitImageReference } from '../../server/engine/dockerfile/parser';
import type { TfExpr, TfModule } from '../../server/engine/terraform/model';
import { unescapeTemplateLiteral } from '../../server/engine/terraform/parser';
import { findVariable } from '../../server/engine/terraform/values';

/** A piece of a value the tool cannot know (a parameter without default, an attribute of another resource...). */
export const UNKNOWN = '\u0000';
/**
 * A repository name that certainly exists but is not written out (`!Ref Repo`,
 * `aws_ecr_repository.app.name`): it holds no tag or digest of its own.
 */
export const OPAQUE_NAME = '\u0001';
/** The URI of a repository declared in the same template / module (`RepositoryUri`, `repository_url`). */
export const ECR_REPOSITORY_URI = `${UNKNOWN}.dkr.ecr.${UNKNOWN}.amazonaws.com/${OPAQUE_NAME}`;

/**
 * Private ECR registry hosts: `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`
 * and the dual-stack `<account>.dkr-ecr.<region>.on.aws`. Public ECR
 * (`public.ecr.aws`) holds other people's images and is not ours to version.
 */
const ECR_HOST = /^[^/]*\.dkr\.ecr(?:-fips)?\.[^/]*\.amazonaws\.com(?:\.cn)?$|^[^/]*\.dkr-ecr\.[^/]*\.on\.aws$/;

export function isEcrHost(host: string | null): boolean {
  return host !== null && ECR_HOST.test(host);
}

/**
 * Semantic Versioning 2.0.0 (the regular expression suggested at semver.org),
 * with an optional leading `v` and without build metadata, since `+` cannot
 * appear in an image tag. `1.2` and `20240101` are not semantic versions.
 */
export const SEMVER_TAG =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$/;

export type TagVerdict =
  | { kind: 'ok' }
  | { kind: 'no-tag' }
  | { kind: 'latest' }
  | { kind: 'not-semver'; tag: string };

export interface EcrJudgement {
  verdict: TagVerdict;
  /** The repository path when the source spells it out, else null. */
  repository: string | null;
}

/**
 * Judges one resolved image reference. Null when it does not point into a
 * private ECR registry, or when the part that decides (the tag) is unknown.
 * A digest (`@sha256:...`) pins the image: it passes whatever the tag says.
 */
export function judgeEcrImage(value: string): EcrJudgement | null {
  const ref = splitImageReference(value.trim());
  if (!isEcrHost(ref.registry)) return null;
  const repository = /[\u0000\u0001]/.test(ref.repository) ? null : ref.repository;
  if (ref.digest !== null) return { verdict: { kind: 'ok' }, repository };
  if (ref.tag === null || ref.tag === '') {
    // `.../${Name}` may well carry its own `:tag`: only a name known to hold none is judged.
    const last = ref.repository.slice(ref.repository.lastIndexOf('/') + 1);
    if (last.includes(UNKNOWN)) return null;
    return { verdict: { kind: 'no-tag' }, repository };
  }
  if (ref.tag.includes(UNKNOWN) || ref.tag.includes(OPAQUE_NAME)) return null;
  if (ref.tag === 'latest') return { verdict: { kind: 'latest' }, repository };
  if (!SEMVER_TAG.test(ref.tag)) return { verdict: { kind: 'not-semver', tag: ref.tag }, repository };
  return { verdict: { kind: 'ok' }, repository };
}

/** The finding text for a bad verdict. */
export function verdictMessage(j: EcrJudgement, where: string): string {
  const v = j.verdict;
  const image = j.repository ? `the ECR image \`${j.repository}\`` : 'the ECR image';
  const tail = 'Push and reference images by semantic version (e.g. `1.4.2`, `v1.4.2-rc.1`) or pin a digest.';
  switch (v.kind) {
    case 'no-tag':
      return `${where}: ${image} has no tag, so it pulls \`latest\`. ${tail}`;
    case 'latest':
      return `${where}: ${image} is pulled by the \`latest\` tag, which names no release. ${tail}`;
    case 'not-semver':
      return `${where}: ${image} is pulled by the tag \`${v.tag}\`, which is not a semantic version (MAJOR.MINOR.PATCH). ${tail}`;
    default:
      return '';
  }
}

// ---------------------------------------------------------------------------
// CloudFormation

const MAX_CANDIDATES = 16;

const PSEUDO: Record<string, string> = {
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::Partition': 'aws',
};

function cap(values: string[]): string[] {
  return values.length > MAX_CANDIDATES ? [UNKNOWN] : values;
}

function product(parts: string[][], join: string): string[] {
  let acc = [''];
  for (let i = 0; i < parts.length; i++) {
    const next: string[] = [];
    for (const a of acc) for (const b of parts[i]) next.push(i === 0 ? b : a + join + b);
    if (next.length > MAX_CANDIDATES) return [UNKNOWN];
    acc = next;
  }
  return acc;
}

function refValue(tpl: CfnTemplate, name: string, depth: number): string[] {
  if (name in PSEUDO) return [PSEUDO[name]];
  if (name.startsWith('AWS::')) return [UNKNOWN];
  const param = tpl.parameters.get(name);
  if (param) return param.default ? cfnStrings(tpl, param.default, depth + 1) : [UNKNOWN];
  // `Ref` to an ECR repository is its name.
  if (tpl.resourceById.get(name)?.type === 'AWS::ECR::Repository') return [OPAQUE_NAME];
  return [UNKNOWN];
}

function getAttValue(tpl: CfnTemplate, resource: string, attr: string): string[] {
  const res = tpl.resourceById.get(resource);
  if (res?.type === 'AWS::ECR::Repository' && attr === 'RepositoryUri') return [ECR_REPOSITORY_URI];
  return [UNKNOWN];
}

/** `${Name}` placeholders of a `Fn::Sub` template, resolved from the variable map, parameters, pseudo parameters and attributes. */
function subValues(tpl: CfnTemplate, template: string, vars: YAMLMap | null, depth: number): string[] {
  const parts: string[][] = [];
  let lit = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('${', i);
    if (open < 0) {
      lit += template.slice(i);
      break;
    }
    lit += template.slice(i, open);
    const close = template.indexOf('}', open + 2);
    if (close < 0) {
      lit += template.slice(open);
      break;
    }
    const name = template.slice(open + 2, close).trim();
    i = close + 1;
    if (name.startsWith('!')) {
      lit += '${' + name.slice(1) + '}';
      continue;
    }
    parts.push([lit]);
    lit = '';
    let values: string[];
    const fromMap = vars?.items.find((p) => isScalar(p.key) && p.key.value === name);
    if (fromMap) values = cfnStrings(tpl, fromMap.value as Node, depth + 1);
    else if (name.includes('.') && !name.startsWith('AWS::')) {
      const dot = name.indexOf('.');
      values = getAttValue(tpl, name.slice(0, dot), name.slice(dot + 1));
    } else values = refValue(tpl, name, depth);
    parts.push(values);
  }
  parts.push([lit]);
  return product(parts, '');
}

/**
 * The strings a CloudFormation value can take: literals, `Ref` (parameter
 * defaults, pseudo parameters), each branch of `!If`, `!Sub` and `!Join` over
 * those, `!GetAtt Repo.RepositoryUri` of a repository in the template. Parts
 * that cannot be known become UNKNOWN.
 */
export function cfnStrings(tpl: CfnTemplate, node: Node | null | undefined, depth = 0): string[] {
  if (!node) return [UNKNOWN];
  const n = deref(node, tpl);
  if (depth > 8) return [UNKNOWN];
  const fn = intrinsic(n);
  if (!fn) {
    if (isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number')) return [String(n.value)];
    return [UNKNOWN];
  }
  const arg = fn.arg ? deref(fn.arg, tpl) : null;
  switch (fn.fn) {
    case 'Ref':
      return isScalar(arg) && typeof arg.value === 'string' ? refValue(tpl, arg.value, depth) : [UNKNOWN];
    case 'If': {
      if (!isSeq(arg) || arg.items.length !== 3) return [UNKNOWN];
      const items = (arg as YAMLSeq).items as Node[];
      return cap([...cfnStrings(tpl, items[1], depth + 1), ...cfnStrings(tpl, items[2], depth + 1)]);
    }
    case 'Sub': {
      if (isScalar(arg) && typeof arg.value === 'string') return subValues(tpl, arg.value, null, depth);
      if (isSeq(arg) && arg.items.length >= 1) {
        const t = deref(arg.items[0] as Node, tpl);
        const vars = arg.items[1] ? deref(arg.items[1] as Node, tpl) : null;
        if (isScalar(t) && typeof t.value === 'string') return subValues(tpl, t.value, isMap(vars) ? (vars as YAMLMap) : null, depth);
      }
      return [UNKNOWN];
    }
    case 'Join': {
      if (!isSeq(arg) || arg.items.length !== 2) return [UNKNOWN];
      const delim = deref(arg.items[0] as Node, tpl);
      const list = deref(arg.items[1] as Node, tpl);
      if (!isScalar(delim) || !isSeq(list)) return [UNKNOWN];
      const parts = (list as YAMLSeq).items.map((it) => cfnStrings(tpl, it as Node, depth + 1));
      return product(parts, String(delim.value ?? ''));
    }
    case 'GetAtt': {
      if (isScalar(arg) && typeof arg.value === 'string') {
        const dot = arg.value.indexOf('.');
        return dot > 0 ? getAttValue(tpl, arg.value.slice(0, dot), arg.value.slice(dot + 1)) : [UNKNOWN];
      }
      if (isSeq(arg) && arg.items.length === 2) {
        const [r, a] = (arg as YAMLSeq).items.map((x) => deref(x as Node, tpl));
        if (isScalar(r) && isScalar(a)) return getAttValue(tpl, String(r.value), String(a.value));
      }
      return [UNKNOWN];
    }
  }
  return [UNKNOWN];
}

// ---------------------------------------------------------------------------
// Terraform

/** `aws_ecr_repository.app.repository_url`, also indexed and as a data source. */
const TF_ECR_URL = /^(?:data\.)?aws_ecr_repository\.[\w-]+(?:\[[^\]]*\])?\.repository_url$/;
const TF_ECR_NAME = /^(?:data\.)?aws_ecr_repository\.[\w-]+(?:\[[^\]]*\])?\.(?:name|id)$/;

function findLocal(module: TfModule, name: string): TfExpr | undefined {
  for (const f of module.files) {
    const a = f.locals.find((l) => l.name === name);
    if (a) return a.expr;
  }
  return undefined;
}

/** Offset of the `}` closing the `${` / `%{` whose body starts at `from`; -1 when none. */
function closingBrace(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '"') {
      for (i++; i < s.length && s[i] !== '"'; i++) if (s[i] === '\\') i++;
    } else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * A string template body (`escapes`: a quoted string; otherwise a heredoc),
 * interpolations resolved; a template directive (`%{ if }`) makes the whole
 * value unknown.
 */
export function tfTemplateString(module: TfModule, body: string, escapes: boolean, depth = 0): string {
  let out = '';
  let lit = '';
  const flush = () => {
    out += escapes ? unescapeTemplateLiteral(lit) : lit.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
    lit = '';
  };
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (escapes && c === '\\') {
      lit += body.slice(i, i + 2);
      i += 2;
      continue;
    }
    if ((c === '$' || c === '%') && body[i + 1] === c && body[i + 2] === '{') {
      lit += body.slice(i, i + 3);
      i += 3;
      continue;
    }
    if (c === '%' && body[i + 1] === '{') return UNKNOWN;
    if (c === '$' && body[i + 1] === '{') {
      const close = closingBrace(body, i + 2);
      if (close < 0) return UNKNOWN;
      flush();
      out += tfTextString(module, body.slice(i + 2, close).replace(/^~/, '').replace(/~$/, '').trim(), depth + 1);
      i = close + 1;
      continue;
    }
    lit += c;
    i++;
  }
  flush();
  return out;
}

/** A Terraform expression given as source text (inside an interpolation). */
function tfTextString(module: TfModule, text: string, depth: number): string {
  if (depth > 6) return UNKNOWN;
  if (TF_ECR_URL.test(text)) return ECR_REPOSITORY_URI;
  if (TF_ECR_NAME.test(text)) return OPAQUE_NAME;
  let m = /^var\.([A-Za-z_][\w-]*)$/.exec(text);
  if (m) {
    const def = findVariable(module, m[1])?.attr('default');
    return def ? tfExprString(module, def.expr, depth + 1) : UNKNOWN;
  }
  m = /^local\.([A-Za-z_][\w-]*)$/.exec(text);
  if (m) {
    const e = findLocal(module, m[1]);
    return e ? tfExprString(module, e, depth + 1) : UNKNOWN;
  }
  m = /^"((?:[^"\\]|\\.)*)"$/s.exec(text);
  if (m) return tfTemplateString(module, m[1], true, depth + 1);
  if (/^-?\d+(\.\d+)?$/.test(text)) return text;
  return UNKNOWN;
}

/**
 * The string a Terraform expression evaluates to, as far as the source shows:
 * literals, templates and heredocs, `var.x` by its default, `local.x`, an ECR
 * repository's `repository_url` / `name`. Everything else is UNKNOWN.
 */
export function tfExprString(module: TfModule, expr: TfExpr, depth = 0): string {
  if (depth > 6) return UNKNOWN;
  switch (expr.kind) {
    case 'string':
    case 'number':
      return expr.value === null || expr.value === undefined ? UNKNOWN : String(expr.value);
    case 'template': {
      const t = expr.text;
      return t.startsWith('"') && t.endsWith('"') && t.length >= 2 ? tfTemplateString(module, t.slice(1, -1), true, depth) : UNKNOWN;
    }
    case 'heredoc': {
      const c = expr.contentRange;
      if (!c) return UNKNOWN;
      const body = expr.text.slice(c.start - expr.range.start, c.end - expr.range.start);
      return tfTemplateString(module, heredocBody(expr.text, body), false, depth);
    }
    case 'reference':
      return tfTextString(module, expr.text.trim(), depth);
  }
  return UNKNOWN;
}

/** `<<-EOT` strips the common leading whitespace of the body lines. */
function heredocBody(exprText: string, body: string): string {
  if (!/^<<-/.test(exprText)) return body;
  const lines = body.split(/\r?\n/);
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length);
  const min = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(min, /^[ \t]*/.exec(l)![0].length))).join('\n');
}

// ---------------------------------------------------------------------------
// Dockerfile

/**
 * The image of a `FROM` after ARG substitution (`DfImage.resolved`); any
 * variable left (an ARG without default, a build-time value) becomes UNKNOWN.
 */
export function dockerImageValue(resolved: string): string {
  return resolved.replace(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g, UNKNOWN);
}

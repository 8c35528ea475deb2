/**
 * The one IAM policy document model of the rules. Whatever the source (a CFN
 * map, a JSON string in a template, Terraform `jsonencode({...})`, a heredoc or
 * quoted JSON string, a `data "aws_iam_policy_document"` block), a document
 * becomes a list of statements whose every value keeps the range where it is
 * written, so findings point at the offending action or principal.
 *
 * A value the tool cannot know (a reference, an intrinsic, an interpolation)
 * has `value: undefined`; lists and documents say when some part was unknown.
 * Unknown never fires by itself: the predicates below only match known values.
 */
import type { OffsetRange } from '../../server/engine/types';
import type { TfBlock, TfExpr, TfFile, TfModule } from '../../server/engine/terraform/model';
import { callOf, tupleItems } from '../../server/engine/terraform/parser';
import { branches, fromTf, jsonInside, type DMap, type DNode } from './docNode';
import { moduleKey } from '../../server/engine/terraform/moduleKey';

export interface PolicyValue {
  /** The literal value; undefined when unknown. */
  value: string | undefined;
  range: OffsetRange;
  path: string;
}

/** A string-or-list element (`Action`, `Resource`, principal identifiers, condition values). */
export interface PolicyList {
  values: PolicyValue[];
  /** The list, or some element of it, could not be read. */
  unknown: boolean;
  /** Where the element (its value) is written. */
  range: OffsetRange;
  /** Where its key is written (`Action`, `actions`). */
  keyRange: OffsetRange;
}

export interface PrincipalEntry {
  /** `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` (Terraform `principals { type = "*" }`). */
  type: string;
  typeRange: OffsetRange;
  values: PolicyList;
}

export interface PolicyPrincipal {
  range: OffsetRange;
  /** `Principal: "*"`. */
  wildcard: PolicyValue | null;
  entries: PrincipalEntry[];
  unknown: boolean;
}

export interface PolicyCondition {
  /** `StringEquals`, `Bool`, `ForAnyValue:StringLike`... as written. */
  operator: string;
  /** The condition key as written (`aws:SourceAccount`). */
  key: string;
  keyRange: OffsetRange;
  values: PolicyList;
}

export interface PolicyStatement {
  /** The file the statement is written in. */
  path: string;
  range: OffsetRange;
  sid: string | undefined;
  /** Null when absent (a Terraform statement without `effect` allows). */
  effect: PolicyValue | null;
  action: PolicyList | null;
  notAction: PolicyList | null;
  resource: PolicyList | null;
  notResource: PolicyList | null;
  principal: PolicyPrincipal | null;
  notPrincipal: PolicyPrincipal | null;
  conditions: PolicyCondition[];
  /** A `Condition` element / `condition` block is present. */
  hasCondition: boolean;
  /** Some condition could not be read (an intrinsic, a `dynamic` block). */
  conditionUnknown: boolean;
}

export interface PolicyDocument {
  path: string;
  range: OffsetRange;
  statements: PolicyStatement[];
  /** Some statements could not be read: the document is incomplete. */
  unknown: boolean;
}

// ---------------------------------------------------------------------------
// Predicates

export function isAllow(st: PolicyStatement): boolean {
  return st.effect?.value === 'Allow';
}

export function isDeny(st: PolicyStatement): boolean {
  return st.effect?.value === 'Deny';
}

/** Known values of a list (none for null). */
export function known(list: PolicyList | null): PolicyValue[] {
  return list ? list.values.filter((v) => v.value !== undefined) : [];
}

/** `*` or `*:*`: every action of every service. */
export function isAllActions(action: string): boolean {
  return action === '*' || action === '*:*';
}

/** `s3:*`: every action of one service. */
export function isServiceWildcard(action: string): boolean {
  return /^[A-Za-z0-9-]+:\*$/.test(action);
}

/** IAM wildcard matching (`*`, `?`), case-insensitive as IAM compares action names. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(action);
}

/** The statement applies to every resource: `Resource: "*"` or any `NotResource`. */
export function onAllResources(st: PolicyStatement): boolean {
  if (known(st.resource).some((v) => v.value === '*')) return true;
  return st.notResource !== null && !st.notResource.unknown;
}

/** `*` principals of a statement: `Principal: "*"`, `{AWS: "*"}`, Terraform `type = "*"` / `"AWS"` with `"*"`. */
export function wildcardPrincipals(st: PolicyStatement): PolicyValue[] {
  const p = st.principal;
  if (!p) return [];
  const out: PolicyValue[] = [];
  if (p.wildcard) out.push(p.wildcard);
  for (const e of p.entries) {
    if (e.type !== 'AWS' && e.type !== '*') continue;
    for (const v of known(e.values)) if (v.value === '*') out.push(v);
  }
  return out;
}

/** Condition keys (lower case) of a statement. */
export function conditionKeys(st: PolicyStatement): string[] {
  return st.conditions.map((c) => c.key.toLowerCase());
}

/** The statement denies requests made without MFA (`Bool`/`BoolIfExists` `aws:MultiFactorAuthPresent: false`, or `Null` `aws:MultiFactorAuthAge: true`). */
export function deniesWithoutMfa(st: PolicyStatement): boolean {
  if (!isDeny(st)) return false;
  return st.conditions.some((c) => {
    const op = c.operator.replace(/^(ForAnyValue|ForAllValues):/i, '');
    const key = c.key.toLowerCase();
    const vals = known(c.values).map((v) => String(v.value).toLowerCase());
    if (/^Bool(IfExists)?$/i.test(op) && key === 'aws:multifactorauthpresent') return vals.includes('false');
    if (/^Null$/i.test(op) && key === 'aws:multifactorauthage') return vals.includes('true');
    return false;
  });
}

/**
 * Statements granting administrator access: `Allow` of `*` / `*:*` on every
 * resource, or `Allow` with `NotAction` on every resource. Returns the values to
 * point at (the action, or the `NotAction` key).
 */
export function adminGrants(st: PolicyStatement): { range: OffsetRange; path: string; what: string }[] {
  if (!isAllow(st) || !onAllResources(st)) return [];
  const out: { range: OffsetRange; path: string; what: string }[] = [];
  for (const a of known(st.action)) if (isAllActions(a.value!)) out.push({ range: a.range, path: a.path, what: `Action '${a.value}'` });
  if (st.notAction && !st.notAction.unknown) out.push({ range: st.notAction.keyRange, path: st.path, what: 'NotAction' });
  return out;
}

/**
 * What a document's source must hold for one of its statements to name a
 * wildcard that matters: a `*` starting a value (`*`, `*:*`) or following a `:`
 * (`s3:*`), `NotResource`, or what can bring text from elsewhere or spell it
 * otherwise: an escape (a backslash), a CloudFormation `Ref` (a parameter default) or
 * alias (`*name`, a `*` starting a token), a Terraform `var.` (a variable
 * default) or `data.` (another document). A `*` after a letter, digit, `/`, `.`,
 * `_` or `-` (`arn:aws:s3:::bucket/*`, `s3:Get*`) is inside a value that is not
 * such a wildcard.
 */
const WILDCARD_SOURCE = /\\|NotResource|not_resources|Ref|var\.|data\.|(?<![A-Za-z0-9/._-])\*/;

/**
 * The source text of a document shows that no statement of it can allow every
 * action (`*`, `*:*`) or a whole service (`s3:*`), have a known `Resource: "*"`,
 * or a `NotResource`: then it has no `adminGrants`, no action that
 * `isAllActions` or `isServiceWildcard`, and no resource `*` (the rules that
 * look only for those need not read it).
 */
export function wildcardFree(text: string, start: number, end: number): boolean {
  return !WILDCARD_SOURCE.test(text.slice(start, end));
}

// ---------------------------------------------------------------------------
// Building documents from DNodes (CFN maps, JSON text, Terraform expressions)

function value(n: DNode): PolicyValue {
  return { value: n.kind === 'scalar' && n.type !== 'null' ? n.value : undefined, range: n.range, path: n.path };
}

/** A string-or-list element. */
export function toList(node: DNode, keyRange: OffsetRange): PolicyList {
  const list: PolicyList = { values: [], unknown: false, range: node.range, keyRange };
  const add = (n: DNode) => {
    for (const b of branches(n)) {
      if (b.kind === 'scalar') {
        if (b.type !== 'null') list.values.push(value(b));
      } else {
        list.unknown = true;
        if (b.kind === 'template') list.values.push(value(b));
      }
    }
  };
  for (const b of branches(node)) {
    if (b.kind === 'list') b.items.forEach(add);
    else add(b);
  }
  return list;
}

function toPrincipal(node: DNode): PolicyPrincipal {
  const p: PolicyPrincipal = { range: node.range, wildcard: null, entries: [], unknown: false };
  for (const b of branches(node)) {
    if (b.kind === 'scalar') {
      // `Principal: "*"`; a bare account ARN is read as an AWS principal.
      if (b.value === '*') p.wildcard = value(b);
      else p.entries.push({ type: 'AWS', typeRange: b.range, values: toList(b, b.range) });
    } else if (b.kind === 'map') {
      for (const e of b.entries) {
        if (e.key === null) { p.unknown = true; continue; }
        p.entries.push({ type: e.key, typeRange: e.keyRange, values: toList(e.value, e.keyRange) });
      }
    } else {
      p.unknown = true;
    }
  }
  return p;
}

function readConditions(node: DNode, st: PolicyStatement): void {
  // `Condition: !If [c, {...}, !Ref AWS::NoValue]`: judged by its worst branch, which has none.
  if (node.kind === 'alt' && node.absent) return;
  st.hasCondition = true;
  for (const b of branches(node)) {
    if (b.kind !== 'map') { st.conditionUnknown = true; continue; }
    for (const op of b.entries) {
      if (op.key === null || op.value.kind !== 'map') { st.conditionUnknown = true; continue; }
      for (const k of op.value.entries) {
        if (k.key === null) { st.conditionUnknown = true; continue; }
        st.conditions.push({ operator: op.key, key: k.key, keyRange: k.keyRange, values: toList(k.value, k.keyRange) });
      }
    }
  }
}

function emptyStatement(path: string, range: OffsetRange): PolicyStatement {
  return {
    path, range, sid: undefined, effect: null, action: null, notAction: null, resource: null, notResource: null,
    principal: null, notPrincipal: null, conditions: [], hasCondition: false, conditionUnknown: false,
  };
}

function statementFromMap(m: DMap): PolicyStatement {
  const st = emptyStatement(m.path, m.range);
  for (const e of m.entries) {
    switch (e.key) {
      case 'Sid': st.sid = e.value.kind === 'scalar' ? e.value.value : undefined; break;
      case 'Effect': st.effect = value(e.value); break;
      case 'Action': st.action = toList(e.value, e.keyRange); break;
      case 'NotAction': st.notAction = toList(e.value, e.keyRange); break;
      case 'Resource': st.resource = toList(e.value, e.keyRange); break;
      case 'NotResource': st.notResource = toList(e.value, e.keyRange); break;
      case 'Principal': st.principal = toPrincipal(e.value); break;
      case 'NotPrincipal': st.notPrincipal = toPrincipal(e.value); break;
      case 'Condition': readConditions(e.value, st); break;
    }
  }
  return st;
}

/**
 * A policy document from a DNode: a map with `Statement`, or a string holding
 * JSON (a template's interpolations make its values unknown). Anything else is
 * an unknown document.
 */
export function policyFromNode(node: DNode): PolicyDocument {
  const doc: PolicyDocument = { path: node.path, range: node.range, statements: [], unknown: false };
  const readDoc = (n: DNode) => {
    for (const b of branches(n)) {
      if (b.kind === 'map') {
        const s = b.entries.find((e) => e.key === 'Statement');
        if (!s) continue;
        for (const sb of branches(s.value)) {
          const items = sb.kind === 'list' ? sb.items : [sb];
          for (const it of items) {
            for (const x of branches(it)) {
              if (x.kind === 'map') doc.statements.push(statementFromMap(x));
              else doc.unknown = true;
            }
          }
        }
      } else if (b.kind === 'scalar' || b.kind === 'template') {
        const json = jsonInside(b);
        if (!json || !json.node) { doc.unknown = true; continue; }
        if (json.errors) doc.unknown = true;
        readDoc(json.node);
      } else {
        doc.unknown = true;
      }
    }
  };
  readDoc(node);
  return doc;
}

// ---------------------------------------------------------------------------
// Terraform

const dataIndex = new WeakMap<object, Map<string, { block: TfBlock; file: TfFile }>>();

/** `data "aws_iam_policy_document" "x"` in the module, with its file (the first one, as Terraform would refuse a duplicate). */
export function findDataDocument(module: TfModule, name: string): { block: TfBlock; file: TfFile } | undefined {
  let index = dataIndex.get(moduleKey(module));
  if (!index) {
    index = new Map();
    for (const file of module.files) {
      for (const b of file.blocks) {
        const n = b.labels[1]?.value;
        if (b.type === 'data' && b.labels[0]?.value === 'aws_iam_policy_document' && n !== undefined && !index.has(n)) index.set(n, { block: b, file });
      }
    }
    dataIndex.set(moduleKey(module), index);
  }
  return index.get(name);
}

/** The name `x` when `expr` is `data.aws_iam_policy_document.x.json` (or `.minified_json`, or `x[0].json`). */
export function dataDocumentName(expr: TfExpr): string | undefined {
  if (expr.kind !== 'reference') return undefined;
  const m = /^data\.aws_iam_policy_document\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?\.(?:json|minified_json)$/.exec(expr.text.replace(/\s+/g, ''));
  return m?.[1];
}

const docCache = new WeakMap<object, Map<string, PolicyDocument>>();

/** How many times a data document walk met a document it was already inside (a cycle). */
let cycleHits = 0;

/**
 * The document a `data "aws_iam_policy_document"` block produces: its
 * statements merged with `source_policy_documents` / `source_json` (statements
 * with the same `sid` are replaced by the block's own) and
 * `override_policy_documents` / `override_json` (which replace same-`sid`
 * statements and append the rest), as the AWS provider does.
 */
export function tfDataDocument(module: TfModule, file: TfFile, block: TfBlock, seen: Set<TfBlock> = new Set()): PolicyDocument {
  const name = block.labels[1]?.value ?? '';
  let cache = docCache.get(moduleKey(module));
  if (!cache) docCache.set(moduleKey(module), (cache = new Map()));
  const cached = cache.get(`${file.path}\0${name}`);
  if (cached) return cached;
  const doc: PolicyDocument = { path: file.path, range: block.range, statements: [], unknown: false };
  if (seen.has(block)) {
    cycleHits++;
    return { ...doc, unknown: true };
  }
  seen.add(block);
  const hitsBefore = cycleHits;
  const merge = (into: PolicyStatement[], from: PolicyStatement[]) => {
    for (const st of from) {
      const i = st.sid ? into.findIndex((x) => x.sid === st.sid) : -1;
      if (i >= 0) into[i] = st;
      else into.push(st);
    }
  };
  const docsOf = (attrNames: string[]): PolicyDocument[] => {
    const out: PolicyDocument[] = [];
    for (const n of attrNames) {
      const a = block.attr(n);
      if (!a) continue;
      if (!n.endsWith('_documents')) { out.push(tfPolicyFromExpr(module, file, a.expr, seen)); continue; }
      const items = tupleItems(a.expr);
      if (!items) { doc.unknown = true; continue; }
      for (const e of items) out.push(tfPolicyFromExpr(module, file, e, seen));
    }
    return out;
  };
  const statements: PolicyStatement[] = [];
  for (const d of docsOf(['source_policy_documents', 'source_json'])) {
    statements.push(...d.statements);
    if (d.unknown) doc.unknown = true;
  }
  const own: PolicyStatement[] = [];
  for (const sb of block.blocks) {
    if (sb.type === 'dynamic' && sb.labels[0]?.value === 'statement') { doc.unknown = true; continue; }
    if (sb.type !== 'statement') continue;
    own.push(tfStatement(module, file, sb));
  }
  merge(statements, own);
  for (const d of docsOf(['override_policy_documents', 'override_json'])) {
    merge(statements, d.statements);
    if (d.unknown) doc.unknown = true;
  }
  doc.statements = statements;
  // A document that met a cycle depends on where the walk entered it: not kept, so
  // that every call gives what a first call would (whichever rule or file asks first).
  if (cycleHits === hitsBefore) cache.set(`${file.path}\0${name}`, doc);
  return doc;
}

function tfStatement(module: TfModule, file: TfFile, sb: TfBlock): PolicyStatement {
  const st = emptyStatement(file.path, sb.range);
  const list = (name: string): PolicyList | null => {
    const a = sb.attr(name);
    return a ? toList(fromTf(module, file.path, file.text, a.expr), a.nameRange) : null;
  };
  const sid = sb.attr('sid');
  st.sid = sid && typeof sid.expr.value === 'string' ? sid.expr.value : undefined;
  const effect = sb.attr('effect');
  if (effect) {
    const d = fromTf(module, file.path, file.text, effect.expr);
    st.effect = value(d);
  } else {
    // The provider's default.
    st.effect = { value: 'Allow', range: sb.typeRange, path: file.path };
  }
  st.action = list('actions');
  st.notAction = list('not_actions');
  st.resource = list('resources');
  st.notResource = list('not_resources');
  const principals = (type: 'principals' | 'not_principals'): PolicyPrincipal | null => {
    const blocks = sb.blocksOfType(type);
    const dyn = sb.blocksOfType('dynamic').some((d) => d.labels[0]?.value === type);
    if (!blocks.length && !dyn) return null;
    const p: PolicyPrincipal = { range: blocks[0]?.range ?? sb.range, wildcard: null, entries: [], unknown: dyn };
    for (const pb of blocks) {
      const t = pb.attr('type');
      const ids = pb.attr('identifiers');
      if (!t || typeof t.expr.value !== 'string' || !ids) { p.unknown = true; continue; }
      p.entries.push({ type: t.expr.value, typeRange: t.expr.range, values: toList(fromTf(module, file.path, file.text, ids.expr), ids.nameRange) });
    }
    return p;
  };
  st.principal = principals('principals');
  st.notPrincipal = principals('not_principals');
  for (const cb of sb.blocks) {
    if (cb.type === 'dynamic' && cb.labels[0]?.value === 'condition') { st.hasCondition = true; st.conditionUnknown = true; continue; }
    if (cb.type !== 'condition') continue;
    st.hasCondition = true;
    const test = cb.attr('test');
    const variable = cb.attr('variable');
    const values = cb.attr('values');
    if (!test || typeof test.expr.value !== 'string' || !variable || typeof variable.expr.value !== 'string' || !values) {
      st.conditionUnknown = true;
      continue;
    }
    st.conditions.push({
      operator: test.expr.value,
      key: variable.expr.value,
      keyRange: variable.expr.range,
      values: toList(fromTf(module, file.path, file.text, values.expr), values.nameRange),
    });
  }
  return st;
}

/**
 * The document an attribute expression gives: `jsonencode({...})`, a JSON
 * string or heredoc, or `data.aws_iam_policy_document.x.json`. Anything else
 * (a variable, `file(...)`, `templatefile(...)`) is an unknown document.
 */
export function tfPolicyFromExpr(module: TfModule, file: TfFile, expr: TfExpr, seen: Set<TfBlock> = new Set()): PolicyDocument {
  const unknownDoc = (): PolicyDocument => ({ path: file.path, range: expr.range, statements: [], unknown: true });
  if (expr.kind === 'reference') {
    const name = dataDocumentName(expr);
    const found = name ? findDataDocument(module, name) : undefined;
    return found ? tfDataDocument(module, found.file, found.block, seen) : unknownDoc();
  }
  if (expr.kind === 'call') {
    const call = callOf(expr);
    if (call?.name === 'jsonencode' && call.args.length === 1) return policyFromNode(fromTf(module, file.path, file.text, call.args[0]));
    return unknownDoc();
  }
  if (expr.kind === 'string' || expr.kind === 'heredoc' || expr.kind === 'template') {
    return policyFromNode(fromTf(module, file.path, file.text, expr));
  }
  return unknownDoc();
}

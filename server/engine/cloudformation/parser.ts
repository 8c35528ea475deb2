/**
 * CloudFormation templates (YAML and JSON) parsed with `yaml`, keeping source
 * ranges and the intrinsic function tags (`!Ref`, `!Sub`, ...) in short form.
 * JSON is YAML 1.2 flow syntax, so one parser serves both.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, Schema, YAMLMap, YAMLSeq, type Document, type Node, type Scalar, type Tags } from 'yaml';
import { LineIndex } from '../positions';
import { mapDense } from '../arrays';
import type { OffsetRange } from '../types';
import type { CfnParameter, CfnResource, CfnTemplate } from './model';
import { parseIncremental, type PieceCache } from './incremental';
import { parseJsonIncremental } from './incrementalJson';
import { parseJsonDocument } from './jsonFast';
import { isEmptyKey, walkNodes } from './ranges';
import { offsetRange } from '../offsetRange';

export const INTRINSIC_FUNCTIONS = [
  'Ref', 'Condition', 'Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'If', 'ImportValue', 'Join', 'Select',
  'Split', 'Sub', 'Transform', 'And', 'Equals', 'Not', 'Or', 'ToJsonString', 'Length', 'ForEach',
];

const CUSTOM_TAGS: Tags = INTRINSIC_FUNCTIONS.flatMap((fn) => [
  { tag: `!${fn}`, resolve: (s: string) => s },
  { tag: `!${fn}`, collection: 'seq' as const, nodeClass: YAMLSeq, resolve: (s: unknown) => s },
  { tag: `!${fn}`, collection: 'map' as const, nodeClass: YAMLMap, resolve: (s: unknown) => s },
]) as Tags;

const EXTENSIONS = /\.(ya?ml|json|template|cfn)$/i;

/** Cheap text test before parsing: could this file be a template at all? */
export function looksLikeCloudFormation(text: string): boolean {
  return /AWSTemplateFormatVersion|["']?Type["']?\s*:\s*["']?(AWS|Custom)::/.test(text);
}

export function isCloudFormationCandidatePath(path: string): boolean {
  return EXTENSIONS.test(path);
}

/**
 * The schema, built once: a parse would otherwise build its own, which costs
 * more than parsing one resource (the incremental parser parses many small pieces).
 */
let options: { schema: Schema; prettyErrors: false; keepSourceTokens: false; strict: false; uniqueKeys: true } | null = null;

function yamlOptions(): NonNullable<typeof options> {
  options ??= {
    schema: new Schema({ resolveKnownTags: true, schema: 'core', customTags: CUSTOM_TAGS }),
    prettyErrors: false,
    keepSourceTokens: false,
    strict: false,
    uniqueKeys: true,
  };
  return options;
}

export function parseYamlDocument(text: string): Document {
  return parseDocument(text, yamlOptions());
}

/** Flow collections nested deeper than this, or lines indented further, are not parsed. */
export const MAX_FLOW_DEPTH = 400;
export const MAX_INDENT = 1200;

const JSON_LIMITS = { maxDepth: MAX_FLOW_DEPTH, maxIndent: MAX_INDENT };

/**
 * The document of a JSON object by the fast path (jsonFast.ts): the one
 * `parseYamlDocument` gives, or null when the fast path does not take the text.
 * It also declines what nests deeper than the limits `tooDeepAt` checks.
 */
export function parseJsonFast(text: string): Document | null {
  return parseJsonDocument(text, yamlOptions(), JSON_LIMITS);
}

/**
 * Parses `text` as a CloudFormation template. Returns null when the text is not a
 * template (other YAML/JSON is left alone). Never throws: syntax errors end up in
 * `errors` and whatever structure could be read is still returned.
 */
export function parseCloudFormation(path: string, text: string, cache?: PieceCache): CfnTemplate | null {
  if (!looksLikeCloudFormation(text)) return null;
  const lines = LineIndex.of(text, cache?.lines);
  if (cache) cache.lines = lines;
  let doc: Document;
  let emptyKeys: Scalar[] | null = null;
  try {
    // The parser recurses once per level: very deep nesting would exhaust the
    // stack. The incremental parse checks each piece it parses (a deep piece
    // makes it give up); a full parse, the whole text.
    const json = /^\s*\{/.test(text);
    const piece = (t: string) => (tooDeepAt(t) >= 0 ? null : parseYamlDocument(t));
    const jsonPiece = (t: string) => parseJsonFast(t) ?? piece(t);
    const inc = !cache ? null : json ? parseJsonIncremental(text, cache.json, jsonPiece) : parseIncremental(text, cache, piece);
    const fast = inc || !json ? null : parseJsonFast(text);
    if (inc) {
      doc = inc.doc;
      emptyKeys = inc.emptyKeys;
    } else if (fast) {
      // Keys are strings and JSON has no aliases: nothing for the walk below.
      doc = fast;
      emptyKeys = [];
    } else {
      const deep = tooDeepAt(text);
      if (deep >= 0) return tooDeep(path, text, lines, deep);
      doc = parseYamlDocument(text);
    }
  } catch (e) {
    const empty = parseYamlDocument('{}');
    return cfnTemplate(
      path, text, lines, false, empty, empty.contents as YAMLMap, [], new Map(), new Map(),
      [{ range: offsetRange(0, Math.min(text.length, 1)), message: `Cannot parse template: ${(e as Error).message}` }], undefined,
    );
  }
  return templateOf(path, text, lines, doc, emptyKeys);
}

/**
 * The template read from a parsed document. `emptyKeys`: the empty keys the
 * parse found already (an incremental parse finds them piece by piece, the JSON
 * fast path has none, and neither has aliases), or null to look for them, and
 * for aliases, in one walk. Exported for tests (the fast paths against the
 * general one).
 */
export function templateOf(path: string, text: string, lines: LineIndex, doc: Document, emptyKeys: Scalar[] | null): CfnTemplate | null {
  // Nesting deeper than the parser's stack anyway: where it gave up depends on
  // the stack, so nothing it read is kept (a file always gives the same result).
  if (doc.errors.some((e) => /Maximum call stack size exceeded/.test(e.message))) return tooDeep(path, text, lines, 0);
  // `yaml` places errors at end of input one past the text: keep ranges inside it.
  const errors: { range: OffsetRange; message: string }[] = mapDense(doc.errors, (e) => {
    const start = Math.min(e.pos[0], text.length);
    return { range: offsetRange(start, Math.min(Math.max(e.pos[1], start + 1), text.length)), message: cleanMessage(e.message) };
  });
  // YAML accepts an empty key (a line holding only `:`); CloudFormation does not.
  // An incremental parse found them piece by piece (and has no aliases).
  let aliasTargets: Map<Node, Node> | undefined;
  if (!emptyKeys) {
    emptyKeys = [];
    const found = emptyKeys;
    const anchors = new Map<string, Node>();
    walkNodes(doc.contents, (n) => {
      if (isPair(n)) {
        if (isEmptyKey(n.key)) found.push(n.key);
      } else if (isAlias(n)) {
        aliasTargets ??= new Map();
        const target = anchors.get(n.source);
        if (target) aliasTargets.set(n, target);
      } else if (n.anchor) {
        anchors.set(n.anchor, n);
      }
    });
    if (aliasTargets && expandsTooFar(doc, aliasTargets)) {
      const first = [...aliasTargets.keys()][0] ?? null;
      const start = Math.min(first?.range?.[0] ?? 0, text.length);
      errors.push({
        range: offsetRange(start, Math.min(first?.range?.[1] ?? start + 1, text.length)),
        message: `YAML aliases here expand to more than ${MAX_EXPANDED_NODES.toLocaleString('en-US')} values (or into themselves): iac-lint does not follow them`,
      });
      aliasTargets = new Map();
    }
  }
  for (const k of emptyKeys) {
    const start = Math.min(k.range![0], text.length);
    errors.push({ range: offsetRange(start, Math.min(start + 1, text.length)), message: 'Empty mapping key: a key is missing before `:`' });
  }
  const root = isMap(doc.contents) ? (doc.contents as YAMLMap) : null;
  if (!root || !isTemplateRoot(root)) {
    // A file that only *mentions* AWS types but is no template, unless it is
    // broken: then the text test above is the best evidence we have. A second
    // document is no breakage: multi-document YAML (Kubernetes) is not a template.
    if (!doc.errors.some((e) => e.code !== 'MULTIPLE_DOCS')) return null;
  }
  const rootMap = root ?? new YAMLMap();
  const isJson = /^\s*[{[]/.test(text) && (root?.flow ?? false);
  const resources: CfnResource[] = [];
  const resourceById = new Map<string, CfnResource>();
  const resMap = rootMap.get('Resources', true);
  if (isMap(resMap)) {
    for (const pair of resMap.items) {
      if (!isScalar(pair.key) || pair.key.value === null || !isMap(pair.value)) continue;
      const logicalId = String(pair.key.value);
      const body = pair.value as YAMLMap;
      const typeNode = body.get('Type', true);
      const type = isScalar(typeNode) && typeof typeNode.value === 'string' ? typeNode.value : '';
      const props = body.get('Properties', true);
      const r: CfnResource = {
        logicalId, type, pair, body,
        keyRange: offsetRange(pair.key.range![0], pair.key.range![1]),
        properties: isMap(props) ? (props as YAMLMap) : null,
      };
      resources.push(r);
      resourceById.set(logicalId, r);
    }
  }
  const parameters = new Map<string, CfnParameter>();
  const paramMap = rootMap.get('Parameters', true);
  if (isMap(paramMap)) {
    for (const pair of paramMap.items) {
      if (!isScalar(pair.key)) continue;
      const body = isMap(pair.value) ? (pair.value as YAMLMap) : null;
      const def = body?.get('Default', true);
      parameters.set(String(pair.key.value), { name: String(pair.key.value), body, default: (def as never) ?? null });
    }
  }
  return cfnTemplate(path, text, lines, isJson, doc, rootMap, resources, resourceById, parameters, errors, aliasTargets);
}

/**
 * Every template is made here, with all its fields in one order (`aliasTargets`
 * undefined when the document has none, `transient` false until the engine says
 * otherwise): one hidden class for every reader.
 */
function cfnTemplate(
  path: string, text: string, lines: LineIndex, isJson: boolean, doc: Document, root: YAMLMap, resources: CfnResource[],
  resourceById: Map<string, CfnResource>, parameters: Map<string, CfnParameter>, errors: { range: OffsetRange; message: string }[],
  aliasTargets: ReadonlyMap<Node, Node> | undefined,
): CfnTemplate {
  return { format: 'cloudformation', path, text, lines, isJson, doc, root, resources, resourceById, parameters, errors, aliasTargets, transient: false };
}


/**
 * Where the text nests too deeply for the parser (its recursion would exhaust
 * the stack), or -1. Brackets are counted outside double-quoted strings (JSON's
 * and YAML's); anything else that holds an unbalanced bracket only makes the
 * count higher, and real templates nest a few dozen levels at most.
 */
function tooDeepAt(text: string): number {
  let depth = 0;
  let indent = 0;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart) {
      if (c === 32) {
        if (++indent > MAX_INDENT) return i;
        continue;
      }
      lineStart = false;
    }
    if (c === 34) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34 || d === 10) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > MAX_FLOW_DEPTH) return i;
    } else if (c === 93 || c === 125) {
      if (depth > 0) depth--;
    }
  }
  return -1;
}

/** The result for a document nested too deeply: no structure, one error at `at`. */
function tooDeep(path: string, text: string, lines: LineIndex, at: number): CfnTemplate {
  const empty = parseYamlDocument('{}');
  const start = Math.min(at, text.length);
  return cfnTemplate(
    path, text, lines, false, empty, empty.contents as YAMLMap, [], new Map(), new Map(),
    [{ range: offsetRange(start, Math.min(start + 1, text.length)), message: `Cannot parse template: it nests more than ${MAX_FLOW_DEPTH} levels deep` }], undefined,
  );
}

/** More values than this once aliases are expanded: an alias bomb, not a template. */
export const MAX_EXPANDED_NODES = 100_000;

/**
 * Whether the document, aliases expanded, holds more than MAX_EXPANDED_NODES
 * nodes, or an alias stands for a node that contains it. Linear: the expanded
 * size of every node is computed once.
 */
function expandsTooFar(doc: Document, targets: ReadonlyMap<Node, Node>): boolean {
  const size = new Map<Node, number>();
  const active = new Set<Node>();
  const sizeOf = (node: unknown, depth: number): number => {
    if (!node || typeof node !== 'object') return 0;
    if (isPair(node)) return sizeOf(node.key, depth + 1) + sizeOf(node.value, depth + 1);
    const n = node as Node;
    const known = size.get(n);
    if (known !== undefined) return known;
    if (active.has(n) || depth > 2000) return Infinity;
    active.add(n);
    let total = 1;
    if (isAlias(n)) total = sizeOf(targets.get(n), depth + 1);
    else if (isMap(n) || isSeq(n)) for (const it of n.items) {
      total += sizeOf(it, depth + 1);
      if (total > MAX_EXPANDED_NODES) break;
    }
    active.delete(n);
    size.set(n, total);
    return total;
  };
  return sizeOf(doc.contents, 0) > MAX_EXPANDED_NODES;
}

function isTemplateRoot(root: YAMLMap): boolean {
  if (root.has('AWSTemplateFormatVersion')) return true;
  const res = root.get('Resources', true);
  if (!isMap(res)) return false;
  return res.items.some((p) => {
    if (!isMap(p.value)) return false;
    const t = (p.value as YAMLMap).get('Type');
    return typeof t === 'string' && /^(AWS|Custom|Alexa)::/.test(t);
  });
}

function cleanMessage(m: string): string {
  const msg = m.replace(/\s+at line \d+, column \d+:?[\s\S]*$/, '').trim();
  // The library's advice names its own API; say what it means for a template.
  if (msg.startsWith('Source contains multiple documents')) return 'A template is one YAML document: remove the `---` separator and what follows, or split the file';
  return msg;
}

/**
 * `.iac-lint.yaml`: rule severities (or `off`), rule options and ignored paths.
 * Validated against the generated JSON schema (schemas/iac-lint.schema.json, the
 * same one the editor's YAML support completes with) plus the registered rule
 * ids. Parsing never throws: problems come back with the range they are about,
 * so that the editor can underline them and the CLI can list them, and every
 * valid entry still applies (a broken entry leaves its default).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { defaultConfig, type EngineConfig, type RuleOptions } from './config';
import type { OffsetRange, Severity } from './types';
import schemaJson from '../../schemas/iac-lint.schema.json';
import { offsetRange } from './offsetRange';

export const CONFIG_FILE_NAME = '.iac-lint.yaml';
/** Names looked up in a folder, in order. */
export const CONFIG_FILE_NAMES: readonly string[] = ['.iac-lint.yaml', '.iac-lint.yml'];
const SEVERITIES = ['error', 'warning', 'info', 'hint', 'off'];
const TOP_KEYS = ['rules', 'options', 'ignore'];

export const CONFIG_SCHEMA = schemaJson as Record<string, unknown>;

export interface ConfigProblem {
  message: string;
  /** UTF-16 offsets in the config text. */
  range: OffsetRange;
}

export interface ConfigParseResult {
  config: EngineConfig;
  /** Messages with their line, for the CLI. */
  errors: string[];
  /** The same problems with ranges, for the editor. */
  problems: ConfigProblem[];
  /** Paths (gitignore syntax, relative to the config file's folder) not to lint. */
  ignore: string[];
}

/** The config file of `dir`, if there is one. */
export function findConfigFile(dir: string): string | null {
  for (const name of CONFIG_FILE_NAMES) {
    const p = nodePath.join(dir, name);
    try {
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not there
    }
  }
  return null;
}

let optionsValidator: ValidateFunction | undefined;
/** The schema's `options` part; `rules` are checked against the registry at run time. */
function validateOptions(): ValidateFunction {
  if (!optionsValidator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const props = (CONFIG_SCHEMA.properties as Record<string, unknown>).options;
    optionsValidator = ajv.compile(props as object);
  }
  return optionsValidator;
}

function rangeOf(node: Node | null | undefined, fallback: OffsetRange): OffsetRange {
  return node?.range ? offsetRange(node.range[0], Math.max(node.range[1], node.range[0] + 1)) : fallback;
}

function pairOf(map: unknown, key: string): Pair<Node, Node> | undefined {
  if (!isMap(map)) return undefined;
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair<Node, Node> | undefined;
}

/** The node at a JSON pointer (`/options/adminCidrs/0`), and the pair holding the last key. */
function nodeAt(doc: Document, pointer: string): { node: Node | null; pair: Pair<Node, Node> | null } {
  let node: unknown = doc.contents;
  let pair: Pair<Node, Node> | null = null;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (isMap(node)) {
      pair = pairOf(node, seg) ?? null;
      node = pair?.value ?? null;
    } else if (isSeq(node)) {
      pair = null;
      node = node.items[Number(seg)] ?? null;
    } else return { node: null, pair: null };
  }
  return { node: (node as Node) ?? null, pair };
}

const typeWord = (s: unknown): string => (Array.isArray(s) ? s.join(' or ') : String(s));

function optionMessage(e: ErrorObject): { message: string; pointer: string; onKey: boolean } {
  const path = e.instancePath.split('/').filter(Boolean);
  const name = path[0];
  const where = path.length > 1 ? `option \`${name}\` item ${Number(path[1]) + 1}` : `option \`${name}\``;
  switch (e.keyword) {
    case 'additionalProperties':
      if (!name) return { message: `unknown option \`${(e.params as { additionalProperty: string }).additionalProperty}\``, pointer: `/${(e.params as { additionalProperty: string }).additionalProperty}`, onKey: true };
      return { message: `${where}: unknown key \`${(e.params as { additionalProperty: string }).additionalProperty}\``, pointer: `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`, onKey: true };
    case 'type':
      return name ? { message: `${where} must be ${typeWord((e.params as { type: unknown }).type)}`, pointer: e.instancePath, onKey: false }
        : { message: '`options` must be a map of option names to values', pointer: '', onKey: false };
    case 'enum':
      return { message: `${where} must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).join(', ')}`, pointer: e.instancePath, onKey: false };
    default:
      return { message: `${where} ${e.message ?? 'is invalid'}`, pointer: e.instancePath, onKey: false };
  }
}

export function parseConfigText(text: string, knownRuleIds: readonly string[]): ConfigParseResult {
  const config = defaultConfig();
  const problems: ConfigProblem[] = [];
  const ignore: string[] = [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter, uniqueKeys: true });
  const whole: OffsetRange = offsetRange(0, Math.min(text.length, Math.max(1, text.indexOf('\n') >= 0 ? text.indexOf('\n') : text.length)));
  const result = (): ConfigParseResult => {
    problems.sort((a, b) => a.range.start - b.range.start);
    return { config, ignore, problems, errors: problems.map((p) => `${p.message} (line ${lineCounter.linePos(p.range.start).line})`) };
  };
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const start = Math.min(e.pos[0], Math.max(0, text.length - 1));
      problems.push({ message: `syntax error: ${e.message.split('\n')[0]}`, range: offsetRange(start, Math.min(Math.max(e.pos[1], start + 1), text.length)) });
    }
    return result();
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return result();
  if (!isMap(doc.contents)) {
    problems.push({ message: 'the configuration must be a map with `rules`, `options` and `ignore`', range: rangeOf(doc.contents as Node, whole) });
    return result();
  }
  const root = doc.contents;
  for (const p of root.items) {
    const key = isScalar(p.key) ? String(p.key.value) : '';
    if (!TOP_KEYS.includes(key)) problems.push({ message: `unknown key \`${key}\` (expected rules, options, ignore)`, range: rangeOf(p.key as Node, whole) });
  }

  const rules = pairOf(root, 'rules');
  if (rules && rules.value !== null) {
    if (!isMap(rules.value)) problems.push({ message: '`rules` must be a map of rule id to severity', range: rangeOf(rules.value, whole) });
    else {
      for (const p of rules.value.items) {
        const id = isScalar(p.key) ? String(p.key.value) : '';
        const sev = isScalar(p.value) ? p.value.value : undefined;
        if (!knownRuleIds.includes(id)) problems.push({ message: `unknown rule id \`${id}\``, range: rangeOf(p.key as Node, whole) });
        else if (typeof sev !== 'string' || !SEVERITIES.includes(sev)) problems.push({ message: `rule \`${id}\`: severity must be one of ${SEVERITIES.join(', ')}`, range: rangeOf((p.value as Node) ?? (p.key as Node), whole) });
        else config.rules[id] = sev as Severity | 'off';
      }
    }
  }

  const options = pairOf(root, 'options');
  if (options && options.value !== null) {
    const data = options.value.toJSON() as unknown;
    const validate = validateOptions();
    const bad = new Set<string>();
    if (!validate(data)) {
      for (const e of validate.errors ?? []) {
        const m = optionMessage(e);
        const at = nodeAt(doc, `/options${m.pointer}`);
        const node = m.onKey ? (at.pair?.key ?? at.node) : at.node;
        problems.push({ message: m.message, range: rangeOf(node, rangeOf(options.value, whole)) });
        const top = m.pointer.split('/')[1] ?? e.instancePath.split('/')[1];
        if (top) bad.add(top);
        else if (e.keyword === 'type') bad.add('*');
      }
    }
    if (!bad.has('*') && data && typeof data === 'object' && !Array.isArray(data)) {
      for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
        if (!bad.has(k) && k in config.options) (config.options as unknown as Record<string, unknown>)[k] = v;
      }
    }
  }

  const ign = pairOf(root, 'ignore');
  if (ign && ign.value !== null) {
    if (!isSeq(ign.value)) problems.push({ message: '`ignore` must be a list of paths', range: rangeOf(ign.value, whole) });
    else {
      for (const item of ign.value.items) {
        if (isScalar(item) && typeof item.value === 'string' && item.value.trim()) ignore.push(item.value);
        else problems.push({ message: '`ignore` entries must be paths (strings)', range: rangeOf(item as Node, rangeOf(ign.value, whole)) });
      }
    }
  }
  return result();
}

/** Reads and parses a config file; an unreadable file is one problem, never a throw. */
export function loadConfigFile(path: string, knownRuleIds: readonly string[]): ConfigParseResult & { text: string | null } {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    const config = defaultConfig();
    const message = `cannot read ${nodePath.basename(path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    return { config, errors: [message], problems: [{ message, range: offsetRange(0, 0) }], ignore: [], text: null };
  }
  return { ...parseConfigText(text, knownRuleIds), text };
}

export type { RuleOptions };

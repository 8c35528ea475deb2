/**
 * `.iac-lint.yaml`: rule severities (or `off`) and rule options. Parsing never
 * throws; problems come back as messages so that a front end can report them and
 * keep the defaults working.
 */
import { isMap, parseDocument } from 'yaml';
import { DEFAULT_OPTIONS, defaultConfig, type EngineConfig, type RuleOptions } from './config';
import type { Severity } from './types';

export const CONFIG_FILE_NAME = '.iac-lint.yaml';
const SEVERITIES = ['error', 'warning', 'info', 'hint', 'off'];

export interface ConfigParseResult {
  config: EngineConfig;
  errors: string[];
  /** Paths (globs) the user asked to skip. */
  ignore: string[];
}

export function parseConfigText(text: string, knownRuleIds: readonly string[]): ConfigParseResult {
  const config = defaultConfig();
  const errors: string[] = [];
  const ignore: string[] = [];
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) {
    return { config, ignore, errors: doc.errors.map((e) => `syntax error at line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`) };
  }
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (data === null || data === undefined) return { config, errors, ignore };
  if (typeof data !== 'object' || Array.isArray(data) || !isMap(doc.contents)) {
    return { config, ignore, errors: ['the configuration must be a map with `rules`, `options` and `ignore`'] };
  }
  const obj = data as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!['rules', 'options', 'ignore'].includes(key)) errors.push(`unknown key \`${key}\` (expected rules, options, ignore)`);
  }
  if (obj.rules !== undefined) {
    if (typeof obj.rules !== 'object' || obj.rules === null || Array.isArray(obj.rules)) errors.push('`rules` must be a map of rule id to severity');
    else {
      for (const [id, sev] of Object.entries(obj.rules as Record<string, unknown>)) {
        if (!knownRuleIds.includes(id)) errors.push(`unknown rule id \`${id}\``);
        else if (typeof sev !== 'string' || !SEVERITIES.includes(sev)) errors.push(`rule \`${id}\`: severity must be one of ${SEVERITIES.join(', ')}`);
        else config.rules[id] = sev as Severity | 'off';
      }
    }
  }
  if (obj.options !== undefined) {
    if (typeof obj.options !== 'object' || obj.options === null || Array.isArray(obj.options)) errors.push('`options` must be a map');
    else {
      for (const [k, v] of Object.entries(obj.options as Record<string, unknown>)) {
        if (!(k in DEFAULT_OPTIONS)) {
          errors.push(`unknown option \`${k}\``);
          continue;
        }
        const def = DEFAULT_OPTIONS[k as keyof RuleOptions];
        const ok = Array.isArray(def) ? Array.isArray(v) && v.every((x) => typeof x === typeof (def[0] ?? (k === 'publicPorts' ? 0 : '')))
          : typeof def === 'object' ? typeof v === 'object' && v !== null && !Array.isArray(v)
          : typeof v === typeof def;
        if (!ok) errors.push(`option \`${k}\` has the wrong type`);
        else (config.options as unknown as Record<string, unknown>)[k] = v;
      }
    }
  }
  if (obj.ignore !== undefined) {
    if (!Array.isArray(obj.ignore) || !obj.ignore.every((x) => typeof x === 'string')) errors.push('`ignore` must be a list of paths');
    else ignore.push(...(obj.ignore as string[]));
  }
  return { config, errors, ignore };
}

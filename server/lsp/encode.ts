/**
 * The JSON encoder of the messages the server writes on stdio. It writes what
 * `JSON.stringify(message)` writes (vscode-jsonrpc's own encoder), but keeps the
 * JSON of each diagnostic object: a publish after a keystroke resends thousands
 * of diagnostics of which `toDiagnostics` (convert.ts) reused all but a few, and
 * serializing them again was the largest cost of a publish. Diagnostics are
 * never changed once published, so the text kept for an object stays its JSON.
 */
import type { ContentTypeEncoder, Message } from 'vscode-languageserver/node';

const PUBLISH = 'textDocument/publishDiagnostics';
const json = new WeakMap<object, string>();

/** The message as JSON text, equal to `JSON.stringify(msg)`. */
export function encodeMessage(msg: Message): string {
  const m = msg as { jsonrpc?: unknown; method?: unknown; params?: unknown };
  const params = m.params as { diagnostics?: unknown } | undefined;
  const keys = Object.keys(msg);
  // Only the shape the server sends ({jsonrpc, method, params: {..., diagnostics}}); anything else as usual.
  if (m.method !== PUBLISH || keys.length !== 3 || keys[0] !== 'jsonrpc' || keys[1] !== 'method' || keys[2] !== 'params'
    || !params || typeof params !== 'object' || !Array.isArray(params.diagnostics)) {
    return JSON.stringify(msg);
  }
  const pkeys = Object.keys(params);
  if (pkeys[pkeys.length - 1] !== 'diagnostics') return JSON.stringify(msg);
  const diagnostics = params.diagnostics as unknown[];
  const uri = (params as { uri?: unknown }).uri;
  // The same diagnostic objects as the last publish of this document (typing
  // away from findings): the array's JSON is the one written then.
  const last = typeof uri === 'string' ? lastArrays.get(uri) : undefined;
  const same = last !== undefined && last.items.length === diagnostics.length && last.items.every((d, i) => d === diagnostics[i]);
  const array = same ? last.text : arrayJson(diagnostics);
  if (array === undefined) return JSON.stringify(msg);
  if (typeof uri === 'string' && !same) {
    lastArrays.delete(uri);
    if (lastArrays.size >= LAST_ARRAYS) lastArrays.delete(lastArrays.keys().next().value!);
    lastArrays.set(uri, { items: diagnostics.slice(), text: array });
  }
  // `{...,"diagnostics":0}` without its last two characters, then the array.
  const head = JSON.stringify({ ...params, diagnostics: 0 });
  return `{"jsonrpc":${JSON.stringify(m.jsonrpc)},"method":${JSON.stringify(PUBLISH)},"params":${head.slice(0, -2)}${array}}}`;
}

/** The last diagnostics array written per document, for the documents published last. */
const LAST_ARRAYS = 32;
const lastArrays = new Map<string, { items: unknown[]; text: string }>();

/** The JSON of an array of diagnostic objects, each serialized once; undefined for anything else. */
function arrayJson(diagnostics: unknown[]): string | undefined {
  const parts: string[] = new Array(diagnostics.length);
  for (let i = 0; i < parts.length; i++) {
    const d: unknown = diagnostics[i];
    if (d === null || typeof d !== 'object' || 'toJSON' in d) return undefined;
    let s = json.get(d);
    if (s === undefined) {
      s = JSON.stringify(d);
      json.set(d, s);
    }
    parts[i] = s;
  }
  return `[${parts.join(',')}]`;
}

export const jsonEncoder: ContentTypeEncoder = {
  name: 'application/json',
  encode: (msg, options) => {
    try {
      return Promise.resolve(Buffer.from(encodeMessage(msg), options.charset));
    } catch (e) {
      return Promise.reject(e);
    }
  },
};

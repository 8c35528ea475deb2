/**
 * The JSON encoder of the messages the server writes on stdio. It writes what
 * `JSON.stringify(message)` writes (vscode-jsonrpc's own encoder), but keeps the
 * UTF-8 bytes of each diagnostic object: a publish after a keystroke resends
 * thousands of diagnostics of which `toDiagnostics` (convert.ts) reused all but a
 * few, and serializing them again, then converting the megabytes of text to
 * bytes, was the largest cost of a publish. The message is put together from
 * kept bytes (one copy). Diagnostics are never changed once published, so the
 * bytes kept for an object stay its JSON.
 */
import type { ContentTypeEncoder, Message } from 'vscode-languageserver/node';

const PUBLISH = 'textDocument/publishDiagnostics';
const json = new WeakMap<object, Buffer>();
const COMMA = Buffer.from(',');
const OPEN = Buffer.from('[');
const CLOSE = Buffer.from(']}}');

/** The message as UTF-8 JSON, byte for byte `Buffer.from(JSON.stringify(msg))`. */
export function encodeMessageBytes(msg: Message): Buffer {
  const m = msg as { jsonrpc?: unknown; method?: unknown; params?: unknown };
  const params = m.params as { diagnostics?: unknown } | undefined;
  const keys = Object.keys(msg);
  // Only the shape the server sends ({jsonrpc, method, params: {..., diagnostics}}); anything else as usual.
  if (m.method !== PUBLISH || keys.length !== 3 || keys[0] !== 'jsonrpc' || keys[1] !== 'method' || keys[2] !== 'params'
    || !params || typeof params !== 'object' || !Array.isArray(params.diagnostics)) {
    return Buffer.from(JSON.stringify(msg));
  }
  const pkeys = Object.keys(params);
  if (pkeys[pkeys.length - 1] !== 'diagnostics') return Buffer.from(JSON.stringify(msg));
  const diagnostics = params.diagnostics as unknown[];
  const uri = (params as { uri?: unknown }).uri;
  // The same diagnostic objects as the last publish of this document (typing
  // away from findings): the array's bytes are the ones written then.
  const last = typeof uri === 'string' ? lastArrays.get(uri) : undefined;
  const same = last !== undefined && last.items.length === diagnostics.length && last.items.every((d, i) => d === diagnostics[i]);
  const array = same ? last.parts : arrayParts(diagnostics);
  if (array === undefined) return Buffer.from(JSON.stringify(msg));
  if (typeof uri === 'string' && !same) {
    lastArrays.delete(uri);
    if (lastArrays.size >= LAST_ARRAYS) lastArrays.delete(lastArrays.keys().next().value!);
    lastArrays.set(uri, { items: diagnostics.slice(), parts: array });
  }
  // `{...,"diagnostics":0}` without its last two characters, then the array.
  const head = JSON.stringify({ ...params, diagnostics: 0 });
  const prefix = Buffer.from(`{"jsonrpc":${JSON.stringify(m.jsonrpc)},"method":${JSON.stringify(PUBLISH)},"params":${head.slice(0, -2)}`);
  return Buffer.concat([prefix, ...array, CLOSE]);
}

/** The message as JSON text, equal to `JSON.stringify(msg)`. */
export function encodeMessage(msg: Message): string {
  return encodeMessageBytes(msg).toString('utf8');
}

/** The last diagnostics array written per document, for the documents published last. */
const LAST_ARRAYS = 32;
const lastArrays = new Map<string, { items: unknown[]; parts: Buffer[] }>();

/** The bytes of an array of diagnostic objects in pieces, each object serialized once; undefined for anything else. */
function arrayParts(diagnostics: unknown[]): Buffer[] | undefined {
  const parts: Buffer[] = new Array(diagnostics.length * 2 + 1);
  parts[0] = OPEN;
  for (let i = 0; i < diagnostics.length; i++) {
    const d: unknown = diagnostics[i];
    if (d === null || typeof d !== 'object' || 'toJSON' in d) return undefined;
    let b = json.get(d);
    if (b === undefined) {
      b = Buffer.from(JSON.stringify(d));
      json.set(d, b);
    }
    parts[2 * i + 1] = b;
    parts[2 * i + 2] = COMMA;
  }
  // No comma after the last one: `]` takes its place (an empty array: `[` then `]`).
  if (diagnostics.length) parts.pop();
  return parts;
}

const UTF8 = /^utf-?8$/i;

export const jsonEncoder: ContentTypeEncoder = {
  name: 'application/json',
  encode: (msg, options) => {
    try {
      return Promise.resolve(UTF8.test(options.charset) ? encodeMessageBytes(msg) : Buffer.from(JSON.stringify(msg), options.charset));
    } catch (e) {
      return Promise.reject(e);
    }
  },
};

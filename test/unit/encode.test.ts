/** The stdio message encoder writes exactly what JSON.stringify writes, also for diagnostics it serialized before. */
import * as assert from 'node:assert/strict';
import { encodeMessage, encodeMessageBytes } from '../../server/lsp/encode';
import type { Message } from 'vscode-languageserver/node';

const diag = (line: number, message: string) => ({
  range: { start: { line, character: 2 }, end: { line, character: 9 } },
  severity: 2, source: 'iac-lint', code: 'rule-x', message, data: { key: line, ruleId: 'rule-x' },
  codeDescription: { href: 'https://example.com/rule-x' },
});

describe('encodeMessage (stdio JSON encoder)', () => {
  it('equals JSON.stringify for publishDiagnostics with and without version, and when diagnostics are reused', () => {
    const a = diag(1, 'quote " backslash \\ newline \n emoji 😀');
    const b = diag(2, 'second');
    const msgs = [
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///x/t.yaml', version: 3, diagnostics: [a, b] } },
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///x/t.yaml', version: 4, diagnostics: [b, a, diag(3, 'new')] } },
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///x/"q".yaml', diagnostics: [] } },
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///x/t.yaml', diagnostics: [a] } },
      // The same objects again (the array's JSON is reused), then the same array with one more, then one fewer.
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///x/t.yaml', version: 7, diagnostics: [a] } },
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///x/t.yaml', version: 8, diagnostics: [a, b] } },
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///x/t.yaml', version: 9, diagnostics: [b] } },
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///x/other.yaml', version: 1, diagnostics: [b] } },
    ];
    for (const m of msgs) {
      const out = encodeMessage(m as Message);
      assert.equal(out, JSON.stringify(m));
      assert.deepEqual(JSON.parse(out), m);
      assert.ok(encodeMessageBytes(m as Message).equals(Buffer.from(JSON.stringify(m))), 'bytes');
    }
  });

  it('leaves other messages and other shapes to JSON.stringify', () => {
    const msgs = [
      { jsonrpc: '2.0', id: 1, result: { capabilities: { hoverProvider: true } } },
      { jsonrpc: '2.0', method: 'window/logMessage', params: { type: 3, message: 'hi' } },
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { diagnostics: [diag(1, 'x')], uri: 'file:///a' } },
    ];
    for (const m of msgs) assert.equal(encodeMessage(m as Message), JSON.stringify(m));
  });
});

/** LSP conversion: diagnostics reused from the previous publish equal freshly converted ones. */
import * as assert from 'node:assert/strict';
import { engineFor } from '../helpers/engine';
import { toDiagnostic, toDiagnostics } from '../../server/lsp/convert';
import type { Finding } from '../../server/engine/types';
import type { LineIndex } from '../../server/engine/positions';

const fresh = (findings: readonly Finding[], lines: LineIndex) => findings.map((f, i) => toDiagnostic(f, lines, i));

const TEMPLATE = [
  'Resources:',
  '  Bucket:',
  '    Type: AWS::S3::Bucket',
  '  Sg:',
  '    Type: AWS::EC2::SecurityGroup',
  '    Properties:',
  '      GroupDescription: web',
  '      SecurityGroupIngress:',
  '        - IpProtocol: tcp',
  '          FromPort: 22',
  '          ToPort: 22',
  '          CidrIp: 0.0.0.0/0',
  '  Other:',
  '    Type: AWS::S3::Bucket',
  '',
].join('\n');

describe('toDiagnostics (reuse of the previous publish)', () => {
  it('equals a fresh conversion through typing, line breaks and deletions, and reuses unchanged diagnostics', async () => {
    const engine = await engineFor();
    const path = '/w/template.yaml';
    let text = TEMPLATE;
    let r = engine.lint({ path, text })!;
    let prev = { findings: r.findings, diagnostics: toDiagnostics(r.findings, r.lines) };
    assert.deepEqual(prev.diagnostics, fresh(r.findings, r.lines));
    assert.ok(prev.diagnostics.length >= 3, 'the template has findings');
    let reused = 0;
    // Type in the middle, insert a line break before findings (same length, lines move), delete it again.
    const edits: ((t: string) => string)[] = [
      (t) => t.replace('GroupDescription: web', 'GroupDescription: webx'),
      (t) => t.replace('GroupDescription: webx', 'GroupDescription: webxy'),
      (t) => t.replace('  Sg:\n', '\n  Sg:\n'),
      (t) => t.replace('GroupDescription: webxy', 'GroupDescription:\nwebxy'),
      (t) => t.replace('GroupDescription:\nwebxy', 'GroupDescription: webxy'),
      (t) => t.replace('CidrIp: 0.0.0.0/0', 'CidrIp: 10.0.0.0/8'),
      (t) => t.replace('CidrIp: 10.0.0.0/8', 'CidrIp: 0.0.0.0/0'),
      (t) => t.replace('\n  Sg:\n', '  Sg:\n'),
    ];
    for (const [n, edit] of edits.entries()) {
      text = edit(text);
      r = engine.lint({ path, text })!;
      const diagnostics = toDiagnostics(r.findings, r.lines, prev);
      assert.deepEqual(diagnostics, fresh(r.findings, r.lines), `edit ${n}`);
      reused += diagnostics.filter((d) => prev.diagnostics.includes(d)).length;
      prev = { findings: r.findings, diagnostics };
    }
    assert.ok(reused > 0, 'unchanged diagnostics are reused');
  });

  it('does not reuse a diagnostic whose line moved while its offsets did not', async () => {
    const engine = await engineFor();
    const path = '/w/template.yaml';
    const a = engine.lint({ path, text: TEMPLATE })!;
    const prev = { findings: a.findings, diagnostics: toDiagnostics(a.findings, a.lines) };
    // Same length: a space becomes a line break before every finding.
    const text = TEMPLATE.replace('Resources:', 'Resources:').replace('  Bucket:', '\n Bucket:');
    const b = engine.lint({ path, text })!;
    const diagnostics = toDiagnostics(b.findings, b.lines, prev);
    assert.deepEqual(diagnostics, fresh(b.findings, b.lines));
  });
});

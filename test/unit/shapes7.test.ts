/**
 * One field order for the objects made by one factory (s7-shape): templates of
 * every parse path, security-group rules of every kind, and docNode `branches`
 * against the `flatMap` it replaced.
 */
import * as assert from 'node:assert/strict';
import { parseCloudFormation } from '../../server/engine/cloudformation/parser';
import { newPieceCache } from '../../server/engine/cloudformation/incremental';
import { cfnSecurityGroupRules } from '../../rules/lib/securityGroups';
import { branches, type DNode } from '../../rules/lib/docNode';

const TEMPLATE_KEYS = ['format', 'path', 'text', 'lines', 'isJson', 'doc', 'root', 'resources', 'resourceById', 'parameters', 'errors', 'aliasTargets', 'transient'];

describe('shapes (s7-shape)', () => {
  it('every parse path gives a template with the same fields in the same order', () => {
    const texts: [string, string][] = [
      ['/a.yaml', 'Resources:\n  A:\n    Type: AWS::S3::Bucket\n'],
      ['/b.yaml', 'X: &x 1\nResources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      Y: *x\n'],
      ['/c.json', '{"Resources": {"A": {"Type": "AWS::S3::Bucket"}}}'],
      ['/d.yaml', 'Resources:\n  A: [\n'],
      ['/e.json', `{"Resources": ${'['.repeat(5000)}}`],
      ['/f.yaml', `AWSTemplateFormatVersion: '2010-09-09'\nResources: ${'{a: '.repeat(3000)}`],
    ];
    let withAliases = 0;
    for (const [path, text] of texts) {
      for (const cache of [undefined, newPieceCache()]) {
        const tpl = parseCloudFormation(path, text, cache);
        if (!tpl) continue;
        assert.deepEqual(Object.keys(tpl), TEMPLATE_KEYS, path);
        assert.equal(tpl.transient, false);
        if (tpl.aliasTargets) withAliases++;
      }
    }
    assert.ok(withAliases > 0, 'a template with aliases was read');
  });

  it('security-group rules of every kind have the same fields in the same order', () => {
    const tpl = parseCloudFormation('/sg.yaml', [
      'Resources:',
      '  G:',
      '    Type: AWS::EC2::SecurityGroup',
      '    Properties:',
      '      GroupDescription: g',
      '      SecurityGroupIngress:',
      '        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}',
      '  I:',
      '    Type: AWS::EC2::SecurityGroupIngress',
      '    Properties: {GroupId: !Ref G, IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 10.0.0.0/8}',
      '',
    ].join('\n'))!;
    const rules = cfnSecurityGroupRules(tpl);
    assert.ok(rules.some((r) => r.implicit), 'implicit egress');
    assert.ok(rules.some((r) => r.resource === 'I'), 'rule resource');
    assert.ok(rules.some((r) => r.resource === 'G' && !r.implicit), 'inline rule');
    for (const r of rules) assert.deepEqual(Object.keys(r), ['format', 'direction', 'resource', 'group', 'label', 'range', 'traffic', 'peers', 'implicit']);
  });

  it('docNode branches gives what flatMap gave', () => {
    const at = { range: { start: 0, end: 0 }, path: '/x', text: '' };
    const leaf = (v: string): DNode => ({ kind: 'scalar', value: v, type: 'string', literal: true, ...at } as unknown as DNode);
    const alt = (options: DNode[]): DNode => ({ kind: 'alt', options, absent: false, ...at } as unknown as DNode);
    const ref = (n: DNode): DNode[] => (n.kind === 'alt' ? n.options.flatMap(ref) : [n]);
    const nodes = [leaf('a'), alt([]), alt([leaf('a'), leaf('b')]), alt([alt([leaf('a'), alt([leaf('b'), leaf('c')])]), leaf('d'), alt([])])];
    for (const n of nodes) assert.deepEqual(branches(n), ref(n));
  });
});

/** rules/lib/stateful.ts: resource attributes inserted after `Type`, offending `!If` branches, AWS defaults. */
import * as assert from 'node:assert/strict';
import { parseCloudFormation } from '../../server/engine/cloudformation/parser';
import type { CfnTemplate } from '../../server/engine/cloudformation/model';
import { applyEdits } from '../../server/engine/fixer';
import { cfnDefaultDeletionPolicy, cfnHoldsOwnData, insertAfterEntry, offendingNodes, typePair } from '../../rules/lib/stateful';

function parse(text: string, path = '/t.yaml'): CfnTemplate {
  const tpl = parseCloudFormation(path, text);
  assert.ok(tpl);
  assert.deepEqual(tpl.errors, []);
  return tpl;
}

function addPolicies(text: string, path = '/t.yaml'): string {
  const tpl = parse(text, path);
  const res = tpl.resources[0];
  const edit = insertAfterEntry(tpl, res.body, typePair(res)!, [['DeletionPolicy', 'Snapshot'], ['UpdateReplacePolicy', 'Snapshot']]);
  assert.ok(edit);
  const out = applyEdits(text, [edit]);
  const again = parse(out, path);
  assert.equal(again.resources[0].body.get('DeletionPolicy'), 'Snapshot');
  assert.equal(again.resources[0].body.get('UpdateReplacePolicy'), 'Snapshot');
  return out;
}

describe('lib/stateful', () => {
  describe('insertAfterEntry', () => {
    it('block YAML: one line per key after Type, comment and CRLF kept', () => {
      const text = 'Resources:\r\n  Vol:\r\n    Type: AWS::EC2::Volume # data\r\n    Properties:\r\n      Size: 1\r\n';
      assert.equal(addPolicies(text), 'Resources:\r\n  Vol:\r\n    Type: AWS::EC2::Volume # data\r\n    DeletionPolicy: Snapshot\r\n    UpdateReplacePolicy: Snapshot\r\n    Properties:\r\n      Size: 1\r\n');
    });
    it('block YAML with Type last and tab-free deeper indentation', () => {
      const text = 'Resources:\n    Vol:\n        Properties: {Size: 1}\n        Type: "AWS::EC2::Volume"\n';
      assert.equal(addPolicies(text), 'Resources:\n    Vol:\n        Properties: {Size: 1}\n        Type: "AWS::EC2::Volume"\n        DeletionPolicy: Snapshot\n        UpdateReplacePolicy: Snapshot\n');
    });
    it('flow map on one line', () => {
      const text = 'Resources:\n  Vol: {Type: AWS::EC2::Volume, Properties: {Size: 1}}\n';
      assert.equal(addPolicies(text), 'Resources:\n  Vol: {Type: AWS::EC2::Volume, "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot", Properties: {Size: 1}}\n');
    });
    it('multi-line JSON keeps its own " : " separator', () => {
      const text = '{\n  "Resources" : {\n    "Vol" : {\n      "Type" : "AWS::EC2::Volume",\n      "Properties" : { "Size" : 1 }\n    }\n  }\n}\n';
      assert.equal(addPolicies(text, '/t.json'), '{\n  "Resources" : {\n    "Vol" : {\n      "Type" : "AWS::EC2::Volume",\n      "DeletionPolicy" : "Snapshot",\n      "UpdateReplacePolicy" : "Snapshot",\n      "Properties" : { "Size" : 1 }\n    }\n  }\n}\n');
    });
    it('minified JSON stays minified', () => {
      const text = '{"Resources":{"Vol":{"Type":"AWS::EC2::Volume","Properties":{"Size":1}}}}';
      assert.equal(addPolicies(text, '/t.json'), '{"Resources":{"Vol":{"Type":"AWS::EC2::Volume","DeletionPolicy":"Snapshot","UpdateReplacePolicy":"Snapshot","Properties":{"Size":1}}}}');
    });
    it('no edit when the Type value is not on its key\'s line', () => {
      const tpl = parse('Resources:\n  Vol:\n    Type:\n      AWS::EC2::Volume\n    Properties: {}\n');
      const res = tpl.resources[0];
      assert.equal(res.type, 'AWS::EC2::Volume');
      assert.equal(insertAfterEntry(tpl, res.body, typePair(res)!, [['DeletionPolicy', 'Snapshot']]), null);
    });
  });

  it('offendingNodes finds the bad !If branch, a parameter reference, or nothing', () => {
    const tpl = parse('Parameters:\n  P: {Type: Number, Default: 0}\nConditions:\n  C: !Equals [a, b]\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      A: !If [C, 14, !If [C, 0, 3]]\n      B: !Ref P\n      D: 5\n');
    const props = tpl.resources[0].properties!;
    const zero = (k: string) => offendingNodes(tpl, props.get(k, true) as never, (r) => r.kind === 'known' && Number(r.value) === 0);
    const a = zero('A');
    assert.equal(a.length, 1);
    assert.equal(tpl.text.slice(a[0].node.range![0], a[0].node.range![1]), '0');
    assert.equal(a[0].literal, true);
    const b = zero('B');
    assert.equal(b.length, 1);
    assert.equal(b[0].literal, false);
    assert.deepEqual(zero('D'), []);
  });

  it('AWS defaults and resources that hold no data of their own', () => {
    const tpl = parse('Resources:\n  C:\n    Type: AWS::RDS::DBCluster\n  I:\n    Type: AWS::RDS::DBInstance\n  M:\n    Type: AWS::RDS::DBInstance\n    Properties: {DBClusterIdentifier: !Ref C}\n  R:\n    Type: AWS::RDS::DBInstance\n    Properties: {SourceDBInstanceIdentifier: primary}\n  V:\n    Type: AWS::EC2::Volume\n');
    const r = (id: string) => tpl.resourceById.get(id)!;
    assert.deepEqual(['C', 'I', 'M', 'V'].map((id) => cfnDefaultDeletionPolicy(tpl, r(id))), ['Snapshot', 'Snapshot', 'Delete', 'Delete']);
    assert.deepEqual(['C', 'I', 'M', 'R', 'V'].map((id) => cfnHoldsOwnData(tpl, r(id))), [true, true, false, false, true]);
  });
});

/**
 * The shared EC2 rule helpers (rules/lib): names, image matching, non-critical
 * words, tag readers, and the tag / attribute edits in YAML, JSON and HCL.
 */
import * as assert from 'node:assert/strict';
import type { YAMLSeq } from 'yaml';
import type { CfnTemplate } from '../../server/engine/cloudformation/model';
import { parseCloudFormation } from '../../server/engine/cloudformation/parser';
import { DEFAULT_OPTIONS } from '../../server/engine/config';
import { applyEdits } from '../../server/engine/fixer';
import type { TfFile } from '../../server/engine/terraform/model';
import { initTerraform, parseTerraform } from '../../server/engine/terraform/parser';
import type { TextEdit } from '../../server/engine/types';
import { imageKeys, isApproved } from '../../rules/lib/ami';
import { appendTag, insertTags } from '../../rules/lib/cfn-edit';
import { cfnLookup, cfnRefs, isRootDeviceName } from '../../rules/lib/ec2';
import { cfnTagList, nameWords, nonCriticalWords, regionAttribute, renderName, suggestName, tfRegion, tfTagMap } from '../../rules/lib/tags';
import { insertAttribute, insertObjectItem } from '../../server/engine/terraform/edit';

function cfn(text: string, path = '/t/template.yaml'): CfnTemplate {
  const tpl = parseCloudFormation(path, text);
  assert.ok(tpl, 'not a template');
  assert.deepEqual(tpl.errors, []);
  return tpl;
}

function applyCfn(tpl: CfnTemplate, edit: TextEdit | null): string {
  assert.ok(edit, 'expected an edit');
  const out = applyEdits(tpl.text, [edit]);
  const again = parseCloudFormation(tpl.path, out);
  assert.ok(again);
  assert.deepEqual(again.errors, [], `edit result does not parse:\n${out}`);
  return out;
}

function tf(text: string, path = '/m/main.tf'): TfFile {
  const f = parseTerraform(path, text);
  assert.deepEqual(f.errors, [], `syntax errors in:\n${text}`);
  return f;
}

function applyTf(file: TfFile, edit: TextEdit | null): string {
  assert.ok(edit, 'expected an edit');
  const out = applyEdits(file.text, [edit]);
  assert.deepEqual(parseTerraform(file.path, out).errors, [], `edit result does not parse:\n${out}`);
  return out;
}

const HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n';

describe('rules/lib: names', () => {
  it('splits identifiers into lower-case words', () => {
    assert.deepEqual(nameWords('WebServer01'), ['web', 'server', '01']);
    assert.deepEqual(nameWords('HTTPProxy'), ['http', 'proxy']);
    assert.deepEqual(nameWords('web_server-a'), ['web', 'server', 'a']);
    assert.deepEqual(nameWords('Ec2Instance'), ['ec2', 'instance']);
    assert.deepEqual(nameWords('App1'), ['app', '1']);
  });

  it('suggests names from the prefix table, without words the prefix already says', () => {
    const o = DEFAULT_OPTIONS;
    const web = suggestName(o, 'ec2_instance', 'WebServer');
    assert.deepEqual(web, { prefix: 'ec2-instance-[region]', rest: 'web-server', regional: true });
    assert.equal(renderName(web, '${AWS::Region}', '-'), 'ec2-instance-${AWS::Region}-web-server');
    assert.equal(renderName(suggestName(o, 'security_group', 'WebServerSecurityGroup'), 'eu-west-1', '-'), 'security-group-eu-west-1-web-server');
    assert.equal(renderName(suggestName(o, 'security_group', 'BastionSG'), 'x', '-'), 'security-group-x-bastion');
    assert.equal(renderName(suggestName(o, 'ec2_instance', 'Ec2Instance'), 'x', '-'), 'ec2-instance-x');
    // No prefix for volumes: the noun is added instead.
    assert.equal(renderName(suggestName(o, 'ebs_volume', 'Data'), 'x', '-'), 'data-volume');
    assert.equal(renderName(suggestName(o, 'ebs_volume', 'DataVolume'), 'x', '-'), 'data-volume');
  });

  it('follows a configured separator and prefix', () => {
    const o = { ...DEFAULT_OPTIONS, namingSeparator: '_', namingPrefixes: { ...DEFAULT_OPTIONS.namingPrefixes, ebs_volume: 'ebs_volume' } };
    assert.equal(renderName(suggestName(o, 'ebs_volume', 'AppData'), '', '_'), 'ebs_volume_app_data');
  });
});

describe('rules/lib: approved images', () => {
  it('matches AMI ids, SSM paths (versioned or not) and prefixes', () => {
    assert.deepEqual(imageKeys('{{resolve:ssm:/golden/web:4}}'), ['{{resolve:ssm:/golden/web:4}}', '/golden/web:4', '/golden/web']);
    assert.ok(isApproved('ami-1', ['ami-1']));
    assert.ok(!isApproved('ami-12', ['ami-1']));
    assert.ok(isApproved('resolve:ssm:/golden/al2023/web', ['/golden/al2023/*']));
    assert.ok(isApproved('{{resolve:ssm:/golden/web:4}}', ['/golden/web']));
    assert.ok(!isApproved('/golden-extra/web', ['/golden/*']));
  });
});

describe('rules/lib: non-critical words', () => {
  const p = DEFAULT_OPTIONS.nonCriticalPatterns;
  it('matches whole words and plurals only', () => {
    assert.deepEqual(nonCriticalWords('CiRunner', p), ['ci', 'runner']);
    assert.deepEqual(nonCriticalWords('gitlab-runners', p), ['runner']);
    assert.deepEqual(nonCriticalWords('ProductionApi', p), []);
    assert.deepEqual(nonCriticalWords('contest builder', p), []);
  });
  it('matches patterns of several words', () => {
    assert.deepEqual(nonCriticalWords('nightly batch-jobs', ['batch-job']), ['batch-job']);
    assert.deepEqual(nonCriticalWords('batch', ['batch-job']), []);
  });
});

describe('rules/lib: CloudFormation lookups and tags', () => {
  it('looks settings up through maps, stops at functions, and collects references', () => {
    const tpl = cfn(`${HEAD}  A:\n    Type: AWS::EC2::Instance\n    Properties:\n      MetadataOptions: !If [C, {HttpTokens: required}, !Ref AWS::NoValue]\n      Tags: [{Key: Name, Value: !Sub "x-\${B}-\${AWS::Region}"}]\n      LaunchTemplate: { LaunchTemplateId: !GetAtt [T, LaunchTemplateId] }\n`);
    const res = tpl.resourceById.get('A')!;
    assert.equal(cfnLookup(tpl, res, ['Properties', 'MetadataOptions', 'HttpTokens']).state, 'unknown');
    assert.equal(cfnLookup(tpl, res, ['Properties', 'Monitoring']).state, 'missing');
    assert.deepEqual([...cfnRefs(tpl, res.body)].sort(), ['B', 'T']);
  });

  it('reads tag keys and knows when a function may hide more', () => {
    const tpl = cfn(`${HEAD}  A:\n    Type: AWS::EC2::Instance\n    Properties:\n      Tags:\n        - Key: Team\n          Value: x\n        - !If [C, {Key: Name, Value: y}, !Ref AWS::NoValue]\n`);
    const tags = cfnTagList(tpl, tpl.resourceById.get('A')!.properties);
    assert.deepEqual([...tags.entries.keys()], ['Team']);
    assert.equal(tags.open, true);
  });

  it('appends a tag to a block list, keeping the dash indentation and comments', () => {
    const tpl = cfn(`${HEAD}  A:\n    Type: AWS::EC2::Volume\n    Properties:\n      Tags:\n      - Key: Team # owners\n        Value: x\n      Size: 1\n`);
    const seq = cfnTagList(tpl, tpl.resourceById.get('A')!.properties).seq as YAMLSeq;
    assert.equal(
      applyCfn(tpl, appendTag(tpl, seq, 'Name', { sub: true, text: 'v-${AWS::Region}' })),
      `${HEAD}  A:\n    Type: AWS::EC2::Volume\n    Properties:\n      Tags:\n      - Key: Team # owners\n        Value: x\n      - Key: Name\n        Value: !Sub "v-\${AWS::Region}"\n      Size: 1\n`,
    );
  });

  it('appends to flow lists in YAML and JSON, one line or several', () => {
    const y = cfn(`${HEAD}  A:\n    Type: AWS::EC2::Volume\n    Properties:\n      Tags: [{Key: Team, Value: x}]\n`);
    assert.match(applyCfn(y, appendTag(y, cfnTagList(y, y.resourceById.get('A')!.properties).seq!, 'Name', { sub: false, text: 'data-volume' })), /Tags: \[\{Key: Team, Value: x\}, \{Key: Name, Value: data-volume\}\]/);
    const jText = '{\r\n  "Resources": {\r\n    "A": {\r\n      "Type": "AWS::EC2::Volume",\r\n      "Properties": {\r\n        "Tags": [\r\n          { "Key": "Team", "Value": "x" }\r\n        ]\r\n      }\r\n    }\r\n  }\r\n}\r\n';
    const j = cfn(jText, '/t/template.json');
    const out = applyCfn(j, appendTag(j, cfnTagList(j, j.resourceById.get('A')!.properties).seq!, 'Name', { sub: true, text: 'n-${AWS::Region}' }));
    assert.equal(out, jText.replace('{ "Key": "Team", "Value": "x" }', '{ "Key": "Team", "Value": "x" },\r\n          { "Key": "Name", "Value": { "Fn::Sub": "n-${AWS::Region}" } }'));
  });

  it('adds a Tags list to a map, in the file\'s sequence style', () => {
    const indented = cfn(`${HEAD}  A:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-1\n      SecurityGroupIds:\n        - sg-1\n`);
    assert.equal(
      applyCfn(indented, insertTags(indented, indented.resourceById.get('A')!.properties!, 'Name', { sub: false, text: 'web' })),
      `${HEAD}  A:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-1\n      SecurityGroupIds:\n        - sg-1\n      Tags:\n        - Key: Name\n          Value: web\n`,
    );
    const compact = cfn(`${HEAD}  A:\n    Type: AWS::EC2::Instance\n    Properties:\n      SecurityGroupIds:\n      - sg-1\n      ImageId: ami-1\n`);
    assert.match(applyCfn(compact, insertTags(compact, compact.resourceById.get('A')!.properties!, 'Name', { sub: false, text: 'web' })), /\n {6}Tags:\n {6}- Key: Name\n {8}Value: web\n$/);
  });
});

describe('rules/lib: Terraform tags, region and edits', () => {
  before(() => initTerraform());

  it('follows merge(), variable defaults and locals; anything else is open', () => {
    const main = tf('locals {\n  base = { Team = "a" }\n}\nresource "aws_instance" "a" {\n  tags = merge(local.base, var.extra, { Name = "n" })\n}\nresource "aws_instance" "b" {\n  tags = merge(local.base, module.x.tags)\n}\n');
    const vars = tf('variable "extra" {\n  default = { Owner = "o" }\n}\n', '/m/variables.tf');
    const module = { dir: '/m', files: [main, vars] };
    const a = tfTagMap(module, main, main.blocks[1].attr('tags')!.expr);
    assert.deepEqual([...a.entries.keys()].sort(), ['Name', 'Owner', 'Team']);
    assert.equal(a.open, false);
    assert.equal(tfTagMap(module, main, main.blocks[2].attr('tags')!.expr).open, true);
  });

  it('finds the region: provider literal, provider expression, data source', () => {
    const lit = tf('provider "aws" {\n  region = "eu-west-1"\n}\nresource "aws_instance" "a" {}\n');
    assert.deepEqual(tfRegion({ dir: '/m', files: [lit] }, lit.blocks[1]), { literal: 'eu-west-1' });
    const aliased = tf('provider "aws" {\n  region = "eu-west-1"\n}\nprovider "aws" {\n  alias  = "us"\n  region = var.us_region\n}\nresource "aws_instance" "a" {\n  provider = aws.us\n}\n');
    assert.deepEqual(tfRegion({ dir: '/m', files: [aliased] }, aliased.blocks[2]), { expr: 'var.us_region' });
    const data = tf('data "aws_region" "here" {}\nresource "aws_instance" "a" {}\n');
    assert.deepEqual(tfRegion({ dir: '/m', files: [data] }, data.blocks[1]), { expr: 'data.aws_region.here.name' });
    const v6 = tf('terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = ">= 6.2" }\n  }\n}\n');
    assert.equal(regionAttribute({ dir: '/m', files: [v6] }, 'here'), 'region');
    assert.equal(tfRegion({ dir: '/m', files: [tf('resource "aws_instance" "a" {}\n')] }, tf('resource "aws_instance" "a" {}\n').blocks[0]), null);
  });

  it('inserts attributes in terraform fmt alignment, or after a blank line when longer', () => {
    const f = tf('resource "aws_instance" "a" {\n  ami           = "x"\n  instance_type = "y"\n}\n');
    assert.equal(applyTf(f, insertAttribute(f, f.blocks[0], 'monitoring', 'true')), 'resource "aws_instance" "a" {\n  ami           = "x"\n  instance_type = "y"\n  monitoring    = true\n}\n');
    assert.equal(applyTf(f, insertAttribute(f, f.blocks[0], 'disable_api_termination', 'true')), 'resource "aws_instance" "a" {\n  ami           = "x"\n  instance_type = "y"\n\n  disable_api_termination = true\n}\n');
    const one = tf('resource "aws_launch_template" "a" {\n  block_device_mappings {\n    ebs { volume_size = 50 }\n  }\n}\n');
    const ebs = one.blocks[0].blocks[0].blocks[0];
    assert.equal(applyTf(one, insertAttribute(one, ebs, 'encrypted', 'true')), 'resource "aws_launch_template" "a" {\n  block_device_mappings {\n    ebs {\n      volume_size = 50\n      encrypted   = true\n    }\n  }\n}\n');
  });

  it('adds an item to object literals, aligned, keeping comments and commas', () => {
    const f = tf('resource "aws_instance" "a" {\n  tags = {\n    Team       = "t"\n    CostCenter = "c" # finance\n  }\n  other = { A = 1, }\n  empty = {}\n}\n');
    const b = f.blocks[0];
    assert.equal(applyTf(f, insertObjectItem(f, b.attr('tags')!.expr, 'Name', '"n"')), f.text.replace('# finance\n', '# finance\n    Name       = "n"\n'));
    assert.equal(applyTf(f, insertObjectItem(f, b.attr('other')!.expr, 'Name', '"n"')), f.text.replace('{ A = 1, }', '{ A = 1, Name = "n", }'));
    assert.equal(applyTf(f, insertObjectItem(f, b.attr('empty')!.expr, 'Name', '"n"')), f.text.replace('empty = {}', 'empty = { Name = "n" }'));
  });

  it('knows the common root device names', () => {
    assert.ok(isRootDeviceName('/dev/xvda') && isRootDeviceName('/dev/sda1'));
    assert.ok(!isRootDeviceName('/dev/sdf') && !isRootDeviceName(undefined));
  });
});

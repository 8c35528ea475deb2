/**
 * The normalised security group model (rules/lib/securityGroups.ts) and the
 * Terraform value evaluator behind it: addresses are parsed, protocols and
 * ports understood, every shape of rule read into the same form.
 */
import * as assert from 'node:assert/strict';
import { parseCloudFormation } from '../../server/engine/cloudformation/parser';
import type { CfnTemplate } from '../../server/engine/cloudformation/model';
import type { TfFile, TfModule } from '../../server/engine/terraform/model';
import { initTerraform, parseTerraform } from '../../server/engine/terraform/parser';
import {
  adminServices, allPorts, cfnSecurityGroupRules, cidrPeer, describeTraffic, isAnyAddress, isSingleHost, opensPort,
  parseProtocol, portCount, tfSecurityGroupRules, withinAny, type SgRule, type Traffic,
} from '../../rules/lib/securityGroups';
import { alternatives, listElements, TfEvaluator, type TfValue } from '../../rules/lib/networkValues';

const R = { start: 0, end: 0 };

function cfn(text: string): CfnTemplate {
  const tpl = parseCloudFormation('/t/template.yaml', text);
  assert.ok(tpl, 'not recognised as a template');
  assert.deepEqual(tpl.errors, []);
  return tpl;
}

function tfModule(files: Record<string, string>): { module: TfModule; file: TfFile } {
  const parsed = Object.entries(files).map(([name, text]) => parseTerraform(`/m/${name}`, text));
  for (const f of parsed) assert.deepEqual(f.errors, [], `syntax errors in ${f.path}`);
  return { module: { dir: '/m', files: parsed }, file: parsed[0] };
}

/** A compact view of a rule: direction, traffic and peers, for deepEqual. */
function summary(rule: SgRule, text: string): { dir: string; resource: string; traffic: string[]; peers: string[] } {
  return {
    dir: rule.direction,
    resource: rule.resource,
    traffic: rule.traffic.map(describeTraffic),
    peers: rule.peers.map((p) => `${p.kind}:${text.slice(p.range.start, p.range.end)}${p.kind === 'cidr' ? `=${p.text}` : ''}`),
  };
}

function traffic(protocol: string | number, from?: number, to?: number): Traffic {
  const p = parseProtocol(protocol);
  if (!p) return { protocol: null, ports: undefined, protocolRange: R, portRange: R };
  if (p.name === 'all') return { protocol: p, ports: { from: 0, to: 65535 }, protocolRange: R, portRange: null };
  if (p.name !== 'tcp' && p.name !== 'udp') return { protocol: p, ports: null, protocolRange: R, portRange: R };
  return { protocol: p, ports: from === undefined || to === undefined ? undefined : { from, to }, protocolRange: R, portRange: R };
}

describe('security group model', () => {
  before(() => initTerraform());

  describe('addresses', () => {
    it('recognises the any-address range in every spelling', () => {
      for (const s of ['0.0.0.0/0', '::/0', '0:0:0:0:0:0:0:0/0', '0000::/0', '0000:0000:0000:0000:0000:0000:0000:0000/0', '1.2.3.4/0', ' 0.0.0.0/0 ']) {
        assert.ok(isAnyAddress(cidrPeer(s, R)), s);
      }
      for (const s of ['0.0.0.0/1', '10.0.0.0/8', '::/1', '::1/128', '2001:db8::/32']) {
        assert.equal(isAnyAddress(cidrPeer(s, R)), false, s);
      }
    });

    it('leaves what is not a CIDR unknown instead of guessing', () => {
      for (const s of ['0/0', '010.0.0.0/8', '1.2.3.4', '300.1.1.1/8', 'anywhere', '', '::/129']) {
        assert.equal(cidrPeer(s, R).kind, 'unknown', s);
      }
    });

    it('knows a single host from a range', () => {
      assert.ok(isSingleHost(cidrPeer('198.51.100.7/32', R)));
      assert.ok(isSingleHost(cidrPeer('2001:db8::7/128', R)));
      assert.equal(isSingleHost(cidrPeer('198.51.100.0/31', R)), false);
      assert.equal(isSingleHost(cidrPeer('2001:db8::/127', R)), false);
    });

    it('places a range inside an allow list by containment, per address family', () => {
      const allowed = ['198.51.100.0/24', '2001:db8:100::/48'];
      assert.ok(withinAny(cidrPeer('198.51.100.0/24', R), allowed));
      assert.ok(withinAny(cidrPeer('198.51.100.128/25', R), allowed));
      assert.ok(withinAny(cidrPeer('2001:db8:100:1::/64', R), allowed));
      assert.equal(withinAny(cidrPeer('198.51.0.0/16', R), allowed), false, 'wider than the allowed range');
      assert.equal(withinAny(cidrPeer('198.51.101.0/24', R), allowed), false, 'next door');
      assert.equal(withinAny(cidrPeer('::ffff:198.51.100.7/128', R), ['198.51.100.0/24']), false, 'IPv6 is not matched against IPv4');
      assert.equal(withinAny(cidrPeer('10.0.0.0/8', R), ['not a cidr']), false);
    });
  });

  describe('protocols and ports', () => {
    it('reads protocol names and numbers as AWS does', () => {
      assert.deepEqual(parseProtocol('tcp'), { name: 'tcp', number: 6 });
      assert.deepEqual(parseProtocol('6'), { name: 'tcp', number: 6 });
      assert.deepEqual(parseProtocol(17), { name: 'udp', number: 17 });
      assert.deepEqual(parseProtocol('ICMP'), { name: 'icmp', number: 1 });
      assert.deepEqual(parseProtocol('58'), { name: 'icmpv6', number: 58 });
      assert.deepEqual(parseProtocol(-1), { name: 'all', number: -1 });
      assert.deepEqual(parseProtocol('all'), { name: 'all', number: -1 });
      assert.deepEqual(parseProtocol('50'), { name: 'other', number: 50 });
      assert.equal(parseProtocol('256'), null);
      assert.equal(parseProtocol('ssh'), null);
      assert.equal(parseProtocol(true), null);
    });

    it('understands which ports a rule opens', () => {
      assert.ok(opensPort(traffic('tcp', 22, 22), 'tcp', 22));
      assert.ok(opensPort(traffic('6', 0, 1023), 'tcp', 22));
      assert.ok(opensPort(traffic('-1'), 'tcp', 22), 'all protocols open TCP 22');
      assert.ok(opensPort(traffic('all'), 'udp', 3389));
      assert.equal(opensPort(traffic('udp', 22, 22), 'tcp', 22), false);
      assert.equal(opensPort(traffic('tcp', 23, 3388), 'tcp', 22), false);
      assert.equal(opensPort(traffic('icmp'), 'tcp', 22), false);
      assert.equal(opensPort(traffic('tcp'), 'tcp', 22), false, 'unknown ports never open anything');
      assert.equal(opensPort(traffic('nonsense'), 'tcp', 22), false, 'an unknown protocol never opens anything');
      assert.deepEqual(adminServices(traffic('tcp', 0, 65535)).map((s) => s.name), ['SSH', 'RDP']);
      assert.deepEqual(adminServices(traffic('udp', 3389, 3389)).map((s) => s.name), ['RDP']);
    });

    it('counts ports and knows "all ports"', () => {
      assert.equal(portCount(traffic('tcp', 1024, 65535)), 64512);
      assert.equal(portCount(traffic('tcp', 22, 22)), 1);
      assert.equal(portCount(traffic('-1')), null, 'all protocols is judged as such, not as a range');
      assert.equal(portCount(traffic('icmp')), null);
      assert.ok(allPorts(traffic('-1')));
      assert.ok(allPorts(traffic('tcp', 0, 65535)));
      assert.ok(allPorts(traffic('udp', 1, 65535)));
      assert.equal(allPorts(traffic('tcp', 1024, 65535)), false);
      assert.equal(describeTraffic(traffic('tcp', 20, 23)), 'TCP 20-23');
      assert.equal(describeTraffic(traffic('50')), 'IP protocol 50');
    });
  });

  describe('CloudFormation shapes', () => {
    it('reads inline, standalone, conditional and parameter-driven rules into one model', () => {
      const text = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Source:
    Type: String
    Default: 0.0.0.0/0
  Unknown:
    Type: String
Conditions:
  C: !Equals [a, b]
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      VpcId: vpc-1
      SecurityGroupIngress:
        - { IpProtocol: "6", FromPort: 22, ToPort: 22, CidrIp: !Ref Source }
        - !If [C, { IpProtocol: udp, FromPort: 53, ToPort: 53, CidrIpv6: "0000::/0" }, !Ref "AWS::NoValue"]
        - { IpProtocol: tcp, FromPort: !If [C, 80, 443], ToPort: 443, SourceSecurityGroupId: sg-1 }
        - { IpProtocol: tcp, FromPort: 1, ToPort: 2, CidrIp: !Ref Unknown }
      SecurityGroupEgress:
        - { IpProtocol: "-1", CidrIp: 10.0.0.0/8 }
  In:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Sg.GroupId
      IpProtocol: -1
      SourcePrefixListId: pl-1
`;
      const tpl = cfn(text);
      const rules = cfnSecurityGroupRules(tpl);
      assert.deepEqual(rules.map((r) => summary(r, text)), [
        { dir: 'ingress', resource: 'Sg', traffic: ['TCP 22'], peers: ['cidr:!Ref Source=0.0.0.0/0'] },
        { dir: 'ingress', resource: 'Sg', traffic: ['UDP 53'], peers: ['cidr:"0000::/0"=0000::/0'] },
        { dir: 'ingress', resource: 'Sg', traffic: ['TCP 80-443', 'TCP 443'], peers: ['security-group:sg-1'] },
        { dir: 'ingress', resource: 'Sg', traffic: ['TCP 1-2'], peers: ['unknown:!Ref Unknown'] },
        { dir: 'egress', resource: 'Sg', traffic: ['all traffic'], peers: ['cidr:10.0.0.0/8=10.0.0.0/8'] },
        { dir: 'ingress', resource: 'In', traffic: ['all traffic'], peers: ['prefix-list:pl-1'] },
      ]);
      assert.equal(rules[5].group, 'Sg', 'a standalone rule knows its group');
      assert.ok(rules.every((r) => !r.implicit));
    });

    it('adds the implicit allow-all egress only where AWS does', () => {
      const tpl = cfn(`AWSTemplateFormatVersion: "2010-09-09"
Resources:
  NoEgress:
    Type: AWS::EC2::SecurityGroup
    Properties: { GroupDescription: a }
  Empty:
    Type: AWS::EC2::SecurityGroup
    Properties: { GroupDescription: b, SecurityGroupEgress: [] }
  Localhost:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: c
      SecurityGroupEgress: [{ IpProtocol: "-1", CidrIp: 127.0.0.1/32 }]
  Managed:
    Type: AWS::EC2::SecurityGroup
    Properties: { GroupDescription: d }
  ManagedEgress:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: { GroupId: !Ref Managed, IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8 }
`);
      const implicit = cfnSecurityGroupRules(tpl).filter((r) => r.implicit);
      assert.deepEqual(implicit.map((r) => [r.resource, r.label]), [['NoEgress', 'no SecurityGroupEgress'], ['Empty', 'an empty SecurityGroupEgress']]);
      assert.ok(implicit.every((r) => r.direction === 'egress' && allPorts(r.traffic[0]) && isAnyAddress(r.peers[0])));
    });
  });

  describe('Terraform shapes', () => {
    it('reads blocks, dynamic blocks, attribute lists, rule resources and for_each into one model', () => {
      const main = `resource "aws_security_group" "web" {
  vpc_id = "vpc-1"
  ingress {
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    cidr_blocks      = local.world
    ipv6_cidr_blocks = ["::/0"]
  }
  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = [var.office]
    }
  }
  dynamic "ingress" {
    for_each = var.unknown
    iterator = r
    content {
      from_port   = r.value.port
      to_port     = r.value.port
      protocol    = "tcp"
      cidr_blocks = r.value.cidrs
    }
  }
  egress = [{ from_port = 0, to_port = 0, protocol = "-1", cidr_blocks = ["0.0.0.0/0"], self = true }]
}
resource "aws_security_group_rule" "each" {
  for_each          = toset(["10.0.0.0/8", "0.0.0.0/0"])
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  from_port         = 0
  to_port           = 65535
  protocol          = "all"
  cidr_blocks       = [each.value]
}
resource "aws_security_group_rule" "off" {
  count             = 0
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
resource "aws_vpc_security_group_egress_rule" "v6" {
  security_group_id = aws_security_group.web.id
  cidr_ipv6         = var.enabled ? "::/0" : "2001:db8::/32"
  ip_protocol       = "-1"
}
`;
      const vars = `variable "ports" { default = [22, 80] }
variable "office" { default = "198.51.100.0/24" }
variable "unknown" {}
variable "enabled" {}
locals {
  world = ["0.0.0.0/0"]
}
`;
      const { module, file } = tfModule({ 'main.tf': main, 'variables.tf': vars });
      const rules = tfSecurityGroupRules(file, module);
      assert.deepEqual(rules.map((r) => summary(r, main)), [
        { dir: 'ingress', resource: 'aws_security_group.web', traffic: ['TCP 443'], peers: ['cidr:local.world=0.0.0.0/0', 'cidr:"::/0"=::/0'] },
        { dir: 'ingress', resource: 'aws_security_group.web', traffic: ['TCP 22'], peers: ['cidr:var.office=198.51.100.0/24'] },
        { dir: 'ingress', resource: 'aws_security_group.web', traffic: ['TCP 80'], peers: ['cidr:var.office=198.51.100.0/24'] },
        { dir: 'ingress', resource: 'aws_security_group.web', traffic: ['TCP (ports unknown)'], peers: ['unknown:r.value.cidrs'] },
        { dir: 'egress', resource: 'aws_security_group.web', traffic: ['all traffic'], peers: ['cidr:"0.0.0.0/0"=0.0.0.0/0', 'self:true'] },
        { dir: 'ingress', resource: 'aws_security_group_rule.each', traffic: ['all traffic'], peers: ['cidr:each.value=10.0.0.0/8'] },
        { dir: 'ingress', resource: 'aws_security_group_rule.each', traffic: ['all traffic'], peers: ['cidr:each.value=0.0.0.0/0'] },
        { dir: 'egress', resource: 'aws_vpc_security_group_egress_rule.v6', traffic: ['all traffic'], peers: ['cidr:"::/0"=::/0', 'cidr:"2001:db8::/32"=2001:db8::/32'] },
      ]);
      assert.equal(rules[5].group, 'aws_security_group.web');
    });
  });

  describe('Terraform values', () => {
    function evalIn(expr: string, extra = ''): TfValue {
      const { module, file } = tfModule({ 'main.tf': `locals {\n  x = ${expr}\n}\n${extra}` });
      return new TfEvaluator(module).attr(file.locals[0])!;
    }
    const plain = (v: TfValue): unknown => {
      switch (v.kind) {
        case 'known': return v.value;
        case 'list': return v.items.map(plain);
        case 'object': return Object.fromEntries([...v.fields].map(([k, f]) => [k, plain(f)]));
        case 'alt': return { alt: v.options.map(plain) };
        default: return '?';
      }
    };

    it('evaluates literals, collections, variables, locals and the functions rules meet', () => {
      assert.deepEqual(plain(evalIn('[1, "a", true, null, -1]')), [1, 'a', true, null, -1]);
      assert.deepEqual(plain(evalIn('{ a = 1, "b" = [2] }')), { a: 1, b: [2] });
      assert.deepEqual(plain(evalIn('var.v', 'variable "v" { default = { cidrs = ["10.0.0.0/8"] } }')), { cidrs: ['10.0.0.0/8'] });
      assert.deepEqual(plain(evalIn('var.v.cidrs[0]', 'variable "v" { default = { cidrs = ["10.0.0.0/8"] } }')), '10.0.0.0/8');
      assert.deepEqual(plain(evalIn('concat(["a"], tolist(["b"]), toset(var.v))', 'variable "v" { default = ["c"] }')), ['a', 'b', 'c']);
      assert.deepEqual(plain(evalIn('flatten([["a"], ["b", ["c"]]])')), ['a', 'b', 'c']);
      assert.deepEqual(plain(evalIn('"${var.v}"', 'variable "v" { default = "x" }')), 'x');
      assert.deepEqual(plain(evalIn('var.c ? 1 : 2', 'variable "c" {}')), { alt: [1, 2] });
      assert.deepEqual(plain(evalIn('(22)')), 22);
    });

    it('leaves everything else unknown', () => {
      for (const e of ['var.none', 'var.v', 'aws_instance.x.id', 'data.aws_vpc.x.cidr_block', 'module.m.out', '"a-${var.v}"', 'upper("a")', '[for x in ["a"] : x]', '1 + 1', 'var.l[*].id']) {
        const v = evalIn(e, 'variable "v" {}\nvariable "l" { default = [{ id = 1 }] }');
        assert.equal(v.kind, 'unknown', e);
      }
    });

    it('keeps the range where a value enters the file', () => {
      const text = 'locals {\n  x = concat(["1.1.1.1/32"], var.v)\n}\nvariable "v" { default = ["0.0.0.0/0"] }\n';
      const { module, file } = tfModule({ 'main.tf': text });
      const v = new TfEvaluator(module).attr(file.locals[0])!;
      const items = listElements(v).items.map((i) => text.slice(i.range.start, i.range.end));
      assert.deepEqual(items, ['"1.1.1.1/32"', 'var.v']);
      assert.equal(alternatives(v).length, 1);
    });
  });
});

import * as assert from 'node:assert/strict';
import { applyEdits } from '../../server/engine/fixer';
import { indentUnit, insertAttribute, insertBlock, setAttributeValue } from '../../server/engine/terraform/edit';
import type { TfFile } from '../../server/engine/terraform/model';
import {
  callOf, initTerraform, objectItems, parseTerraform, referenceOf, tupleItems, unescapeTemplateLiteral, walkBlocks,
} from '../../server/engine/terraform/parser';
import type { OffsetRange, TextEdit } from '../../server/engine/types';
import { toSnakeCase } from '../../rules/naming-snake-case';

function at(file: TfFile, r: OffsetRange | undefined): string {
  assert.ok(r, 'range is undefined');
  return file.text.slice(r.start, r.end);
}

function parse(text: string): TfFile {
  return parseTerraform('/m/main.tf', text);
}

function parseClean(text: string): TfFile {
  const f = parse(text);
  assert.deepEqual(f.errors, [], `unexpected syntax errors in:\n${text}`);
  return f;
}

function refs(file: TfFile): string[] {
  return file.references.map((r) => r.parts.join('.') + (r.indexed ? '[]' : ''));
}

/** Applies one edit and checks that the result parses cleanly. */
function apply(file: TfFile, edit: TextEdit): string {
  const out = applyEdits(file.text, [edit]);
  assert.deepEqual(parse(out).errors, [], `edit result does not parse:\n${out}`);
  return out;
}

describe('terraform parser', () => {
  before(async () => {
    await initTerraform();
    await initTerraform(); // idempotent
  });

  describe('blocks', () => {
    const text = [
      '# header comment',
      'resource "aws_instance" "web" {',
      '  ami = "ami-1"',
      '  root_block_device {',
      '    encrypted = true',
      '  }',
      '  dynamic "ebs_block_device" {',
      '    for_each = var.disks',
      '    content {',
      '      device_name = ebs_block_device.value',
      '    }',
      '  }',
      '}',
      'data "aws_ami" "ubuntu" {}',
      'module "vpc" { source = "./vpc" }',
      'variable "x" {}',
      'output "o" { value = 1 }',
      'provider "aws" {}',
      'locals { a = 1 }',
      'terraform {}',
      'moved {',
      '  from = aws_instance.old',
      '  to   = aws_instance.web',
      '}',
      'ephemeral "aws_secret" "s" {}',
      'resource aws_s3_bucket logs {}',
      '',
    ].join('\n');

    it('reads top-level blocks with types, labels and addresses', () => {
      const f = parseClean(text);
      assert.equal(f.format, 'terraform');
      assert.equal(f.path, '/m/main.tf');
      assert.deepEqual(f.blocks.map((b) => b.address), [
        'aws_instance.web', 'data.aws_ami.ubuntu', 'module.vpc', 'var.x', 'output.o', 'provider.aws', 'locals',
        'terraform', 'moved', 'ephemeral.aws_secret.s', 'aws_s3_bucket.logs',
      ]);
      const web = f.blocks[0];
      assert.equal(web.type, 'resource');
      assert.equal(at(f, web.typeRange), 'resource');
      assert.deepEqual(web.labels.map((l) => l.value), ['aws_instance', 'web']);
      assert.equal(at(f, web.labels[1].range), 'web');
      assert.equal(at(f, web.labels[1].fullRange), '"web"');
      assert.equal(at(f, web.range), text.slice(text.indexOf('resource "aws_instance"'), text.indexOf('}\ndata') + 1));
      assert.equal(f.text[web.openBrace], '{');
      assert.equal(f.text[web.closeBrace], '}');
      assert.equal(web.closeBrace, text.indexOf('}\ndata'));
      assert.equal(web.parent, null);
      const bare = f.blocks[10];
      assert.deepEqual(bare.labels.map((l) => [l.value, at(f, l.range), at(f, l.fullRange)]), [['aws_s3_bucket', 'aws_s3_bucket', 'aws_s3_bucket'], ['logs', 'logs', 'logs']]);
    });

    it('reads nested and dynamic blocks', () => {
      const f = parseClean(text);
      const web = f.blocks[0];
      assert.deepEqual(web.blocks.map((b) => b.type), ['root_block_device', 'dynamic']);
      const rbd = web.blocksOfType('root_block_device')[0];
      assert.equal(rbd.address, null);
      assert.equal(rbd.parent, web);
      assert.equal(rbd.attr('encrypted')?.expr.value, true);
      const dyn = web.blocksOfType('dynamic')[0];
      assert.deepEqual(dyn.labels.map((l) => l.value), ['ebs_block_device']);
      assert.equal(dyn.attr('for_each')?.expr.text, 'var.disks');
      const content = dyn.blocksOfType('content')[0];
      assert.equal(content.attr('device_name')?.expr.text, 'ebs_block_device.value');
      assert.equal(content.attr('device_name')?.block, content);
      assert.equal(web.attr('nope'), undefined);
      const seen: string[] = [];
      walkBlocks(f.blocks.slice(0, 1), (b) => seen.push(b.type));
      assert.deepEqual(seen, ['resource', 'root_block_device', 'dynamic', 'content']);
    });

    it('exposes every attribute of every locals block as a local', () => {
      const f = parseClean('locals {\n  a = 1\n  B = "x"\n}\nresource "t" "n" {}\nlocals {\n  c = local.a\n}\n');
      assert.deepEqual(f.locals.map((l) => l.name), ['a', 'B', 'c']);
      assert.equal(at(f, f.locals[1].nameRange), 'B');
      assert.equal(at(f, f.locals[1].range), 'B = "x"');
      assert.equal(f.locals[2].block?.type, 'locals');
    });

    it('keeps top-level attributes (tfvars style) apart from blocks', () => {
      const f = parseClean('region = "eu-west-1"\ncount = 3\n');
      assert.deepEqual(f.blocks, []);
      assert.deepEqual(f.attributes.map((a) => [a.name, a.expr.value, a.block]), [['region', 'eu-west-1', null], ['count', 3, null]]);
    });
  });

  describe('expressions', () => {
    const text = [
      'resource "t" "n" {',
      '  s   = "a\\"b\\\\c\\n$${x}"',
      '  e   = ""',
      '  n   = 42',
      '  f   = 1.5e3',
      '  neg = -7',
      '  b   = false',
      '  z   = null',
      '  t   = "web-${var.env}"',
      '  d   = "%{ if var.on }on%{ endif }"',
      '  h   = <<-EOT',
      '    line ${local.x}',
      '    two',
      '  EOT',
      '  r   = aws_instance.web[0].id',
      '  c   = jsonencode({ Version = "2012-10-17", "Statement" = [{ Action = "s3:*" }], (var.k) = 1 })',
      '  o   = { Name = "x" }',
      '  l   = [1, "two", var.three]',
      '  q   = var.a ? 1 : 2',
      '  u   = "\\u00e9\\U0001F600"',
      '}',
    ].join('\n');

    it('classifies expressions and reads literal values', () => {
      const f = parseClean(text);
      const b = f.blocks[0];
      const got = b.attributes.map((a) => [a.name, a.expr.kind, a.expr.value]);
      assert.deepEqual(got, [
        ['s', 'string', 'a"b\\c\n${x}'],
        ['e', 'string', ''],
        ['n', 'number', 42],
        ['f', 'number', 1500],
        ['neg', 'number', -7],
        ['b', 'bool', false],
        ['z', 'null', null],
        ['t', 'template', undefined],
        ['d', 'template', undefined],
        ['h', 'heredoc', undefined],
        ['r', 'reference', undefined],
        ['c', 'call', undefined],
        ['o', 'object', undefined],
        ['l', 'tuple', undefined],
        ['q', 'other', undefined],
        ['u', 'string', 'é😀'],
      ]);
      assert.equal(b.attr('r')!.expr.text, 'aws_instance.web[0].id');
      assert.equal(at(f, b.attr('t')!.range), 't   = "web-${var.env}"');
      assert.equal(at(f, b.attr('t')!.expr.range), '"web-${var.env}"');
    });

    it('gives the content range of strings, templates and heredocs', () => {
      const f = parseClean(text);
      const b = f.blocks[0];
      assert.equal(at(f, b.attr('s')!.expr.contentRange), 'a\\"b\\\\c\\n$${x}');
      assert.equal(at(f, b.attr('e')!.expr.contentRange), '');
      assert.equal(at(f, b.attr('t')!.expr.contentRange), 'web-${var.env}');
      assert.equal(at(f, b.attr('h')!.expr.contentRange), '    line ${local.x}\n    two\n');
      assert.equal(b.attr('h')!.expr.text, '<<-EOT\n    line ${local.x}\n    two\n  EOT');
      assert.equal(b.attr('n')!.expr.contentRange, undefined);
    });

    it('reads calls, objects and tuples', () => {
      const f = parseClean(text);
      const b = f.blocks[0];
      const call = callOf(b.attr('c')!.expr)!;
      assert.equal(call.name, 'jsonencode');
      assert.equal(at(f, call.nameRange), 'jsonencode');
      assert.equal(call.expandFinal, false);
      assert.equal(call.args.length, 1);
      assert.equal(call.args[0].kind, 'object');
      const items = objectItems(call.args[0])!;
      assert.deepEqual(items.map((i) => [i.key, at(f, i.keyRange), i.value.kind]), [
        ['Version', 'Version', 'string'],
        ['Statement', 'Statement', 'tuple'],
        [null, '(var.k)', 'number'],
      ]);
      assert.equal(items[0].value.value, '2012-10-17');
      assert.equal(at(f, items[0].range), 'Version = "2012-10-17"');
      const stmts = tupleItems(items[1].value)!;
      assert.equal(stmts.length, 1);
      assert.deepEqual(objectItems(stmts[0])!.map((i) => [i.key, i.value.value]), [['Action', 's3:*']]);
      assert.deepEqual(tupleItems(b.attr('l')!.expr)!.map((e) => [e.kind, e.value]), [['number', 1], ['string', 'two'], ['reference', undefined]]);
      assert.equal(callOf(b.attr('o')!.expr), undefined);
      assert.equal(objectItems(b.attr('l')!.expr), undefined);
      assert.equal(tupleItems(b.attr('o')!.expr), undefined);
      assert.equal(callOf(parseClean('x = concat(var.a, var.b...)\n').attributes[0].expr)!.expandFinal, true);
    });

    it('unescapes HCL strings', () => {
      assert.equal(unescapeTemplateLiteral('plain'), 'plain');
      assert.equal(unescapeTemplateLiteral('a\\tb\\r\\n'), 'a\tb\r\n');
      assert.equal(unescapeTemplateLiteral('%%{x} $${y}'), '%{x} ${y}');
      assert.equal(unescapeTemplateLiteral('\\q'), '\\q');
    });
  });

  describe('references', () => {
    it('finds every traversal, in templates and heredocs too', () => {
      const text = [
        'resource "aws_instance" "web" {',
        '  ami        = data.aws_ami.ubuntu.id',
        '  subnet_id  = module.vpc.private_subnets[0]',
        '  user_data  = <<EOT',
        'echo ${var.greeting} ${local.name}',
        'EOT',
        '  name       = "web-${aws_s3_bucket.logs.arn}-${count.index}"',
        '  ids        = aws_instance.other[*].id',
        '  legacy     = aws_instance.other.*.id',
        '  keyed      = aws_instance.other["a]b"].private_ip',
        '  tags       = { Name = local.name, (var.key) = 1 }',
        '  list       = [for s in var.subnets : s.id if s.public]',
        '  policy     = jsonencode({ Resource = aws_s3_bucket.logs.arn })',
        '  depends_on = [aws_instance.db, module.vpc]',
        '  # aws_instance.commented.id is a comment',
        '  text       = "aws_instance.not_a_ref"',
        '}',
      ].join('\n');
      const f = parseClean(text);
      assert.deepEqual(refs(f), [
        'data.aws_ami.ubuntu.id',
        'module.vpc.private_subnets[]',
        'var.greeting',
        'local.name',
        'aws_s3_bucket.logs.arn',
        'count.index',
        'aws_instance.other.id[]',
        'aws_instance.other.id[]',
        'aws_instance.other.private_ip[]',
        'local.name',
        'var.key',
        'var.subnets',
        's.id',
        's.public',
        'aws_s3_bucket.logs.arn',
        'aws_instance.db',
        'module.vpc',
      ]);
      const keyed = f.references.find((r) => r.parts[2] === 'private_ip')!;
      assert.equal(at(f, keyed.range), 'aws_instance.other["a]b"].private_ip');
      assert.deepEqual(keyed.partRanges.map((r) => at(f, r)), ['aws_instance', 'other', 'private_ip']);
      const tpl = f.references.find((r) => r.parts[0] === 'aws_s3_bucket')!;
      assert.equal(at(f, tpl.range), 'aws_s3_bucket.logs.arn');
      assert.equal(tpl.range.start, text.indexOf('aws_s3_bucket.logs.arn'));
      const web = f.blocks[0];
      assert.equal(referenceOf(f, web.attr('ami')!.expr)?.parts.join('.'), 'data.aws_ami.ubuntu.id');
      assert.equal(referenceOf(f, web.attr('name')!.expr), undefined);
    });

    it('reads names with dashes and references in moved/import blocks', () => {
      const f = parseClean('moved {\n  from = aws_instance.Old-Name\n  to   = aws_instance.new\n}\nimport {\n  to = aws_eip.ip\n  id = "x"\n}\n');
      assert.deepEqual(refs(f), ['aws_instance.Old-Name', 'aws_instance.new', 'aws_eip.ip']);
    });
  });

  describe('offsets', () => {
    it('are UTF-16 offsets with emoji and CRLF', () => {
      const text = '# 😀 emoji\r\nresource "aws_instance" "wéb😀" {\r\n  tags = { Name = "😀😀" }\r\n  ami = var.amí\r\n}\r\n';
      const f = parseClean(text);
      const b = f.blocks[0];
      assert.equal(b.labels[1].value, 'wéb😀');
      assert.equal(b.labels[1].range.start, text.indexOf('wéb😀'));
      assert.equal(at(f, b.labels[1].range), 'wéb😀');
      assert.equal(at(f, b.attr('tags')!.range), 'tags = { Name = "😀😀" }');
      const ami = b.attr('ami')!;
      assert.equal(ami.nameRange.start, text.indexOf('ami ='));
      assert.equal(at(f, ami.expr.range), 'var.amí');
      assert.deepEqual(f.lines.offsetToPosition(ami.expr.range.start), { line: 3, character: 8 });
      assert.equal(f.lines.eol, '\r\n');
      assert.deepEqual(f.references.map((r) => at(f, r.range)), ['var.amí']);
      assert.equal(b.closeBrace, text.lastIndexOf('}'));
    });
  });

  describe('syntax errors', () => {
    it('reports a missing closing brace at the end', () => {
      const text = 'resource "a" "b" {\n  x = 1\n';
      const f = parse(text);
      assert.deepEqual(f.errors, [{ range: { start: text.length, end: text.length }, message: "Syntax error: missing '}'" }]);
      assert.equal(f.blocks[0].attr('x')?.expr.value, 1);
    });

    it('reports a stray closing brace', () => {
      const text = 'resource "a" "b" {\n  x = 1\n}\n}\n';
      const f = parse(text);
      assert.deepEqual(f.errors, [{ range: { start: 29, end: 30 }, message: "Syntax error: unexpected '}'" }]);
      assert.equal(f.blocks.length, 1);
    });

    it('reports an attribute without value', () => {
      const f = parse('locals {\n  y = \n}\n');
      assert.deepEqual(f.errors, [{ range: { start: 13, end: 14 }, message: "Syntax error: missing value after '='" }]);
    });

    it('reports an unterminated string at its opening quote', () => {
      const text = 'resource "a" "b" {\n  x = "open\n}\n';
      const f = parse(text);
      assert.deepEqual(f.errors[0], { range: { start: 25, end: 26 }, message: 'Syntax error: unterminated string (missing \'"\')' });
    });

    it('reports a missing bracket', () => {
      const text = 'variable "x" {\n  default = [1, 2\n}\n';
      const f = parse(text);
      assert.deepEqual(f.errors, [{ range: { start: 33, end: 33 }, message: "Syntax error: missing ']'" }]);
    });

    it('reports skipped garbage bytes on one line', () => {
      const text = 'a = 1\n\u0001\uFFFD garbage !!\nresource "x" "y" {}\n';
      const f = parse(text);
      assert.ok(f.errors.length >= 1);
      assert.deepEqual(f.errors[0], { range: { start: 6, end: 19 }, message: "Syntax error: unexpected '\\u0001\uFFFD garbage !!'" });
    });

    it('parses an empty file and whitespace-only files without errors', () => {
      for (const text of ['', '\n', '  \r\n\t\n', '# only a comment\n']) {
        const f = parse(text);
        assert.deepEqual([f.blocks, f.errors, f.references], [[], [], []], JSON.stringify(text));
      }
    });

    it('never throws, whatever the input', () => {
      let seed = 42;
      const rnd = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const alphabet = ['resource', ' ', '"', '{', '}', '[', ']', '(', ')', '=', '\n', '\r\n', 'a', '.', '${', '<<EOT', 'EOT', '#', '/*', '😀', '\u0000', ',', '...'];
      for (let i = 0; i < 300; i++) {
        let text = '';
        const len = rnd(60);
        for (let j = 0; j < len; j++) text += alphabet[rnd(alphabet.length)];
        const f = parse(text);
        for (const e of f.errors) {
          assert.ok(e.range.start >= 0 && e.range.start <= e.range.end && e.range.end <= text.length, JSON.stringify({ text, e }));
          assert.match(e.message, /^Syntax error/);
        }
        for (const r of f.references) assert.ok(r.range.end <= text.length);
      }
    });
  });

  describe('edits', () => {
    it('setAttributeValue replaces the expression only', () => {
      const f = parseClean('resource "t" "n" {\n  http_tokens = "optional" # keep\n}\n');
      const out = apply(f, setAttributeValue(f, f.blocks[0].attr('http_tokens')!, '"required"'));
      assert.equal(out, 'resource "t" "n" {\n  http_tokens = "required" # keep\n}\n');
    });

    it('setAttributeValue indents continuation lines and keeps CRLF', () => {
      const f = parseClean('resource "t" "n" {\r\n  tags = {}\r\n}\r\n');
      const out = apply(f, setAttributeValue(f, f.blocks[0].attr('tags')!, '{\n  Name = "x"\n}'));
      assert.equal(out, 'resource "t" "n" {\r\n  tags = {\r\n    Name = "x"\r\n  }\r\n}\r\n');
    });

    it('insertAttribute adds a last line in a normal block, after a trailing comment', () => {
      const f = parseClean('resource "aws_instance" "web" {\n  ami = "x"\n  # last comment\n}\n');
      const out = apply(f, insertAttribute(f, f.blocks[0], 'monitoring', 'true'));
      assert.equal(out, 'resource "aws_instance" "web" {\n  ami = "x"\n  # last comment\n\n  monitoring = true\n}\n');
    });

    it('insertAttribute follows the indentation of the block\'s items and aligns on = (4 spaces)', () => {
      const f = parseClean('resource "aws_instance" "web" {\n    ami           = "x"\n    instance_type = "t3.micro"\n}\n');
      assert.equal(indentUnit(f), '    ');
      const out = apply(f, insertAttribute(f, f.blocks[0], 'monitoring', 'true'));
      assert.equal(out, 'resource "aws_instance" "web" {\n    ami           = "x"\n    instance_type = "t3.micro"\n    monitoring    = true\n}\n');
    });

    it('insertAttribute expands one-line blocks', () => {
      let f = parseClean('resource "t" "n" {}\n');
      assert.equal(apply(f, insertAttribute(f, f.blocks[0], 'a', '1')), 'resource "t" "n" {\n  a = 1\n}\n');
      f = parseClean('resource "t" "n" { a = 1 }\n');
      assert.equal(apply(f, insertAttribute(f, f.blocks[0], 'b', '"x"')), 'resource "t" "n" {\n  a = 1\n  b = "x"\n}\n');
      f = parseClean('resource "t" "n" {\n  metadata_options {}\n}\n');
      const opts = f.blocks[0].blocks[0];
      assert.equal(apply(f, insertAttribute(f, opts, 'http_tokens', '"required"')), 'resource "t" "n" {\n  metadata_options {\n    http_tokens = "required"\n  }\n}\n');
    });

    it('insertAttribute moves a closing brace that follows the last item', () => {
      const f = parseClean('resource "t" "n" {\n  a = 1 }\n');
      assert.equal(apply(f, insertAttribute(f, f.blocks[0], 'b', '2')), 'resource "t" "n" {\n  a = 1\n  b = 2\n}\n');
    });

    it('insertAttribute keeps tabs and CRLF', () => {
      const f = parseClean('resource "t" "n" {\r\n\tebs {\r\n\t\tsize = 1\r\n\t}\r\n\tx {}\r\n}\r\n');
      assert.equal(indentUnit(f), '\t');
      const out = apply(f, insertAttribute(f, f.blocks[0].blocks[1], 'y', '2'));
      assert.equal(out, 'resource "t" "n" {\r\n\tebs {\r\n\t\tsize = 1\r\n\t}\r\n\tx {\r\n\t\ty = 2\r\n\t}\r\n}\r\n');
      const out2 = apply(f, insertAttribute(f, f.blocks[0], 'z', '3'));
      assert.equal(out2, 'resource "t" "n" {\r\n\tebs {\r\n\t\tsize = 1\r\n\t}\r\n\tx {}\r\n\r\n\tz = 3\r\n}\r\n');
    });

    it('insertBlock adds a nested block with aligned attributes', () => {
      const f = parseClean('resource "aws_instance" "web" {\n  ami = "x" // the AMI\n}\n');
      const out = apply(f, insertBlock(f, f.blocks[0], 'metadata_options', [['http_tokens', '"required"'], ['http_put_response_hop_limit', '1']]));
      assert.equal(out, 'resource "aws_instance" "web" {\n  ami = "x" // the AMI\n\n  metadata_options {\n    http_tokens                 = "required"\n    http_put_response_hop_limit = 1\n  }\n}\n');
    });

    it('insertBlock into an empty one-line block, and without attributes', () => {
      let f = parseClean('resource "aws_instance" "web" {}\n');
      assert.equal(
        apply(f, insertBlock(f, f.blocks[0], 'metadata_options', [['http_tokens', '"required"']])),
        'resource "aws_instance" "web" {\n  metadata_options {\n    http_tokens = "required"\n  }\n}\n',
      );
      f = parseClean('resource "aws_instance" "web" {\n  ami = "x"\n}\n');
      assert.equal(apply(f, insertBlock(f, f.blocks[0], 'lifecycle', [])), 'resource "aws_instance" "web" {\n  ami = "x"\n\n  lifecycle {}\n}\n');
    });

    it('insertBlock keeps CRLF and the file\'s indentation unit', () => {
      const f = parseClean('resource "a" "b" {\r\n    x = 1\r\n}\r\nresource "c" "d" {}\r\n');
      const out = apply(f, insertBlock(f, f.blocks[1], 'ebs', [['size', '8']]));
      assert.equal(out, 'resource "a" "b" {\r\n    x = 1\r\n}\r\nresource "c" "d" {\r\n    ebs {\r\n        size = 8\r\n    }\r\n}\r\n');
    });
  });
});

describe('naming-snake-case name conversion', () => {
  it('turns CamelCase, kebab-case and spaces into snake_case', () => {
    const cases: [string, string][] = [
      ['WebServer', 'web_server'], ['webServer', 'web_server'], ['HTTPServer', 'http_server'],
      ['EC2Instance', 'ec2_instance'], ['myS3Bucket', 'my_s3_bucket'], ['my-bucket', 'my_bucket'],
      ['my bucket', 'my_bucket'], ['web__port', 'web_port'], ['_tmp_', 'tmp'], ['Web2Server', 'web2_server'],
      ['already_fine', 'already_fine'], ['Größe', 'grosse'], ['Ünter Web😀', 'unter_web'],
    ];
    for (const [from, to] of cases) assert.equal(toSnakeCase(from), to, from);
  });
});

/**
 * `npm run bench`: time from a one-character `didChange` to the matching
 * `publishDiagnostics`, over the real server on stdio, debounce included.
 * Prints median and p95 per format and size.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../test/helpers/lspClient';

function cloudFormation(lines: number): string {
  let out = 'AWSTemplateFormatVersion: "2010-09-09"\nDescription: benchmark x\nParameters:\n  Tokens:\n    Type: String\n    Default: optional\nResources:\n';
  for (let i = 0; out.split('\n').length < lines; i++) {
    out += `  # resource group ${i}
  Instance${i}:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0abcdef1234567890
      InstanceType: t3.micro
      SubnetId: !Ref Subnet${i}
      MetadataOptions:
        HttpTokens: ${i % 3 === 0 ? 'optional' : 'required'}
      Tags:
        - Key: Name
          Value: !Sub "ec2-instance-\${AWS::Region}-${i}"
  Bucket${i}:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "bucket-${i}-\${AWS::AccountId}"
      VersioningConfiguration:
        Status: Enabled
`;
  }
  return out;
}

function terraform(lines: number): string {
  let out = 'variable "tokens" {\n  default = "optional"\n}\n';
  for (let i = 0; out.split('\n').length < lines; i++) {
    out += `
# instance ${i}
resource "aws_instance" "web_${i}" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = "${i % 3 === 0 ? 'optional' : 'required'}"
  }
  tags = {
    Name = "ec2-instance-eu-west-1-${i}"
  }
}
`;
  }
  return out;
}

function dockerfile(lines: number): string {
  let out = '# benchmark x\nFROM golang:1.22 AS build\nWORKDIR /src\n';
  for (let i = 0; out.split('\n').length < lines - 4; i++) out += `RUN echo step ${i} && \\\n    test -d /src\n`;
  return out + 'FROM gcr.io/distroless/static:nonroot\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n';
}

function stats(xs: number[]): { median: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1] };
}

async function measure(client: LspClient, dir: string, name: string, languageId: string, text: string, edits: number) {
  const uri = pathToFileURL(nodePath.join(dir, name)).href;
  await client.open(uri, languageId, text);
  const marker = text.indexOf(' x\n') + 1;
  const li = text.slice(0, marker).split('\n');
  const pos = { line: li.length - 1, character: li[li.length - 1].length };
  const times: number[] = [];
  for (let v = 2; v < edits + 2; v++) {
    const t0 = performance.now();
    await client.change(uri, v, [{ range: { start: pos, end: { line: pos.line, character: pos.character + 1 } }, text: v % 2 ? 'x' : 'y' }]);
    times.push(performance.now() - t0);
  }
  await client.close(uri);
  return stats(times);
}

async function main(): Promise<void> {
  const edits = Number(process.env.BENCH_EDITS ?? 200);
  const sizes = (process.env.BENCH_SIZES ?? '1000,5000,10000').split(',').map(Number);
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'iac-lint-bench-'));
  const client = new LspClient();
  await client.initialize(dir);
  console.log(`didChange → publishDiagnostics, ${edits} one-character edits each, debounce included (default settings)`);
  console.log('format          lines   median ms   p95 ms   max ms');
  for (const lines of sizes) {
    for (const [format, name, lang, gen] of [
      ['cloudformation', `t${lines}.yaml`, 'yaml', cloudFormation],
      ['terraform', `m${lines}/main.tf`, 'terraform', terraform],
      ['dockerfile', `d${lines}/Dockerfile`, 'dockerfile', dockerfile],
    ] as const) {
      const r = await measure(client, dir, name, lang, gen(lines), edits);
      console.log(`${format.padEnd(14)} ${String(lines).padStart(6)}   ${r.median.toFixed(1).padStart(9)}   ${r.p95.toFixed(1).padStart(6)}   ${r.max.toFixed(1).padStart(6)}`);
    }
  }
  await client.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();

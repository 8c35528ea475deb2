/**
 * What VS Code shows for the bundled examples (examples/). Shared by the suites of
 * several scenarios, so it lives outside test/e2e/suite (importing a suite file would
 * register its tests in the importing scenario too).
 */
import type { Seen } from './helpers';

/**
 * Every file of examples/ with findings, and exactly what VS Code must show for it (every
 * rule: this is what the user sees). The workspace-scan and untrusted scenarios check
 * against it too. A rule that starts firing on the examples changes this table and
 * test/lsp/examples.test.ts; review the new findings before adding them.
 */
export const EXPECTED: Record<string, Seen[]> = {
  'cloudformation/web-server.yaml': [
    { rule: 'ec2-alarm', severity: 'info', range: [15, 2, 15, 11], text: 'WebServer' },
    { rule: 'ec2-detailed-monitoring', severity: 'info', range: [15, 2, 15, 11], text: 'WebServer' },
    { rule: 'ec2-instance-role', severity: 'warning', range: [15, 2, 15, 11], text: 'WebServer' },
    { rule: 'ec2-termination-protection', severity: 'warning', range: [15, 2, 15, 11], text: 'WebServer' },
    { rule: 'ec2-imdsv2-required', severity: 'error', range: [17, 4, 17, 14], text: 'Properties' },
  ],
  'cloudformation/launch-template.json': [
    { rule: 'ec2-detailed-monitoring', severity: 'info', range: [4, 4, 4, 26], text: '"WorkerLaunchTemplate"' },
    { rule: 'ec2-instance-role', severity: 'warning', range: [4, 4, 4, 26], text: '"WorkerLaunchTemplate"' },
    { rule: 'ec2-imdsv2-required', severity: 'error', range: [12, 26, 12, 36], text: '"optional"' },
  ],
  'terraform/web/main.tf': [
    { rule: 'ec2-alarm', severity: 'info', range: [1, 0, 1, 35], text: 'resource "aws_instance" "WebServer"' },
    { rule: 'ec2-detailed-monitoring', severity: 'info', range: [1, 0, 1, 35], text: 'resource "aws_instance" "WebServer"' },
    { rule: 'ec2-imdsv2-required', severity: 'error', range: [1, 0, 1, 35], text: 'resource "aws_instance" "WebServer"' },
    { rule: 'ec2-instance-role', severity: 'warning', range: [1, 0, 1, 35], text: 'resource "aws_instance" "WebServer"' },
    { rule: 'ec2-termination-protection', severity: 'warning', range: [1, 0, 1, 35], text: 'resource "aws_instance" "WebServer"' },
    { rule: 'naming-snake-case', severity: 'warning', range: [1, 25, 1, 34], text: 'WebServer' },
  ],
  'docker/go-service/Dockerfile': [
    { rule: 'docker-minimal-base', severity: 'info', range: [1, 5, 1, 23], text: 'golang:1.22-alpine' },
    {
      rule: 'docker-multi-stage', severity: 'warning', range: [6, 4, 6, 54],
      text: 'CGO_ENABLED=0 go build -o /out/server ./cmd/server',
    },
  ],
  'docker/broken/Dockerfile': [
    { rule: 'docker-non-root-user', severity: 'warning', range: [0, 0, 0, 16], text: 'FROM alpine:3.20' },
    { rule: 'docker-syntax', severity: 'error', range: [1, 0, 1, 4], text: 'RUNN' },
    { rule: 'docker-syntax', severity: 'error', range: [2, 0, 2, 4], text: 'COPY' },
  ],
};

import * as assert from 'node:assert/strict';
import { parseDockerfile, splitImageReference } from '../../server/engine/dockerfile/parser';
import { initShell, runCommands } from '../../server/engine/dockerfile/shell';
import { applyEdits } from '../../server/engine/fixer';
import { minimalVariant } from '../../rules/lib/baseImages';
import { appendToChain, environmentAt, mountsOf, shippedStages } from '../../rules/lib/docker';
import { canonicalName, trusted } from '../../rules/docker-trusted-base-image';

const variant = (ref: string) => minimalVariant(splitImageReference(ref));
const replacement = (ref: string) => variant(ref)?.replacement;

describe('base image table', () => {
  const cases: [string, string | null | undefined][] = [
    // Debian-style `-slim` suffix.
    ['debian:bookworm', 'debian:bookworm-slim'],
    ['debian:12.5', 'debian:12.5-slim'],
    ['debian', 'debian:stable-slim'],
    ['debian:bookworm-slim', undefined],
    ['debian:bookworm-backports', undefined],
    ['node:20', 'node:20-slim'],
    ['node:20-bookworm', 'node:20-bookworm-slim'],
    ['node:lts', 'node:lts-slim'],
    ['node', 'node:slim'],
    ['node:20-alpine3.19', undefined],
    ['node:20-slim', undefined],
    // Python, Ruby and Perl put `slim` before the codename.
    ['python:3.12', 'python:3.12-slim'],
    ['python:3.12-bookworm', 'python:3.12-slim-bookworm'],
    ['python:3.12-slim-bookworm', undefined],
    ['python:3.12-windowsservercore-ltsc2022', undefined],
    ['ruby:3.3-bullseye', 'ruby:3.3-slim-bullseye'],
    ['perl:5.38', 'perl:5.38-slim'],
    ['php:8.3-fpm', 'php:8.3-fpm-alpine'],
    ['php:8.3-cli-bookworm', 'php:8.3-cli-alpine'],
    ['php:8.3-apache', undefined],
    // Java: a JRE to run.
    ['eclipse-temurin:21', 'eclipse-temurin:21-jre'],
    ['eclipse-temurin:21.0.2_13-jdk-jammy', 'eclipse-temurin:21-jre-jammy'],
    ['eclipse-temurin:17-jdk-alpine', 'eclipse-temurin:17-jre-alpine'],
    ['eclipse-temurin:21-jre', undefined],
    ['openjdk:17-jdk-slim', 'eclipse-temurin:17-jre'],
    ['openjdk:8u342-jdk', 'eclipse-temurin:8-jre'],
    ['openjdk:11-jre-slim', undefined],
    ['maven:3.9-eclipse-temurin-21', 'eclipse-temurin:21-jre'],
    ['gradle:8.7-jdk17-alpine', 'eclipse-temurin:17-jre-alpine'],
    // Toolchains in a final stage.
    ['golang:1.22', 'gcr.io/distroless/static-debian12'],
    ['golang:1.22-alpine3.19', 'alpine:3.19'],
    ['rust:1.77-bookworm', 'gcr.io/distroless/cc-debian12'],
    ['rust:1.77-bullseye', 'gcr.io/distroless/cc-debian11'],
    ['rust:1.77', null],
    ['mcr.microsoft.com/dotnet/sdk:8.0-alpine', 'mcr.microsoft.com/dotnet/aspnet:8.0-alpine'],
    // Enterprise Linux and Amazon Linux.
    ['amazonlinux:2023', 'public.ecr.aws/amazonlinux/amazonlinux:2023-minimal'],
    ['public.ecr.aws/amazonlinux/amazonlinux:2023.4.20240401.1', 'public.ecr.aws/amazonlinux/amazonlinux:2023.4.20240401.1-minimal'],
    ['amazonlinux:2', null],
    ['public.ecr.aws/amazonlinux/amazonlinux:2023-minimal', undefined],
    ['centos:7', 'registry.access.redhat.com/ubi7/ubi-minimal'],
    ['quay.io/centos/centos:stream9', 'quay.io/centos/centos:stream9-minimal'],
    ['fedora:40', 'registry.fedoraproject.org/fedora-minimal:40'],
    ['rockylinux:9', 'rockylinux:9-minimal'],
    ['almalinux:9', 'almalinux:9-minimal'],
    ['oraclelinux:9', 'oraclelinux:9-slim'],
    ['registry.access.redhat.com/ubi9/ubi:9.3', 'registry.access.redhat.com/ubi9/ubi-minimal:9.3'],
    ['ubuntu:22.04', null],
    // Registry prefixes of Docker Hub official images are kept.
    ['docker.io/library/node:20', 'docker.io/library/node:20-slim'],
    ['public.ecr.aws/docker/library/python:3.12', 'public.ecr.aws/docker/library/python:3.12-slim'],
    // Not official, or already minimal.
    ['myorg/node:20', undefined],
    ['alpine:3.20', undefined],
    ['gcr.io/distroless/static-debian12', undefined],
    ['busybox:1.36', undefined],
  ];
  for (const [ref, expected] of cases) {
    it(`${ref} -> ${expected === undefined ? 'minimal already / unknown' : expected ?? 'no concrete replacement'}`, () => {
      if (expected === undefined) assert.equal(variant(ref), null);
      else assert.equal(replacement(ref), expected);
    });
  }
});

describe('trusted image list', () => {
  it('makes Docker defaults explicit', () => {
    assert.equal(canonicalName('node:20'), 'docker.io/library/node');
    assert.equal(canonicalName('bitnami/redis:7'), 'docker.io/bitnami/redis');
    assert.equal(canonicalName('index.docker.io/library/node'), 'docker.io/library/node');
    assert.equal(canonicalName('localhost:5000/app:1'), 'localhost:5000/app');
  });
  const list = ['123456789012.dkr.ecr.*.amazonaws.com', 'node', 'bitnami/*', 'ghcr.io/acme', 'docker.io/library/python:3.12'];
  const yes = ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/x/y:1', 'node:20', 'docker.io/library/node', 'bitnami/redis:7', 'ghcr.io/acme/base:1', 'ghcr.io/acme/tools/x', 'python:3.11'];
  const no = ['123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.io/x', 'nodejs/node', 'node-fork:1', 'bitnami', 'ghcr.io/acme-evil/x', 'ghcr.io/other/acme', 'alpine:3'];
  for (const ref of yes) it(`trusts ${ref}`, () => assert.equal(trusted(canonicalName(ref), list), true));
  for (const ref of no) it(`does not trust ${ref}`, () => assert.equal(trusted(canonicalName(ref), list), false));
});

describe('Dockerfile stage helpers', () => {
  before(() => initShell());

  it('ships the final stage and the stages it is built FROM, not those copied from', () => {
    const df = parseDockerfile('Dockerfile', 'FROM a:1 AS base\nFROM b:1 AS build\nFROM BASE AS mid\nFROM mid\nCOPY --from=build /x /x\n');
    assert.deepEqual(shippedStages(df).map((s) => s.index), [0, 2, 3]);
  });

  it('gives a RUN the ENV of its stage chain and the ARGs of its own stage', () => {
    const text = 'ARG G=global\nFROM a:1 AS base\nENV A=1\nARG B=2\nFROM base\nARG G\nARG C\nENV D=${A}x\nRUN true\n';
    const df = parseDockerfile('Dockerfile', text);
    const run = df.instructions.find((i) => i.keyword === 'RUN')!;
    const env = environmentAt(df, df.stages[1], run);
    assert.equal(env.get('A'), '1');
    assert.equal(env.has('B'), false, 'ARGs do not cross stages');
    assert.equal(env.get('G'), 'global');
    assert.equal(env.get('C'), null);
    assert.equal(env.get('D'), '1x');
  });

  it('parses RUN --mount options', () => {
    const df = parseDockerfile('Dockerfile', 'FROM a:1\nRUN --mount=type=cache,target=/root/.cache,sharing=locked --mount=from=img:1,source=/x,target=/y true\n');
    const m = mountsOf(df.instructions[1]);
    assert.deepEqual(m.map((x) => [x.type, x.target, x.from]), [['cache', '/root/.cache', null], ['bind', '/y', 'img:1']]);
  });

  it('appends to a chain in the layout it uses', () => {
    const check = (run: string, expected: string) => {
      const text = `FROM a:1\n${run}\n`;
      const df = parseDockerfile('Dockerfile', text);
      const cmds = runCommands(df.instructions[1]);
      const edit = appendToChain(df, cmds[cmds.length - 1], 'rm -rf /x');
      assert.equal(applyEdits(text, [edit]), `FROM a:1\n${expected}\n`);
    };
    check('RUN a && b', 'RUN a && b && rm -rf /x');
    check('RUN a \\\n  && b', 'RUN a \\\n  && b \\\n  && rm -rf /x');
    check('RUN a && \\\n    b', 'RUN a && \\\n    b && \\\n    rm -rf /x');
    check('RUN a \\\n  && b \\\n  # a Dockerfile comment line\n  && c', 'RUN a \\\n  && b \\\n  # a Dockerfile comment line\n  && c \\\n  && rm -rf /x');
  });
});

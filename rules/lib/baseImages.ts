/**
 * Which base images are full OS or full language images, and their minimal
 * variants (for `docker-minimal-base`). Tags follow what the publishers
 * actually push:
 *
 * - Docker Hub official images with `-slim` variants (Debian without docs,
 *   man pages and most tools): `debian:<tag>-slim`, `node:<tag>-slim` /
 *   `node:<ver>-<codename>-slim`, `python:<ver>-slim` / `python:<ver>-slim-<codename>`
 *   (Python, Ruby and Perl put `slim` before the codename), `ruby`, `perl`,
 *   `elixir`, `erlang`.
 * - PHP has no slim variant but `-alpine` ones for cli/fpm/zts (not apache).
 * - Java: a JDK is not needed to run; Eclipse Temurin publishes `-jre`
 *   images (`21-jre`, `21-jre-alpine`, `21-jre-noble`). The `openjdk` image is
 *   deprecated on Docker Hub; its successor is `eclipse-temurin`.
 * - Toolchain images (`golang`, `rust`, `gcc`, `maven`, `gradle`, the .NET SDK)
 *   in a final stage ship the whole toolchain: a static Go binary runs on
 *   `gcr.io/distroless/static-debian12`, Rust and C/C++ binaries (glibc,
 *   libgcc) on `gcr.io/distroless/cc-debian12`, Java on a JRE, .NET on the
 *   `aspnet` / `runtime` images.
 * - Enterprise Linux: `rockylinux:<v>-minimal`, `almalinux:<v>-minimal`,
 *   `oraclelinux:<v>-slim`, Red Hat UBI `ubi<v>/ubi-minimal`, Fedora's
 *   `registry.fedoraproject.org/fedora-minimal:<v>`, CentOS Stream's
 *   `quay.io/centos/centos:stream<v>-minimal`; CentOS Linux (end of life) maps
 *   to the UBI minimal image of the same major version.
 * - Amazon Linux 2023 has a minimal image, published on ECR Public only:
 *   `public.ecr.aws/amazonlinux/amazonlinux:2023-minimal` (Docker Hub has no
 *   such tag). Amazon Linux 2 has none.
 * - Ubuntu has no slim variant on Docker Hub, and `debian:*-slim` is about the
 *   same size, so no replacement is computed for it: the message names the
 *   alternatives (distroless, a language's slim image, alpine).
 */
import type { DfImage } from '../../server/engine/dockerfile/model';

export interface MinimalVariant {
  /** What the image is, for the message: `a full Debian-based Node.js image`. */
  kind: string;
  /** The image reference to use instead, as it would be written; null when none can be computed from the tag. */
  replacement: string | null;
  /** Other minimal choices, for the message (Markdown: image references in backquotes). */
  alternatives: string[];
  /** A caveat for the message (package names differ, end of life ...). */
  note?: string;
}

const DEBIAN_CODENAMES = ['trixie', 'bookworm', 'bullseye', 'buster', 'stretch', 'jessie', 'sid', 'forky'];
const UBUNTU_CODENAMES = ['noble', 'jammy', 'focal', 'bionic', 'xenial', 'oracular', 'plucky', 'mantic', 'lunar', 'kinetic'];
const DISTROLESS_DEBIAN: Record<string, string> = { bookworm: 'debian12', bullseye: 'debian11' };

/** The Docker Hub official image a reference names (`node`, `library/node`, `docker.io/library/node`, ECR Public's mirror), with the prefix as written. */
export function officialImage(image: Pick<DfImage, 'registry' | 'repository'>): { name: string; prefix: string } | null {
  const repo = image.repository;
  const reg = image.registry?.toLowerCase() ?? null;
  if (reg === null || reg === 'docker.io' || reg === 'index.docker.io' || reg === 'registry-1.docker.io') {
    const name = repo.replace(/^library\//, '');
    if (name.includes('/')) return null;
    return { name, prefix: (image.registry ? `${image.registry}/` : '') + (repo.startsWith('library/') ? 'library/' : '') };
  }
  if (reg === 'public.ecr.aws' && repo.startsWith('docker/library/')) {
    return { name: repo.slice('docker/library/'.length), prefix: `${image.registry}/docker/library/` };
  }
  if (reg === 'mirror.gcr.io' && repo.startsWith('library/')) {
    return { name: repo.slice('library/'.length), prefix: `${image.registry}/library/` };
  }
  return null;
}

const has = (tag: string, word: string) => new RegExp(`(^|[-.])${word}([-.\\d]|$)`).test(tag);
const codenameIn = (tag: string, names: string[]) => names.find((c) => has(tag, c)) ?? null;
const alpineVersion = (tag: string) => /alpine(\d+\.\d+)/.exec(tag)?.[1] ?? null;

/** `3.12-bookworm` -> `3.12-slim-bookworm`; `3.12` -> `3.12-slim`; null/latest -> `slim`. Python, Ruby, Perl style. */
function slimBeforeCodename(tag: string | null): string {
  if (tag === null || tag === 'latest') return 'slim';
  const code = codenameIn(tag, DEBIAN_CODENAMES);
  if (code) return tag.replace(new RegExp(`-${code}\\b`), `-slim-${code}`);
  return `${tag}-slim`;
}

/** `20-bookworm` -> `20-bookworm-slim`; `20` -> `20-slim`; null/latest -> `slim`. Node and Debian style. */
function slimSuffix(tag: string | null): string {
  if (tag === null || tag === 'latest') return 'slim';
  return `${tag}-slim`;
}

/** The Java major version a tag names (`21`, `17.0.10_7-jdk`, `3.9-eclipse-temurin-21`, `8-jdk21-alpine`). */
function javaMajor(tag: string, afterWord?: RegExp): string | null {
  if (afterWord) {
    const m = afterWord.exec(tag);
    return m ? m[1] : null;
  }
  const m = /^(\d+)(?:[._\-]|u\d|$)/.exec(tag);
  return m ? m[1] : null;
}

/** Distroless for a binary built on `tag`: static binaries run anywhere; glibc ones need a glibc at least as new. */
function distrolessFor(tag: string, flavour: 'static' | 'cc'): string | null {
  if (flavour === 'static') return 'gcr.io/distroless/static-debian12';
  // Without a codename the Debian release (and its glibc) follows the image's default, which moves.
  const code = codenameIn(tag, DEBIAN_CODENAMES);
  return code && DISTROLESS_DEBIAN[code] ? `gcr.io/distroless/${flavour}-${DISTROLESS_DEBIAN[code]}` : null;
}

type Rule = (tag: string | null, prefix: string) => MinimalVariant | null;

const OFFICIAL: Record<string, Rule> = {
  debian(tag, p) {
    if (tag && (has(tag, 'slim') || /backports|experimental|rc-buggy/.test(tag))) return null;
    return { kind: 'the full Debian image', replacement: `${p}debian:${tag === null || tag === 'latest' ? 'stable-slim' : slimSuffix(tag)}`, alternatives: [] };
  },
  ubuntu() {
    return {
      kind: 'a full Ubuntu OS image',
      replacement: null,
      alternatives: ['`gcr.io/distroless/base-debian12` for a compiled binary', "the language runtime's `-slim` or `-alpine` image", '`alpine`'],
      note: 'Ubuntu publishes no slim variant',
    };
  },
  centos(tag) {
    const major = tag === null || tag === 'latest' ? '8' : /^(?:centos)?(\d+)/.exec(tag)?.[1] ?? null;
    return {
      kind: 'the full CentOS Linux image (end of life)',
      replacement: major === '7' || major === '8' ? `registry.access.redhat.com/ubi${major}/ubi-minimal` : null,
      alternatives: ['`rockylinux:<version>-minimal`', '`almalinux:<version>-minimal`'],
    };
  },
  fedora(tag) {
    return { kind: 'the full Fedora image', replacement: `registry.fedoraproject.org/fedora-minimal:${tag ?? 'latest'}`, alternatives: [] };
  },
  amazonlinux(tag) {
    if (tag && /minimal/.test(tag)) return null;
    if (tag === null || tag === 'latest' || /^2023(\.|$)/.test(tag)) {
      return {
        kind: 'the full Amazon Linux 2023 image',
        replacement: `public.ecr.aws/amazonlinux/amazonlinux:${tag && tag !== 'latest' ? `${tag}-minimal` : '2023-minimal'}`,
        alternatives: [],
        note: 'the minimal image has microdnf instead of dnf',
      };
    }
    return {
      kind: 'the full Amazon Linux 2 image',
      replacement: null,
      alternatives: ['`public.ecr.aws/amazonlinux/amazonlinux:2023-minimal`'],
      note: 'Amazon Linux 2 has no minimal image',
    };
  },
  rockylinux(tag, p) {
    if (!tag || !/^\d/.test(tag) || /minimal/.test(tag)) return null;
    return { kind: 'the full Rocky Linux image', replacement: `${p}rockylinux:${tag}-minimal`, alternatives: [] };
  },
  almalinux(tag, p) {
    if (tag && /minimal|micro/.test(tag)) return null;
    return { kind: 'the full AlmaLinux image', replacement: `${p}almalinux:${tag && tag !== 'latest' ? `${tag}-minimal` : 'minimal'}`, alternatives: [] };
  },
  oraclelinux(tag, p) {
    if (!tag || !/^\d/.test(tag) || /slim/.test(tag)) return null;
    return { kind: 'the full Oracle Linux image', replacement: `${p}oraclelinux:${tag}-slim`, alternatives: [] };
  },
  'buildpack-deps'(tag, p) {
    const deb = tag ? codenameIn(tag, DEBIAN_CODENAMES) : null;
    const ubu = tag ? codenameIn(tag, UBUNTU_CODENAMES) : null;
    return {
      kind: 'buildpack-deps, a build image with compilers and headers',
      replacement: deb ? `${p}debian:${deb}-slim` : ubu ? `${p}ubuntu:${ubu}` : null,
      alternatives: [],
    };
  },
  node(tag, p) {
    if (tag && (has(tag, 'slim') || /alpine/.test(tag))) return null;
    return {
      kind: 'a full Debian-based Node.js image',
      replacement: `${p}node:${slimSuffix(tag)}`,
      alternatives: [`\`${p}node:${tag && tag !== 'latest' ? `${tag.replace(/-(bookworm|bullseye|buster|trixie)$/, '')}-alpine` : 'alpine'}\``],
    };
  },
  python(tag, p) {
    if (tag && (has(tag, 'slim') || /alpine|windows/.test(tag))) return null;
    return {
      kind: 'a full Debian-based Python image',
      replacement: `${p}python:${slimBeforeCodename(tag)}`,
      alternatives: [`\`${p}python:${tag && tag !== 'latest' ? `${tag.replace(/-(bookworm|bullseye|buster|trixie)$/, '')}-alpine` : 'alpine'}\``],
    };
  },
  ruby(tag, p) {
    if (tag && (has(tag, 'slim') || /alpine/.test(tag))) return null;
    return { kind: 'a full Debian-based Ruby image', replacement: `${p}ruby:${slimBeforeCodename(tag)}`, alternatives: [] };
  },
  perl(tag, p) {
    if (tag && (has(tag, 'slim') || /alpine|threaded/.test(tag))) return null;
    return { kind: 'a full Debian-based Perl image', replacement: `${p}perl:${slimBeforeCodename(tag)}`, alternatives: [] };
  },
  elixir(tag, p) {
    if (tag && (has(tag, 'slim') || /alpine/.test(tag))) return null;
    return { kind: 'a full Debian-based Elixir image', replacement: `${p}elixir:${slimSuffix(tag)}`, alternatives: [] };
  },
  erlang(tag, p) {
    if (tag && (has(tag, 'slim') || /alpine/.test(tag))) return null;
    return { kind: 'a full Debian-based Erlang image', replacement: `${p}erlang:${slimSuffix(tag)}`, alternatives: [] };
  },
  php(tag, p) {
    if (tag && (/alpine/.test(tag) || /apache/.test(tag))) return null;
    const t = tag && tag !== 'latest' ? tag.replace(/-(bookworm|bullseye|buster|trixie)$/, '') : null;
    return { kind: 'a full Debian-based PHP image', replacement: `${p}php:${t ? `${t}-alpine` : 'alpine'}`, alternatives: [] };
  },
  openjdk(tag, p) {
    if (tag && /jre/.test(tag)) return null;
    const major = tag ? javaMajor(tag) : null;
    return {
      kind: 'a JDK image (openjdk, deprecated on Docker Hub)',
      replacement: major ? `${p}eclipse-temurin:${major}-jre${tag && /alpine/.test(tag) ? '-alpine' : ''}` : null,
      alternatives: [],
      note: 'running a Java application needs a JRE, not a JDK',
    };
  },
  'eclipse-temurin'(tag, p) {
    if (tag && /jre/.test(tag)) return null;
    const major = tag ? javaMajor(tag) : null;
    const os = tag ? /-(alpine|noble|jammy|focal|ubi\d+-minimal|ubi\d+|windowsservercore[\w-]*|nanoserver[\w-]*)$/.exec(tag)?.[1] ?? null : null;
    return {
      kind: 'a JDK image',
      replacement: major ? `${p}eclipse-temurin:${major}-jre${os ? `-${os}` : ''}` : null,
      alternatives: [],
      note: 'running a Java application needs a JRE, not a JDK',
    };
  },
  amazoncorretto(tag, p) {
    if (!tag || !/^\d+$/.test(tag)) return null;
    return { kind: 'a full Amazon Linux based Corretto JDK image', replacement: `${p}amazoncorretto:${tag}-alpine`, alternatives: [] };
  },
  maven(tag, p) {
    const major = tag ? javaMajor(tag, /(?:temurin|corretto|openjdk|sapmachine|semeru|jdk)-?(\d+)/) : null;
    return {
      kind: 'a Maven build image',
      replacement: major ? `${p}eclipse-temurin:${major}-jre${tag && /alpine/.test(tag) ? '-alpine' : ''}` : null,
      alternatives: [],
      note: 'run the built jar on a JRE',
    };
  },
  gradle(tag, p) {
    const major = tag ? javaMajor(tag, /(?:jdk|temurin|corretto)-?(\d+)/) : null;
    return {
      kind: 'a Gradle build image',
      replacement: major ? `${p}eclipse-temurin:${major}-jre${tag && /alpine/.test(tag) ? '-alpine' : ''}` : null,
      alternatives: [],
      note: 'run the built jar on a JRE',
    };
  },
  golang(tag) {
    const alpine = tag !== null && /alpine/.test(tag);
    return {
      kind: 'the Go toolchain image',
      replacement: alpine ? `alpine:${alpineVersion(tag!) ?? '3'}` : distrolessFor(tag ?? '', 'static'),
      alternatives: alpine ? [] : ['`gcr.io/distroless/base-debian12` for a cgo binary', '`scratch`'],
      note: 'a final stage needs only the compiled binary',
    };
  },
  rust(tag) {
    const alpine = tag !== null && /alpine/.test(tag);
    return {
      kind: 'the Rust toolchain image',
      replacement: alpine ? `alpine:${alpineVersion(tag!) ?? '3'}` : distrolessFor(tag ?? '', 'cc'),
      alternatives: ['`gcr.io/distroless/cc-debian12` for a binary built on Debian 12 or older'],
      note: 'a final stage needs only the compiled binary',
    };
  },
  gcc(tag) {
    return {
      kind: 'the GCC toolchain image',
      replacement: distrolessFor(tag ?? '', 'cc'),
      alternatives: ['`gcr.io/distroless/cc-debian12` for a binary built on Debian 12 or older'],
      note: 'a final stage needs only the compiled binary and its libraries',
    };
  },
};

/** Images outside Docker Hub's library. */
function otherImage(image: Pick<DfImage, 'registry' | 'repository' | 'tag'>): MinimalVariant | null {
  const reg = image.registry?.toLowerCase() ?? '';
  const repo = image.repository;
  const tag = image.tag;
  const t = tag ? `:${tag}` : '';
  if (reg === 'mcr.microsoft.com' && repo === 'dotnet/sdk') {
    return {
      kind: 'the .NET SDK image',
      replacement: `${image.registry}/dotnet/aspnet${t}`,
      alternatives: [`\`${image.registry}/dotnet/runtime${t}\` for a console application`],
      note: 'a final stage needs only the runtime',
    };
  }
  if (reg === 'public.ecr.aws' && repo === 'amazonlinux/amazonlinux') {
    return OFFICIAL.amazonlinux(tag, '');
  }
  if (reg === 'quay.io' && repo === 'centos/centos' && tag && /^stream\d+$/.test(tag)) {
    return { kind: 'the full CentOS Stream image', replacement: `${image.registry}/centos/centos:${tag}-minimal`, alternatives: [] };
  }
  if ((reg === 'registry.fedoraproject.org' || reg === 'quay.io') && (repo === 'fedora' || repo === 'fedora/fedora')) {
    return { kind: 'the full Fedora image', replacement: `${image.registry}/${repo}-minimal${t}`, alternatives: [] };
  }
  const ubi = /^(ubi\d+)(?:\/ubi)?$/.exec(repo);
  if (reg === 'registry.access.redhat.com' && ubi) {
    return { kind: 'the full UBI image', replacement: `${image.registry}/${ubi[1]}/ubi-minimal${t}`, alternatives: [] };
  }
  const hubUbi = /^redhat\/(ubi\d+)$/.exec(repo);
  if ((reg === '' || reg === 'docker.io') && hubUbi) {
    return { kind: 'the full UBI image', replacement: `${image.registry ? `${image.registry}/` : ''}redhat/${hubUbi[1]}-minimal${t}`, alternatives: [] };
  }
  return null;
}

/** The minimal variant of a base image, or null when it is minimal already or unknown. */
export function minimalVariant(image: Pick<DfImage, 'registry' | 'repository' | 'tag'>): MinimalVariant | null {
  const official = officialImage(image);
  if (official) {
    const rule = OFFICIAL[official.name];
    return rule ? rule(image.tag, official.prefix) : null;
  }
  return otherImage(image);
}

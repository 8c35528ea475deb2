import { defineRule } from '../server/engine/rule';
import type { DfFile, DfInstruction, DfStage } from '../server/engine/dockerfile/model';
import { expandVariables } from '../server/engine/dockerfile/parser';
import type { TextEdit } from '../server/engine/types';
import { officialImage } from './lib/baseImages';
import { baseName, commandsOf, environmentAt, eolOf, finalStage, packageCommand, positionals, stageChain } from './lib/docker';
import { textEdit } from '../server/engine/offsetRange';

/** Base images that already run as a non-root user when no USER says otherwise. */
function startsNonRoot(stage: DfStage): boolean {
  const { registry, repository, tag } = stage.image;
  const reg = registry?.toLowerCase() ?? '';
  if (reg === 'gcr.io' && repository.startsWith('distroless/')) return /nonroot/.test(tag ?? '');
  if ((reg === '' || reg === 'docker.io') && repository === 'nginxinc/nginx-unprivileged') return true;
  return false;
}

/** A non-root user the image family ships with (`node` in the Node.js images, `nonroot` in distroless). */
function builtInUser(stage: DfStage): string | null {
  const official = officialImage(stage.image);
  if (official?.name === 'node') return 'node';
  if (stage.image.registry === 'gcr.io' && stage.image.repository.startsWith('distroless/')) return 'nonroot';
  return null;
}

const USER_VALUED = /^-(u|g|G|d|s|c|k|e|f|K|p|R|b|h|Z)$|^--(uid|gid|groups|home|home-dir|shell|comment|gecos|ingroup|skel|expiredate|inactive|key|password|root|prefix|base-dir|firstuid|lastuid|selinux-user|extrausers|conf)$/;

/** The users created by `useradd`/`adduser` in the stage and the stages it is built FROM. */
function createdUsers(df: DfFile, stage: DfStage): string[] {
  const users: string[] = [];
  for (const s of stageChain(df, stage)) {
    for (const i of s.instructions) {
      for (const c of commandsOf(df, s, i)) {
        const prog = baseName(c.argv[0]?.text ?? '');
        if (prog !== 'useradd' && prog !== 'adduser') continue;
        const pos = positionals(c.argv.slice(1), USER_VALUED);
        // `adduser [options] user [group]` (Debian) adds a user to a group when given two names.
        const name = prog === 'adduser' && pos.length === 2 ? null : pos[0]?.text ?? null;
        if (name && /^[a-z_][a-z0-9_.-]*\$?$/i.test(name)) users.push(name);
      }
    }
  }
  return users;
}

type Family = 'alpine' | 'debian' | null;

/** How to create a user on the image: Alpine's busybox `adduser`, or Debian's `useradd`. */
function family(df: DfFile, stage: DfStage): Family {
  const root = stageChain(df, stage)[0];
  const name = officialImage(root.image)?.name ?? '';
  const tag = root.image.tag ?? '';
  if (name === 'alpine' || /alpine/.test(tag)) return 'alpine';
  if (/^(debian|ubuntu)$/.test(name) || /(slim|bookworm|bullseye|buster|trixie|jammy|noble|focal)/.test(tag)) return 'debian';
  // Otherwise go by the package manager the stage uses.
  for (const s of stageChain(df, stage)) {
    for (const i of s.instructions) {
      for (const c of commandsOf(df, s, i)) {
        const p = packageCommand(c);
        if (p?.manager === 'apk') return 'alpine';
        if (p?.manager === 'apt') return 'debian';
      }
    }
  }
  return null;
}

/** What the last USER of the final stage (or inherited from its parents) says, resolved through ARG/ENV defaults. */
function lastUser(df: DfFile, final: DfStage): { instr: DfInstruction; stage: DfStage; user: string | null } | null {
  let found: { instr: DfInstruction; stage: DfStage } | null = null;
  for (const s of stageChain(df, final)) for (const i of s.instructions) if (i.keyword === 'USER') found = { instr: i, stage: s };
  if (!found) return null;
  const env = environmentAt(df, found.stage, found.instr);
  const raw = found.instr.argsText.trim();
  const { value, unresolved } = expandVariables(raw, env);
  return { ...found, user: unresolved ? null : value.split(':')[0].trim() };
}

const isRoot = (u: string) => u === 'root' || u === '0';

/** The last non-root USER value before `upTo` in the chain (a temporary switch to root is common). */
function earlierNonRoot(df: DfFile, final: DfStage, upTo: DfInstruction): string | null {
  let user: string | null = null;
  for (const s of stageChain(df, final)) {
    for (const i of s.instructions) {
      if (i === upTo) return user;
      if (i.keyword !== 'USER') continue;
      const raw = i.argsText.trim();
      const u = raw.split(':')[0];
      if (!raw.includes('$') && !isRoot(u)) user = raw;
    }
  }
  return user;
}

/**
 * The edit adding `lines` to the final stage: after its last instruction that
 * builds the file system (RUN, COPY, ADD, WORKDIR, USER ...), so they run as
 * before, and ahead of the metadata that follows (EXPOSE, CMD, ENTRYPOINT ...).
 */
function insertLines(df: DfFile, final: DfStage, lines: string[]): TextEdit {
  const TRAILING = new Set(['CMD', 'ENTRYPOINT', 'EXPOSE', 'HEALTHCHECK', 'STOPSIGNAL', 'VOLUME', 'LABEL', 'ONBUILD', 'MAINTAINER']);
  const body = final.instructions;
  let anchor = body[body.length - 1];
  for (let k = body.length - 1; k >= 0; k--) {
    anchor = body[k];
    if (!TRAILING.has(body[k].keyword)) break;
  }
  const eol = eolOf(df);
  const lower = /^[a-z]/.test(final.from.keywordRange ? df.text.slice(final.from.keywordRange.start, final.from.keywordRange.end) : 'F');
  const kw = (k: string) => (lower ? k.toLowerCase() : k);
  const text = lines.map((l) => l.replace(/^(USER|RUN) /, (m) => kw(m.trim()) + ' '));
  const lineOf = df.lines.offsetToPosition(anchor.range.end).line;
  const at = df.lines.lineEnd(lineOf);
  return textEdit(at, at, eol + text.join(eol));
}

export default defineRule({
  id: 'docker-non-root-user',
  severity: 'warning',
  seed: '000 ECR: DO scan and lint all Dockerfiles. Consider hadolint; 003 IAM: grant least privilege',
  description: 'The final stage must switch to a non-root USER, so the container does not run its process as root.',
  fixable: 'suggestion',

  dockerfile(ctx) {
    const df = ctx.dockerfile;
    const final = finalStage(df);
    if (!final || final.image.raw === '') return;
    const root = stageChain(df, final)[0];
    const last = lastUser(df, final);
    if (last && last.user === null) return; // a USER from a build argument without default: unknown
    if (last && !isRoot(last.user!)) return;
    if (!last && startsNonRoot(root)) return;

    // The user to switch to: one the Dockerfile creates or used before, or the image's own.
    const known = (last && earlierNonRoot(df, final, last.instr)) ?? createdUsers(df, final).pop() ?? builtInUser(root);
    let lines: string[];
    let title: string;
    if (known) {
      lines = [`USER ${known}`];
      title = `Run as ${known}`;
    } else {
      const fam = family(df, final);
      if (fam === 'alpine') lines = ['RUN addgroup -S app && adduser -S -G app app', 'USER app'];
      else if (fam === 'debian') lines = ['RUN groupadd --system app && useradd --system --gid app --no-create-home app', 'USER app'];
      else lines = ['USER 10001:10001'];
      title = fam ? 'Create an unprivileged user app and run as it' : 'Run as the unprivileged UID 10001';
    }
    const image = root.image.resolved || 'the base image';
    ctx.report({
      range: last ? last.instr.range : final.from.range,
      resource: final.name,
      message: last
        ? `The final stage's last USER is \`${last.instr.argsText.trim()}\`: the container runs as root. Switch to an unprivileged user after the steps that need root.`
        : `The final stage sets no USER, so the container runs as ${root.image.resolved.toLowerCase() === 'scratch' ? 'UID 0' : `the user of \`${image}\` (root unless the image says otherwise)`}. Add a USER with an unprivileged account.`,
      fixes: [ctx.suggest(title, [insertLines(df, final, lines)])],
    });
  },
});

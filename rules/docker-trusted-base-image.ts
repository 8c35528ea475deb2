import { defineRule } from '../server/engine/rule';
import type { OffsetRange } from '../server/engine/types';
import { expandVariables, splitImageReference } from '../server/engine/dockerfile/parser';
import { fromImage, mountsOf, stageByRef } from './lib/docker';
import { offsetRange } from '../server/engine/offsetRange';

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * `registry/repository` with Docker's defaults made explicit: `node` ->
 * `docker.io/library/node`, `bitnami/redis` -> `docker.io/bitnami/redis`.
 */
export function canonicalName(ref: string): string {
  const { registry, repository } = splitImageReference(ref.trim());
  const reg = registry === null || DOCKER_HUB.has(registry.toLowerCase()) ? 'docker.io' : registry.toLowerCase();
  const repo = reg === 'docker.io' && !repository.includes('/') ? `library/${repository}` : repository;
  return `${reg}/${repo}`;
}

/**
 * Whether `name` (canonical) is covered by an entry of the trusted list: a
 * registry (`ghcr.io`, `123456789012.dkr.ecr.eu-west-1.amazonaws.com`), a
 * namespace or repository below it (`docker.io/bitnami`, `bitnami/*`,
 * `ghcr.io/acme/base`), or an official image (`node`); `*` matches within one
 * path component. Tags and digests in entries are ignored.
 */
export function trusted(name: string, entries: readonly string[]): boolean {
  return entries.some((raw) => {
    let entry = raw.trim().replace(/@.*$/, '');
    const namespace = /\/\*$/.test(entry);
    entry = entry.replace(/\/\*$/, '').replace(/\/+$/, '');
    if (!entry) return false;
    const first = entry.split('/')[0];
    const isHost = first.includes('.') || first.includes(':') || first === 'localhost';
    let prefix: string;
    if (isHost) {
      // A registry, or a path below one; a tag (`:1.2` after the last slash) is ignored.
      const host = DOCKER_HUB.has(first.toLowerCase()) ? 'docker.io' : first.toLowerCase();
      const rest = entry.slice(first.length).replace(/:[^/]*$/, '');
      prefix = host + rest;
    } else {
      const path = entry.replace(/:[^/]*$/, '');
      // `node` is the official image; `bitnami/*` and `bitnami/redis` are Docker Hub paths.
      prefix = `docker.io/${!path.includes('/') && !namespace ? `library/${path}` : path}`;
    }
    const pattern = prefix.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*');
    return new RegExp(`^${pattern}(/.*)?$`, 'i').test(name);
  });
}

export default defineRule({
  id: 'docker-trusted-base-image',
  severity: 'warning',
  seed: '000 ECR: DO create and push only minimal images ... and do not use unfamiliar base images.',
  description: 'Base images (and images copied from) must come from the configured trusted registries or repositories; silent while none is configured.',
  fixable: false,

  dockerfile(ctx) {
    const list = ctx.options.trustedImages ?? [];
    if (list.length === 0) return;
    const df = ctx.dockerfile;
    const check = (ref: string, range: OffsetRange, resource: string | null, what: string) => {
      const name = canonicalName(ref);
      if (trusted(name, list)) return;
      ctx.report({
        range,
        resource,
        message: `${what} \`${ref}\` (${name}) is not from a trusted registry or repository; use an image from the configured list (options.trustedImages).`,
      });
    };
    for (const stage of df.stages) {
      if (fromImage(stage) && !stage.image.unresolved) check(stage.image.resolved, stage.image.range, stage.name, 'Base image');
      // Files copied or mounted from other images come from them just the same.
      for (const i of stage.instructions) {
        const sources: { value: string; range: OffsetRange }[] = [];
        if (i.keyword === 'COPY' || i.keyword === 'ADD') {
          for (const f of i.flags) if (f.name.toLowerCase() === 'from' && f.value && f.valueRange) sources.push({ value: f.value, range: f.valueRange });
        }
        if (i.keyword === 'RUN') {
          for (const f of i.flags) {
            if (f.name.toLowerCase() !== 'mount' || !f.value || !f.valueRange) continue;
            const from = mountsOf({ ...i, flags: [f] })[0]?.from;
            if (!from) continue;
            // Underline the image inside the mount options when it is written as is.
            const written = ctx.text.slice(f.valueRange.start, f.valueRange.end);
            const at = written.search(new RegExp(`(^|,)from=${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(,|$)`));
            const start = at < 0 ? -1 : f.valueRange.start + at + (written[at] === ',' ? 1 : 0) + 'from='.length;
            sources.push({ value: from, range: start < 0 ? f.valueRange : offsetRange(start, start + from.length) });
          }
        }
        for (const s of sources) {
          const { value, unresolved } = expandVariables(s.value, df.globalArgs);
          if (unresolved || value === '' || stageByRef(df, value) || /^\d+$/.test(value)) continue;
          if (value.toLowerCase() === 'scratch') continue;
          check(value, s.range, stage.name, 'Image');
        }
      }
    }
  },
});

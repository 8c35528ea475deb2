import { defineRule } from '../server/engine/rule';
import type { OffsetRange } from '../server/engine/types';
import { expandVariables, splitImageReference } from '../server/engine/dockerfile/parser';
import { fromImage, mountsOf, stageByRef } from './lib/docker';

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
 * namespace or repository below it (`docker.io/bitnami`, `ghcr.io/acme/base`,
 * `node`), with `*` matching any characters.
 */
export function trusted(name: string, entries: readonly string[]): boolean {
  return entries.some((raw) => {
    const entry = raw.trim().replace(/\/\*$/, '').replace(/\/+$/, '');
    if (!entry) return false;
    const glob = (s: string) => new RegExp(`^${s.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}(/.*)?$`, 'i');
    // A bare registry host (has a dot or a port, or is localhost).
    const first = entry.split('/')[0];
    if (!entry.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
      const host = DOCKER_HUB.has(first.toLowerCase()) ? 'docker.io' : first;
      return glob(host).test(name);
    }
    const withoutTag = entry.replace(/@.*$/, '').replace(/:[^/]*$/, '');
    return glob(canonicalName(withoutTag)).test(name) || glob(withoutTag).test(name);
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
          for (const m of mountsOf(i)) {
            const flag = i.flags.find((f) => f.name.toLowerCase() === 'mount' && f.value !== null && f.value.includes(`from=${m.from}`));
            if (m.from && flag?.valueRange) sources.push({ value: m.from, range: flag.valueRange });
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

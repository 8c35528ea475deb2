import { defineRule } from '../server/engine/rule';
import { fromImage } from './lib/docker';

export default defineRule({
  id: 'docker-pin-base-image',
  severity: 'warning',
  seed: '000 ECR: DO scan and lint all Dockerfiles. Consider hadolint; for reproducibility images are immutable',
  description: 'Every FROM must name its image with a version tag or a digest, not implicitly or explicitly `latest`.',
  fixable: false,

  dockerfile(ctx) {
    const df = ctx.dockerfile;
    for (const stage of df.stages) {
      // Earlier stages, `scratch`, and images whose ARG has no default are not judged.
      if (!fromImage(stage) || stage.image.unresolved) continue;
      const { tag, digest, resolved, raw } = stage.image;
      if (digest) continue;
      if (tag !== null && tag !== 'latest') continue;
      const via = raw !== resolved ? ` (\`${raw}\` with its ARG default)` : '';
      ctx.report({
        range: stage.image.range,
        resource: stage.name,
        message: tag === null
          ? `\`FROM ${resolved}\`${via} has no tag, so it pulls \`latest\`: the base changes under every build. Pin a version tag (or a digest).`
          : `\`FROM ${resolved}\`${via} uses the \`latest\` tag: the base changes under every build. Pin a version tag (or a digest).`,
      });
    }
  },
});

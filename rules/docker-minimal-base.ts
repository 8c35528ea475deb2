import { defineRule } from '../server/engine/rule';
import type { DfStage } from '../server/engine/dockerfile/model';
import type { TextEdit } from '../server/engine/types';
import { minimalVariant } from './lib/baseImages';
import { finalStage, fromImage, stageChain } from './lib/docker';
import { textEdit } from '../server/engine/offsetRange';

/** The edit writing `ref` in place of the stage's image; null when the image is pinned by digest or built from ARGs in a way a suffix cannot follow. */
function imageEdit(stage: DfStage, ref: string): TextEdit | null {
  const img = stage.image;
  if (img.digest) return null;
  if (!img.raw.includes('$')) return { ...img.range, newText: ref };
  // `node:${NODE_VERSION}` -> `node:${NODE_VERSION}-slim`: only a suffix can follow a variable.
  if (ref.startsWith(img.resolved) && !ref.includes('$')) {
    return textEdit(img.range.end, img.range.end, ref.slice(img.resolved.length));
  }
  return null;
}

export default defineRule({
  id: 'docker-minimal-base',
  severity: 'info',
  seed: '000 ECR: DO create and push only minimal images by removing all extraneous binaries or dependencies',
  description: 'The final stage should run on a minimal base (slim, alpine, minimal or distroless variant) rather than a full OS, JDK or toolchain image.',
  fixable: 'suggestion',

  dockerfile(ctx) {
    const df = ctx.dockerfile;
    const final = finalStage(df);
    if (!final) return;
    // The image the final stage stands on, through the stages it is built FROM.
    const root = stageChain(df, final)[0];
    if (!fromImage(root) || root.image.unresolved) return;
    const variant = minimalVariant(root.image);
    if (!variant) return;
    const current = root.image.resolved;
    const others = variant.alternatives;
    let message = `The final stage runs on \`${current}\`, ${variant.kind}`;
    if (variant.note) message += ` (${variant.note})`;
    if (variant.replacement) {
      message += `; switch to \`${variant.replacement}\`${others.length ? ` (or ${others.join(', or ')})` : ''} to ship fewer packages and fewer vulnerabilities.`;
    } else {
      message += `; consider ${others.join(', or ') || 'a slim, alpine or distroless image'} to ship fewer packages and fewer vulnerabilities.`;
    }
    const edit = variant.replacement ? imageEdit(root, variant.replacement) : null;
    ctx.report({
      range: root.image.range,
      resource: final.name,
      message,
      fixes: edit ? [ctx.suggest(`Switch the base image to ${variant.replacement}`, [edit])] : [],
    });
  },
});

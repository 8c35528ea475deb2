import { isMap, isSeq, type Node, type YAMLMap } from 'yaml';
import { defineRule, type TfContext } from '../server/engine/rule';
import type { CfnTemplate } from '../server/engine/cloudformation/model';
import { deref, getMap, getNode, intrinsic, knownString, nodeRange, resolveValues } from '../server/engine/cloudformation/nodes';
import type { TfExpr } from '../server/engine/terraform/model';
import { callOf, objectItems, tupleItems } from '../server/engine/terraform/parser';
import { tfResourceBlocks } from './lib/tfBlocks';
import type { OffsetRange } from '../server/engine/types';
import { cfnStrings, dockerImageValue, judgeEcrImage, tfExprString, tfTemplateString, verdictMessage, type EcrJudgement } from './lib/images';
import { CFN_ECR, TF_ECR } from './lib/reads';
import { offsetRange } from '../server/engine/offsetRange';

/** The first reference that breaks the rule among the values a setting can take. */
function firstBad(values: string[]): EcrJudgement | undefined {
  for (const v of values) {
    const j = judgeEcrImage(v);
    if (j && j.verdict.kind !== 'ok') return j;
  }
  return undefined;
}

/** With `!If`, the branch that holds the bad reference, so the finding points at it. */
function offendingBranch(tpl: CfnTemplate, node: Node): Node {
  const n = deref(node, tpl);
  const fn = intrinsic(n);
  if (fn?.fn !== 'If' || !isSeq(fn.arg) || fn.arg.items.length !== 3) return node;
  for (const branch of fn.arg.items.slice(1) as Node[]) {
    if (firstBad(cfnStrings(tpl, branch))) return offendingBranch(tpl, branch);
  }
  return node;
}

interface TfImage {
  /** Where to report. */
  range: OffsetRange;
  value: string;
  container: string | null;
}

export default defineRule({
  id: 'image-semver-tag',
  severity: 'warning',
  seed: '000 ECR: use semantic versioning for all images pushed to ECR',
  description: 'Images pulled from Amazon ECR (ECS container definitions, Lambda image URIs, Dockerfile FROM) must name a semantic-version tag, not latest or no tag.',
  fixable: false,
  reads: { cloudformation: ['AWS::ECS::TaskDefinition', 'AWS::Lambda::Function', 'AWS::Serverless::Function', ...CFN_ECR], terraform: ['aws_ecs_task_definition', 'aws_lambda_function', ...TF_ECR] },

  cloudformation(ctx) {
    const tpl = ctx.template;
    for (const res of tpl.resources) {
      const props = res.properties;
      if (!props) continue;
      const targets: { node: Node; where: string }[] = [];
      if (res.type === 'AWS::ECS::TaskDefinition') {
        const defs = getNode(props, 'ContainerDefinitions', tpl);
        if (!isSeq(defs) || intrinsic(defs)) continue;
        for (const item of defs.items) {
          const def = deref(item as Node, tpl);
          if (!isMap(def) || intrinsic(def)) continue;
          const image = getNode(def as YAMLMap, 'Image', tpl);
          if (!image) continue;
          const name = resolveValues(tpl, getNode(def as YAMLMap, 'Name', tpl)).map(knownString).find((s) => s !== undefined);
          targets.push({ node: image, where: name ? `${res.logicalId} (container ${name})` : res.logicalId });
        }
      } else if (res.type === 'AWS::Lambda::Function') {
        const uri = getNode(getMap(props, 'Code', tpl), 'ImageUri', tpl);
        if (uri) targets.push({ node: uri, where: res.logicalId });
      } else if (res.type === 'AWS::Serverless::Function') {
        const uri = getNode(props, 'ImageUri', tpl);
        if (uri) targets.push({ node: uri, where: res.logicalId });
      }
      for (const t of targets) {
        const bad = firstBad(cfnStrings(tpl, t.node));
        const range = nodeRange(offendingBranch(tpl, t.node));
        if (!bad || !range) continue;
        ctx.report({ range, resource: res.logicalId, message: verdictMessage(bad, t.where) });
      }
    }
  },

  terraform(ctx) {
    for (const block of tfResourceBlocks(ctx.file, ['aws_ecs_task_definition'])) {
      const attr = block.attr('container_definitions');
      if (!attr) continue;
      for (const img of containerImages(ctx, attr.expr, attr.expr.range, null, 0)) {
        const bad = firstBad([img.value]);
        if (!bad) continue;
        const where = img.container ? `${block.address} (container ${img.container})` : block.address!;
        ctx.report({ range: img.range, resource: block.address, message: verdictMessage(bad, where) });
      }
    }
    for (const block of tfResourceBlocks(ctx.file, ['aws_lambda_function'])) {
      const attr = block.attr('image_uri');
      if (!attr) continue;
      const bad = firstBad([tfExprString(ctx.module, attr.expr)]);
      if (bad) ctx.report({ range: attr.expr.range, resource: block.address, message: verdictMessage(bad, block.address!) });
    }
  },

  dockerfile(ctx) {
    for (const stage of ctx.dockerfile.stages) {
      if (stage.parentStage !== null || stage.image.raw === '') continue;
      const bad = firstBad([dockerImageValue(stage.image.resolved)]);
      if (!bad) continue;
      const where = stage.name ? `Stage ${stage.name}` : `FROM ${stage.image.raw}`;
      ctx.report({ range: stage.image.range, resource: stage.name, message: verdictMessage(bad, where) });
    }
  },
});

/**
 * The `image` of each container in a `container_definitions` value:
 * `jsonencode([...])`, a JSON string or heredoc, or a local holding one. When
 * the images sit in another file (`elsewhere`: a local declared in another file
 * of the module), findings go on `attrRange`, the attribute in this file.
 */
function containerImages(ctx: TfContext, expr: TfExpr, attrRange: OffsetRange, elsewhere: true | null, depth: number): TfImage[] {
  if (depth > 4) return [];
  const at = (r: OffsetRange) => (elsewhere ? attrRange : r);
  if (expr.kind === 'call') {
    const call = callOf(expr);
    if (!call || call.name !== 'jsonencode' || call.args.length !== 1) return [];
    return containerImages(ctx, call.args[0], attrRange, elsewhere, depth + 1);
  }
  if (expr.kind === 'tuple') {
    const out: TfImage[] = [];
    for (const item of tupleItems(expr) ?? []) {
      const fields = objectItems(item);
      if (!fields) continue;
      const image = fields.find((f) => f.key === 'image');
      if (!image) continue;
      const nameField = fields.find((f) => f.key === 'name');
      const name = nameField ? tfExprString(ctx.module, nameField.value) : null;
      out.push({
        range: at(image.value.range),
        value: tfExprString(ctx.module, image.value),
        container: name && !/[\u0000\u0001]/.test(name) ? name : null,
      });
    }
    return out;
  }
  if (expr.kind === 'reference') {
    const m = /^local\.([A-Za-z_][\w-]*)$/.exec(expr.text.trim());
    if (!m) return [];
    for (const f of ctx.module.files) {
      const local = f.locals.find((l) => l.name === m[1]);
      if (!local) continue;
      return containerImages(ctx, local.expr, attrRange, elsewhere ?? (f.path === ctx.file.path ? null : true), depth + 1);
    }
    return [];
  }
  if (expr.kind === 'heredoc' || expr.kind === 'template' || expr.kind === 'string') return jsonTextImages(ctx, expr, elsewhere ? attrRange : null);
  return [];
}

/**
 * `"image": "..."` pairs in JSON written as a heredoc or a quoted string
 * (`"[{\"image\": \"...\"}]"`), read from the source so that findings point at
 * the value; interpolations are resolved like any template.
 */
function jsonTextImages(ctx: TfContext, expr: TfExpr, fallback: OffsetRange | null): TfImage[] {
  const content = expr.contentRange;
  if (!content) return [];
  const offset = content.start - expr.range.start;
  const body = expr.text.slice(offset, content.end - expr.range.start);
  const escapes = expr.kind !== 'heredoc';
  const out: TfImage[] = [];
  const key = /(\\?")image\1\s*:\s*\1/g;
  for (let m = key.exec(body); m; m = key.exec(body)) {
    const quote = m[1];
    const start = m.index + m[0].length;
    let i = start;
    let depth = 0;
    for (; i < body.length; i++) {
      if (depth === 0 && body.startsWith(quote, i) && (quote === '\\"' || body[i - 1] !== '\\')) break;
      if (body[i] === '$' && body[i + 1] === '{') {
        depth++;
        i++;
      } else if (depth > 0 && body[i] === '}') depth--;
    }
    if (i >= body.length) break;
    const raw = body.slice(start, i);
    // Inside a quoted HCL string the JSON's own escapes are doubled; the value itself rarely has any.
    const value = tfTemplateString(ctx.module, raw, escapes);
    const at = expr.range.start + offset + start;
    out.push({ range: fallback ?? offsetRange(at, at + raw.length), value, container: null });
    key.lastIndex = i + quote.length;
  }
  return out;
}

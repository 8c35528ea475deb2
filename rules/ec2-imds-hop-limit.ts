import { defineRule } from '../server/engine/rule';
import { tfResourceBlocks } from './lib/tfBlocks';
import type { Fix } from '../server/engine/types';
import { cfnLaunchers, cfnLaunchResources, cfnLookup, cfnSetFix, knownStrings, tfLaunchers, tfLookup, tfSetFix } from './lib/ec2';
import { CFN_LAUNCH, TF_LAUNCH } from './lib/reads';
import { offsetRange } from '../server/engine/offsetRange';

const TF_TYPES = ['aws_instance', 'aws_spot_instance_request', 'aws_launch_template', 'aws_launch_configuration'];
const TITLE = 'Set the metadata response hop limit to 1';
const WHY = 'so that metadata responses, and with them the instance role\'s credentials, cannot travel beyond the instance (into containers or through forwarding)';
const EKS = ' This launch template is used by an EKS node group: pods without host networking lose instance metadata at hop limit 1, so give them IAM roles for service accounts or EKS Pod Identity first (the fix is offered as a suggestion).';

const CONTAINERS = ' A hop limit of 2 is what containers on the instance (Docker bridge networking, Kubernetes pods) need to reach instance metadata: give them credentials of their own first (the fix is offered as a suggestion).';

/** The note for a value that is often set on purpose; `undefined` when the fix is safe to apply blindly. */
function caution(eks: boolean, high: number): string | undefined {
  if (eks) return EKS;
  if (high === 2) return CONTAINERS;
  return undefined;
}

/** A hop limit that is a number (or a numeric string) above 1. */
function tooHigh(v: string): number | undefined {
  const n = Number(v);
  return Number.isFinite(n) && n > 1 ? n : undefined;
}

/** Exact fixes become suggestions where the change can break containers or pods. */
function soften(fixes: Fix[], note: string | undefined): Fix[] {
  if (!note) return fixes;
  // Built by pushing, in the field order of ctx.fix/ctx.suggest: a mapped spread made
  // holey arrays and Fix objects of another layout, which deoptimized the code reading fixes.
  const out: Fix[] = [];
  for (const f of fixes) out.push({ title: f.title, kind: 'suggestion', changes: f.changes });
  return out;
}

export default defineRule({
  id: 'ec2-imds-hop-limit',
  severity: 'warning',
  seed: '000 EC2: the http-put-response-hop-limit is also set to 1',
  description: 'The instance metadata PUT response hop limit (HttpPutResponseHopLimit / http_put_response_hop_limit) must be 1.',
  fixable: 'exact',
  reads: { cloudformation: [...CFN_LAUNCH, 'AWS::EKS::Nodegroup'], terraform: [...TF_LAUNCH, 'aws_eks_node_group'] },

  cloudformation(ctx) {
    const tpl = ctx.template;
    const launchers = cfnLaunchers(tpl);
    for (const launch of cfnLaunchResources(tpl)) {
      const path = [...launch.path, 'MetadataOptions', 'HttpPutResponseHopLimit'];
      const look = cfnLookup(tpl, launch.res, path);
      if (look.state !== 'present') continue;
      let high: number | undefined;
      for (const v of knownStrings(look.values)) {
        high = tooHigh(v);
        if (high !== undefined) break;
      }
      if (high === undefined) continue;
      const id = launch.res.logicalId;
      const note = caution(launchers.get(id)?.has('eks') ?? false, high);
      ctx.report({
        range: offsetRange(look.node.range![0], look.node.range![1]),
        resource: id,
        message: `${id}: HttpPutResponseHopLimit is ${high}; set it to 1 ${WHY}.${note ?? ''}`,
        fixes: soften(cfnSetFix(ctx, launch.res, path, 1, TITLE, look.node), note),
      });
    }
  },

  terraform(ctx) {
    const launchers = tfLaunchers(ctx.module);
    for (const block of tfResourceBlocks(ctx.file, TF_TYPES)) {
      const look = tfLookup(ctx.module, block, ['metadata_options', 'http_put_response_hop_limit']);
      if (look.state !== 'present' || look.value.kind !== 'known' || look.value.value === null) continue;
      const high = tooHigh(String(look.value.value));
      if (high === undefined) continue;
      const note = caution(launchers.get(block.address ?? '')?.has('eks') ?? false, high);
      ctx.report({
        range: look.attr.expr.range,
        resource: block.address,
        message: `${block.address}: http_put_response_hop_limit is ${high}; set it to 1 ${WHY}.${note ?? ''}`,
        fixes: soften(tfSetFix(ctx, look, '1', TITLE), note),
      });
    }
  },
});

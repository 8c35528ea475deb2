import { defineRule } from '../server/engine/rule';
import { tfResourceBlocks } from './lib/tfBlocks';
import { cfnLaunchResources, cfnLookup, cfnSetFix, knownStrings, tfLookup, tfSetFix } from './lib/ec2';
import { CFN_LAUNCH, TF_LAUNCH } from './lib/reads';
import { offsetRange } from '../server/engine/offsetRange';

const TF_TYPES = ['aws_instance', 'aws_spot_instance_request', 'aws_launch_template', 'aws_launch_configuration'];
const TITLE = 'Keep instance metadata enabled';
const WHY = 'Systems Manager and other AWS services need instance metadata: secure it with IMDSv2 session tokens';

export default defineRule({
  id: 'ec2-imds-endpoint-enabled',
  severity: 'warning',
  seed: '000 EC2: do not disable instance metadata; the http-endpoint flag should always be set to enabled',
  description: 'EC2 instance metadata must stay enabled (HttpEndpoint / http_endpoint = enabled); secure it with IMDSv2 tokens instead.',
  fixable: 'exact',
  reads: { cloudformation: CFN_LAUNCH, terraform: TF_LAUNCH },

  cloudformation(ctx) {
    const tpl = ctx.template;
    for (const launch of cfnLaunchResources(tpl)) {
      const path = [...launch.path, 'MetadataOptions', 'HttpEndpoint'];
      const look = cfnLookup(tpl, launch.res, path);
      if (look.state !== 'present') continue;
      if (!knownStrings(look.values).some((v) => v.toLowerCase() === 'disabled')) continue;
      const id = launch.res.logicalId;
      ctx.report({
        range: offsetRange(look.node.range![0], look.node.range![1]),
        resource: id,
        message: `${id}: HttpEndpoint is 'disabled'; set it to 'enabled'. ${WHY} (HttpTokens: required) instead of turning it off.`,
        fixes: cfnSetFix(ctx, launch.res, path, 'enabled', TITLE, look.node),
      });
    }
  },

  terraform(ctx) {
    for (const block of tfResourceBlocks(ctx.file, TF_TYPES)) {
      const look = tfLookup(ctx.module, block, ['metadata_options', 'http_endpoint']);
      if (look.state !== 'present' || look.value.kind !== 'known') continue;
      if (String(look.value.value).toLowerCase() !== 'disabled') continue;
      ctx.report({
        range: look.attr.expr.range,
        resource: block.address,
        message: `${block.address}: http_endpoint is 'disabled'; set it to "enabled". ${WHY} (http_tokens = "required") instead of turning it off.`,
        fixes: tfSetFix(ctx, look, '"enabled"', TITLE),
      });
    }
  },
});

/**
 * Rule ids of other IaC tools that mean the same practice as one of ours, so that
 * suppressions people already have keep working (`#checkov:skip=CKV_AWS_79`,
 * `# hadolint ignore=DL3015`, cfn_nag `rules_to_suppress`, ...).
 *
 * A peer id maps to the rules of ours that check the same thing. Where the peer
 * check is narrower than ours (cfn_nag F1 looks at `AWS::EC2::Volume` only, our
 * `ebs-encryption` also at block devices), the peer suppression still only acts
 * where it is written: on its resource, line or file. Peer ids whose check has no
 * counterpart here are ignored. Every id below was checked against the peer's
 * own source (check metadata, rule classes, README tables); see
 * docs/suppression.md for the table and where each one comes from.
 *
 * Lookups are case-insensitive (`AVD-AWS-0028` = `avd-aws-0028`).
 */

export type PeerTool = 'checkov' | 'trivy' | 'tflint' | 'hadolint' | 'cfn-lint' | 'cfn_nag';

export interface PeerMapping {
  /** The peer's id as it documents it. */
  id: string;
  /** Other spellings the peer accepts for the same check (AVD id, legacy tfsec id, short id). */
  aliases?: string[];
  /** Our rule ids. */
  rules: string[];
  /** The peer's title of the check, for the docs table. */
  title: string;
}

/** Checkov (`#checkov:skip=<id>:<reason>`, CloudFormation `Metadata: checkov: skip`). */
const CHECKOV: PeerMapping[] = [
  { id: 'CKV_AWS_79', rules: ['ec2-imdsv2-required'], title: 'Ensure Instance Metadata Service Version 1 is not enabled' },
  { id: 'CKV_AWS_3', rules: ['ebs-encryption'], title: 'Ensure all data stored in the EBS is securely encrypted' },
  { id: 'CKV_AWS_8', rules: ['ebs-encryption'], title: 'Ensure all data stored in the Launch configuration EBS is securely encrypted' },
  { id: 'CKV_AWS_24', rules: ['sg-admin-ports-restricted'], title: 'Ensure no security groups allow ingress from 0.0.0.0:0 to port 22' },
  { id: 'CKV_AWS_25', rules: ['sg-admin-ports-restricted'], title: 'Ensure no security groups allow ingress from 0.0.0.0:0 to port 3389' },
  { id: 'CKV_AWS_126', rules: ['ec2-detailed-monitoring'], title: 'Ensure that detailed monitoring is enabled for EC2 instances' },
  { id: 'CKV_AWS_41', rules: ['no-hardcoded-credentials'], title: 'Ensure no hard coded AWS access key and secret key exists in provider' },
  { id: 'CKV_AWS_46', rules: ['no-hardcoded-credentials'], title: 'Ensure no hard-coded secrets exist in EC2 user data' },
  { id: 'CKV_AWS_51', rules: ['ecr-immutable-tags'], title: 'Ensure ECR Image Tags are immutable' },
  { id: 'CKV_AWS_163', rules: ['ecr-scan-on-push'], title: 'Ensure ECR image scanning on push is enabled' },
  { id: 'CKV_AWS_32', rules: ['ecr-not-public'], title: 'Ensure ECR policy is not set to public' },
  { id: 'CKV_AWS_40', rules: ['iam-no-user-policies'], title: 'Ensure IAM policies are attached only to groups or roles' },
  { id: 'CKV_AWS_1', rules: ['iam-no-admin-access'], title: 'Ensure IAM policies that allow full "*-*" administrative privileges are not created' },
  { id: 'CKV_AWS_62', rules: ['iam-no-admin-access'], title: 'Ensure IAM policies that allow full "*-*" administrative privileges are not created' },
  { id: 'CKV_AWS_63', rules: ['iam-no-admin-access', 'iam-no-wildcard-actions'], title: 'Ensure no IAM policies documents allow "*" as a statement\'s actions' },
  { id: 'CKV_AWS_10', rules: ['iam-password-policy'], title: 'Ensure IAM password policy requires minimum length of 14 or greater' },
  { id: 'CKV_AWS_28', rules: ['dr-backups'], title: 'Ensure DynamoDB point in time recovery (backup) is enabled' },
  { id: 'CKV_AWS_133', rules: ['dr-backups'], title: 'Ensure that RDS instances has backup policy' },
  { id: 'CKV_DOCKER_3', rules: ['docker-non-root-user'], title: 'Ensure that a user for the container has been created' },
  { id: 'CKV_DOCKER_5', rules: ['docker-update-with-install'], title: 'Ensure update instructions are not use alone in the Dockerfile' },
  { id: 'CKV_DOCKER_7', rules: ['docker-pin-base-image'], title: 'Ensure the base image uses a non latest version tag' },
  { id: 'CKV_DOCKER_8', rules: ['docker-non-root-user'], title: 'Ensure the last USER is not root' },
];

/**
 * Trivy (`#trivy:ignore:<id>`) and tfsec (`#tfsec:ignore:<id>`): the AVD id, the
 * `<provider>-<service>-<short_code>` long id and the legacy tfsec aliases.
 */
const TRIVY: PeerMapping[] = [
  { id: 'AVD-AWS-0028', aliases: ['aws-ec2-enforce-http-token-imds'], rules: ['ec2-imdsv2-required'], title: 'aws_instance should activate session tokens for Instance Metadata Service' },
  { id: 'AVD-AWS-0130', aliases: ['aws-ec2-enforce-launch-config-http-token-imds', 'aws-autoscaling-enforce-http-token-imds'], rules: ['ec2-imdsv2-required'], title: 'Launch configuration should enforce IMDS session tokens' },
  { id: 'AVD-AWS-0008', aliases: ['aws-ec2-enable-launch-config-at-rest-encryption', 'aws-autoscaling-enable-at-rest-encryption'], rules: ['ebs-encryption'], title: 'Launch configuration with unencrypted block device' },
  { id: 'AVD-AWS-0026', aliases: ['aws-ec2-enable-volume-encryption', 'aws-ebs-enable-volume-encryption'], rules: ['ebs-encryption'], title: 'EBS volumes must be encrypted' },
  { id: 'AVD-AWS-0131', aliases: ['aws-ec2-enable-at-rest-encryption'], rules: ['ebs-encryption'], title: 'Instance with unencrypted block device' },
  { id: 'AVD-AWS-0107', aliases: ['aws-ec2-no-public-ingress-sgr', 'aws-vpc-no-public-ingress-sgr'], rules: ['sg-no-public-ingress'], title: 'An ingress security group rule allows traffic from /0' },
  { id: 'AVD-AWS-0104', aliases: ['aws-ec2-no-public-egress-sgr', 'aws-vpc-no-public-egress-sgr'], rules: ['sg-unrestricted-egress'], title: 'An egress security group rule allows traffic to /0' },
  { id: 'AVD-AWS-0029', aliases: ['aws-ec2-no-secrets-in-user-data'], rules: ['no-hardcoded-credentials'], title: 'No secrets in EC2 user data (no-secrets-in-user-data)' },
  { id: 'AVD-AWS-0122', aliases: ['aws-ec2-no-sensitive-info', 'aws-autoscaling-no-sensitive-info'], rules: ['no-hardcoded-credentials'], title: 'User data must not contain sensitive data (no-sensitive-info)' },
  { id: 'AVD-AWS-0129', rules: ['no-hardcoded-credentials'], title: 'User data for EC2 instances must not contain sensitive AWS keys (launch templates)' },
  { id: 'AVD-AWS-0036', aliases: ['aws-ecs-no-plaintext-secrets'], rules: ['no-hardcoded-credentials'], title: 'Task definition containers should not have plaintext secrets' },
  { id: 'AVD-AWS-0030', aliases: ['aws-ecr-enable-image-scans'], rules: ['ecr-scan-on-push'], title: 'ECR repository has image scans disabled' },
  { id: 'AVD-AWS-0031', aliases: ['aws-ecr-enforce-immutable-repository'], rules: ['ecr-immutable-tags'], title: 'ECR images tags shouldn\'t be mutable' },
  { id: 'AVD-AWS-0032', aliases: ['aws-ecr-no-public-access'], rules: ['ecr-not-public'], title: 'ECR repository policy must block public access' },
  { id: 'AVD-AWS-0057', aliases: ['aws-iam-no-policy-wildcards'], rules: ['iam-no-admin-access', 'iam-no-wildcard-actions'], title: 'IAM policy should avoid use of wildcards' },
  { id: 'AVD-AWS-0345', aliases: ['aws-iam-no-s3-full-access'], rules: ['iam-no-wildcard-actions'], title: 'IAM policies should not allow s3:*' },
  { id: 'AVD-AWS-0143', aliases: ['aws-iam-no-user-attached-policies'], rules: ['iam-no-user-policies'], title: 'IAM policies should not be granted directly to users' },
  { id: 'AVD-AWS-0123', aliases: ['aws-iam-enforce-group-mfa', 'aws-iam-enforce-mfa'], rules: ['iam-console-user-mfa'], title: 'IAM groups should have MFA enforcement activated' },
  { id: 'AVD-AWS-0141', aliases: ['aws-iam-no-root-access-keys'], rules: ['iam-access-keys'], title: 'The root user has access keys' },
  { id: 'AVD-AWS-0056', aliases: ['aws-iam-no-password-reuse'], rules: ['iam-password-policy'], title: 'IAM password policy should prevent password reuse' },
  { id: 'AVD-AWS-0058', aliases: ['aws-iam-require-lowercase-in-passwords'], rules: ['iam-password-policy'], title: 'IAM password policy should have requirement for at least one lowercase character' },
  { id: 'AVD-AWS-0059', aliases: ['aws-iam-require-numbers-in-passwords'], rules: ['iam-password-policy'], title: 'IAM password policy should have requirement for at least one number' },
  { id: 'AVD-AWS-0060', aliases: ['aws-iam-require-symbols-in-passwords'], rules: ['iam-password-policy'], title: 'IAM password policy should have requirement for at least one symbol' },
  { id: 'AVD-AWS-0062', aliases: ['aws-iam-set-max-password-age'], rules: ['iam-password-policy'], title: 'IAM password policy should have a max password age of 90 days or less' },
  { id: 'AVD-AWS-0063', aliases: ['aws-iam-set-minimum-password-length'], rules: ['iam-password-policy'], title: 'IAM password policy should have minimum password length of 14 or more' },
  { id: 'AVD-AWS-0024', aliases: ['aws-dynamodb-enable-recovery'], rules: ['dr-backups'], title: 'Point in time recovery should be enabled to protect DynamoDB table' },
  { id: 'AVD-AWS-0077', aliases: ['aws-rds-specify-backup-retention'], rules: ['dr-backups'], title: 'RDS cluster and instances should have backup retention longer than default 1 day' },
  { id: 'AVD-DS-0001', aliases: ['DS001'], rules: ['docker-pin-base-image'], title: "':latest' tag used" },
  { id: 'AVD-DS-0002', aliases: ['DS002'], rules: ['docker-non-root-user'], title: 'Image user should not be \'root\'' },
  { id: 'AVD-DS-0015', aliases: ['DS015'], rules: ['docker-clean-package-cache'], title: "'yum clean all' missing" },
  { id: 'AVD-DS-0017', aliases: ['DS017'], rules: ['docker-update-with-install'], title: "'RUN <package-manager> update' instruction alone" },
  { id: 'AVD-DS-0019', aliases: ['DS019'], rules: ['docker-clean-package-cache'], title: "'dnf clean all' missing" },
  { id: 'AVD-DS-0025', aliases: ['DS025'], rules: ['docker-clean-package-cache'], title: "'apk add' is missing '--no-cache'" },
  { id: 'AVD-DS-0029', aliases: ['DS029'], rules: ['docker-no-install-recommends'], title: "'apt-get' missing '--no-install-recommends'" },
  { id: 'AVD-DS-0031', aliases: ['DS031'], rules: ['docker-no-secrets'], title: 'Secrets passed via build-args or envs or copied secret files' },
];

/** tflint (`# tflint-ignore: <rule>`, `# tflint-ignore-file: <rule>`). */
const TFLINT: PeerMapping[] = [
  { id: 'terraform_naming_convention', rules: ['naming-snake-case'], title: 'Enforces naming conventions for resources, data sources, etc' },
];

/** hadolint (`# hadolint ignore=DL3015`, `# hadolint global ignore=...`). */
const HADOLINT: PeerMapping[] = [
  { id: 'DL3002', rules: ['docker-non-root-user'], title: 'Last user should not be root' },
  { id: 'DL3006', rules: ['docker-pin-base-image'], title: 'Always tag the version of an image explicitly' },
  { id: 'DL3007', rules: ['docker-pin-base-image'], title: 'Using latest is prone to errors if the image will ever update' },
  { id: 'DL3009', rules: ['docker-clean-package-cache'], title: 'Delete the apt-get lists after installing something' },
  { id: 'DL3015', rules: ['docker-no-install-recommends'], title: 'Avoid additional packages by specifying --no-install-recommends' },
  { id: 'DL3019', rules: ['docker-clean-package-cache'], title: 'Use the --no-cache switch to avoid the need to use --update and remove /var/cache/apk/*' },
  { id: 'DL3026', rules: ['docker-trusted-base-image'], title: 'Use only an allowed registry in the FROM image' },
  { id: 'DL3032', rules: ['docker-clean-package-cache'], title: '`yum clean all` missing after yum command' },
  { id: 'DL3040', rules: ['docker-clean-package-cache'], title: '`dnf clean all` missing after dnf command' },
  { id: 'DL3042', rules: ['docker-clean-package-cache'], title: 'Avoid cache directory with `pip install --no-cache-dir <package>`' },
];

/** cfn-lint (`Metadata: cfn-lint: config: ignore_checks: [...]`, resource or template). */
const CFN_LINT: PeerMapping[] = [
  { id: 'I3011', rules: ['dr-deletion-policy'], title: 'Check stateful resources have a set UpdateReplacePolicy/DeletionPolicy' },
  { id: 'W3011', rules: ['dr-deletion-policy'], title: 'Check resources with UpdateReplacePolicy/DeletionPolicy have both' },
];

/** cfn_nag (`Metadata: cfn_nag: rules_to_suppress: [{id, reason}]`). */
const CFN_NAG: PeerMapping[] = [
  { id: 'F1', rules: ['ebs-encryption'], title: 'EBS volume should have server-side encryption enabled' },
  { id: 'W2', rules: ['sg-no-public-ingress'], title: 'Security Groups found with cidr open to world on ingress' },
  { id: 'W5', rules: ['sg-unrestricted-egress'], title: 'Security Groups found with cidr open to world on egress' },
  { id: 'F1000', rules: ['sg-unrestricted-egress'], title: 'Missing egress rule means all traffic is allowed outbound' },
  { id: 'W27', rules: ['sg-least-privilege'], title: 'Security Groups found ingress with port range instead of just a single port' },
  { id: 'F3', rules: ['iam-no-admin-access', 'iam-no-wildcard-actions'], title: 'IAM role should not allow * action on its permissions policy' },
  { id: 'F4', rules: ['iam-no-admin-access', 'iam-no-wildcard-actions'], title: 'IAM policy should not allow * action' },
  { id: 'F5', rules: ['iam-no-admin-access', 'iam-no-wildcard-actions'], title: 'IAM managed policy should not allow * action' },
  { id: 'W25', rules: ['iam-no-admin-access'], title: 'IAM role should not have AdministratorAccess policy' },
  { id: 'F10', rules: ['iam-no-user-policies'], title: 'IAM user should not have any inline policies' },
  { id: 'F11', rules: ['iam-no-user-policies'], title: 'IAM policy should not apply directly to users' },
  { id: 'F12', rules: ['iam-no-user-policies'], title: 'IAM managed policy should not apply directly to users' },
  { id: 'W78', rules: ['dr-backups'], title: 'DynamoDB table should have backup enabled' },
  { id: 'W79', rules: ['ecr-scan-on-push'], title: 'ECR Repository should have scanOnPush enabled' },
];

export const PEER_MAPPINGS: Readonly<Record<PeerTool, readonly PeerMapping[]>> = {
  checkov: CHECKOV,
  trivy: TRIVY,
  tflint: TFLINT,
  hadolint: HADOLINT,
  'cfn-lint': CFN_LINT,
  cfn_nag: CFN_NAG,
};

const INDEX = new Map<PeerTool, Map<string, readonly string[]>>();
for (const [tool, list] of Object.entries(PEER_MAPPINGS) as [PeerTool, PeerMapping[]][]) {
  const m = new Map<string, readonly string[]>();
  for (const p of list) for (const id of [p.id, ...(p.aliases ?? [])]) m.set(id.toLowerCase(), p.rules);
  INDEX.set(tool, m);
}

/** Our rule ids for a peer's id; empty when the peer check has no counterpart here. */
export function ourRulesFor(tool: PeerTool, peerId: string): readonly string[] {
  return INDEX.get(tool)?.get(peerId.trim().toLowerCase()) ?? [];
}

/**
 * The resource types rules read (`reads` in server/engine/rule.ts), shared by
 * rules built on the same helpers. A type missing here makes the editor keep a
 * rule's findings when a resource of that type changes: test/unit/reads.test.ts
 * checks the lists against every fixture and corpus file.
 */

/** Instances, launch templates and launch configurations (lib/ec2.ts `cfnLaunchResources`, `cfnInstanceTemplate`, `cfnIsSpot`). */
export const CFN_LAUNCH = ['AWS::EC2::Instance', 'AWS::EC2::LaunchTemplate', 'AWS::AutoScaling::LaunchConfiguration'];
export const TF_LAUNCH = ['aws_instance', 'aws_spot_instance_request', 'aws_launch_template', 'aws_launch_configuration'];

/** Security groups and their rules (lib/securityGroups.ts). */
export const CFN_SECURITY_GROUPS = ['AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress'];
export const TF_SECURITY_GROUPS = [
  'aws_security_group', 'aws_default_security_group', 'aws_security_group_rule', 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule',
];

/** What the IAM graph is built from (lib/iamGraph.ts). */
export const CFN_IAM = [
  'AWS::IAM::*', 'AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy', 'AWS::ECR::Repository',
  'AWS::Serverless::Function', 'AWS::Serverless::StateMachine',
];
export const TF_IAM = ['aws_iam_*', 'aws_s3_bucket_policy', 'aws_sqs_queue_policy', 'aws_sns_topic_policy', 'aws_ecr_repository_policy'];

/** ECR repositories and registry settings (lib/ecr.ts). */
export const CFN_ECR = ['AWS::ECR::Repository', 'AWS::ECR::RegistryScanningConfiguration', 'AWS::ECR::ReplicationConfiguration'];
export const TF_ECR = ['aws_ecr_*'];

/** Stateful resources (lib/stateful.ts). */
export const CFN_STATEFUL = ['AWS::EC2::Volume', 'AWS::DynamoDB::*', 'AWS::EFS::*', 'AWS::RDS::*'];
export const TF_STATEFUL = ['aws_ebs_volume', 'aws_dynamodb_*', 'aws_efs_*', 'aws_db_*', 'aws_rds_*'];

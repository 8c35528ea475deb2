/**
 * Realistic generated IaC for the benchmarks: a mix of resources on which many
 * rules fire (instances without IMDSv2 or termination protection, open security
 * groups, wide IAM policies, unencrypted volumes, ECR repositories without scans,
 * databases without backups, Dockerfiles with apt caches and root users), with
 * cross-resource references (security groups, instance profiles, alarms,
 * policies attached to users), comments, intrinsics and variables. Deterministic:
 * the same arguments give the same text.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

function lineCount(s: string): number {
  let n = 1;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** One group of CloudFormation resources (YAML, ~110 lines), numbered `i`. */
function cfnGroup(i: number): string {
  const open = i % 4 === 0;
  const tokens = i % 3 === 0 ? 'optional' : 'required';
  let out = `  # web tier ${i}
  WebSecurityGroup${i}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web tier ${i}
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: ${open ? '0.0.0.0/0' : '10.0.0.0/8'}
      Tags:
        - Key: Name
          Value: security-group-eu-west-1-web-${i}
  WebInstance${i}:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !Ref LatestAmiId
      InstanceType: ${i % 2 ? 't3.micro' : 'm5.large'}
      SubnetId: !Ref Subnet
      IamInstanceProfile: !Ref WebProfile${i}
      SecurityGroupIds:
        - !Ref WebSecurityGroup${i}
      KeyName: deploy
      MetadataOptions:
        HttpTokens: ${tokens}
        HttpPutResponseHopLimit: ${i % 5 === 0 ? 2 : 1}
      BlockDeviceMappings:
        - DeviceName: /dev/xvda
          Ebs:
            VolumeSize: ${i % 2 ? 20 : 200}
            Encrypted: ${i % 3 === 0 ? 'false' : 'true'}
      UserData:
        Fn::Base64: !Sub |
          #!/bin/bash
          dnf install -y nginx
          echo "\${AWS::Region} ${i}" > /etc/motd
      Tags:
        - Key: Name
          Value: !Sub ec2-instance-\${AWS::Region}-web-${i}
  WebRole${i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: ec2.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: web-${i}
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action:
                  - ${i % 4 === 1 ? '"s3:*"' : 's3:GetObject'}
                  - logs:PutLogEvents
                Resource: ${i % 8 === 1 ? '"*"' : `!Sub "arn:aws:s3:::assets-${i}/*"`}
  WebProfile${i}:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles:
        - !Ref WebRole${i}
  DataVolume${i}:
    Type: AWS::EC2::Volume
    Properties:
      Size: 100
      AvailabilityZone: !Select [0, !GetAZs ""]
      Encrypted: ${i % 2 ? 'true' : 'false'}
      Tags:
        - Key: Name
          Value: ebs-volume-eu-west-1-data-${i}
`;
  if (i % 2 === 0) {
    out += `  CpuAlarm${i}:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/EC2
      MetricName: CPUUtilization
      Statistic: Average
      Period: 300
      EvaluationPeriods: 2
      Threshold: 80
      ComparisonOperator: GreaterThanThreshold
      Dimensions:
        - Name: InstanceId
          Value: !Ref WebInstance${i}
`;
  }
  if (i % 3 === 0) {
    out += `  OrdersTable${i}:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      KeySchema:
        - AttributeName: id
          KeyType: HASH
`;
  }
  if (i % 5 === 0) {
    out += `  ImageRepository${i}:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: service-${i}
      ImageTagMutability: MUTABLE
  Database${i}:
    Type: AWS::RDS::DBInstance
    DeletionPolicy: Snapshot
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.medium
      AllocatedStorage: "50"
      BackupRetentionPeriod: ${i % 10 === 0 ? 0 : 7}
      MasterUsername: admin
      ManageMasterUserPassword: true
`;
  }
  if (i % 7 === 0) {
    out += `  DeployUser${i}:
    Type: AWS::IAM::User
    Properties:
      LoginProfile:
        Password: !Ref InitialPassword
      Policies:
        - PolicyName: deploy-${i}
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: "*"
                Resource: "*"
  DeployKey${i}:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref DeployUser${i}
`;
  }
  return out;
}

const CFN_HEAD = `AWSTemplateFormatVersion: "2010-09-09"
Description: Generated web tier for the iac-lint benchmark.
Parameters:
  LatestAmiId:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
    Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
  InitialPassword:
    Type: String
    NoEcho: true
  Vpc:
    Type: AWS::EC2::VPC::Id
  Subnet:
    Type: AWS::EC2::Subnet::Id
Conditions:
  IsProd: !Equals [!Ref "AWS::StackName", prod]
Resources:
`;

const CFN_TAIL = `Outputs:
  FirstInstance:
    Value: !Ref WebInstance0
`;

/** A CloudFormation YAML template of about `lines` lines. */
export function cloudFormationYaml(lines: number): string {
  const parts = [CFN_HEAD];
  let n = lineCount(CFN_HEAD) + lineCount(CFN_TAIL);
  for (let i = 0; n < lines; i++) {
    const g = cfnGroup(i);
    parts.push(g);
    n += lineCount(g) - 1;
  }
  parts.push(CFN_TAIL);
  return parts.join('');
}

/**
 * The same template as JSON (2-space indentation, as `JSON.stringify` and most
 * editors write it), about `lines` lines: YAML's intrinsic tags become `Ref` /
 * `Fn::*` objects.
 */
export function cloudFormationJson(lines: number): string {
  // JSON spends ~1.6 lines per YAML line on braces: generate YAML for fewer lines, convert.
  const yamlText = cloudFormationYaml(Math.max(50, Math.round(lines / 1.55)));
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { parseDocument, isScalar, isMap, isSeq } = require('yaml') as typeof import('yaml');
  const { INTRINSIC_FUNCTIONS } = require('../../server/engine/cloudformation/parser') as typeof import('../../server/engine/cloudformation/parser');
  const tags = INTRINSIC_FUNCTIONS.flatMap((fn) => (['scalar', 'seq', 'map'] as const).map((c) => ({
    tag: `!${fn}`, ...(c === 'scalar' ? {} : { collection: c }), resolve: (v: unknown) => v,
  })));
  const doc = parseDocument(yamlText, { customTags: tags as never });
  const toJs = (n: unknown): unknown => {
    const tag = (n as { tag?: string }).tag;
    let v: unknown;
    if (isScalar(n)) v = n.value;
    else if (isSeq(n)) v = n.items.map(toJs);
    else if (isMap(n)) v = Object.fromEntries(n.items.map((p) => [String((p.key as { value: unknown }).value), toJs(p.value)]));
    else v = null;
    if (tag && tag.startsWith('!')) {
      const fn = tag.slice(1);
      return fn === 'Ref' || fn === 'Condition' ? { [fn]: v } : { [`Fn::${fn}`]: v };
    }
    return v;
  };
  return JSON.stringify(toJs(doc.contents), null, 2) + '\n';
}

/** One group of Terraform resources (~150 lines), numbered `i`. */
function tfGroup(i: number): string {
  const open = i % 4 === 0;
  let out = `
# web tier ${i}
resource "aws_security_group" "web_${i}" {
  name        = "security-group-eu-west-1-web-${i}"
  description = "web tier ${i}"
  vpc_id      = var.vpc_id

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [${open ? '"0.0.0.0/0"' : 'var.admin_cidr'}]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Name = "security-group-eu-west-1-web-${i}"
  }
}

resource "aws_instance" "web_${i}" {
  ami                    = data.aws_ami.al2023.id
  instance_type          = "${i % 2 ? 't3.micro' : 'm5.large'}"
  subnet_id              = var.subnet_id
  iam_instance_profile   = aws_iam_instance_profile.web_${i}.name
  vpc_security_group_ids = [aws_security_group.web_${i}.id]
  key_name               = "deploy"
  monitoring             = ${i % 2 ? 'true' : 'false'}

  metadata_options {
    http_tokens                 = "${i % 3 === 0 ? 'optional' : 'required'}"
    http_put_response_hop_limit = ${i % 5 === 0 ? 2 : 1}
  }

  root_block_device {
    volume_size = ${i % 2 ? 20 : 200}
    encrypted   = ${i % 3 === 0 ? 'false' : 'true'}
  }

  user_data = <<-EOT
    #!/bin/bash
    dnf install -y nginx
    echo "web ${i}" > /etc/motd
  EOT

  tags = {
    Name = "ec2-instance-eu-west-1-web-${i}"
  }
}

resource "aws_iam_role" "web_${i}" {
  name = "web-${i}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "web_${i}" {
  role = aws_iam_role.web_${i}.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = [${i % 4 === 1 ? '"s3:*"' : '"s3:GetObject"'}, "logs:PutLogEvents"]
      Resource = ${i % 8 === 1 ? '"*"' : `"arn:aws:s3:::assets-${i}/*"`}
    }]
  })
}

resource "aws_iam_instance_profile" "web_${i}" {
  name = "web-${i}"
  role = aws_iam_role.web_${i}.name
}

resource "aws_ebs_volume" "data_${i}" {
  availability_zone = "eu-west-1a"
  size              = 100
  encrypted         = ${i % 2 ? 'true' : 'false'}

  tags = {
    Name = "ebs-volume-eu-west-1-data-${i}"
  }
}
`;
  if (i % 2 === 0) {
    out += `
resource "aws_cloudwatch_metric_alarm" "cpu_${i}" {
  alarm_name          = "cpu-${i}"
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  dimensions = {
    InstanceId = aws_instance.web_${i}.id
  }
}
`;
  }
  if (i % 3 === 0) {
    out += `
resource "aws_dynamodb_table" "orders_${i}" {
  name         = "orders-${i}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }
}
`;
  }
  if (i % 5 === 0) {
    out += `
resource "aws_ecr_repository" "service_${i}" {
  name                 = "service-${i}"
  image_tag_mutability = "MUTABLE"
}

resource "aws_db_instance" "db_${i}" {
  engine                      = "postgres"
  instance_class              = "db.t3.medium"
  allocated_storage           = 50
  backup_retention_period     = ${i % 10 === 0 ? 0 : 7}
  username                    = "admin"
  manage_master_user_password = true
}
`;
  }
  if (i % 7 === 0) {
    out += `
resource "aws_iam_user" "deploy_${i}" {
  name = "deploy-${i}"
}

resource "aws_iam_user_login_profile" "deploy_${i}" {
  user = aws_iam_user.deploy_${i}.name
}

resource "aws_iam_access_key" "deploy_${i}" {
  user = aws_iam_user.deploy_${i}.name
}

resource "aws_iam_user_policy" "deploy_${i}" {
  user = aws_iam_user.deploy_${i}.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
`;
  }
  return out;
}

const TF_HEAD = `# Generated web tier for the iac-lint benchmark.
data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-*-x86_64"]
  }
}
`;

/** The variables file that goes next to `terraform()` in a module. */
export const TF_VARIABLES = `variable "vpc_id" {
  type = string
}

variable "subnet_id" {
  type = string
}

variable "admin_cidr" {
  type    = string
  default = "10.0.0.0/8"
}
`;

/** A Terraform file of about `lines` lines (its variables are in TF_VARIABLES). */
export function terraform(lines: number): string {
  const parts = [TF_HEAD];
  let n = lineCount(TF_HEAD);
  for (let i = 0; n < lines; i++) {
    const g = tfGroup(i);
    parts.push(g);
    n += lineCount(g) - 1;
  }
  return parts.join('');
}

/** One build + runtime stage pair of a Dockerfile (~40 lines), numbered `i`. */
function dfStages(i: number): string {
  return `
# service ${i}
FROM golang:1.22 AS build_${i}
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app-${i} ./cmd/app-${i}

FROM ${i % 3 === 0 ? 'ubuntu' : 'debian:bookworm-slim'} AS runtime_${i}
ARG VERSION=1.${i}.0
ENV APP_VERSION=\${VERSION} \\
    APP_HOME=/opt/app-${i}
RUN apt-get update && \\
    apt-get install -y ${i % 2 ? '--no-install-recommends ' : ''}ca-certificates curl && \\
    ${i % 2 ? 'rm -rf /var/lib/apt/lists/*' : 'echo cached'}
RUN apt-get install -y tzdata
RUN groupadd --system app && \\
    useradd --system --gid app --home-dir /opt/app-${i} app
COPY --from=build_${i} /out/app-${i} /opt/app-${i}/app
COPY config/ /opt/app-${i}/config/
RUN pip install requests && \\
    chmod 0755 /opt/app-${i}/app
HEALTHCHECK --interval=30s CMD curl -fsS http://localhost:8080/health || exit 1
EXPOSE 8080
${i % 2 ? 'USER app' : '# runs as root'}
WORKDIR /opt/app-${i}
ENTRYPOINT ["/opt/app-${i}/app"]
`;
}

/** A (long, multi-stage) Dockerfile of about `lines` lines. */
export function dockerfile(lines: number): string {
  const head = '# syntax=docker/dockerfile:1\n# Generated services for the iac-lint benchmark.\n';
  const tail = `
FROM debian:bookworm AS final
RUN apt-get update && apt-get install -y ca-certificates
COPY --from=build_0 /out/app-0 /app
ENTRYPOINT ["/app"]
`;
  const parts = [head];
  let n = lineCount(head) + lineCount(tail);
  for (let i = 0; n < lines; i++) {
    const s = dfStages(i);
    parts.push(s);
    n += lineCount(s) - 1;
  }
  parts.push(tail);
  return parts.join('');
}

/** Files that are not IaC but sit in real workspaces (discovery or the sniff must skip them). */
const K8S = (i: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: service-${i}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: app
          image: service:${i}
`;

/**
 * Writes a workspace of `files` mixed files below `root`: Terraform modules of
 * three files, CloudFormation YAML and JSON templates, Dockerfiles, and some
 * YAML/JSON that is no template. Returns how many files of each kind.
 */
export function writeWorkspace(root: string, files: number): Record<string, number> {
  const counts: Record<string, number> = { terraform: 0, cloudformationYaml: 0, cloudformationJson: 0, dockerfile: 0, other: 0 };
  const write = (rel: string, text: string) => {
    const p = nodePath.join(root, rel);
    fs.mkdirSync(nodePath.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  };
  // Small files, as real repositories have: one or two resource groups each.
  const tf = [terraform(60), terraform(200)];
  const cfnY = [cloudFormationYaml(80), cloudFormationYaml(300)];
  const cfnJ = [cloudFormationJson(120), cloudFormationJson(400)];
  const df = [dockerfile(35), dockerfile(80)];
  let written = 0;
  for (let i = 0; written < files; i++) {
    const team = `team-${i % 20}`;
    const slot = i % 10;
    if (slot < 4) {
      // A Terraform module: main.tf, variables.tf, outputs.tf.
      const dir = `${team}/terraform/module-${i}`;
      write(`${dir}/main.tf`, tf[i % 2].replace(/web_/g, `web${i}_`));
      write(`${dir}/variables.tf`, TF_VARIABLES);
      write(`${dir}/outputs.tf`, `output "first_instance" {\n  value = aws_instance.web${i}_0.id\n}\n`);
      written += 3;
      counts.terraform += 3;
    } else if (slot < 7) {
      write(`${team}/cloudformation/stack-${i}.yaml`, cfnY[i % 2]);
      written++;
      counts.cloudformationYaml++;
    } else if (slot === 7) {
      write(`${team}/cloudformation/stack-${i}.json`, cfnJ[i % 2]);
      written++;
      counts.cloudformationJson++;
    } else if (slot === 8) {
      write(`${team}/services/svc-${i}/Dockerfile`, df[i % 2]);
      written++;
      counts.dockerfile++;
    } else {
      write(`${team}/k8s/deploy-${i}.yaml`, K8S(i));
      written++;
      counts.other++;
    }
  }
  return counts;
}

provider "aws" {
  region = var.aws_region
}

locals {
  common_tags = {
    Environment = var.environment
    ManagedBy   = "terraform"
  }
}

resource "aws_security_group" "alb" {
  name        = "security-group-${var.aws_region}-alb-${var.environment}"
  description = "Load balancer"
  vpc_id      = var.vpc_id
  tags        = merge(local.common_tags, { Name = "security-group-${var.aws_region}-alb" })
}

resource "aws_security_group" "app" {
  name_prefix = "app-"
  description = "Application servers"
  vpc_id      = var.vpc_id
  tags        = merge(local.common_tags, { Name = "AppServersSG" })
}

resource "aws_instance" "app" {
  count         = 2
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.small"
  tags          = merge(local.common_tags, { Name = "ec2-instance-${var.aws_region}-app-${count.index}" })
}

resource "aws_iam_role" "app" {
  name               = "${var.environment}-app-instance-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-${var.environment}-alb-logs"
}

resource "aws_ecr_repository" "app" {
  name = "acme/AppService"
}

resource "aws_sqs_queue" "jobs" {
  name = "jobs-queue.fifo"
  fifo_queue = true
}

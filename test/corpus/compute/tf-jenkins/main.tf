# Jenkins controller with a persistent home volume, and Spot build agents.
# A child module: the AWS provider is configured by the caller.

locals {
  name = "jenkins-${var.environment}"
  tags = merge(var.tags, {
    Service = "jenkins"
  })
}

data "aws_region" "current" {}

resource "aws_instance" "controller" {
  ami                     = var.controller_ami
  instance_type           = "m7i.large"
  subnet_id               = var.subnet_ids[0]
  iam_instance_profile    = var.instance_profile_name
  vpc_security_group_ids  = [aws_security_group.controller.id]
  disable_api_termination = true
  monitoring              = true

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_size = 30
    encrypted   = true
  }

  tags = merge(local.tags, {
    Name = "ec2-instance-${data.aws_region.current.name}-${local.name}"
  })
}

resource "aws_ebs_volume" "jenkins_home" {
  availability_zone = aws_instance.controller.availability_zone
  size              = 200
  type              = "gp3"
  encrypted         = true

  tags = merge(local.tags, {
    Name = "${local.name}-home-volume"
  })
}

resource "aws_volume_attachment" "jenkins_home" {
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.jenkins_home.id
  instance_id = aws_instance.controller.id
}

resource "aws_security_group" "controller" {
  name        = "${local.name}-controller"
  description = "Jenkins controller"
  vpc_id      = var.vpc_id
  tags        = local.tags
}

resource "aws_launch_template" "agent" {
  name_prefix   = "${local.name}-agent-"
  image_id      = var.agent_ami
  instance_type = "c7i.xlarge"

  iam_instance_profile {
    name = var.instance_profile_name
  }

  instance_market_options {
    market_type = "spot"
  }

  metadata_options {
    http_tokens = "required"
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size = 80
      encrypted   = true
    }
  }
}

resource "aws_autoscaling_group" "agents" {
  name                = "${local.name}-agents"
  min_size            = 0
  max_size            = 10
  vpc_zone_identifier = var.subnet_ids

  launch_template {
    id      = aws_launch_template.agent.id
    version = "$Latest"
  }
}

data "aws_ssm_parameter" "al2023" {
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
}

resource "aws_iam_role" "app" {
  name = "web-app-${var.environment}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "ssm" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "app" {
  name = "web-app-${var.environment}"
  role = aws_iam_role.app.name
}

resource "aws_security_group" "app" {
  name_prefix = "web-app-"
  description = "Web application servers"
  vpc_id      = var.vpc_id

  tags = {
    Name = "security-group-${var.region}-web-app"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_launch_template" "app" {
  name_prefix   = "web-app-"
  image_id      = data.aws_ssm_parameter.al2023.value
  instance_type = var.instance_type

  vpc_security_group_ids = [aws_security_group.app.id]

  iam_instance_profile {
    arn = aws_iam_instance_profile.app.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  monitoring {
    enabled = true
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size           = 30
      volume_type           = "gp3"
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags = {
      Name = "ec2-instance-${var.region}-web-app"
    }
  }
}

resource "aws_autoscaling_group" "app" {
  name_prefix         = "web-app-"
  min_size            = 2
  max_size            = 6
  vpc_zone_identifier = var.private_subnet_ids
  health_check_type   = "ELB"

  launch_template {
    id      = aws_launch_template.app.id
    version = aws_launch_template.app.latest_version
  }

  instance_refresh {
    strategy = "Rolling"
  }

  tag {
    key                 = "Service"
    value               = "web"
    propagate_at_launch = true
  }
}

resource "aws_cloudwatch_metric_alarm" "app_cpu" {
  alarm_name          = "web-app-cpu-high"
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 10
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [var.alarm_topic_arn]

  dimensions = {
    AutoScalingGroupName = aws_autoscaling_group.app.name
  }
}

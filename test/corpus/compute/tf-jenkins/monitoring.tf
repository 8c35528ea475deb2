locals {
  watched_instances = {
    controller = aws_instance.controller.id
  }
}

resource "aws_cloudwatch_metric_alarm" "status" {
  for_each = local.watched_instances

  alarm_name          = "${local.name}-${each.key}-status"
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  alarm_actions       = [var.alarm_topic_arn]

  dimensions = {
    InstanceId = each.value
  }
}

resource "aws_cloudwatch_metric_alarm" "home_disk" {
  alarm_name          = "${local.name}-home-disk"
  namespace           = "CWAgent"
  metric_name         = "disk_used_percent"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 85
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [var.alarm_topic_arn]

  dimensions = {
    InstanceId = aws_instance.controller.id
    path       = "/var/lib/jenkins"
  }
}

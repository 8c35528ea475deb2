output "autoscaling_group_name" {
  value = aws_autoscaling_group.app.name
}

output "jump_host_id" {
  value = aws_instance.jump.id
}

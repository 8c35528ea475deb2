output "bastion_public_ip" {
  description = "ssh -J ec2-user@<this> ec2-user@<worker>"
  value       = aws_instance.bastion.public_ip
}

output "worker_private_ips" {
  value = aws_instance.worker[*].private_ip
}

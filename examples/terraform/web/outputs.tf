output "web_server_private_ip" {
  # Consumed by the monitoring stack.
  value = aws_instance.WebServer.private_ip
}

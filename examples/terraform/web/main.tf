# Web tier: one instance behind the load balancer.
resource "aws_instance" "WebServer" {
  ami           = data.aws_ami.al2023.id
  instance_type = var.instance_type
  subnet_id     = var.subnet_id

  tags = {
    Name = "ec2-instance-eu-west-1-web"
  }
}

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-*-x86_64"]
  }
}

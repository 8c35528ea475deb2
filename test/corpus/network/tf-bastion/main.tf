locals {
  name = "bastion-${var.environment}"
}

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-*-x86_64"]
  }
}

data "aws_vpc" "this" {
  id = var.vpc_id
}

resource "aws_key_pair" "operators" {
  key_name   = "${local.name}-operators"
  public_key = var.ssh_public_key
}

# Kept from the first setup, when the workers had their own key.
resource "aws_key_pair" "workers_legacy" {
  key_name   = "workers-legacy"
  public_key = file("${path.module}/keys/workers.pub")
}

resource "aws_security_group" "bastion" {
  name        = local.name
  description = "SSH to the bastion"
  vpc_id      = var.vpc_id

  ingress {
    description = "SSH from the admin networks"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.admin_cidr_blocks
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "workers" {
  name        = "workers-${var.environment}"
  description = "Worker instances"
  vpc_id      = var.vpc_id

  ingress {
    description     = "SSH from the bastion"
    from_port       = 22
    to_port         = 22
    protocol        = "tcp"
    security_groups = [aws_security_group.bastion.id]
  }

  dynamic "ingress" {
    for_each = var.worker_ports
    content {
      description = "Port ${ingress.value} from the VPC"
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = [data.aws_vpc.this.cidr_block]
    }
  }

  egress {
    description = "HTTPS to the internet"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "bastion" {
  ami                    = data.aws_ami.al2023.id
  instance_type          = "t3.micro"
  subnet_id              = var.public_subnet_id
  key_name               = aws_key_pair.operators.key_name
  vpc_security_group_ids = [aws_security_group.bastion.id]

  metadata_options {
    http_tokens = "required"
  }

  tags = {
    Name = local.name
  }
}

resource "aws_instance" "worker" {
  count                  = var.worker_count
  ami                    = data.aws_ami.al2023.id
  instance_type          = "m6i.large"
  subnet_id              = var.private_subnet_ids[0]
  vpc_security_group_ids = [aws_security_group.workers.id]

  metadata_options {
    http_tokens = "required"
  }

  tags = {
    Name = "worker-${var.environment}-${count.index}"
  }
}

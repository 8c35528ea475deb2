resource "aws_imagebuilder_distribution_configuration" "golden" {
  name = "golden-al2023"

  distribution {
    region = "eu-west-1"

    ami_distribution_configuration {
      name = "golden-al2023-{{ imagebuilder:buildDate }}"

      launch_permission {
        organization_arns = [var.organization_arn]
      }
    }
  }

  distribution {
    region = "us-east-1"

    ami_distribution_configuration {
      name = "golden-al2023-{{ imagebuilder:buildDate }}"

      launch_permission {
        user_groups = ["all"]
      }
    }
  }
}

resource "aws_ebs_snapshot_block_public_access" "this" {
  state = "block-all-sharing"
}

resource "aws_ec2_image_block_public_access" "this" {
  state = "block-new-sharing"
}

resource "aws_key_pair" "bastion" {
  key_name   = "build-bastion"
  public_key = file("~/.ssh/build-bastion.pub")
}

resource "aws_instance" "bastion" {
  ami                    = var.bastion_ami
  instance_type          = "t3.micro"
  key_name               = aws_key_pair.bastion.key_name
  vpc_security_group_ids = []

  root_block_device {
    encrypted = true
  }

  connection {
    type        = "ssh"
    user        = "ec2-user"
    host        = self.private_ip
    private_key = file(var.bastion_private_key_path)
  }

  provisioner "remote-exec" {
    inline = [
      "sudo dnf install -y git",
      "git clone https://github.com/example/image-tests.git /opt/image-tests",
    ]
  }
}

resource "aws_ebs_volume" "cache" {
  availability_zone = aws_instance.bastion.availability_zone
  size              = 200
  type              = "gp3"
  encrypted         = true
}

resource "aws_volume_attachment" "cache" {
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.cache.id
  instance_id = aws_instance.bastion.id
}

# Build agents. Neither instance requires IMDSv2 yet, and one name is not snake_case.
resource "aws_instance" "runner" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.small"
}

resource "aws_instance" "BuildCache" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.small"

  metadata_options {
    http_tokens = "optional"
  }
}

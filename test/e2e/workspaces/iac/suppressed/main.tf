# iac-lint-ignore ec2-imdsv2-required -- the vendor agent reads IMDSv1 until its 5.0 release
resource "aws_instance" "legacy_agent" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.small"
}

resource "aws_instance" "web_server" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.small"
}

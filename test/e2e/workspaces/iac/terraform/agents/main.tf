# Saved with editor.codeActionsOnSave running source.fixAll.iac-lint.
resource "aws_launch_template" "agents" {
  name_prefix   = "agents-"
  image_id      = "ami-0abcdef1234567890"
  instance_type = "t3.small"

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "optional"
  }
}

resource "aws_iam_account_password_policy" "this" {
  minimum_password_length        = 14
  require_lowercase_characters   = true
  require_uppercase_characters   = true
  require_numbers                = true
  require_symbols                = true
  allow_users_to_change_password = true
  max_password_age               = 90
  password_reuse_prevention      = 24
}

resource "aws_iam_group" "developers" {
  name = "developers"
}

resource "aws_iam_group_policy_attachment" "developers_read" {
  group      = aws_iam_group.developers.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

data "aws_iam_policy_document" "force_mfa" {
  statement {
    sid       = "AllowSelfServiceMfa"
    actions   = ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ChangePassword", "iam:GetUser"]
    resources = ["arn:aws:iam::*:mfa/$${aws:username}", "arn:aws:iam::*:user/$${aws:username}"]
  }
  statement {
    sid         = "DenyWithoutMfa"
    effect      = "Deny"
    not_actions = ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ChangePassword", "iam:GetUser", "sts:GetSessionToken"]
    resources   = ["*"]
    condition {
      test     = "BoolIfExists"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["false"]
    }
  }
}

resource "aws_iam_group_policy" "developers_mfa" {
  name   = "force-mfa"
  group  = aws_iam_group.developers.name
  policy = data.aws_iam_policy_document.force_mfa.json
}

resource "aws_iam_user" "people" {
  for_each = toset(["maria.silva", "jonas.berg"])
  name     = each.value
}

resource "aws_iam_user_login_profile" "people" {
  for_each                = aws_iam_user.people
  user                    = each.value.name
  password_reset_required = true
}

resource "aws_iam_user_group_membership" "people" {
  for_each = aws_iam_user.people
  user     = each.value.name
  groups   = [aws_iam_group.developers.name]
}

# Service account for the on-premises backup appliance, which cannot assume roles.
resource "aws_iam_user" "backup_appliance" {
  name = "backup-appliance"
}

resource "aws_iam_access_key" "backup_appliance" {
  user = aws_iam_user.backup_appliance.name
}

resource "aws_iam_user_policy" "backup_appliance" {
  name = "backup-writes"
  user = aws_iam_user.backup_appliance.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:PutObject", "s3:AbortMultipartUpload"]
      Resource = "arn:aws:s3:::platform-backups/*"
    }]
  })
}

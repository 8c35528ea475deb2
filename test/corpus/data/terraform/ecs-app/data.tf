resource "aws_db_subnet_group" "billing" {
  name       = "${var.name}-${var.environment}"
  subnet_ids = var.private_subnet_ids
}

resource "aws_db_instance" "billing" {
  identifier                  = "${var.name}-${var.environment}"
  engine                      = "postgres"
  engine_version              = "16.3"
  instance_class              = "db.t4g.medium"
  allocated_storage           = 50
  storage_encrypted           = true
  db_subnet_group_name        = aws_db_subnet_group.billing.name
  username                    = "billing"
  manage_master_user_password = true
  backup_retention_period     = 7
  skip_final_snapshot         = var.environment != "prod"
  final_snapshot_identifier   = "${var.name}-${var.environment}-final"
  deletion_protection         = var.environment == "prod"
}

resource "aws_dynamodb_table" "ledger" {
  name         = "${var.name}-ledger-${var.environment}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "account_id"
  range_key    = "entry_id"

  attribute {
    name = "account_id"
    type = "S"
  }

  attribute {
    name = "entry_id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}

resource "aws_dynamodb_table" "sessions" {
  name         = "${var.name}-sessions-${var.environment}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "session_id"

  attribute {
    name = "session_id"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }
}

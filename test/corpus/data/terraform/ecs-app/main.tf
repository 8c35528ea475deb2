locals {
  container_name = var.name
  tags = {
    Service     = var.name
    Environment = var.environment
  }
}

data "aws_region" "current" {}

resource "aws_ecs_cluster" "this" {
  name = "${var.name}-${var.environment}"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = local.tags
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/${var.name}-${var.environment}"
  retention_in_days = 30
}

resource "aws_ecs_task_definition" "app" {
  family                   = "${var.name}-${var.environment}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 512
  memory                   = 1024

  container_definitions = jsonencode([
    {
      name      = local.container_name
      image     = "${aws_ecr_repository.app.repository_url}:${var.image_tag}"
      essential = true
      portMappings = [{
        containerPort = 8080
        protocol      = "tcp"
      }]
      environment = [
        { name = "DB_HOST", value = aws_db_instance.billing.address },
        { name = "LEDGER_TABLE", value = aws_dynamodb_table.ledger.name },
      ]
      secrets = [
        { name = "DB_PASSWORD", valueFrom = var.db_password_secret_arn },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.app.name
          awslogs-region        = data.aws_region.current.name
          awslogs-stream-prefix = "app"
        }
      }
    },
    {
      name      = "otel"
      image     = "public.ecr.aws/aws-observability/aws-otel-collector:v${var.sidecar_version}"
      essential = false
    },
  ])

  tags = local.tags
}

resource "aws_ecs_task_definition" "migrate" {
  family                   = "${var.name}-migrate-${var.environment}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  container_definitions    = <<-JSON
    [
      {
        "name": "migrate",
        "image": "${aws_ecr_repository.migrations.repository_url}:${var.image_tag}",
        "essential": true,
        "command": ["migrate", "up"]
      }
    ]
  JSON
}

resource "aws_ecs_service" "app" {
  name            = "${var.name}-${var.environment}"
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.app.arn
  desired_count   = 2
  launch_type     = "FARGATE"

  network_configuration {
    subnets          = var.private_subnet_ids
    assign_public_ip = false
  }
}

variable "name" {
  description = "Service name, used for every resource of the module"
  type        = string
  default     = "billing"
}

variable "environment" {
  type    = string
  default = "staging"
}

variable "image_tag" {
  description = "Release of the service image to run"
  type        = string
  default     = "latest"
}

variable "sidecar_version" {
  type    = string
  default = "0.98.0"
}

variable "vpc_id" {
  type = string
}

variable "private_subnet_ids" {
  type = list(string)
}

variable "db_password_secret_arn" {
  type = string
}

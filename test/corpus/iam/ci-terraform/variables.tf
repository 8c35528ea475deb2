variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "github_org" {
  type    = string
  default = "example-org"
}

variable "repositories" {
  type    = list(string)
  default = ["orders", "billing", "web"]
}

variable "artifact_bucket" {
  type = string
}

variable "org_id" {
  type        = string
  description = "AWS Organizations id allowed to pull images."
}

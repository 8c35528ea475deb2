variable "environment" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "controller_ami" {
  type = string
}

variable "agent_ami" {
  type = string
}

variable "instance_profile_name" {
  type = string
}

variable "alarm_topic_arn" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}

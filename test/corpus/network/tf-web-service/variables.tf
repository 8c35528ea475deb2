variable "name" {
  description = "Name prefix for every resource of the service"
  type        = string
  default     = "billing"
}

variable "vpc_id" {
  description = "VPC the service runs in"
  type        = string
}

variable "public_subnet_ids" {
  description = "Subnets for the load balancer, one per Availability Zone"
  type        = list(string)
}

variable "private_subnet_ids" {
  description = "Subnets for the instances, one per Availability Zone"
  type        = list(string)
}

variable "certificate_arn" {
  type = string
}

variable "instance_type" {
  type    = string
  default = "t3.medium"
}

variable "app_port" {
  type    = number
  default = 8080
}

variable "min_size" {
  type    = number
  default = 2
}

variable "max_size" {
  type    = number
  default = 6
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "environment" {
  type    = string
  default = "staging"
}

variable "vpc_id" {
  type = string
}

variable "public_subnet_id" {
  type = string
}

variable "private_subnet_ids" {
  description = "Private subnets for the worker instances"
  type        = list(string)
}

variable "admin_cidr_blocks" {
  description = "Networks allowed to SSH to the bastion"
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "ssh_public_key" {
  description = "Public half of the operators' SSH key"
  type        = string
}

variable "worker_count" {
  type    = number
  default = 2
}

variable "worker_ports" {
  description = "Ports the workers serve to the rest of the VPC"
  type        = list(number)
  default     = [9100, 9200]
}

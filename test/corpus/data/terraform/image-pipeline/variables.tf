variable "organization_arn" {
  type = string
}

variable "bastion_private_key_path" {
  description = "Key used by the provisioner to reach the build bastion"
  type        = string
  default     = "~/.ssh/build-bastion.pem"
}

variable "bastion_ami" {
  type    = string
  default = "ami-0abcdef1234567890"
}

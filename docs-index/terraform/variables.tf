variable "region" {
  description = "AWS region of the production stack."
  type        = string
  default     = "eu-west-1"
}

variable "cluster_name" {
  description = "Name of the EKS cluster."
  type        = string
  default     = "pinecart-prod"
}

variable "kubernetes_version" {
  type    = string
  default = "1.30"
}

variable "orders_db_password" {
  description = "Master password of the orders database (rotated by the platform team)."
  type        = string
  sensitive   = true
  default     = "Pc-orders-2026!rotate-me"
}

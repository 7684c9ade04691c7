variable "name" {
  type = string
}

variable "namespace" {
  type = string
}

variable "service_account" {
  type = string
}

variable "oidc_provider_arn" {
  type = string
}

variable "secret_arns" {
  type    = list(string)
  default = []
}

variable "bucket_arns" {
  type    = list(string)
  default = []
}

# IAM role a Kubernetes service account assumes through the cluster's OIDC provider.
resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = var.oidc_provider_arn }
      Condition = {
        StringEquals = {
          "oidc.eks.amazonaws.com:sub" = "system:serviceaccount:${var.namespace}:${var.service_account}"
        }
      }
    }]
  })
}

resource "aws_iam_role_policy" "access" {
  name = "${var.name}-access"
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [for arn in var.secret_arns : { Effect = "Allow", Action = ["secretsmanager:GetSecretValue"], Resource = arn }],
      [for arn in var.bucket_arns : { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${arn}/*" }],
    )
  })
}

output "role_arn" {
  value = aws_iam_role.this.arn
}

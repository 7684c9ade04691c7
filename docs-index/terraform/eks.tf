module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.24"

  cluster_name    = var.cluster_name
  cluster_version = var.kubernetes_version

  vpc_id     = module.vpc.vpc_id
  subnet_ids = module.vpc.private_subnets

  cluster_endpoint_public_access = false
  enable_irsa                    = true

  eks_managed_node_groups = {
    # Runs every service of namespace shop.
    general = {
      instance_types = ["m6i.xlarge"]
      min_size       = 3
      max_size       = 6
      desired_size   = 3
      labels = {
        workload = "general"
      }
    }

    # Runs the monitoring namespace: Prometheus, Grafana, Loki and log-alerter.
    ops = {
      instance_types = ["m6i.large"]
      min_size       = 2
      max_size       = 2
      desired_size   = 2
      labels = {
        workload = "ops"
      }
      taints = {
        ops = {
          key    = "workload"
          value  = "ops"
          effect = "NO_SCHEDULE"
        }
      }
    }
  }
}

module "payments_irsa" {
  source = "./modules/irsa-role"

  name              = "pinecart-payments"
  namespace         = "shop"
  service_account   = "payments"
  oidc_provider_arn = module.eks.oidc_provider_arn
  secret_arns       = [aws_secretsmanager_secret.stripe.arn]
}

module "catalog_irsa" {
  source = "./modules/irsa-role"

  name              = "pinecart-catalog"
  namespace         = "shop"
  service_account   = "catalog"
  oidc_provider_arn = module.eks.oidc_provider_arn
  bucket_arns       = [aws_s3_bucket.product_images.arn]
}

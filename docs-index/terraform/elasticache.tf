resource "aws_elasticache_subnet_group" "main" {
  name       = "pinecart-prod"
  subnet_ids = module.vpc.private_subnets
}

# Baskets (cart) and web sessions (storefront).
resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "pinecart-sessions"
  description                = "Redis for cart baskets and storefront sessions"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = "cache.r6g.large"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  subnet_group_name          = aws_elasticache_subnet_group.main.name
  transit_encryption_enabled = true
  auth_token                 = "redis-auth-token-7f3a9c2e1b"
}

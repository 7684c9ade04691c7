output "cluster_name" {
  value = module.eks.cluster_name
}

output "orders_db_endpoint" {
  value = aws_db_instance.orders.endpoint
}

output "sessions_redis_endpoint" {
  value = aws_elasticache_replication_group.sessions.primary_endpoint_address
}

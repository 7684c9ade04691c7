resource "aws_db_subnet_group" "main" {
  name       = "pinecart-prod"
  subnet_ids = module.vpc.private_subnets
}

# Orders and checkout. PostgreSQL since the 2023 migration off MySQL.
resource "aws_db_instance" "orders" {
  identifier              = "pinecart-orders"
  engine                  = "postgres"
  engine_version          = "15.7"
  instance_class          = "db.r6g.large"
  allocated_storage       = 200
  storage_type            = "gp3"
  multi_az                = true
  db_name                 = "orders"
  username                = "orders_admin"
  password                = var.orders_db_password
  db_subnet_group_name    = aws_db_subnet_group.main.name
  vpc_security_group_ids  = [aws_security_group.databases.id]
  backup_retention_period = 14
  deletion_protection     = true
}

resource "aws_db_instance" "catalog" {
  identifier                  = "pinecart-catalog"
  engine                      = "postgres"
  engine_version              = "15.7"
  instance_class              = "db.t4g.medium"
  allocated_storage           = 50
  db_name                     = "catalog"
  username                    = "catalog_admin"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.main.name
  vpc_security_group_ids      = [aws_security_group.databases.id]
}

resource "aws_security_group" "databases" {
  name        = "pinecart-databases"
  description = "PostgreSQL from the EKS nodes"
  vpc_id      = module.vpc.vpc_id

  ingress {
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [module.eks.node_security_group_id]
  }
}

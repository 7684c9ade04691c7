region             = "eu-west-1"
cluster_name       = "pinecart-prod"
kubernetes_version = "1.30"
orders_db_password = "Pc-orders-2026!rotate-me"

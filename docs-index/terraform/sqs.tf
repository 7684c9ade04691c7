resource "aws_sqs_queue" "order_events" {
  name                       = "order-events"
  visibility_timeout_seconds = 60
  message_retention_seconds  = 345600
}

resource "aws_secretsmanager_secret" "stripe" {
  name        = "prod/payments/stripe"
  description = "Stripe API key for the payments service"
}

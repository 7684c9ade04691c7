resource "aws_s3_bucket" "product_images" {
  bucket = "pinecart-product-images"
}

resource "aws_s3_bucket" "logs_archive" {
  bucket = "pinecart-logs-archive"
}

resource "aws_s3_bucket_lifecycle_configuration" "logs_archive" {
  bucket = aws_s3_bucket.logs_archive.id

  rule {
    id     = "expire-after-90-days"
    status = "Enabled"

    expiration {
      days = 90
    }
  }
}

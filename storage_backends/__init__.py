"""Storage backends: where artifacts live (local disk, S3/MinIO)."""

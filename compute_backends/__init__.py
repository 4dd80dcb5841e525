"""Compute backends: where a node's process runs (this machine, Kubernetes)."""

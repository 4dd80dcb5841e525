"""Artifacts: files kept by a storage backend, uploaded or produced by runs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import QuerySet

from .projects import Project


class ArtifactQuerySet(QuerySet["Artifact"]):
    def visible_to(self, user: Any) -> ArtifactQuerySet:
        return self.filter(project__memberships__user=user).distinct()


class Artifact(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="artifacts")
    name = models.CharField(max_length=255)
    storage_backend = models.CharField(max_length=40, default="local")
    # Key inside the backend (relative, no `..`); never a host path.
    location = models.CharField(max_length=1024)
    # The backend's public options (endpoint, bucket, prefix...) and the linked account
    # whose secrets open it; secrets typed in for one run stay on that run.
    storage_options = models.JSONField(default=dict, blank=True)
    storage_account = models.ForeignKey(
        "credentials.LinkedAccount",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="artifacts",
    )
    size = models.BigIntegerField()
    checksum = models.CharField(max_length=64, help_text="sha256 of the content")
    content_type = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # Set when a node run produced it; uploads leave it empty.
    produced_by = models.ForeignKey(
        "runs.NodeRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="artifacts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ArtifactQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

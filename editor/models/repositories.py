"""Git repositories a project imports its YAML pipelines from (and pushes edits back to)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .projects import Project


class GitRepository(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="git_repositories")
    # Never holds credentials: those live, encrypted, in secret_ciphertext.
    url = models.CharField(max_length=500)
    branch = models.CharField(max_length=200, default="main")
    # The folder of the repository whose `*/main.yml` are pipelines ("" for the top).
    path = models.CharField(max_length=300, blank=True, default="")
    # Fernet ciphertext of {"token": ...} or {"username": ..., "password": ...}; never serialized.
    secret_ciphertext = models.TextField(blank=True, default="")
    last_commit = models.CharField(max_length=64, blank=True, default="")
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project_id", "id"]

    def __str__(self) -> str:
        return f"{self.url} ({self.branch})"

    def secrets(self) -> dict[str, str]:
        from credentials.crypto import decrypt_json

        return {str(k): str(v) for k, v in decrypt_json(self.secret_ciphertext).items()}

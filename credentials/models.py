"""Linked accounts: a user's saved credentials for one backend, encrypted at rest."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from .crypto import decrypt_json, encrypt_json


class LinkedAccount(models.Model):
    KIND_CHOICES = [("compute", "Compute"), ("storage", "Storage")]

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="linked_accounts"
    )
    kind = models.CharField(max_length=10, choices=KIND_CHOICES)
    backend = models.CharField(max_length=40)
    label = models.CharField(max_length=120)
    # Options that are not secret (endpoint, bucket, namespace...), shown back to the owner.
    options = models.JSONField(default=dict, blank=True)
    # The secret options as Fernet ciphertext; never serialized, logged or exported.
    secret_ciphertext = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_check_ok = models.BooleanField(null=True)

    class Meta:
        ordering = ["kind", "backend", "label"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "kind", "backend", "label"], name="unique_account_label")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.kind} {self.backend})"

    def __repr__(self) -> str:
        return f"<LinkedAccount {self.pk} {self.kind}/{self.backend} {self.label!r}>"

    @property
    def secrets(self) -> dict[str, Any]:
        return decrypt_json(self.secret_ciphertext)

    @secrets.setter
    def secrets(self, values: dict[str, Any]) -> None:
        self.secret_ciphertext = encrypt_json(values) if values else ""

    @property
    def secret_fields_set(self) -> list[str]:
        return sorted(self.secrets)

    def resolved_options(self) -> dict[str, Any]:
        """Public and secret options together, for instantiating the backend."""
        return {**self.options, **self.secrets}

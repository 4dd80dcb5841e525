"""Deployments: a pipeline version started by an execution rule (an HTTP endpoint, or a
cron schedule) with its inputs and outputs mapped to constants, call values, files,
environment variables or storage paths (runs/mappings.py, docs/deployments.md).

Endpoint tokens are kept as sha256 digests only; the token itself is shown once.
Environment variables belong to a project; secret ones are stored encrypted.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from editor.models import Pipeline, PipelineVersion, Project

DEPLOYMENT_NAME = r"^[a-z0-9][a-z0-9-]{1,62}$"
VARIABLE_NAME = r"^[A-Z_][A-Z0-9_]{0,127}$"
MAX_WAIT_SECONDS = 300


class DeploymentRule(models.TextChoices):
    ENDPOINT = "endpoint", "HTTP endpoint"
    PERIODIC = "periodic", "Periodic (cron)"


class Deployment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="deployments")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="deployments")
    pipeline_version = models.ForeignKey(
        PipelineVersion, on_delete=models.PROTECT, related_name="deployments"
    )
    # The public name: `POST /endpoints/<name>`; unique across the installation.
    name = models.CharField(max_length=63, unique=True, validators=[RegexValidator(DEPLOYMENT_NAME)])
    rule = models.CharField(max_length=10, choices=DeploymentRule.choices)
    enabled = models.BooleanField(default=True)
    # How long a call waits for its run before answering 202 with a URL to poll.
    wait_seconds = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(0), MaxValueValidator(MAX_WAIT_SECONDS)]
    )
    rate_limit_per_minute = models.PositiveIntegerField(default=60, validators=[MinValueValidator(1)])
    max_body_bytes = models.PositiveIntegerField(default=1024 * 1024, validators=[MinValueValidator(1)])
    # Step input key ("<pipeline input>" or "node.port") -> mapping; step output
    # ("node.port") -> mapping (runs/mappings.py).
    input_mappings = models.JSONField(default=dict)
    output_mappings = models.JSONField(default=dict)
    # The execution config every run starts with, without inputs (public options only).
    config = models.JSONField(default=dict)
    # Backend secrets typed in at creation, as on Run.secret_ciphertext.
    secret_ciphertext = models.TextField(blank=True, default="")
    # The schedule that fires a periodic deployment.
    recurring_run = models.OneToOneField(
        "runs.RecurringRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="deployment"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class EndpointToken(models.Model):
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="tokens")
    # The first characters of the token, to tell tokens apart in lists.
    prefix = models.CharField(max_length=12)
    # sha256 hex digest of the whole token; the token itself is never stored.
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.deployment} {self.prefix}…"


class DeploymentCall(models.Model):
    """One authenticated call of an endpoint deployment, or one tick of a periodic one."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="calls")
    run = models.ForeignKey("runs.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status_code = models.PositiveSmallIntegerField()
    latency_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["deployment", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.deployment} {self.status_code}"


class EnvironmentVariable(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="environment_variables")
    name = models.CharField(max_length=128, validators=[RegexValidator(VARIABLE_NAME)])
    secret = models.BooleanField(default=False)
    # Plain value of a variable that is not secret; empty for secret ones.
    value = models.TextField(blank=True, default="")
    # Fernet ciphertext of {"value": ...} for secret ones (credentials/crypto.py).
    value_ciphertext = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="environment_variable_name_per_project")
        ]

    def __str__(self) -> str:
        return self.name

    def read(self) -> str:
        """The value, decrypted when secret."""
        if not self.secret:
            return self.value
        from credentials.crypto import decrypt_json

        return str(decrypt_json(self.value_ciphertext).get("value", ""))

    def write(self, value: str) -> None:
        """Set the value in memory: encrypted when secret, plain otherwise."""
        from credentials.crypto import encrypt_json

        if self.secret:
            self.value, self.value_ciphertext = "", encrypt_json({"value": value})
        else:
            self.value, self.value_ciphertext = value, ""

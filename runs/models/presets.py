"""What a user chose in the execute dialog for a pipeline, kept to prefill it next time."""

from django.conf import settings
from django.db import models

from editor.models import Pipeline


class ExecutionPreset(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="execution_presets"
    )
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="execution_presets")
    # name, debug, experiment, compute/storage {backend, options (public only), account}.
    # Never a secret: those live in linked accounts and are referred to by id.
    config = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "pipeline"], name="one_preset_per_user_pipeline")
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.pipeline}"

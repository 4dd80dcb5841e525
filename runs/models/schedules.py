"""Recurring runs: a pipeline version started again and again on a schedule.

The schedule lives in the database and is read at every poll of the beat task
(runs/schedules.py), so editing it takes effect without restarting anything. Each
tick that came due is recorded once (a unique row per schedule and tick time),
which is what makes several beat processes fire a tick once between them.
"""

from django.conf import settings
from django.db import models

from editor.models import Pipeline, PipelineVersion, Project


class TriggerKind(models.TextChoices):
    INTERVAL = "interval", "Every…"
    CRON = "cron", "Cron expression"


class TickOutcome(models.TextChoices):
    STARTED = "started", "Started a run"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed to start"


class RecurringRun(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="recurring_runs")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="recurring_runs")
    pipeline_version = models.ForeignKey(
        PipelineVersion, on_delete=models.PROTECT, related_name="recurring_runs"
    )
    name = models.CharField(max_length=120)
    # The execution config every run starts with (public options only, as on a Run).
    config = models.JSONField(default=dict)
    # Backend secrets typed in when it was created, as on Run.secret_ciphertext.
    secret_ciphertext = models.TextField(blank=True, default="")
    trigger = models.CharField(max_length=10, choices=TriggerKind.choices, default=TriggerKind.INTERVAL)
    interval_seconds = models.PositiveIntegerField(null=True, blank=True)
    cron = models.CharField(max_length=120, blank=True)
    # The IANA zone a cron expression is read in ("0 9 * * *" is 9:00 there).
    timezone = models.CharField(max_length=64, default="UTC")
    start_at = models.DateTimeField(null=True, blank=True)
    end_at = models.DateTimeField(null=True, blank=True)
    max_concurrent = models.PositiveSmallIntegerField(default=1)
    enabled = models.BooleanField(default=True)
    # When it fires next; None when disabled or past its end.
    next_fire_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="recurring_run_name_per_pipeline")
        ]
        indexes = [models.Index(fields=["enabled", "next_fire_at"])]

    def __str__(self) -> str:
        return self.name


class RecurringTick(models.Model):
    """One tick of a schedule that came due, and what came of it."""

    recurring_run = models.ForeignKey(RecurringRun, on_delete=models.CASCADE, related_name="ticks")
    tick_at = models.DateTimeField()
    fired_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=TickOutcome.choices)
    run = models.ForeignKey("runs.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-tick_at"]
        constraints = [
            models.UniqueConstraint(fields=["recurring_run", "tick_at"], name="one_firing_per_tick")
        ]

    def __str__(self) -> str:
        return f"{self.recurring_run} @ {self.tick_at:%Y-%m-%d %H:%M:%S}"

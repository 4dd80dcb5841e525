"""A Run executes one frozen pipeline version; a NodeRun is one node of it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from editor.models import OperationVersion, Pipeline, PipelineVersion, Project
from runs.choices import NODE_TRANSITIONS, RUN_TRANSITIONS, NodeState, RunState


class IllegalTransition(Exception):
    """A state change that the state machine does not allow."""


class Run(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="runs")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="runs")
    pipeline_version = models.ForeignKey(PipelineVersion, on_delete=models.PROTECT, related_name="runs")
    experiment = models.ForeignKey(
        "runs.Experiment", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    name = models.CharField(max_length=160)
    state = models.CharField(max_length=12, choices=RunState.choices, default=RunState.PENDING)
    debug = models.BooleanField(default=False)
    # Execution config without secrets: backends, options, caching, inputs.
    config = models.JSONField(default=dict)
    # Backend secrets typed in for this run only (not from a linked account), as
    # Fernet ciphertext of {"compute": {...}, "storage": {...}, "inputs": {"<artifact id>":
    # {...}}} (the last: credentials for input artifacts, runs/inputs.py); never serialized.
    secret_ciphertext = models.TextField(blank=True, default="")
    error = models.TextField(blank=True)
    # The git commit of its pipeline version, when that came from (or went to) a repository.
    git_commit = models.CharField(max_length=64, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The last RunEvent sequence number handed out for this run.
    last_event_seq = models.PositiveBigIntegerField(default=0)
    # Archived runs leave the default lists; restoring clears it.
    archived_at = models.DateTimeField(null=True, blank=True)
    # The run this one was cloned from (same pipeline version, inputs and choices).
    cloned_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="clones"
    )
    # The recurring run whose tick started this run.
    recurring_run = models.ForeignKey(
        "runs.RecurringRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    # The deployment (endpoint call or periodic tick) that started this run.
    deployment = models.ForeignKey(
        "runs.Deployment", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["pipeline", "name"], name="run_name_per_pipeline")]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return self.name

    def backend_secrets(self, kind: str) -> dict[str, Any]:
        from credentials.crypto import decrypt_json

        secrets: dict[str, Any] = decrypt_json(self.secret_ciphertext).get(kind, {})
        return secrets

    def move_to(self, state: str, error: str = "") -> None:
        """Change state in memory, refusing transitions the state machine forbids."""
        if state not in RUN_TRANSITIONS.get(self.state, frozenset()):
            raise IllegalTransition(f"run {self.pk}: {self.state} -> {state}")
        now = timezone.now()
        if state == RunState.RUNNING and self.started_at is None:
            self.started_at = now
        if state in RunState.terminal():
            self.finished_at = now
        self.state = state
        if error:
            self.error = error


class NodeRun(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="node_runs")
    node_id = models.CharField(max_length=64)
    operation_version = models.ForeignKey(
        OperationVersion, on_delete=models.PROTECT, related_name="node_runs"
    )
    state = models.CharField(max_length=10, choices=NodeState.choices, default=NodeState.PENDING)
    attempt = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # When its task was last sent (or is due, for a retry): a queued node whose message
    # was lost with the broker's data is sent again after PIPEWRIGHT_REQUEUE_SECONDS.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    exit_code = models.IntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    progress = models.FloatField(default=0)
    metrics = models.JSONField(default=dict)
    # Output port name -> {"artifact": id} or {"value": json}.
    outputs = models.JSONField(default=dict)
    # The key that makes an earlier result reusable (operation, params, inputs).
    cache_key = models.CharField(max_length=64, blank=True, db_index=True)
    worker = models.CharField(max_length=200, blank=True)
    # GPU device ids the node was given (CUDA_VISIBLE_DEVICES), empty without GPUs.
    gpus = models.JSONField(default=list, blank=True)
    # The Celery task that holds this node now; a redelivered copy of it means its worker died.
    task_id = models.CharField(max_length=64, blank=True)
    # What the node printed (stdout and stderr), kept to the last PIPEWRIGHT_LOG_TAIL_BYTES.
    log = models.TextField(blank=True)

    class Meta:
        ordering = ["run_id", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "node_id"], name="one_node_run_per_node")]
        indexes = [models.Index(fields=["state", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.run} / {self.node_id}"

    def move_to(self, state: str, error: str = "") -> None:
        """Change state in memory, refusing transitions the state machine forbids."""
        if state not in NODE_TRANSITIONS.get(self.state, frozenset()):
            raise IllegalTransition(f"node run {self.pk}: {self.state} -> {state}")
        now = timezone.now()
        if state == NodeState.RUNNING:
            self.started_at = now
            self.heartbeat_at = now
        if state in NodeState.terminal():
            self.finished_at = now
        self.state = state
        if error:
            self.error = error

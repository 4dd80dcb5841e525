"""Pipelines (the editable draft graph) and their frozen, content-hashed versions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import QuerySet

from editor.hashing import content_hash

from .immutable import ImmutableModel
from .projects import Project


def empty_graph() -> dict[str, list[object]]:
    return {"nodes": [], "edges": [], "inputs": []}


class PipelineQuerySet(QuerySet["Pipeline"]):
    def visible_to(self, user: Any) -> PipelineQuerySet:
        return self.filter(project__memberships__user=user).distinct()


class Pipeline(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="pipelines")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    # The live draft the editor works on; runs never execute it directly.
    graph = models.JSONField(default=empty_graph)
    # Bumped on every change of the draft (graph, name, description) so a save
    # made from an out-of-date copy can be refused instead of overwriting.
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The git repository it was imported from or pushed to, and its folder there.
    repository = models.ForeignKey(
        "editor.GitRepository", null=True, blank=True, on_delete=models.SET_NULL, related_name="pipelines"
    )
    repository_folder = models.CharField(max_length=300, blank=True, default="")

    objects = PipelineQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="pipeline_name_per_project")]

    def __str__(self) -> str:
        return self.name

    @property
    def node_count(self) -> int:
        return len(self.graph.get("nodes", []))


class PipelineVersion(ImmutableModel):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    # Frozen graph: nodes reference operation *versions*, never live operations.
    graph = models.JSONField()
    # Run names and user labels; the only part of a version that may grow.
    tags = models.JSONField(default=list)
    # The git commit this content came from (sync) or went to (push).
    git_commit = models.CharField(max_length=64, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pipeline", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "number"], name="pipeline_version_number"),
            models.UniqueConstraint(fields=["pipeline", "content_hash"], name="pipeline_version_content"),
        ]

    def __str__(self) -> str:
        return f"{self.pipeline} v{self.number}"

    @staticmethod
    def hash_of(graph: dict[str, object]) -> str:
        return content_hash(graph)

    def add_tag(self, tag: str) -> None:
        """Record a tag without touching the frozen content."""
        if tag not in self.tags:
            self.tags = [*self.tags, tag]
            PipelineVersion.objects.filter(pk=self.pk).update(tags=self.tags)

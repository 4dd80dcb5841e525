"""Operations and their immutable versions.

An Operation is a named, editable entry in the library; each change of its
code or signature creates a new OperationVersion, identified by a content
hash. Runs only ever reference versions, so editing never alters the past.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet

from editor.choices import OperationKind
from editor.hashing import content_hash

from .immutable import ImmutableModel
from .projects import Project


class OperationQuerySet(QuerySet["Operation"]):
    def visible_to(self, user: Any) -> OperationQuerySet:
        """Built-in operations plus those of the user's projects."""
        return self.filter(Q(project__isnull=True) | Q(project__memberships__user=user)).distinct()


class Operation(models.Model):
    # null project: the built-in library, readable by everyone, editable by nobody.
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="operations"
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=60, blank=True, default="General")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OperationQuerySet.as_manager()

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "slug"], name="operation_slug_per_project"),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(project__isnull=True),
                name="builtin_operation_slug_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def builtin(self) -> bool:
        return self.project_id is None

    @property
    def latest_version(self) -> OperationVersion | None:
        return self.versions.order_by("-number").first()


class OperationVersion(ImmutableModel):
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=OperationKind.choices, default=OperationKind.PYTHON)
    inputs = models.JSONField(default=list)
    outputs = models.JSONField(default=list)
    parameters = models.JSONField(default=list)
    resources = models.JSONField(default=dict)
    # Python operations: the module source and the function to call in it.
    source = models.TextField(blank=True)
    entrypoint = models.CharField(max_length=100, blank=True, default="run")
    requirements = models.JSONField(default=list)
    # Container operations: what to run.
    image = models.CharField(max_length=300, blank=True)
    command = models.JSONField(default=list)
    args = models.JSONField(default=list)
    # Container operations: mounts, secrets, config maps, pull policy and node selector of
    # their pod (editor.schemas.KubernetesSpec), each key left out when empty.
    kubernetes = models.JSONField(default=dict, blank=True)
    # Safe to run twice, even at once (writes only its own outputs, or upserts): when the
    # worker running it is lost, the reaper may start it again without knowing whether
    # the first attempt still runs somewhere. Not idempotent: failed instead (docs/engine.md).
    idempotent = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["operation", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "number"], name="operation_version_number"),
            models.UniqueConstraint(fields=["operation", "content_hash"], name="operation_version_content"),
        ]

    def __str__(self) -> str:
        return f"{self.operation} v{self.number}"

    HASHED_FIELDS = (
        "kind",
        "inputs",
        "outputs",
        "parameters",
        "resources",
        "source",
        "entrypoint",
        "requirements",
        "image",
        "command",
        "args",
    )
    # Hashed only when set, so versions made before it existed keep their hashes.
    OPTIONAL_HASHED_FIELDS = ("kubernetes", "idempotent")
    # Everything that makes a version what it is (what a copy of it copies).
    CONTENT_FIELDS = HASHED_FIELDS + OPTIONAL_HASHED_FIELDS

    @classmethod
    def hash_of(cls, content: dict[str, Any]) -> str:
        hashed = {field: content.get(field) for field in cls.HASHED_FIELDS}
        hashed.update({field: content[field] for field in cls.OPTIONAL_HASHED_FIELDS if content.get(field)})
        return content_hash(hashed)

"""Serializers of the editor API: shape and validate, never decide business rules."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from editor.artifacts import needs_credentials
from editor.choices import OperationKind, Role
from editor.containers import MAX_ITEM_LENGTH, MAX_ITEMS, container_problems
from editor.graph import GraphInvalid, Problem
from editor.models import (
    Artifact,
    Membership,
    Operation,
    OperationVersion,
    Pipeline,
    PipelineVersion,
    Project,
)
from editor.operations import parse_interface
from editor.pipelines import validate_draft


def problem_text(problem: Problem) -> str:
    where = ", ".join(
        f"{label} {value}"
        for label, value in (("node", problem.node), ("port", problem.port), ("edge", problem.edge))
        if value
    )
    return f"{where}: {problem.message}" if where else problem.message


def editable_projects(user: Any) -> QuerySet[Project]:
    return Project.objects.filter(
        memberships__user=user, memberships__role__in=[Role.EDITOR, Role.OWNER]
    ).distinct()


@extend_schema_field(OpenApiTypes.INT)
class ProjectField(serializers.PrimaryKeyRelatedField):
    """A project the requesting user may edit; others look like they do not exist."""

    def get_queryset(self) -> QuerySet[Project]:
        return editable_projects(self.context["request"].user)


class UserNameField(serializers.CharField):
    def to_representation(self, value: Any) -> str:
        return str(value.get_username())


class ProjectSerializer(serializers.ModelSerializer[Project]):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "name", "slug", "description", "role", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"slug": {"required": False}}

    def get_role(self, project: Project) -> str | None:
        return project.role_of(self.context["request"].user)


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    username = serializers.SlugRelatedField(
        source="user", slug_field="username", queryset=get_user_model().objects.all()
    )

    class Meta:
        model = Membership
        fields = ["id", "username", "role", "created_at"]
        read_only_fields = ["created_at"]


def text_list(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=MAX_ITEM_LENGTH),
        required=False,
        max_length=MAX_ITEMS,
        help_text=help_text,
    )


class OperationVersionSerializer(serializers.ModelSerializer[OperationVersion]):
    command = text_list(
        "Container operations: the command to run (empty: the image's entrypoint). "
        "`{{name}}` is replaced by a parameter's value, an input's path or an output's path."
    )
    args = text_list("Container operations: the arguments, with `{{name}}` placeholders as in `command`.")
    kubernetes = serializers.JSONField(
        required=False,
        help_text="Container operations: what the pod needs besides resources: `mounts` "
        "([{name, path, claim}]: persistent volume claims), `secrets`, `config_maps` (names), "
        "`pull_policy` (Always, IfNotPresent, Never), `node_selector` ({label: value}).",
    )
    requirements = serializers.ListField(
        child=serializers.CharField(max_length=300),
        required=False,
        help_text="Python operations: pip requirements.",
    )

    class Meta:
        model = OperationVersion
        fields = [
            "id",
            "operation",
            "number",
            "content_hash",
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
            "kubernetes",
            "idempotent",
            "created_at",
        ]
        read_only_fields = ["id", "operation", "number", "content_hash", "created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            interface = parse_interface(attrs)
        except GraphInvalid as exc:
            field_errors: dict[str, list[str]] = {}
            for problem in exc.problems:
                field = problem.message.partition(".")[0]
                key = (
                    field if field in ("inputs", "outputs", "parameters", "resources") else "non_field_errors"
                )
                field_errors.setdefault(key, []).append(problem.message)
            raise serializers.ValidationError(field_errors) from exc
        kind = attrs.get("kind", OperationKind.PYTHON)
        if kind == OperationKind.PYTHON and not attrs.get("source", "").strip():
            raise serializers.ValidationError({"source": ["A Python operation needs source code."]})
        if kind == OperationKind.CONTAINER:
            problems = container_problems(
                attrs.get("image", "").strip(),
                attrs.get("command", []),
                attrs.get("args", []),
                interface,
                attrs.get("kubernetes"),
            )
            if problems:
                raise serializers.ValidationError(problems)
        return attrs


class OperationVersionSummarySerializer(serializers.ModelSerializer[OperationVersion]):
    class Meta:
        model = OperationVersion
        fields = [
            "id",
            "number",
            "content_hash",
            "kind",
            "inputs",
            "outputs",
            "parameters",
            "resources",
            "idempotent",
            "created_at",
        ]


class OperationSerializer(serializers.ModelSerializer[Operation]):
    project = ProjectField(allow_null=False)
    builtin = serializers.BooleanField(read_only=True)
    latest_version = OperationVersionSummarySerializer(read_only=True)

    class Meta:
        model = Operation
        validators: list[object] = []  # uniqueness is checked in validate(), per field
        fields = [
            "id",
            "project",
            "name",
            "slug",
            "description",
            "category",
            "builtin",
            "latest_version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        project = attrs.get("project", getattr(self.instance, "project", None))
        slug = attrs.get("slug", getattr(self.instance, "slug", None))
        clash = Operation.objects.filter(project=project, slug=slug)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                {"slug": ["An operation with this slug already exists in the project."]}
            )
        return attrs


class DuplicateOperationSerializer(serializers.Serializer[Any]):
    """Where a copy of an operation goes, and optionally its name."""

    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.all(), help_text="A project in which you are an editor or owner."
    )
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=120, help_text="Default: the name with ` (copy)`."
    )

    def validate_project(self, project: Project) -> Project:
        user = self.context["request"].user
        if not project.memberships.filter(user=user).exists():
            # Projects of others look like they do not exist.
            raise serializers.ValidationError(f'Invalid pk "{project.pk}" - object does not exist.')
        return project


class PipelineVersionSummarySerializer(serializers.ModelSerializer[PipelineVersion]):
    class Meta:
        model = PipelineVersion
        fields = ["id", "number", "content_hash", "git_commit", "created_at"]


class PipelineSerializer(serializers.ModelSerializer[Pipeline]):
    project = ProjectField()
    project_name = serializers.CharField(source="project.name", read_only=True)
    node_count = serializers.IntegerField(read_only=True)
    latest_version = serializers.SerializerMethodField()
    created_by = UserNameField(read_only=True)
    revision = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The draft's revision. On PUT/PATCH send the one you last read: "
        "a save made from an older one is refused with 409.",
    )

    class Meta:
        model = Pipeline
        validators: list[object] = []  # uniqueness is checked in validate(), per field
        fields = [
            "id",
            "project",
            "project_name",
            "name",
            "description",
            "node_count",
            "latest_version",
            "revision",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_latest_version(self, pipeline: Pipeline) -> dict[str, Any] | None:
        # Views prefetch versions newest-first, so this costs no query per row.
        versions = list(pipeline.versions.all())
        return PipelineVersionSummarySerializer(versions[0]).data if versions else None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        project = attrs.get("project", getattr(self.instance, "project", None))
        name = attrs.get("name", getattr(self.instance, "name", None))
        clash = Pipeline.objects.filter(project=project, name=name)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                {"name": ["A pipeline with this name already exists in the project."]}
            )
        return attrs


class PipelineDetailSerializer(PipelineSerializer):
    graph = serializers.JSONField(required=False)

    class Meta(PipelineSerializer.Meta):
        fields = [*PipelineSerializer.Meta.fields, "graph"]

    def validate_graph(self, value: Any) -> dict[str, Any]:
        try:
            return validate_draft(value, self.context["request"].user)
        except GraphInvalid as exc:
            raise serializers.ValidationError([problem_text(p) for p in exc.problems]) from exc


class RevisionSerializer(serializers.Serializer[Any]):
    """An optional `revision`: the draft revision the client last read."""

    revision = serializers.IntegerField(required=False, min_value=1)


class StaleRevisionSerializer(serializers.Serializer[Any]):
    """The 409 answer to a change made from an out-of-date revision."""

    detail = serializers.CharField()
    current_revision = serializers.IntegerField()


class PipelineVersionSerializer(serializers.ModelSerializer[PipelineVersion]):
    created_by = UserNameField(read_only=True)

    class Meta:
        model = PipelineVersion
        fields = [
            "id",
            "pipeline",
            "number",
            "content_hash",
            "git_commit",
            "tags",
            "created_by",
            "created_at",
        ]


class PipelineVersionDetailSerializer(PipelineVersionSerializer):
    class Meta(PipelineVersionSerializer.Meta):
        fields = [*PipelineVersionSerializer.Meta.fields, "graph"]


class ArtifactSerializer(serializers.ModelSerializer[Artifact]):
    created_by = UserNameField(read_only=True)
    download_url = serializers.SerializerMethodField()
    needs_credentials = serializers.SerializerMethodField(
        help_text="a run of yours with it as an input must bring your own credentials for its storage "
        "(`input_credentials`): they are someone else's"
    )
    run = serializers.IntegerField(
        source="produced_by.run_id", read_only=True, default=None, help_text="the run that made it"
    )
    run_name = serializers.CharField(source="produced_by.run.name", read_only=True, default=None)
    node_id = serializers.CharField(
        source="produced_by.node_id", read_only=True, default=None, help_text="the node that made it"
    )

    class Meta:
        model = Artifact
        fields = [
            "id",
            "project",
            "name",
            "storage_backend",
            "size",
            "checksum",
            "content_type",
            "created_by",
            "produced_by",
            "run",
            "run_name",
            "node_id",
            "created_at",
            "download_url",
            "needs_credentials",
        ]

    def get_download_url(self, artifact: Artifact) -> str:
        return f"/api/artifacts/{artifact.pk}/download/"

    def get_needs_credentials(self, artifact: Artifact) -> bool:
        request = self.context.get("request")
        return request is not None and needs_credentials(artifact, request.user)


class PipelineImportSerializer(serializers.Serializer[Any]):
    """A YAML pipeline to import: its main.yml, or a zip of its directory."""

    project = ProjectField(help_text="A project in which you are an editor or owner.")
    file = serializers.FileField(
        help_text="main.yml, or a .zip of the directory holding main.yml and its files."
    )


class ImportProblemSerializer(serializers.Serializer[Any]):
    file = serializers.CharField()
    line = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()


class ImportProblemsSerializer(serializers.Serializer[Any]):
    """The 400 answer of an import: every problem, with its file and line."""

    problems = ImportProblemSerializer(many=True)


class ArtifactUploadSerializer(serializers.Serializer[Any]):
    project = ProjectField()
    file = serializers.FileField()
    name = serializers.CharField(required=False, max_length=255)

"""Editor API views: parse, authorize, call one domain function, serialize."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, HttpResponse
from django.utils.text import slugify
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from editor.artifacts import delete_artifact, open_artifact, store_artifact
from editor.choices import Role
from editor.graph import GraphInvalid
from editor.models import Artifact, Operation, OperationVersion, Pipeline, PipelineVersion, Project
from editor.operations import create_operation_version, duplicate_operation
from editor.permissions import HasProjectRole
from editor.pipelines import StaleRevision, freeze_version, restore_version, save_draft, validate_draft
from editor.projects import add_member, create_project
from editor.schemas import FILES_MAX_BYTES
from editor.yaml_pipelines import (
    MAIN_FILE,
    MAIN_MAX_BYTES,
    ExportInvalid,
    ImportInvalid,
    export_yaml,
    export_zip,
    import_files,
    read_zip,
)

from .serializers import (
    ArtifactSerializer,
    ArtifactUploadSerializer,
    DuplicateOperationSerializer,
    ImportProblemsSerializer,
    MembershipSerializer,
    OperationSerializer,
    OperationVersionSerializer,
    PipelineDetailSerializer,
    PipelineImportSerializer,
    PipelineSerializer,
    PipelineVersionDetailSerializer,
    PipelineVersionSerializer,
    ProjectSerializer,
    RevisionSerializer,
    StaleRevisionSerializer,
    problem_text,
)


def stale(exc: StaleRevision) -> Response:
    return Response(exc.as_dict(), status=status.HTTP_409_CONFLICT)


def expected_revision(request: Request) -> int | None:
    """The optional `revision` in the body of an action (400 when it is not a number)."""
    serializer = RevisionSerializer(data=request.data if isinstance(request.data, dict) else {})
    serializer.is_valid(raise_exception=True)
    revision: int | None = serializer.validated_data.get("revision")
    return revision


def pipeline_filename(pipeline: Pipeline) -> str:
    return slugify(pipeline.name) or f"pipeline-{pipeline.pk}"


def project_filter(request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Apply `?project=<id>` when given; a non-number is a 400 naming the parameter."""
    value = request.query_params.get("project")
    if value is None or value == "":
        return queryset
    if not value.isdigit():
        raise serializers.ValidationError({"project": ["Must be a project id (a whole number)."]})
    return queryset.filter(project_id=int(value))


class MeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    is_staff = serializers.BooleanField()


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        return Response({"id": user.pk, "username": user.get_username(), "is_staff": user.is_staff})


class ProjectViewSet(viewsets.ModelViewSet[Project]):
    serializer_class = ProjectSerializer
    permission_classes = [permissions.IsAuthenticated, HasProjectRole]

    def get_queryset(self) -> QuerySet[Project]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Project.objects.none()
        return Project.objects.visible_to(self.request.user)

    def perform_create(self, serializer: ProjectSerializer) -> None:  # type: ignore[override]
        serializer.instance = create_project(user=self.request.user, **serializer.validated_data)

    @extend_schema(responses=MembershipSerializer(many=True))
    @action(detail=True, methods=["get", "post"], serializer_class=MembershipSerializer)
    def members(self, request: Request, pk: str | None = None) -> Response:
        project = self.get_object()
        if request.method == "GET":
            memberships = project.memberships.select_related("user").order_by("user__username")
            return Response(MembershipSerializer(memberships, many=True).data)
        if not project.allows(request.user, Role.OWNER):
            raise PermissionDenied("Only an owner of the project can change its members.")
        serializer = MembershipSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = add_member(project, serializer.validated_data["user"], serializer.validated_data["role"])
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class OperationViewSet(viewsets.ModelViewSet[Operation]):
    serializer_class = OperationSerializer
    permission_classes = [permissions.IsAuthenticated, HasProjectRole]
    # Duplicating only reads the operation (a built-in one too); the target project is checked apart.
    viewer_actions = frozenset({"duplicate"})

    def get_queryset(self) -> QuerySet[Operation]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Operation.objects.none()
        queryset = Operation.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("versions", queryset=OperationVersion.objects.order_by("-number"))
        )
        return project_filter(self.request, queryset)

    def perform_create(self, serializer: OperationSerializer) -> None:  # type: ignore[override]
        serializer.save(created_by=self.request.user)

    @action(detail=True, methods=["get", "post"], serializer_class=OperationVersionSerializer)
    def versions(self, request: Request, pk: str | None = None) -> Response:
        """List versions, or POST new content: identical content returns the existing version."""
        operation = self.get_object()
        if request.method == "GET":
            return Response(OperationVersionSerializer(operation.versions.all(), many=True).data)
        serializer = OperationVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version, created = create_operation_version(operation, serializer.validated_data, request.user)
        return Response(
            OperationVersionSerializer(version).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=DuplicateOperationSerializer, responses={201: OperationSerializer})
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, pk: str | None = None) -> Response:
        """Copy the operation into a project you edit: its latest version becomes the copy's version 1."""
        operation = self.get_object()
        serializer = DuplicateOperationSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        project = serializer.validated_data["project"]
        if not project.allows(request.user, Role.EDITOR):
            raise PermissionDenied(f"Only an editor of {project.name} can add operations to it.")
        name = serializer.validated_data.get("name", "")
        copy = duplicate_operation(operation, project, request.user, name)
        copy = self.get_queryset().get(pk=copy.pk)
        return Response(
            OperationSerializer(copy, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class _FileRenderer(BaseRenderer):
    """Lets `?format=` pick a file answer; an error still answers its JSON."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return data if isinstance(data, bytes) else json.dumps(data).encode()


class YamlRenderer(_FileRenderer):
    media_type = "application/yaml"
    format = "yaml"


class ZipRenderer(_FileRenderer):
    media_type = "application/zip"
    format = "zip"
    charset = None


class PipelineViewSet(viewsets.ModelViewSet[Pipeline]):
    permission_classes = [permissions.IsAuthenticated, HasProjectRole]
    viewer_actions = frozenset({"validate"})

    def get_serializer_class(self) -> type[PipelineSerializer]:
        return PipelineSerializer if self.action == "list" else PipelineDetailSerializer

    def get_queryset(self) -> QuerySet[Pipeline]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Pipeline.objects.none()
        queryset = (
            Pipeline.objects.visible_to(self.request.user)
            .select_related("project", "created_by")
            .prefetch_related(
                Prefetch(
                    "versions",
                    queryset=PipelineVersion.objects.order_by("-number").only(
                        "id", "pipeline_id", "number", "content_hash", "created_at"
                    ),
                )
            )
        )
        return project_filter(self.request, queryset)

    def perform_create(self, serializer: PipelineSerializer) -> None:  # type: ignore[override]
        serializer.validated_data.pop("revision", None)  # a new pipeline starts at revision 1
        serializer.save(created_by=self.request.user)

    @extend_schema(responses={200: PipelineDetailSerializer, 409: StaleRevisionSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Save the draft; with `revision`, refused (409) when it is no longer the current one."""
        try:
            return super().update(request, *args, **kwargs)
        except StaleRevision as exc:
            return stale(exc)

    @extend_schema(responses={200: PipelineDetailSerializer, 409: StaleRevisionSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_update(self, serializer: PipelineSerializer) -> None:  # type: ignore[override]
        assert serializer.instance is not None
        changes = dict(serializer.validated_data)
        revision = changes.pop("revision", None)
        serializer.instance = save_draft(serializer.instance, changes, revision)

    @extend_schema(
        request=RevisionSerializer,
        responses={
            200: PipelineVersionDetailSerializer,
            201: PipelineVersionDetailSerializer,
            409: StaleRevisionSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def freeze(self, request: Request, pk: str | None = None) -> Response:
        """Freeze the current graph into an immutable version (or return the identical one).

        With `revision`, a draft changed since that revision is refused (409)."""
        pipeline = self.get_object()
        revision = expected_revision(request)
        try:
            version, created = freeze_version(pipeline, request.user, revision)
        except StaleRevision as exc:
            return stale(exc)
        except GraphInvalid as exc:
            raise serializers.ValidationError({"graph": [problem_text(p) for p in exc.problems]}) from exc
        return Response(
            PipelineVersionDetailSerializer(version).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses=PipelineVersionSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="versions")
    def versions(self, request: Request, pk: str | None = None) -> Response:
        pipeline = self.get_object()
        versions = (
            PipelineVersion.objects.filter(pipeline=pipeline).select_related("created_by").order_by("-number")
        )
        return Response(PipelineVersionSerializer(versions, many=True).data)

    @extend_schema(
        request=RevisionSerializer, responses={200: PipelineDetailSerializer, 409: StaleRevisionSerializer}
    )
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>[0-9]+)/restore")
    def restore(self, request: Request, pk: str | None = None, number: str | None = None) -> Response:
        """Copy version `number`'s graph into the draft (a new revision); answers the pipeline.

        With `revision`, a draft changed since that revision is refused (409)."""
        pipeline = self.get_object()
        version = PipelineVersion.objects.filter(pipeline=pipeline, number=int(number or 0)).first()
        if version is None:
            raise NotFound(f"Pipeline {pipeline.pk} has no version {number}.")
        revision = expected_revision(request)
        try:
            restored = restore_version(pipeline, version, request.user, revision)
        except StaleRevision as exc:
            return stale(exc)
        except GraphInvalid as exc:
            raise serializers.ValidationError({"graph": [problem_text(p) for p in exc.problems]}) from exc
        return Response(self.get_serializer(restored).data)

    @extend_schema(
        request={"multipart/form-data": PipelineImportSerializer},
        responses={
            200: PipelineDetailSerializer,
            201: PipelineDetailSerializer,
            400: ImportProblemsSerializer,
        },
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_yaml(self, request: Request) -> Response:
        """Import a YAML pipeline (multipart `project` and `file`: main.yml, or a zip of its directory).

        Creates the pipeline main.yml names (201) or updates it and freezes a new version (200);
        a 400 lists every problem with its file and line."""
        upload = PipelineImportSerializer(data=request.data, context={"request": request})
        upload.is_valid(raise_exception=True)
        project = upload.validated_data["project"]
        uploaded = upload.validated_data["file"]
        if uploaded.size > FILES_MAX_BYTES + MAIN_MAX_BYTES:
            problem = {"file": uploaded.name, "line": None, "message": "the upload is too large"}
            return Response({"problems": [problem]}, status=status.HTTP_400_BAD_REQUEST)
        data = uploaded.read()
        existing = set(project.pipelines.values_list("pk", flat=True))
        try:
            zipped = uploaded.name.lower().endswith(".zip") or data.startswith(b"PK\x03\x04")
            files = read_zip(data) if zipped else {MAIN_FILE: data}
            pipeline, _ = import_files(project, files, request.user)
        except ImportInvalid as exc:
            return Response({"problems": exc.problems}, status=status.HTTP_400_BAD_REQUEST)
        pipeline = self.get_queryset().get(pk=pipeline.pk)
        created = pipeline.pk not in existing
        return Response(
            PipelineDetailSerializer(pipeline, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter("version", int, description="a version number (default: the draft)"),
        ],
        responses={(200, "application/yaml"): str, (200, "application/zip"): bytes},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="yaml",
        renderer_classes=[JSONRenderer, YamlRenderer, ZipRenderer],
    )
    def yaml(self, request: Request, pk: str | None = None) -> HttpResponse | Response:
        """The pipeline as YAML: main.yml (`?format=zip`: a zip of main.yml and its files).
        `?version=N` writes that version; otherwise the draft, each task at its operation's latest
        version. A pipeline YAML cannot describe (Python operations...) is a 400 naming why."""
        pipeline = self.get_object()
        target: Pipeline | PipelineVersion = pipeline
        number = request.query_params.get("version")
        if number is not None:
            version = pipeline.versions.filter(number=int(number)).first() if number.isdigit() else None
            if version is None:
                raise NotFound(f"Pipeline {pipeline.pk} has no version {number}.")
            target = version
        try:
            if request.query_params.get("format") == "zip":
                response = HttpResponse(export_zip(target), content_type="application/zip")
                response["Content-Disposition"] = f'attachment; filename="{pipeline_filename(pipeline)}.zip"'
                return response
            text = export_yaml(target)[MAIN_FILE]
        except ExportInvalid as exc:
            return Response({"problems": exc.problems}, status=status.HTTP_400_BAD_REQUEST)
        return HttpResponse(text, content_type="application/yaml; charset=utf-8")

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def validate(self, request: Request, pk: str | None = None) -> Response:
        """Check a graph (the body's `graph`, or the saved one) and list every problem."""
        pipeline = self.get_object()
        graph = (
            request.data.get("graph", pipeline.graph) if isinstance(request.data, dict) else pipeline.graph
        )
        try:
            validate_draft(graph, request.user)
        except GraphInvalid as exc:
            return Response({"valid": False, "problems": [p.as_dict() for p in exc.problems]})
        return Response({"valid": True, "problems": []})


class PipelineVersionViewSet(viewsets.ReadOnlyModelViewSet[PipelineVersion]):
    serializer_class = PipelineVersionDetailSerializer

    def get_queryset(self) -> QuerySet[PipelineVersion]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return PipelineVersion.objects.none()
        return (
            PipelineVersion.objects.filter(pipeline__project__memberships__user=self.request.user.pk)
            .select_related("created_by")
            .distinct()
        )


class ArtifactViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Artifact],
):
    serializer_class = ArtifactSerializer
    permission_classes = [permissions.IsAuthenticated, HasProjectRole]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Artifact]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Artifact.objects.none()
        queryset = Artifact.objects.visible_to(self.request.user).select_related(
            "created_by", "storage_account", "produced_by__run"
        )
        text = self.request.query_params.get("q", "").strip()
        if text and self.action == "list":
            queryset = queryset.filter(
                Q(name__icontains=text)
                | Q(produced_by__run__name__icontains=text)
                | Q(produced_by__node_id=text)
            )
        return project_filter(self.request, queryset)

    @extend_schema(request=ArtifactUploadSerializer, responses=ArtifactSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Upload a file (multipart `file`, `project`, optional `name`); it is streamed to storage."""
        upload = ArtifactUploadSerializer(data=request.data, context={"request": request})
        upload.is_valid(raise_exception=True)
        uploaded = upload.validated_data["file"]
        artifact = store_artifact(
            upload.validated_data["project"],
            upload.validated_data.get("name") or uploaded.name,
            uploaded,
            content_type=uploaded.content_type or "",
            user=request.user,
        )
        data = ArtifactSerializer(artifact, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Artifact) -> None:
        with transaction.atomic():
            delete_artifact(instance)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The artifact's bytes, streamed from its storage backend."""
        artifact = self.get_object()
        response = FileResponse(
            open_artifact(artifact),
            as_attachment=True,
            filename=artifact.name,
            content_type=artifact.content_type or "application/octet-stream",
        )
        response["X-Checksum-Sha256"] = artifact.checksum
        return response

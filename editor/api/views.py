"""Editor API views: parse, authorize, call one domain function, serialize."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
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

from .serializers import (
    ArtifactSerializer,
    ArtifactUploadSerializer,
    DuplicateOperationSerializer,
    MembershipSerializer,
    OperationSerializer,
    OperationVersionSerializer,
    PipelineDetailSerializer,
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

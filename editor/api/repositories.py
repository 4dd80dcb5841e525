"""Git repositories API: link a repository to a project (URL, branch, folder, write-only
credentials), sync it now, push a pipeline back to it as a commit."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from credentials.crypto import encrypt_json
from editor.choices import Role
from editor.git_repos import PushFailed, SyncFailed, path_problem, push, sync, url_problem
from editor.models import GitRepository, Pipeline, Project
from editor.permissions import HasProjectRole

from .views import project_filter

SECRET_KEYS = ("token", "username", "password")


class GitRepositorySerializer(serializers.ModelSerializer[GitRepository]):
    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.all(), help_text="A project in which you are an editor or owner."
    )
    secret = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        write_only=True,
        required=False,
        help_text='HTTPS credentials, stored encrypted and never returned: {"token": ...} or '
        '{"username": ..., "password": ...}; {} removes them.',
    )
    has_secret = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)
    pipelines = serializers.SerializerMethodField()

    class Meta:
        model = GitRepository
        fields = [
            "id",
            "project",
            "url",
            "branch",
            "path",
            "secret",
            "has_secret",
            "last_commit",
            "last_synced_at",
            "last_error",
            "pipelines",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["last_commit", "last_synced_at", "last_error", "created_at", "updated_at"]

    def get_has_secret(self, repository: GitRepository) -> bool:
        return bool(repository.secret_ciphertext)

    def get_pipelines(self, repository: GitRepository) -> list[dict[str, Any]]:
        return [
            {"id": p.pk, "name": p.name, "folder": p.repository_folder}
            for p in repository.pipelines.order_by("name")
        ]

    def validate_project(self, project: Project) -> Project:
        user = self.context["request"].user
        if self.instance is not None and project.pk != self.instance.project_id:
            raise serializers.ValidationError("A repository stays in its project.")
        if not project.memberships.filter(user=user).exists():
            raise serializers.ValidationError(f'Invalid pk "{project.pk}" - object does not exist.')
        if not project.allows(user, Role.EDITOR):
            raise serializers.ValidationError("Linking a repository needs the editor role in the project.")
        return project

    def validate_url(self, url: str) -> str:
        if problem := url_problem(url):
            raise serializers.ValidationError(problem)
        return url.strip()

    def validate_branch(self, branch: str) -> str:
        branch = branch.strip()
        if not branch or branch.startswith("-") or any(c.isspace() or c in "~^:?*[\\" for c in branch):
            raise serializers.ValidationError("Not a branch name.")
        return branch

    def validate_path(self, path: str) -> str:
        if problem := path_problem(path):
            raise serializers.ValidationError(problem)
        return path.strip().strip("/")

    def validate_secret(self, secret: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(secret) - set(SECRET_KEYS))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown keys {unknown}: give token, or username and password."
            )
        secret = {k: v for k, v in secret.items() if v}
        if secret and not (secret.get("token") or secret.get("password")):
            raise serializers.ValidationError("Give a token or a password.")
        return secret

    def _with_secret(self, data: dict[str, Any]) -> dict[str, Any]:
        if "secret" in data:
            secret = data.pop("secret")
            data["secret_ciphertext"] = encrypt_json(secret) if secret else ""
        return data

    def create(self, validated_data: dict[str, Any]) -> GitRepository:
        return super().create(self._with_secret(validated_data))

    def update(self, instance: GitRepository, validated_data: dict[str, Any]) -> GitRepository:
        return super().update(instance, self._with_secret(validated_data))


class SyncReportSerializer(serializers.Serializer[Any]):
    commit = serializers.CharField()
    imported = serializers.ListField(child=serializers.DictField())
    problems = serializers.ListField(child=serializers.DictField())


class PushSerializer(serializers.Serializer[Any]):
    pipeline = serializers.IntegerField()
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class PushResultSerializer(serializers.Serializer[Any]):
    commit = serializers.CharField()
    pipeline = serializers.IntegerField()
    version = serializers.IntegerField()
    folder = serializers.CharField()


class GitRepositoryViewSet(viewsets.ModelViewSet[GitRepository]):
    serializer_class = GitRepositorySerializer
    permission_classes = [permissions.IsAuthenticated, HasProjectRole]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[GitRepository]:
        if getattr(self, "swagger_fake_view", False):
            return GitRepository.objects.none()
        queryset = GitRepository.objects.filter(project__memberships__user=self.request.user.pk)
        queryset = queryset.select_related("created_by")
        return project_filter(self.request, queryset).distinct()

    def perform_create(self, serializer: GitRepositorySerializer) -> None:  # type: ignore[override]
        serializer.save(created_by=self.request.user)

    @extend_schema(request=None, responses={200: SyncReportSerializer})
    @action(detail=True, methods=["post"])
    def sync(self, request: Request, pk: str | None = None) -> Response:
        """Import every `<path>/*/main.yml` of the branch now. A repository that cannot be read
        is a 400 with the reason (pipelines untouched); a bad main.yml is one of `problems`."""
        repository = self.get_object()
        try:
            report = sync(repository, request.user)
        except SyncFailed as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(report.as_dict())

    @extend_schema(request=PushSerializer, responses={200: PushResultSerializer})
    @action(detail=True, methods=["post"])
    def push(self, request: Request, pk: str | None = None) -> Response:
        """Freeze `pipeline` and push it to the branch as a commit by you (into its folder)."""
        repository = self.get_object()
        body = PushSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pipeline = get_object_or_404(
            Pipeline.objects.filter(project_id=repository.project_id), pk=body.validated_data["pipeline"]
        )
        try:
            commit = push(repository, pipeline, request.user, body.validated_data.get("message") or None)
        except PushFailed as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        version = pipeline.versions.filter(git_commit=commit).order_by("-number").first()
        return Response(
            {
                "commit": commit,
                "pipeline": pipeline.pk,
                "version": version.number if version else None,
                "folder": pipeline.repository_folder,
            }
        )

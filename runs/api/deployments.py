"""Deployments API: create (the token shown once), list, detail with the endpoint URL,
tokens and recent calls, pause/resume and limits, delete; tokens issued and revoked;
the project's environment variables (secret values write-only)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from editor.api.serializers import ProjectField
from editor.api.views import project_filter
from editor.choices import Role
from editor.models import Pipeline
from editor.permissions import HasProjectRole
from runs.deployments import DeploymentInvalid, create_deployment, delete_deployment, update_deployment
from runs.environment import VariableInUse, create_variable, delete_variable, update_variable
from runs.models import Deployment, DeploymentCall, DeploymentRule, EndpointToken, EnvironmentVariable
from runs.models.deployments import VARIABLE_NAME
from runs.submit import SubmitInvalid
from runs.tokens import issue_token, revoke_token

from .views import submit_errors

RECENT_CALLS = 20


class TokenSerializer(serializers.ModelSerializer[EndpointToken]):
    """A token as lists show it: its first characters, never the token."""

    class Meta:
        model = EndpointToken
        fields = ["id", "prefix", "created_at", "revoked_at", "last_used_at"]
        read_only_fields = fields


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown this once; only its digest is kept.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class NewTokenRequestSerializer(serializers.Serializer[Any]):
    revoke_others = serializers.BooleanField(
        default=False, help_text="Regenerate: revoke every other live token of the deployment."
    )


class CallSerializer(serializers.ModelSerializer[DeploymentCall]):
    run_name = serializers.CharField(source="run.name", default=None, read_only=True)
    run_state = serializers.CharField(source="run.state", default=None, read_only=True)

    class Meta:
        model = DeploymentCall
        fields = ["id", "created_at", "status_code", "latency_ms", "error", "run", "run_name", "run_state"]
        read_only_fields = fields


class DeploymentSerializer(serializers.ModelSerializer[Deployment]):
    pipeline_name = serializers.CharField(source="pipeline.name", read_only=True)
    version_number = serializers.IntegerField(source="pipeline_version.number", read_only=True)
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)
    url = serializers.SerializerMethodField(help_text="Where callers POST (endpoint deployments).")
    schedule = serializers.SerializerMethodField()

    class Meta:
        model = Deployment
        fields = [
            "id",
            "project",
            "pipeline",
            "pipeline_name",
            "pipeline_version",
            "version_number",
            "name",
            "rule",
            "enabled",
            "url",
            "schedule",
            "wait_seconds",
            "rate_limit_per_minute",
            "max_body_bytes",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_url(self, deployment: Deployment) -> str | None:
        if deployment.rule != "endpoint":
            return None
        path = reverse("endpoint", kwargs={"name": deployment.name})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_schedule(self, deployment: Deployment) -> dict[str, Any] | None:
        schedule = deployment.recurring_run
        if schedule is None:
            return None
        return {
            "recurring_run": schedule.pk,
            "cron": schedule.cron,
            "timezone": schedule.timezone,
            "enabled": schedule.enabled,
            "next_fire_at": serializers.DateTimeField().to_representation(schedule.next_fire_at)
            if schedule.next_fire_at
            else None,
        }


class DeploymentDetailSerializer(DeploymentSerializer):
    tokens = TokenSerializer(many=True, read_only=True)
    recent_calls = serializers.SerializerMethodField()

    class Meta(DeploymentSerializer.Meta):
        fields = [
            *DeploymentSerializer.Meta.fields,
            "input_mappings",
            "output_mappings",
            "config",
            "tokens",
            "recent_calls",
        ]
        read_only_fields = fields

    def get_recent_calls(self, deployment: Deployment) -> Any:
        calls = deployment.calls.select_related("run")[:RECENT_CALLS]
        return CallSerializer(calls, many=True).data


class CreatedDeploymentSerializer(DeploymentDetailSerializer):
    token = serializers.CharField(read_only=True, allow_null=True, help_text="Shown this once.")

    class Meta(DeploymentDetailSerializer.Meta):
        fields = [*DeploymentDetailSerializer.Meta.fields, "token"]
        read_only_fields = fields


class CreateDeploymentSerializer(serializers.Serializer[Any]):
    """The body of `POST /api/runs/` (backends, params...) plus the deployment's own fields."""

    pipeline = serializers.IntegerField()
    pipeline_version = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField()
    rule = serializers.ChoiceField(choices=DeploymentRule.choices)
    input_mappings = serializers.DictField(required=False)
    output_mappings = serializers.DictField(required=False)
    schedule = serializers.DictField(required=False, help_text="periodic: cron, timezone, start_at, end_at")
    enabled = serializers.BooleanField(required=False)
    wait_seconds = serializers.IntegerField(required=False)
    rate_limit_per_minute = serializers.IntegerField(required=False)
    max_body_bytes = serializers.IntegerField(required=False)


class DeploymentChangesSerializer(serializers.Serializer[Any]):
    enabled = serializers.BooleanField(required=False)
    wait_seconds = serializers.IntegerField(required=False)
    rate_limit_per_minute = serializers.IntegerField(required=False)
    max_body_bytes = serializers.IntegerField(required=False)


class DeploymentViewSet(mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet[Deployment]):
    permission_classes = [permissions.IsAuthenticated, HasProjectRole]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_serializer_class(self) -> type[serializers.Serializer[Any]]:
        if self.action == "create":
            return CreateDeploymentSerializer
        if self.action == "partial_update":
            return DeploymentChangesSerializer
        return DeploymentSerializer if self.action == "list" else DeploymentDetailSerializer

    def get_queryset(self) -> QuerySet[Deployment]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Deployment.objects.none()
        queryset = Deployment.objects.filter(project__memberships__user=self.request.user.pk).select_related(
            "pipeline", "pipeline_version", "created_by", "recurring_run"
        )
        if self.action != "list":
            queryset = queryset.prefetch_related("tokens")
        pipeline = self.request.query_params.get("pipeline", "")
        if pipeline:
            if not pipeline.isdigit():
                raise serializers.ValidationError({"pipeline": ["Must be a pipeline id (a whole number)."]})
            queryset = queryset.filter(pipeline_id=int(pipeline))
        return project_filter(self.request, queryset).distinct()

    def _detail(self, deployment: Deployment, serializer: type[DeploymentDetailSerializer]) -> Any:
        return serializer(
            self.get_queryset().get(pk=deployment.pk), context=self.get_serializer_context()
        ).data

    @extend_schema(request=CreateDeploymentSerializer, responses={201: CreatedDeploymentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Deploy a pipeline version (its current graph when `pipeline_version` is left out).
        The endpoint token is in this answer only."""
        body = CreateDeploymentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pipeline = get_object_or_404(
            Pipeline.objects.visible_to(request.user), pk=body.validated_data["pipeline"]
        )
        if not pipeline.project.allows(request.user, Role.EDITOR):
            raise PermissionDenied("Deploying a pipeline needs the editor role in its project.")
        try:
            created = create_deployment(pipeline, dict(request.data), request.user)
        except SubmitInvalid as exc:
            raise submit_errors(exc) from exc
        except DeploymentInvalid as exc:
            raise serializers.ValidationError(exc.errors) from exc
        data = self._detail(created.deployment, CreatedDeploymentSerializer)
        data["token"] = created.token
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DeploymentChangesSerializer, responses=DeploymentDetailSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Pause or resume (`enabled`), or change the wait, rate limit or body limit."""
        deployment = self.get_object()
        try:
            deployment = update_deployment(deployment, dict(request.data))
        except DeploymentInvalid as exc:
            raise serializers.ValidationError(exc.errors) from exc
        return Response(self._detail(deployment, DeploymentDetailSerializer))

    def perform_destroy(self, instance: Deployment) -> None:
        delete_deployment(instance)

    @extend_schema(request=NewTokenRequestSerializer, responses={201: NewTokenSerializer})
    @action(detail=True, methods=["post"])
    def tokens(self, request: Request, pk: str | None = None) -> Response:
        """A new token (shown in this answer only); `revoke_others` regenerates it."""
        deployment = self.get_object()
        if deployment.rule != "endpoint":
            raise serializers.ValidationError({"rule": ["Only an endpoint deployment has tokens."]})
        body = NewTokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row, token = issue_token(deployment)
        if body.validated_data["revoke_others"]:
            for other in deployment.tokens.filter(revoked_at__isnull=True).exclude(pk=row.pk):
                revoke_token(other)
        data = dict(NewTokenSerializer(row).data)
        data["token"] = token
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=TokenSerializer)
    @action(detail=True, methods=["post"], url_path=r"tokens/(?P<token_id>\d+)/revoke")
    def revoke_token(self, request: Request, pk: str | None = None, token_id: str | None = None) -> Response:
        """Revoke a token: calls with it get 401 from now on."""
        deployment = self.get_object()
        token = get_object_or_404(deployment.tokens.all(), pk=token_id)
        return Response(TokenSerializer(revoke_token(token)).data)

    @extend_schema(responses=CallSerializer(many=True))
    @action(detail=True, methods=["get"])
    def calls(self, request: Request, pk: str | None = None) -> Response:
        """Every call (and periodic tick), newest first: status, latency, its run."""
        deployment = self.get_object()
        calls = deployment.calls.select_related("run")
        paginator = self.pagination_class() if self.pagination_class else None
        if paginator is None:
            return Response(CallSerializer(calls, many=True).data)
        page = paginator.paginate_queryset(calls, request, view=self)
        return paginator.get_paginated_response(CallSerializer(page, many=True).data)


class EnvironmentVariableSerializer(serializers.ModelSerializer[EnvironmentVariable]):
    """`value` is write-only for secret variables: they answer `value: null, has_value: true`."""

    project = ProjectField()
    name = serializers.RegexField(VARIABLE_NAME, max_length=128)
    value = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)
    secret = serializers.BooleanField(required=False, default=False)
    has_value = serializers.SerializerMethodField()

    class Meta:
        model = EnvironmentVariable
        fields = ["id", "project", "name", "secret", "value", "has_value", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        validators: list[Any] = []  # `validate` says which name is taken, under `name`

    def get_has_value(self, variable: EnvironmentVariable) -> bool:
        return bool(variable.value_ciphertext) if variable.secret else variable.value != ""

    def to_representation(self, instance: EnvironmentVariable) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        data["value"] = None if instance.secret else instance.value
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:
            if "value" not in attrs:
                raise serializers.ValidationError({"value": ["Give the variable a value."]})
            taken = EnvironmentVariable.objects.filter(project=attrs["project"], name=attrs["name"])
            if taken.exists():
                raise serializers.ValidationError(
                    {"name": ["This project already has a variable of that name."]}
                )
        else:
            for field in ("project", "name"):
                if field in attrs and attrs[field] != getattr(self.instance, field):
                    raise serializers.ValidationError(
                        {field: ["Cannot be changed (deployments read the variable by name)."]}
                    )
        return attrs

    def create(self, validated_data: dict[str, Any]) -> EnvironmentVariable:
        return create_variable(
            validated_data["project"],
            validated_data["name"],
            validated_data["value"],
            validated_data.get("secret", False),
            self.context["request"].user,
        )

    def update(self, instance: EnvironmentVariable, validated_data: dict[str, Any]) -> EnvironmentVariable:
        secret = validated_data.get("secret") if "secret" in self.initial_data else None
        try:
            return update_variable(instance, validated_data.get("value"), secret)
        except ValueError as exc:
            raise serializers.ValidationError({"value": [str(exc)]}) from exc


class EnvironmentVariableViewSet(viewsets.ModelViewSet[EnvironmentVariable]):
    serializer_class = EnvironmentVariableSerializer
    permission_classes = [permissions.IsAuthenticated, HasProjectRole]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[EnvironmentVariable]:
        if getattr(self, "swagger_fake_view", False):
            return EnvironmentVariable.objects.none()
        queryset = EnvironmentVariable.objects.filter(project__memberships__user=self.request.user.pk)
        return project_filter(self.request, queryset).distinct()

    def perform_destroy(self, instance: EnvironmentVariable) -> None:
        try:
            delete_variable(instance)
        except VariableInUse as exc:
            raise serializers.ValidationError({"name": [str(exc)]}) from exc

"""Recurring runs API: create from the execute dialog's body plus a `schedule`, list, edit,
pause, delete; the ticks each fired; a preview of the next fire times."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from editor.api.views import project_filter
from editor.choices import Role
from editor.models import Pipeline
from editor.permissions import HasProjectRole
from runs.choices import RunState
from runs.models import RecurringRun, RecurringTick, TriggerKind
from runs.schedules import (
    ScheduleInvalid,
    create_recurring_run,
    iter_next_fire_times,
    preview,
    update_schedule,
)
from runs.submit import SubmitInvalid

from .views import submit_errors


def as_times(ticks: Iterable[datetime]) -> list[str]:
    """Times written as everywhere else in the API (`...Z`)."""
    field = serializers.DateTimeField()
    return [field.to_representation(tick) for tick in ticks]


class ScheduleFieldsSerializer(serializers.Serializer[Any]):
    """When it fires (for the schema; runs/schedules.ScheduleSpec checks it)."""

    name = serializers.CharField(required=False, allow_blank=True)
    trigger = serializers.ChoiceField(choices=TriggerKind.choices, required=False)
    interval_seconds = serializers.IntegerField(required=False, allow_null=True)
    cron = serializers.CharField(required=False, allow_blank=True)
    timezone = serializers.CharField(required=False)
    start_at = serializers.DateTimeField(required=False, allow_null=True)
    end_at = serializers.DateTimeField(required=False, allow_null=True)
    max_concurrent = serializers.IntegerField(required=False)
    enabled = serializers.BooleanField(required=False)


class CreateRecurringRunSerializer(serializers.Serializer[Any]):
    pipeline = serializers.IntegerField()
    schedule = ScheduleFieldsSerializer()


class TickSerializer(serializers.ModelSerializer[RecurringTick]):
    run_name = serializers.CharField(source="run.name", default=None, read_only=True)
    run_state = serializers.CharField(source="run.state", default=None, read_only=True)

    class Meta:
        model = RecurringTick
        fields = ["id", "tick_at", "fired_at", "outcome", "message", "run", "run_name", "run_state"]


class RecurringRunSerializer(serializers.ModelSerializer[RecurringRun]):
    pipeline_name = serializers.CharField(source="pipeline.name", read_only=True)
    version_number = serializers.IntegerField(source="pipeline_version.number", read_only=True)
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)
    run_count = serializers.IntegerField(read_only=True)
    active_runs = serializers.IntegerField(read_only=True)
    next_fire_times = serializers.SerializerMethodField()
    last_tick = serializers.SerializerMethodField()

    class Meta:
        model = RecurringRun
        fields = [
            "id",
            "project",
            "pipeline",
            "pipeline_name",
            "pipeline_version",
            "version_number",
            "name",
            "trigger",
            "interval_seconds",
            "cron",
            "timezone",
            "start_at",
            "end_at",
            "max_concurrent",
            "enabled",
            "next_fire_at",
            "next_fire_times",
            "run_count",
            "active_runs",
            "last_tick",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.DateTimeField()))
    def get_next_fire_times(self, schedule: RecurringRun) -> list[str]:
        return as_times(iter_next_fire_times(schedule))

    def get_last_tick(self, schedule: RecurringRun) -> dict[str, Any] | None:
        tick = schedule.ticks.select_related("run").first()
        return TickSerializer(tick).data if tick else None


class RecurringRunDetailSerializer(RecurringRunSerializer):
    """Adds what every run starts with (public options only: secrets never leave)."""

    class Meta(RecurringRunSerializer.Meta):
        fields = [*RecurringRunSerializer.Meta.fields, "config"]
        read_only_fields = fields


class PreviewSerializer(serializers.Serializer[Any]):
    next_fire_times = serializers.ListField(child=serializers.DateTimeField())


class RecurringRunViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet[RecurringRun],
):
    permission_classes = [permissions.IsAuthenticated, HasProjectRole]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    viewer_actions = ("preview",)

    def get_serializer_class(self) -> type[serializers.Serializer[Any]]:
        if self.action == "create":
            return CreateRecurringRunSerializer
        if self.action == "partial_update":
            return ScheduleFieldsSerializer
        return RecurringRunSerializer if self.action == "list" else RecurringRunDetailSerializer

    def get_queryset(self) -> QuerySet[RecurringRun]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return RecurringRun.objects.none()
        queryset = (
            RecurringRun.objects.filter(project__memberships__user=self.request.user.pk)
            .select_related("pipeline", "pipeline_version", "created_by")
            .annotate(
                run_count=Count("runs", distinct=True),
                active_runs=Count("runs", filter=Q(runs__state__in=RunState.active()), distinct=True),
            )
        )
        pipeline = self.request.query_params.get("pipeline", "")
        if pipeline:
            if not pipeline.isdigit():
                raise serializers.ValidationError({"pipeline": ["Must be a pipeline id (a whole number)."]})
            queryset = queryset.filter(pipeline_id=int(pipeline))
        return project_filter(self.request, queryset).distinct()

    def _annotated(self, schedule: RecurringRun) -> RecurringRun:
        return self.get_queryset().get(pk=schedule.pk)

    @extend_schema(request=CreateRecurringRunSerializer, responses=RecurringRunDetailSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start a pipeline on a schedule: the body of `POST /api/runs/` plus `schedule`."""
        body = CreateRecurringRunSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pipeline = get_object_or_404(
            Pipeline.objects.visible_to(request.user), pk=body.validated_data["pipeline"]
        )
        if not pipeline.project.allows(request.user, Role.EDITOR):
            raise PermissionDenied("Scheduling a pipeline needs the editor role in its project.")
        config = {
            k: v for k, v in request.data.items() if k not in ("pipeline", "schedule", "save_for_future")
        }
        try:
            schedule = create_recurring_run(pipeline, config, request.data["schedule"], request.user)
        except SubmitInvalid as exc:
            raise submit_errors(exc) from exc
        except ScheduleInvalid as exc:
            raise serializers.ValidationError({"schedule": exc.errors}) from exc
        data = RecurringRunDetailSerializer(self._annotated(schedule)).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ScheduleFieldsSerializer, responses=RecurringRunDetailSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change when it fires, its name, its cap, or pause/resume it (`enabled`);
        the next poll of the beat uses it."""
        schedule = self.get_object()
        try:
            schedule = update_schedule(schedule, dict(request.data))
        except ScheduleInvalid as exc:
            raise serializers.ValidationError(exc.errors) from exc
        return Response(RecurringRunDetailSerializer(self._annotated(schedule)).data)

    @extend_schema(request=ScheduleFieldsSerializer, responses=PreviewSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """The next five fire times of a schedule as typed, or 400 naming the field."""
        try:
            ticks = preview(request.data)
        except ScheduleInvalid as exc:
            raise serializers.ValidationError(exc.errors) from exc
        return Response({"next_fire_times": as_times(ticks)})

    @extend_schema(responses=TickSerializer(many=True))
    @action(detail=True, methods=["get"])
    def ticks(self, request: Request, pk: str | None = None) -> Response:
        """Every tick that came due, newest first: the run it started, or why it was skipped."""
        schedule = self.get_object()
        paginator = self.pagination_class() if self.pagination_class else None
        ticks = schedule.ticks.select_related("run")
        if paginator is None:
            return Response(TickSerializer(ticks, many=True).data)
        page = paginator.paginate_queryset(ticks, request, view=self)
        return paginator.get_paginated_response(TickSerializer(page, many=True).data)

"""Runs API views (read-only runs for now; submitting arrives with the engine)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from editor.api.views import project_filter
from editor.permissions import HasProjectRole
from runs.models import Experiment, Run

from .serializers import ExperimentSerializer, RunDetailSerializer, RunEventSerializer, RunSerializer


class RunViewSet(viewsets.ReadOnlyModelViewSet[Run]):
    permission_classes = [permissions.IsAuthenticated, HasProjectRole]

    def get_serializer_class(self) -> type[RunSerializer]:
        return RunSerializer if self.action == "list" else RunDetailSerializer

    def get_queryset(self) -> QuerySet[Run]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Run.objects.none()
        queryset = (
            Run.objects.filter(project__memberships__user=self.request.user.pk)
            .select_related("pipeline", "created_by")
            .distinct()
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("node_runs")
        pipeline = self.request.query_params.get("pipeline")
        if pipeline:
            if not pipeline.isdigit():
                raise serializers.ValidationError({"pipeline": ["Must be a pipeline id (a whole number)."]})
            queryset = queryset.filter(pipeline_id=int(pipeline))
        return project_filter(self.request, queryset)

    @action(detail=True, methods=["get"])
    def events(self, request: Request, pk: str | None = None) -> Response:
        """Events with a sequence number above `?after=` (default 0), in order."""
        run = self.get_object()
        after = request.query_params.get("after", "0")
        if not after.isdigit():
            raise serializers.ValidationError({"after": ["Must be a sequence number (a whole number)."]})
        events = run.events.filter(seq__gt=int(after)).order_by("seq")[:1000]
        return Response(RunEventSerializer(events, many=True).data)


class ExperimentViewSet(viewsets.ModelViewSet[Experiment]):
    serializer_class = ExperimentSerializer
    permission_classes = [permissions.IsAuthenticated, HasProjectRole]

    def get_queryset(self) -> QuerySet[Experiment]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Experiment.objects.none()
        queryset = Experiment.objects.filter(project__memberships__user=self.request.user.pk).distinct()
        return project_filter(self.request, queryset)

    def perform_create(self, serializer: Any) -> None:
        serializer.save(created_by=self.request.user)

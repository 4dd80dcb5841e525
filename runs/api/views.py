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
        queryset = (
            Run.objects.filter(project__memberships__user=self.request.user)
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
        events = run.events.filter(seq__gt=int(after)).order_by("seq")[:1000]  # type: ignore[attr-defined]
        return Response(RunEventSerializer(events, many=True).data)


class ExperimentViewSet(viewsets.ModelViewSet[Experiment]):
    serializer_class = ExperimentSerializer
    permission_classes = [permissions.IsAuthenticated, HasProjectRole]

    def get_queryset(self) -> QuerySet[Experiment]:
        queryset = Experiment.objects.filter(project__memberships__user=self.request.user).distinct()
        return project_filter(self.request, queryset)

    def perform_create(self, serializer: Any) -> None:
        serializer.save(created_by=self.request.user)

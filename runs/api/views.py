"""Runs API views: submit, read, cancel and re-run runs; experiments."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from editor.api.serializers import problem_text
from editor.api.views import project_filter
from editor.choices import Role
from editor.models import Pipeline
from editor.permissions import HasProjectRole
from runs.compare import CompareInvalid, compare_runs, parse_run_ids, runs_to_compare
from runs.controls import cancel_run
from runs.export import ExportInvalid, prepare_export, stream_export
from runs.lifecycle import (
    NotAnExperiment,
    RunBusy,
    archive_run,
    clone_setup,
    delete_run,
    file_into_experiment,
    restore_run,
)
from runs.listing import ListingInvalid, filter_node_runs, filter_runs, recent_metric_names
from runs.models import Experiment, NodeRun, Run
from runs.presets import run_setup, save_preset
from runs.stream import node_log
from runs.submit import SubmitInvalid, rerun, submit_run

from .serializers import (
    CloneSetupSerializer,
    ExperimentMoveSerializer,
    ExperimentSerializer,
    ExportRequestSerializer,
    NodeRunListSerializer,
    NodeRunSerializer,
    RunDeletedSerializer,
    RunDetailSerializer,
    RunEventSerializer,
    RunSerializer,
    RunSetupSerializer,
    SubmitRunSerializer,
)


def submit_errors(exc: SubmitInvalid) -> serializers.ValidationError:
    """Problems as a 400: config fields by name, graph problems under `graph`."""
    errors: dict[str, list[str]] = {}
    for problem in exc.problems:
        field = problem.message.split(":", 1)[0].split(".", 1)[0] if not problem.node else "graph"
        if field not in SubmitRunSerializer.CONFIG_FIELDS and field != "graph":
            field = "non_field_errors"
        errors.setdefault(field, []).append(problem_text(problem))
    return serializers.ValidationError(errors)


class RunViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet[Run]):
    permission_classes = [permissions.IsAuthenticated, HasProjectRole]

    def get_serializer_class(self) -> type[serializers.Serializer[Any]]:
        if self.action == "create":
            return SubmitRunSerializer
        return RunSerializer if self.action == "list" else RunDetailSerializer

    @extend_schema(request=SubmitRunSerializer, responses=RunDetailSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Submit a run of a pipeline's current graph (or of `pipeline_version`) with an execution config."""
        body = SubmitRunSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pipeline = get_object_or_404(
            Pipeline.objects.visible_to(request.user), pk=body.validated_data["pipeline"]
        )
        if not pipeline.project.allows(request.user, Role.EDITOR):
            raise PermissionDenied("Running a pipeline needs the editor role in its project.")
        config = {k: v for k, v in request.data.items() if k not in ("pipeline", "save_for_future")}
        try:
            run = submit_run(pipeline, config, request.user)
        except SubmitInvalid as exc:
            raise submit_errors(exc) from exc
        if body.validated_data["save_for_future"]:
            # The parsed config (typed values, public options only), with the name as typed.
            save_preset(request.user, pipeline, {**run.config, "name": str(config.get("name", ""))})
        return Response(RunDetailSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RunDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Stop a pending or running run; running processes are killed."""
        run = self.get_object()
        cancel_run(run.pk, reason=f"cancelled by {request.user.get_username()}")
        run.refresh_from_db()
        return Response(RunDetailSerializer(run).data)

    @extend_schema(request=None, responses=RunDetailSerializer)
    @action(detail=True, methods=["post"])
    def rerun(self, request: Request, pk: str | None = None) -> Response:
        """Run again as a new run; finished nodes come back from the cache (debug runs take edited code)."""
        run = self.get_object()
        changes = {k: v for k, v in request.data.items() if k in ("name", "nodes", "until", "params")}
        try:
            new = rerun(run, request.user, **changes)
        except SubmitInvalid as exc:
            raise submit_errors(exc) from exc
        return Response(RunDetailSerializer(new).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RunDetailSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        """Archive the run: it leaves the default lists (`?archived=true` lists archived runs)."""
        return Response(RunDetailSerializer(archive_run(self.get_object())).data)

    @extend_schema(request=None, responses=RunDetailSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        """Bring an archived run back into the default lists."""
        return Response(RunDetailSerializer(restore_run(self.get_object())).data)

    @extend_schema(request=ExperimentMoveSerializer, responses=RunDetailSerializer)
    @action(detail=True, methods=["post"])
    def experiment(self, request: Request, pk: str | None = None) -> Response:
        """File the run into an experiment of its project (`null`: out of any)."""
        run = self.get_object()
        body = ExperimentMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            file_into_experiment(run, body.validated_data["experiment"])
        except NotAnExperiment as exc:
            raise serializers.ValidationError({"experiment": [str(exc)]}) from exc
        return Response(RunDetailSerializer(run).data)

    @extend_schema(responses=CloneSetupSerializer)
    @extend_schema(
        parameters=[OpenApiParameter("pipeline", int, description="only runs of this pipeline")],
        responses={
            200: {"type": "object", "properties": {"names": {"type": "array", "items": {"type": "string"}}}}
        },
    )
    @action(detail=False, methods=["get"], url_path="metric-names")
    def metric_names(self, request: Request) -> Response:
        """The metric names your recent runs logged (for sorting the runs list by one)."""
        runs = Run.objects.filter(project__memberships__user=request.user.pk)
        pipeline = request.query_params.get("pipeline")
        if pipeline:
            if not pipeline.isdigit():
                raise serializers.ValidationError({"pipeline": ["must be a pipeline id"]})
            runs = runs.filter(pipeline_id=int(pipeline))
        return Response({"names": recent_metric_names(runs.values("pk"))})

    @extend_schema(
        parameters=[OpenApiParameter("ids", str, description="2 to 10 run ids, comma-separated")],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"])
    def compare(self, request: Request) -> Response:
        """Runs side by side: parameters, metrics (with series) and outputs per node, each row
        flagged when the runs differ, and how their pipeline versions differ from the first's."""
        try:
            ids = parse_run_ids(request.query_params.get("ids", ""))
            runs = runs_to_compare(self.get_queryset(), ids)
        except CompareInvalid as exc:
            raise serializers.ValidationError({"ids": [str(exc)]}) from exc
        return Response(compare_runs(runs))

    @action(detail=True, methods=["get"], url_path="clone-setup")
    def clone_setup(self, request: Request, pk: str | None = None) -> Response:
        """What the execute dialog opens with to clone this run (no secrets)."""
        return Response(clone_setup(self.get_object()))

    @extend_schema(responses=RunDeletedSerializer)
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete a finished run with its node runs, events and artifacts (files too);
        a pending or running run is a 409: cancel it first."""
        run = self.get_object()
        try:
            summary = delete_run(run)
        except RunBusy as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(summary)

    @extend_schema(responses=NodeRunSerializer)
    @action(detail=True, methods=["get"], url_path=r"nodes/(?P<node_id>[A-Za-z0-9_.-]+)")
    def node(self, request: Request, pk: str | None = None, node_id: str = "") -> Response:
        """One node run with its log so far and `log_seq`, the run's event sequence number the
        log is consistent with: append the lines of later `node_log` events."""
        run = self.get_object()
        try:
            node_run, seq = node_log(run.pk, node_id)
        except NodeRun.DoesNotExist:
            raise Http404(f"This run has no node {node_id!r}.") from None
        return Response({**NodeRunSerializer(node_run).data, "log": node_run.log, "log_seq": seq})

    @extend_schema(responses={(200, "text/plain"): str})
    @action(detail=True, methods=["get"], url_path=r"nodes/(?P<node_id>[A-Za-z0-9_.-]+)/log")
    def node_log(self, request: Request, pk: str | None = None, node_id: str = "") -> HttpResponse:
        """The node's whole log as a text file."""
        run = self.get_object()
        log = run.node_runs.filter(node_id=node_id).values_list("log", flat=True).first()
        if log is None:
            raise Http404(f"This run has no node {node_id!r}.")
        response = HttpResponse(log, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{run.name}-{node_id}.log"'
        return response

    def get_queryset(self) -> QuerySet[Run]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Run.objects.none()
        queryset = (
            Run.objects.filter(project__memberships__user=self.request.user.pk)
            .select_related("pipeline", "created_by", "cloned_from")
            .distinct()
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("node_runs")
        if self.action == "list":
            archived = self.request.query_params.get("archived", "").lower() in ("true", "1")
            queryset = queryset.filter(archived_at__isnull=not archived)
            try:
                queryset = filter_runs(queryset, self.request.query_params)
            except ListingInvalid as exc:
                raise serializers.ValidationError(exc.errors) from exc
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
        queryset = (
            Experiment.objects.filter(project__memberships__user=self.request.user.pk)
            .distinct()
            .annotate(run_count=Count("runs", distinct=True))
        )
        return project_filter(self.request, queryset)

    def perform_create(self, serializer: Any) -> None:
        serializer.save(created_by=self.request.user)


class RunSetupView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("name", str, description="the run name to check")],
        responses=RunSetupSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        """What the execute dialog opens with: your saved choices and the name the run will get."""
        pipeline = get_object_or_404(Pipeline.objects.visible_to(request.user), pk=pk)
        return Response(run_setup(request.user, pipeline, request.query_params.get("name")))


class PipelineExportView(APIView):
    @extend_schema(
        request=ExportRequestSerializer,
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
    )
    def post(self, request: Request, pk: int) -> StreamingHttpResponse:
        """The pipeline as a zip that runs with `python main.py`, streamed; a 400 lists the
        problems (`graph`, `static`, `input_credentials`, `version`) and nothing is sent."""
        pipeline = get_object_or_404(Pipeline.objects.visible_to(request.user), pk=pk)
        try:
            prepared = prepare_export(pipeline, request.user, request.data)
        except ExportInvalid as exc:
            raise serializers.ValidationError(exc.errors) from exc
        response = StreamingHttpResponse(stream_export(prepared), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{prepared.filename}"'
        response["X-Pipeline-Version"] = str(prepared.version.number)
        return response


class NodeRunViewSet(viewsets.ReadOnlyModelViewSet[NodeRun]):
    """Node runs across runs, for the projects you are a member of."""

    serializer_class = NodeRunListSerializer
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, description="node state(s), comma-separated"),
            OpenApiParameter("operation", str, description="operation id or slug"),
            OpenApiParameter("run", int),
            OpenApiParameter("pipeline", int),
            OpenApiParameter("project", int),
            OpenApiParameter("ordering", str, description="started_at, -started_at, duration, -duration"),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[NodeRun]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return NodeRun.objects.none()
        visible = Run.objects.filter(project__memberships__user=self.request.user.pk).values("pk")
        queryset = (
            NodeRun.objects.filter(run__in=visible)
            .select_related("run__pipeline", "operation_version__operation")
            .defer("log")
        )
        if self.action != "list":
            return queryset
        try:
            return filter_node_runs(queryset, self.request.query_params)
        except ListingInvalid as exc:
            raise serializers.ValidationError(exc.errors) from exc

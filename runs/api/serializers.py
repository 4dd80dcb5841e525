"""Serializers of the runs API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from editor.api.serializers import ProjectField, UserNameField
from runs.models import Experiment, NodeRun, Run, RunEvent


class NodeRunSerializer(serializers.ModelSerializer[NodeRun]):
    class Meta:
        model = NodeRun
        fields = [
            "id",
            "node_id",
            "operation_version",
            "state",
            "attempt",
            "progress",
            "started_at",
            "finished_at",
            "exit_code",
            "error",
            "metrics",
            "outputs",
            "worker",
            "gpus",
        ]


class NodeRunListSerializer(serializers.ModelSerializer[NodeRun]):
    """A node run in the list across runs: where it ran and which operation it ran."""

    run_name = serializers.CharField(source="run.name", read_only=True)
    pipeline = serializers.IntegerField(source="run.pipeline_id", read_only=True)
    pipeline_name = serializers.CharField(source="run.pipeline.name", read_only=True)
    operation = serializers.IntegerField(source="operation_version.operation_id", read_only=True)
    operation_name = serializers.CharField(source="operation_version.operation.name", read_only=True)

    class Meta:
        model = NodeRun
        fields = [
            "id",
            "run",
            "run_name",
            "pipeline",
            "pipeline_name",
            "node_id",
            "operation",
            "operation_name",
            "operation_version",
            "state",
            "attempt",
            "started_at",
            "finished_at",
            "exit_code",
            "worker",
        ]


class RunSerializer(serializers.ModelSerializer[Run]):
    pipeline_name = serializers.CharField(source="pipeline.name", read_only=True)
    created_by = UserNameField(read_only=True)
    metric = serializers.SerializerMethodField(
        help_text="with `?metric=<name>` on the list: the run's last value of that metric, else null"
    )

    class Meta:
        model = Run
        fields = [
            "id",
            "project",
            "pipeline",
            "pipeline_name",
            "pipeline_version",
            "git_commit",
            "experiment",
            "name",
            "state",
            "debug",
            "error",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "archived_at",
            "cloned_from",
            "recurring_run",
            "metric",
        ]

    def get_metric(self, run: Run) -> float | None:
        value = getattr(run, "metric_value", None)
        return None if value is None else float(value)


class RunDetailSerializer(RunSerializer):
    node_runs = NodeRunSerializer(many=True, read_only=True)

    class Meta(RunSerializer.Meta):
        fields = [
            *RunSerializer.Meta.fields,
            "config",
            "node_runs",
            "last_event_seq",
            "cloned_from_name",
            "recurring_run_name",
        ]

    cloned_from_name = serializers.CharField(source="cloned_from.name", read_only=True, default=None)
    recurring_run_name = serializers.CharField(source="recurring_run.name", read_only=True, default=None)


class RunEventSerializer(serializers.ModelSerializer[RunEvent]):
    class Meta:
        model = RunEvent
        fields = ["seq", "kind", "node_id", "payload", "created_at"]


class ExperimentSerializer(serializers.ModelSerializer[Experiment]):
    project = ProjectField()
    created_by = UserNameField(read_only=True)
    run_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Experiment
        validators: list[object] = []  # uniqueness is checked in validate(), per field
        fields = ["id", "project", "name", "description", "archived", "created_by", "created_at", "run_count"]
        read_only_fields = ["created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        project = attrs.get("project", getattr(self.instance, "project", None))
        name = attrs.get("name", getattr(self.instance, "name", None))
        clash = Experiment.objects.filter(project=project, name=name)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                {"name": ["An experiment with this name already exists in the project."]}
            )
        return attrs


class SubmitRunSerializer(serializers.Serializer[Any]):
    """The execution config; the domain validates its content (runs/config.py)."""

    CONFIG_FIELDS = frozenset(
        {
            "name",
            "debug",
            "cache",
            "compute",
            "storage",
            "params",
            "inputs",
            "input_credentials",
            "nodes",
            "until",
            "retry",
            "retry_nodes",
            "timeout_seconds",
            "experiment",
            "pipeline_version",
            "cloned_from",
            "input_mappings",
            "output_mappings",
        }
    )

    pipeline = serializers.IntegerField()
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    debug = serializers.BooleanField(required=False)
    cache = serializers.BooleanField(required=False)
    compute = serializers.JSONField(required=False)
    storage = serializers.JSONField(required=False)
    params = serializers.JSONField(required=False)
    inputs = serializers.JSONField(
        required=False,
        help_text='pipeline input name (or "node.port") -> {"artifact": id} or {"value": json}',
    )
    input_credentials = serializers.JSONField(
        required=False,
        help_text='artifact id -> {"account": id} or {"options": {...}}: your credentials for an input '
        "artifact kept in storage opened with someone else's",
    )
    nodes = serializers.ListField(child=serializers.CharField(), required=False, allow_null=True)
    until = serializers.CharField(required=False, allow_null=True)
    retry = serializers.JSONField(required=False)
    retry_nodes = serializers.JSONField(required=False)
    timeout_seconds = serializers.FloatField(required=False, allow_null=True)
    experiment = serializers.IntegerField(required=False, allow_null=True)
    pipeline_version = serializers.IntegerField(required=False, allow_null=True)
    cloned_from = serializers.IntegerField(
        required=False, allow_null=True, help_text="the run this one clones (of the same pipeline)"
    )
    input_mappings = serializers.JSONField(
        required=False,
        help_text='inputs from an environment variable or a storage path: {"x": {"kind": "env", ...}}',
    )
    output_mappings = serializers.JSONField(
        required=False,
        help_text='outputs also written to a storage path: {"node.port": {"kind": "datastore", "path": "o"}}',
    )
    save_for_future = serializers.BooleanField(
        required=False, default=False, help_text="remember these choices (never secrets) for this pipeline"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = set(self.initial_data) - self.CONFIG_FIELDS - {"pipeline", "save_for_future"}
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
        return attrs


class RunSetupSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="the name asked for")
    run_name = serializers.CharField(help_text="the name a run would get now (`test` -> `test_2` when taken)")
    preset = serializers.JSONField(allow_null=True, help_text="your saved choices for this pipeline")
    inputs = serializers.ListField(
        child=serializers.JSONField(),
        help_text="the pipeline's inputs: name, type, default, description, and `wired` (feeds a node)",
    )


class ExperimentMoveSerializer(serializers.Serializer[Any]):
    experiment = serializers.IntegerField(
        allow_null=True, help_text="an experiment of the run's project, or null"
    )


class RunDeletedSerializer(serializers.Serializer[Any]):
    node_runs = serializers.IntegerField()
    events = serializers.IntegerField()
    artifacts = serializers.IntegerField()


class CloneSetupSerializer(serializers.Serializer[Any]):
    cloned_from = serializers.IntegerField()
    pipeline = serializers.IntegerField()
    pipeline_version = serializers.IntegerField()
    name = serializers.CharField()
    run_name = serializers.CharField(help_text="the name the clone would get now")
    debug = serializers.BooleanField()
    experiment = serializers.IntegerField(allow_null=True)
    params = serializers.JSONField()
    inputs = serializers.JSONField()
    run_inputs = serializers.ListField(child=serializers.JSONField(), help_text="the version's inputs")
    compute = serializers.JSONField(help_text="backend, public options and account; no secrets")
    storage = serializers.JSONField(help_text="backend, public options and account; no secrets")
    secrets_dropped = serializers.BooleanField(
        help_text="secrets were typed in for the original: type them again"
    )


class ExportRequestSerializer(serializers.Serializer[Any]):
    """For the schema; runs/export.py validates the content."""

    version = serializers.IntegerField(required=False, allow_null=True, help_text="none: the saved draft")
    static = serializers.JSONField(
        required=False, help_text='input name -> {"artifact": id} or {"value": ...}, shipped in the zip'
    )
    input_credentials = serializers.JSONField(
        required=False, help_text='artifact id -> {"account": id} or {"options": {...}}'
    )

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
        ]


class RunSerializer(serializers.ModelSerializer[Run]):
    pipeline_name = serializers.CharField(source="pipeline.name", read_only=True)
    created_by = UserNameField(read_only=True)

    class Meta:
        model = Run
        fields = [
            "id",
            "project",
            "pipeline",
            "pipeline_name",
            "pipeline_version",
            "experiment",
            "name",
            "state",
            "debug",
            "error",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]


class RunDetailSerializer(RunSerializer):
    node_runs = NodeRunSerializer(many=True, read_only=True)

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "config", "node_runs", "last_event_seq"]


class RunEventSerializer(serializers.ModelSerializer[RunEvent]):
    class Meta:
        model = RunEvent
        fields = ["seq", "kind", "node_id", "payload", "created_at"]


class ExperimentSerializer(serializers.ModelSerializer[Experiment]):
    project = ProjectField()
    created_by = UserNameField(read_only=True)

    class Meta:
        model = Experiment
        validators: list[object] = []  # uniqueness is checked in validate(), per field
        fields = ["id", "project", "name", "description", "archived", "created_by", "created_at"]
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

"""What the Deploy page opens with: a version's step inputs and outputs, the mapping kinds
each rule allows, and the project's environment variables."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from editor.models import Pipeline
from runs.mappings import INPUT_RULES, OUTPUT_RULES, step_inputs, step_outputs
from runs.models import EnvironmentVariable


def kinds_by_rule(table: dict[Any, frozenset[str]]) -> dict[str, list[str]]:
    return {
        rule: [str(kind) for kind, rules in table.items() if rule in rules]
        for rule in ("endpoint", "periodic")
    }


class DeploySetupView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("version", int, description="a version id (default: the latest)")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, pk: int) -> Response:
        """The step inputs and outputs of a version of the pipeline (the latest by default),
        which mapping kinds each rule allows, and the project's environment variables."""
        pipeline = get_object_or_404(Pipeline.objects.visible_to(request.user), pk=pk)
        versions = pipeline.versions.order_by("-number")
        wanted = request.query_params.get("version", "")
        if wanted and not wanted.isdigit():
            raise serializers.ValidationError({"version": ["Must be a version id (a whole number)."]})
        version = versions.filter(pk=int(wanted)).first() if wanted else versions.first()
        if wanted and version is None:
            raise serializers.ValidationError({"version": [f"{wanted} is not a version of this pipeline."]})
        variables = EnvironmentVariable.objects.filter(project=pipeline.project).order_by("name")
        return Response(
            {
                "pipeline": pipeline.pk,
                "pipeline_name": pipeline.name,
                "project": pipeline.project_id,
                "versions": [{"id": item.pk, "number": item.number} for item in versions[:50]],
                "version": None if version is None else {"id": version.pk, "number": version.number},
                "step_inputs": []
                if version is None
                else [{"key": key, **item} for key, item in step_inputs(version).items()],
                "step_outputs": []
                if version is None
                else [{"key": key, **item} for key, item in step_outputs(version).items()],
                "input_kinds": kinds_by_rule(INPUT_RULES),
                "output_kinds": kinds_by_rule(OUTPUT_RULES),
                "environment_variables": [
                    {"name": variable.name, "secret": variable.secret} for variable in variables
                ],
            }
        )

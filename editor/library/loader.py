"""Load the built-in library and the example pipelines; safe to run at every start."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from editor.models import Operation, Pipeline, Project
from editor.operations import create_operation_version
from editor.pipelines import freeze_version, validate_draft

from .catalog import BUILTIN_OPERATIONS, version_content

EXAMPLES_DIR = Path(__file__).parent / "examples"
EXAMPLES_PROJECT_SLUG = "examples"


@dataclass
class LoadReport:
    operations_created: list[str] = field(default_factory=list)
    versions_created: list[str] = field(default_factory=list)
    pipelines_created: list[str] = field(default_factory=list)


@transaction.atomic
def load_builtin_operations(report: LoadReport) -> dict[str, Operation]:
    """Create each built-in operation, adding a version when its code changed."""
    by_slug: dict[str, Operation] = {}
    for spec in BUILTIN_OPERATIONS:
        operation, created = Operation.objects.update_or_create(
            project=None,
            slug=spec["slug"],
            defaults={"name": spec["name"], "category": spec["category"], "description": spec["description"]},
        )
        if created:
            report.operations_created.append(spec["slug"])
        version, new = create_operation_version(operation, version_content(spec))
        if new:
            report.versions_created.append(f"{spec['slug']} v{version.number}")
        by_slug[spec["slug"]] = operation
    return by_slug


def example_graph(data: dict[str, Any], operations: dict[str, Operation]) -> dict[str, Any]:
    nodes = [{**node, "operation": operations[node["operation"]].pk} for node in data["nodes"]]
    edges = [
        {"id": f"{e['source']}.{e['source_port']}->{e['target']}.{e['target_port']}", **e}
        for e in data["edges"]
    ]
    return {"nodes": nodes, "edges": edges, "inputs": data.get("inputs", [])}


@transaction.atomic
def load_examples(project: Project, operations: dict[str, Operation], report: LoadReport) -> None:
    """Add each example pipeline the project does not have yet; never overwrite edits."""
    for path in sorted(EXAMPLES_DIR.glob("*.json")):
        data = json.loads(path.read_text())
        if Pipeline.objects.filter(project=project, name=data["name"]).exists():
            continue
        graph = validate_draft(example_graph(data, operations), user=None)
        pipeline = Pipeline.objects.create(
            project=project, name=data["name"], description=data["description"], graph=graph
        )
        freeze_version(pipeline)
        report.pipelines_created.append(pipeline.name)


def examples_project() -> Project:
    project, _ = Project.objects.get_or_create(
        slug=EXAMPLES_PROJECT_SLUG,
        defaults={"name": "Examples", "description": "Example pipelines shipped with Pipewright."},
    )
    return project


def load_library() -> LoadReport:
    report = LoadReport()
    operations = load_builtin_operations(report)
    load_examples(examples_project(), operations, report)
    return report

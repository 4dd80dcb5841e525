"""Submitting runs: validate, freeze, create the rows, enqueue after commit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from pydantic import ValidationError

from credentials.backends import KINDS
from credentials.crypto import encrypt_json
from credentials.resolve import Resolved, resolve_choice
from editor.choices import OperationKind
from editor.graph import Problem, node_edges
from editor.models import Artifact, OperationVersion, Pipeline, PipelineVersion
from editor.operations import latest_versions
from editor.pipelines import freeze_version
from editor.schemas import Param, error_messages
from runs.choices import NodeState
from runs.config import ExecutionConfig
from runs.events import record_event
from runs.inputs import (
    check_pipeline_inputs,
    chosen_artifact_ids,
    inherit_input_secrets,
    project_artifacts,
    resolve_input_credentials,
)
from runs.models import Deployment, Experiment, NodeRun, RecurringRun, Run
from runs.secret_inputs import INPUT_VALUES, hide_inputs, reveal_inputs


class SubmitInvalid(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def parse_config(data: Any) -> ExecutionConfig:
    try:
        return ExecutionConfig.model_validate(data or {})
    except ValidationError as exc:
        raise SubmitInvalid([Problem(message) for message in error_messages(exc)]) from exc


def unique_run_name(pipeline: Pipeline, wanted: str) -> str:
    """`wanted`, or `wanted_2`, `wanted_3`... whichever is free in this pipeline."""
    base = wanted.strip() or "run"
    taken = set(Run.objects.filter(pipeline=pipeline, name__startswith=base).values_list("name", flat=True))
    if base not in taken:
        return base
    numbers = [int(m.group(1)) for name in taken if (m := re.fullmatch(re.escape(base) + r"_(\d+)", name))]
    return f"{base}_{max([1, *numbers]) + 1}"


def ancestors(graph: dict[str, Any], targets: set[str]) -> set[str]:
    parents: dict[str, set[str]] = {}
    for edge in node_edges(graph):
        parents.setdefault(edge["target"], set()).add(edge["source"])
    seen: set[str] = set()
    stack = list(targets)
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def planned_nodes(graph: dict[str, Any], config: ExecutionConfig) -> set[str]:
    """The nodes this run executes: all, or the selection plus what it needs."""
    all_nodes = {node["id"] for node in graph["nodes"]}
    wanted: set[str] = set()
    if config.nodes is not None:
        wanted |= set(config.nodes)
    if config.until is not None:
        wanted.add(config.until)
    if not wanted:
        return all_nodes
    return wanted | ancestors(graph, wanted)


def _check(
    version: PipelineVersion,
    config: ExecutionConfig,
    ops: dict[str, OperationVersion],
    artifacts: dict[int, Artifact],
) -> list[Problem]:
    problems: list[Problem] = []
    graph = version.graph
    node_ids = {node["id"] for node in graph["nodes"]}
    if not node_ids:
        problems.append(Problem("the pipeline has no nodes"))
    for selected in [*(config.nodes or []), *([config.until] if config.until else [])]:
        if selected not in node_ids:
            problems.append(Problem("no such node to run", node=selected))
    for node_id, params in config.params.items():
        if node_id not in node_ids:
            problems.append(Problem("parameters given for a node that does not exist", node=node_id))
            continue
        declared = {p["name"]: Param.model_validate(p) for p in ops[node_id].parameters}
        for name, value in params.items():
            if name not in declared:
                problems.append(Problem(f"unknown parameter {name!r}", node=node_id, port=name))
            elif why := declared[name].value_problem(value):
                problems.append(Problem(f"parameter {name!r} {why}", node=node_id, port=name))
    provided = set()
    for key, value in config.inputs.items():
        node_id, dot, port = key.partition(".")
        if not dot:
            continue  # a pipeline input's name: runs/inputs.py checks those
        provided.add((node_id, port))
        if node_id not in node_ids:
            problems.append(Problem("input given for a node that does not exist", node=node_id, port=port))
        elif port not in {p["name"] for p in ops[node_id].inputs}:
            problems.append(Problem(f"no input port {port!r}", node=node_id, port=port))
        elif "artifact" in value and int(value["artifact"]) not in artifacts:
            problems.append(
                Problem(f"artifact {value['artifact']} not found in this project", node=node_id, port=port)
            )
        elif "secret" in value:
            problems.append(
                Problem("a secret value of the run this one repeats: give it again", node=node_id, port=port)
            )
    wired = {(edge["target"], edge["target_port"]) for edge in graph["edges"]}
    for node_id in sorted(planned_nodes(graph, config) & node_ids):
        for port in ops[node_id].inputs:
            wire = (node_id, port["name"])
            if not port.get("optional") and wire not in wired and wire not in provided:
                problems.append(Problem("required input is not connected", node=node_id, port=port["name"]))
    problems += container_problems(graph, config, ops, node_ids)
    if (
        config.experiment is not None
        and not Experiment.objects.filter(pk=config.experiment, project=version.pipeline.project).exists()
    ):
        problems.append(Problem(f"experiment: {config.experiment} is not an experiment of this project"))
    return problems


def container_problems(
    graph: dict[str, Any], config: ExecutionConfig, ops: dict[str, OperationVersion], node_ids: set[str]
) -> list[Problem]:
    """Container tasks run as their own pods on the kubernetes backend, and elsewhere as
    their command run on the worker itself (runtime/container.py). A task without a command
    (its image's entrypoint) can only run in its image: refused, naming the node, on the
    backends that run commands on the worker. Whether the command is installed on the
    worker is known only there: the node fails then, saying so."""
    if config.compute.backend == "kubernetes":
        return []
    return [
        Problem(
            f"this container task has no command (it runs the entrypoint of {ops[node_id].image!r}), "
            f"which only the kubernetes backend can run; the {config.compute.backend} backend runs a "
            "task's command on the worker itself: run it on kubernetes, or give the operation a command",
            node=node_id,
        )
        for node_id in sorted(planned_nodes(graph, config) & node_ids)
        if ops[node_id].kind == OperationKind.CONTAINER and not ops[node_id].command
    ]


def resolve_backends(config: ExecutionConfig, user: Any) -> tuple[dict[str, Resolved], list[Problem]]:
    """Each backend choice with its linked account; problems name `storage.options.bucket` etc."""
    from credentials.backends import UnknownBackend, backends

    resolved: dict[str, Resolved] = {}
    problems: list[Problem] = []
    for kind in KINDS:
        choice = getattr(config, kind).model_dump()
        try:
            resolved[kind] = found = resolve_choice(kind, choice, user)
        except UnknownBackend:
            known = ", ".join(info.name for info in backends(kind))
            problems.append(Problem(f"{kind}: unknown backend {choice['backend']!r}; known: {known}"))
            continue
        for name, message in found.problems.items():
            where = "account" if name == "account" else f"options.{name}"
            problems.append(Problem(f"{kind}.{where}: {message}"))
    return resolved, problems


def operation_versions_for(version: PipelineVersion, latest: bool) -> dict[str, OperationVersion]:
    """Node id -> operation version: the frozen ones, or (debug re-runs) the newest."""
    nodes = version.graph["nodes"]
    if latest:
        newest = latest_versions(node["operation"] for node in nodes)
        return {node["id"]: newest[node["operation"]] for node in nodes}
    frozen = OperationVersion.objects.select_related("operation").in_bulk(
        [node["operation_version"] for node in nodes]
    )
    return {node["id"]: frozen[node["operation_version"]] for node in nodes}


@dataclass
class PreparedRun:
    """A config checked against a pipeline version: public options only, secrets apart."""

    config: ExecutionConfig
    secrets: dict[str, Any]
    ops: dict[str, OperationVersion]


def prepare_run(
    version: PipelineVersion,
    config: ExecutionConfig,
    user: Any,
    *,
    latest_operations: bool = False,
    inherited_secrets: dict[str, Any] | None = None,
    secret_inputs: frozenset[str] = frozenset(),
) -> PreparedRun:
    """Check everything a run of `version` with `config` needs, creating nothing.

    Raises SubmitInvalid listing every problem. Backend secrets (typed in or
    inherited) move out of the config into `secrets`, and so do the values of the inputs
    named in `secret_inputs` (runs/secret_inputs.py)."""
    ops = operation_versions_for(version, latest_operations)
    secret_inputs = secret_inputs | reveal_inputs(config, (inherited_secrets or {}).get(INPUT_VALUES, {}))
    if inherited_secrets:  # a re-run keeps the secrets typed in for the run it repeats
        for kind, inherited in inherited_secrets.items():
            if kind == INPUT_VALUES:
                continue
            if kind == "inputs":
                inherit_input_secrets(config, inherited)
                continue
            choice = getattr(config, kind)
            choice.options = {**inherited, **choice.options}
    backends, backend_problems = resolve_backends(config, user)
    artifacts = project_artifacts(version.pipeline.project_id, chosen_artifact_ids(config))
    input_problems, defaults = check_pipeline_inputs(
        version.graph, config, planned_nodes(version.graph, config), artifacts
    )
    credential_problems, input_secrets = resolve_input_credentials(config, artifacts, user)
    problems = [*backend_problems, *_check(version, config, ops, artifacts), *input_problems]
    problems += credential_problems
    if problems:
        raise SubmitInvalid(problems)
    config.inputs.update(defaults)  # the run says what every wired input gave
    secrets: dict[str, Any] = {kind: found.secrets for kind, found in backends.items() if found.secrets}
    if input_secrets:
        secrets["inputs"] = input_secrets
    if hidden := hide_inputs(config, secret_inputs):
        secrets[INPUT_VALUES] = hidden
    for kind, found in backends.items():  # the config keeps public options only
        getattr(config, kind).options = found.public
    return PreparedRun(config, secrets, ops)


@transaction.atomic
def create_run(
    pipeline: Pipeline,
    version: PipelineVersion,
    config: ExecutionConfig,
    user: Any,
    *,
    latest_operations: bool = False,
    inherited_secrets: dict[str, Any] | None = None,
    cloned_from: Run | None = None,
    recurring_run: RecurringRun | None = None,
    secret_inputs: frozenset[str] = frozenset(),
    deployment: Deployment | None = None,
) -> Run:
    prepared = prepare_run(
        version,
        config,
        user,
        latest_operations=latest_operations,
        inherited_secrets=inherited_secrets,
        secret_inputs=secret_inputs,
    )
    config, secrets, ops = prepared.config, prepared.secrets, prepared.ops
    Pipeline.objects.select_for_update().filter(pk=pipeline.pk).first()  # serialise name choice
    name = unique_run_name(pipeline, config.name or "run")
    run = Run.objects.create(
        project=pipeline.project,
        pipeline=pipeline,
        pipeline_version=version,
        experiment_id=config.experiment,
        name=name,
        debug=config.debug,
        config=config.model_dump(mode="json") | {"name": name},
        secret_ciphertext=encrypt_json(secrets) if secrets else "",
        created_by=user if getattr(user, "is_authenticated", False) else None,
        cloned_from=cloned_from,
        recurring_run=recurring_run,
        deployment=deployment,
        git_commit=version.git_commit or "",
    )
    plan = planned_nodes(version.graph, config)
    NodeRun.objects.bulk_create(
        NodeRun(
            run=run,
            node_id=node["id"],
            operation_version=ops[node["id"]],
            state=NodeState.PENDING if node["id"] in plan else NodeState.SKIPPED,
            error="" if node["id"] in plan else "not selected for this run",
        )
        for node in version.graph["nodes"]
    )
    version.add_tag(name)
    record_event(run.pk, "run_created", name=name, nodes=len(plan))
    from runs.tasks import advance_run

    transaction.on_commit(lambda: advance_run.delay(run.pk))
    return run


@transaction.atomic
def submit_run(pipeline: Pipeline, data: Any, user: Any = None) -> Run:
    """Validate the config, freeze the pipeline (or take the named version), start a run.

    All or nothing: a refused config leaves no new version behind either. `cloned_from`
    (a run id) records the run this one was cloned from: it must be a run of this pipeline."""
    data = dict(data or {})
    original_id = data.pop("cloned_from", None)
    input_mappings, output_mappings = data.pop("input_mappings", None), data.pop("output_mappings", None)
    original = None
    if original_id is not None:
        original = Run.objects.filter(pk=original_id, pipeline=pipeline).first()
        if original is None:
            raise SubmitInvalid([Problem(f"cloned_from: {original_id} is not a run of this pipeline")])
    config = parse_config(data)
    if config.pipeline_version is not None:
        version = PipelineVersion.objects.filter(pk=config.pipeline_version, pipeline=pipeline).first()
        if version is None:
            raise SubmitInvalid(
                [Problem(f"pipeline_version: {config.pipeline_version} is not a version of this pipeline")]
            )
    else:
        version, _ = freeze_version(pipeline, user)
    secret_inputs: frozenset[str] = frozenset()
    if input_mappings is not None or output_mappings is not None:
        from runs.run_mappings import apply_run_mappings

        problems, secret_inputs = apply_run_mappings(
            pipeline, version, config, input_mappings, output_mappings
        )
        if problems:
            raise SubmitInvalid(problems)
    return create_run(pipeline, version, config, user, cloned_from=original, secret_inputs=secret_inputs)


def rerun(run: Run, user: Any = None, **changes: Any) -> Run:
    """A new run of the same version and config; finished nodes come back from the cache.

    For a debug run the new run takes the operations' newest versions, so edited
    code runs and unchanged upstream nodes are cache hits.
    """
    config = parse_config({**run.config, "name": changes.pop("name", run.name), "cache": True, **changes})
    from credentials.crypto import decrypt_json

    return create_run(
        run.pipeline,
        run.pipeline_version,
        config,
        user,
        latest_operations=run.debug,
        inherited_secrets=decrypt_json(run.secret_ciphertext),
    )

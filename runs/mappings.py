"""Where a deployment's step inputs come from and where its step outputs go.

Step inputs are the pipeline version's inputs (by name) and the required node inputs no
edge feeds (`node.port`); step outputs are the node outputs no edge reads (`node.port`).
Each one is mapped, and the mapping kinds a rule allows are data (`INPUT_RULES`,
`OUTPUT_RULES`), checked by `mapping_problems` when a deployment is created, every
problem naming `inputs.<key>` or `outputs.<key>` (docs/deployments.md):

| kind            | mapping                                          | run | endpoint | periodic |
|-----------------|--------------------------------------------------|-----|----------|----------|
| constant        | {"kind": "constant", "value": v} / "artifact": id | yes | yes      | yes      |
| endpoint_value  | {"kind": "endpoint_value", "name": "caller_name"} | no  | yes      | no       |
| endpoint_file   | {"kind": "endpoint_file", "name": "file"}        | no  | yes      | no       |
| env (inputs)    | {"kind": "env", "variable": "NAME"}               | yes | yes      | yes      |
| datastore       | {"kind": "datastore", "path": "a/key.csv"}       | yes | yes      | yes      |
| none            | {"kind": "none"}                                  | yes | yes      | yes      |

Mappings are resolved when a run starts (`resolve_inputs`): an environment variable is
read then, a datastore file copied into an artifact then, so a change to either takes
effect at the next call or tick without touching the deployment.
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import IO, Any

from credentials.crypto import decrypt_json
from credentials.resolve import stored_options
from editor.artifacts import safe_filename, storage_of
from editor.graph import node_edges
from editor.models import Artifact, PipelineVersion
from editor.schemas import ARTIFACT_TYPES, IDENTIFIER, input_value_ok
from runs.inputs import TAKES_ARTIFACT, artifact_problem, declared_inputs
from runs.models import Deployment, EnvironmentVariable, Run
from runs.models.deployments import VARIABLE_NAME
from storage_backends.base import InvalidKey, StorageBackend, check_key
from storage_backends.registry import get_storage


class Kind(StrEnum):
    CONSTANT = "constant"
    ENDPOINT_VALUE = "endpoint_value"
    ENDPOINT_FILE = "endpoint_file"
    ENV = "env"
    DATASTORE = "datastore"
    NONE = "none"


RULES = ("run", "endpoint", "periodic")
ALL = frozenset(RULES)
# Which rules may use each kind, for step inputs and for step outputs. A kind missing
# from a table is not a mapping of that side at all.
INPUT_RULES: dict[Kind, frozenset[str]] = {
    Kind.CONSTANT: ALL,
    Kind.ENDPOINT_VALUE: frozenset({"endpoint"}),
    Kind.ENDPOINT_FILE: frozenset({"endpoint"}),
    Kind.ENV: ALL,
    Kind.DATASTORE: ALL,
    Kind.NONE: ALL,
}
OUTPUT_RULES: dict[Kind, frozenset[str]] = {
    Kind.ENDPOINT_VALUE: frozenset({"endpoint"}),
    Kind.DATASTORE: ALL,
    Kind.NONE: ALL,
}
# What each kind needs besides `kind`.
FIELDS: dict[Kind, set[str]] = {
    Kind.CONSTANT: {"value", "artifact"},
    Kind.ENDPOINT_VALUE: {"name"},
    Kind.ENDPOINT_FILE: {"name"},
    Kind.ENV: {"variable"},
    Kind.DATASTORE: {"path"},
    Kind.NONE: set(),
}


class MappingBroken(Exception):
    """A mapping that cannot be resolved now (a variable deleted, a datastore file gone);
    the message names the step input. The deployment's fault, not the caller's."""


class CallInvalid(Exception):
    """What an endpoint caller sent does not fit the mappings; problems by caller field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


# --- the version's step inputs and outputs ----------------------------------------


def step_inputs(version: PipelineVersion) -> dict[str, dict[str, Any]]:
    """Key -> {"type", "pipeline_input": bool}: the pipeline inputs by name, then the
    required node inputs no edge feeds, as `node.port`."""
    from runs.submit import operation_versions_for

    graph = version.graph
    found = {
        name: {"type": item["type"], "pipeline_input": True} for name, item in declared_inputs(graph).items()
    }
    ops = operation_versions_for(version, latest=False)
    wired = {(edge["target"], edge["target_port"]) for edge in graph["edges"]}
    for node in graph["nodes"]:
        for port in ops[node["id"]].inputs:
            if not port.get("optional") and (node["id"], port["name"]) not in wired:
                found[f"{node['id']}.{port['name']}"] = {"type": port["type"], "pipeline_input": False}
    return found


def step_outputs(version: PipelineVersion) -> dict[str, dict[str, Any]]:
    """`node.port` -> {"type"}: every node output that no edge reads (the pipeline's results)."""
    from runs.submit import operation_versions_for

    graph = version.graph
    ops = operation_versions_for(version, latest=False)
    read = {(edge["source"], edge["source_port"]) for edge in node_edges(graph)}
    return {
        f"{node['id']}.{port['name']}": {"type": port["type"]}
        for node in graph["nodes"]
        for port in ops[node["id"]].outputs
        if (node["id"], port["name"]) not in read
    }


def caller_name(key: str, mapping: dict[str, Any]) -> str:
    """The name an endpoint caller uses for a step input or output (`node.port` -> `node_port`)."""
    return str(mapping.get("name") or key.replace(".", "_").replace("-", "_"))


# --- checking mappings when a deployment is made ----------------------------------


def _shape_problem(mapping: Any, table: dict[Kind, frozenset[str]], side: str, rule: str) -> str:
    if not isinstance(mapping, dict) or "kind" not in mapping:
        kinds = ", ".join(table)
        return f'must be an object with a "kind" ({kinds})'
    kind = mapping["kind"]
    if kind not in FIELDS:
        return f"unknown mapping kind {kind!r}; known: {', '.join(Kind)}"
    if kind not in table:
        return f"{kind} is not a mapping for an {side} (an {side} may map to: {', '.join(table)})"
    if rule not in table[Kind(kind)]:
        allowed = ", ".join(sorted(table[Kind(kind)]))
        who = "a plain run" if rule == "run" else f"a {rule} deployment"
        return f"{kind} cannot be used by {who} (only: {allowed})"
    extra = set(mapping) - FIELDS[Kind(kind)] - {"kind"}
    if extra:
        return f"{kind} takes no {', '.join(sorted(extra))}"
    return ""


def _input_problem(key: str, item: dict[str, Any], mapping: dict[str, Any], project_id: int) -> str:
    type_ = item["type"]
    kind = Kind(mapping["kind"])
    if kind == Kind.CONSTANT:
        if ("value" in mapping) == ("artifact" in mapping):
            return 'a constant gives either "value" or "artifact" (an artifact id)'
        if "artifact" in mapping:
            if type_ not in TAKES_ARTIFACT:
                return f"a {type_} input takes a value, not an artifact"
            artifact = Artifact.objects.filter(pk=mapping["artifact"], project_id=project_id).first()
            if artifact is None:
                return f"artifact {mapping['artifact']} is not in this project"
            return artifact_problem(artifact, type_)
        if type_ in ARTIFACT_TYPES:
            return f'a {type_} input takes an artifact ("artifact": id), not a value'
        if not input_value_ok(type_, mapping["value"]):
            return f"the constant must be of type {type_}"
    elif kind == Kind.ENDPOINT_VALUE:
        if type_ in ARTIFACT_TYPES:
            return f"a {type_} input cannot take a JSON value: map it to an endpoint_file"
    elif kind == Kind.ENDPOINT_FILE:
        if type_ not in TAKES_ARTIFACT:
            return f"a {type_} input cannot take a file: map it to an endpoint_value"
    elif kind == Kind.ENV:
        if type_ in ARTIFACT_TYPES:
            return f"a {type_} input cannot take an environment variable"
        variable = mapping.get("variable")
        if not isinstance(variable, str) or not re.fullmatch(VARIABLE_NAME, variable):
            return "variable must be an environment variable's name (A-Z, 0-9, _)"
        if not EnvironmentVariable.objects.filter(project_id=project_id, name=variable).exists():
            return f"this project has no environment variable {variable}"
    elif kind == Kind.DATASTORE:
        return _path_problem(mapping.get("path"))
    elif (
        kind == Kind.NONE
        and item["pipeline_input"]
        and (type_ in ARTIFACT_TYPES or not input_value_ok(type_, None))
    ):
        return f"a {type_} input cannot be None: map it to a constant or another kind"
    if kind in (Kind.ENDPOINT_VALUE, Kind.ENDPOINT_FILE) and not re.fullmatch(
        IDENTIFIER, caller_name(key, mapping)
    ):
        return "name must be an identifier (letters, digits, _)"
    return ""


def _path_problem(path: Any) -> str:
    if not isinstance(path, str):
        return "path must be a storage key such as data/input.csv"
    try:
        check_key(path.replace("{run_id}", "0"))
    except InvalidKey as exc:
        return str(exc)
    return ""


def mapping_problems(
    version: PipelineVersion, rule: str, inputs: Any, outputs: Any, *, require_all: bool = True
) -> dict[str, list[str]]:
    """Every reason these mappings cannot work for `version` under `rule`, by
    `inputs.<key>` / `outputs.<key>` (empty: they work). Every step input must be mapped;
    a step output left out is discarded (as `none`)."""
    errors: dict[str, list[str]] = {}
    if rule not in RULES:
        return {"rule": [f"unknown rule {rule!r}; known: {', '.join(RULES)}"]}
    if not isinstance(inputs, dict):
        return {"input_mappings": ["must be an object: step input -> mapping"]}
    if not isinstance(outputs, dict):
        return {"output_mappings": ["must be an object: step output -> mapping"]}
    project_id = version.pipeline.project_id
    wanted_inputs, wanted_outputs = step_inputs(version), step_outputs(version)
    caller_names: dict[str, str] = {}
    files = []
    for key in sorted(set(inputs) - set(wanted_inputs)):
        errors[f"inputs.{key}"] = [f"the pipeline version has no step input {key!r}"]
    for key, item in wanted_inputs.items():
        where = f"inputs.{key}"
        if key not in inputs:
            if require_all:  # a plain run maps some inputs and gives the others
                errors[where] = [f"step input {key!r} ({item['type']}) is not mapped"]
            continue
        mapping = inputs[key]
        problem = _shape_problem(mapping, INPUT_RULES, "input", rule) or _input_problem(
            key, item, mapping, project_id
        )
        if problem:
            errors[where] = [problem]
            continue
        if mapping["kind"] in (Kind.ENDPOINT_VALUE, Kind.ENDPOINT_FILE):
            name = caller_name(key, mapping)
            if name in caller_names:
                errors[where] = [f"the name {name!r} is already used by {caller_names[name]}"]
            caller_names[name] = key
            if mapping["kind"] == Kind.ENDPOINT_FILE:
                files.append(key)
    if len(files) > 1:
        for key in files[1:]:
            errors.setdefault(f"inputs.{key}", []).append(
                f"a call takes one file, and {files[0]!r} already takes it"
            )
    returned: dict[str, str] = {}
    for key in sorted(set(outputs) - set(wanted_outputs)):
        errors[f"outputs.{key}"] = [
            f"the pipeline version has no step output {key!r} (an unread node output)"
        ]
    for key in wanted_outputs:
        if key not in outputs:
            continue
        mapping = outputs[key]
        where = f"outputs.{key}"
        problem = _shape_problem(mapping, OUTPUT_RULES, "output", rule)
        if not problem and mapping["kind"] == Kind.DATASTORE:
            problem = _path_problem(mapping.get("path"))
        if not problem and mapping["kind"] == Kind.ENDPOINT_VALUE:
            name = caller_name(key, mapping)
            if not re.fullmatch(IDENTIFIER, name):
                problem = "name must be an identifier (letters, digits, _)"
            elif name in returned:
                problem = f"the name {name!r} is already used by {returned[name]}"
            returned[name] = key
        if problem:
            errors[where] = [problem]
    return errors


# --- resolving at trigger time ----------------------------------------------------


@dataclass
class CallFile:
    """The one file of an endpoint call: the form field it came in, its name and stream."""

    field: str
    filename: str
    stream: IO[bytes]
    content_type: str = ""


def endpoint_fields(deployment: Deployment) -> dict[str, tuple[str, dict[str, Any]]]:
    """Caller name -> (step input key, mapping), for endpoint values and the endpoint file."""
    return {
        caller_name(key, mapping): (key, mapping)
        for key, mapping in deployment.input_mappings.items()
        if mapping.get("kind") in (Kind.ENDPOINT_VALUE, Kind.ENDPOINT_FILE)
    }


def call_problems(
    deployment: Deployment, values: dict[str, Any], file: CallFile | None
) -> dict[str, list[str]]:
    """What is wrong with what a caller sent, by the caller's names."""
    types = {key: item["type"] for key, item in step_inputs(deployment.pipeline_version).items()}
    fields = endpoint_fields(deployment)
    errors: dict[str, list[str]] = {}
    for name in sorted(set(values) - set(fields)):
        known = ", ".join(sorted(n for n, (_, m) in fields.items() if m["kind"] == Kind.ENDPOINT_VALUE))
        errors[name] = [f"unknown input {name!r}; this endpoint takes: {known or 'no values'}"]
    for name, (key, mapping) in fields.items():
        type_ = types.get(key, "json")
        if mapping["kind"] == Kind.ENDPOINT_FILE:
            if name in values:
                errors[name] = [f"{name!r} is a file: send it as a multipart/form-data part"]
            elif file is None or file.field != name:
                errors[name] = [f"the file {name!r} is required (a multipart/form-data part)"]
            continue
        if name not in values:
            errors[name] = [f"the input {name!r} ({type_}) is required"]
        elif not input_value_ok(type_, values[name]):
            errors[name] = [f"the input {name!r} must be of type {type_}"]
    if file is not None and file.field not in fields:
        errors[file.field] = [f"unknown file {file.field!r}: this endpoint takes no such file"]
    return errors


def deployment_storage(deployment: Deployment) -> tuple[StorageBackend, dict[str, Any]]:
    """The storage backend of the deployment's runs (its datastore), and its choice."""
    choice = dict(deployment.config.get("storage") or {})
    secrets = decrypt_json(deployment.secret_ciphertext).get("storage", {})
    return get_storage(choice.get("backend"), stored_options(choice, secrets)), choice


def _store_input(
    deployment: Deployment, storage: StorageBackend, choice: dict[str, Any], name: str, source: IO[bytes]
) -> Artifact:
    """Copy `source` into the deployment's storage as an uploaded artifact of its project."""
    owner = f"deployments/{deployment.pk}" if deployment.pk else "runs"  # a plain run's mapping
    folder = f"projects/{deployment.project_id}/{owner}/{uuid.uuid4().hex}"
    key = f"{folder}/{safe_filename(name)}"
    stored = storage.save(key, source)
    return Artifact.objects.create(
        project_id=deployment.project_id,
        name=name[:255],
        storage_backend=storage.name,
        location=stored.key,
        storage_options=dict(choice.get("options") or {}),
        storage_account_id=choice.get("account"),
        size=stored.size,
        checksum=stored.checksum,
        created_by=deployment.created_by,
    )


def _typed(type_: str, text: str, where: str) -> Any:
    """An environment variable's or a datastore file's text as a value of `type_`."""
    if type_ == "str":
        return text
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MappingBroken(f"{where}: {text[:40]!r} is not a JSON {type_}") from exc
    if not input_value_ok(type_, value):
        raise MappingBroken(f"{where}: must be of type {type_}")
    return value


def resolve_inputs(
    deployment: Deployment, call_values: dict[str, Any] | None = None, call_file: CallFile | None = None
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The run's config `inputs` (`{"artifact": id}` / `{"value": v}` by step input key) and
    the `input_credentials` its datastore copies need when the storage secrets were typed in.
    Raises MappingBroken naming the step input when a mapping cannot be resolved now."""
    types = step_inputs(deployment.pipeline_version)
    call_values = call_values or {}
    resolved: dict[str, dict[str, Any]] = {}
    credentials: dict[str, dict[str, Any]] = {}
    storage: tuple[StorageBackend, dict[str, Any]] | None = None
    variables = {v.name: v for v in EnvironmentVariable.objects.filter(project_id=deployment.project_id)}
    for key, mapping in deployment.input_mappings.items():
        where = f"inputs.{key}"
        type_ = types.get(key, {"type": "json"})["type"]
        kind = mapping.get("kind")
        if kind == Kind.CONSTANT:
            resolved[key] = (
                {"artifact": mapping["artifact"]} if "artifact" in mapping else {"value": mapping["value"]}
            )
        elif kind == Kind.ENDPOINT_VALUE:
            resolved[key] = {"value": call_values.get(caller_name(key, mapping))}
        elif kind == Kind.ENDPOINT_FILE:
            if call_file is None:
                raise MappingBroken(f"{where}: the call brought no file")
            storage = storage or deployment_storage(deployment)
            artifact = _store_input(deployment, *storage, call_file.filename or "upload", call_file.stream)
            resolved[key] = {"artifact": artifact.pk}
        elif kind == Kind.ENV:
            variable = variables.get(mapping["variable"])
            if variable is None:
                raise MappingBroken(f"{where}: the environment variable {mapping['variable']} was deleted")
            resolved[key] = {"value": _typed(type_, variable.read(), f"{where} ({variable.name})")}
        elif kind == Kind.DATASTORE:
            storage = storage or deployment_storage(deployment)
            try:
                source = storage[0].open(mapping["path"])
            except (FileNotFoundError, InvalidKey) as exc:
                raise MappingBroken(f"{where}: no file {mapping['path']!r} in the datastore") from exc
            with source:
                if type_ in TAKES_ARTIFACT:
                    name = posixpath.basename(mapping["path"])
                    artifact = _store_input(deployment, *storage, name, source)
                    resolved[key] = {"artifact": artifact.pk}
                    secrets = decrypt_json(deployment.secret_ciphertext).get("storage", {})
                    if secrets:
                        credentials[str(artifact.pk)] = {"options": secrets}
                else:
                    text = source.read().decode("utf-8", errors="replace")
                    resolved[key] = {"value": _typed(type_, text, where)}
        elif kind == Kind.NONE:
            resolved[key] = {"value": None}
    return resolved, credentials


# --- outputs ----------------------------------------------------------------------


def _run_outputs(run: Run) -> dict[str, dict[str, Any]]:
    """`node.port` -> the stored output ({"artifact": id} or {"value": v})."""
    return {
        f"{node_id}.{port}": output
        for node_id, outputs in run.node_runs.values_list("node_id", "outputs")
        for port, output in (outputs or {}).items()
        if isinstance(output, dict)
    }


def secret_input_keys(deployment: Deployment) -> frozenset[str]:
    """The step inputs fed by a secret environment variable: their values are kept
    encrypted on the run, off its config (runs/secret_inputs.py)."""
    secret = set(
        EnvironmentVariable.objects.filter(project_id=deployment.project_id, secret=True).values_list(
            "name", flat=True
        )
    )
    return frozenset(
        key
        for key, mapping in deployment.input_mappings.items()
        if mapping.get("kind") == Kind.ENV and mapping.get("variable") in secret
    )


def collect_outputs(
    run: Run, deployment: Deployment, download_url: Callable[[Artifact], str] | None = None
) -> dict[str, Any]:
    """The endpoint outputs of a finished run, by the names they are mapped to: values
    inline (one too large to be kept inline comes as its file), files as
    {"artifact", "name", "size", "download_url"}. Datastore and none outputs are not returned."""
    stored = _run_outputs(run)
    wanted = {
        caller_name(key, mapping): stored.get(key)
        for key, mapping in deployment.output_mappings.items()
        if mapping.get("kind") == Kind.ENDPOINT_VALUE
    }
    artifacts = Artifact.objects.in_bulk(
        [int(out["artifact"]) for out in wanted.values() if out and "artifact" in out and "value" not in out]
    )
    answer: dict[str, Any] = {}
    for name, output in wanted.items():
        if output is None:
            answer[name] = None
        elif "value" in output:  # a value small enough to be kept inline
            answer[name] = output["value"]
        elif "artifact" in output:
            artifact = artifacts.get(int(output["artifact"]))
            answer[name] = (
                None
                if artifact is None
                else {
                    "artifact": artifact.pk,
                    "name": artifact.name,
                    "size": artifact.size,
                    "download_url": download_url(artifact) if download_url else None,
                }
            )
        else:
            answer[name] = output.get("value")
    return answer


def deliver_outputs(run: Run, deployment: Deployment) -> list[str]:
    """Copy the run's datastore outputs to their storage paths (`{run_id}` filled in);
    answers the keys written. Values are written as JSON, files as they are."""
    stored = _run_outputs(run)
    written: list[str] = []
    storage: StorageBackend | None = None
    for key, mapping in deployment.output_mappings.items():
        output = stored.get(key)
        if mapping.get("kind") != Kind.DATASTORE or output is None:
            continue
        storage = storage or deployment_storage(deployment)[0]
        path = str(mapping["path"]).replace("{run_id}", str(run.pk))
        if "value" in output:  # a value kept inline: written as JSON
            storage.save(path, io.BytesIO(json.dumps(output["value"]).encode()))
        else:
            artifact = Artifact.objects.select_related("produced_by__run", "storage_account").get(
                pk=output["artifact"]
            )
            with storage_of(artifact).open(artifact.location) as source:
                storage.save(path, source)
        written.append(path)
    return written

"""Pipeline inputs of a run: what each one gives, checked at submit, and how an input
artifact is opened when its storage needs credentials the submitter must bring.

A pipeline input (`Graph.inputs`) feeds every node input it is wired to (an edge whose
`source` is its name). A run's config gives it `{"artifact": id}` (file and directory
inputs, and objects) or `{"value": json}`; a wired input left out takes its default,
which submit writes into the run's config, so the run (and its re-runs) say exactly
what went in. See docs/engine.md, "Pipeline inputs".
"""

from __future__ import annotations

from typing import Any

from credentials.backends import UnknownBackend
from credentials.resolve import resolve_choice, stored_options
from editor.artifacts import needs_credentials, storage_of
from editor.graph import Problem, input_edges
from editor.models import Artifact
from editor.schemas import ARTIFACT_TYPES, input_value_ok
from runs.config import ExecutionConfig
from runs.models import Run
from storage_backends.base import StorageBackend
from storage_backends.registry import get_storage

# Types whose value may come as an artifact (objects: a pickle file).
TAKES_ARTIFACT = ARTIFACT_TYPES | {"object"}
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")


def declared_inputs(graph: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Name -> pipeline input of a stored graph."""
    return {item["name"]: item for item in graph.get("inputs", [])}


def wired_inputs(graph: dict[str, Any], plan: set[str]) -> set[str]:
    """Names of the pipeline inputs that feed a node this run executes."""
    return {edge["source"] for edge in input_edges(graph) if edge["target"] in plan}


def chosen_artifact_ids(config: ExecutionConfig) -> list[int]:
    """Every artifact the config's inputs name (pipeline inputs and node.port inputs)."""
    return [int(value["artifact"]) for value in config.inputs.values() if "artifact" in value]


def project_artifacts(project_id: int, ids: list[int]) -> dict[int, Artifact]:
    found: dict[int, Artifact] = (
        Artifact.objects.filter(project_id=project_id, pk__in=ids)
        .select_related("storage_account", "produced_by__run")
        .in_bulk()
    )
    return found


def stored_type(artifact: Artifact) -> str | None:
    """The port type of the output a run stored as this artifact; None for an upload."""
    if artifact.produced_by_id is None or artifact.produced_by is None:
        return None
    for output in (artifact.produced_by.outputs or {}).values():
        if isinstance(output, dict) and output.get("artifact") == artifact.pk:
            return str(output.get("type") or "") or None
    return None


def artifact_problem(artifact: Artifact, type_: str) -> str:
    """Why `artifact` cannot be the value of an input of `type_`, or ""."""
    kind = stored_type(artifact)
    if type_ == "directory":
        if kind == "directory" or (kind is None and artifact.name.lower().endswith(ARCHIVE_SUFFIXES)):
            return ""
        return (
            f"artifact {artifact.name!r} is not a directory "
            "(a directory output, or an uploaded .tar.gz archive)"
        )
    if type_ == "file":
        return f"artifact {artifact.name!r} is a directory, not a file" if kind == "directory" else ""
    if type_ == "object" and kind not in (None, "object"):
        return f"artifact {artifact.name!r} is a {kind} output, not a pickled object"
    return ""


def check_pipeline_inputs(
    graph: dict[str, Any], config: ExecutionConfig, plan: set[str], artifacts: dict[int, Artifact]
) -> tuple[list[Problem], dict[str, dict[str, Any]]]:
    """Problems of the pipeline inputs the config gives (each naming `inputs.<name>`), and
    the defaults of the wired inputs it leaves out (to be written into the config)."""
    declared = declared_inputs(graph)
    problems: list[Problem] = []
    given = {key: value for key, value in config.inputs.items() if "." not in key}
    for name, value in given.items():
        where = f"inputs.{name}"
        item = declared.get(name)
        if item is None:
            problems.append(Problem(f"{where}: the pipeline has no input {name!r}"))
            continue
        type_ = item["type"]
        if "artifact" in value:
            artifact = artifacts.get(int(value["artifact"]))
            if type_ not in TAKES_ARTIFACT:
                problems.append(Problem(f"{where}: a {type_} input takes a value, not an artifact"))
            elif artifact is None:
                problems.append(Problem(f"{where}: artifact {value['artifact']} is not in this project"))
            elif why := artifact_problem(artifact, type_):
                problems.append(Problem(f"{where}: {why}"))
        elif "secret" in value:
            problems.append(
                Problem(f"{where}: the run this one repeats was given a secret value: give the value again")
            )
        elif type_ in ARTIFACT_TYPES:
            problems.append(
                Problem(f"{where}: a {type_} input takes an artifact ({{'artifact': id}}), not a value")
            )
        elif not input_value_ok(type_, value["value"]):
            problems.append(Problem(f"{where}: must be of type {type_}"))
    defaults: dict[str, dict[str, Any]] = {}
    for name in sorted(wired_inputs(graph, plan) - set(given)):
        default = declared[name].get("default")
        if default is None:
            what = "an artifact" if declared[name]["type"] in ARTIFACT_TYPES else "a value"
            problems.append(Problem(f"inputs.{name}: required pipeline input: choose {what} for it"))
        else:
            defaults[name] = {"value": default}
    return problems, defaults


def resolve_input_credentials(
    config: ExecutionConfig, artifacts: dict[int, Artifact], user: Any
) -> tuple[list[Problem], dict[str, dict[str, Any]]]:
    """Check `config.input_credentials` against the chosen artifacts; answer the problems
    (`input_credentials.<id>...`) and the secrets typed in, by artifact id. The config keeps
    only the public options typed in and the account."""
    chosen = {str(pk): artifacts[pk] for pk in chosen_artifact_ids(config) if pk in artifacts}
    problems: list[Problem] = []
    secrets: dict[str, dict[str, Any]] = {}
    for key in sorted(set(config.input_credentials) - set(chosen)):
        problems.append(Problem(f"input_credentials.{key}: artifact {key} is not an input of this run"))
    for key, artifact in sorted(chosen.items()):
        given = config.input_credentials.get(key)
        if given is None:
            if needs_credentials(artifact, user):
                problems.append(
                    Problem(
                        f"input_credentials.{key}: artifact {artifact.name!r} is kept in "
                        f"{artifact.storage_backend} storage opened with someone else's credentials: "
                        "choose your linked account for it or type its credentials"
                    )
                )
            continue
        typed = dict(given.options)
        choice = {
            "backend": artifact.storage_backend,
            "options": {**(artifact.storage_options or {}), **typed},
            "account": given.account,
        }
        try:
            resolved = resolve_choice("storage", choice, user)
        except UnknownBackend as exc:
            problems.append(Problem(f"input_credentials.{key}: {exc}"))
            continue
        for name, message in resolved.problems.items():
            where = "account" if name == "account" else f"options.{name}"
            problems.append(Problem(f"input_credentials.{key}.{where}: {message}"))
        given.options = {name: value for name, value in resolved.public.items() if name in typed}
        if resolved.secrets:
            secrets[key] = resolved.secrets
    return problems, secrets


def input_storage(run: Run, artifact: Artifact) -> StorageBackend:
    """The backend that opens an input artifact of `run`: with the credentials the run was
    given for it (its account, options typed in, secrets kept encrypted on the run), else
    as the artifact records (`storage_of`)."""
    given = (run.config.get("input_credentials") or {}).get(str(artifact.pk))
    if given is None:
        return storage_of(artifact)
    secrets = run.backend_secrets("inputs").get(str(artifact.pk), {})
    options = {**stored_options(given, {}), **(artifact.storage_options or {}), **secrets}
    return get_storage(artifact.storage_backend, options)


def inherit_input_secrets(config: ExecutionConfig, secrets: dict[str, dict[str, Any]]) -> None:
    """A re-run keeps the input credentials typed in for the run it repeats."""
    for key, values in secrets.items():
        given = config.input_credentials.get(key)
        if given is not None:
            given.options = {**values, **given.options}

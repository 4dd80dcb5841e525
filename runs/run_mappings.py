"""Mappings for a plain run (the `run` column of the table in runs/mappings.py): an input
taken from a project environment variable or a storage path, a constant, or None; an output
also written to a storage path when the run succeeds.

A run is not a deployment, but resolving and delivering use the same code, given an unsaved
Deployment that carries the run's version, mappings and storage choice.
"""

from __future__ import annotations

from typing import Any

from editor.graph import Problem
from editor.models import Pipeline, PipelineVersion
from runs.config import ExecutionConfig, InputCredentials
from runs.mappings import MappingBroken, deliver_outputs, mapping_problems, resolve_inputs, secret_input_keys
from runs.models import Deployment, Run

RULE = "run"


def _carrier(
    pipeline: Pipeline,
    version: PipelineVersion,
    inputs: dict[str, Any],
    outputs: dict[str, Any],
    storage: dict[str, Any],
    secret_ciphertext: str = "",
) -> Deployment:
    return Deployment(
        project_id=pipeline.project_id,
        pipeline=pipeline,
        pipeline_version=version,
        input_mappings=inputs,
        output_mappings=outputs,
        config={"storage": storage},
        secret_ciphertext=secret_ciphertext,
    )


def apply_run_mappings(
    pipeline: Pipeline, version: PipelineVersion, config: ExecutionConfig, inputs: Any, outputs: Any
) -> tuple[list[Problem], frozenset[str]]:
    """Check the mappings for `version`, resolve the input ones into `config.inputs` (and the
    credentials a storage copy needs) and keep the output ones on the config. Answers the
    problems (each naming `inputs.<key>` / `output_mappings.<key>`) and the input keys whose
    values are secret."""
    inputs = inputs if inputs is not None else {}
    outputs = outputs if outputs is not None else {}
    errors = mapping_problems(version, RULE, inputs, outputs, require_all=False)
    problems = [
        Problem(f"{key.replace('outputs.', 'output_mappings.', 1)}: {' '.join(messages)}")
        for key, messages in errors.items()
    ]
    if isinstance(inputs, dict):
        problems += [
            Problem(f"inputs.{key}: given twice, as a value and as a mapping: keep one")
            for key in sorted(set(inputs) & set(config.inputs))
        ]
    if problems:
        return problems, frozenset()
    carrier = _carrier(pipeline, version, inputs, outputs, config.storage.model_dump())
    try:
        resolved, credentials = resolve_inputs(carrier)
    except MappingBroken as exc:
        return [Problem(str(exc))], frozenset()
    config.inputs.update(resolved)
    for key, given in credentials.items():
        config.input_credentials.setdefault(key, InputCredentials.model_validate(given))
    config.output_mappings = dict(outputs)
    return [], secret_input_keys(carrier)


def deliver_run_outputs(run: Run) -> list[str]:
    """Write a succeeded run's datastore outputs (a deployment's, or a plain run's own)."""
    if run.deployment_id is not None and run.deployment is not None:
        return deliver_outputs(run, run.deployment)
    outputs = run.config.get("output_mappings") or {}
    if not outputs:
        return []
    carrier = _carrier(
        run.pipeline,
        run.pipeline_version,
        {},
        outputs,
        run.config.get("storage") or {},
        run.secret_ciphertext,
    )
    return deliver_outputs(run, carrier)

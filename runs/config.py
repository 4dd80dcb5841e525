"""The execution config a run is submitted with, validated at the edge."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from editor.schemas import IDENTIFIER, MAX_BACKOFF_SECONDS, MAX_RETRIES, MAX_TIMEOUT_SECONDS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BackendChoice(Strict):
    backend: str = "local"
    options: dict[str, Any] = Field(default_factory=dict)
    # A linked account of the submitting user whose options and secrets fill in the rest.
    account: int | None = None


class InputCredentials(Strict):
    """How to open an input artifact kept in storage whose credentials are not the submitter's:
    a linked account of the submitter for its backend, or the backend's options typed in
    (secrets go to Run.secret_ciphertext, never into the config)."""

    account: int | None = None
    options: dict[str, Any] = Field(default_factory=dict)


class RetryPolicy(Strict):
    count: int = Field(default=0, ge=0, le=MAX_RETRIES, description="extra attempts after a failure")
    backoff_seconds: float = Field(
        default=2.0, ge=0, le=MAX_BACKOFF_SECONDS, description="wait before the first retry; doubles"
    )


class ExecutionConfig(Strict):
    name: str = Field(default="", max_length=120)
    debug: bool = False
    cache: bool = True
    compute: BackendChoice = Field(default_factory=BackendChoice)
    storage: BackendChoice = Field(default_factory=BackendChoice)
    # node id -> parameter name -> value, on top of the frozen ones
    params: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # "<pipeline input name>" -> {"artifact": id} or {"value": json}: what a pipeline input
    # gives every node input it is wired to (at submit, wired inputs left out get their
    # default written here); "node.port" -> the same, for an unconnected node input.
    inputs: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # "<artifact id>" -> credentials of the submitter for an input artifact they cannot open
    input_credentials: dict[str, InputCredentials] = Field(default_factory=dict)
    # run these nodes (and what they need); None: all
    nodes: list[str] | None = None
    # run everything up to and including this node
    until: str | None = None
    # the default retry policy; a node's own `retries` overrides it, `retry_nodes` overrides both
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    retry_nodes: dict[str, RetryPolicy] = Field(default_factory=dict)
    # every node's timeout, over the nodes' own (runs/policy.py)
    timeout_seconds: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT_SECONDS)
    experiment: int | None = None
    pipeline_version: int | None = None
    # Where outputs go besides the run's storage ({"node.port": {"kind": "datastore", "path"}}):
    # written when the run succeeds (runs/run_mappings.py).
    output_mappings: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("inputs")
    @classmethod
    def inputs_name_node_and_port(cls, inputs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for key, value in inputs.items():
            node, dot, port = key.partition(".")
            if dot and (not node or not port):
                raise ValueError(f"input key {key!r} must be node.port or a pipeline input's name")
            if not dot and not re.fullmatch(IDENTIFIER, key):
                raise ValueError(f"input key {key!r} must be node.port or a pipeline input's name")
            # {"secret": digest}: a value kept encrypted on the run (runs/secret_inputs.py)
            if set(value) not in ({"artifact"}, {"value"}, {"secret"}):
                raise ValueError(f"input {key!r} must be {{'artifact': id}} or {{'value': ...}}")
            artifact = value.get("artifact", 0)
            if not isinstance(artifact, int) or isinstance(artifact, bool):
                raise ValueError(f"input {key!r}: an artifact is given by its id (a whole number)")
        return inputs

    @field_validator("input_credentials")
    @classmethod
    def credentials_name_artifacts(cls, given: dict[str, InputCredentials]) -> dict[str, InputCredentials]:
        for key in given:
            if not key.isdigit():
                raise ValueError(f"input_credentials key {key!r} must be an artifact id")
        return given

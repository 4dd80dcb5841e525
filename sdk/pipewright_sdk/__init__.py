"""Pipewright's Python SDK: run pipelines, deploy them, call their endpoints.

Standard library only, so it installs anywhere (``pip install ./sdk``)::

    from pipewright_sdk import Pipewright

    pw = Pipewright("http://127.0.0.1:8000", token="...")     # or PIPEWRIGHT_URL / PIPEWRIGHT_TOKEN
    outputs = pw.run_pipeline("Classify synthetic blobs", params={"train": {"epochs": 5}})

The module-level functions use a client made from ``PIPEWRIGHT_URL`` and ``PIPEWRIGHT_TOKEN``.
"""

from .client import (
    Pipewright,
    PipewrightError,
    RunFailed,
    create_deployment,
    create_or_update_environment_variable,
    run_pipeline,
    trigger_endpoint,
)

__all__ = [
    "Pipewright",
    "PipewrightError",
    "RunFailed",
    "create_deployment",
    "create_or_update_environment_variable",
    "run_pipeline",
    "trigger_endpoint",
]

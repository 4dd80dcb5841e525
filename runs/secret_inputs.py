"""Input values that are secrets (a deployment's secret environment variable, say) stay off
the run's config: the config holds `{"secret": <digest>}` and the value lives encrypted in
`Run.secret_ciphertext` under `input_values`, read back only where a node's inputs are
written into its work dir.

The digest (an HMAC under the installation's SECRET_KEY) keeps the cache honest, two
different secrets never share a cached result, without giving anyone a hash to guess at.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings

from runs.config import ExecutionConfig

# The key of the run's secrets holding {"<input key>": value}.
INPUT_VALUES = "input_values"


def secret_digest(value: Any) -> str:
    message = json.dumps(value, sort_keys=True).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def hide_inputs(config: ExecutionConfig, keys: frozenset[str]) -> dict[str, Any]:
    """Replace the values of `keys` in the config by their digests; answer the values."""
    hidden: dict[str, Any] = {}
    for key in sorted(keys):
        given = config.inputs.get(key)
        if given is not None and "value" in given:
            hidden[key] = given["value"]
            config.inputs[key] = {"secret": secret_digest(given["value"])}
    return hidden


def reveal_inputs(config: ExecutionConfig, values: dict[str, Any]) -> frozenset[str]:
    """Put back the secret values a re-run inherits (for checking, before they are hidden
    again); answer the keys put back."""
    revealed = set()
    for key, value in values.items():
        given = config.inputs.get(key)
        if given is not None and "secret" in given:
            config.inputs[key] = {"value": value}
            revealed.add(key)
    return frozenset(revealed)


def input_value(run: Any, key: str, given: dict[str, Any]) -> Any:
    """The value a run gives input `key` (`given` is its entry in the config)."""
    if "secret" in given:
        return run.backend_secrets(INPUT_VALUES)[key]
    return given["value"]

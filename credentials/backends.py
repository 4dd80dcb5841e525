"""Compute and storage backends seen from outside: what exists, what options each
needs (a JSON Schema whose secret fields say `"writeOnly": true`), and checking
given options against it.

This is the one place that knows both registries, so the API, the execute
dialog and the submit path agree on names, schemas and which fields are secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from jsonschema import Draft202012Validator

from compute_backends.registry import BACKENDS as COMPUTE_BACKENDS
from storage_backends.registry import BACKENDS as STORAGE_BACKENDS

Kind = Literal["compute", "storage"]
KINDS: tuple[Kind, ...] = ("compute", "storage")


class UnknownBackend(LookupError):
    pass


@dataclass(frozen=True)
class BackendInfo:
    kind: Kind
    name: str
    label: str
    description: str
    options_schema: dict[str, Any]

    @property
    def secret_fields(self) -> list[str]:
        properties = self.options_schema.get("properties", {})
        return sorted(name for name, spec in properties.items() if spec.get("writeOnly"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "label": self.label,
            "description": self.description,
            "options_schema": self.options_schema,
            "secret_fields": self.secret_fields,
        }


def _registry(kind: Kind) -> dict[str, Any]:
    return dict(COMPUTE_BACKENDS) if kind == "compute" else dict(STORAGE_BACKENDS)


def backends(kind: Kind) -> list[BackendInfo]:
    return [backend(kind, name) for name in _registry(kind)]


def backend(kind: Kind, name: str) -> BackendInfo:
    cls = _registry(kind).get(name)
    if cls is None:
        known = ", ".join(sorted(_registry(kind)))
        raise UnknownBackend(f"unknown {kind} backend {name!r}; known: {known}")
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    return BackendInfo(
        kind=kind,
        name=name,
        label=getattr(cls, "label", name),
        description=" ".join(doc.split()),
        options_schema=getattr(cls, "options_schema", {"type": "object", "properties": {}}),
    )


def option_problems(info: BackendInfo, options: dict[str, Any], *, partial: bool = False) -> dict[str, str]:
    """Field name -> what is wrong, for options checked against the backend's schema.

    `partial` skips "required" (a linked account holds only some of the options;
    the rest come with each run)."""
    schema = dict(info.options_schema)
    if partial:
        schema.pop("required", None)
    problems: dict[str, str] = {}
    for error in Draft202012Validator(schema).iter_errors(options):
        if error.validator == "required":
            missing = str(error.message).split("'")[1] if "'" in error.message else ""
            problems[missing or "options"] = "This field is required."
        elif error.validator == "additionalProperties":
            problems["options"] = str(error.message)
        else:
            field = str(error.path[0]) if error.path else "options"
            # Never echo a secret back inside an error message.
            problems[field] = (
                "Not a valid value." if field in info.secret_fields else _short(str(error.message))
            )
    return problems


def _short(message: str) -> str:
    return message if len(message) <= 200 else message[:197] + "..."


def split_secrets(info: BackendInfo, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(public options, secret options) by the schema's writeOnly marks."""
    secret = set(info.secret_fields)
    public = {key: value for key, value in options.items() if key not in secret}
    hidden = {key: value for key, value in options.items() if key in secret and value not in ("", None)}
    return public, hidden

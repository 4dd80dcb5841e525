"""Operation rules: versions are created, never edited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from pydantic import ValidationError

from editor.graph import GraphInvalid, Problem
from editor.models import Operation, OperationVersion
from editor.schemas import OperationInterface, error_messages


def interface_of(version: OperationVersion) -> OperationInterface:
    return OperationInterface.model_validate(
        {
            "inputs": version.inputs,
            "outputs": version.outputs,
            "parameters": version.parameters,
            "resources": version.resources,
        }
    )


def parse_interface(content: dict[str, Any]) -> OperationInterface:
    try:
        return OperationInterface.model_validate(
            {key: content[key] for key in ("inputs", "outputs", "parameters", "resources") if key in content}
        )
    except ValidationError as exc:
        raise GraphInvalid([Problem(message) for message in error_messages(exc)]) from exc


@transaction.atomic
def create_operation_version(
    operation: Operation, content: dict[str, Any], user: Any = None
) -> tuple[OperationVersion, bool]:
    """A new version with `content`, or the existing one with the same content.

    Returns (version, created). The interface is validated and normalised
    (defaults filled in) before hashing, so equal meaning gives equal hashes.
    """
    interface = parse_interface(content)
    fields = {
        "kind": content.get("kind", "python"),
        "source": content.get("source", ""),
        "entrypoint": content.get("entrypoint", "run"),
        "requirements": list(content.get("requirements", [])),
        "image": content.get("image", ""),
        "command": list(content.get("command", [])),
        "args": list(content.get("args", [])),
        **interface.model_dump(mode="json"),
    }
    digest = OperationVersion.hash_of(fields)
    # Lock the operation row so two concurrent saves cannot take the same number.
    Operation.objects.select_for_update().filter(pk=operation.pk).first()
    existing = operation.versions.filter(content_hash=digest).first()
    if existing:
        return existing, False
    last = operation.versions.order_by("-number").first()
    version = OperationVersion.objects.create(
        operation=operation,
        number=(last.number + 1) if last else 1,
        content_hash=digest,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **fields,
    )
    return version, True


def latest_versions(operation_ids: Iterable[int]) -> dict[int, OperationVersion]:
    """The newest version of each operation, by operation id, in one query."""
    latest: dict[int, OperationVersion] = {}
    for version in OperationVersion.objects.filter(operation_id__in=set(operation_ids)).order_by(
        "operation_id", "number"
    ):
        latest[version.operation_id] = version
    return latest

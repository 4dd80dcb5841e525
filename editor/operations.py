"""Operation rules: versions are created, never edited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from pydantic import ValidationError

from editor.choices import OperationKind
from editor.graph import GraphInvalid, Problem
from editor.models import Operation, OperationVersion, Project
from editor.schemas import KubernetesSpec, OperationInterface, error_messages


def interface_of(version: OperationVersion) -> OperationInterface:
    return OperationInterface.model_validate(
        {
            "inputs": version.inputs,
            "outputs": version.outputs,
            "parameters": version.parameters,
            "resources": version.resources,
        }
    )


def parse_kubernetes(value: Any) -> dict[str, Any]:
    """A container operation's `kubernetes` extras, normalised (empty keys left out), or
    GraphInvalid naming what is wrong."""
    try:
        return KubernetesSpec.model_validate(value or {}).model_dump(mode="json")
    except ValidationError as exc:
        raise GraphInvalid([Problem(f"kubernetes.{message}") for message in error_messages(exc)]) from exc


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
    (defaults filled in) before hashing, so equal meaning gives equal hashes;
    the fields of the other kind are left empty (a container has no source,
    a Python function no image nor Kubernetes extras).
    """
    interface = parse_interface(content)
    kind = content.get("kind", OperationKind.PYTHON)
    container = kind == OperationKind.CONTAINER
    fields = {
        "kind": kind,
        "source": "" if container else content.get("source", ""),
        "entrypoint": "" if container else content.get("entrypoint", "run"),
        "requirements": [] if container else list(content.get("requirements", [])),
        "image": content.get("image", "").strip() if container else "",
        "command": list(content.get("command", [])) if container else [],
        "args": list(content.get("args", [])) if container else [],
        "kubernetes": parse_kubernetes(content.get("kubernetes")) if container else {},
        "idempotent": bool(content.get("idempotent", False)),
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


def copy_name(name: str, project: Project) -> str:
    """`name (copy)`, or `name (copy 2)`... whichever no operation of `project` has."""
    taken = set(project.operations.values_list("name", flat=True))
    for n in range(1, 1000):
        suffix = " (copy)" if n == 1 else f" (copy {n})"
        candidate = name[: 120 - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
    return name[:120]


def unique_operation_slug(text: str, project: Project) -> str:
    base = slugify(text)[:110] or "operation"
    taken = set(project.operations.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def duplicate_operation(
    operation: Operation, project: Project, user: Any = None, name: str = ""
) -> Operation:
    """A new operation of `project` whose version 1 has the content of `operation`'s latest.

    Any operation the user can see may be copied (the built-in library included); the copy
    is named `<name> (copy)` unless `name` is given, and gets a slug free in `project`.
    """
    Project.objects.select_for_update().filter(pk=project.pk).first()  # serialise name and slug choice
    new_name = name.strip() or copy_name(operation.name, project)
    copy = Operation.objects.create(
        project=project,
        name=new_name,
        slug=unique_operation_slug(new_name, project),
        description=operation.description,
        category=operation.category,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    latest = operation.latest_version
    if latest is not None:
        content = {field: getattr(latest, field) for field in OperationVersion.CONTENT_FIELDS}
        create_operation_version(copy, content, user)
    return copy

"""Artifact rules: stream into a storage backend, then record the row."""

from __future__ import annotations

import re
import uuid
from typing import IO, Any

from django.db import transaction

from credentials.backends import UnknownBackend, backend
from editor.models import Artifact, Project
from storage_backends.base import StorageBackend
from storage_backends.registry import get_storage


def safe_filename(name: str) -> str:
    """A file name that cannot be read as a path: no separators, no dots alone."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = base.lstrip(".")
    return base[:200] or "file"


def store_artifact(
    project: Project,
    name: str,
    source: IO[bytes],
    *,
    content_type: str = "",
    user: Any = None,
    storage_name: str | None = None,
) -> Artifact:
    """Stream `source` into storage and record it; nothing is left half-saved."""
    storage = get_storage(storage_name)
    key = f"projects/{project.pk}/uploads/{uuid.uuid4().hex}/{safe_filename(name)}"
    stored = storage.save(key, source)
    try:
        with transaction.atomic():
            return Artifact.objects.create(
                project=project,
                name=name[:255],
                storage_backend=storage.name,
                location=stored.key,
                size=stored.size,
                checksum=stored.checksum,
                content_type=content_type[:120],
                created_by=user if getattr(user, "is_authenticated", False) else None,
            )
    except BaseException:
        storage.delete(key)
        raise


def storage_of(artifact: Artifact) -> StorageBackend:
    """The backend holding the artifact, with the options and secrets that open it:
    its linked account's, then the options recorded with it, then secrets typed in
    for the run that produced it."""
    options: dict[str, Any] = {}
    if artifact.storage_account_id is not None and artifact.storage_account is not None:
        options.update(artifact.storage_account.resolved_options())
    options.update(artifact.storage_options or {})
    if artifact.produced_by_id is not None and artifact.produced_by is not None:
        options.update(artifact.produced_by.run.backend_secrets("storage"))
    return get_storage(artifact.storage_backend, options)


def needs_credentials(artifact: Artifact, user: Any) -> bool:
    """Whether opening the artifact takes secrets that are not `user`'s: its storage needs
    secrets, and they are someone else's linked account or were typed in for another
    user's run. (Uploads kept with the server's own storage settings need none.)"""
    try:
        info = backend("storage", artifact.storage_backend)
    except UnknownBackend:
        return False
    if not info.secret_fields:
        return False
    user_id = getattr(user, "pk", None)
    if artifact.storage_account_id is not None and artifact.storage_account is not None:
        return artifact.storage_account.owner_id != user_id
    if artifact.produced_by_id is not None and artifact.produced_by is not None:
        run = artifact.produced_by.run
        return run.created_by_id != user_id and bool(run.backend_secrets("storage"))
    return False


def open_artifact(artifact: Artifact) -> IO[bytes]:
    return storage_of(artifact).open(artifact.location)


def delete_artifact(artifact: Artifact) -> None:
    storage_of(artifact).delete(artifact.location)
    artifact.delete()

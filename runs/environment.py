"""Platform environment variables of a project: read by deployment mappings when a run
starts (runs/mappings.py). Secret values are stored encrypted and never read back by the
API; the rest are plain text."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from editor.models import Project
from runs.models import Deployment, EnvironmentVariable


class VariableInUse(Exception):
    """A variable that deployments' mappings still read."""


def users_of(variable: EnvironmentVariable) -> list[str]:
    """Names of the deployments whose input mappings read the variable."""
    return sorted(
        deployment.name
        for deployment in Deployment.objects.filter(project_id=variable.project_id).only(
            "name", "input_mappings"
        )
        if any(
            mapping.get("kind") == "env" and mapping.get("variable") == variable.name
            for mapping in (deployment.input_mappings or {}).values()
        )
    )


@transaction.atomic
def create_variable(project: Project, name: str, value: str, secret: bool, user: Any) -> EnvironmentVariable:
    variable = EnvironmentVariable(
        project=project,
        name=name,
        secret=secret,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    variable.write(value)
    variable.save()
    return variable


@transaction.atomic
def update_variable(
    variable: EnvironmentVariable, value: str | None, secret: bool | None
) -> EnvironmentVariable:
    """A new value and/or secrecy. A secret turned plain needs its value given again
    (the old one is never read back out); a plain one turned secret is encrypted."""
    variable = EnvironmentVariable.objects.select_for_update().get(pk=variable.pk)
    current = variable.read()
    if secret is not None and secret != variable.secret:
        if variable.secret and value is None:
            raise ValueError("Give the value again to make a secret variable plain.")
        variable.secret = secret
    variable.write(current if value is None else value)
    variable.save()
    return variable


def delete_variable(variable: EnvironmentVariable) -> None:
    if users := users_of(variable):
        raise VariableInUse(f"The deployments {', '.join(users)} read {variable.name}: change them first.")
    variable.delete()

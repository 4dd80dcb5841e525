"""Project rules: whoever creates a project owns it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from editor.choices import Role
from editor.models import Membership, Project


def unique_slug(name: str) -> str:
    base = slugify(name)[:100] or "project"
    slug, n = base, 2
    while Project.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_project(user: Any, name: str, description: str = "", slug: str = "") -> Project:
    project = Project.objects.create(name=name, description=description, slug=slug or unique_slug(name))
    Membership.objects.create(project=project, user=user, role=Role.OWNER)
    return project


def add_member(project: Project, user: Any, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(project=project, user=user, defaults={"role": role})
    return membership

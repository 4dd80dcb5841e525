"""Projects are the unit of sharing: every object belongs to one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import QuerySet

from editor.choices import Role


class ProjectQuerySet(QuerySet["Project"]):
    def visible_to(self, user: Any) -> ProjectQuerySet:
        return self.filter(memberships__user=user).distinct()


class Project(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(  # type: ignore[var-annotated]
        settings.AUTH_USER_MODEL, through="Membership", related_name="projects"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def role_of(self, user: Any) -> str | None:
        membership = self.memberships.filter(user=user).first()
        return membership.role if membership else None

    def allows(self, user: Any, role: str) -> bool:
        """True when `user` holds `role` or a higher one in this project."""
        held = self.role_of(user)
        return held is not None and Role.rank(held) >= Role.rank(role)


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="one_membership_per_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.project} ({self.role})"

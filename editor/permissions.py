"""Who may do what: roles are held per project (viewer < editor < owner)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from editor.choices import Role
from editor.models import Project


def project_of(obj: Any) -> Project | None:
    if isinstance(obj, Project):
        return obj
    return getattr(obj, "project", None)


class HasProjectRole(BasePermission):
    """Reading needs viewer, changing needs editor, deleting a project needs owner.

    Objects outside the user's projects never reach this check: viewsets
    filter their querysets with `visible_to`, so those are plain 404s.
    A view may list POST actions that only read in `viewer_actions`.
    Objects without a project (the built-in library) are read-only: safe
    methods and those actions only.
    """

    message = "You do not have the role in this project that this action needs."

    @staticmethod
    def only_reads(request: Request, view: Any) -> bool:
        return request.method in SAFE_METHODS or getattr(view, "action", None) in getattr(
            view, "viewer_actions", ()
        )

    def required_role(self, request: Request, view: Any, obj: Any) -> str:
        if self.only_reads(request, view):
            return Role.VIEWER
        if isinstance(obj, Project):
            return Role.OWNER
        return Role.EDITOR

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        project = project_of(obj)
        if project is None:
            return self.only_reads(request, view)
        return project.allows(request.user, self.required_role(request, view, obj))

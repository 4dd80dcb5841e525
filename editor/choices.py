"""Named choices used by the editor's models and API."""

from django.db import models


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    OWNER = "owner", "Owner"

    @classmethod
    def rank(cls, role: str) -> int:
        """Higher ranks include the rights of lower ones."""
        return {cls.VIEWER: 1, cls.EDITOR: 2, cls.OWNER: 3}[cls(role)]


class OperationKind(models.TextChoices):
    PYTHON = "python", "Python function"
    CONTAINER = "container", "Container image"


# Types a port can carry between nodes.
PORT_TYPES = ("int", "float", "str", "bool", "json", "file", "directory", "object")
# Types a parameter can take (set in the editor, not wired).
PARAM_TYPES = ("int", "float", "str", "bool", "json")

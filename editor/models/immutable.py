"""A base for rows that must never change once written (versions)."""

from typing import Any

from django.db import models


class ImmutableModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} is immutable; create a new version instead")
        super().save(*args, **kwargs)

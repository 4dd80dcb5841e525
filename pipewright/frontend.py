"""Serves the single-page app: Django renders the shell, Vite's build the rest."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.views.decorators.http import require_GET


@lru_cache(maxsize=4)
def _manifest(path: Path, mtime: float) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def frontend_assets() -> dict[str, Any] | None:
    """The entry's JS and CSS file names from Vite's manifest, or None if unbuilt."""
    path = settings.FRONTEND_DIST / ".vite" / "manifest.json"
    if not path.is_file():
        return None
    entry = _manifest(path, path.stat().st_mtime).get("index.html")
    if not entry:
        return None
    return {"js": entry["file"], "css": entry.get("css", [])}


@require_GET
@login_required
def spa(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    boot = {
        "user": {"username": request.user.get_username(), "isStaff": request.user.is_staff},
        "csrfToken": get_token(request),
        "logoutUrl": "/accounts/logout/",
        "apiDocsUrl": "/api/docs/",
        "adminUrl": "/admin/",
    }
    assets = frontend_assets()
    status = 200 if assets else 503
    return render(request, "spa.html", {"boot": boot, "assets": assets}, status=status)

"""GET /healthz: is the database, the broker and at least one worker answering?"""

from __future__ import annotations

import time
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # any failure is the answer here
        return {"status": "error", "error": str(exc)}


def check_broker() -> dict[str, Any]:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
        client.ping()
        return {"status": "ok"}
    except Exception as exc:
        return {"status": "error", "error": f"cannot reach Redis: {exc}"}


def check_workers(timeout: float = 0.5) -> dict[str, Any]:
    from pipewright.celery import app

    try:
        with app.connection_for_write(settings.REDIS_URL) as connection:
            replies = app.control.ping(timeout=timeout, connection=connection) or []
    except Exception as exc:
        return {"status": "error", "error": str(exc), "workers": []}
    names = sorted(name for reply in replies for name in reply)
    if not names:
        return {"status": "error", "error": "no Celery worker answered", "workers": []}
    return {"status": "ok", "workers": names}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    started = time.monotonic()
    checks = {"database": check_database(), "broker": check_broker()}
    if checks["broker"]["status"] == "ok":
        checks["workers"] = check_workers()
    else:
        checks["workers"] = {"status": "error", "error": "broker unreachable", "workers": []}
    healthy = all(check["status"] == "ok" for check in checks.values())
    body = {
        "status": "ok" if healthy else "degraded",
        "checks": checks,
        "elapsed_ms": round((time.monotonic() - started) * 1000),
    }
    # 200 with the details either way, so dashboards can show what is wrong;
    # only a dead database (nothing can work) is a 503.
    code = 503 if checks["database"]["status"] != "ok" else 200
    return JsonResponse(body, status=code)

"""A clean 503 when the database does not answer (docs/engine.md, "Faults").

A request that meets a database it cannot reach (PostgreSQL restarting, a
failover, SQLite locked past its timeout) gets `503 {"detail": ...}` with
`Retry-After`, instead of a 500 page with a traceback: the client tries again
shortly. DRF re-raises exceptions that are not its own, so API views end here
too. Workers ride out the same outage by retrying (runs/outage.py).
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.deprecation import MiddlewareMixin

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
DETAIL = "The database is unavailable; try again shortly."


def database_unavailable_response() -> JsonResponse:
    response = JsonResponse({"detail": DETAIL}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware(MiddlewareMixin):
    """Last in MIDDLEWARE, so its `process_exception` sees a view's exception first."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.warning("database unavailable for %s %s: %s", request.method, request.path, exception)
        return database_unavailable_response()

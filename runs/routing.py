"""Websocket routes of the runs app (the live run stream)."""

from typing import Any

websocket_urlpatterns: list[Any] = []

"""Websocket routes of the runs app (the live run stream)."""

from typing import Any

from django.urls import path

from runs.consumers import RunConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/runs/<int:run_id>/", RunConsumer.as_asgi()),
]

"""Every route of the URL conf with the HTTP methods its view answers, read from
`django.urls.get_resolver()` so that a new endpoint shows up without anyone listing it.

A route is written the way `path()` writes it, with converters dropped and regex groups
turned into `<name>`: DRF's `^runs/(?P<pk>[^/.]+)/$` under `api/` is `api/runs/<pk>/`.
The format-suffix twins DRF routers add (`.json`) share their view and are left out, and a
route several routers answer (the API root) is counted once. The admin is one route: Django
guards all of it with its own staff check.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# Methods every view answers the same way (DRF and Django both derive them from GET).
IGNORED_METHODS = frozenset({"options", "head", "trace"})
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# Resolvers not walked into: (prefix as written) -> why.
OPAQUE_RESOLVERS = {"admin/": "the Django admin: staff only, by its own check"}
ANY_METHOD = "*"

_GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)")
_CONVERTER = re.compile(r"<\w+:(\w+)>")


@dataclass(frozen=True)
class Route:
    route: str  # e.g. "api/runs/<pk>/nodes/<node_id>/log/"
    name: str | None  # the URL name, for reverse()
    methods: tuple[str, ...]  # upper case, or ("*",) for an opaque resolver
    view: str  # for messages


def normalise(pattern: str) -> str:
    text = pattern
    if text.startswith("^"):
        text = text[1:]
    if text.endswith("$"):
        text = text[:-1]
    text = _GROUP.sub(lambda match: f"<{match.group(1)}>", text)
    return _CONVERTER.sub(lambda match: f"<{match.group(1)}>", text)


def _pattern_text(part: URLPattern | URLResolver) -> str:
    regex = getattr(part.pattern, "_regex", None)
    return normalise(
        regex if isinstance(regex, str) and not hasattr(part.pattern, "_route") else str(part.pattern)
    )


def _closure_methods(func: Callable[..., Any]) -> tuple[str, ...] | None:
    """The methods a `require_http_methods(...)` decorator somewhere in the wrapping allows."""
    seen: set[int] = set()
    todo: list[Any] = [func]
    while todo:
        current = todo.pop()
        if id(current) in seen or not callable(current):
            continue
        seen.add(id(current))
        try:
            closure = inspect.getclosurevars(current).nonlocals
        except TypeError:
            closure = {}
        allowed = closure.get("request_method_list")
        if allowed:
            return tuple(sorted(m.upper() for m in allowed if m.lower() not in IGNORED_METHODS))
        todo.extend(value for value in closure.values() if callable(value))
        if wrapped := getattr(current, "__wrapped__", None):
            todo.append(wrapped)
    return None


def view_methods(callback: Callable[..., Any]) -> tuple[str, ...]:
    """What a view answers: a viewset's actions on this route, an APIView's or a class-based
    view's handlers (within `http_method_names`), a function view's decorator; a function
    view without one answers GET and POST (each needs a rule, 405 being one)."""
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    actions = getattr(callback, "actions", None)
    if cls is not None:
        allowed = [m for m in getattr(cls, "http_method_names", HTTP_METHODS) if m not in IGNORED_METHODS]
        # a router's route: the actions it maps; an APIView or a Django view: its handlers
        methods = [m for m in actions if m in allowed] if actions else [m for m in allowed if hasattr(cls, m)]
        return tuple(sorted(m.upper() for m in methods))
    return _closure_methods(callback) or ("GET", "POST")


def _view_name(callback: Callable[..., Any]) -> str:
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    target = cls or callback
    return f"{target.__module__}.{target.__qualname__}"


def _walk(patterns: list[Any], prefix: str) -> Iterator[Route]:
    for part in patterns:
        text = prefix + _pattern_text(part)
        if isinstance(part, URLResolver):
            if text in OPAQUE_RESOLVERS:
                yield Route(text, None, (ANY_METHOD,), OPAQUE_RESOLVERS[text])
                continue
            yield from _walk(part.url_patterns, text)
        elif isinstance(part, URLPattern):
            if "<format>" in text:  # DRF's format-suffix twin of a route listed without it
                continue
            yield Route(text, part.name, view_methods(part.callback), _view_name(part.callback))


def inventory() -> list[Route]:
    """Every (normalised) route once; the first of equal routes wins, as when resolving."""
    routes: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns, ""):
        routes.setdefault(route.route, route)
    return list(routes.values())


def route_methods() -> list[tuple[str, str]]:
    return [(route.route, method) for route in inventory() for method in route.methods]

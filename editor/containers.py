"""The contract of a container operation: its image reference and its placeholders.

A container operation runs `command` + `args` in `image` (no shell). Each `{{name}}` in the
command or the args names a parameter (replaced by its value), an input (the path of its
file in the container) or an output (the path to write it to, `$PW_OUTPUT_DIR/<name>`). The
same values are also in the environment as `PW_PARAM_<NAME>`, `PW_INPUT_<NAME>` and
`PW_OUTPUT_<NAME>`, NAME upper-cased. docs/editor.md describes it for authors.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from editor.schemas import OperationInterface

# A Docker image reference, as github.com/distribution/reference parses it:
# [host[:port]/]path[/path...][:tag][@digest].
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_NAME = rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
IMAGE_REFERENCE = re.compile(rf"^(?P<name>{_NAME})(?::{_TAG})?(?:@{_DIGEST})?$", re.ASCII)
IMAGE_NAME_MAX = 255

# `{{ name }}`; anything between double braces is a placeholder, known or not.
PLACEHOLDER = re.compile(r"\{\{\s*(.*?)\s*\}\}")

MAX_ITEMS = 200
MAX_ITEM_LENGTH = 4096


def image_problem(image: str) -> str | None:
    """Why `image` is not a Docker image reference, or None."""
    if not image:
        return "A container operation needs an image."
    if any(ch.isspace() for ch in image):
        return "An image reference has no spaces."
    match = IMAGE_REFERENCE.match(image)
    if match is None:
        lowered = IMAGE_REFERENCE.match(image.lower())
        if lowered is not None:
            return f"{image!r}: repository names must be lowercase."
        return (
            f"{image!r} is not an image reference; write it like python:3.12-slim, "
            "ghcr.io/org/tool:1.2 or repo@sha256:<digest>."
        )
    if len(match.group("name")) > IMAGE_NAME_MAX:
        return f"The repository name is longer than {IMAGE_NAME_MAX} characters."
    return None


def placeholders(text: str) -> list[str]:
    """The names of the `{{name}}` placeholders in `text`, in order."""
    return [match.group(1) for match in PLACEHOLDER.finditer(text)]


def placeholder_names(interface: OperationInterface) -> dict[str, str]:
    """Each name a placeholder may use, with what it names (parameter, input, output)."""
    names: dict[str, str] = {}
    for kind, items in (
        ("output", interface.outputs),
        ("input", interface.inputs),
        ("parameter", interface.parameters),
    ):
        for item in items:
            names[item.name] = kind
    return names


def env_name(kind: str, name: str) -> str:
    """The environment variable a parameter, input or output reaches the container as."""
    prefix = {"parameter": "PW_PARAM_", "input": "PW_INPUT_", "output": "PW_OUTPUT_"}[kind]
    return prefix + name.upper()


def container_problems(
    image: str, command: list[Any], args: list[Any], interface: OperationInterface
) -> dict[str, list[str]]:
    """What is wrong with a container operation's content, by field (empty when nothing)."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    image_message = image_problem(image)
    if image_message:
        add("image", image_message)

    known = placeholder_names(interface)
    listing = ", ".join(f"{{{{{name}}}}}" for name in sorted(known)) or "none (declare inputs or parameters)"
    for field, items in (("command", command), ("args", args)):
        if len(items) > MAX_ITEMS:
            add(field, f"At most {MAX_ITEMS} items.")
        for index, item in enumerate(items, start=1):
            if not isinstance(item, str):
                add(field, f"Item {index} must be text.")
                continue
            if len(item) > MAX_ITEM_LENGTH:
                add(field, f"Item {index} is longer than {MAX_ITEM_LENGTH} characters.")
            for name in placeholders(item):
                if name not in known:
                    shown = f"{{{{{name}}}}}" if name else "{{}}"
                    add(field, f"Item {index}: unknown placeholder {shown}; known: {listing}.")

    # `{{name}}` must name one thing, and each name needs an environment variable of its own.
    inputs = {port.name for port in interface.inputs}
    for port in interface.outputs:
        if port.name in inputs:
            add("outputs", f"{port.name}: also an input's name; a placeholder {{{{name}}}} names one thing.")
    for field, kind, items in (
        ("parameters", "parameter", interface.parameters),
        ("inputs", "input", interface.inputs),
        ("outputs", "output", interface.outputs),
    ):
        counts = Counter(env_name(kind, item.name) for item in items)
        for variable, count in sorted(counts.items()):
            if count > 1:
                add(field, f"Names that differ only in case share the variable {variable}.")
    return problems

"""The contract of a container operation: its image reference and its placeholders.

A container operation runs `command` + `args` in `image` (no shell). Each `{{name}}` in the
command or the args names a parameter (replaced by its value), an input (the path of its
file in the container) or an output (the path to write it to, `$PW_OUTPUT_DIR/<name>`). The
same values are also in the environment as `PW_PARAM_<NAME>`, `PW_INPUT_<NAME>` and
`PW_OUTPUT_<NAME>`, NAME upper-cased. docs/editor.md describes it for authors.

Processing variables, `${RUN_PATH}`, `${TASK_ID}`, `${ROOT_PATH}` and `${WORK_PATH}`, are
replaced when the task runs, in the command, the args and the mount paths (see
`PROCESSING_VARIABLES`). `$${NAME}` is a literal `${NAME}`; a `$` not followed by `{` (a shell's
`$HOME`, `$1`) is left alone.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from pydantic import ValidationError

from editor.schemas import KubernetesSpec, OperationInterface

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

# `${NAME}` is a processing variable, replaced at run time; `$$` is a literal `$`.
PROCESSING_VARIABLES = ("RUN_PATH", "TASK_ID", "ROOT_PATH", "WORK_PATH")
VARIABLE = re.compile(r"\$\$|\$\{([^{}]*)\}")

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


def variables(text: str) -> list[str]:
    """The names of the `${NAME}` processing variables in `text`, in order (`$${NAME}` is none)."""
    return [match.group(1) for match in VARIABLE.finditer(text) if match.group(0) != "$$"]


def variable_problems(text: str) -> list[str]:
    """One message per unknown `${NAME}` in `text` (`$${NAME}` and a plain `$x` are literal)."""
    known = ", ".join(f"${{{name}}}" for name in PROCESSING_VARIABLES)
    return [
        f"unknown variable ${{{name}}}; known: {known} (write $${{{name}}} for a literal)."
        for name in variables(text)
        if name not in PROCESSING_VARIABLES
    ]


def expand_variables(text: str, values: dict[str, str]) -> str:
    """`text` with each `${NAME}` replaced by `values[NAME]` and `$$` by `$` (a KeyError
    names a variable `values` lacks)."""
    return VARIABLE.sub(lambda match: "$" if match.group(0) == "$$" else values[match.group(1)], text)


def kubernetes_problems(kubernetes: Any) -> dict[str, list[str]]:
    """What is wrong with a container operation's `kubernetes` extras, by field
    (`kubernetes.mounts.0.path`); empty when nothing."""
    problems: dict[str, list[str]] = {}
    if kubernetes in (None, {}):
        return problems
    try:
        spec = KubernetesSpec.model_validate(kubernetes)
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(["kubernetes", *(str(part) for part in error["loc"])])
            problems.setdefault(where, []).append(error["msg"].removeprefix("Value error, "))
        return problems
    for index, mount in enumerate(spec.mounts):
        for message in variable_problems(mount.path):
            problems.setdefault(f"kubernetes.mounts.{index}.path", []).append(message)
    return problems


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
    image: str,
    command: list[Any],
    args: list[Any],
    interface: OperationInterface,
    kubernetes: Any = None,
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
            for message in variable_problems(item):
                add(field, f"Item {index}: {message}")

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
    for field, messages in kubernetes_problems(kubernetes).items():
        for message in messages:
            add(field, message)
    return problems

"""Load an operation's module from its source file and call its entry point."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from .context import NodeContext


class OperationError(Exception):
    """The operation's code could not be loaded or returned something unusable."""


def load_module(path: str | Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"pipewright_operations.{name}", path)
    if spec is None or spec.loader is None:
        raise OperationError(f"cannot load operation source {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def load_entrypoint(path: str | Path, name: str, entrypoint: str = "run") -> Callable[..., Any]:
    function = getattr(load_module(path, name), entrypoint, None)
    if not callable(function):
        raise OperationError(f"operation {name!r} has no function {entrypoint!r}")
    return function


CO_VARKEYWORDS = 0x08


def accepted_names(function: Callable[..., Any]) -> tuple[set[str], bool]:
    """Keyword names the function takes, and whether it takes **kwargs.

    Read off the code object: `inspect` costs a node ~10 ms of imports."""
    code = getattr(function, "__code__", None)
    if code is None:
        import inspect

        parameters = inspect.signature(function).parameters
        return set(parameters), any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    names = set(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    return names, bool(code.co_flags & CO_VARKEYWORDS)


def call_operation(
    function: Callable[..., Any], arguments: Mapping[str, Any], ctx: NodeContext
) -> dict[str, Any]:
    """Call with the arguments it names (plus `ctx` if it asks) and check the result."""
    parameters, takes_any = accepted_names(function)
    kwargs = {k: v for k, v in arguments.items() if takes_any or k in parameters}
    if "ctx" in parameters:
        kwargs["ctx"] = ctx
    result = function(**kwargs)
    if result is None:
        return {}
    if not isinstance(result, dict):
        raise OperationError(f"an operation must return a dict of outputs, got {type(result).__name__}")
    return result

"""The execute dialog's memory: a user's last choices per pipeline, without secrets."""

from __future__ import annotations

from typing import Any

from credentials.backends import KINDS, UnknownBackend, backend, split_secrets
from editor.graph import input_edges
from editor.models import Pipeline
from runs.models import ExecutionPreset, Run
from runs.submit import unique_run_name

PRESET_FIELDS = ("name", "debug", "experiment", "cache")


def preset_config(config: dict[str, Any]) -> dict[str, Any]:
    """The part of an execution config worth remembering, secrets removed."""
    kept = {key: config[key] for key in PRESET_FIELDS if key in config}
    for kind in KINDS:
        choice = config.get(kind)
        if not isinstance(choice, dict) or "backend" not in choice:
            continue
        try:
            info = backend(kind, str(choice["backend"]))
        except UnknownBackend:
            continue
        public, _secrets = split_secrets(info, dict(choice.get("options") or {}))
        kept[kind] = {"backend": info.name, "options": public, "account": choice.get("account")}
    return kept


def save_preset(user: Any, pipeline: Pipeline, config: dict[str, Any]) -> ExecutionPreset:
    preset, _ = ExecutionPreset.objects.update_or_create(
        user=user, pipeline=pipeline, defaults={"config": preset_config(config)}
    )
    return preset


def run_setup(user: Any, pipeline: Pipeline, wanted_name: str | None) -> dict[str, Any]:
    """What the execute dialog opens with: the saved preset (if any) and the name a run would get."""
    preset = ExecutionPreset.objects.filter(user=user, pipeline=pipeline).first()
    config = dict(preset.config) if preset else {}
    last = (
        Run.objects.filter(pipeline=pipeline).order_by("-created_at").values_list("name", flat=True).first()
    )
    base = (wanted_name if wanted_name is not None else config.get("name")) or _stem(last) or "run"
    return {
        "preset": config or None,
        "name": base,
        "run_name": unique_run_name(pipeline, base),
        "inputs": run_inputs(pipeline.graph),
    }


def run_inputs(graph: dict[str, Any]) -> list[dict[str, Any]]:
    """The pipeline inputs a run is asked for, each saying whether an edge feeds a node from it."""
    fed = {edge["source"] for edge in input_edges(graph)}
    return [
        {
            "name": item["name"],
            "type": item["type"],
            "default": item.get("default"),
            "description": item.get("description", ""),
            "wired": item["name"] in fed,
        }
        for item in graph.get("inputs", [])
    ]


def _stem(name: str | None) -> str:
    """`test_3` -> `test`: the dialog suggests the series the last run belongs to."""
    if not name:
        return ""
    stem, _, suffix = name.rpartition("_")
    return stem if stem and suffix.isdigit() else name

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from editor.api.serializers import problem_text
from editor.models import Pipeline
from runs.choices import NodeState, RunState
from runs.submit import SubmitInvalid, submit_run


def parse_assignment(text: str, what: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key:
        raise CommandError(f"{what} must look like key=value, got {text!r}")
    try:
        return key, json.loads(raw)
    except ValueError:
        return key, raw


class Command(BaseCommand):
    help = "Start a run of a pipeline (by id or name) and optionally wait for its outcome."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pipeline", help="pipeline id or name")
        parser.add_argument("--name", default="", help="run name (suffixed when taken)")
        parser.add_argument(
            "--input",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="what a pipeline input (by name) or an unconnected node input (node.port) gets: "
            "JSON, or artifact:ID",
        )
        parser.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="NODE.NAME=VALUE",
            help="override a parameter (JSON value, else a string)",
        )
        parser.add_argument("--no-cache", action="store_true", help="do not reuse earlier results")
        parser.add_argument("--debug", action="store_true", help="a debug run (re-runs take edited code)")
        parser.add_argument(
            "--wait", action="store_true", help="wait for the run to finish and print its outcome"
        )
        parser.add_argument(
            "--timeout", type=float, default=3600, help="with --wait: give up after this many seconds"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = options["pipeline"]
        pipelines = (
            Pipeline.objects.filter(pk=int(wanted))
            if wanted.isdigit()
            else Pipeline.objects.filter(name=wanted)
        )
        if pipelines.count() != 1:
            raise CommandError(f"no single pipeline {wanted!r} (found {pipelines.count()}); give its id")
        pipeline = pipelines.get()
        config: dict[str, Any] = {
            "name": options["name"],
            "cache": not options["no_cache"],
            "debug": options["debug"],
        }
        params: dict[str, dict[str, Any]] = {}
        for text in options["param"]:
            key, value = parse_assignment(text, "--param")
            node, _, name = key.partition(".")
            params.setdefault(node, {})[name] = value
        config["params"] = params
        inputs = {}
        for text in options["input"]:
            key, value = parse_assignment(text, "--input")
            if isinstance(value, str) and value.startswith("artifact:"):
                inputs[key] = {"artifact": int(value.split(":", 1)[1])}
            else:
                inputs[key] = {"value": value}
        config["inputs"] = inputs
        try:
            run = submit_run(pipeline, config, user=None)
        except SubmitInvalid as exc:
            raise CommandError(
                "cannot start the run:\n  " + "\n  ".join(problem_text(p) for p in exc.problems)
            ) from exc
        self.stdout.write(
            f"Started run {run.name!r} (id {run.pk}) of {pipeline.name!r}, "
            f"version {run.pipeline_version.number}"
        )
        if not options["wait"]:
            return
        deadline = time.monotonic() + options["timeout"]
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.state in RunState.terminal():
                break
            time.sleep(0.5)
        else:
            raise CommandError(
                f"run {run.pk} still {run.state} after {options['timeout']}s (is a worker running?)"
            )
        for node_run in run.node_runs.order_by("started_at", "node_id"):
            timing = ""
            if node_run.started_at and node_run.finished_at:
                timing = f" in {(node_run.finished_at - node_run.started_at).total_seconds():.2f}s"
            line = f"  {node_run.node_id:<24} {node_run.state}{timing}"
            if node_run.state == NodeState.FAILED:
                line += f"\n{node_run.error}"
            self.stdout.write(line)
        self.stdout.write(f"Run {run.name!r}: {run.state}")
        if run.state != RunState.SUCCEEDED:
            raise CommandError(run.error or run.state)

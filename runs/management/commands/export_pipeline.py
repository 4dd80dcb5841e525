"""Export a pipeline as a zip that runs with `python main.py`, as the Export dialog does."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from editor.models import Pipeline
from runs.export import ExportInvalid, export_chunks, prepare_export


class Command(BaseCommand):
    help = (
        "Export PIPELINE (name or id) as a runnable zip. --static NAME ships an input's current "
        "value (the latest run's, else its default); NAME=ARTIFACT_ID ships that artifact."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pipeline", help="pipeline name or id")
        parser.add_argument("--static", action="append", default=[], metavar="NAME[=ARTIFACT_ID]")
        parser.add_argument(
            "--pipeline-version", dest="pipeline_version", type=int, help="version number (default: latest)"
        )
        parser.add_argument(
            "-o", "--output", required=True, type=Path, help="the zip to write ('-' for stdout)"
        )
        parser.add_argument("--user", default="admin", help="whose rights and linked accounts to use")

    def handle(self, *args: Any, **options: Any) -> None:
        pipeline = self._pipeline(options["pipeline"])
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']!r}; pass --user")
        static: dict[str, dict[str, Any]] = {}
        for item in options["static"]:
            name, _, artifact = item.partition("=")
            if artifact and not artifact.isdigit():
                raise CommandError(f"--static {item}: expected NAME or NAME=ARTIFACT_ID")
            static[name] = {"artifact": int(artifact)} if artifact else {}
        version = options["pipeline_version"] or (
            pipeline.versions.order_by("-number").values_list("number", flat=True).first()
        )
        try:
            prepared = prepare_export(pipeline, user, {"version": version, "static": static})
        except ExportInvalid as exc:
            lines = [message for messages in exc.errors.values() for message in messages]
            raise CommandError("cannot export:\n  " + "\n  ".join(lines)) from exc
        target = sys.stdout.buffer if str(options["output"]) == "-" else options["output"].open("wb")
        size = 0
        try:
            for chunk in export_chunks(prepared):
                target.write(chunk)
                size += len(chunk)
        finally:
            if target is not sys.stdout.buffer:
                target.close()
        if str(options["output"]) != "-":
            self.stderr.write(f"Wrote {options['output']} ({size:,} bytes): {prepared.filename}")

    def _pipeline(self, key: str) -> Pipeline:
        found = Pipeline.objects.filter(pk=int(key)) if key.isdigit() else Pipeline.objects.filter(name=key)
        if found.count() != 1:
            raise CommandError(f"{'no' if not found else 'more than one'} pipeline {key!r}")
        return found.get()

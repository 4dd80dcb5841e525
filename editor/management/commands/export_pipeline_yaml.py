"""Write a pipeline as a YAML pipeline directory: main.yml and the files beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from editor.models import Pipeline, PipelineVersion
from editor.yaml_pipelines import ExportInvalid, export_yaml, write_directory


class Command(BaseCommand):
    help = (
        "Write PIPELINE (name or id) as main.yml and its files into DIR. Without --pipeline-version, "
        "the draft with each task at its operation's latest version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pipeline", help="pipeline name or id")
        parser.add_argument("-o", "--output", required=True, type=Path, help="the directory to write")
        parser.add_argument("--pipeline-version", dest="pipeline_version", type=int, help="a version number")

    def handle(self, *args: Any, **options: Any) -> None:
        key: str = options["pipeline"]
        found = Pipeline.objects.filter(pk=int(key)) if key.isdigit() else Pipeline.objects.filter(name=key)
        if found.count() != 1:
            raise CommandError(f"{'no' if not found.exists() else 'more than one'} pipeline {key!r}")
        pipeline = found.get()
        target: Pipeline | PipelineVersion = pipeline
        if options["pipeline_version"]:
            version = pipeline.versions.filter(number=options["pipeline_version"]).first()
            if version is None:
                raise CommandError(f"{pipeline.name} has no version {options['pipeline_version']}")
            target = version
        try:
            written = write_directory(export_yaml(target), options["output"])
        except ExportInvalid as exc:
            raise CommandError("cannot write it as YAML:\n  " + "\n  ".join(exc.problems)) from exc
        self.stdout.write(f"Wrote {len(written)} file{'s' * (len(written) != 1)} to {options['output']}")

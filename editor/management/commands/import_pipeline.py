"""Import a YAML pipeline directory (main.yml and the files beside it) into a project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from editor.models import Project
from editor.yaml_pipelines import ImportInvalid, import_files, problem_text, read_directory


class Command(BaseCommand):
    help = (
        "Import the YAML pipeline in DIR (main.yml and the files beside it): creates the pipeline "
        "main.yml names, or updates it and freezes a new version. Problems are listed as file:line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="the directory holding main.yml")
        parser.add_argument(
            "--project", help="project name, slug or id (default: the only project, when there is one)"
        )
        parser.add_argument("--user", help="username recorded as the author (default: none)")

    def handle(self, *args: Any, **options: Any) -> None:
        project = self._project(options["project"])
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']!r}")
        try:
            pipeline, version = import_files(project, read_directory(options["directory"]), user)
        except ImportInvalid as exc:
            count = len(exc.problems)
            report = "\n".join(problem_text(problem) for problem in exc.problems)
            heading = f"{options['directory']}: {count} problem{'s' * (count != 1)}"
            raise CommandError(f"{heading}\n{report}") from exc
        self.stdout.write(
            f"Imported {pipeline.name!r} into {project.name!r} "
            f"(pipeline {pipeline.pk}, version {version.number})"
        )

    def _project(self, key: str | None) -> Project:
        if key is None:
            projects = list(Project.objects.all()[:2])
            if len(projects) != 1:
                raise CommandError("name the project with --project (name, slug or id)")
            return projects[0]
        found = Project.objects.filter(pk=int(key)) if key.isdigit() else Project.objects.filter(name=key)
        if not found.exists() and not key.isdigit():
            found = Project.objects.filter(slug=key)
        if found.count() != 1:
            raise CommandError(f"{'no' if not found.exists() else 'more than one'} project {key!r}")
        return found.get()

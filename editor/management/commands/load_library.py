from typing import Any

from django.core.management.base import BaseCommand

from editor.library.loader import load_library


class Command(BaseCommand):
    help = "Load the built-in operations and the example pipelines (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_library()
        changes = report.operations_created + report.versions_created + report.pipelines_created
        if not changes:
            self.stdout.write("Built-in library is up to date.")
            return
        if report.versions_created:
            self.stdout.write(f"Operation versions added: {', '.join(report.versions_created)}")
        if report.pipelines_created:
            self.stdout.write(f"Example pipelines added: {', '.join(report.pipelines_created)}")

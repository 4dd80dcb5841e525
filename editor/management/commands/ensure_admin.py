import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from editor.choices import Role
from editor.library.loader import examples_project
from editor.projects import add_member


class Command(BaseCommand):
    help = (
        "On first run, create a local admin account with a generated password "
        "(shown once) who owns the Examples project. Does nothing if a superuser exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin account exists already.")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(username=options["username"], password=password, email="")
        add_member(examples_project(), user, Role.OWNER)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the admin account.\n  username: {user.get_username()}\n  password: {password}\n"
                "  (shown once; change it with: .venv/bin/python manage.py changepassword admin)"
            )
        )

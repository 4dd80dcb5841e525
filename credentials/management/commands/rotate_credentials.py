"""Re-encrypt every stored secret with the newest key of PIPEWRIGHT_CREDENTIALS_KEYS."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from credentials.crypto import rotate
from credentials.models import LinkedAccount


class Command(BaseCommand):
    help = "Re-encrypt linked accounts and run secrets with the first key of PIPEWRIGHT_CREDENTIALS_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        from editor.models import GitRepository
        from runs.models import Run

        with transaction.atomic():
            accounts = 0
            for account in LinkedAccount.objects.select_for_update().exclude(secret_ciphertext=""):
                account.secret_ciphertext = rotate(account.secret_ciphertext)
                account.save(update_fields=["secret_ciphertext"])
                accounts += 1
            runs = 0
            for run in Run.objects.select_for_update().exclude(secret_ciphertext=""):
                run.secret_ciphertext = rotate(run.secret_ciphertext)
                run.save(update_fields=["secret_ciphertext"])
                runs += 1
            repositories = 0
            for repository in GitRepository.objects.select_for_update().exclude(secret_ciphertext=""):
                repository.secret_ciphertext = rotate(repository.secret_ciphertext)
                repository.save(update_fields=["secret_ciphertext"])
                repositories += 1
        self.stdout.write(
            f"Re-encrypted {accounts} linked account(s), {runs} run secret(s) "
            f"and {repositories} git repository secret(s)."
        )

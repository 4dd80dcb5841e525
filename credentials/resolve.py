"""From a run's backend choice (name, options, linked account) to a backend instance.

A choice may name a linked account of the submitting user; its options and
secrets fill in what the choice leaves out. Secrets typed in for one run
are kept encrypted on the run (`Run.secret_ciphertext`), never in its config.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .backends import Kind, backend, option_problems, split_secrets
from .models import LinkedAccount


class BackendUnavailable(Exception):
    """The backend cannot be used with these options; the message says why."""


@dataclass
class Resolved:
    backend: str
    public: dict[str, Any]  # goes into the run's config
    secrets: dict[str, Any]  # typed in for this run: stored encrypted on the run
    account: LinkedAccount | None = None
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def options(self) -> dict[str, Any]:
        base = self.account.resolved_options() if self.account else {}
        return {**base, **self.public, **self.secrets}


def resolve_choice(kind: Kind, choice: dict[str, Any], user: Any) -> Resolved:
    """Check a submitted choice; problems are keyed by option name (or `account`)."""
    info = backend(kind, choice["backend"])
    public, secrets = split_secrets(info, dict(choice.get("options") or {}))
    resolved = Resolved(backend=info.name, public=public, secrets=secrets)
    account_id = choice.get("account")
    if account_id is not None:
        account = LinkedAccount.objects.filter(pk=account_id, owner_id=getattr(user, "pk", None)).first()
        if account is None:
            resolved.problems["account"] = f"{account_id} is not one of your linked accounts"
            return resolved
        if (account.kind, account.backend) != (kind, info.name):
            resolved.problems["account"] = (
                f"account {account.label!r} is for {account.kind} backend {account.backend!r}, "
                f"not {info.name!r}"
            )
            return resolved
        resolved.account = account
    for name, message in option_problems(info, resolved.options).items():
        resolved.problems[name] = message
    return resolved


def instantiate(kind: Kind, name: str, options: dict[str, Any], storage: Any = None) -> Any:
    """A ready backend object for these resolved options."""
    if kind == "storage":
        from storage_backends.registry import get_storage

        return get_storage(name, options)
    from compute_backends.registry import get_compute

    return get_compute(name, options, storage=storage)


def stored_options(config_choice: dict[str, Any], run_secrets: dict[str, Any]) -> dict[str, Any]:
    """A run's full options for one backend again, as the worker needs them."""
    account_id = config_choice.get("account")
    base: dict[str, Any] = {}
    if account_id is not None:
        account = LinkedAccount.objects.filter(pk=account_id).first()
        if account is None:
            raise BackendUnavailable(
                f"the linked account {account_id} this run uses was deleted; "
                "start a new run with another account"
            )
        base = account.resolved_options()
    return {**base, **dict(config_choice.get("options") or {}), **run_secrets}

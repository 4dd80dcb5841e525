"""Linked accounts: create, change, check. Secrets go in, never come out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from .backends import BackendInfo, Kind, backend, option_problems, split_secrets
from .models import LinkedAccount


class AccountInvalid(ValueError):
    """Field name -> message, for a 400."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _checked(info: BackendInfo, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    problems = option_problems(info, options, partial=True)
    if problems:
        raise AccountInvalid({f"options.{field}": message for field, message in problems.items()})
    return split_secrets(info, options)


@transaction.atomic
def create_account(
    user: Any, kind: Kind, backend_name: str, label: str, options: dict[str, Any]
) -> LinkedAccount:
    info = backend(kind, backend_name)
    public, secrets = _checked(info, options)
    account = LinkedAccount(owner=user, kind=kind, backend=backend_name, label=label.strip(), options=public)
    account.secrets = secrets
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        raise AccountInvalid({"label": f"you already have a {kind} account named {label!r}"}) from exc
    return account


@transaction.atomic
def update_account(
    account: LinkedAccount, label: str | None, options: dict[str, Any] | None
) -> LinkedAccount:
    """New public options replace the old; a secret left out (or empty) keeps its stored value."""
    if label is not None:
        account.label = label.strip()
    if options is not None:
        info = backend(account.kind, account.backend)  # type: ignore[arg-type]
        public, secrets = _checked(info, options)
        account.options = public
        account.secrets = {**account.secrets, **secrets}
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        raise AccountInvalid({"label": f"you already have an account named {account.label!r}"}) from exc
    return account


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str


def check_backend(kind: Kind, backend_name: str, options: dict[str, Any]) -> CheckResult:
    """Try the backend with these options ("test connection"); never raises for bad input."""
    from .resolve import BackendUnavailable, instantiate

    info = backend(kind, backend_name)
    problems = option_problems(info, options)
    if problems:
        field, message = next(iter(problems.items()))
        return CheckResult(False, f"{field}: {message}")
    try:
        instance = instantiate(kind, backend_name, options)
        instance.check()
    except BackendUnavailable as exc:
        return CheckResult(False, str(exc))
    except Exception as exc:
        name = type(exc).__name__
        return CheckResult(False, f"{name}: {exc}" if str(exc) else name)
    return CheckResult(True, "Connected.")


def record_check(account: LinkedAccount, result: CheckResult) -> None:
    account.last_checked_at = timezone.now()
    account.last_check_ok = result.ok
    account.save(update_fields=["last_checked_at", "last_check_ok"])

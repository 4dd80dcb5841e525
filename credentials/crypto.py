"""Encryption at rest for credentials (Fernet: AES-128-CBC + HMAC-SHA256).

Keys come from `PIPEWRIGHT_CREDENTIALS_KEYS` (comma-separated, newest first),
or a key generated once into the data dir. Every key in the list can decrypt;
only the first encrypts, so rotation is: put a new key first, run
`manage.py rotate_credentials`, then drop the old key (docs/credentials.md).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class CredentialsUnreadable(Exception):
    """Ciphertext that none of the configured keys opens."""


def _generated_key() -> str:
    key_file = settings.DATA_DIR / "credentials_key"
    if not key_file.exists():
        key_file.write_text(Fernet.generate_key().decode())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    keys = tuple(settings.PIPEWRIGHT_CREDENTIALS_KEYS) or (_generated_key(),)
    return _fernet(keys)


def encrypt_json(values: dict[str, Any]) -> str:
    return fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        data = json.loads(fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise CredentialsUnreadable(
            "stored credentials cannot be decrypted with the configured keys "
            "(PIPEWRIGHT_CREDENTIALS_KEYS); add the old key back or enter the credentials again"
        ) from exc
    return dict(data)


def rotate(token: str) -> str:
    """The same secret encrypted with the newest key."""
    return fernet().rotate(token.encode()).decode() if token else token

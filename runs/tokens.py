"""Endpoint tokens: made once, shown once, kept as a sha256 digest, compared in constant time.

A token is `pw_` + 43 URL-safe characters (32 random bytes). The database keeps its
digest and its first characters (to tell tokens apart in lists), never the token: a
copy of the database does not let anyone call an endpoint. Presented tokens are
compared with `hmac.compare_digest` against the digest of every live token of the
deployment, and against a stand-in when the deployment does not exist, so neither
the answer nor its timing says whether a deployment of that name exists.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from runs.models import Deployment, EndpointToken

TOKEN_PREFIX = "pw_"
SHOWN_PREFIX_LENGTH = 8
# Compared against when there is nothing to compare with, so every check costs the same.
_STAND_IN = hashlib.sha256(b"no such deployment").hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(deployment: Deployment) -> tuple[EndpointToken, str]:
    """A new live token of the deployment: its row and the token (shown to the caller once)."""
    token = new_token()
    row = EndpointToken.objects.create(
        deployment=deployment, prefix=token[:SHOWN_PREFIX_LENGTH], digest=digest(token)
    )
    return row, token


@transaction.atomic
def revoke_token(token: EndpointToken) -> EndpointToken:
    """Revoke it for good (revoking twice keeps the first time)."""
    token = EndpointToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def check(deployment: Deployment | None, presented: str) -> EndpointToken | None:
    """The live token of `deployment` that `presented` is, or None (also for no deployment)."""
    presented_digest = digest(presented or "")
    candidates = (
        list(EndpointToken.objects.filter(deployment=deployment, revoked_at__isnull=True))
        if deployment is not None
        else []
    )
    found = None
    if not candidates:  # compare anyway, so a missing deployment costs what a wrong token does
        hmac.compare_digest(_STAND_IN.encode(), presented_digest.encode())
    for candidate in candidates:  # every candidate is compared (no early exit), each in constant time
        if hmac.compare_digest(candidate.digest.encode(), presented_digest.encode()):
            found = candidate
    return found


def token_from_header(value: str) -> str:
    """The token in `Authorization: EndpointToken <token>` ("" when the header is not that)."""
    scheme, _, token = (value or "").strip().partition(" ")
    return token.strip() if scheme == "EndpointToken" else ""


def mark_used(token: EndpointToken) -> None:
    EndpointToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())

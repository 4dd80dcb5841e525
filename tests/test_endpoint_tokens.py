"""Endpoint tokens: shown once, stored as a digest, compared in constant time, revocable;
the 401 that tells nothing; the per-minute rate limit counted in Redis."""

from __future__ import annotations

import hashlib
import hmac
from unittest import mock

import pytest
from django.test import Client

from runs import tokens
from runs.deployments import create_deployment
from runs.endpoints import over_rate_limit
from runs.models import EndpointToken
from runs.tokens import check, digest, issue_token, new_token, revoke_token, token_from_header

pytestmark = pytest.mark.django_db

ECHO = "def run(x: int) -> dict:\n    return {'y': x}\n"


@pytest.fixture
def deployment_and_token(project, teammate, make_op, make_graph_pipeline):
    op = make_op(project, "echo", ECHO, inputs=[("x", "int")], outputs=[("y", "int")])
    pipeline = make_graph_pipeline(project, {"echo": op}, name="Echo")
    created = create_deployment(
        pipeline,
        {
            "name": "echo",
            "rule": "endpoint",
            "input_mappings": {"echo.x": {"kind": "endpoint_value", "name": "x"}},
        },
        teammate,
    )
    return created.deployment, created.token


def test_a_token_is_random_prefixed_and_stored_only_as_its_digest(deployment_and_token):
    deployment, token = deployment_and_token

    stored = EndpointToken.objects.get(deployment=deployment)

    assert token.startswith("pw_") and len(token) >= 40
    assert new_token() != new_token()
    assert stored.digest == hashlib.sha256(token.encode()).hexdigest() == digest(token)
    assert stored.digest != token and token not in stored.digest
    assert stored.prefix == token[:8] and len(stored.prefix) < len(token) // 4
    # nothing in the row holds the token
    assert all(
        token not in str(value)
        for value in EndpointToken.objects.filter(pk=stored.pk).values().get().values()
    )


def test_tokens_are_compared_with_hmac_compare_digest(deployment_and_token):
    deployment, _ = deployment_and_token
    second, second_token = issue_token(deployment)

    with mock.patch.object(tokens.hmac, "compare_digest", wraps=hmac.compare_digest) as compare:
        found = check(deployment, second_token)

    assert found == second
    # every live token was compared (no early exit), digests against the presented digest
    assert compare.call_count == 2
    compared = {call.args[0].decode() for call in compare.call_args_list}
    assert compared == set(EndpointToken.objects.values_list("digest", flat=True))
    assert all(call.args[1] == digest(second_token).encode() for call in compare.call_args_list)


def test_an_unknown_deployment_still_costs_a_comparison(db):
    with mock.patch.object(tokens.hmac, "compare_digest", wraps=hmac.compare_digest) as compare:
        assert check(None, "pw_whatever") is None

    assert compare.call_count == 1


def test_a_revoked_token_no_longer_opens_the_endpoint(deployment_and_token):
    deployment, token = deployment_and_token
    row = EndpointToken.objects.get(deployment=deployment)

    assert check(deployment, token) == row
    revoke_token(row)
    first_revoked_at = EndpointToken.objects.get(pk=row.pk).revoked_at
    revoke_token(row)

    assert check(deployment, token) is None
    assert EndpointToken.objects.get(pk=row.pk).revoked_at == first_revoked_at


def test_the_header_must_say_endpoint_token():
    assert token_from_header("EndpointToken pw_abc") == "pw_abc"
    assert token_from_header("Bearer pw_abc") == ""
    assert token_from_header("") == ""
    assert token_from_header("EndpointToken") == ""


def test_revoked_wrong_and_unknown_get_the_same_401(deployment_and_token):
    deployment, token = deployment_and_token
    client = Client()

    good = client.post(
        "/endpoints/echo",
        {"x": "no"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"EndpointToken {token}",
    )
    revoke_token(EndpointToken.objects.get(deployment=deployment))
    revoked = client.post(
        "/endpoints/echo",
        {"x": 1},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"EndpointToken {token}",
    )
    unknown = client.post(
        "/endpoints/other",
        {"x": 1},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"EndpointToken {token}",
    )
    session = Client()
    session.force_login(deployment.created_by)
    logged_in = session.post("/endpoints/echo", {"x": 1}, content_type="application/json")

    assert good.status_code == 400  # the token was good: the input was not
    for response in (revoked, unknown, logged_in):
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid or missing endpoint token."}
        assert response["WWW-Authenticate"] == "EndpointToken"
    assert revoked.content == unknown.content == logged_in.content
    assert EndpointToken.objects.get(deployment=deployment).last_used_at is not None


def test_the_rate_limit_counts_calls_per_deployment_per_minute(deployment_and_token):
    deployment, _ = deployment_and_token
    deployment.rate_limit_per_minute = 2
    minute = 60 * 29_000_000 + 15.5  # a minute no other test uses, 15.5 s in

    answers = [over_rate_limit(deployment, now=minute) for _ in range(3)]
    next_minute = over_rate_limit(deployment, now=minute + 60)

    assert answers[:2] == [0, 0]
    assert answers[2] == 45  # seconds until the next minute
    assert next_minute == 0

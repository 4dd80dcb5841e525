"""Fuzz every operation of the API from its own OpenAPI schema (`/api/schema/`) with
schemathesis, as a project editor authenticated by a DRF token: whatever the body, query or
path, no answer is a 5xx.

Few examples an operation (4; 50 in the long variant, `pytest --long`), derandomized, so a
run is reproducible and fits in a few minutes.
Left out, because they reach out of the process and could wait on the network rather than
answer: testing a storage/compute backend's connection (`backends/.../check/`,
`accounts/{id}/check/`) and syncing or pushing a git repository (`repositories/{id}/sync/`,
`/push/`). Their input checks are covered by their own tests.

Each 500 found here is fixed in the app and kept as a plain regression test in
test_malformed_input.py."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from pipewright.wsgi import application

EXAMPLES = 50 if os.environ.get("PIPEWRIGHT_LONG_TESTS") == "1" else 4

schema = schemathesis.openapi.from_wsgi("/api/schema/", application).exclude(
    path_regex=r"(/check/$|^/api/repositories/\{id\}/(sync|push)/$)"
)


@pytest.fixture(autouse=True)
def connection_kept_between_requests():
    """Django closes the database connection when a request finishes, which would close the
    test's transaction under it: the test client keeps it, and so does this for the WSGI calls."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token_headers(project, teammate, make_pipeline) -> dict[str, str]:
    """An editor's token, in a project that holds a pipeline (ids 1 exist for lookups to find)."""
    make_pipeline(project, [("data", "make_dataset")], name="Fuzzed")
    token, _ = Token.objects.get_or_create(user=teammate)
    return {"Authorization": f"Token {token.key}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error(case, token_headers):
    case.call_and_validate(headers=token_headers, checks=[not_a_server_error])


@pytest.mark.django_db
def test_the_fuzzer_is_signed_in_as_the_editor(token_headers):
    # a guard: fuzzing only the 401 of a missing token would prove nothing
    response = schema["/api/me/"]["GET"].Case().call(headers=token_headers)

    assert response.status_code == 200, response.text
    assert response.json()["username"] == "ted"

"""Oversized and malformed input against the API (test client, no servers): huge graphs and
bodies, deep nesting, huge names, invalid UTF-8, and the wrong type in every field of the
main write endpoints. Each is refused with a 4xx naming what is wrong, never a 500.

Regression tests for the 500s the schema fuzzing (test_api_fuzz.py) found are at the end."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.db import transaction

from editor.schemas import Graph
from runs.api.serializers import SubmitRunSerializer
from runs.endpoints import _form_value, _json_object
from runs.mappings import CallInvalid

pytestmark = pytest.mark.django_db

HUGE_INT = 2**70
WRONG_TYPES: dict[str, Any] = {
    "string": "not-a-number",
    "list": [1, 2],
    "object": {"a": 1},
    "null": None,
    "huge int": HUGE_INT,
    "negative huge int": -HUGE_INT,
    "float": 1.5,
    "bool": True,
}


@pytest.fixture
def client(client_for, teammate):
    return client_for(teammate)


@pytest.fixture
def blobs(project, make_pipeline):
    return make_pipeline(project, [("data", "make_dataset")], name="Blobs")


def post_raw(client, url: str, body: bytes, content_type: str = "application/json") -> Any:
    return client.generic("POST", url, body, content_type=content_type)


def names(response: Any) -> set[str]:
    """The top-level keys of an error body (the fields it names)."""
    data = response.json()
    return set(data) if isinstance(data, dict) else set()


# --- size and depth ----------------------------------------------------------------------------


def test_a_graph_over_the_node_limit_is_a_400_naming_graph(client, project):
    # given a graph with far more nodes than a pipeline may hold
    limit = Graph.model_fields["nodes"].metadata[0].max_length
    nodes = [{"id": f"n{i}", "operation": 1} for i in range(limit + 1)]
    body = {"project": project.pk, "name": "Huge", "graph": {"nodes": nodes, "edges": []}}

    # when
    started = time.monotonic()
    response = client.post("/api/pipelines/", body, format="json")

    # then
    assert response.status_code == 400, response.content[:500]
    assert "graph" in names(response)
    assert time.monotonic() - started < 20


def test_a_body_over_the_upload_limit_is_refused_before_it_is_parsed(client, project, settings):
    # given a 20 MB JSON body, twice the limit
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < 20 * 1024 * 1024
    body = json.dumps({"project": project.pk, "name": "x" * (20 * 1024 * 1024)}).encode()

    # when
    response = post_raw(client, "/api/pipelines/", body)

    # then
    assert response.status_code == 413, response.content[:500]
    assert "detail" in response.json()


@pytest.mark.parametrize("url", ["/api/pipelines/", "/api/runs/", "/api/operations/"])
def test_json_nested_10000_deep_is_a_400_not_a_recursion_error(client, url):
    body = b'{"name": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"

    response = post_raw(client, url, body)

    assert response.status_code == 400, response.content[:500]


def nested(depth: int) -> Any:
    deep: Any = 1
    for _ in range(depth):
        deep = {"x": deep}
    return deep


def test_params_nested_just_under_the_decoders_limit_are_a_400_not_a_500(client, project, blobs):
    # given bodies that decode (json's limit is the recursion limit) but nest 900 deep
    deep = nested(900)
    graph = {"nodes": [{"id": "a", "operation": 1, "params": deep}]}
    bodies = {
        "/api/pipelines/": {"project": project.pk, "name": "Deep", "graph": graph},
        "/api/runs/": {"pipeline": blobs.pk, "params": {"data": deep}},
    }

    for url, body in bodies.items():
        # when
        response = post_raw(client, url, json.dumps(body).encode())

        # then
        assert response.status_code == 400, (url, response.content[:500])


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/pipelines/", "name"),
        ("/api/operations/", "name"),
        ("/api/runs/", "name"),
        ("/api/environment-variables/", "name"),
        ("/api/recurring-runs/", "schedule"),
    ],
)
def test_a_9_mb_name_is_a_400_naming_it(client, project, blobs, url, field):
    name = "n" * (9 * 1024 * 1024)  # just under the body limit
    body: dict[str, Any] = {"project": project.pk, "pipeline": blobs.pk, "name": name, "value": "v"}
    if field == "schedule":
        body["schedule"] = {"name": name, "trigger": "interval", "interval_seconds": 3600}
        del body["name"]

    response = client.post(url, body, format="json")

    assert response.status_code == 400, response.content[:500]
    assert field in names(response)


# --- encodings and literals --------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "\xff\xfe bad utf-8"}',
        b'{"name": "\xc3\x28"}',
        b"\x80\x81\x82",
    ],
    ids=["ff-fe", "bad-continuation", "garbage"],
)
@pytest.mark.parametrize("url", ["/api/pipelines/", "/api/runs/", "/api/operations/"])
def test_invalid_utf8_is_a_400(client, url, body):
    response = post_raw(client, url, body)

    assert response.status_code == 400, response.content[:500]
    assert "parse error" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/pipelines/", "/api/operations/", "/api/environment-variables/"])
def test_a_lone_surrogate_in_an_otherwise_valid_body_is_never_a_500(client, project, url):
    # valid JSON, but not text that can be stored or encoded as UTF-8
    body = b'{"project": %d, "name": "a\\ud800b", "slug": "s", "value": "v"}' % project.pk

    response = post_raw(client, url, body)

    assert response.status_code in (201, 400), response.content[:500]
    if response.status_code == 201:
        assert client.get(f"{url}{response.json()['id']}/").status_code == 200


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
@pytest.mark.parametrize(
    ("url", "template"),
    [
        ("/api/runs/", b'{"pipeline": %(pipeline)s, "timeout_seconds": %(x)s}'),
        ("/api/runs/", b'{"pipeline": %(pipeline)s, "params": {"data": {"n_samples": %(x)s}}}'),
        ("/api/pipelines/", b'{"project": %(project)s, "name": "N", "graph": {"nodes": [%(x)s]}}'),
        ("/api/operations/", b'{"project": %(project)s, "name": "N", "slug": "n", "resources": %(x)s}'),
    ],
    ids=["runs-timeout", "runs-params", "pipelines-graph", "operations"],
)
def test_nan_and_infinity_literals_are_a_400(client, project, blobs, url, template, literal):
    ids = {b"pipeline": str(blobs.pk).encode(), b"project": str(project.pk).encode()}
    body = template % {**ids, b"x": literal}

    response = post_raw(client, url, body)

    assert response.status_code == 400, response.content[:500]


# --- wrong types in every field ----------------------------------------------------------------

ENDPOINTS: dict[str, tuple[str, list[str]]] = {
    "pipelines": ("/api/pipelines/", ["project", "name", "description", "graph"]),
    "runs": ("/api/runs/", [*sorted(SubmitRunSerializer.CONFIG_FIELDS), "save_for_future"]),
    "operations": ("/api/operations/", ["project", "name", "slug", "description", "source", "parameters"]),
    "recurring-runs": ("/api/recurring-runs/", ["pipeline", "schedule", "name", "params"]),
    "deployments": (
        "/api/deployments/",
        ["pipeline", "name", "rule", "input_mappings", "schedule", "wait_seconds", "max_body_bytes"],
    ),
    "environment-variables": ("/api/environment-variables/", ["project", "name", "value", "secret"]),
    "repositories": ("/api/repositories/", ["project", "url", "path", "branch", "secret"]),
}


def valid_body(kind: str, project: Any, pipeline: Any) -> dict[str, Any]:
    return {
        "pipelines": {"project": project.pk, "name": "Typed", "description": "", "graph": {"nodes": []}},
        "runs": {"pipeline": pipeline.pk, "name": "typed"},
        "operations": {"project": project.pk, "name": "Typed", "slug": "typed"},
        "recurring-runs": {
            "pipeline": pipeline.pk,
            "schedule": {"name": "typed", "trigger": "interval", "interval_seconds": 3600},
        },
        "deployments": {"pipeline": pipeline.pk, "name": "typed", "rule": "endpoint"},
        "environment-variables": {"project": project.pk, "name": "TYPED", "value": "v"},
        "repositories": {"project": project.pk, "url": "https://example.invalid/r.git", "path": ""},
    }[kind]


# Keys a 400 may name instead of the field itself: the domain checks the content of some
# fields as a whole (a run's `until` names a node of the `graph`; `input_mappings` are inputs).
ALSO_NAMED = {"detail", "non_field_errors", "graph", "inputs", "schedule", "config"}


@pytest.mark.parametrize("kind", ENDPOINTS)
def test_a_wrong_type_in_any_field_is_a_400_naming_it_never_a_500(client, project, blobs, kind):
    # given a valid body, and each of its fields in turn given each wrong type
    url, fields = ENDPOINTS[kind]
    problems = []
    for field in fields:
        for label, value in WRONG_TYPES.items():
            body = {**valid_body(kind, project, blobs), field: value}

            # when it is posted (and whatever it creates rolled back, so the next try starts clean)
            with transaction.atomic():
                response = client.post(url, body, format="json")
                transaction.set_rollback(True)

            # then it is refused naming the field, or (a value of an acceptable type) taken, or
            # (an id out of range) not found
            if response.status_code >= 500:
                problems.append(f"{field}={label}: {response.status_code}")
            elif response.status_code == 400:
                named = {key.split(".")[0] for key in names(response)}
                if not named & ({field} | ALSO_NAMED):
                    problems.append(f"{field}={label}: 400 naming {sorted(named)}")
            elif response.status_code not in (200, 201, 404):
                problems.append(f"{field}={label}: {response.status_code} {response.content[:200]!r}")
    assert problems == []


# --- regressions: 500s found by this module and test_api_fuzz.py -----------------------------------


def test_deep_json_is_a_400_through_drf_for_any_content_type_the_json_parser_takes(client):
    # DRF's JSONParser let RecursionError through: a 500 (pipewright.api.JSONParser)
    body = b"[" * 100_000 + b"]" * 100_000

    response = post_raw(client, "/api/pipelines/", body, content_type="application/json; charset=utf-8")

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested too deeply"}


def test_deep_json_sent_to_an_endpoint_deployment_is_a_call_error_not_a_500():
    # runs/endpoints.py read bodies with json.loads catching only JSONDecodeError
    deep = "[" * 100_000 + "]" * 100_000

    with pytest.raises(CallInvalid) as refused:
        _json_object(deep, "body")

    assert refused.value.errors == {"body": ["Malformed JSON: nested too deeply."]}
    assert _form_value(deep, "json") == deep  # a form field that is not JSON stays text


def test_a_body_over_the_limit_is_a_json_413_not_an_html_400(client, settings):
    # Django answered RequestDataTooBig with its HTML 400 page (pipewright.api.exception_handler)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = post_raw(client, "/api/runs/", b'{"name": "' + b"x" * 2000 + b'"}')

    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than the limit of 1000 bytes."}

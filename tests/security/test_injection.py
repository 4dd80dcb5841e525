"""Injection: names and values from users are data wherever they show up.

HTML/JS in pipeline, node, parameter and run names comes back from the API as the same JSON
string, and the server-rendered pages (the SPA shell's boot JSON, the Django admin) escape it.
Quotes and newlines in a pipeline's name cannot break the exported main.py or README.
(The browser proof is tests/security/test_injection_browser.py. Shell metacharacters in
container task parameters are passed as argv, never through a shell: tests/test_container_tasks_local.py,
`NASTY`.)"""

from __future__ import annotations

import ast
import json
import py_compile
import re
import zipfile
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model

from editor.models import Pipeline
from runs.export import export_chunks, prepare_export
from runs.models import Run
from runs.submit import submit_run

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(document.cookie)</script>",
    "{{ 7*7 }} ${7*7} <%= 7*7 %>",
]
# Raw markup that must never appear in HTML as it was typed.
DANGEROUS = re.compile(r"<script>alert|<img src=x|</script><script>")


@pytest.fixture
def blobs(project, make_pipeline):
    return make_pipeline(project, [("data", "make_dataset")], name="Blobs")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_api_gives_back_names_labels_params_and_run_names_unchanged(
    client_for, teammate, project, blobs, payload
):
    # given a pipeline named with the payload, a node labelled with it and a str param holding it
    client = client_for(teammate)
    graph = dict(blobs.graph)
    graph["nodes"] = [{**graph["nodes"][0], "label": payload}]
    created = client.post(
        "/api/pipelines/", {"project": project.pk, "name": payload, "graph": graph}, format="json"
    )
    assert created.status_code == 201, created.json()
    pipeline_id = created.json()["id"]

    # when a run is submitted with the payload as its name and as a parameter's value
    run = client.post("/api/runs/", {"pipeline": pipeline_id, "name": payload[:120]}, format="json")

    # then every read gives the same strings back as JSON
    assert run.status_code == 201, run.json()
    detail = client.get(f"/api/pipelines/{pipeline_id}/").json()
    assert detail["name"] == payload
    assert detail["graph"]["nodes"][0]["label"] == payload
    listed = client.get("/api/pipelines/", {"project": project.pk}).json()["results"]
    assert payload in [p["name"] for p in listed]
    run_body = client.get(f"/api/runs/{run.json()['id']}/").json()
    assert run_body["name"] == payload[:120]
    response = client.get("/api/runs/")
    assert response["Content-Type"].startswith("application/json")
    assert payload[:120] in [r["name"] for r in response.json()["results"]]


def test_a_str_parameter_holding_markup_is_kept_as_text(client_for, teammate, project, make_op):
    # given an operation with a str parameter, in a pipeline that sets it to markup
    source = "def run(ctx, text: str) -> dict:\n    return {}\n"
    operation = make_op(project, "echo", source, params=[("text", "str", "")])
    payload = PAYLOADS[1]
    node = {"id": "echo", "operation": operation.pk, "label": "echo", "params": {"text": payload}}
    client = client_for(teammate)
    body = {"project": project.pk, "name": "P", "graph": {"nodes": [node]}}
    created = client.post("/api/pipelines/", body, format="json")
    assert created.status_code == 201, created.json()

    # when a run overrides it with another payload
    params = {"echo": {"text": PAYLOADS[0]}}
    run = client.post("/api/runs/", {"pipeline": created.json()["id"], "params": params}, format="json")

    # then both are kept verbatim
    assert run.status_code == 201, run.json()
    assert client.get(f"/api/pipelines/{created.json()['id']}/").json()["graph"]["nodes"][0]["params"] == {
        "text": payload
    }
    assert Run.objects.get(pk=run.json()["id"]).config["params"] == {"echo": {"text": PAYLOADS[0]}}


def test_the_spa_shell_embeds_user_data_only_through_escaped_json(client):
    # given a user whose name closes the script tag (the admin can set any username)
    evil = "</script><script>alert(1)</script>"
    user = get_user_model().objects.create_user(username=evil, password="x")
    client.force_login(user)

    # when
    page = client.get("/pipelines/")

    # then the boot JSON holds it, escaped so that it cannot leave its <script> element
    html = page.content.decode()
    assert page.status_code in (200, 503)
    assert not DANGEROUS.search(html), html
    boot = re.search(r'<script id="pipewright-boot" type="application/json">(.*?)</script>', html, re.S)
    assert boot is not None
    assert "<" not in boot.group(1)
    assert json.loads(boot.group(1))["user"]["username"] == evil


@pytest.mark.parametrize(
    "url",
    [
        "/admin/editor/pipeline/",
        "/admin/editor/pipeline/{pipeline}/change/",
        "/admin/runs/run/",
        "/admin/runs/run/{run}/change/",
        "/admin/editor/project/",
    ],
)
def test_the_admin_escapes_names(client, admin_user, owner, blobs, url):
    # given a pipeline and a run named with markup
    payload = PAYLOADS[1]
    Pipeline.objects.filter(pk=blobs.pk).update(name=payload)
    blobs.project.name = PAYLOADS[0]
    blobs.project.save()
    run = submit_run(blobs, {"name": PAYLOADS[0]}, owner)
    client.force_login(admin_user)

    # when
    page = client.get(url.format(pipeline=blobs.pk, run=run.pk))

    # then
    assert page.status_code == 200
    html = page.content.decode()
    assert not DANGEROUS.search(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&quot;&gt;&lt;img src=x" in html


@pytest.mark.parametrize(
    "name",
    [
        'triple """ quotes',
        "single ' and double \" quotes, a \\ backslash",
        'ends with a quote"',
        # (no NUL: PostgreSQL cannot store one, and the API refuses it in any name)
        "two\nlines\r\nand a tab\t and \u2028",
        '""" + __import__("os").system("id") + """',
        "\\N{BELL} \\x00 \\",
    ],
)
def test_an_exported_main_py_and_readme_hold_any_pipeline_name_as_text(tmp_path, owner, blobs, name):
    # given a pipeline with an awkward name
    Pipeline.objects.filter(pk=blobs.pk).update(name=name)
    blobs.refresh_from_db()

    # when it is exported
    archive = zipfile.ZipFile(BytesIO(b"".join(export_chunks(prepare_export(blobs, owner, {})))))

    # then main.py compiles, and its docstring names the pipeline as it is named
    main = tmp_path / "main.py"
    main.write_bytes(archive.read("main.py"))
    py_compile.compile(str(main), doraise=True)
    docstring = ast.get_docstring(ast.parse(main.read_text()), clean=False)
    assert docstring is not None and docstring.startswith(f"Pipewright pipeline {name!r}, version ")
    # and the README's title is one line: the name cannot start sections of its own
    readme = archive.read("README.md").decode()
    assert readme.splitlines()[0] == f"# {' '.join(name.split())} (version {prepared_version(blobs)})"
    assert [line for line in readme.splitlines() if line.startswith("# ")] == [readme.splitlines()[0]]


def prepared_version(pipeline: Pipeline) -> int:
    return pipeline.versions.order_by("-number").values_list("number", flat=True)[0]

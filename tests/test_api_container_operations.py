"""Container operations: an image, a command and args with `{{name}}` placeholders."""

import pytest

from editor.containers import image_problem
from editor.models import Operation
from runs.models import Run

pytestmark = pytest.mark.django_db

CONTAINER = {
    "kind": "container",
    "image": "ghcr.io/acme/resize:1.4",
    "command": ["resize"],
    "args": ["--width={{width}}", "{{photo}}", "{{small}}"],
    "inputs": [{"name": "photo", "type": "file"}],
    "outputs": [{"name": "small", "type": "file"}],
    "parameters": [{"name": "width", "type": "int", "default": 256}],
}


@pytest.fixture
def resize(project, client_for, teammate):
    """An empty operation of the project, and the teammate's client."""
    client = client_for(teammate)
    op = client.post(
        "/api/operations/", {"project": project.pk, "name": "Resize", "slug": "resize"}, format="json"
    ).json()
    return op["id"], client


@pytest.mark.parametrize(
    "image",
    [
        "python",
        "python:3.12-slim",
        "library/python:3.12",
        "ghcr.io/acme/resize:1.4",
        "localhost:5000/tools/resize",
        "registry.example.com:443/a/b/c:latest",
        "busybox@sha256:" + "a" * 64,
        "ghcr.io/acme/resize:1.4@sha256:" + "0123456789abcdef" * 4,
        "[::1]:5000/tools/x:1",
    ],
)
def test_docker_references_are_accepted(image):
    assert image_problem(image) is None


@pytest.mark.parametrize(
    ("image", "says"),
    [
        ("", "needs an image"),
        ("python 3", "no spaces"),
        ("Ubuntu:22.04", "lowercase"),
        ("python:", "not an image reference"),
        ("ghcr.io/acme/:1", "not an image reference"),
        ("busybox@sha256:abc", "not an image reference"),
        ("-python", "not an image reference"),
        ("python:" + "x" * 129, "not an image reference"),
    ],
)
def test_anything_else_is_refused_with_a_reason(image, says):
    assert says in (image_problem(image) or "")


def test_a_container_version_is_stored_and_identical_content_is_the_same_version(resize):
    # given an operation
    op_id, client = resize
    # when container content is posted twice, then changed
    first = client.post(f"/api/operations/{op_id}/versions/", CONTAINER, format="json")
    same = client.post(
        f"/api/operations/{op_id}/versions/",
        {**CONTAINER, "image": " ghcr.io/acme/resize:1.4 ", "source": "ignored", "requirements": ["x"]},
        format="json",
    )
    changed = client.post(f"/api/operations/{op_id}/versions/", {**CONTAINER, "command": []}, format="json")
    # then the first is version 1, the same content answers it again, a change is version 2
    assert (first.status_code, same.status_code, changed.status_code) == (201, 200, 201)
    body = first.json()
    assert body["kind"] == "container"
    assert body["image"] == "ghcr.io/acme/resize:1.4"
    assert body["command"] == ["resize"]
    assert body["args"] == ["--width={{width}}", "{{photo}}", "{{small}}"]
    assert (body["source"], body["requirements"]) == ("", [])  # a container has no Python source
    assert same.json()["id"] == body["id"]
    assert changed.json()["number"] == 2


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"image": ""}, "image", "needs an image"),
        ({"image": "Not An Image"}, "image", "no spaces"),
        (
            {"args": ["{{height}}"]},
            "args",
            "Item 1: unknown placeholder {{height}}; known: {{photo}}, {{small}}",
        ),
        ({"command": ["run", "{{ }}"]}, "command", "Item 2: unknown placeholder {{}}"),
        ({"args": ["ok", {"a": 1}]}, "args", "Not a valid string"),
        ({"command": "resize --all"}, "command", "list"),
        (
            {"parameters": [{"name": "w", "type": "int"}, {"name": "W", "type": "int"}], "args": []},
            "parameters",
            "share the variable PW_PARAM_W",
        ),
        (
            {"outputs": [{"name": "photo", "type": "file"}], "args": []},
            "outputs",
            "photo: also an input's name",
        ),
    ],
)
def test_bad_container_content_is_a_400_naming_the_field(resize, change, field, says):
    op_id, client = resize
    response = client.post(f"/api/operations/{op_id}/versions/", {**CONTAINER, **change}, format="json")
    assert response.status_code == 400
    messages = response.json()[field]
    text = " ".join(str(m) for m in (messages.values() if isinstance(messages, dict) else messages))
    assert says in text
    assert Operation.objects.get(pk=op_id).versions.count() == 0


def test_a_python_version_drops_container_fields(resize):
    op_id, client = resize
    response = client.post(
        f"/api/operations/{op_id}/versions/",
        {"kind": "python", "source": "def run():\n    return {}\n", "image": "python:3.12", "args": ["x"]},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["image"], response.json()["args"]) == ("", [])


def test_a_container_task_without_a_command_is_refused_off_kubernetes_naming_the_node(
    project, make_pipeline, builtin_ops, client_for, teammate
):
    # given a pipeline whose node runs a container operation keeping its image's entrypoint
    client = client_for(teammate)
    op = client.post(
        "/api/operations/", {"project": project.pk, "name": "Hello", "slug": "hello"}, format="json"
    ).json()
    created = client.post(
        f"/api/operations/{op['id']}/versions/",
        {"kind": "container", "image": "busybox:1.36", "args": ["echo", "hi"]},
        format="json",
    )
    assert created.status_code == 201
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Mixed")
    pipeline.graph["nodes"].append(
        {"id": "hello", "operation": op["id"], "label": "Hello", "params": {}, "position": {"x": 0, "y": 200}}
    )
    pipeline.save()

    # when it is submitted on the local compute backend
    response = client.post("/api/runs/", {"pipeline": pipeline.pk}, format="json")

    # then it is refused, naming the node and its image: only a pod runs an entrypoint
    assert response.status_code == 400
    (message,) = response.json()["graph"]
    assert message.startswith("node hello: this container task has no command")
    assert "'busybox:1.36'" in message
    assert "kubernetes" in message
    assert Run.objects.count() == 0

    # and a run that leaves the node out is fine
    kept_out = client.post("/api/runs/", {"pipeline": pipeline.pk, "nodes": ["data"]}, format="json")
    assert "graph" not in kept_out.json()

    # and on kubernetes the task is not refused
    on_kubernetes = client.post(
        "/api/runs/", {"pipeline": pipeline.pk, "compute": {"backend": "kubernetes"}}, format="json"
    )
    assert "no command" not in str(on_kubernetes.json())


def test_a_container_task_with_a_command_is_accepted_on_the_local_backend(
    project, make_pipeline, builtin_ops, client_for, teammate
):
    # given a container task with a command
    client = client_for(teammate)
    op = client.post(
        "/api/operations/", {"project": project.pk, "name": "Hello", "slug": "hello"}, format="json"
    ).json()
    client.post(
        f"/api/operations/{op['id']}/versions/",
        {"kind": "container", "image": "busybox:1.36", "command": ["echo", "hi"]},
        format="json",
    )
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Mixed")
    pipeline.graph["nodes"].append(
        {"id": "hello", "operation": op["id"], "label": "Hello", "params": {}, "position": {"x": 0, "y": 200}}
    )
    pipeline.save()

    # when it is submitted on the local compute backend
    response = client.post("/api/runs/", {"pipeline": pipeline.pk}, format="json")

    # then the run starts (the worker runs `echo` itself, docs/engine.md)
    assert response.status_code == 201, response.json()

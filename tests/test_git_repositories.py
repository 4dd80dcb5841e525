"""Git-backed pipeline repositories, against a local bare repository made with the git CLI:
sync imports every `*/main.yml` with its commit, a bad one is reported with file and line,
an unreachable repository changes nothing, and an edit made in the app is pushed back."""

import shutil
from pathlib import Path

import pytest
import yaml

from credentials.crypto import decrypt_json
from editor.git_repos import SyncFailed, push, sync
from editor.models import GitRepository, Operation, Pipeline
from editor.tasks import sync_git_repositories
from runs.submit import submit_run
from tests.fixtures.git import git

FIXTURES = Path(__file__).parent / "fixtures" / "yaml"

HELLO = b"""\
name: hello
tasks:
  - name: greet
    image: busybox:1.36
    command: [sh, -c]
    args: ['cat "${WORK_PATH}/configs/greeting.txt" > "{{greeting}}"']
    outputs: [greeting]
  - name: shout
    image: busybox:1.36
    command: [sh, -c]
    args: ['tr a-z A-Z < "{{greeting}}"']
    depends: [greet]
    inputs: [greeting]
"""


@pytest.fixture
def remote(tmp_path, settings):
    """A bare repository whose `main` holds pipelines/hello and pipelines/training; and a
    working clone of it to change it from outside."""
    settings.PIPEWRIGHT_GIT_ALLOW_LOCAL = True
    bare = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", str(bare))
    work = tmp_path / "work"
    git("clone", "--quiet", str(bare), str(work))
    git("checkout", "--quiet", "-b", "main", cwd=work)
    (work / "pipelines" / "hello" / "configs").mkdir(parents=True)
    (work / "pipelines" / "hello" / "main.yml").write_bytes(HELLO)
    (work / "pipelines" / "hello" / "configs" / "greeting.txt").write_text("hello\n")
    shutil.copytree(FIXTURES / "training", work / "pipelines" / "training")
    (work / "README.md").write_text("Pipelines of the research team.\n")
    git("add", "--all", cwd=work)
    git("commit", "--quiet", "-m", "Two pipelines", cwd=work)
    git("push", "--quiet", "origin", "main", cwd=work)
    return bare, work


def head(bare):
    return git("rev-parse", "main", cwd=bare).strip()


@pytest.fixture
def repository(remote, project, owner):
    bare, _ = remote
    return GitRepository.objects.create(project=project, url=str(bare), path="pipelines", created_by=owner)


def test_sync_imports_every_main_yml_with_its_commit(remote, repository, project, owner):
    bare, _ = remote

    report = sync(repository, owner)

    commit = head(bare)
    assert report.problems == []
    assert report.commit == commit
    assert sorted((item["folder"], item["name"]) for item in report.imported) == [
        ("hello", "hello"),
        ("training", "image-classifier"),
    ]
    for pipeline in Pipeline.objects.filter(project=project):
        assert pipeline.repository == repository
        assert pipeline.versions.get().git_commit == commit
    hello = Pipeline.objects.get(project=project, name="hello")
    assert [f["path"] for f in hello.graph["files"]] == ["configs/greeting.txt"]
    assert hello.repository_folder == "hello"
    repository.refresh_from_db()
    assert (repository.last_commit, repository.last_error) == (commit, "")
    assert repository.last_synced_at is not None

    again = sync(repository, owner)  # nothing changed: the same versions, the first commit kept

    assert again.problems == []
    assert all(p.versions.count() == 1 for p in Pipeline.objects.filter(project=project))


def test_a_bad_main_yml_is_reported_with_file_and_line_and_the_others_import(
    remote, repository, project, owner
):
    _, work = remote
    main = work / "pipelines" / "training" / "main.yml"
    main.write_text(main.read_text().replace("    image: curlimages/curl:8.8.0\n", "    image: [curl]\n"))
    git("commit", "--quiet", "-am", "Break training", cwd=work)
    git("push", "--quiet", "origin", "main", cwd=work)

    report = sync(repository, owner)

    assert [item["name"] for item in report.imported] == ["hello"]
    [problem] = report.problems
    assert problem["file"] == "pipelines/training/main.yml"
    assert problem["line"] == 1 + main.read_text().splitlines().index("    image: [curl]")
    assert "image" in problem["message"]
    assert not Pipeline.objects.filter(project=project, name="image-classifier").exists()


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("missing.git", "does not exist"),
        ("http://127.0.0.1:9/repo.git", "Failed to connect to 127.0.0.1"),
        ("branch", "no-such-branch"),
    ],
)
def test_an_unreachable_repository_fails_clearly_and_changes_nothing(
    remote, repository, project, owner, tmp_path, where, says
):
    sync(repository, owner)
    before = {p.pk: (p.revision, p.versions.count()) for p in Pipeline.objects.filter(project=project)}
    if where == "branch":
        repository.branch = "no-such-branch"
    elif where.startswith("http"):
        repository.url = where
    else:
        repository.url = str(tmp_path / where)
    repository.save()

    with pytest.raises(SyncFailed) as failed:
        sync(repository, owner)

    message = str(failed.value)
    assert message.startswith(f"cannot read {repository.url} (branch {repository.branch}): ")
    assert says in message and "fatal:" not in message
    repository.refresh_from_db()
    assert repository.last_error == message
    assert {
        p.pk: (p.revision, p.versions.count()) for p in Pipeline.objects.filter(project=project)
    } == before

    sync_git_repositories()  # the beat's task records the failure instead of raising it
    repository.refresh_from_db()
    assert repository.last_error == message


def test_edit_in_the_app_push_and_see_the_commit_then_runs_record_it(
    remote, repository, project, owner, client_for
):
    bare, _ = remote
    sync(repository, owner)
    hello = Pipeline.objects.get(project=project, name="hello")
    greet = Operation.objects.get(project=project, slug="hello-greet")
    latest = greet.latest_version
    assert latest is not None
    changed_args = [
        'cat "${WORK_PATH}/configs/greeting.txt" "${WORK_PATH}/configs/greeting.txt" > "{{greeting}}"'
    ]
    body = {
        "kind": latest.kind,
        "image": latest.image,
        "command": latest.command,
        "args": changed_args,
        "kubernetes": latest.kubernetes,
        "inputs": latest.inputs,
        "outputs": latest.outputs,
        "parameters": latest.parameters,
        "resources": latest.resources,
    }
    client = client_for(owner)
    assert client.post(f"/api/operations/{greet.pk}/versions/", body, format="json").status_code == 201

    response = client.post(
        f"/api/repositories/{repository.pk}/push/",
        {"pipeline": hello.pk, "message": "Read the greeting twice"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    commit = response.json()["commit"]
    assert commit == head(bare)
    assert response.json()["version"] == 2
    log = git("log", "--format=%H|%an|%s", "main", cwd=bare).splitlines()
    assert log[0] == f"{commit}|{owner.username}|Read the greeting twice"
    assert len(log) == 2
    changed = git("show", "--name-only", "--format=", commit, cwd=bare).split()
    assert changed == ["pipelines/hello/main.yml"]
    pushed = yaml.safe_load(git("show", f"{commit}:pipelines/hello/main.yml", cwd=bare))
    assert [t["args"] for t in pushed["tasks"] if t["name"] == "greet"] == [changed_args]
    version = hello.versions.get(number=2)
    assert version.git_commit == commit
    versions = client.get(f"/api/pipelines/{hello.pk}/versions/").json()
    assert [(v["number"], v["git_commit"]) for v in versions] == [(2, commit), (1, log[1].split("|")[0])]

    assert sync(repository, owner).problems == []  # the pushed commit imports as the same version
    assert hello.versions.count() == 2

    run = submit_run(hello, {"name": "after push"}, owner)

    assert run.git_commit == commit
    assert client.get(f"/api/runs/{run.pk}/").json()["git_commit"] == commit


def test_pushing_again_without_a_change_makes_no_commit(remote, repository, project, owner):
    bare, _ = remote
    sync(repository, owner)
    hello = Pipeline.objects.get(project=project, name="hello")
    first = push(repository, hello, owner)  # main.yml written as Pipewright writes YAML

    assert push(repository, hello, owner) == first == head(bare)
    assert len(git("log", "--format=%H", "main", cwd=bare).splitlines()) == 2
    assert hello.versions.get().git_commit == first


def test_repositories_api_keeps_secrets_write_only_and_needs_the_editor_role(
    remote, project, owner, viewer, outsider, client_for
):
    bare, _ = remote
    client = client_for(owner)
    body = {
        "project": project.pk,
        "url": str(bare),
        "path": "pipelines",
        "secret": {"username": "olivia", "password": "hunter2"},
    }

    created = client.post("/api/repositories/", body, format="json")

    assert created.status_code == 201, created.json()
    data = created.json()
    assert "secret" not in data and "secret_ciphertext" not in data and "hunter2" not in str(data)
    assert data["has_secret"] is True and data["branch"] == "main"
    stored = GitRepository.objects.get(pk=data["id"])
    assert decrypt_json(stored.secret_ciphertext) == {"username": "olivia", "password": "hunter2"}

    synced = client.post(f"/api/repositories/{data['id']}/sync/")
    assert synced.status_code == 200, synced.json()
    assert len(synced.json()["imported"]) == 2
    listed = client.get(f"/api/repositories/?project={project.pk}").json()["results"]
    assert [r["id"] for r in listed] == [data["id"]]
    assert sorted(p["name"] for p in listed[0]["pipelines"]) == ["hello", "image-classifier"]

    assert client_for(viewer).post(f"/api/repositories/{data['id']}/sync/").status_code == 403
    assert client_for(outsider).get(f"/api/repositories/{data['id']}/").status_code == 404
    assert client_for(viewer).post("/api/repositories/", body, format="json").status_code == 400

    cleared = client.patch(f"/api/repositories/{data['id']}/", {"secret": {}}, format="json")
    assert cleared.json()["has_secret"] is False

    failing = client.patch(f"/api/repositories/{data['id']}/", {"branch": "gone"}, format="json")
    assert failing.status_code == 200
    refused = client.post(f"/api/repositories/{data['id']}/sync/")
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith(f"cannot read {bare} (branch gone)")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://olivia:hunter2@example.com/repo.git", "not in its URL"),
        ("ext::sh -c touch% /tmp/pwned", "not a URL"),
        ("/srv/repos/secret.git", "local paths"),
    ],
)
def test_unsafe_urls_are_refused(project, owner, client_for, url, says):
    body = {"project": project.pk, "url": url}

    response = client_for(owner).post("/api/repositories/", body, format="json")

    assert response.status_code == 400
    assert says in str(response.json())


def test_credentials_travel_as_a_header_and_never_show_in_messages(project, owner):
    import base64
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from credentials.crypto import encrypt_json

    seen = []

    class Refuse(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers.get("Authorization")))
            self.send_response(403)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/team/pipelines.git"
        repository = GitRepository.objects.create(
            project=project,
            url=url,
            secret_ciphertext=encrypt_json({"username": "olivia", "password": "hunter2"}),
        )
        with pytest.raises(SyncFailed) as failed:
            sync(repository, owner)
    finally:
        server.shutdown()

    expected = "Basic " + base64.b64encode(b"olivia:hunter2").decode()
    assert seen and all(auth == expected for _, auth in seen)
    assert all("hunter2" not in path for path, _ in seen)
    message = str(failed.value)
    assert message.startswith(f"cannot read {url} (branch main): ")
    assert "hunter2" not in message and expected.split()[1] not in message

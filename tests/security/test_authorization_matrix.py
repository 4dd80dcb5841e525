"""The authorization matrix: every route of the URL conf, every method it answers, every
kind of caller (anonymous, outsider, viewer, editor, owner) gets exactly what its rule allows.

The routes come from the URL conf itself (tests/security/urlconf.py), so a new endpoint
without a rule in RULES fails `test_every_route_and_method_has_a_rule`, and a rule whose
route is gone fails `test_every_rule_names_a_route_that_exists`.

What each rule means (docs/security.md, "Authorization"):

- anonymous callers of the API get 401 (`WWW-Authenticate: Token`); pages redirect to login;
- an outsider (logged in, not a member) gets 404 for the project's objects, never 403, and
  lists without them: no response to an outsider or an anonymous caller ever contains MARK,
  which every object of the project carries in its name;
- a viewer reads; a viewer's write is 403 (creating in a project named in the body: 400
  naming `project`, as for a project that does not exist);
- an editor writes; owner-only actions (the project itself, its members) are 403 to editors.

"Allowed" means the permission check passed: not 401/403/404/405 and no 500. A 400 is
allowed (the body is checked after the role). All objects are built once for the module
in a transaction rolled back at its end; each test runs in a savepoint, and a DELETE gets
an object of its own so that no test depends on another's order.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from credentials.models import LinkedAccount
from editor.artifacts import store_artifact
from editor.choices import Role
from editor.library.loader import LoadReport, load_builtin_operations
from editor.models import Artifact, GitRepository, Operation, Pipeline, PipelineVersion, Project
from editor.operations import create_operation_version
from editor.pipelines import freeze_version
from editor.projects import add_member, create_project
from runs.choices import RunState
from runs.deployments import create_deployment
from runs.environment import create_variable
from runs.models import Deployment, EndpointToken, EnvironmentVariable, Experiment, NodeRun, RecurringRun, Run
from runs.schedules import create_recurring_run
from runs.submit import submit_run

from .urlconf import ANY_METHOD, inventory, route_methods

# Every object of the project has this in its name: an outsider's answer must not.
MARK = "zqxmark"

# --- the rules -----------------------------------------------------------------------------
PUBLIC = "public"  # anyone, logged in or not
LOGIN = "login"  # any logged-in user; nothing of the project in it
LIST = "list"  # any logged-in user, filtered: members see the project's objects, others not
CREATE = "create"  # creates in the project named in the body: editor
VIEWER = "viewer"  # reads an object of the project: viewer
EDITOR = "editor"  # changes an object of the project: editor
OWNER = "owner"  # the project itself, its members: owner
SELF = "self"  # a user's own linked accounts: that user only
TOKEN = "endpoint token"  # /endpoints/: the deployment's token; a session alone gets 401
PAGE = "page"  # the single-page app's shell: logged in (anonymous: redirect to login)
STAFF = "staff"  # the Django admin
NO_METHOD = "405"  # the method is refused for everyone

RULES: dict[tuple[str, str], str] = {
    # pages and the site
    ("", "GET"): PUBLIC,  # a redirect to /pipelines/
    ("", "POST"): PUBLIC,
    ("", "PUT"): PUBLIC,
    ("", "PATCH"): PUBLIC,
    ("", "DELETE"): PUBLIC,
    ("healthz", "GET"): PUBLIC,
    ("admin/", ANY_METHOD): STAFF,
    ("accounts/login/", "GET"): PUBLIC,
    ("accounts/login/", "POST"): PUBLIC,
    ("accounts/login/", "PUT"): PUBLIC,  # Django's form views take PUT as POST
    ("accounts/logout/", "POST"): PUBLIC,
    ("pipelines/(?:<pipeline_id>/(?:edit/|deploy/)?)?", "GET"): PAGE,
    ("runs/(?:<run_id>/)?", "GET"): PAGE,
    ("runs/compare/", "GET"): PAGE,
    ("experiments/(?:<experiment_id>/)?", "GET"): PAGE,
    ("operations/(?:new/|<operation_id>/edit/)", "GET"): PAGE,
    ("recurring/(?:<recurring_id>/)?", "GET"): PAGE,
    ("deployments/(?:<deployment_id>/)?", "GET"): PAGE,
    ("environment/", "GET"): PAGE,
    ("repositories/", "GET"): PAGE,
    ("artifacts/", "GET"): PAGE,
    ("executions/", "GET"): PAGE,
    # endpoint deployments (tests/test_endpoints_http.py has the token's own tests)
    ("endpoints/<name>", "GET"): NO_METHOD,
    ("endpoints/<name>", "POST"): TOKEN,
    ("endpoints/<name>/runs/<run_id>", "GET"): TOKEN,
    ("endpoints/<name>/artifacts/<artifact_id>", "GET"): TOKEN,
    # the API: the user, auth, schema
    ("api/", "GET"): LOGIN,
    ("api/me/", "GET"): LOGIN,
    ("api/auth/token/", "POST"): PUBLIC,
    ("api/schema/", "GET"): PUBLIC,
    ("api/docs/", "GET"): PUBLIC,
    # projects
    ("api/projects/", "GET"): LIST,
    ("api/projects/", "POST"): LOGIN,  # anyone may start a project (and owns it)
    ("api/projects/<pk>/", "GET"): VIEWER,
    ("api/projects/<pk>/", "PUT"): OWNER,
    ("api/projects/<pk>/", "PATCH"): OWNER,
    ("api/projects/<pk>/", "DELETE"): OWNER,
    ("api/projects/<pk>/members/", "GET"): VIEWER,
    ("api/projects/<pk>/members/", "POST"): OWNER,
    # operations
    ("api/operations/", "GET"): LIST,
    ("api/operations/", "POST"): CREATE,
    ("api/operations/<pk>/", "GET"): VIEWER,
    ("api/operations/<pk>/", "PUT"): EDITOR,
    ("api/operations/<pk>/", "PATCH"): EDITOR,
    ("api/operations/<pk>/", "DELETE"): EDITOR,
    ("api/operations/<pk>/duplicate/", "POST"): VIEWER,  # reads it; the target project is checked apart
    ("api/operations/<pk>/versions/", "GET"): VIEWER,
    ("api/operations/<pk>/versions/", "POST"): EDITOR,
    # pipelines
    ("api/pipelines/", "GET"): LIST,
    ("api/pipelines/", "POST"): CREATE,
    ("api/pipelines/import/", "POST"): CREATE,
    ("api/pipelines/<pk>/", "GET"): VIEWER,
    ("api/pipelines/<pk>/", "PUT"): EDITOR,
    ("api/pipelines/<pk>/", "PATCH"): EDITOR,
    ("api/pipelines/<pk>/", "DELETE"): EDITOR,
    ("api/pipelines/<pk>/freeze/", "POST"): EDITOR,
    ("api/pipelines/<pk>/versions/<number>/restore/", "POST"): EDITOR,
    ("api/pipelines/<pk>/validate/", "POST"): VIEWER,  # checks a graph, saves nothing
    ("api/pipelines/<pk>/versions/", "GET"): VIEWER,
    ("api/pipelines/<pk>/yaml/", "GET"): VIEWER,  # download
    ("api/pipelines/<pk>/run-setup/", "GET"): VIEWER,
    ("api/pipelines/<pk>/export/", "POST"): VIEWER,  # download (a viewer gets the latest version)
    ("api/pipelines/<pk>/deploy-setup/", "GET"): VIEWER,
    ("api/pipeline-versions/", "GET"): LIST,
    ("api/pipeline-versions/<pk>/", "GET"): VIEWER,
    # artifacts
    ("api/artifacts/", "GET"): LIST,
    ("api/artifacts/", "POST"): CREATE,
    ("api/artifacts/<pk>/", "GET"): VIEWER,
    ("api/artifacts/<pk>/", "DELETE"): EDITOR,
    ("api/artifacts/<pk>/download/", "GET"): VIEWER,  # download
    # git repositories
    ("api/repositories/", "GET"): LIST,
    ("api/repositories/", "POST"): CREATE,
    ("api/repositories/<pk>/", "GET"): VIEWER,
    ("api/repositories/<pk>/", "PATCH"): EDITOR,
    ("api/repositories/<pk>/", "DELETE"): EDITOR,
    ("api/repositories/<pk>/push/", "POST"): EDITOR,
    ("api/repositories/<pk>/sync/", "POST"): EDITOR,
    # runs and node runs
    ("api/runs/", "GET"): LIST,
    ("api/runs/", "POST"): CREATE,
    ("api/runs/compare/", "GET"): LIST,
    ("api/runs/metric-names/", "GET"): LOGIN,  # names from the caller's own projects only
    ("api/runs/<pk>/", "GET"): VIEWER,
    ("api/runs/<pk>/", "DELETE"): EDITOR,
    ("api/runs/<pk>/archive/", "POST"): EDITOR,
    ("api/runs/<pk>/cancel/", "POST"): EDITOR,
    ("api/runs/<pk>/clone-setup/", "GET"): VIEWER,
    ("api/runs/<pk>/events/", "GET"): VIEWER,
    ("api/runs/<pk>/experiment/", "POST"): EDITOR,
    ("api/runs/<pk>/nodes/<node_id>/", "GET"): VIEWER,
    ("api/runs/<pk>/nodes/<node_id>/log/", "GET"): VIEWER,  # download
    ("api/runs/<pk>/rerun/", "POST"): EDITOR,
    ("api/runs/<pk>/restore/", "POST"): EDITOR,
    ("api/node-runs/", "GET"): LIST,
    ("api/node-runs/<pk>/", "GET"): VIEWER,
    # experiments
    ("api/experiments/", "GET"): LIST,
    ("api/experiments/", "POST"): CREATE,
    ("api/experiments/<pk>/", "GET"): VIEWER,
    ("api/experiments/<pk>/", "PUT"): EDITOR,
    ("api/experiments/<pk>/", "PATCH"): EDITOR,
    ("api/experiments/<pk>/", "DELETE"): EDITOR,
    # recurring runs
    ("api/recurring-runs/", "GET"): LIST,
    ("api/recurring-runs/", "POST"): CREATE,
    ("api/recurring-runs/preview/", "POST"): LOGIN,  # fire times of a schedule as typed
    ("api/recurring-runs/<pk>/", "GET"): VIEWER,
    ("api/recurring-runs/<pk>/", "PATCH"): EDITOR,
    ("api/recurring-runs/<pk>/", "DELETE"): EDITOR,
    ("api/recurring-runs/<pk>/ticks/", "GET"): VIEWER,
    # deployments and their tokens
    ("api/deployments/", "GET"): LIST,
    ("api/deployments/", "POST"): CREATE,
    ("api/deployments/<pk>/", "GET"): VIEWER,
    ("api/deployments/<pk>/", "PATCH"): EDITOR,
    ("api/deployments/<pk>/", "DELETE"): EDITOR,
    ("api/deployments/<pk>/calls/", "GET"): VIEWER,
    ("api/deployments/<pk>/tokens/", "POST"): EDITOR,
    ("api/deployments/<pk>/tokens/<token_id>/revoke/", "POST"): EDITOR,
    # environment variables
    ("api/environment-variables/", "GET"): LIST,
    ("api/environment-variables/", "POST"): CREATE,
    ("api/environment-variables/<pk>/", "GET"): VIEWER,
    ("api/environment-variables/<pk>/", "PATCH"): EDITOR,
    ("api/environment-variables/<pk>/", "DELETE"): EDITOR,
    # backends and linked accounts (credentials belong to a user, not to a project)
    ("api/backends/<kind>/", "GET"): LOGIN,
    ("api/backends/<kind>/<name>/check/", "POST"): LOGIN,  # with the caller's own account only
    ("api/accounts/", "GET"): SELF,
    ("api/accounts/", "POST"): LOGIN,
    ("api/accounts/<pk>/", "GET"): SELF,
    ("api/accounts/<pk>/", "PATCH"): SELF,
    ("api/accounts/<pk>/", "DELETE"): SELF,
    ("api/accounts/<pk>/check/", "POST"): SELF,
}

CALLERS = ("anonymous", "outsider", "viewer", "editor", "owner")
MEMBERS = ("viewer", "editor", "owner")


# --- the inventory -------------------------------------------------------------------------


def test_every_route_and_method_has_a_rule():
    missing = [f"{method} {route}" for route, method in route_methods() if (route, method) not in RULES]

    assert not missing, "routes without an authorization rule in RULES:\n" + "\n".join(missing)


def test_every_rule_names_a_route_that_exists():
    existing = set(route_methods())

    stale = [f"{method} {route}" for route, method in RULES if (route, method) not in existing]

    assert not stale, "rules for routes or methods that no longer exist:\n" + "\n".join(stale)


def test_the_inventory_reaches_every_kind_of_view():
    routes = {route.route: route for route in inventory()}

    # DRF router routes, @action routes with their own kwargs, APIViews, function views
    assert routes["api/runs/<pk>/nodes/<node_id>/log/"].methods == ("GET",)
    assert routes["api/pipelines/<pk>/"].methods == ("DELETE", "GET", "PATCH", "PUT")
    assert routes["api/deployments/<pk>/"].methods == ("DELETE", "GET", "PATCH")  # no PUT
    assert routes["api/pipelines/<pk>/export/"].methods == ("POST",)
    assert routes["healthz"].methods == ("GET",)
    assert not any("format" in route for route in routes)


# --- the project and its objects -----------------------------------------------------------


@dataclass
class World:
    users: dict[str, Any]
    project: Project
    operation: Operation
    pipeline: Pipeline
    version: PipelineVersion
    run: Run
    node_run: NodeRun
    artifact: Artifact
    experiment: Experiment
    schedule: RecurringRun
    deployment: Deployment
    token: str
    token_row: EndpointToken
    endpoint_run: Run
    endpoint_artifact: Artifact
    variable: EnvironmentVariable
    account: LinkedAccount
    repository: GitRepository
    artifacts_dir: Path
    sessions: dict[str, str]
    elsewhere: dict[str, Any]  # the outsider's own project and objects (no MARK in them)


def graph_of(operation: Operation, label: str = f"{MARK} data") -> dict[str, Any]:
    return {
        "nodes": [
            {
                "id": "data",
                "operation": operation.pk,
                "label": label,
                "params": {},
                "position": {"x": 0, "y": 0},
            }
        ],
        "edges": [],
        "inputs": [],
    }


def new_pipeline(world: World, name: str) -> Pipeline:
    return Pipeline.objects.create(project=world.project, name=name, graph=world.pipeline.graph)


def new_project(world: World, name: str) -> Project:
    project = create_project(world.users["owner"], name=name)
    add_member(project, world.users["editor"], Role.EDITOR)
    add_member(project, world.users["viewer"], Role.VIEWER)
    return project


def new_run(pipeline: Pipeline, user: Any, name: str, **fields: Any) -> Run:
    """A submitted run that nothing executes (dispatch waits for a commit that never comes)."""
    run = submit_run(pipeline, {"name": name}, user)
    if fields:
        Run.objects.filter(pk=run.pk).update(**fields)
        run.refresh_from_db()
    return run


def new_deployment(pipeline: Pipeline, user: Any, name: str) -> tuple[Deployment, str]:
    created = create_deployment(
        pipeline,
        {
            "name": name,
            "rule": "endpoint",
            "output_mappings": {"data.dataset": {"kind": "endpoint_value", "name": "dataset"}},
        },
        user,
    )
    assert created.token is not None
    return created.deployment, created.token


def session_of(user: Any) -> str:
    client = APIClient()
    client.force_login(user)
    return str(client.cookies[django_settings.SESSION_COOKIE_NAME].value)


def build_elsewhere(outsider: Any, operation: Operation) -> dict[str, Any]:
    """A project of the outsider's, which nobody of the matrix's project is in."""
    project = create_project(outsider, name="Elsewhere")
    pipeline = Pipeline.objects.create(project=project, name="Theirs", graph=graph_of(operation, "data"))
    version, _ = freeze_version(pipeline, outsider)
    experiment = Experiment.objects.create(project=project, name="Theirs")
    return {"project": project, "pipeline": pipeline, "version": version, "experiment": experiment}


def build_world(artifacts_dir: Path) -> World:
    # No passwords (hashing one costs a second here): the callers come in with sessions.
    make = get_user_model().objects.create_user
    users = {
        "owner": make(username="sec-olivia"),
        "editor": make(username="sec-ted"),
        "viewer": make(username="sec-vera"),
        "outsider": make(username="sec-oscar"),
        "staff": make(username="sec-admin", is_staff=True, is_superuser=True),
    }
    owner, editor = users["owner"], users["editor"]
    project = create_project(owner, name=f"{MARK} Research")
    add_member(project, editor, Role.EDITOR)
    add_member(project, users["viewer"], Role.VIEWER)
    builtin = load_builtin_operations(LoadReport())
    operation = Operation.objects.create(project=project, name=f"{MARK} op", slug=f"{MARK}-op")
    create_operation_version(operation, {"source": "def run() -> dict:\n    return {}\n"}, editor)
    pipeline = Pipeline.objects.create(
        project=project, name=f"{MARK} pipeline", graph=graph_of(builtin["make_dataset"])
    )
    version, _ = freeze_version(pipeline, editor)
    run = new_run(pipeline, editor, f"{MARK} run")
    node_run = run.node_runs.get(node_id="data")
    NodeRun.objects.filter(pk=node_run.pk).update(log=f"{MARK} a log line\n")
    artifact = store_artifact(project, f"{MARK}.txt", io.BytesIO(b"bytes of the project"), user=editor)
    experiment = Experiment.objects.create(project=project, name=f"{MARK} experiment", created_by=owner)
    schedule = create_recurring_run(
        pipeline, {"name": f"{MARK} nightly"}, {"trigger": "interval", "interval_seconds": 3600}, editor
    )
    deployment, token = new_deployment(pipeline, editor, f"{MARK}-endpoint")
    # A run the deployment started, with a file output it returns to its callers.
    endpoint_run = new_run(pipeline, editor, f"{MARK} call", deployment=deployment, state=RunState.SUCCEEDED)
    produced = endpoint_run.node_runs.get(node_id="data")
    endpoint_artifact = store_artifact(project, f"{MARK}-out.csv", io.BytesIO(b"a,b\n"), user=editor)
    Artifact.objects.filter(pk=endpoint_artifact.pk).update(produced_by=produced)
    NodeRun.objects.filter(pk=produced.pk).update(outputs={"dataset": {"artifact": endpoint_artifact.pk}})
    variable = create_variable(project, f"{MARK.upper()}_VAR", "1", False, editor)
    account = LinkedAccount.objects.create(
        owner=owner, kind="storage", backend="local", label=f"{MARK} disk", options={}
    )
    repository = GitRepository.objects.create(
        project=project, url=f"file:///nonexistent/{MARK}.git", branch="main", path="", created_by=owner
    )
    return World(
        users=users,
        project=project,
        operation=operation,
        pipeline=pipeline,
        version=version,
        run=run,
        node_run=node_run,
        artifact=artifact,
        experiment=experiment,
        schedule=schedule,
        deployment=deployment,
        token=token,
        token_row=deployment.tokens.get(),
        endpoint_run=endpoint_run,
        endpoint_artifact=endpoint_artifact,
        variable=variable,
        account=account,
        repository=repository,
        artifacts_dir=artifacts_dir,
        sessions={caller: session_of(user) for caller, user in users.items()},
        elsewhere=build_elsewhere(users["outsider"], builtin["make_dataset"]),
    )


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    """One project with one object of every kind, for the whole module; rolled back at its end."""
    artifacts_dir = tmp_path_factory.mktemp("matrix-artifacts")
    with (
        django_db_blocker.unblock(),
        override_settings(PIPEWRIGHT_ARTIFACTS_DIR=artifacts_dir),
        transaction.atomic(),
    ):
        yield build_world(artifacts_dir)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def no_worker_ping(monkeypatch: Any) -> None:
    """/healthz waits half a second for Celery workers to answer; none matter here."""
    monkeypatch.setattr(
        "pipewright.health.check_workers", lambda timeout=0.5: {"status": "ok", "workers": []}
    )


@pytest.fixture(autouse=True)
def artifacts_dir(request: Any, settings: Any) -> Path | None:
    """Replaces the suite's folder per test: the module's artifacts live in one folder."""
    if "world" not in request.fixturenames:
        return None
    folder: Path = request.getfixturevalue("world").artifacts_dir
    settings.PIPEWRIGHT_ARTIFACTS_DIR = folder
    return folder


# Objects a DELETE gets of its own, by the route's first segment after api/.
FRESH: dict[str, Callable[[World], int]] = {
    "projects": lambda w: new_project(w, "Doomed").pk,
    "operations": lambda w: Operation.objects.create(project=w.project, name="Doomed", slug="doomed").pk,
    "pipelines": lambda w: new_pipeline(w, "Doomed").pk,
    "artifacts": lambda w: store_artifact(w.project, "doomed.txt", io.BytesIO(b"x")).pk,
    "repositories": lambda w: (
        GitRepository.objects.create(
            project=w.project, url="file:///nonexistent/doomed.git", branch="main", path=""
        ).pk
    ),
    "runs": lambda w: new_run(w.pipeline, w.users["editor"], "doomed", state=RunState.SUCCEEDED).pk,
    "experiments": lambda w: Experiment.objects.create(project=w.project, name="Doomed").pk,
    "recurring-runs": lambda w: (
        create_recurring_run(
            w.pipeline, {}, {"trigger": "interval", "interval_seconds": 3600}, w.users["editor"]
        ).pk
    ),
    "deployments": lambda w: new_deployment(w.pipeline, w.users["editor"], "doomed")[0].pk,
    "environment-variables": lambda w: create_variable(w.project, "DOOMED", "1", False, None).pk,
    "accounts": lambda w: (
        LinkedAccount.objects.create(
            owner=w.users["owner"], kind="storage", backend="local", label="Doomed", options={}
        ).pk
    ),
}


def pks(world: World) -> dict[str, int]:
    return {
        "projects": world.project.pk,
        "operations": world.operation.pk,
        "pipelines": world.pipeline.pk,
        "pipeline-versions": world.version.pk,
        "artifacts": world.artifact.pk,
        "repositories": world.repository.pk,
        "runs": world.run.pk,
        "node-runs": world.node_run.pk,
        "experiments": world.experiment.pk,
        "recurring-runs": world.schedule.pk,
        "deployments": world.deployment.pk,
        "environment-variables": world.variable.pk,
        "accounts": world.account.pk,
    }


# Example URLs of pages whose pattern has alternatives, which reverse() cannot write.
PAGE_URLS = {
    "pipelines/(?:<pipeline_id>/(?:edit/|deploy/)?)?": "/pipelines/{pipeline_id}/edit/",
    "operations/(?:new/|<operation_id>/edit/)": "/operations/{operation_id}/edit/",
}


@functools.cache
def url_names() -> dict[str, str | None]:
    return {route.route: route.name for route in inventory()}


def page_ids(world: World) -> dict[str, int]:
    return {
        "pipeline_id": world.pipeline.pk,
        "run_id": world.run.pk,
        "experiment_id": world.experiment.pk,
        "operation_id": world.operation.pk,
        "recurring_id": world.schedule.pk,
        "deployment_id": world.deployment.pk,
    }


def url_for(world: World, route: str, method: str) -> str:
    """The route's URL, filled from the world (a fresh object for a DELETE)."""
    if route == "":
        return "/"
    if route == "admin/":
        return "/admin/"
    name = url_names()[route]
    assert name, f"{route} has no URL name to reverse"
    segments = route.split("/")
    kwargs: dict[str, Any] = {}
    for key, value in page_ids(world).items():  # the pages' optional ids
        if f"<{key}>" in route:
            kwargs[key] = value
    if "<pk>" in route:
        kind = segments[1]
        kwargs["pk"] = FRESH[kind](world) if method == "DELETE" else pks(world)[kind]
    if route.startswith("endpoints/"):
        kwargs["name"] = world.deployment.name
        if "<run_id>" in route:
            kwargs["run_id"] = world.endpoint_run.pk  # a run the deployment started
        if "<artifact_id>" in route:
            kwargs["artifact_id"] = world.endpoint_artifact.pk
    elif route.startswith("api/backends/"):
        kwargs["kind"] = "storage"
        if "<name>" in route:
            kwargs["name"] = "local"
    if "<node_id>" in route:
        kwargs["node_id"] = "data"
    if "<number>" in route:
        kwargs["number"] = world.version.number
    if "<token_id>" in route:
        kwargs["token_id"] = world.token_row.pk
    try:
        url = reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # a page whose pattern reverse() cannot write (alternatives)
        assert route in PAGE_URLS, f"give {route} an example URL in PAGE_URLS"
        url = PAGE_URLS[route].format(**kwargs)
    if route == "api/runs/compare/":
        url += f"?ids={world.run.pk},{world.endpoint_run.pk}"
    return url


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# Bodies of writes, valid where practical: (data, format). Others send an empty JSON object.
BODIES: dict[tuple[str, str], Callable[[World], tuple[dict[str, Any], str]]] = {
    ("api/projects/", "POST"): lambda w: ({"name": "Started by anyone"}, "json"),
    ("api/projects/<pk>/", "PUT"): lambda w: ({"name": f"{MARK} Research, renamed"}, "json"),
    ("api/projects/<pk>/", "PATCH"): lambda w: ({"description": "changed"}, "json"),
    ("api/projects/<pk>/members/", "POST"): lambda w: (
        {"username": w.users["outsider"].username, "role": "viewer"},
        "json",
    ),
    ("api/operations/", "POST"): lambda w: (
        {"project": w.project.pk, "name": "New op", "slug": "new-op"},
        "json",
    ),
    ("api/operations/<pk>/", "PUT"): lambda w: (
        {"project": w.project.pk, "name": "Renamed op", "slug": w.operation.slug},
        "json",
    ),
    ("api/operations/<pk>/", "PATCH"): lambda w: ({"description": "changed"}, "json"),
    ("api/operations/<pk>/versions/", "POST"): lambda w: (
        {"source": "def run() -> dict:\n    return {'changed': 1}\n"},
        "json",
    ),
    ("api/pipelines/", "POST"): lambda w: ({"project": w.project.pk, "name": "New pipeline"}, "json"),
    ("api/pipelines/import/", "POST"): lambda w: (
        {"project": w.project.pk, "file": upload("main.yml", b"name: Imported\n")},
        "multipart",
    ),
    ("api/pipelines/<pk>/", "PUT"): lambda w: ({"project": w.project.pk, "name": "Renamed"}, "json"),
    ("api/pipelines/<pk>/", "PATCH"): lambda w: ({"description": "changed"}, "json"),
    ("api/artifacts/", "POST"): lambda w: (
        {"project": w.project.pk, "file": upload("new.txt", b"new")},
        "multipart",
    ),
    ("api/repositories/", "POST"): lambda w: (
        {"project": w.project.pk, "url": "https://git.invalid/new.git", "branch": "main", "path": ""},
        "json",
    ),
    ("api/repositories/<pk>/", "PATCH"): lambda w: ({"branch": "dev"}, "json"),
    ("api/repositories/<pk>/push/", "POST"): lambda w: ({"pipeline": w.pipeline.pk}, "json"),
    ("api/runs/", "POST"): lambda w: ({"pipeline": w.pipeline.pk, "name": "New run"}, "json"),
    ("api/runs/<pk>/experiment/", "POST"): lambda w: ({"experiment": w.experiment.pk}, "json"),
    ("api/experiments/", "POST"): lambda w: ({"project": w.project.pk, "name": "New experiment"}, "json"),
    ("api/experiments/<pk>/", "PUT"): lambda w: ({"project": w.project.pk, "name": "Renamed"}, "json"),
    ("api/experiments/<pk>/", "PATCH"): lambda w: ({"description": "changed"}, "json"),
    ("api/recurring-runs/", "POST"): lambda w: (
        {"pipeline": w.pipeline.pk, "schedule": {"trigger": "interval", "interval_seconds": 3600}},
        "json",
    ),
    ("api/recurring-runs/preview/", "POST"): lambda w: (
        {"trigger": "interval", "interval_seconds": 60},
        "json",
    ),
    ("api/recurring-runs/<pk>/", "PATCH"): lambda w: ({"enabled": False}, "json"),
    ("api/deployments/", "POST"): lambda w: (
        {
            "pipeline": w.pipeline.pk,
            "name": "new-endpoint",
            "rule": "endpoint",
            "output_mappings": {"data.dataset": {"kind": "endpoint_value", "name": "dataset"}},
        },
        "json",
    ),
    ("api/deployments/<pk>/", "PATCH"): lambda w: ({"enabled": False}, "json"),
    ("api/environment-variables/", "POST"): lambda w: (
        {"project": w.project.pk, "name": "NEW_VAR", "value": "1"},
        "json",
    ),
    ("api/environment-variables/<pk>/", "PATCH"): lambda w: ({"value": "2"}, "json"),
    ("api/backends/<kind>/<name>/check/", "POST"): lambda w: ({"options": {}}, "json"),
    ("api/accounts/", "POST"): lambda w: (
        {"kind": "storage", "backend": "local", "label": "New", "options": {}},
        "json",
    ),
    ("api/accounts/<pk>/", "PATCH"): lambda w: ({"label": "Renamed"}, "json"),
}


# --- the matrix ----------------------------------------------------------------------------


def client_of(world: World, caller: str) -> APIClient:
    """A client logged in as the caller (with the module's session: no login per test)."""
    client = APIClient()
    if caller != "anonymous":
        client.cookies[django_settings.SESSION_COOKIE_NAME] = world.sessions[caller]
    return client


def send(world: World, caller: str, route: str, method: str) -> Any:
    url = url_for(world, route, method)
    data, fmt = BODIES.get((route, method), lambda w: ({}, "json"))(world)
    client = client_of(world, caller)
    verb = "get" if method == ANY_METHOD else method.lower()
    if verb == "get":
        return client.get(url)
    return getattr(client, verb)(url, data, format=fmt)


def body_of(response: Any) -> str:
    if not getattr(response, "streaming", False):
        return str(response.content.decode(errors="replace"))
    if not response.is_async:
        return b"".join(response.streaming_content).decode(errors="replace")

    async def read() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(read)().decode(errors="replace")


def errors_of(response: Any) -> dict[str, Any]:
    try:
        data = json.loads(response.content)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def allowed(response: Any) -> bool:
    """The permission check passed: no refusal, no crash (a 400 is the body's business)."""
    return response.status_code not in (401, 403, 404, 405, 500)


def refused_for_the_project(response: Any) -> bool:
    """A create refused because of the project: 403, 404, or a 400 naming `project` (the
    way a project that does not exist is answered)."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 400 and "project" in errors_of(response)


def check(rule: str, caller: str, route: str, response: Any) -> None:
    status = response.status_code
    text = body_of(response)
    where = f"{rule}: {caller} got {status}: {text[:300]}"
    assert status < 500, where
    if caller in ("anonymous", "outsider"):
        assert MARK not in text.lower(), f"{where}\nthe answer shows the project's objects"

    if rule == NO_METHOD:
        assert status == 405, where
    elif rule == PUBLIC:
        assert status not in (401, 403, 404, 405), where
    elif rule == STAFF:
        assert status == 302 and "/admin/login/" in response["Location"], where
    elif rule == PAGE:
        if caller == "anonymous":
            assert status == 302 and response["Location"].startswith("/accounts/login/"), where
        else:
            assert status == 200, where
    elif rule == TOKEN:
        assert status == 401 and response["WWW-Authenticate"] == "EndpointToken", where
    elif caller == "anonymous":
        assert status == 401 and response["WWW-Authenticate"].startswith("Token"), where
    elif rule == LOGIN:
        assert allowed(response), where
    elif rule == LIST:
        if caller == "outsider":
            assert status in (200, 400), where
        else:
            assert status == 200 and MARK in text.lower(), f"{where}\nmembers see the project's objects"
    elif rule == SELF:
        if caller == "owner":  # the account's owner
            assert allowed(response), where
            if status == 200 and route.endswith("accounts/"):
                assert MARK in text.lower(), where
        elif route.endswith("accounts/"):
            assert status == 200 and MARK not in text.lower(), where
        else:
            assert status == 404, where
    elif rule == CREATE:
        if caller == "outsider":
            assert status != 403 and refused_for_the_project(response), where
        elif caller == "viewer":
            assert refused_for_the_project(response), where
        else:
            assert allowed(response) and not refused_for_the_project(response), where
    else:
        needed = {VIEWER: Role.VIEWER, EDITOR: Role.EDITOR, OWNER: Role.OWNER}[rule]
        if caller == "outsider":
            assert status == 404, f"{where}\nan outsider must not learn that the object exists"
        elif Role.rank(caller) >= Role.rank(needed):
            assert allowed(response), where
        else:
            assert status == 403, where


MATRIX = [
    pytest.param(route, method, caller, id=f"{method} /{route} as {caller}")
    for route, method in sorted(RULES)
    for caller in CALLERS
]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method", "caller"), MATRIX)
def test_each_caller_gets_what_the_rule_allows(world: World, route: str, method: str, caller: str) -> None:
    response = send(world, caller, route, method)

    check(RULES[(route, method)], caller, route, response)


# --- what the matrix cannot say alone ------------------------------------------------------


@pytest.mark.django_db
def test_staff_reach_the_admin(world: World) -> None:
    assert client_of(world, "staff").get("/admin/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [route for (route, method), rule in sorted(RULES.items()) if rule == TOKEN and method == "GET"]
)
def test_the_deployments_token_reaches_its_runs_and_files(world: World, route: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"EndpointToken {world.token}")

    response = client.get(url_for(world, route, "GET"))

    assert response.status_code == 200, body_of(response)


@pytest.mark.django_db
@pytest.mark.parametrize("caller", MEMBERS)
def test_downloads_answer_the_bytes_to_every_member(world: World, caller: str) -> None:
    client = client_of(world, caller)

    artifact = client.get(f"/api/artifacts/{world.artifact.pk}/download/")
    log = client.get(f"/api/runs/{world.run.pk}/nodes/data/log/")
    export = client.post(f"/api/pipelines/{world.pipeline.pk}/export/", {}, format="json")

    zipped = client.get(f"/api/pipelines/{world.pipeline.pk}/yaml/?format=zip")

    assert artifact.status_code == 200 and body_of(artifact) == "bytes of the project"
    assert log.status_code == 200 and MARK in body_of(log)
    assert export.status_code == 200 and export["Content-Type"] == "application/zip"
    assert body_of(export).startswith("PK")
    # Python operations cannot be written as YAML: a 400 naming why, past the role check
    assert zipped.status_code == 400 and "problems" in errors_of(zipped)


@pytest.mark.django_db
def test_downloads_are_a_404_to_an_outsider(world: World) -> None:
    client = client_of(world, "outsider")

    answers = [
        client.get(f"/api/artifacts/{world.artifact.pk}/download/"),
        client.get(f"/api/runs/{world.run.pk}/nodes/data/log/"),
        client.post(f"/api/pipelines/{world.pipeline.pk}/export/", {}, format="json"),
        client.get(f"/api/pipelines/{world.pipeline.pk}/yaml/?format=zip"),
        client.get(f"/api/pipelines/{world.pipeline.pk}/yaml/"),
    ]

    assert [answer.status_code for answer in answers] == [404] * len(answers)


# Writes naming an object of a project the caller is not in, through one the caller edits:
# (caller, method, url, body, expected status, what a 400 names).
CROSS_PROJECT: dict[str, Callable[[World], tuple[str, str, str, dict[str, Any], int, str | None]]] = {
    "a run into another project's experiment": lambda w: (
        "editor", "post", f"/api/runs/{w.run.pk}/experiment/",
        {"experiment": w.elsewhere["experiment"].pk}, 400, "experiment",
    ),
    "a run of another project's pipeline version": lambda w: (
        "editor", "post", "/api/runs/",
        {"pipeline": w.pipeline.pk, "pipeline_version": w.elsewhere["version"].pk}, 400, "pipeline_version",
    ),
    "a deployment of another project's pipeline version": lambda w: (
        "editor", "post", "/api/deployments/",
        {"pipeline": w.pipeline.pk, "pipeline_version": w.elsewhere["version"].pk, "name": "theirs",
         "rule": "endpoint"},
        400, "pipeline_version",
    ),
    "another project's pipeline pushed through this repository": lambda w: (
        "editor", "post", f"/api/repositories/{w.repository.pk}/push/",
        {"pipeline": w.elsewhere["pipeline"].pk}, 404, None,
    ),
    "a copy of an operation into a project the caller is not in": lambda w: (
        "editor", "post", f"/api/operations/{w.operation.pk}/duplicate/",
        {"project": w.elsewhere["project"].pk}, 400, "project",
    ),
    "a copy of another project's operation into one's own": lambda w: (
        "outsider", "post", f"/api/operations/{w.operation.pk}/duplicate/",
        {"project": w.elsewhere["project"].pk}, 404, None,
    ),
    "a pipeline moved into a project the caller is not in": lambda w: (
        "editor", "patch", f"/api/pipelines/{w.pipeline.pk}/",
        {"project": w.elsewhere["project"].pk}, 400, "project",
    ),
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(CROSS_PROJECT))
def test_objects_of_another_project_cannot_be_reached_through_ones_own(world: World, case: str) -> None:
    caller, method, url, body, expected, field = CROSS_PROJECT[case](world)

    response = getattr(client_of(world, caller), method)(url, body, format="json")

    assert response.status_code == expected, body_of(response)
    if field is not None:
        assert field in body_of(response)


@pytest.mark.django_db
def test_an_invalid_api_token_is_a_401_not_a_403(world: World) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    response = client.get("/api/pipelines/")

    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"

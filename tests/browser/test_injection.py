"""Markup in names is shown as text and never runs: a pipeline, a node label and a run named
with an `<img onerror>` payload, opened on every page that lists or shows them.
(The API and server-rendered side of this is tests/security/test_injection.py.)"""

import pytest
from playwright.sync_api import Page, expect

from editor.library.loader import examples_project
from editor.models import Pipeline
from runs.submit import submit_run
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = '<img src=x onerror="window.__pwned=1">'
EXAMPLE = "Classify synthetic blobs"


def test_markup_in_pipeline_node_and_run_names_is_text_on_every_page(page: Page, asgi_server, member):
    # given a pipeline, one of its nodes and a run, each named with the payload
    example = Pipeline.objects.get(name=EXAMPLE)
    graph = dict(example.graph)
    graph["nodes"] = [{**graph["nodes"][0], "label": f"node {PAYLOAD}"}, *graph["nodes"][1:]]
    pipeline = Pipeline.objects.create(project=examples_project(), name=f"pipe {PAYLOAD}", graph=graph)
    run = submit_run(pipeline, {"name": f"run {PAYLOAD}"}, member)
    log_in(page, asgi_server.url)

    pages = {
        "/pipelines/": f"pipe {PAYLOAD}",
        f"/pipelines/{pipeline.pk}/": f"pipe {PAYLOAD}",
        f"/pipelines/{pipeline.pk}/edit/": f"node {PAYLOAD}",
        f"/runs/{run.pk}/": f"run {PAYLOAD}",
        "/runs/": f"run {PAYLOAD}",
    }
    for path, text in pages.items():
        # when the page is opened
        page.goto(f"{asgi_server.url}{path}")

        # then the payload is on it, as the literal text typed
        expect(page.get_by_text(text).first).to_be_visible()
        # and it made no element and ran no script
        assert page.locator('img[src="x"]').count() == 0, path
        assert page.evaluate("() => window.__pwned") is None, path

"""The execute dialog: name suffix, debug, local compute, S3 storage, run, artifacts in the bucket."""

import re

import pytest
from playwright.sync_api import Page, expect

from editor.models import Artifact, Pipeline
from runs.choices import RunState
from runs.models import Run
from runs.submit import submit_run
from tests.browser.conftest import log_in
from tests.fixtures.engine import wait_for_run

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EXAMPLE = "Classify synthetic blobs"
RUN_TIMEOUT_MS = 90_000


def test_an_editor_runs_on_s3_from_the_execute_dialog(
    page: Page, asgi_server, celery_worker, s3_server, member, screenshot
):
    bucket = s3_server.make_bucket()
    pipeline = Pipeline.objects.get(name=EXAMPLE)
    earlier = wait_for_run(submit_run(pipeline, {"name": "test"}, member), timeout=90)
    assert earlier.state == RunState.SUCCEEDED

    # given the example pipeline is open and the dialog is opened with Run
    log_in(page, asgi_server.url)
    page.get_by_role("link", name=EXAMPLE).click()
    page.get_by_role("button", name="Run", exact=True).click()
    dialog = page.get_by_role("dialog", name="Run pipeline")

    # then it suggests the series of the last run, with the suffix the new run will get
    name = dialog.get_by_label("Execution name")
    expect(name).to_have_value("test")
    expect(dialog.locator(".execute-run-name")).to_have_text("test_2")
    name.fill("nightly")
    expect(dialog.locator(".execute-run-name")).to_have_text("nightly")
    name.fill("test")
    expect(dialog.locator(".execute-run-name")).to_have_text("test_2")

    # when debug is picked, local compute, and S3 storage with the test server's keys
    dialog.get_by_label("Debug mode").check()
    screenshot(page, "execute-dialog-top")
    compute = dialog.get_by_role("group", name="Compute")
    expect(compute.get_by_label("Backend")).to_have_value("local")
    storage = dialog.get_by_role("group", name="Storage")
    storage.get_by_label("Backend").select_option("s3")
    storage.get_by_label(re.compile("^Endpoint")).fill(s3_server.endpoint)
    storage.get_by_label(re.compile("^Bucket")).fill(bucket)
    storage.get_by_label(re.compile("^Prefix")).fill("nightly")
    storage.get_by_label(re.compile("^Access key")).fill(s3_server.access_key)
    storage.get_by_label(re.compile("^Secret key")).fill("wrong")
    with s3_server.checking_credentials():
        storage.get_by_role("button", name="Test connection").click()
        expect(storage.get_by_role("status")).to_contain_text("refused")
        storage.get_by_label(re.compile("^Secret key")).fill(s3_server.secret_key)
        storage.get_by_role("button", name="Test connection").click()
        expect(storage.get_by_role("status")).to_contain_text("Connected.")
    screenshot(page, "execute-dialog")
    dialog.get_by_role("button", name="Run", exact=True).click()

    # then the live view opens and the run ends succeeded, in debug mode, named test_2
    expect(page).to_have_url(re.compile(r"/runs/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("test_2")
    run = wait_for_run(Run.objects.get(name="test_2"), timeout=90)
    failures = [(n.node_id, n.error, n.log[-500:]) for n in run.node_runs.exclude(state="succeeded")]
    assert run.state == RunState.SUCCEEDED, (run.error, failures)
    expect(page.locator('.run-node[data-state="succeeded"]')).to_have_count(6, timeout=RUN_TIMEOUT_MS)
    run = Run.objects.get(name="test_2")
    assert run.debug and run.state == RunState.SUCCEEDED
    assert run.config["storage"]["options"]["bucket"] == bucket
    assert s3_server.secret_key not in str(run.config)

    # and every artifact of the run is in the bucket, under the prefix
    objects = {obj.object_name for obj in s3_server.client().list_objects(bucket, recursive=True)}
    artifacts = Artifact.objects.filter(produced_by__run=run)
    assert artifacts.count() >= 6
    for artifact in artifacts:
        assert f"nightly/{artifact.location}" in objects

    # and a report's chart (stored in S3) shows in the node panel
    page.locator(".react-flow__node", has_text="Plot report").click()
    chart = page.get_by_role("region", name="Node details").get_by_role("img", name="chart of Plot report")
    expect(chart).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())

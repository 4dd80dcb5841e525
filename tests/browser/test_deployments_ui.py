"""Deployments in the browser: deploy the example pipeline as an endpoint from its Deploy page,
see the token once, call the endpoint and see the call listed with its status and latency,
revoke the token and see the endpoint refuse it; keep a secret environment variable whose
value is never shown again."""

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from runs.models import Deployment, EnvironmentVariable
from tests.browser.conftest import SCREENSHOTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EXAMPLE = "Classify synthetic blobs"


def call_endpoint(base_url: str, name: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{base_url}/endpoints/{name}",
        data=b"{}",
        method="POST",
        headers={"Authorization": f"EndpointToken {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=150) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_deploy_an_endpoint_call_it_and_revoke_its_token(
    page: Page, asgi_server, celery_worker, member, screenshot
):
    # given the example pipeline's Deploy page
    log_in(page, asgi_server.url)
    page.get_by_role("link", name=EXAMPLE).click()
    page.get_by_role("link", name="Deploy", exact=True).click()
    expect(page).to_have_url(re.compile(r"/pipelines/\d+/deploy/$"))
    expect(page.get_by_role("heading", name=f"Deploy {EXAMPLE}")).to_be_visible()
    form = page.get_by_role("form", name="Deploy pipeline")

    # when a name is typed wrong, the field says so as you type
    name = form.get_by_label("Name", exact=True)
    name.fill("Blobs API")
    expect(form.get_by_text("Use lower case letters.")).to_be_visible()
    name.fill("blobs-api")
    expect(form.get_by_text("Use lower case letters.")).to_have_count(0)
    expect(form.get_by_text(re.compile(r"/endpoints/blobs-api"))).to_be_visible()

    # when the rule is Periodic, a cron schedule replaces the limits and the endpoint kinds go
    form.get_by_role("radio", name="Periodic").check()
    expect(form.get_by_label("Cron expression")).to_be_visible()
    outputs = form.get_by_role("table", name="Outputs mappings")
    first_kind = outputs.locator("tbody tr").first.get_by_role("combobox").first
    expect(first_kind.locator("option")).to_have_text(["Datastore file", "None"])
    first_kind.select_option("datastore")
    form.get_by_role("button", name="Deploy", exact=True).click()
    expect(outputs.get_by_text("Enter a storage path, e.g. data/input.csv.")).to_be_visible()
    expect(form.get_by_role("list").locator("li").first).to_be_visible()  # the next fire times
    page.evaluate("document.documentElement.dataset.theme = 'dark'; window.scrollTo(0, 0)")
    page.wait_for_timeout(400)  # the buttons' colour transitions
    screenshot(page, "deploy-page-periodic-dark")
    page.evaluate("delete document.documentElement.dataset.theme")
    form.get_by_role("radio", name="Endpoint").check()

    # and the endpoint waits long enough for the run; every output goes back to the caller
    form.get_by_label("Wait for the run (seconds)").fill("120")
    first_output = outputs.locator("tbody tr").first
    first_output.get_by_role("combobox").first.select_option("endpoint_value")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "deploy-page")
    form.get_by_role("button", name="Deploy", exact=True).click()

    # then the token is shown once, with the URL and examples
    dialog = page.get_by_role("dialog", name="blobs-api is deployed")
    token = dialog.get_by_test_id("endpoint-token").inner_text().strip()
    assert len(token) > 20
    expect(dialog.get_by_label("Endpoint URL")).to_have_text(re.compile(r"^POST .*/endpoints/blobs-api$"))
    expect(dialog.get_by_label("curl example")).to_contain_text(f"EndpointToken {token}")
    dialog.get_by_role("radio", name="Python").check()
    expect(dialog.get_by_label("Python example")).to_contain_text(
        "from pipewright_sdk import trigger_endpoint"
    )
    page.screenshot(path=str(SCREENSHOTS / "deploy-token-dialog.png"))  # the viewport, as a person sees it
    dialog.get_by_role("button", name="I have copied the token").click()

    # and the deployment's page opens, where the token is not shown again
    expect(page).to_have_url(re.compile(r"/deployments/\d+/$"))
    expect(page.get_by_role("heading", name=re.compile("blobs-api"))).to_be_visible()
    expect(page.get_by_text("No calls yet")).to_be_visible()
    assert token not in page.content()
    deployment = Deployment.objects.get(name="blobs-api")
    assert deployment.rule == "endpoint" and deployment.wait_seconds == 120

    # when the endpoint is called with the token
    status, answer = call_endpoint(asgi_server.url, "blobs-api", token)

    # then it answers with the run's outputs, and the call shows up with its status and latency
    assert status == 200, answer
    calls = page.get_by_role("table", name="Recent calls")
    row = calls.locator("tbody tr").first
    expect(row.get_by_text("200", exact=True)).to_be_visible(timeout=15_000)
    expect(row.get_by_text(re.compile(r"^\d+(\.\d+)? (ms|s)$"))).to_be_visible()
    expect(row.get_by_role("link")).to_be_visible()
    expect(page.get_by_role("table", name="Tokens").get_by_text("Never")).to_have_count(0)
    screenshot(page, "deployment-page")

    # when the token is revoked
    page.get_by_role("button", name=re.compile(r"^Revoke token ")).click()
    confirm = page.get_by_role("dialog", name=re.compile(r"^Revoke token"))
    confirm.get_by_role("button", name="Revoke token").click()
    expect(page.get_by_role("table", name="Tokens").get_by_text("Revoked")).to_be_visible()
    expect(page.get_by_text(re.compile("Every token is revoked"))).to_be_visible()

    # then a call with it is refused
    status, _ = call_endpoint(asgi_server.url, "blobs-api", token)
    assert status == 401

    # and in the dark theme the page still reads well
    page.evaluate("localStorage.setItem('pipewright.theme', 'dark')")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.get_by_role("table", name="Recent calls")).to_be_visible()
    screenshot(page, "deployment-page-dark")

    # and the list shows it with its last call
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Deployments").click()
    row = page.get_by_role("table", name="Deployments").locator("tr", has_text="blobs-api")
    expect(row.get_by_text("Active")).to_be_visible()
    expect(row.get_by_text("200", exact=True)).to_be_visible()
    expect(row.get_by_role("switch", name="Pause blobs-api")).to_be_visible()
    screenshot(page, "deployments-list-dark")
    page.evaluate("localStorage.setItem('pipewright.theme', 'light')")
    page.reload()
    expect(page.locator("html")).not_to_have_attribute("data-theme", "dark")
    expect(page.get_by_role("table", name="Deployments").get_by_text("200", exact=True)).to_be_visible()
    screenshot(page, "deployments-list")


def test_a_secret_environment_variable_is_never_shown(page: Page, asgi_server, member, screenshot):
    # given the environment variables tab of Deployments
    log_in(page, asgi_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Deployments").click()
    page.get_by_role("navigation", name="Deployments sections").get_by_role(
        "link", name="Environment variables"
    ).click()
    expect(page).to_have_url(re.compile(r"/environment/"))
    form = page.get_by_role("form", name="New environment variable")

    # when a badly named variable is added, the name says why
    form.get_by_label("Name").fill("api key")
    expect(form.get_by_text(re.compile("Use upper case letters"))).to_be_visible()

    # when a plain one and a secret one are added
    form.get_by_label("Name").fill("API_URL")
    form.get_by_label("Value").fill("https://example.test/api")
    form.get_by_role("button", name="Add variable").click()
    table = page.get_by_role("table", name="Environment variables")
    expect(table.get_by_text("https://example.test/api")).to_be_visible()
    form.get_by_label("Name").fill("API_KEY")
    form.get_by_label("Value").fill("s3cret-value-42")
    form.get_by_label("Secret").check()
    form.get_by_role("button", name="Add variable").click()

    # then the secret one says it is set, and its value is nowhere on the page
    row = table.locator("tr", has_text="API_KEY")
    expect(row.get_by_text("secret", exact=True)).to_be_visible()
    expect(row.get_by_text(re.compile("set$"))).to_be_visible()
    assert "s3cret-value-42" not in page.content()
    variable = EnvironmentVariable.objects.get(name="API_KEY")
    assert variable.secret and variable.value != "s3cret-value-42"

    # when a variable of that name is added again, the name field says it is taken
    form.get_by_label("Name").fill("API_KEY")
    form.get_by_label("Value").fill("other")
    form.get_by_role("button", name="Add variable").click()
    expect(form.get_by_text(re.compile("already has a variable"))).to_be_visible()
    screenshot(page, "environment-variables")

    # and in the dark theme
    page.evaluate("localStorage.setItem('pipewright.theme', 'dark')")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.get_by_role("table", name="Environment variables")).to_be_visible()
    screenshot(page, "environment-variables-dark")
    page.evaluate("localStorage.setItem('pipewright.theme', 'light')")

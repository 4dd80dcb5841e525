"""A new user logs in and finds the example pipelines, as in the README."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_user_logs_in_and_sees_the_example_pipelines(page: Page, live_server, member, screenshot):
    # when
    log_in(page, live_server.url)
    # then
    expect(page.get_by_role("link", name="Classify synthetic blobs")).to_be_visible()
    expect(page.get_by_role("link", name="Train a network on a GPU")).to_be_visible()
    screenshot(page, "pipelines-list")


def test_a_wrong_password_is_refused_with_a_message(page: Page, live_server, member):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")


def test_opening_an_example_shows_its_graph(page: Page, live_server, member, screenshot):
    # given
    log_in(page, live_server.url)
    # when
    page.get_by_role("link", name="Classify synthetic blobs").click()
    # then
    expect(page).to_have_url(re.compile(r"/pipelines/\d+/$"))
    expect(page.locator(".react-flow__node")).to_have_count(6)
    expect(page.locator(".react-flow__edge")).to_have_count(7)
    expect(page.locator(".react-flow__node", has_text="Plot report")).to_be_visible()
    screenshot(page, "pipeline-graph")

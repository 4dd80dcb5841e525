"""Recurring runs in the browser: schedule from the execute dialog (with the next fire times
shown as you type and a bad cron expression named before anything is saved), edit, pause, and
see the runs a tick started."""

import re

import pytest
from playwright.sync_api import Page, expect

from runs.models import RecurringRun
from runs.schedules import fire
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EXAMPLE = "Classify synthetic blobs"


def test_schedule_a_pipeline_edit_it_pause_it_and_see_its_runs(
    page: Page, asgi_server, celery_worker, member, screenshot
):
    # given the example pipeline's execute dialog, switched to Recurring
    log_in(page, asgi_server.url)
    page.get_by_role("link", name=EXAMPLE).click()
    page.get_by_role("button", name="Run", exact=True).click()
    dialog = page.get_by_role("dialog", name="Run pipeline")
    dialog.get_by_role("radio", name="Recurring").check()
    dialog.get_by_label("Recurring run name").fill("Weekday blobs")
    schedule = dialog.get_by_role("group", name="Schedule")

    # when a cron expression is typed wrong, the field says so before anything is sent
    schedule.get_by_role("radio", name="Cron", exact=True).check()
    cron = schedule.get_by_label("Cron expression")
    cron.fill("0 9 * *")
    expect(schedule.get_by_text(re.compile("five fields"))).to_be_visible()

    # when it is fixed, the next fire times appear (09:00 on weekdays, in Paris)
    cron.fill("0 9 * * 1-5")
    schedule.get_by_label("Time zone").fill("Europe/Paris")
    schedule.get_by_label("Max concurrent runs").fill("2")
    times = schedule.get_by_role("list").locator("li")
    expect(times).to_have_count(5)
    times.first.scroll_into_view_if_needed()
    screenshot(page, "execute-dialog-recurring")
    dialog.get_by_role("button", name="Schedule", exact=True).click()

    # then its page shows the schedule and its next fire times
    expect(page).to_have_url(re.compile(r"/recurring/\d+/$"))
    expect(page.get_by_role("heading", name="Weekday blobs")).to_be_visible()
    expect(page.get_by_text("0 9 * * 1-5 (Europe/Paris)")).to_be_visible()
    expect(page.get_by_role("list", name="Next fire times").locator("li")).to_have_count(5)
    saved = RecurringRun.objects.get(name="Weekday blobs")
    assert saved.cron == "0 9 * * 1-5" and saved.timezone == "Europe/Paris" and saved.max_concurrent == 2

    # when the schedule is edited to every 2 hours
    page.get_by_role("button", name="Edit schedule").click()
    form = page.get_by_role("form", name="Edit schedule")
    form.get_by_role("radio", name="Every…").check()
    form.get_by_label("Runs every").fill("2")
    form.get_by_label("Unit").select_option("hours")
    form.get_by_role("button", name="Save schedule").click()

    # then it fires on the new schedule (no restart)
    expect(page.get_by_text(re.compile(r"^Every 2 hours"))).to_be_visible()
    saved.refresh_from_db()
    assert saved.trigger == "interval" and saved.interval_seconds == 7200

    # when a tick comes due, its run shows up with the tick that started it
    assert saved.next_fire_at is not None
    tick = fire(saved.pk, saved.next_fire_at)
    assert tick is not None and tick.run is not None
    runs = page.get_by_role("table", name="Runs it started")
    expect(runs.get_by_role("link", name=tick.run.name)).to_be_visible(timeout=15_000)
    expect(page.get_by_role("table", name="Ticks").get_by_text("Started")).to_be_visible()
    expect(runs.get_by_text("Succeeded")).to_be_visible(timeout=90_000)
    screenshot(page, "recurring-run-page")

    # when it is paused, it says so and has no next fire time; the list shows it too
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_text("Paused", exact=True)).to_be_visible()
    expect(page.get_by_text("None while paused.")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Recurring").click()
    row = page.locator("tr", has_text="Weekday blobs")
    expect(row.get_by_text("Paused")).to_be_visible()
    expect(row.get_by_role("switch", name="Resume Weekday blobs")).to_be_visible()
    screenshot(page, "recurring-runs-list")
    saved.refresh_from_db()
    assert saved.enabled is False and saved.next_fire_at is None

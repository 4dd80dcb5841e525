"""Recurring runs: when ticks fall, catching up, the concurrency cap, once per tick."""

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection

from runs.choices import RunState
from runs.models import RecurringTick, Run, TickOutcome
from runs.schedules import (
    ScheduleInvalid,
    ScheduleSpec,
    Trigger,
    create_recurring_run,
    cron_problem,
    fire,
    fire_due,
    latest_due,
    next_tick,
    preview,
    schedule_problems,
    upcoming,
    update_schedule,
)

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def trigger(**fields) -> Trigger:
    spec = ScheduleSpec(**fields)
    return Trigger.of(spec, anchor=NOW)


# --- tick computation -------------------------------------------------------


def test_an_interval_without_a_start_fires_one_interval_after_creation_and_then_every_interval():
    every_hour = trigger(trigger="interval", interval_seconds=3600)
    assert upcoming(every_hour, NOW, 3) == [
        NOW + dt.timedelta(hours=1),
        NOW + dt.timedelta(hours=2),
        NOW + dt.timedelta(hours=3),
    ]
    # a tick is strictly after the time asked about
    assert next_tick(every_hour, NOW + dt.timedelta(hours=1)) == NOW + dt.timedelta(hours=2)
    assert next_tick(every_hour, NOW + dt.timedelta(minutes=61)) == NOW + dt.timedelta(hours=2)


def test_an_interval_with_a_start_fires_at_the_start_and_stops_at_the_end():
    start = dt.datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
    daily = trigger(
        trigger="interval", interval_seconds=86400, start_at=start, end_at=start + dt.timedelta(days=2)
    )
    assert upcoming(daily, NOW, 5) == [start, start + dt.timedelta(days=1), start + dt.timedelta(days=2)]
    assert next_tick(daily, start + dt.timedelta(days=2)) is None


def test_a_cron_expression_is_read_in_the_schedules_time_zone_across_a_daylight_saving_change():
    # 9:00 in Paris is 08:00 UTC in winter and 07:00 UTC once clocks go forward (29 March 2026)
    paris = trigger(trigger="cron", cron="0 9 * * *", timezone="Europe/Paris")
    ticks = upcoming(paris, dt.datetime(2026, 3, 27, 12, 0, tzinfo=UTC), 3)
    assert ticks == [
        dt.datetime(2026, 3, 28, 8, 0, tzinfo=UTC),
        dt.datetime(2026, 3, 29, 7, 0, tzinfo=UTC),
        dt.datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
    ]


def test_a_cron_tick_exactly_at_the_start_counts_and_none_come_before_it():
    start = dt.datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # a Monday
    weekdays = trigger(trigger="cron", cron="0 0 * * 1-5", start_at=start)
    assert upcoming(weekdays, NOW, 2) == [start, start + dt.timedelta(days=1)]


def test_missed_interval_ticks_collapse_into_the_latest_one():
    every_minute = trigger(trigger="interval", interval_seconds=60)
    due = NOW + dt.timedelta(minutes=1)
    latest, missed = latest_due(every_minute, due, due + dt.timedelta(minutes=10, seconds=30))
    assert latest == due + dt.timedelta(minutes=10)
    assert missed == 10
    assert latest_due(every_minute, due, due + dt.timedelta(seconds=59)) == (due, 0)


def test_missed_cron_ticks_collapse_into_the_latest_one():
    hourly = trigger(trigger="cron", cron="0 * * * *")
    due = dt.datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert latest_due(hourly, due, dt.datetime(2026, 11, 26, 12, 30, tzinfo=UTC)) == (
        dt.datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
        3,
    )


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"trigger": "interval"}, "interval_seconds", "how often"),
        ({"trigger": "interval", "interval_seconds": 5}, "interval_seconds", "at most every 60 seconds"),
        ({"trigger": "cron", "cron": "0 9 * *"}, "cron", "five fields"),
        ({"trigger": "cron", "cron": "61 * * * *"}, "cron", "Not a valid cron expression"),
        (
            {"trigger": "cron", "cron": "0 9 * * *", "timezone": "Mars/Olympus"},
            "timezone",
            "Unknown time zone",
        ),
        (
            {"interval_seconds": 60, "start_at": NOW, "end_at": NOW - dt.timedelta(hours=1)},
            "end_at",
            "after the start",
        ),
        ({"interval_seconds": 60, "end_at": NOW - dt.timedelta(hours=1)}, "end_at", "already passed"),
    ],
)
def test_a_schedule_that_cannot_fire_is_refused_naming_the_field(fields, field, says):
    problems = schedule_problems(ScheduleSpec(**fields), now=NOW)
    assert field in problems
    assert says in " ".join(problems[field])


def test_cron_expressions_accept_names_ranges_and_steps():
    assert cron_problem("*/15 8-18 * jan-mar mon-fri") == ""
    assert cron_problem("@daily") != ""  # only the five fields: what the form explains


def test_a_preview_lists_the_next_fire_times_or_names_the_problem():
    assert preview({"trigger": "interval", "interval_seconds": 3600}, now=NOW, count=2) == [
        NOW + dt.timedelta(hours=1),
        NOW + dt.timedelta(hours=2),
    ]
    with pytest.raises(ScheduleInvalid) as refused:
        preview({"trigger": "cron", "cron": "nope"}, now=NOW)
    assert "cron" in refused.value.errors
    with pytest.raises(ScheduleInvalid) as refused:
        preview({"trigger": "interval", "interval_seconds": "often"}, now=NOW)
    assert "interval_seconds" in refused.value.errors


# --- firing -----------------------------------------------------------------


def fire_next(schedule, at: dt.datetime | None = None) -> Any:
    """Fire the schedule's due tick (or what is due at `at`); the tick, which must come."""
    schedule.refresh_from_db()
    tick = fire(schedule.pk, at or schedule.next_fire_at)
    assert tick is not None, "nothing was due"
    return tick


@pytest.fixture
def blobs(project, make_pipeline):
    return make_pipeline(project, [("data", "make_dataset")], name="Blobs")


@pytest.fixture
def hourly(blobs, teammate):
    return create_recurring_run(
        blobs,
        {"name": "nightly", "params": {"data": {"n_samples": 50}}},
        {"name": "Hourly blobs", "trigger": "interval", "interval_seconds": 3600, "max_concurrent": 1},
        teammate,
    )


@pytest.mark.django_db
def test_a_due_tick_starts_one_run_with_the_stored_config(hourly):
    due = hourly.next_fire_at
    assert due is not None and due == hourly.created_at + dt.timedelta(hours=1)
    assert fire_due(due - dt.timedelta(seconds=1)) == []  # not yet

    tick = fire_next(hourly, due)

    assert tick is not None and tick.outcome == TickOutcome.STARTED
    run = tick.run
    assert run.recurring_run == hourly
    assert run.pipeline_version == hourly.pipeline_version
    assert run.config["params"] == {"data": {"n_samples": 50}}
    assert run.name.startswith("Hourly blobs ")
    hourly.refresh_from_db()
    assert hourly.next_fire_at == due + dt.timedelta(hours=1)
    # the same tick is not fired twice
    assert fire(hourly.pk, due) is None
    assert fire_due(due + dt.timedelta(seconds=30)) == []
    assert RecurringTick.objects.filter(recurring_run=hourly).count() == 1


@pytest.mark.django_db
def test_a_tick_that_would_exceed_the_cap_is_skipped_and_recorded(hourly):
    first = fire_next(hourly)
    assert first.run.state == RunState.PENDING  # still going

    hourly.refresh_from_db()
    second = fire_next(hourly)

    assert second.outcome == TickOutcome.SKIPPED
    assert second.run is None
    assert "1 of its runs still going (at most 1 at once)" in second.message
    assert Run.objects.filter(recurring_run=hourly).count() == 1

    # once the first run is over, the next tick starts a run again
    Run.objects.filter(pk=first.run.pk).update(state=RunState.SUCCEEDED)
    hourly.refresh_from_db()
    third = fire_next(hourly)
    assert third.outcome == TickOutcome.STARTED


@pytest.mark.django_db
def test_a_cap_of_two_lets_two_runs_overlap(hourly):
    update_schedule(hourly, {"max_concurrent": 2})
    outcomes = []
    for _ in range(3):
        hourly.refresh_from_db()
        outcomes.append(fire_next(hourly).outcome)
    assert outcomes == [TickOutcome.STARTED, TickOutcome.STARTED, TickOutcome.SKIPPED]


@pytest.mark.django_db
def test_after_a_pause_only_the_latest_missed_tick_fires(hourly):
    due = hourly.next_fire_at
    tick = fire_next(hourly, due + dt.timedelta(hours=5, minutes=10))
    assert tick.tick_at == due + dt.timedelta(hours=5)
    assert tick.outcome == TickOutcome.STARTED
    assert "5 earlier ticks missed" in tick.message
    hourly.refresh_from_db()
    assert hourly.next_fire_at == due + dt.timedelta(hours=6)


@pytest.mark.django_db
def test_editing_the_schedule_moves_the_next_fire_time_and_disabling_stops_it(hourly):
    update_schedule(hourly, {"trigger": "cron", "cron": "30 6 * * *", "timezone": "UTC"})
    hourly.refresh_from_db()
    assert hourly.next_fire_at.hour == 6 and hourly.next_fire_at.minute == 30
    assert hourly.interval_seconds is None

    update_schedule(hourly, {"enabled": False})
    hourly.refresh_from_db()
    assert hourly.next_fire_at is None
    assert fire_due(NOW + dt.timedelta(days=30)) == []

    with pytest.raises(ScheduleInvalid) as refused:
        update_schedule(hourly, {"cron": "0 25 * * *"})
    assert "cron" in refused.value.errors


@pytest.mark.django_db
def test_a_tick_whose_run_cannot_start_is_recorded_as_failed(hourly):
    # the operation's parameter no longer accepts the stored value
    hourly.config = {**hourly.config, "params": {"data": {"no_such_param": 1}}}
    hourly.save()
    tick = fire_next(hourly)
    assert tick.outcome == TickOutcome.FAILED
    assert "unknown parameter 'no_such_param'" in tick.message
    hourly.refresh_from_db()
    assert hourly.next_fire_at is not None  # it tries again at the next tick


@pytest.mark.django_db(transaction=True)
def test_several_pollers_at_once_fire_a_tick_once(blobs, teammate, monkeypatch):
    # Only the claiming of ticks is under test: the run is not sent to a worker (a session worker
    # running it while the test database is emptied deadlocks PostgreSQL's TRUNCATE).
    from runs import tasks

    monkeypatch.setattr(tasks.advance_run, "delay", lambda *args, **kwargs: None)
    schedule = create_recurring_run(
        blobs, {}, {"name": "Racing", "interval_seconds": 3600, "max_concurrent": 5}, teammate
    )
    due = schedule.next_fire_at
    barrier = threading.Barrier(4)
    fired: list[int] = []

    def poll() -> None:
        try:
            barrier.wait()
            fired.extend(tick.pk for tick in fire_due(due))
        finally:
            connection.close()

    pollers = [threading.Thread(target=poll) for _ in range(4)]
    for poller in pollers:
        poller.start()
    for poller in pollers:
        poller.join()

    assert len(fired) == 1
    assert RecurringTick.objects.filter(recurring_run=schedule).count() == 1
    assert Run.objects.filter(recurring_run=schedule).count() == 1

"""A recurring run with a short interval fires against real beat processes and a real
worker: each tick once though three beats poll, never more runs at once than its cap,
skipped ticks recorded, and an edit (pausing it) takes effect without a restart."""

import datetime as dt
import itertools
import time

import pytest
from django.utils import timezone

from runs.choices import RunState
from runs.models import RecurringTick, Run, TickOutcome
from runs.schedules import create_recurring_run, update_schedule
from tests.fixtures.engine import wait_for
from tests.fixtures.processes import BeatProcess

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SLOW = """
import time

def run(ctx, seconds: float) -> dict:
    time.sleep(seconds)
    return {}
"""


@pytest.fixture
def two_more_beats(celery_worker, channels_redis, tmp_path):
    """Besides the worker's own embedded beat: three beats poll the same schedules."""
    beats = [BeatProcess(tmp_path / f"beat-{i}.log", channels_redis) for i in range(2)]
    for beat in beats:
        beat.start()
    yield beats
    for beat in beats:
        beat.stop()


def test_a_short_interval_schedule_fires_each_tick_once_and_respects_its_cap(
    two_more_beats, project, teammate, make_op, make_graph_pipeline, settings
):
    settings.PIPEWRIGHT_MIN_SCHEDULE_INTERVAL_SECONDS = 1
    nap = make_op(project, "nap", SLOW, params=[("seconds", "float", 2.5)])
    pipeline = make_graph_pipeline(project, {"nap": nap}, name="Naps")
    start = timezone.now() + dt.timedelta(seconds=2)

    # given a schedule every second, at most one run at a time, each run taking ~2.5 s
    schedule = create_recurring_run(
        pipeline,
        {},
        {"name": "Every second", "interval_seconds": 1, "max_concurrent": 1, "start_at": start.isoformat()},
        teammate,
    )

    # when it has been running for a while
    wait_for(
        lambda: (
            RecurringTick.objects.filter(recurring_run=schedule, outcome=TickOutcome.STARTED).count() >= 2
        ),
        timeout=60,
        what="two runs started by the schedule",
    )
    # then pausing it (an edit, read at the next poll) stops it without restarting anything
    update_schedule(schedule, {"enabled": False})
    paused_at = timezone.now()
    time.sleep(3)
    wait_for(
        lambda: not Run.objects.filter(recurring_run=schedule, state__in=RunState.active()).exists(),
        timeout=60,
        what="the schedule's runs to finish",
    )

    ticks = list(RecurringTick.objects.filter(recurring_run=schedule).order_by("tick_at"))
    runs = list(Run.objects.filter(recurring_run=schedule).order_by("created_at"))
    # each tick fired once (by one of three beats), on the schedule's grid, none after the pause
    assert len({tick.tick_at for tick in ticks}) == len(ticks)
    assert all((tick.tick_at - start).total_seconds() % 1 == 0 for tick in ticks)
    assert all(tick.fired_at <= paused_at + dt.timedelta(seconds=1) for tick in ticks)
    # one run per started tick, every one finished
    started = [tick for tick in ticks if tick.outcome == TickOutcome.STARTED]
    assert sorted(tick.run_id or 0 for tick in started) == sorted(run.pk for run in runs)
    assert all(run.state == RunState.SUCCEEDED for run in runs), [(r.name, r.state, r.error) for r in runs]
    # never two at once: each run started after the one before it had finished
    for before, after in itertools.pairwise(runs):
        assert before.finished_at is not None and after.created_at >= before.finished_at, (
            before.name,
            after.name,
        )
    # the ticks that came while a run was going were skipped, and say why
    skipped = [tick for tick in ticks if tick.outcome == TickOutcome.SKIPPED]
    assert skipped, [(t.tick_at, t.outcome) for t in ticks]
    assert all("still going (at most 1 at once)" in tick.message for tick in skipped)

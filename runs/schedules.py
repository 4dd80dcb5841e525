"""Recurring runs: when a schedule's ticks fall, and firing each tick exactly once.

A beat task (`runs.tasks.fire_recurring_runs`) polls every
PIPEWRIGHT_SCHEDULE_POLL_SECONDS and fires what came due. Several beat processes may
poll at once: a tick is claimed by inserting its RecurringTick row (unique per
schedule and tick time) in the same transaction that moves `next_fire_at` on, so
only one of them starts the run. Ticks missed while nothing polled (every beat
down) collapse into the latest one, recorded with how many were missed.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from croniter import croniter
from croniter.croniter import CroniterError
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import Field, model_validator

from credentials.crypto import decrypt_json, encrypt_json
from editor.graph import Problem
from editor.models import Pipeline, PipelineVersion
from editor.pipelines import freeze_version
from runs.choices import RunState
from runs.config import Strict
from runs.models import RecurringRun, RecurringTick, Run, TickOutcome, TriggerKind
from runs.submit import SubmitInvalid, create_run, parse_config, prepare_run

logger = logging.getLogger(__name__)

MAX_CONCURRENT = 20
# Ticks looked at when catching up on a cron schedule after a long pause.
MAX_CATCH_UP = 10_000


class ScheduleInvalid(ValueError):
    """Schedule fields that cannot work, by field name."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class ScheduleSpec(Strict):
    """When a recurring run fires: every `interval_seconds`, or at a cron expression's times
    (read in `timezone`), from `start_at` until `end_at`, at most `max_concurrent` at once."""

    name: str = Field(default="", max_length=120)
    trigger: Literal["interval", "cron"] = "interval"
    interval_seconds: int | None = None
    cron: str = Field(default="", max_length=120)
    timezone: str = Field(default="UTC", max_length=64)
    start_at: dt.datetime | None = None
    end_at: dt.datetime | None = None
    max_concurrent: int = Field(default=1, ge=1, le=MAX_CONCURRENT)
    enabled: bool = True

    @model_validator(mode="after")
    def aware_dates(self) -> ScheduleSpec:
        # A date without an offset is read as UTC: the browser sends ISO strings with one.
        for field in ("start_at", "end_at"):
            value = getattr(self, field)
            if value is not None and timezone.is_naive(value):
                setattr(self, field, value.replace(tzinfo=dt.UTC))
        return self


def schedule_problems(spec: ScheduleSpec, now: dt.datetime | None = None) -> dict[str, list[str]]:
    """Every reason `spec` cannot fire, by field (empty: it can)."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if spec.trigger == TriggerKind.INTERVAL:
        shortest = settings.PIPEWRIGHT_MIN_SCHEDULE_INTERVAL_SECONDS
        if spec.interval_seconds is None:
            errors["interval_seconds"] = ["Say how often it runs (e.g. every 1 hour)."]
        elif spec.interval_seconds < shortest:
            errors["interval_seconds"] = [f"Runs can start at most every {shortest} seconds."]
    else:
        if problem := cron_problem(spec.cron):
            errors["cron"] = [problem]
    try:
        zoneinfo.ZoneInfo(spec.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = [f"Unknown time zone {spec.timezone!r}: use an IANA name such as Europe/Paris."]
    if spec.end_at is not None:
        if spec.start_at is not None and spec.end_at <= spec.start_at:
            errors["end_at"] = ["The end must come after the start."]
        elif spec.end_at <= now:
            errors["end_at"] = ["The end has already passed: nothing would run."]
    return errors


def cron_problem(expression: str) -> str:
    """Why `expression` is not a five-field cron expression ("" when it is one)."""
    fields = expression.split()
    if len(fields) != 5:
        return (
            "A cron expression has five fields: minute hour day-of-month month day-of-week "
            "(e.g. 0 9 * * 1-5)."
        )
    try:
        croniter(expression)
    except (CroniterError, ValueError, KeyError) as exc:
        return f"Not a valid cron expression: {exc}."
    return ""


@dataclass(frozen=True)
class Trigger:
    """What tick computation needs of a schedule (a RecurringRun or a spec not yet saved)."""

    kind: str
    interval_seconds: int | None
    cron: str
    timezone: str
    start_at: dt.datetime | None
    end_at: dt.datetime | None
    # Interval ticks count from here when no start was given (the schedule's creation).
    anchor: dt.datetime

    @classmethod
    def of(cls, schedule: RecurringRun | ScheduleSpec, anchor: dt.datetime) -> Trigger:
        return cls(
            kind=schedule.trigger,
            interval_seconds=schedule.interval_seconds,
            cron=schedule.cron,
            timezone=schedule.timezone,
            start_at=schedule.start_at,
            end_at=schedule.end_at,
            anchor=anchor,
        )


def next_tick(trigger: Trigger, after: dt.datetime) -> dt.datetime | None:
    """The first tick strictly after `after`, or None past the end.

    Interval ticks fall at start + k·interval (k ≥ 0) when a start was given, and at
    creation + k·interval (k ≥ 1) when not; cron ticks at the expression's times in
    the schedule's time zone, from the start on."""
    if trigger.kind == TriggerKind.INTERVAL:
        tick = _next_interval_tick(trigger, after)
    else:
        tick = _next_cron_tick(trigger, after)
    if trigger.end_at is not None and tick > trigger.end_at:
        return None
    return tick


def _next_interval_tick(trigger: Trigger, after: dt.datetime) -> dt.datetime:
    step = dt.timedelta(seconds=trigger.interval_seconds or 1)
    base = trigger.start_at or trigger.anchor
    first = trigger.start_at or trigger.anchor + step
    if after < first:
        return first
    periods = math.floor((after - base) / step) + 1
    return base + periods * step


def _next_cron_tick(trigger: Trigger, after: dt.datetime) -> dt.datetime:
    zone = zoneinfo.ZoneInfo(trigger.timezone)
    if trigger.start_at is not None and after < trigger.start_at:
        # A tick exactly at the start counts: look from just before it.
        after = trigger.start_at - dt.timedelta(microseconds=1)
    found: dt.datetime = croniter(trigger.cron, after.astimezone(zone)).get_next(dt.datetime)
    return found.astimezone(dt.UTC)


def upcoming(trigger: Trigger, after: dt.datetime, count: int = 5) -> list[dt.datetime]:
    """The next `count` ticks after `after` (fewer when the schedule ends first)."""
    ticks: list[dt.datetime] = []
    tick = next_tick(trigger, after)
    while tick is not None and len(ticks) < count:
        ticks.append(tick)
        tick = next_tick(trigger, tick)
    return ticks


def latest_due(trigger: Trigger, due: dt.datetime, now: dt.datetime) -> tuple[dt.datetime, int]:
    """The latest tick at or before `now`, starting from the due tick `due`, and how many
    ticks before it were missed (they are not fired: catching up would start a burst)."""
    if trigger.kind == TriggerKind.INTERVAL:
        step = dt.timedelta(seconds=trigger.interval_seconds or 1)
        skipped = math.floor((now - due) / step)
        latest = due + skipped * step
        if trigger.end_at is not None and latest > trigger.end_at:
            skipped = math.floor((trigger.end_at - due) / step)
            latest = due + skipped * step
        return latest, skipped
    latest, skipped = due, 0
    for _ in range(MAX_CATCH_UP):
        following = next_tick(trigger, latest)
        if following is None or following > now:
            break
        latest, skipped = following, skipped + 1
    return latest, skipped


def _trigger(schedule: RecurringRun) -> Trigger:
    return Trigger.of(schedule, schedule.created_at or timezone.now())


# --- creating and editing ---------------------------------------------------


def _spec_or_errors(data: Any) -> ScheduleSpec:
    from pydantic import ValidationError

    try:
        return ScheduleSpec.model_validate(data or {})
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "non_field_errors"
            errors.setdefault(field, []).append(str(error["msg"]).removeprefix("Value error, "))
        raise ScheduleInvalid(errors) from exc


def preview(data: Any, now: dt.datetime | None = None, count: int = 5) -> list[dt.datetime]:
    """The next fire times of a schedule being typed in (ScheduleInvalid if it cannot fire)."""
    now = now or timezone.now()
    spec = _spec_or_errors(data)
    if errors := schedule_problems(spec, now):
        raise ScheduleInvalid(errors)
    return upcoming(Trigger.of(spec, now), now, count)


@transaction.atomic
def create_recurring_run(pipeline: Pipeline, run_data: Any, schedule_data: Any, user: Any) -> RecurringRun:
    """Check the run config exactly as a run's, and the schedule; store both. All or nothing:
    SubmitInvalid for the config, ScheduleInvalid for the schedule."""
    spec = _spec_or_errors(schedule_data)
    if errors := schedule_problems(spec):
        raise ScheduleInvalid(errors)
    if any(key in (run_data or {}) for key in ("input_mappings", "output_mappings")):
        raise SubmitInvalid(
            [
                Problem(
                    "inputs: a recurring run takes values and artifacts; for environment variables or "
                    "storage paths read at each tick, deploy the pipeline as a periodic deployment"
                )
            ]
        )
    config = parse_config(run_data)
    if config.pipeline_version is not None:
        version = PipelineVersion.objects.filter(pk=config.pipeline_version, pipeline=pipeline).first()
        if version is None:
            raise ScheduleInvalid({"pipeline_version": ["Not a version of this pipeline."]})
    else:
        version, _ = freeze_version(pipeline, user)
    prepared = prepare_run(version, config, user)
    name = spec.name.strip() or prepared.config.name.strip() or f"{pipeline.name} (recurring)"
    if RecurringRun.objects.filter(pipeline=pipeline, name=name).exists():
        raise ScheduleInvalid({"name": [f"This pipeline already has a recurring run named {name!r}."]})
    schedule = RecurringRun(
        project=pipeline.project,
        pipeline=pipeline,
        pipeline_version=version,
        name=name,
        config=prepared.config.model_dump(mode="json"),
        secret_ciphertext=encrypt_json(prepared.secrets) if prepared.secrets else "",
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **_schedule_fields(spec),
    )
    schedule.save()  # sets created_at, the anchor of interval ticks
    if spec.enabled:
        schedule.next_fire_at = next_tick(_trigger(schedule), schedule.created_at)
        schedule.save(update_fields=["next_fire_at"])
    return schedule


def _schedule_fields(spec: ScheduleSpec) -> dict[str, Any]:
    interval = spec.trigger == TriggerKind.INTERVAL
    return {
        "trigger": spec.trigger,
        "interval_seconds": spec.interval_seconds if interval else None,
        "cron": "" if interval else " ".join(spec.cron.split()),
        "timezone": spec.timezone,
        "start_at": spec.start_at,
        "end_at": spec.end_at,
        "max_concurrent": spec.max_concurrent,
        "enabled": spec.enabled,
    }


EDITABLE = ("name", *(field for field in ScheduleSpec.model_fields if field != "name"))


@transaction.atomic
def update_schedule(schedule: RecurringRun, changes: dict[str, Any]) -> RecurringRun:
    """Change when it fires (or its name, or pause it); the next poll sees it."""
    schedule = RecurringRun.objects.select_for_update().get(pk=schedule.pk)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ScheduleInvalid({name: ["This field cannot be changed here."] for name in unknown})
    current = {field: getattr(schedule, field) for field in EDITABLE}
    spec = _spec_or_errors({**current, **changes})
    errors = schedule_problems(spec)
    if "end_at" not in changes and "start_at" not in changes:
        errors.pop("end_at", None)  # an ended schedule can still be renamed or paused
    if errors:
        raise ScheduleInvalid(errors)
    name = spec.name.strip() or schedule.name
    clash = RecurringRun.objects.filter(pipeline=schedule.pipeline, name=name).exclude(pk=schedule.pk)
    if clash.exists():
        raise ScheduleInvalid({"name": [f"This pipeline already has a recurring run named {name!r}."]})
    schedule.name = name
    for field, value in _schedule_fields(spec).items():
        setattr(schedule, field, value)
    schedule.next_fire_at = next_tick(_trigger(schedule), timezone.now()) if schedule.enabled else None
    schedule.save()
    return schedule


# --- firing -----------------------------------------------------------------


def due_schedules(now: dt.datetime) -> list[int]:
    return list(
        RecurringRun.objects.filter(enabled=True, next_fire_at__lte=now)
        .order_by("next_fire_at")
        .values_list("pk", flat=True)
    )


def fire_due(now: dt.datetime | None = None) -> list[RecurringTick]:
    """Fire every schedule that came due; what this process fired (another may fire the rest)."""
    fired = []
    for pk in due_schedules(now or timezone.now()):
        tick = fire(pk, now or timezone.now())
        if tick is not None:
            fired.append(tick)
    return fired


@transaction.atomic
def fire(schedule_id: int, now: dt.datetime) -> RecurringTick | None:
    """Fire the schedule's due tick once: start a run, or skip it when `max_concurrent` of
    its runs are still going. None when nothing was due or another process fired it."""
    schedule = (
        RecurringRun.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=schedule_id, enabled=True, next_fire_at__lte=now)
        .select_related("pipeline", "pipeline_version", "created_by")
        .first()
    )
    if schedule is None or schedule.next_fire_at is None:
        return None
    trigger = _trigger(schedule)
    tick_at, missed = latest_due(trigger, schedule.next_fire_at, now)
    schedule.next_fire_at = next_tick(trigger, tick_at)
    schedule.save(update_fields=["next_fire_at"])
    try:
        with transaction.atomic():
            tick = RecurringTick.objects.create(
                recurring_run=schedule, tick_at=tick_at, outcome=TickOutcome.SKIPPED
            )
    except IntegrityError:
        return None  # fired already (by another beat's poll)
    notes = [f"{missed} earlier tick{'s' if missed != 1 else ''} missed while no beat ran"] if missed else []
    active = schedule.runs.filter(state__in=RunState.active()).count()
    if active >= schedule.max_concurrent:
        tick.message = "; ".join(
            [f"{active} of its runs still going (at most {schedule.max_concurrent} at once)", *notes]
        )
    else:
        try:
            tick.run = _start_run(schedule, tick_at)
            tick.outcome = TickOutcome.STARTED
            tick.message = "; ".join(notes)
        except SubmitInvalid as exc:
            tick.outcome = TickOutcome.FAILED
            tick.message = "; ".join([str(exc), *notes])
    tick.save()
    logger.info("recurring run %s: tick %s %s %s", schedule.pk, tick_at, tick.outcome, tick.message)
    return tick


def _start_run(schedule: RecurringRun, tick_at: dt.datetime) -> Run:
    zone = zoneinfo.ZoneInfo(schedule.timezone)
    name = f"{schedule.name} {tick_at.astimezone(zone):%Y-%m-%d %H:%M:%S %Z}"
    from runs.deployments import start_scheduled_deployment  # a periodic deployment's schedule

    if (deployed := start_scheduled_deployment(schedule, name)) is not None:
        return deployed
    config = parse_config({**schedule.config, "name": name, "pipeline_version": None})
    with transaction.atomic():
        return create_run(
            schedule.pipeline,
            schedule.pipeline_version,
            config,
            schedule.created_by,
            inherited_secrets=decrypt_json(schedule.secret_ciphertext),
            recurring_run=schedule,
        )


def iter_next_fire_times(schedule: RecurringRun, count: int = 5) -> Iterator[dt.datetime]:
    if not schedule.enabled or schedule.next_fire_at is None:
        return
    yield schedule.next_fire_at
    yield from upcoming(_trigger(schedule), schedule.next_fire_at, count - 1)

"""Deployments: create (mappings checked, run config checked as a run's, a token or a
schedule made), change, pause, delete; start a run of one with its mappings resolved.

An endpoint deployment is called through `runs/endpoints.py`; a periodic one owns a
RecurringRun (cron) whose ticks come here (`start_scheduled_deployment`) so the
mappings are resolved at each tick. See docs/deployments.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone
from pydantic import Field, ValidationError

from credentials.crypto import decrypt_json, encrypt_json
from editor.graph import Problem
from editor.models import Pipeline, PipelineVersion
from editor.pipelines import freeze_version
from runs.config import Strict
from runs.mappings import CallFile, MappingBroken, mapping_problems, resolve_inputs, secret_input_keys
from runs.models import Deployment, DeploymentCall, DeploymentRule, RecurringRun, Run
from runs.models.deployments import DEPLOYMENT_NAME, MAX_WAIT_SECONDS
from runs.submit import SubmitInvalid, create_run, parse_config, prepare_run, resolve_backends
from runs.tokens import issue_token

MAX_BODY_BYTES = 100 * 1024 * 1024
MAX_RATE_PER_MINUTE = 100_000


class DeploymentInvalid(ValueError):
    """Deployment fields that cannot work, by field (`name`, `inputs.<key>`, `schedule.cron`...)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class Limits(Strict):
    wait_seconds: int = Field(default=30, ge=0, le=MAX_WAIT_SECONDS)
    rate_limit_per_minute: int = Field(default=60, ge=1, le=MAX_RATE_PER_MINUTE)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1, le=MAX_BODY_BYTES)
    enabled: bool = True


class DeploymentSpec(Limits):
    name: str = Field(pattern=DEPLOYMENT_NAME)
    rule: Literal["endpoint", "periodic"]
    input_mappings: dict[str, Any] = Field(default_factory=dict)
    output_mappings: dict[str, Any] = Field(default_factory=dict)
    # periodic: {"cron", "timezone", "start_at", "end_at", "max_concurrent"}
    schedule: dict[str, Any] | None = None


SPEC_FIELDS = frozenset(DeploymentSpec.model_fields)


def _validated(model: type[Strict], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "non_field_errors"
            errors.setdefault(field, []).append(str(error["msg"]).removeprefix("Value error, "))
        raise DeploymentInvalid(errors) from exc


@dataclass
class Created:
    deployment: Deployment
    token: str | None  # shown once: endpoint deployments only


def _is_input_problem(problem: Problem) -> bool:
    """Problems of a run config that the mappings answer (the inputs are given per call)."""
    return problem.message.startswith("inputs.") or problem.message == "required input is not connected"


def _checked_config(version: PipelineVersion, data: dict[str, Any], user: Any) -> tuple[dict[str, Any], str]:
    """The run config (public options, no inputs) and its secrets' ciphertext, checked as a
    run's is except for the inputs. Raises SubmitInvalid."""
    if "inputs" in data or "input_credentials" in data:
        raise SubmitInvalid([Problem("inputs: a deployment's inputs come from its input_mappings")])
    config = parse_config(data)
    try:
        prepare_run(version, config.model_copy(deep=True), user)
    except SubmitInvalid as exc:
        remaining = [problem for problem in exc.problems if not _is_input_problem(problem)]
        if remaining:
            raise SubmitInvalid(remaining) from exc
    resolved, _ = resolve_backends(config, user)
    secrets = {kind: found.secrets for kind, found in resolved.items() if found.secrets}
    for kind, found in resolved.items():
        getattr(config, kind).options = found.public
    config.inputs = {}
    config.pipeline_version = None
    return config.model_dump(mode="json"), encrypt_json(secrets) if secrets else ""


def _schedule(pipeline: Pipeline, version: PipelineVersion, spec: DeploymentSpec, user: Any) -> RecurringRun:
    from runs.schedules import ScheduleSpec, Trigger, next_tick, schedule_problems

    given = dict(spec.schedule or {})
    if given.get("trigger", "cron") != "cron":
        raise DeploymentInvalid({"schedule.trigger": ["A periodic deployment runs on a cron expression."]})
    try:
        schedule_spec = ScheduleSpec.model_validate({**given, "trigger": "cron", "name": ""})
    except ValidationError as exc:
        raise DeploymentInvalid(
            {f"schedule.{'.'.join(map(str, e['loc']))}": [str(e["msg"])] for e in exc.errors()}
        ) from exc
    if errors := schedule_problems(schedule_spec):
        raise DeploymentInvalid({f"schedule.{field}": messages for field, messages in errors.items()})
    schedule = RecurringRun.objects.create(
        project=pipeline.project,
        pipeline=pipeline,
        pipeline_version=version,
        name=f"deployment {spec.name}",
        trigger="cron",
        cron=" ".join(schedule_spec.cron.split()),
        timezone=schedule_spec.timezone,
        start_at=schedule_spec.start_at,
        end_at=schedule_spec.end_at,
        max_concurrent=schedule_spec.max_concurrent,
        enabled=spec.enabled,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if spec.enabled:
        schedule.next_fire_at = next_tick(Trigger.of(schedule, schedule.created_at), schedule.created_at)
        schedule.save(update_fields=["next_fire_at"])
    return schedule


@transaction.atomic
def create_deployment(pipeline: Pipeline, data: dict[str, Any], user: Any) -> Created:
    """Check everything (DeploymentInvalid for the deployment's fields and mappings,
    SubmitInvalid for the run config) and store it; all or nothing."""
    data = dict(data)
    spec: DeploymentSpec = _validated(DeploymentSpec, {k: v for k, v in data.items() if k in SPEC_FIELDS})
    run_data = {k: v for k, v in data.items() if k not in SPEC_FIELDS and k != "pipeline"}
    if Deployment.objects.filter(name=spec.name).exists():
        raise DeploymentInvalid({"name": [f"The name {spec.name!r} is taken: deployment names are unique."]})
    if spec.rule == DeploymentRule.ENDPOINT and spec.schedule is not None:
        raise DeploymentInvalid({"schedule": ["Only a periodic deployment has a schedule."]})
    if spec.rule == DeploymentRule.PERIODIC and not spec.schedule:
        raise DeploymentInvalid(
            {"schedule": ["A periodic deployment needs a schedule with a cron expression."]}
        )
    version_id = run_data.pop("pipeline_version", None)
    if version_id is not None:
        version = PipelineVersion.objects.filter(pk=version_id, pipeline=pipeline).first()
        if version is None:
            raise DeploymentInvalid({"pipeline_version": ["Not a version of this pipeline."]})
    else:
        version, _ = freeze_version(pipeline, user)
    if errors := mapping_problems(version, spec.rule, spec.input_mappings, spec.output_mappings):
        raise DeploymentInvalid(errors)
    config, secret_ciphertext = _checked_config(version, run_data, user)
    deployment = Deployment.objects.create(
        project=pipeline.project,
        pipeline=pipeline,
        pipeline_version=version,
        name=spec.name,
        rule=spec.rule,
        enabled=spec.enabled,
        wait_seconds=spec.wait_seconds,
        rate_limit_per_minute=spec.rate_limit_per_minute,
        max_body_bytes=spec.max_body_bytes,
        input_mappings=spec.input_mappings,
        output_mappings=spec.output_mappings,
        config=config,
        secret_ciphertext=secret_ciphertext,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    token = None
    if spec.rule == DeploymentRule.PERIODIC:
        deployment.recurring_run = _schedule(pipeline, version, spec, user)
        deployment.save(update_fields=["recurring_run"])
    else:
        _, token = issue_token(deployment)
    return Created(deployment, token)


EDITABLE = frozenset(Limits.model_fields)


@transaction.atomic
def update_deployment(deployment: Deployment, changes: dict[str, Any]) -> Deployment:
    """Pause or resume it (`enabled`), or change its wait, rate limit or body limit."""
    deployment = Deployment.objects.select_for_update().get(pk=deployment.pk)
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise DeploymentInvalid(
            {name: ["This field cannot be changed; make a new deployment."] for name in unknown}
        )
    current = {field: getattr(deployment, field) for field in EDITABLE}
    limits: Limits = _validated(Limits, {**current, **changes})
    for field, value in limits.model_dump().items():
        setattr(deployment, field, value)
    deployment.save()
    if deployment.recurring_run_id is not None and "enabled" in changes:
        from runs.schedules import update_schedule

        assert deployment.recurring_run is not None
        update_schedule(deployment.recurring_run, {"enabled": deployment.enabled})
    return deployment


@transaction.atomic
def delete_deployment(deployment: Deployment) -> None:
    """Delete it, its tokens and call records, and its schedule; its runs stay."""
    schedule = deployment.recurring_run
    deployment.delete()
    if schedule is not None:
        schedule.delete()


def start_deployment_run(
    deployment: Deployment,
    call_values: dict[str, Any] | None = None,
    call_file: CallFile | None = None,
    *,
    name: str = "",
    recurring_run: RecurringRun | None = None,
) -> Run:
    """A run of the deployment's version with its mappings resolved now. Raises MappingBroken
    (the deployment's mappings cannot be resolved) or SubmitInvalid."""
    inputs, credentials = resolve_inputs(deployment, call_values, call_file)
    stamp = timezone.now().strftime("%Y-%m-%d %H:%M:%S.%f")
    config = parse_config(
        {
            **deployment.config,
            "name": name or f"{deployment.name} {stamp}",
            "inputs": inputs,
            "input_credentials": credentials,
            "pipeline_version": None,
        }
    )
    return create_run(
        deployment.pipeline,
        deployment.pipeline_version,
        config,
        deployment.created_by,
        inherited_secrets=decrypt_json(deployment.secret_ciphertext),
        recurring_run=recurring_run,
        deployment=deployment,
        secret_inputs=secret_input_keys(deployment),
    )


def start_scheduled_deployment(schedule: RecurringRun, name: str) -> Run | None:
    """The run of a tick of a periodic deployment's schedule (None: the schedule is not a
    deployment's). A mapping that cannot be resolved fails the tick (SubmitInvalid)."""
    deployment = Deployment.objects.filter(recurring_run=schedule).select_related("pipeline_version").first()
    if deployment is None:
        return None
    started = time.monotonic()
    try:
        with transaction.atomic():
            run = start_deployment_run(deployment, name=name, recurring_run=schedule)
    except (MappingBroken, SubmitInvalid) as exc:
        record_call(deployment, None, 500, started, str(exc))
        if isinstance(exc, MappingBroken):
            raise SubmitInvalid([Problem(str(exc))]) from exc
        raise
    record_call(deployment, run, 201, started)
    return run


def record_call(
    deployment: Deployment, run: Run | None, status_code: int, started: float, error: str = ""
) -> DeploymentCall:
    return DeploymentCall.objects.create(
        deployment=deployment,
        run=run,
        status_code=status_code,
        latency_ms=max(0, round((time.monotonic() - started) * 1000)),
        error=error[:2000],
    )

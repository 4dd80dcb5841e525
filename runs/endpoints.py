"""The public surface of endpoint deployments (docs/deployments.md):

- `POST /endpoints/<name>` with `Authorization: EndpointToken <token>` and a JSON object
  of inputs (or multipart/form-data: an `inputs` part holding that object, value parts,
  and one file) starts a run and waits up to the deployment's `wait_seconds` for it:
  200 `{"run_id", "state", "outputs"}` when it succeeded, 500 with the error when it
  failed, else 202 `{"run_id", "state", "poll_url"}`.
- `GET /endpoints/<name>/runs/<run id>` answers the same shape, without waiting.
- `GET /endpoints/<name>/artifacts/<id>` downloads a file output of one of its runs.

These are plain Django views: no session, no CSRF (a token is the only credential). The
call is an async view, so a call waiting for its run holds no thread; ORM work runs in
`sync_to_async`. A wrong or missing token is the same 401 whether the deployment exists,
is paused, or the token was revoked; a paused deployment says so (503) only to a caller
whose token is good. The rate limit is a per-deployment, per-minute counter in Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

import redis
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from editor.artifacts import open_artifact
from editor.models import Artifact
from runs.choices import RunState
from runs.deployments import record_call, start_deployment_run
from runs.events import group_name
from runs.mappings import (
    CallFile,
    CallInvalid,
    Kind,
    MappingBroken,
    call_problems,
    collect_outputs,
    endpoint_fields,
    step_inputs,
)
from runs.models import Deployment, Run
from runs.submit import SubmitInvalid
from runs.tokens import check, mark_used, token_from_header

logger = logging.getLogger(__name__)

INVALID_TOKEN = {"detail": "Invalid or missing endpoint token."}
# A waiting call looks at the database this often even when no event woke it.
RECHECK_SECONDS = 1.0
# ... and this often when the channel layer cannot be reached.
POLL_SECONDS = 0.25
# How long a call waits to join the run's event group before it falls back to polling.
SUBSCRIBE_SECONDS = 2.0


def _json(body: dict[str, Any], status: int, **headers: str) -> JsonResponse:
    response = JsonResponse(body, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def unauthorized() -> JsonResponse:
    """The one answer to a bad token, whatever else is true of the deployment."""
    return _json(INVALID_TOKEN, 401, WWW_Authenticate="EndpointToken")


def authenticate(name: str, authorization: str) -> Deployment | None:
    """The endpoint deployment `name` if the header carries one of its live tokens."""
    deployment = (
        Deployment.objects.filter(name=name, rule="endpoint")
        .select_related("pipeline", "pipeline_version", "created_by")
        .first()
    )
    token = check(deployment, token_from_header(authorization))
    if token is None:
        return None
    mark_used(token)
    return deployment


# --- rate limit --------------------------------------------------------------------


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def over_rate_limit(deployment: Deployment, now: float | None = None) -> int:
    """Count this call in the deployment's current minute; seconds until the next minute
    when the limit is passed (0: go ahead). Without Redis, calls are let through."""
    now = time.time() if now is None else now
    window = int(now // 60)
    # (its creation time too: a database restored or recreated can hand the same id out again)
    made = int(deployment.created_at.timestamp() * 1_000_000)
    key = f"pipewright:endpoint-calls:{deployment.pk}.{made}:{window}"
    try:
        pipe = _redis().pipeline()
        pipe.incr(key)
        pipe.expire(key, 120)
        count = int(pipe.execute()[0])
    except redis.RedisError:
        logger.warning("endpoint %s: rate limit not applied, Redis unreachable", deployment.name)
        return 0
    if count <= deployment.rate_limit_per_minute:
        return 0
    return max(1, math.ceil((window + 1) * 60 - now))


# --- reading the call --------------------------------------------------------------


def _form_value(text: str, type_: str) -> Any:
    if type_ == "str":
        return text
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):  # nested too deep to decode: kept as text
        return text


def read_call(request: HttpRequest, deployment: Deployment) -> tuple[dict[str, Any], CallFile | None]:
    """The values and the one file a call sent. Raises CallInvalid (400) or
    RequestDataTooBig (413)."""
    content_type = request.content_type or "application/json"
    if content_type == "multipart/form-data":
        files = [(field, upload) for field, uploads in request.FILES.lists() for upload in uploads]
        if sum(upload.size or 0 for _, upload in files) > deployment.max_body_bytes:
            raise RequestDataTooBig("the files are over the body limit")
        if len(files) > 1:
            raise CallInvalid({files[1][0]: ["A call takes one file."]})
        values: dict[str, Any] = {}
        if "inputs" in request.POST:
            values = _json_object(request.POST["inputs"], "inputs")
        fields = {caller: key for caller, (key, _) in endpoint_fields(deployment).items()}
        types = {key: item["type"] for key, item in step_inputs(deployment.pipeline_version).items()}
        for field in request.POST:
            if field != "inputs":
                text = str(request.POST[field])
                values[field] = _form_value(text, types.get(fields.get(field, ""), "json"))
        call_file = None
        if files:
            field, upload = files[0]
            call_file = CallFile(field, upload.name or field, upload, upload.content_type or "")
        return values, call_file
    # Anything else is read as JSON whatever it says it is (`curl -d` says form-urlencoded).
    body = request.body
    if len(body) > deployment.max_body_bytes:
        raise RequestDataTooBig("the body is over the limit")
    return (_json_object(body.decode("utf-8", errors="replace"), "body") if body.strip() else {}), None


def _json_object(text: str, where: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CallInvalid(
            {where: [f"Malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}."]}
        ) from exc
    except RecursionError:
        raise CallInvalid({where: ["Malformed JSON: nested too deeply."]}) from None
    if not isinstance(value, dict):
        raise CallInvalid({where: ["Must be a JSON object of inputs by name."]})
    return value


# --- answering ---------------------------------------------------------------------


def poll_url(request: HttpRequest, deployment: Deployment, run: Run) -> str:
    return request.build_absolute_uri(
        reverse("endpoint-run", kwargs={"name": deployment.name, "run_id": run.pk})
    )


def run_answer(request: HttpRequest, deployment: Deployment, run: Run) -> tuple[dict[str, Any], int]:
    """The body and status that tell a caller where the run stands."""
    body: dict[str, Any] = {"run_id": run.pk, "state": run.state}
    if run.state == RunState.SUCCEEDED:

        def download_url(artifact: Artifact) -> str:
            path = reverse("endpoint-artifact", kwargs={"name": deployment.name, "artifact_id": artifact.pk})
            return request.build_absolute_uri(path)

        body["outputs"] = collect_outputs(run, deployment, download_url)
        return body, 200
    if run.state in RunState.terminal():
        body["detail"] = f"The run {run.state}."
        body["error"] = run.error
        return body, 500
    body["poll_url"] = poll_url(request, deployment, run)
    return body, 202


@dataclass
class Started:
    deployment: Deployment
    run: Run | None = None
    response: HttpResponse | None = None


def start_call(request: HttpRequest, name: str, started: float) -> Started | HttpResponse:
    """Everything up to the run's start: the token, pause, limits, the inputs. An
    HttpResponse when the call ends here (recorded unless unauthenticated or rate limited)."""
    deployment = authenticate(name, request.headers.get("Authorization", ""))
    if deployment is None:
        return unauthorized()

    def refuse(
        status: int, detail: str, errors: dict[str, list[str]] | None = None, **headers: str
    ) -> Started:
        record_call(deployment, None, status, started, detail if not errors else json.dumps(errors))
        body: dict[str, Any] = {"detail": detail}
        if errors:
            body["errors"] = errors
        return Started(deployment, response=_json(body, status, **headers))

    if not deployment.enabled:
        return refuse(503, "This deployment is paused.")
    length = request.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > deployment.max_body_bytes:
        return refuse(413, f"The body is over this endpoint's limit of {deployment.max_body_bytes} bytes.")
    if retry_after := over_rate_limit(deployment):
        body = {"detail": f"Over this endpoint's limit of {deployment.rate_limit_per_minute} calls a minute."}
        return Started(deployment, response=_json(body, 429, Retry_After=str(retry_after)))
    try:
        values, call_file = read_call(request, deployment)
        if errors := call_problems(deployment, values, call_file):
            raise CallInvalid(errors)
        with transaction.atomic():
            run = start_deployment_run(deployment, values, call_file)
    except RequestDataTooBig:
        return refuse(413, f"The body is over this endpoint's limit of {deployment.max_body_bytes} bytes.")
    except CallInvalid as exc:
        return refuse(
            400, "Invalid inputs: " + "; ".join(m for ms in exc.errors.values() for m in ms), exc.errors
        )
    except SubmitInvalid as exc:
        return refuse(400, "The run cannot start: " + str(exc), {"run": [p.message for p in exc.problems]})
    except MappingBroken as exc:
        return refuse(500, f"The deployment cannot start a run: {exc}")
    return Started(deployment, run=run)


def _run_state(run_id: int) -> str:
    return str(Run.objects.filter(pk=run_id).values_list("state", flat=True).first() or "")


def finish_call(request: HttpRequest, outcome: Started, started: float) -> HttpResponse:
    assert outcome.run is not None
    outcome.run.refresh_from_db()
    body, status = run_answer(request, outcome.deployment, outcome.run)
    record_call(outcome.deployment, outcome.run, status, started, str(body.get("error") or ""))
    headers = {"Location": body["poll_url"]} if status == 202 else {}
    return _json(body, status, **headers)


async def wait_for_run(run_id: int, seconds: float) -> None:
    """Return when the run is finished or `seconds` have passed, holding no thread: woken by
    the run's events on the channel layer (a channel of this call's own, in the run's group),
    with a look at the database on each event and every RECHECK_SECONDS in case the layer
    dropped some (or cannot be reached: then it is polling alone)."""
    deadline = time.monotonic() + seconds
    layer = get_channel_layer()
    channel = ""
    if layer is not None:
        try:  # joined before the state is read, so the end cannot fall in between
            channel = await asyncio.wait_for(layer.new_channel("endpoint."), timeout=SUBSCRIBE_SECONDS)
            await asyncio.wait_for(layer.group_add(group_name(run_id), channel), timeout=SUBSCRIBE_SECONDS)
        except Exception:
            logger.warning("endpoint wait for run %s: no live events, polling", run_id, exc_info=True)
            layer = None
    receiving: asyncio.Future[Any] | None = None
    try:
        while (await sync_to_async(_run_state)(run_id)) not in RunState.terminal():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if layer is None:
                await asyncio.sleep(min(left, POLL_SECONDS))
                continue
            if receiving is None:
                receiving = asyncio.ensure_future(layer.receive(channel))
            done, _ = await asyncio.wait({receiving}, timeout=min(left, RECHECK_SECONDS))
            if done:
                if receiving.exception() is not None:  # the layer failed: poll from now on
                    layer = None
                receiving = None
    finally:
        if receiving is not None:
            receiving.cancel()
            with contextlib.suppress(BaseException):
                await receiving
        if layer is not None and channel:
            with contextlib.suppress(Exception):
                await layer.group_discard(group_name(run_id), channel)


@csrf_exempt
async def call_endpoint(request: HttpRequest, name: str) -> HttpResponse:
    """POST /endpoints/<name>: start a run with the call's inputs, answer its outputs."""
    if request.method != "POST":
        return _json({"detail": "Call an endpoint with POST."}, 405, Allow="POST")
    started = time.monotonic()
    outcome = await sync_to_async(start_call)(request, name, started)
    if isinstance(outcome, HttpResponse):
        return outcome
    if outcome.response is not None:
        return outcome.response
    assert outcome.run is not None
    left = started + outcome.deployment.wait_seconds - time.monotonic()
    if left > 0:
        await wait_for_run(outcome.run.pk, left)
    return await sync_to_async(finish_call)(request, outcome, started)


@require_GET
def endpoint_run(request: HttpRequest, name: str, run_id: int) -> HttpResponse:
    """GET /endpoints/<name>/runs/<run id>: where a call's run stands (its outputs when done)."""
    deployment = authenticate(name, request.headers.get("Authorization", ""))
    if deployment is None:
        return unauthorized()
    run = Run.objects.filter(pk=run_id, deployment=deployment).first()
    if run is None:
        return _json({"detail": "No such run of this deployment."}, 404)
    body, status = run_answer(request, deployment, run)
    return _json(body, status)


@require_GET
def endpoint_artifact(request: HttpRequest, name: str, artifact_id: int) -> HttpResponseBase:
    """GET /endpoints/<name>/artifacts/<id>: a file output the deployment returns to callers."""
    deployment = authenticate(name, request.headers.get("Authorization", ""))
    if deployment is None:
        return unauthorized()
    returned = {
        tuple(key.split(".", 1))
        for key, mapping in deployment.output_mappings.items()
        if mapping.get("kind") == Kind.ENDPOINT_VALUE
    }
    artifact = (
        Artifact.objects.filter(pk=artifact_id, produced_by__run__deployment=deployment)
        .select_related("produced_by__run", "storage_account")
        .first()
    )
    produced = artifact.produced_by if artifact is not None else None
    if (
        artifact is None
        or produced is None
        or not any(
            produced.node_id == node and (produced.outputs or {}).get(port, {}).get("artifact") == artifact.pk
            for node, port in returned
        )
    ):
        return _json({"detail": "No such file output of this deployment."}, 404)
    response = FileResponse(
        open_artifact(artifact),
        as_attachment=True,
        filename=artifact.name,
        content_type=artifact.content_type or "application/octet-stream",
    )
    response["X-Checksum-Sha256"] = artifact.checksum
    return response

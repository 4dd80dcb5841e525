"""A small client for Pipewright's REST API and its deployment endpoints (urllib only)."""

from __future__ import annotations

import json
import mimetypes
import os
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

TERMINAL = {"succeeded", "failed", "cancelled"}
POLL_SECONDS = 0.5


class PipewrightError(Exception):
    """The server refused a request: `status` and the parsed `body` say why
    (a 400's body names each field: ``{"inputs.dataset": ["..."]}``)."""

    def __init__(self, status: int, body: Any, url: str) -> None:
        self.status, self.body, self.url = status, body, url
        super().__init__(f"{status} from {url}: {_describe(body)}")


class RunFailed(PipewrightError):
    """The run ended without succeeding; `run` is its last state as the server gave it."""

    def __init__(self, run: Mapping[str, Any], url: str) -> None:
        self.run = dict(run)
        super().__init__(500, self.run, url)


def _describe(body: Any) -> str:
    if isinstance(body, dict):
        if "detail" in body and len(body) <= 2:
            return str(body["detail"])
        return "; ".join(f"{key}: {_describe(value)}" for key, value in body.items())
    if isinstance(body, list):
        return " ".join(_describe(item) for item in body)
    return str(body)


def _multipart(fields: Mapping[str, str], files: Mapping[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = f"pipewright-{uuid.uuid4().hex}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _file_part(file: str | Path | IO[bytes], name: str | None = None) -> tuple[str, bytes, str]:
    if isinstance(file, (str, Path)):
        path = Path(file)
        filename, content = path.name, path.read_bytes()
    else:
        filename, content = Path(getattr(file, "name", "upload")).name, file.read()
    filename = name or filename
    return filename, content, mimetypes.guess_type(filename)[0] or "application/octet-stream"


class Pipewright:
    """A Pipewright server, signed in with an API token (``Authorization: Token ...``).

    ``url`` and ``token`` default to ``PIPEWRIGHT_URL`` and ``PIPEWRIGHT_TOKEN``; or give
    ``username`` and ``password`` to get a token."""

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.url = (url or os.environ.get("PIPEWRIGHT_URL") or "http://127.0.0.1:8000").rstrip("/")
        self.timeout = timeout
        self.token = token or os.environ.get("PIPEWRIGHT_TOKEN") or ""
        if username is not None and password is not None:
            answer = self._send("POST", "/api/auth/token/", form={"username": username, "password": password})
            self.token = answer["token"]

    # --- transport ------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        form: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (200, 201, 202, 204),
    ) -> Any:
        url = path if path.startswith("http") else f"{self.url}{path}"
        sent = {"Accept": "application/json", **(headers or {})}
        if self.token and "Authorization" not in sent:
            sent["Authorization"] = f"Token {self.token}"
        data: bytes | None = None
        if files:
            data, sent["Content-Type"] = _multipart(form or {}, files)
        elif form is not None:
            data, sent["Content-Type"] = urlencode(form).encode(), "application/x-www-form-urlencoded"
        elif body is not None:
            data, sent["Content-Type"] = json.dumps(body).encode(), "application/json"
        request = Request(url, data=data, method=method, headers=sent)
        try:
            with urlopen(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except HTTPError as error:
            status, raw = error.code, error.read()
        except URLError as error:
            raise PipewrightError(0, f"could not reach {self.url}: {error.reason}", url) from error
        parsed: Any = None
        if raw:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = raw.decode("utf-8", errors="replace")
        if status not in ok:
            raise PipewrightError(status, parsed, url)
        return {"_status": status, **parsed} if isinstance(parsed, dict) and status == 202 else parsed

    def _all(self, path: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        next_url: str | None = f"{path}{'&' if '?' in path else '?'}limit=200"
        while next_url:
            page = self._send("GET", next_url)
            if isinstance(page, list):
                return page
            items.extend(page["results"])
            next_url = page.get("next")
        return items

    # --- pipelines and runs ---------------------------------------------------------

    def pipeline(self, name: str, project: int | None = None) -> dict[str, Any]:
        """The pipeline called `name` (in `project` when several projects have one)."""
        query = f"?project={project}" if project is not None else ""
        found = [item for item in self._all(f"/api/pipelines/{query}") if item["name"] == name]
        if not found:
            raise PipewrightError(404, {"detail": f"No pipeline named {name!r} that you can see."}, self.url)
        if len(found) > 1:
            projects = ", ".join(str(item["project"]) for item in found)
            raise PipewrightError(
                400,
                {"detail": f"Several pipelines are named {name!r} (projects {projects}): give project=."},
                self.url,
            )
        return found[0]

    def upload(self, project: int, file: str | Path | IO[bytes], name: str | None = None) -> dict[str, Any]:
        """Store a file as an artifact of `project` (for a pipeline input)."""
        part = _file_part(file, name)
        answer: dict[str, Any] = self._send(
            "POST", "/api/artifacts/", form={"project": str(project), "name": part[0]}, files={"file": part}
        )
        return answer

    def run_pipeline(
        self,
        pipeline_name: str,
        inputs: Mapping[str, Any] | None = None,
        params: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        project: int | None = None,
        name: str = "",
        wait: bool = True,
        timeout: float = 3600.0,
        **config: Any,
    ) -> dict[str, Any]:
        """Start a run of the pipeline's current version and (with `wait`) return its outputs:
        ``{"node.port": value}``, artifacts as ``{"artifact", "name", "size", "download_url"}``.

        `inputs` maps each pipeline input to a value, or to a file (a path or an open binary
        file, uploaded first); `params` is ``{node: {param: value}}``; other keywords go into
        the execution config as in the execute dialog (``compute=``, ``storage=``,
        ``experiment=``...). Raises RunFailed when the run does not succeed."""
        pipeline = self.pipeline(pipeline_name, project)
        given: dict[str, Any] = {}
        for key, value in (inputs or {}).items():
            if isinstance(value, (Path,)) or hasattr(value, "read"):
                given[key] = {"artifact": self.upload(pipeline["project"], value)["id"]}
            else:
                given[key] = {"value": value}
        body = {
            "pipeline": pipeline["id"],
            "name": name,
            "inputs": given,
            "params": dict(params or {}),
            **config,
        }
        run = self._send("POST", "/api/runs/", body=body)
        if not wait:
            return {"run_id": run["id"], "state": run["state"]}
        run = self.wait_for_run(run["id"], timeout)
        return self.run_outputs(run)

    def wait_for_run(self, run_id: int, timeout: float = 3600.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            run: dict[str, Any] = self._send("GET", f"/api/runs/{run_id}/")
            if run["state"] in TERMINAL:
                if run["state"] != "succeeded":
                    raise RunFailed(run, f"{self.url}/api/runs/{run_id}/")
                return run
            if time.monotonic() > deadline:
                raise TimeoutError(f"run {run_id} still {run['state']} after {timeout:.0f} s")
            time.sleep(POLL_SECONDS)

    def run_outputs(self, run: Mapping[str, Any]) -> dict[str, Any]:
        outputs: dict[str, Any] = {}
        for node in run.get("node_runs", []):
            for port, produced in (node.get("outputs") or {}).items():
                key = f"{node['node_id']}.{port}"
                if "value" in produced:  # a small value is kept inline (its file too)
                    outputs[key] = produced["value"]
                elif "artifact" in produced:
                    artifact = self._send("GET", f"/api/artifacts/{produced['artifact']}/")
                    outputs[key] = {
                        "artifact": artifact["id"],
                        "name": artifact["name"],
                        "size": artifact.get("size"),
                        "download_url": f"{self.url}/api/artifacts/{artifact['id']}/download/",
                    }
        return outputs

    def download(self, url: str, to: str | Path) -> Path:
        """Save an artifact (its `download_url`) to a file."""
        headers = {"Authorization": f"Token {self.token}"} if self.token else {}
        with urlopen(Request(url, headers=headers), timeout=self.timeout) as response:
            Path(to).write_bytes(response.read())
        return Path(to)

    # --- deployments ----------------------------------------------------------------

    def create_deployment(
        self,
        pipeline_name: str,
        name: str,
        *,
        rule: str = "endpoint",
        input_mappings: Mapping[str, Any] | None = None,
        output_mappings: Mapping[str, Any] | None = None,
        schedule: Mapping[str, Any] | None = None,
        project: int | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        """Deploy the pipeline's current version. For an endpoint the answer carries its `url`
        and its `token`, shown this once: keep it. `schedule` (periodic) is
        ``{"cron": "0 2 * * *", "timezone": "Europe/Paris"}``."""
        pipeline = self.pipeline(pipeline_name, project)
        body = {
            "pipeline": pipeline["id"],
            "name": name,
            "rule": rule,
            "input_mappings": dict(input_mappings or {}),
            "output_mappings": dict(output_mappings or {}),
            **({"schedule": dict(schedule)} if schedule is not None else {}),
            **options,
        }
        answer: dict[str, Any] = self._send("POST", "/api/deployments/", body=body)
        return answer

    def create_or_update_environment_variable(
        self, name: str, value: str, *, secret: bool = False, project: int | None = None
    ) -> dict[str, Any]:
        """Set a project's environment variable (read by deployments' mappings at trigger
        time); secret ones are stored encrypted and never returned."""
        project = project if project is not None else self._only_project()
        existing = [
            item
            for item in self._all(f"/api/environment-variables/?project={project}")
            if item["name"] == name
        ]
        if existing:
            answer: dict[str, Any] = self._send(
                "PATCH",
                f"/api/environment-variables/{existing[0]['id']}/",
                body={"value": value, "secret": secret},
            )
            return answer
        body = {"project": project, "name": name, "value": value, "secret": secret}
        created: dict[str, Any] = self._send("POST", "/api/environment-variables/", body=body)
        return created

    def _only_project(self) -> int:
        projects = self._all("/api/projects/")
        if len(projects) != 1:
            names = ", ".join(f"{item['id']} ({item['name']})" for item in projects)
            raise PipewrightError(
                400, {"detail": f"Give project=: you are in several projects: {names}."}, self.url
            )
        return int(projects[0]["id"])

    def trigger_endpoint(
        self,
        endpoint_name: str,
        endpoint_token: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        file: tuple[str, str | Path | IO[bytes]] | None = None,
        wait: bool = True,
        timeout: float = 3600.0,
    ) -> dict[str, Any]:
        """Call an endpoint deployment: ``{"run_id", "outputs"}`` once its run is done (the
        call is polled when the server answers 202). `file` is ``(field name, path or file)``
        for an endpoint-file input. No API token is needed, only the endpoint's."""
        path = f"/endpoints/{quote(endpoint_name)}"
        headers = {"Authorization": f"EndpointToken {endpoint_token}"}
        if file is not None:
            field, source = file
            answer = self._send(
                "POST",
                path,
                form={"inputs": json.dumps(dict(inputs or {}))},
                files={field: _file_part(source)},
                headers=headers,
            )
        else:
            answer = self._send("POST", path, body=dict(inputs or {}), headers=headers)
        deadline = time.monotonic() + timeout
        while wait and answer.get("_status") == 202:
            if time.monotonic() > deadline:
                raise TimeoutError(f"endpoint run {answer['run_id']} not done after {timeout:.0f} s")
            time.sleep(POLL_SECONDS)
            answer = self._send("GET", answer["poll_url"], headers=headers)
        answer.pop("_status", None)
        result: dict[str, Any] = answer
        return result


# --- module-level shortcuts (a client from PIPEWRIGHT_URL and PIPEWRIGHT_TOKEN) ------


def _default() -> Pipewright:
    return Pipewright()


def run_pipeline(
    pipeline_name: str, inputs: Mapping[str, Any] | None = None, **options: Any
) -> dict[str, Any]:
    return _default().run_pipeline(pipeline_name, inputs, **options)


def create_deployment(pipeline_name: str, name: str, **options: Any) -> dict[str, Any]:
    return _default().create_deployment(pipeline_name, name, **options)


def trigger_endpoint(
    endpoint_name: str, endpoint_token: str, inputs: Mapping[str, Any] | None = None, **options: Any
) -> dict[str, Any]:
    return _default().trigger_endpoint(endpoint_name, endpoint_token, inputs, **options)


def create_or_update_environment_variable(name: str, value: str, **options: Any) -> dict[str, Any]:
    return _default().create_or_update_environment_variable(name, value, **options)

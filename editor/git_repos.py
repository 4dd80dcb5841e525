"""Git-backed pipeline repositories: sync imports every `<path>/*/main.yml` of a branch,
push writes a pipeline back as a commit.

Everything goes through the `git` CLI (argv lists, no shell, no prompts, a timeout).
Credentials never appear in a URL, an argv or a message: they reach git as an
`http.extraHeader` given through `GIT_CONFIG_*` environment variables.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from editor.models import GitRepository, Pipeline, PipelineVersion
from editor.yaml_pipelines import (
    MAIN_FILES,
    ExportInvalid,
    ImportInvalid,
    Problem,
    export_yaml,
    import_files,
    read_directory,
    write_directory,
)

REMOTE_PROTOCOLS = "https:http:ssh:git"
SHA = re.compile(r"^[0-9a-f]{40,64}$")


class SyncFailed(Exception):
    """The repository could not be read (unreachable, refused, no such branch or path)."""


class PushFailed(Exception):
    """A pipeline could not be written back (cannot be said as YAML, or git refused)."""


@dataclass
class SyncReport:
    commit: str
    imported: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"commit": self.commit, "imported": self.imported, "problems": self.problems}


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "file":
        return True
    if parts.scheme:
        return False
    return not re.match(r"^[\w.-]+@[\w.-]+:", url)  # scp-like ssh (git@host:repo) is remote


def url_problem(url: str) -> str:
    """Why `url` cannot be a repository's URL, or ""."""
    url = url.strip()
    if not url:
        return "give the repository's URL"
    if url.startswith("-") or any(c.isspace() or ord(c) < 32 for c in url):
        return "not a URL"
    parts = urlsplit(url)
    if parts.scheme and parts.scheme not in ("https", "http", "ssh", "git", "file"):
        return f"{parts.scheme}:// URLs are not taken; use https, http, ssh or git"
    if parts.scheme in ("https", "http") and (parts.username or parts.password):
        return "put credentials in the repository's secret, not in its URL"
    if is_local(url) and not settings.PIPEWRIGHT_GIT_ALLOW_LOCAL:
        return "local paths and file:// URLs are off on this server (PIPEWRIGHT_GIT_ALLOW_LOCAL)"
    return ""


def path_problem(path: str) -> str:
    parts = [p for p in path.strip("/").split("/") if p]
    if any(p in (".", "..", ".git") for p in parts) or "\\" in path:
        return "a folder inside the repository, without `..`"
    return ""


def _auth_header(secrets: dict[str, str]) -> str:
    password = secrets.get("password") or secrets.get("token") or ""
    if not password:
        return ""
    username = secrets.get("username") or "x-access-token"
    basic = base64.b64encode(f"{username}:{password}".encode()).decode()
    return f"Authorization: Basic {basic}"


class _Git:
    """git commands for one repository, with its credentials in the environment only."""

    def __init__(self, repository: GitRepository) -> None:
        from credentials.crypto import CredentialsUnreadable

        self.repository = repository
        try:
            secrets = repository.secrets()
        except CredentialsUnreadable as exc:
            raise SyncFailed(f"the repository's secret: {exc}") from exc
        self.hidden = [v for v in secrets.values() if v]
        header = _auth_header(secrets)
        if header:
            self.hidden.append(header.split()[-1])
        protocols = REMOTE_PROTOCOLS + (":file" if settings.PIPEWRIGHT_GIT_ALLOW_LOCAL else "")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "true",
            "SSH_ASKPASS": "true",
            "GIT_ALLOW_PROTOCOL": protocols,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_SSH_COMMAND": "ssh -o BatchMode=yes",
            "LC_ALL": "C",
        }
        config = {"core.hooksPath": "/dev/null", "credential.helper": ""}
        if header:
            config["http.extraHeader"] = header
        self.env["GIT_CONFIG_COUNT"] = str(len(config))
        for index, (key, value) in enumerate(config.items()):
            self.env[f"GIT_CONFIG_KEY_{index}"] = key
            self.env[f"GIT_CONFIG_VALUE_{index}"] = value

    def clean(self, text: str) -> str:
        for secret in self.hidden:
            text = text.replace(secret, "***")
        return text.strip()

    def __call__(
        self, *args: str, cwd: str | Path | None = None, extra_env: dict[str, str] | None = None
    ) -> str:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=cwd,
                env={**self.env, **(extra_env or {})},
                capture_output=True,
                text=True,
                timeout=settings.PIPEWRIGHT_GIT_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise SyncFailed(
                f"git {args[0]} took longer than {settings.PIPEWRIGHT_GIT_TIMEOUT_SECONDS:g} s"
            ) from None
        except FileNotFoundError:
            raise SyncFailed("git is not installed on this server") from None
        if done.returncode != 0:
            lines = [
                re.sub(r"^(fatal|error): ", "", line.strip())
                for line in self.clean(done.stderr).splitlines()
                if line.strip() and not line.startswith(("hint:", "warning:"))
            ]
            why = "; ".join(lines[-3:]) or f"exit status {done.returncode}"
            raise SyncFailed(f"git {args[0]} failed: {why}")
        return done.stdout

    def clone(self, target: Path) -> str:
        """A shallow clone of the branch into `target`; its commit."""
        repository = self.repository
        if problem := url_problem(repository.url):
            raise SyncFailed(f"url: {problem}")
        try:
            self(
                "clone", "--quiet", "--depth", "1", "--single-branch", "--branch", repository.branch,
                "--", repository.url, str(target),
            )  # fmt: skip
        except SyncFailed as exc:
            raise SyncFailed(
                f"cannot read {repository.url} (branch {repository.branch}): {str(exc).split(': ', 1)[-1]}"
            ) from None
        return self("rev-parse", "HEAD", cwd=target).strip()


def _root(clone: Path, repository: GitRepository) -> Path:
    if problem := path_problem(repository.path):
        raise SyncFailed(f"path: {problem}")
    root = clone / repository.path.strip("/") if repository.path.strip("/") else clone
    # The folder (or one above it) may be a link the repository holds: never read through it.
    if not root.resolve().is_relative_to(clone.resolve()):
        raise SyncFailed(f"the folder {repository.path!r} links outside the repository: links are not taken")
    if not root.is_dir():
        raise SyncFailed(f"the branch {repository.branch} has no folder {repository.path!r}")
    return root


def _fail(repository: GitRepository, message: str) -> None:
    GitRepository.objects.filter(pk=repository.pk).update(last_error=message, updated_at=timezone.now())
    repository.last_error = message


def _record_commit(version: PipelineVersion, commit: str) -> None:
    """The first commit a version's content came from (or went to) stays its commit."""
    if not version.git_commit:
        PipelineVersion.objects.filter(pk=version.pk).update(git_commit=commit)
        version.git_commit = commit


def sync(repository: GitRepository, user: Any = None) -> SyncReport:
    """Import every `<path>/*/main.yml` of the branch's head; SyncFailed (recorded in
    last_error) when the repository cannot be read, with nothing changed. A folder whose
    YAML is wrong is reported (file and line) and the others still import."""
    user = user if user is not None else repository.created_by
    with tempfile.TemporaryDirectory(prefix="pipewright-git-") as tmp:
        clone = Path(tmp) / "repo"
        try:
            git = _Git(repository)
            commit = git.clone(clone)
            root = _root(clone, repository)
        except SyncFailed as exc:
            _fail(repository, str(exc))
            raise
        report = SyncReport(commit=commit)
        prefix = repository.path.strip("/")
        folders = sorted({p.parent for main in MAIN_FILES for p in root.glob(f"*/{main}")})
        seen: dict[str, str] = {}
        for folder in folders:
            where = f"{prefix}/{folder.name}" if prefix else folder.name
            try:
                if folder.is_symlink():
                    raise ImportInvalid([{"file": "", "line": None, "message": "links are not taken"}])
                with transaction.atomic():
                    pipeline = _import_folder(repository, folder, user, commit, seen)
            except ImportInvalid as exc:
                report.problems += [
                    {**p, "file": f"{where}/{p['file']}" if p["file"] else where} for p in exc.problems
                ]
                continue
            version = pipeline.versions.order_by("-number").first()
            report.imported.append(
                {
                    "folder": folder.name,
                    "pipeline": pipeline.pk,
                    "name": pipeline.name,
                    "version": version.number if version else None,
                    "git_commit": version.git_commit if version else None,
                }
            )
    GitRepository.objects.filter(pk=repository.pk).update(
        last_commit=commit, last_synced_at=timezone.now(), last_error="", updated_at=timezone.now()
    )
    repository.refresh_from_db()
    return report


def _refused(message: str) -> ImportInvalid:
    return ImportInvalid([{"file": "main.yml", "line": None, "message": message}])


def _import_folder(
    repository: GitRepository, folder: Path, user: Any, commit: str, seen: dict[str, str]
) -> Pipeline:
    files = read_directory(folder)
    pipeline, version = import_files(repository.project, files, user)
    if pipeline.name in seen:
        raise _refused(f"{seen[pipeline.name]} already names the pipeline {pipeline.name!r}")
    if pipeline.repository_id not in (None, repository.pk):
        raise _refused(f"the pipeline {pipeline.name!r} comes from another repository of the project")
    seen[pipeline.name] = folder.name
    Pipeline.objects.filter(pk=pipeline.pk).update(repository=repository, repository_folder=folder.name)
    pipeline.repository, pipeline.repository_folder = repository, folder.name
    _record_commit(version, commit)
    return pipeline


def _author(user: Any) -> dict[str, str]:
    name = (user.get_full_name() or user.get_username()) if user is not None else "Pipewright"
    email = (getattr(user, "email", "") or f"{user.get_username()}@pipewright.invalid") if user else ""
    email = email or "pipewright@pipewright.invalid"
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }


def push(repository: GitRepository, pipeline: Pipeline, user: Any, message: str | None = None) -> str:
    """Freeze the pipeline, write it as YAML into `<path>/<its folder>/` of the branch and
    push that as a commit authored by `user`; the commit (also the version's git_commit).
    Nothing to change: the branch's head. PushFailed says why it could not."""
    from editor.pipelines import freeze_version

    if pipeline.project_id != repository.project_id:
        raise PushFailed("the pipeline belongs to another project")
    if pipeline.repository_id not in (None, repository.pk):
        raise PushFailed("the pipeline comes from another repository")
    folder = pipeline.repository_folder or slugify(pipeline.name) or f"pipeline-{pipeline.pk}"
    version, _ = freeze_version(pipeline, user)
    try:
        files = export_yaml(version)
    except ExportInvalid as exc:
        raise PushFailed("; ".join(exc.problems)) from exc
    with tempfile.TemporaryDirectory(prefix="pipewright-git-") as tmp:
        clone = Path(tmp) / "repo"
        try:
            git = _Git(repository)
            git.clone(clone)
            root = _root(clone, repository)
            target = root / folder
            relative = target.relative_to(clone).as_posix()
            git("rm", "-r", "--quiet", "--ignore-unmatch", "--", relative, cwd=clone)
            write_directory(files, target)
            git("add", "--all", "--", relative, cwd=clone)
            changed = bool(git("status", "--porcelain", "--", relative, cwd=clone).strip())
            if not changed:
                commit = git("rev-parse", "HEAD", cwd=clone).strip()
            else:
                text = message or f"Update {pipeline.name} (version {version.number}) from Pipewright"
                git("commit", "--quiet", "--no-verify", "-m", text, cwd=clone, extra_env=_author(user))
                commit = git("rev-parse", "HEAD", cwd=clone).strip()
                git("push", "--quiet", "origin", f"HEAD:refs/heads/{repository.branch}", cwd=clone)
        except SyncFailed as exc:
            raise PushFailed(str(exc)) from exc
        except ExportInvalid as exc:
            raise PushFailed("; ".join(exc.problems)) from exc
    if not changed:  # the branch already holds this content: its first commit stays
        _record_commit(version, commit)
    else:
        PipelineVersion.objects.filter(pk=version.pk).update(git_commit=commit)
        version.git_commit = commit
    Pipeline.objects.filter(pk=pipeline.pk).update(repository=repository, repository_folder=folder)
    pipeline.repository, pipeline.repository_folder = repository, folder
    GitRepository.objects.filter(pk=repository.pk).update(last_commit=commit, updated_at=timezone.now())
    return commit

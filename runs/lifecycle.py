"""Managing finished work: archive, restore, delete, file into an experiment, clone."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from credentials.backends import KINDS
from editor.artifacts import storage_of
from editor.models import Artifact
from runs.choices import RunState
from runs.models import Experiment, Run
from runs.presets import run_inputs
from runs.submit import unique_run_name


class RunBusy(Exception):
    """The run is still pending or running: cancel it first."""


class NotAnExperiment(ValueError):
    """The experiment named is not one of the run's project."""


def archive_run(run: Run) -> Run:
    if run.archived_at is None:
        run.archived_at = timezone.now()
        run.save(update_fields=["archived_at"])
    return run


def restore_run(run: Run) -> Run:
    if run.archived_at is not None:
        run.archived_at = None
        run.save(update_fields=["archived_at"])
    return run


def file_into_experiment(run: Run, experiment_id: int | None) -> Run:
    """File the run into an experiment of its project, or (None) take it out of any."""
    if (
        experiment_id is not None
        and not Experiment.objects.filter(pk=experiment_id, project=run.project_id).exists()
    ):
        raise NotAnExperiment(f"{experiment_id} is not an experiment of this project")
    run.experiment_id = experiment_id
    run.save(update_fields=["experiment"])
    return run


def deletion_summary(run: Run) -> dict[str, int]:
    """What deleting the run removes."""
    return {
        "node_runs": run.node_runs.count(),
        "events": run.events.count(),
        "artifacts": Artifact.objects.filter(produced_by__run=run).count(),
    }


def delete_run(run: Run) -> dict[str, int]:
    """Delete a finished run with its node runs, events and the artifacts it produced
    (their files too, once the rows are gone). A pending or running run is refused."""
    with transaction.atomic():
        locked = Run.objects.select_for_update().get(pk=run.pk)
        if locked.state in RunState.active():
            raise RunBusy(f"The run is {locked.state}: cancel it first, then delete it.")
        summary = deletion_summary(locked)
        artifacts = list(
            Artifact.objects.filter(produced_by__run=locked).select_related(
                "storage_account", "produced_by__run"
            )
        )
        # Storage is opened now: the secrets it may need go with the run.
        files = [(storage_of(artifact), artifact.location) for artifact in artifacts]
        Artifact.objects.filter(pk__in=[artifact.pk for artifact in artifacts]).delete()
        locked.delete()

        def remove_files() -> None:
            for storage, location in files:
                try:
                    storage.delete(location)
                except Exception:  # a file already gone leaves nothing to do
                    continue

        transaction.on_commit(remove_files)
    return summary


def clone_setup(run: Run) -> dict[str, Any]:
    """What the execute dialog needs to start a run like this one: the same pipeline
    version, inputs, parameters, public backend choices (never the secrets typed in for
    it), debug and experiment, and a free name."""
    config = run.config or {}
    choices = {}
    for kind in KINDS:
        choice = config.get(kind) or {}
        choices[kind] = {
            "backend": choice.get("backend", "local"),
            "options": dict(choice.get("options") or {}),
            "account": choice.get("account"),
        }
    return {
        "cloned_from": run.pk,
        "pipeline": run.pipeline_id,
        "pipeline_version": run.pipeline_version_id,
        "name": run.name,
        "run_name": unique_run_name(run.pipeline, run.name),
        "debug": run.debug,
        "experiment": run.experiment_id,
        "params": config.get("params") or {},
        # secret values (runs/secret_inputs.py) are not copied: they are given again
        "inputs": {k: given for k, given in (config.get("inputs") or {}).items() if "secret" not in given},
        "run_inputs": run_inputs(run.pipeline_version.graph),
        "compute": choices["compute"],
        "storage": choices["storage"],
        "secrets_dropped": bool(run.secret_ciphertext),
    }

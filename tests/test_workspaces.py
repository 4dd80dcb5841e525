"""Run workspaces (`${RUN_PATH}`) are removed some time after their run ends (runs/workspaces.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from runs.choices import RunState
from runs.models import Run
from runs.submit import submit_run
from runs.workspaces import prune_workspaces

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(project, owner, make_op, make_graph_pipeline):
    """Four runs (not dispatched: no worker): running, ended just now, ended two days ago, deleted."""
    pipeline = make_graph_pipeline(project, {"a": make_op(project, "noop", "def run():\n    return {}\n")})
    names = ("running", "recent", "old", "deleted")
    made = {name: submit_run(pipeline, {"name": name}, owner) for name in names}
    now = timezone.now()
    Run.objects.filter(pk=made["running"].pk).update(state=RunState.RUNNING)
    Run.objects.filter(pk=made["recent"].pk).update(state=RunState.FAILED, finished_at=now)
    Run.objects.filter(pk=made["old"].pk).update(
        state=RunState.SUCCEEDED, finished_at=now - timedelta(days=2)
    )
    deleted_id = made["deleted"].pk
    Run.objects.filter(pk=deleted_id).delete()
    return {name: run.pk if name != "deleted" else deleted_id for name, run in made.items()}


def test_only_the_workspaces_of_runs_ended_long_ago_or_gone_are_removed(tmp_path, runs):
    for run_id in runs.values():
        (tmp_path / f"run-{run_id}" / "sub").mkdir(parents=True)
        (tmp_path / f"run-{run_id}" / "sub" / "scratch.bin").write_bytes(b"x" * 10)
    (tmp_path / "notes").mkdir()  # not a run's: left alone

    removed = prune_workspaces(tmp_path, keep_seconds=86400)

    assert sorted(removed) == sorted([runs["old"], runs["deleted"]])
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["notes", f"run-{runs['running']}", f"run-{runs['recent']}"])


def test_with_no_workspaces_folder_nothing_happens(tmp_path):
    assert prune_workspaces(tmp_path / "missing", keep_seconds=0) == []

"""A node's log is appended to in the database and kept to its tail."""

import pytest

from runs.watch import append_log

pytestmark = pytest.mark.django_db


def test_the_log_keeps_only_its_last_characters(project, make_pipeline, teammate, settings, monkeypatch):
    from runs import tasks
    from runs.submit import submit_run

    monkeypatch.setattr(tasks.advance_run, "delay", lambda *args: None)
    settings.PIPEWRIGHT_LOG_TAIL_BYTES = 20
    run = submit_run(make_pipeline(project, [("data", "make_dataset")]), {}, teammate)
    node_run = run.node_runs.get()

    append_log(node_run.pk, "line 1\n")
    append_log(node_run.pk, "line 2\n")
    node_run.refresh_from_db()
    assert node_run.log == "line 1\nline 2\n"

    append_log(node_run.pk, "line 3\nline 4\n")
    node_run.refresh_from_db()
    assert node_run.log.endswith("line 3\nline 4\n") and len(node_run.log) == 20

"""`::pipewright progress|metric` log lines (runs/log_markers.py): what counts as one."""

import json

import pytest

from runs import log_markers


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("::pipewright progress 0.4", ("progress", {"value": 0.4})),
        ("::pipewright progress 7", ("progress", {"value": 1.0})),  # clamped to [0, 1]
        ("::pipewright progress -1", ("progress", {"value": 0.0})),
        ("::pipewright metric loss 0.31", ("metric", {"name": "loss", "value": 0.31, "step": None})),
        ("::pipewright metric loss 0.31 step=3", ("metric", {"name": "loss", "value": 0.31, "step": 3})),
    ],
)
def test_a_marker_line_is_read(line, expected):
    assert log_markers.parse(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "progress 0.4",  # no prefix
        "  ::pipewright progress 0.4",  # not at the start of the line
        "::pipewright progress half",
        "::pipewright progress nan",
        "::pipewright metric loss inf",
        "::pipewright metric bad-name 1",
        "::pipewright metric loss 1 epoch=3",
        "::pipewright metric loss 1 step=x",
        "::pipewright metric loss",
        "::pipewright launch rockets",
    ],
)
def test_anything_else_is_only_a_log_line(line):
    assert log_markers.parse(line) is None


def test_markers_become_what_ctx_writes(tmp_path):
    lines = [
        "epoch 1",
        "::pipewright metric loss 0.9 step=1",
        "::pipewright progress 0.2",
        "::pipewright metric loss 0.5 step=2",
        "::pipewright progress 0.6",
    ]
    log_markers.apply(lines, tmp_path)

    assert (tmp_path / "progress").read_text() == "0.6000"  # the last one wins
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [(r["name"], r["step"], r["value"]) for r in records] == [("loss", 1, 0.9), ("loss", 2, 0.5)]


def test_a_vanished_work_dir_is_not_an_error(tmp_path):
    log_markers.apply(["::pipewright progress 0.5"], tmp_path / "gone")

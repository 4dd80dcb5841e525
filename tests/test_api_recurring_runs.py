"""The recurring runs API: create from the execute dialog's body, errors by field, edit,
pause, ticks, the runs a schedule produced, and who may do what."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from credentials.crypto import decrypt_json
from runs.models import RecurringRun, Run, TickOutcome
from runs.schedules import fire

pytestmark = pytest.mark.django_db


def fire_next(schedule, at: dt.datetime | None = None) -> Any:
    """Fire the schedule's due tick (or what is due at `at`); the tick, which must come."""
    schedule.refresh_from_db()
    tick = fire(schedule.pk, at or schedule.next_fire_at)
    assert tick is not None, "nothing was due"
    return tick


@pytest.fixture
def blobs(project, make_pipeline):
    return make_pipeline(project, [("data", "make_dataset")], name="Blobs")


def create(client, pipeline, schedule, **config):
    return client.post(
        "/api/recurring-runs/", {"pipeline": pipeline.pk, "schedule": schedule, **config}, format="json"
    )


def test_a_recurring_run_is_created_from_the_run_body_plus_a_schedule(client_for, teammate, blobs):
    response = create(
        client_for(teammate),
        blobs,
        {
            "name": "Nightly",
            "trigger": "cron",
            "cron": "0 2 * * *",
            "timezone": "Europe/Paris",
            "max_concurrent": 2,
        },
        params={"data": {"n_samples": 80}},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Nightly"
    assert body["pipeline_name"] == "Blobs"
    assert body["version_number"] == 1
    assert body["config"]["params"] == {"data": {"n_samples": 80}}
    assert body["max_concurrent"] == 2
    assert len(body["next_fire_times"]) == 5
    first = dt.datetime.fromisoformat(body["next_fire_times"][0])
    # 02:00 in Paris is 01:00 UTC in November
    assert (first.astimezone(dt.UTC).hour, first.minute) == (1, 0)
    assert body["next_fire_at"] == body["next_fire_times"][0]
    assert body["run_count"] == 0 and body["enabled"] is True


def test_schedule_problems_come_back_by_field_and_nothing_is_saved(client_for, teammate, blobs):
    response = create(
        client_for(teammate), blobs, {"trigger": "cron", "cron": "every day", "timezone": "Nowhere"}
    )
    assert response.status_code == 400
    errors = response.json()["schedule"]
    assert "five fields" in errors["cron"][0]
    assert "Unknown time zone" in errors["timezone"][0]
    assert RecurringRun.objects.count() == 0


def test_run_config_problems_come_back_as_for_a_run(client_for, teammate, blobs):
    response = create(
        client_for(teammate),
        blobs,
        {"trigger": "interval", "interval_seconds": 3600},
        params={"data": {"n_samples": "many"}},
        storage={"backend": "nowhere"},
    )
    assert response.status_code == 400
    errors = response.json()
    assert "graph" in errors and "storage" in errors
    assert RecurringRun.objects.count() == 0


def test_two_recurring_runs_of_a_pipeline_cannot_share_a_name(client_for, teammate, blobs):
    client = client_for(teammate)
    assert create(client, blobs, {"name": "Hourly", "interval_seconds": 3600}).status_code == 201
    response = create(client, blobs, {"name": "Hourly", "interval_seconds": 7200})
    assert response.status_code == 400
    assert "already has a recurring run named 'Hourly'" in response.json()["schedule"]["name"][0]


def test_typed_in_secrets_are_kept_encrypted_and_never_returned(client_for, teammate, blobs):
    secret = "s3cr3t-never-shown"
    response = create(
        client_for(teammate),
        blobs,
        {"interval_seconds": 3600},
        storage={
            "backend": "s3",
            "options": {
                "endpoint": "http://127.0.0.1:9",
                "bucket": "nightly-runs",
                "access_key": "k",
                "secret_key": secret,
            },
        },
    )
    assert response.status_code == 201, response.json()
    assert secret not in response.content.decode()
    schedule = RecurringRun.objects.get()
    assert secret not in str(schedule.config)
    assert decrypt_json(schedule.secret_ciphertext)["storage"]["secret_key"] == secret
    # the runs it starts get the secret the same way
    tick = fire_next(schedule)
    assert tick.outcome == TickOutcome.STARTED
    assert tick.run.backend_secrets("storage")["secret_key"] == secret
    assert secret not in str(tick.run.config)


def test_editing_pausing_and_the_preview(client_for, teammate, blobs):
    client = client_for(teammate)
    schedule = create(client, blobs, {"name": "Hourly", "interval_seconds": 3600}).json()

    response = client.patch(
        f"/api/recurring-runs/{schedule['id']}/", {"trigger": "cron", "cron": "15 * * * *"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert all(":15:00" in tick for tick in response.json()["next_fire_times"])

    response = client.patch(f"/api/recurring-runs/{schedule['id']}/", {"cron": "15 * *"}, format="json")
    assert response.status_code == 400
    assert "cron" in response.json()

    response = client.patch(f"/api/recurring-runs/{schedule['id']}/", {"enabled": False}, format="json")
    assert response.json()["enabled"] is False
    assert response.json()["next_fire_at"] is None and response.json()["next_fire_times"] == []

    response = client.patch(f"/api/recurring-runs/{schedule['id']}/", {"pipeline_version": 3}, format="json")
    assert response.status_code == 400
    assert "pipeline_version" in response.json()

    preview = client.post(
        "/api/recurring-runs/preview/", {"trigger": "interval", "interval_seconds": 86400}, format="json"
    )
    assert preview.status_code == 200
    assert len(preview.json()["next_fire_times"]) == 5
    refused = client.post(
        "/api/recurring-runs/preview/", {"trigger": "interval", "interval_seconds": 1}, format="json"
    )
    assert refused.status_code == 400 and "interval_seconds" in refused.json()


def test_ticks_and_the_runs_a_schedule_produced(client_for, teammate, blobs):
    client = client_for(teammate)
    schedule = RecurringRun.objects.get(
        pk=create(client, blobs, {"name": "Hourly", "interval_seconds": 3600}).json()["id"]
    )
    started = fire_next(schedule)
    schedule.refresh_from_db()
    skipped = fire_next(schedule)  # the first run is still pending

    ticks = client.get(f"/api/recurring-runs/{schedule.pk}/ticks/").json()["results"]
    assert [tick["outcome"] for tick in ticks] == ["skipped", "started"]
    assert ticks[1]["run"] == started.run.pk and ticks[1]["run_name"] == started.run.name
    assert "still going" in ticks[0]["message"]
    assert skipped.run is None

    runs = client.get(f"/api/runs/?recurring_run={schedule.pk}").json()["results"]
    assert [run["id"] for run in runs] == [started.run.pk]
    assert runs[0]["recurring_run"] == schedule.pk
    listed = client.get(f"/api/recurring-runs/?pipeline={blobs.pk}").json()["results"]
    assert listed[0]["run_count"] == 1 and listed[0]["active_runs"] == 1
    assert listed[0]["last_tick"]["outcome"] == "skipped"


def test_deleting_a_schedule_keeps_the_runs_it_made(client_for, teammate, blobs):
    client = client_for(teammate)
    schedule = RecurringRun.objects.get(pk=create(client, blobs, {"interval_seconds": 3600}).json()["id"])
    run = fire_next(schedule).run
    assert client.delete(f"/api/recurring-runs/{schedule.pk}/").status_code == 204
    assert Run.objects.filter(pk=run.pk, recurring_run=None).exists()


def test_viewers_read_but_cannot_schedule_or_edit_and_outsiders_see_nothing(
    client_for, teammate, viewer, outsider, blobs
):
    schedule = create(client_for(teammate), blobs, {"interval_seconds": 3600}).json()
    watcher = client_for(viewer)
    assert watcher.get(f"/api/recurring-runs/{schedule['id']}/").status_code == 200
    assert create(watcher, blobs, {"interval_seconds": 3600}).status_code == 403
    assert (
        watcher.patch(f"/api/recurring-runs/{schedule['id']}/", {"enabled": False}, format="json").status_code
        == 403
    )
    assert watcher.delete(f"/api/recurring-runs/{schedule['id']}/").status_code == 403
    stranger = client_for(outsider)
    assert stranger.get(f"/api/recurring-runs/{schedule['id']}/").status_code == 404
    assert stranger.get("/api/recurring-runs/").json()["results"] == []
    assert create(stranger, blobs, {"interval_seconds": 3600}).status_code == 404


def test_an_ended_schedule_shows_no_next_fire_time(client_for, teammate, blobs):
    client = client_for(teammate)
    end = timezone.now() + dt.timedelta(hours=2, minutes=30)
    body = create(client, blobs, {"interval_seconds": 3600, "end_at": end.isoformat()}).json()
    assert len(body["next_fire_times"]) == 2

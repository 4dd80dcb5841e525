"""Linked accounts, backend schemas and run secrets: secrets go in, only ciphertext stays."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from credentials.crypto import decrypt_json
from credentials.models import LinkedAccount
from runs.models import ExecutionPreset, Run

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-Zq9-never-shown"
S3_OPTIONS = {"endpoint": "http://127.0.0.1:9", "bucket": "artifacts", "prefix": "team"}


def test_backends_are_listed_with_their_option_schemas(client_for, owner):
    client = client_for(owner)
    storage = {b["name"]: b for b in client.get("/api/backends/storage/").json()}
    assert set(storage) >= {"local", "s3"}
    assert storage["s3"]["secret_fields"] == ["access_key", "secret_key"]
    assert storage["s3"]["options_schema"]["required"] == ["endpoint", "bucket"]
    assert storage["s3"]["label"] == "S3 / MinIO"
    compute = {b["name"] for b in client.get("/api/backends/compute/").json()}
    assert "local" in compute
    assert client.get("/api/backends/printers/").status_code == 404


def test_a_linked_account_keeps_its_secret_encrypted_and_never_returns_it(client_for, owner):
    client = client_for(owner)
    response = client.post(
        "/api/accounts/",
        {
            "kind": "storage",
            "backend": "s3",
            "label": "Team MinIO",
            "options": {**S3_OPTIONS, "access_key": "AKIAEXAMPLE", "secret_key": SECRET},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret_fields_set"] == ["access_key", "secret_key"]
    assert body["options"] == S3_OPTIONS
    assert SECRET not in response.content.decode()
    assert SECRET not in client.get("/api/accounts/").content.decode()
    account = LinkedAccount.objects.get()
    assert SECRET not in account.secret_ciphertext
    assert account.secrets["secret_key"] == SECRET  # and it does decrypt

    # Changing the label or public options leaves the stored secret alone.
    response = client.patch(
        f"/api/accounts/{account.pk}/",
        {"label": "MinIO", "options": {**S3_OPTIONS, "bucket": "other"}},
        format="json",
    )
    assert response.status_code == 200
    account.refresh_from_db()
    assert account.secrets == {"access_key": "AKIAEXAMPLE", "secret_key": SECRET}
    assert account.options["bucket"] == "other"


def test_accounts_are_private_to_their_owner(client_for, owner, outsider):
    account = LinkedAccount.objects.create(
        owner=owner, kind="storage", backend="s3", label="Mine", options={}
    )
    client = client_for(outsider)
    assert client.get("/api/accounts/").json()["results"] == []
    assert client.get(f"/api/accounts/{account.pk}/").status_code == 404
    assert client.delete(f"/api/accounts/{account.pk}/").status_code == 404
    assert LinkedAccount.objects.filter(pk=account.pk).exists()


def test_bad_accounts_are_refused_naming_the_field(client_for, owner):
    client = client_for(owner)
    bad_type = client.post(
        "/api/accounts/",
        {"kind": "storage", "backend": "s3", "label": "x", "options": {"bucket": 7}},
        format="json",
    )
    assert bad_type.status_code == 400
    assert "options.bucket" in bad_type.json()
    unknown = client.post(
        "/api/accounts/", {"kind": "storage", "backend": "ftp", "label": "x", "options": {}}, format="json"
    )
    assert unknown.status_code == 400
    assert "unknown storage backend 'ftp'" in unknown.json()["backend"][0]
    client.post("/api/accounts/", {"kind": "storage", "backend": "s3", "label": "Dup"}, format="json")
    again = client.post("/api/accounts/", {"kind": "storage", "backend": "s3", "label": "Dup"}, format="json")
    assert again.status_code == 400
    assert "already have" in again.json()["label"][0]
    assert LinkedAccount.objects.count() == 1


def test_test_connection_says_what_is_wrong(client_for, owner):
    client = client_for(owner)
    local = client.post("/api/backends/storage/local/check/", {}, format="json")
    assert local.json() == {"ok": True, "message": "Connected."}
    missing = client.post("/api/backends/storage/s3/check/", {"options": {"bucket": "abc"}}, format="json")
    assert missing.json() == {"ok": False, "message": "endpoint: This field is required."}
    unreachable = client.post(
        "/api/backends/storage/s3/check/",
        {"options": {**S3_OPTIONS, "access_key": "AK", "secret_key": SECRET}},
        format="json",
    )
    result = unreachable.json()
    assert result["ok"] is False
    assert "127.0.0.1:9" in result["message"]
    assert SECRET not in result["message"]


def test_a_run_keeps_typed_in_secrets_encrypted_and_out_of_config_events_and_responses(
    project, make_pipeline, client_for, teammate
):
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Data")
    client = client_for(teammate)
    response = client.post(
        "/api/runs/",
        {
            "pipeline": pipeline.pk,
            "name": "with secrets",
            "storage": {"backend": "s3", "options": {**S3_OPTIONS, "access_key": "AK", "secret_key": SECRET}},
            "save_for_future": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    run = Run.objects.get()
    assert SECRET not in response.content.decode()
    assert SECRET not in json.dumps(run.config)
    assert run.config["storage"]["options"] == S3_OPTIONS
    assert run.backend_secrets("storage") == {"access_key": "AK", "secret_key": SECRET}
    assert SECRET not in run.secret_ciphertext
    assert SECRET not in client.get(f"/api/runs/{run.pk}/").content.decode()
    assert SECRET not in client.get(f"/api/runs/{run.pk}/events/").content.decode()
    # The saved choices keep the public options only.
    preset = ExecutionPreset.objects.get()
    assert preset.config["storage"] == {"backend": "s3", "options": S3_OPTIONS, "account": None}
    assert SECRET not in json.dumps(preset.config)
    # Nothing in the whole database holds the secret in clear.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            assert SECRET not in repr(cursor.fetchall()), table


def test_run_setup_suggests_the_next_free_name_and_the_saved_choices(
    project, make_pipeline, client_for, teammate
):
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Data")
    client = client_for(teammate)
    assert client.get(f"/api/pipelines/{pipeline.pk}/run-setup/").json() == {
        "name": "run",
        "run_name": "run",
        "preset": None,
        "inputs": [],
    }
    client.post(
        "/api/runs/", {"pipeline": pipeline.pk, "name": "test", "debug": True, "save_for_future": True}
    )
    setup = client.get(f"/api/pipelines/{pipeline.pk}/run-setup/").json()
    assert setup["run_name"] == "test_2"
    assert setup["preset"]["debug"] is True
    assert client.get(f"/api/pipelines/{pipeline.pk}/run-setup/?name=fresh").json()["run_name"] == "fresh"


def test_submit_names_the_backend_option_at_fault(project, make_pipeline, client_for, teammate, owner):
    pipeline = make_pipeline(project, [("data", "make_dataset")], name="Data")
    foreign = LinkedAccount.objects.create(
        owner=owner, kind="storage", backend="s3", label="Owner's", options={}
    )
    response = client_for(teammate).post(
        "/api/runs/",
        {"pipeline": pipeline.pk, "storage": {"backend": "s3", "options": {"bucket": "ab"}}},
        format="json",
    )
    assert response.status_code == 400
    messages = response.json()["storage"]
    assert "storage.options.endpoint: This field is required." in messages
    assert any(m.startswith("storage.options.bucket:") for m in messages)
    response = client_for(teammate).post(
        "/api/runs/",
        {"pipeline": pipeline.pk, "storage": {"backend": "s3", "account": foreign.pk, "options": S3_OPTIONS}},
        format="json",
    )
    assert response.status_code == 400
    assert f"storage.account: {foreign.pk} is not one of your linked accounts" in response.json()["storage"]
    assert Run.objects.count() == 0


def test_rotating_the_key_keeps_secrets_readable(settings, owner):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PIPEWRIGHT_CREDENTIALS_KEYS = [old]
    account = LinkedAccount(owner=owner, kind="storage", backend="s3", label="Rotate", options={})
    account.secrets = {"secret_key": SECRET}
    account.save()
    before = account.secret_ciphertext
    settings.PIPEWRIGHT_CREDENTIALS_KEYS = [new, old]
    call_command("rotate_credentials", stdout=io.StringIO())
    account.refresh_from_db()
    assert account.secret_ciphertext != before
    settings.PIPEWRIGHT_CREDENTIALS_KEYS = [new]  # the old key can now be dropped
    assert decrypt_json(account.secret_ciphertext) == {"secret_key": SECRET}


def test_test_connection_of_a_kubernetes_cluster(client_for, owner, fake_kubernetes):
    client = client_for(owner)
    url = "/api/backends/compute/kubernetes/check/"
    options = {"api_server": fake_kubernetes.url, "namespace": "pipelines"}
    good = client.post(url, {"options": {**options, "token": "fake-token"}}, format="json").json()
    assert good == {"ok": True, "message": "Connected."}
    bad = client.post(url, {"options": {**options, "token": SECRET}}, format="json").json()
    assert bad["ok"] is False
    assert "refused these credentials" in bad["message"]
    assert SECRET not in bad["message"]

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker_ok_and_says_when_no_worker_answers(settings):
    # given a Redis database that no worker consumes from (broadcasts stay within one db)
    settings.REDIS_URL = settings.REDIS_URL.rsplit("/", 1)[0] + "/15"
    # when
    response = Client().get("/healthz")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "ok"
    assert body["checks"]["workers"]["status"] == "error"
    assert body["status"] == "degraded"


def test_healthz_names_the_broker_when_redis_is_unreachable(settings):
    # given a Redis URL nothing listens on
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    # when
    body = Client().get("/healthz").json()
    # then
    assert body["checks"]["broker"]["status"] == "error"
    assert "Redis" in body["checks"]["broker"]["error"]
    assert body["status"] == "degraded"


@pytest.mark.worker
def test_healthz_is_ok_with_a_real_worker_running(celery_worker):
    # when
    body = Client().get("/healthz").json()
    # then
    assert body["status"] == "ok", body
    assert celery_worker.name in body["checks"]["workers"]["workers"]

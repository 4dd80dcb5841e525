"""The Celery application: configured from Django settings (`CELERY_*`)."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pipewright.settings")

app = Celery("pipewright")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Node tasks that ask for GPUs go to `gpu`; run `celery worker -Q gpu` on GPU machines.
app.conf.task_queues = (Queue("default"), Queue("gpu"))
app.autodiscover_tasks()

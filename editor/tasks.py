"""Periodic work of the editor: syncing git-backed pipeline repositories."""

from __future__ import annotations

from celery import shared_task
from celery.utils.log import get_task_logger

logger = get_task_logger(__name__)


@shared_task(ignore_result=True)
def sync_git_repositories() -> None:
    """Sync every linked repository; a failure is recorded on it (last_error), never raised."""
    from editor.git_repos import SyncFailed, sync
    from editor.models import GitRepository

    for repository in GitRepository.objects.select_related("project", "created_by"):
        try:
            report = sync(repository)
        except SyncFailed as exc:
            logger.warning("git repository %s: %s", repository.pk, exc)
        except Exception as exc:  # one broken repository must not stop the others
            logger.exception("git repository %s: sync failed", repository.pk)
            GitRepository.objects.filter(pk=repository.pk).update(last_error=f"sync failed: {exc}")
        else:
            if report.problems:
                logger.warning("git repository %s: %d problem(s)", repository.pk, len(report.problems))

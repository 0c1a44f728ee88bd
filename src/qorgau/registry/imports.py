"""Case CSV imports uploaded in the browser, run by a background task (docs/cases-csv.md).

A registrar or an administrator uploads a file (:func:`start_import`); it waits in an
:class:`~qorgau.registry.models.ImportJob` row, and the task :func:`import_cases_job`, queued
with the job's id and the uploader's id, runs :func:`run` in the worker (``qorgau db_worker``).
That calls the very import of ``qorgau import-cases`` (``csvio.import_cases``): all or nothing,
every error of the file with its row and column, in the uploader's language, and the same
``case.import`` entries — naming the uploader, from the source ``task``.

Progress. The import checks every row before its transaction opens, then writes the checked
rows in one transaction (``registry.bulk``). The bar shows the rows checked: the total goes to
the job's row once the file's structure is read, the live count to the ``progress`` cache
(settings: files under VAR_DIR, which the web and worker processes share), every
:data:`STEP_FRACTION` of the rows — never to the job's row while the import may hold a
transaction (on SQLite its write pass holds the only write lock, and a row written inside it is
seen by no one before its end); the outcome is written after. :func:`status` reads both.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import transaction
from django.db.models import Q, QuerySet
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.core import actors, privacy
from qorgau.core.actors import Actor
from qorgau.core.errors import Invalid
from qorgau.core.importing import ImportRejected, RowError, shorten, too_large

from . import csvio
from .choices import ImportStatus
from .models import ImportJob

logger = logging.getLogger(__name__)

# The audit entries' source of an import the worker runs for a person.
SOURCE = "task"
# The live count is written each time another hundredth of the rows is checked.
STEP_FRACTION = 100
# How long a live count is kept (an import that long has ended one way or the other).
PROGRESS_SECONDS = 24 * 3600


def start_import(actor: Actor, file_name: str, data: bytes) -> ImportJob:
    """Keep an uploaded file as a queued job of ``actor`` and queue its import (``case.create``,
    the right of ``qorgau import-cases``). Raises :class:`Invalid` (field ``file``) for a file
    over the size limit. Nothing is written to the trail yet: the import writes its entries."""
    policy.ensure(actor, "case.create")
    user = actor.user
    if user is None:  # the system imports with the command, never through a job
        raise TypeError("an import job is uploaded by a person")
    if error := too_large(len(data)):
        raise Invalid("file", error.errors[0].reason)
    with transaction.atomic():
        job = ImportJob.objects.create(
            created_by=user,
            region_id=policy.region_of(actor),
            filename="" if privacy.problem(filename=file_name[:255]) else file_name[:255],
            data=data,
            language=translation.get_language() or "kk",
        )
        result = import_cases_job.enqueue(str(job.pk), user.pk)
        job.task_id = str(result.id)[:64]
        job.save(update_fields=["task_id"])
    return job


def jobs_for(actor: Actor | Any) -> QuerySet[ImportJob]:
    """The jobs ``actor`` may follow: their own, while they may import; an administrator's also
    every job uploaded in their scope (``case.import.oversee``)."""
    if not policy.can(actor, "case.create"):
        return ImportJob.objects.none()
    user = actor.user if isinstance(actor, Actor) else actor
    overseen = policy.scoped(actor, "case.import.oversee", ImportJob.objects.all())
    return ImportJob.objects.filter(Q(created_by=user) | Q(pk__in=overseen.values("pk")))


def _progress_key(job_id: uuid.UUID | str) -> str:
    return f"registry.import:{job_id}"


class _Counter:
    """Told the count by the import: the first time (the file read, before the import's
    transaction opens) it writes the total to the job's row; then the live count to the
    ``progress`` cache, once per step of rows."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.key = _progress_key(job.pk)
        self.written = -1
        self.step = 1

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != csvio.bulk.CHECK:
            return  # the rows written: a few seconds at the end, shown as all rows checked
        first = self.written < 0
        if first:
            self.step = max(1, total // STEP_FRACTION)
            ImportJob.objects.filter(pk=self.job.pk).update(total=total, done=done)
            self.job.total, self.job.done = total, done
        if first or done == total or done - self.written >= self.step:
            caches["progress"].set(self.key, (done, total), PROGRESS_SECONDS)
            self.written = done


def _error_row(error: RowError) -> dict[str, Any]:
    return {
        "row": error.row,
        "column": error.column,
        "value": shorten(error.value),
        "reason": error.reason,
    }


def _finish(job: ImportJob, status: str, **fields: Any) -> None:
    """Record the outcome (every row checked: done = total) and drop the file: it is not kept
    once imported or refused."""
    job.status, job.data, job.finished_at = status, b"", timezone.now()
    if status != ImportStatus.FAILED:
        job.done = job.total
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()
    caches["progress"].delete(_progress_key(job.pk))


def run(job_id: str, user_id: int) -> str:
    """Import the file of job ``job_id`` as its uploader ``user_id`` (the task's body): the
    outcome is written to the job; returns its status. An unexpected error marks the job failed
    (nothing was written: the import's transaction is rolled back) and is raised again, so that
    the task's result keeps its traceback for the operator."""
    job = ImportJob.objects.get(pk=job_id)
    if job.created_by_id != user_id or job.status != ImportStatus.QUEUED:
        logger.warning("import job %s: not queued for user %s, not run", job_id, user_id)
        return str(job.status)
    user = get_user_model().objects.get(pk=user_id)
    actor = Actor.person(user, SOURCE)
    job.status = ImportStatus.RUNNING
    job.save(update_fields=["status"])
    with translation.override(job.language), actors.acting(actor):
        try:
            cases = csvio.import_cases(actor, bytes(job.data), progress=_Counter(job))
        except ImportRejected as exc:
            errors = [_error_row(e) for e in exc.errors]
            _finish(job, ImportStatus.REJECTED, message=str(exc), errors=errors)
        except Exception:
            _finish(job, ImportStatus.FAILED, message=_("The import failed; nothing was imported."))
            raise
        else:
            _finish(job, ImportStatus.DONE, imported=len(cases), message="")
    return str(job.status)


@task
def import_cases_job(job_id: str, user_id: int) -> str:
    """The background task of a browser import: :func:`run` in the worker."""
    return run(job_id, user_id)


def status(job: ImportJob) -> dict[str, Any]:
    """Where the job stands, for its page and its JSON: the status and its label, the rows
    checked and the rows in the file (from the live count while it runs)."""
    done, total = job.done, job.total
    if job.status == ImportStatus.RUNNING:
        done, total = caches["progress"].get(_progress_key(job.pk), (done, total))
    return {
        "status": job.status,
        "label": str(job.get_status_display()),
        "done": done,
        "total": total,
        "finished": job.finished,
        "imported": job.imported,
        "errors": len(job.errors),
    }

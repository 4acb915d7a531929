"""Background tasks (Django Tasks API; django-tasks-db in production, ImmediateBackend in tests). Arguments
are job ids; the bodies live in services and record every outcome on the job, so a task never fails
silently and the page polling the job always learns how it ended."""

from django.tasks import task

from . import services


@task
def check_roster(job_id: int) -> None:
    services.check_job(job_id)


@task
def import_roster(job_id: int) -> None:
    services.import_job(job_id)

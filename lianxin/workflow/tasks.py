"""Background tasks (Django's Tasks API). ``workflow_daily`` is the same sweep as the management command, for
deployments that schedule through the task worker instead of cron."""

from django.tasks import task

from .services import run_daily


@task()
def workflow_daily() -> dict:
    return run_daily()

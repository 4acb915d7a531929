"""Background tasks (Django's Tasks API). ``workflow_daily`` is the same sweep as the management command, for
deployments that schedule through the task worker instead of cron. ``send_reviewer_reminder_task`` is enqueued
with ``run_after`` for a reviewer's summarising SMS/WeChat reminder (after the throttle gap or at 07:00 after
quiet hours); ``reviewer_reminders_due`` is the sweep that sends any whose time has come (run it every few
minutes if the task backend cannot defer, or as a safety net)."""

from django.db import transaction
from django.tasks import task

from .services import run_daily, send_due_reviewer_reminders, send_reviewer_reminder


@task()
def workflow_daily() -> dict:
    return run_daily()


@task()
def send_reviewer_reminder_task(user_id: int) -> bool:
    with transaction.atomic():
        return send_reviewer_reminder(user_id=user_id) is not None


@task()
def reviewer_reminders_due() -> int:
    return send_due_reviewer_reminders()

"""manage.py workflow_daily — run once a day (cron or the task worker's scheduler): remind reviewers of overdue
steps, escalate them up the tree, and remind unions 30 days before their legal-person certificate expires."""

from django.core.management.base import BaseCommand

from lianxin.workflow.services import run_daily


class Command(BaseCommand):
    help = "审批超期提醒与上报；法人资格证书到期前30天提醒"

    def handle(self, *args, **options):
        counts = run_daily()
        self.stdout.write(f"超期提醒 {counts['reminded']} 件，上报上级 {counts['escalated']} 件，"
                          f"证书到期提醒 {counts['cert_reminders']} 件")

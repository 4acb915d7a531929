"""Send reviewers' SMS/WeChat reminders whose time has come, and clear old reminder records.

A reminder held back by the per-person gap (LIANXIN_STAFF_SMS_MINUTES) or by quiet hours is normally sent by
a task queued for its time; this is the safety net for a lost task (run it every 5 minutes from cron). It also
deletes expired verification codes and reminder records older than 30 days."""

from django.core.management.base import BaseCommand

from lianxin.accounts.services import purge_staff_contact_records
from lianxin.workflow.services import send_due_reviewer_reminders


class Command(BaseCommand):
    help = "发送到时的审核提醒短信/微信（节流间隔或夜间免打扰结束后），清理过期验证码和旧提醒记录"

    def handle(self, *args, **opts):
        sent = send_due_reviewer_reminders()
        codes, alerts = purge_staff_contact_records()
        self.stdout.write(f"发送提醒 {sent} 条；清理验证码 {codes} 条、提醒记录 {alerts} 条")

"""``manage.py reviewer_reminders`` (cron, every 5 minutes) is the safety net for a reminder held back by the gap:
it sends it once its time has come, and it deletes verification codes a day after they expired and reminder
records 30 days after they were sent, keeping the recent ones."""

import pytest
from django.core.management import call_command

from lianxin.accounts import services as accounts
from lianxin.accounts.models import ContactCode, StaffAlert
from lianxin.accounts.testing import opt_in
from lianxin.core.models import Notification
from lianxin.workflow import services

from .test_reviewer_sms import clock, submit_join  # noqa: F401  (clock is a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_the_command_sends_a_held_reminder_once_due_and_clears_old_records(district, clock):  # noqa: F811
    reviewer = district.users["base_a1.reviewer"]
    opt_in(reviewer, "13800138000")
    submit_join(district, name="王小明")  # texted at once
    clock.advance(minutes=5)
    submit_join(district, name="李小红")  # within the gap: held for a summary
    reminders = Notification.objects.filter(template=services.REMINDER_TEMPLATE, user=reviewer)
    assert reminders.count() == 1
    call_command("reviewer_reminders", verbosity=0)  # not yet due: nothing more
    assert reminders.count() == 1
    clock.advance(minutes=30)
    call_command("reviewer_reminders", verbosity=0)
    assert reminders.count() == 2 and "1件新的申请" in reminders.latest("id").body
    call_command("reviewer_reminders", verbosity=0)  # sent once
    assert reminders.count() == 2

    accounts.request_contact_code(actor=reviewer, mobile="13900009999")  # never confirmed
    assert ContactCode.objects.filter(user=reviewer).count() == 2
    clock.advance(days=1, minutes=11)  # the new code expired more than a day ago; the alerts are a day old
    call_command("reviewer_reminders", verbosity=0)
    assert not ContactCode.objects.filter(user=reviewer).exists()
    assert StaffAlert.objects.filter(user=reviewer).count() == 2
    clock.advance(days=30)
    call_command("reviewer_reminders", verbosity=0)
    assert not StaffAlert.objects.filter(user=reviewer).exists()

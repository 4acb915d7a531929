"""Reviewers who chose 站内消息+短信 on 我的账号 are also told by SMS that applications wait for them: in the
step's own transaction, once per step and reviewer, at most one SMS per reviewer per LIANXIN_STAFF_SMS_MINUTES
(what arrives in between is summarised by one SMS when the gap is over, counting only steps still waiting), none
in quiet hours (22:00–07:00 Asia/Shanghai, deferred to 07:00), overdue reminders likewise, and the text carries
a count and programme names only. The clock is frozen (``django.utils.timezone.now`` replaced) so the gap and
quiet hours are tested at exact instants, not with sleeps (and so the tests do not depend on the hour they run
at: after 22:00 in Shanghai every SMS would wait for 07:00)."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.db import transaction
from django.utils import timezone

from lianxin.accounts import services as accounts
from lianxin.accounts.models import StaffAlert, StaffContact
from lianxin.accounts.testing import opt_in
from lianxin.core import crypto, notify
from lianxin.core.models import Notification
from lianxin.workflow import services
from lianxin.workflow.models import Decision, Step

from .helpers import join_data, worker

pytestmark = [pytest.mark.pg]
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
PHONE = "13800138000"


class Clock:
    def __init__(self, at):
        self.at = at

    def __call__(self):
        return self.at

    def set(self, *args):
        self.at = dt.datetime(*args, tzinfo=SH)

    def advance(self, **kw):
        self.at += dt.timedelta(**kw)


@pytest.fixture
def clock(monkeypatch):
    c = Clock(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH))  # a Monday morning in Shanghai
    monkeypatch.setattr(timezone, "now", c)
    return c


def sms_to(user) -> list[Notification]:
    return list(Notification.objects.filter(template=services.REMINDER_TEMPLATE, user=user).order_by("id"))


_n = iter(range(5000, 6000))


def submit_join(d, **kw):
    n = next(_n)
    return services.create_application(actor=worker(f"w{n}"), programme="join", data=join_data(d, n=n, **kw),
                                       submit=True)


def decide(d, app, decision=Decision.REJECTED):
    step = app.steps.get(decision__isnull=True)
    services.decide(actor=d.users["base_a1.admin"], step_id=step.pk, decision=decision, comment="材料不全，不予受理")


@pytest.mark.django_db
def test_an_arrival_texts_only_the_reviewers_who_chose_sms(district, clock):
    d = district
    reviewer, admin = d.users["base_a1.reviewer"], d.users["base_a1.admin"]
    opt_in(reviewer, PHONE)
    opt_in(admin, "13800138001", via="inapp")  # a verified number, but only in-app chosen
    opt_in(d.users["street_a.reviewer"], "13800138002")  # not this step's level
    app = submit_join(d, name="王小明")
    [sms] = Notification.objects.filter(template=services.REMINDER_TEMPLATE)
    assert sms.channel == "sms" and sms.user == reviewer
    assert crypto.decrypt(sms.recipient_cipher, context=notify.RECIPIENT_CTX) == PHONE
    assert sms.title == "有新的申请待您审核"
    assert sms.body == "【连心】您有1件新的申请待审核（申请入会1件），请登录工会工作台“待我审核”处理。"
    # PIPL: no name, number, ID, mobile or link to the applicant
    step = app.steps.get()
    assert "王小明" not in sms.body and app.number not in sms.body
    assert not re.search(r"\d{4,}", sms.body)  # no ID number, mobile, application number or date
    # the in-app messages are unchanged: both reviewers of the level
    assert Notification.objects.filter(template="workflow_new", context__step=step.pk).count() == 2


@pytest.mark.django_db
def test_written_in_the_steps_transaction(district, clock):
    d = district
    opt_in(d.users["base_a1.reviewer"], PHONE)
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=5990))
    with pytest.raises(RuntimeError), transaction.atomic():
        services.submit_application(actor=app.applicant, app=app)
        assert len(sms_to(d.users["base_a1.reviewer"])) == 1
        raise RuntimeError("a later part of the request failed")
    assert not sms_to(d.users["base_a1.reviewer"])
    assert not StaffAlert.objects.exists()
    assert StaffContact.objects.get(user=d.users["base_a1.reviewer"]).last_sent_at is None


@pytest.mark.django_db
def test_the_same_step_announced_twice_is_one_sms(district, clock):
    d = district
    reviewer = d.users["base_a1.reviewer"]
    opt_in(reviewer, PHONE)
    app = submit_join(d)
    step = app.steps.get()
    clock.advance(hours=2)  # past the gap: only the dedupe can stop a second SMS
    services.notify_step_reviewers(Step.objects.get(pk=step.pk))
    services.send_due_reviewer_reminders()
    assert len(sms_to(reviewer)) == 1
    assert StaffAlert.objects.filter(user=reviewer).count() == 1


@pytest.mark.django_db
def test_arrivals_within_the_gap_wait_for_one_summary_of_what_still_waits(district, clock, settings):
    settings.LIANXIN_STAFF_SMS_MINUTES = 30
    d = district
    reviewer = d.users["base_a1.reviewer"]
    opt_in(reviewer, PHONE)
    submit_join(d)  # 10:00: texted at once
    assert len(sms_to(reviewer)) == 1
    clock.advance(minutes=5)
    submit_join(d)
    clock.advance(minutes=5)
    third = submit_join(d)
    clock.advance(minutes=5)
    submit_join(d)
    assert len(sms_to(reviewer)) == 1  # nothing more inside the 30 minutes
    contact = StaffContact.objects.get(user=reviewer)
    assert contact.next_send_at == dt.datetime(2026, 3, 2, 10, 30, tzinfo=SH)
    decide(d, third)  # decided meanwhile: no longer worth a text
    clock.set(2026, 3, 2, 10, 29, 59)
    assert services.send_due_reviewer_reminders() == 0
    clock.set(2026, 3, 2, 10, 30)
    assert services.send_due_reviewer_reminders() == 1
    first, summary = sms_to(reviewer)
    assert summary.body == "【连心】您有2件新的申请待审核（申请入会2件），请登录工会工作台“待我审核”处理。"
    assert StaffContact.objects.get(user=reviewer).next_send_at is None
    assert services.send_due_reviewer_reminders() == 0  # the sweep again: nothing twice
    # the next arrival after another full gap goes out at once again
    clock.set(2026, 3, 2, 11, 0)
    submit_join(d)
    assert [n.body[:14] for n in sms_to(reviewer)][-1] == "【连心】您有1件新的申请待审"
    assert len(sms_to(reviewer)) == 3


@pytest.mark.django_db
def test_no_summary_when_everything_was_dealt_with(district, clock):
    d = district
    reviewer = d.users["base_a1.reviewer"]
    opt_in(reviewer, PHONE)
    submit_join(d)
    clock.advance(minutes=1)
    second = submit_join(d)
    assert StaffContact.objects.get(user=reviewer).next_send_at is not None
    decide(d, second)
    clock.advance(hours=1)
    assert services.send_due_reviewer_reminders() == 0
    assert len(sms_to(reviewer)) == 1
    assert StaffContact.objects.get(user=reviewer).next_send_at is None
    assert not StaffAlert.objects.filter(user=reviewer, sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_quiet_hours_defer_to_seven_in_the_morning(district, clock):
    d = district
    reviewer = d.users["base_a1.reviewer"]
    opt_in(reviewer, PHONE)
    clock.set(2026, 3, 2, 22, 0)  # quiet from 22:00
    submit_join(d)
    clock.set(2026, 3, 3, 1, 30)
    submit_join(d)
    assert not sms_to(reviewer)
    assert StaffContact.objects.get(user=reviewer).next_send_at == dt.datetime(2026, 3, 3, 7, 0, tzinfo=SH)
    clock.set(2026, 3, 3, 6, 59, 59)
    assert services.send_due_reviewer_reminders() == 0
    clock.set(2026, 3, 3, 7, 0)
    assert services.send_due_reviewer_reminders() == 1
    [sms] = sms_to(reviewer)
    assert "2件新的申请待审核" in sms.body
    # just before 22:00 still goes out at once
    clock.set(2026, 3, 3, 21, 59)
    submit_join(d)
    assert len(sms_to(reviewer)) == 2


@pytest.mark.django_db
def test_quiet_hours_in_utc_terms(district, clock):
    """06:30 in Shanghai is 22:30 UTC the day before: the deferral is to 07:00 Shanghai the same morning."""
    d = district
    reviewer = d.users["base_a1.reviewer"]
    opt_in(reviewer, PHONE)
    clock.at = dt.datetime(2026, 3, 2, 22, 30, tzinfo=dt.UTC)
    submit_join(d)
    assert not sms_to(reviewer)
    assert StaffContact.objects.get(user=reviewer).next_send_at == dt.datetime(2026, 3, 3, 7, 0, tzinfo=SH)


@pytest.mark.django_db
def test_overdue_reminders_by_sms_one_summary_per_reviewer(district, clock):
    d = district
    reviewer, admin = d.users["base_a1.reviewer"], d.users["base_a1.admin"]
    opt_in(reviewer, PHONE)
    a1, a2 = submit_join(d), submit_join(d)
    assert len(sms_to(reviewer)) == 1  # the arrivals: one at once; the second waits for the summary
    clock.advance(minutes=30)
    services.send_due_reviewer_reminders()
    assert len(sms_to(reviewer)) == 2
    due = a1.steps.get().due_at
    morning = timezone.localtime(due + dt.timedelta(days=1)).replace(hour=10, minute=0)
    clock.at = morning
    counts = services.run_daily(now=morning)
    assert counts["reminded"] == 2
    texts = sms_to(reviewer)
    assert len(texts) == 3
    assert texts[-1].title == "有申请超期未审"
    assert texts[-1].body == "【连心】您有2件申请已超过办理时限（申请入会2件），请登录工会工作台“待我审核”处理。"
    assert not sms_to(admin)  # not opted in: in-app reminders only
    assert Notification.objects.filter(template="workflow_overdue", user=admin).count() == 2
    # the sweep again the same day: nothing new
    services.run_daily(now=morning + dt.timedelta(hours=1))
    assert len(sms_to(reviewer)) == 3
    assert a2  # (both steps counted above)


@pytest.mark.django_db
def test_opting_out_drops_what_waits(district, clock):
    d = district
    reviewer = d.users["base_a1.reviewer"]
    opt_in(reviewer, PHONE)
    submit_join(d)
    clock.advance(minutes=1)
    submit_join(d)
    accounts.set_notify_via(actor=reviewer, via="inapp")
    clock.advance(hours=1)
    assert services.send_due_reviewer_reminders() == 0
    submit_join(d)
    assert len(sms_to(reviewer)) == 1


@pytest.mark.django_db
def test_wechat_when_the_account_has_an_openid(district, clock):
    from lianxin.portal.models import WeChatIdentity

    d = district
    reviewer = d.users["base_a1.reviewer"]
    WeChatIdentity.objects.create(openid="o-reviewer-1", user=reviewer)
    accounts.set_notify_via(actor=reviewer, via="wechat")
    submit_join(d)
    [msg] = sms_to(reviewer)
    assert msg.channel == "wechat"
    assert crypto.decrypt(msg.recipient_cipher, context=notify.RECIPIENT_CTX) == "o-reviewer-1"


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_two_processes_enqueuing_for_one_reviewer_send_one_sms(district, clock):
    """Two submissions landing on the same reviewer at the same instant, each in its own connection: the
    reviewer's row lock makes the second see the first's SMS, so one SMS is written and the other arrival
    waits for the summary."""
    from lianxin.core.testing import race

    d = district
    reviewer = d.users["base_a1.reviewer"]
    opt_in(reviewer, PHONE)
    apps = [services.create_application(actor=worker(f"racer{i}"), programme="join",
                                        data=join_data(d, n=5800 + i)) for i in range(4)]
    results = race([lambda a=a: services.submit_application(actor=a.applicant, app=a) for a in apps], ok_label="ok")
    assert results == ["ok"] * 4
    assert len(sms_to(reviewer)) == 1
    assert StaffAlert.objects.filter(user=reviewer).count() == 4
    assert StaffAlert.objects.filter(user=reviewer, sent_at__isnull=True).count() == 3
    contact = StaffContact.objects.get(user=reviewer)
    assert contact.sent_count == 1 and contact.next_send_at is not None


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_one_summary(district, settings, clock):
    from lianxin.core.testing import race

    settings.LIANXIN_STAFF_SMS_MINUTES = 1
    d = district
    reviewer = d.users["base_a1.reviewer"]
    opt_in(reviewer, PHONE)
    submit_join(d)
    submit_join(d)
    assert len(sms_to(reviewer)) == 1
    due = StaffContact.objects.get(user=reviewer).next_send_at
    assert due is not None
    later = due + dt.timedelta(seconds=1)
    results = race([lambda: services.send_due_reviewer_reminders(now=later)] * 4)
    assert sorted(results) == [0, 0, 0, 1]
    assert len(sms_to(reviewer)) == 2


@pytest.mark.django_db
def test_the_summary_is_a_task_deferred_to_its_time_where_the_backend_can_defer(district, clock, settings,
                                                                                django_capture_on_commit_callbacks):
    """With the production task backend (django-tasks-db) the summarising reminder is a task with ``run_after``
    at the reviewer's next allowed moment; running it then sends the summary."""
    from django_tasks_db.models import DBTaskResult

    from lianxin.workflow.tasks import send_reviewer_reminder_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    d = district
    reviewer = d.users["base_a1.reviewer"]
    opt_in(reviewer, PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        submit_join(d)
    clock.advance(minutes=10)
    with django_capture_on_commit_callbacks(execute=True):
        submit_join(d)
        submit_join(d)  # already due at 10:30: no second task
    path = f"{send_reviewer_reminder_task.func.__module__}.{send_reviewer_reminder_task.func.__qualname__}"
    [job] = DBTaskResult.objects.filter(task_path=path)
    assert job.run_after == dt.datetime(2026, 3, 2, 10, 30, tzinfo=SH)
    assert job.args_kwargs["args"] == [reviewer.pk]
    clock.set(2026, 3, 2, 10, 30)
    assert send_reviewer_reminder_task.call(reviewer.pk) is True
    assert "2件新的申请待审核" in sms_to(reviewer)[-1].body


@pytest.mark.django_db
def test_an_escalation_texts_the_level_it_reaches(district, clock):
    """An overdue step escalated to the street lands on the street reviewers' desk: the one who opted in gets an
    SMS about an overdue application that day (the base union's reviewer gets the overdue reminder)."""
    d = district
    base, street = d.users["base_a1.reviewer"], d.users["street_a.reviewer"]
    opt_in(base, PHONE)
    opt_in(street, "13800138009")
    app = submit_join(d)
    morning = timezone.localtime(app.steps.get().due_at + dt.timedelta(days=1)).replace(hour=10, minute=0)
    clock.at = morning
    assert services.run_daily(now=morning)["escalated"] == 1
    assert app.steps.get().escalated_to == d.street_a
    [texted] = sms_to(street)
    assert texted.body == "【连心】您有1件申请已超过办理时限（申请入会1件），请登录工会工作台“待我审核”处理。"
    assert sms_to(base)[-1].body == texted.body
    # the next day's reminder reaches both again (a new day's alert), the escalation is not repeated
    clock.at = morning + dt.timedelta(days=1)
    assert services.run_daily(now=clock.at)["escalated"] == 0
    assert len(sms_to(street)) == 2 and len(sms_to(base)) == 3

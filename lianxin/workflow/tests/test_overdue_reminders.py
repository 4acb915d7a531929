"""The daily overdue reminder goes to exactly the people whose 待我审核 holds the step (selectors.step_reviewers,
the queue's own rule), including the level it was escalated to, once per step, reviewer and day; never to
viewers, auditors, other streets, the levels above or superusers."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.accounts.models import StaffRole, User
from lianxin.core.models import Notification
from lianxin.core.testing import make_user
from lianxin.workflow import services

from .helpers import join_data, overdue_morning, worker
from .test_reviewer_notifications import in_queue_of

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def reminded(step, day) -> dict[str, int]:
    """username -> overdue reminders about ``step`` dated ``day`` (the date in the dedupe key)."""
    out: dict[str, int] = {}
    for n in Notification.objects.filter(template="workflow_overdue",
                                         dedupe_key__startswith=f"wf-overdue:{step.pk}:{day}:").select_related("user"):
        out[n.user.username] = out.get(n.user.username, 0) + 1
    return out


def test_reminder_reaches_exactly_the_queue_also_after_escalation(district):
    d = district
    make_user("base_b1.reviewer", d.base_b1, "reviewer")  # a union in the other street
    User.objects.create_superuser("root", "root@example.org", "x")
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=3001), submit=True)
    step = app.steps.get()

    # day 1: overdue; reminded first (base_a1 holds it), then escalated to the street (白杨联合工会 has nobody)
    day1 = overdue_morning(step.due_at)
    queue_before = in_queue_of(step)
    assert services.run_daily(now=day1) == {"reminded": 1, "escalated": 1, "cert_reminders": 0}
    step.refresh_from_db()
    assert step.escalated_to == d.street_a
    d1 = timezone.localdate(day1)
    assert reminded(step, d1) == {u: 1 for u in queue_before} == {"base_a1.admin": 1, "base_a1.reviewer": 1}

    # the same day again (a second cron host, a rerun): nothing new
    assert services.run_daily(now=day1 + dt.timedelta(hours=1))["reminded"] == 0
    assert reminded(step, d1) == {"base_a1.admin": 1, "base_a1.reviewer": 1}

    # day 2: still overdue, now in the street's 待我审核 too: the reminder reaches them as well, and no one else
    day2 = day1 + dt.timedelta(days=1)
    assert services.run_daily(now=day2) == {"reminded": 1, "escalated": 0, "cert_reminders": 0}
    d2 = timezone.localdate(day2)
    expected = {"base_a1.admin", "base_a1.reviewer", "street_a.admin", "street_a.reviewer"}
    assert in_queue_of(step) == expected
    assert reminded(step, d2) == dict.fromkeys(expected, 1)
    told = set(Notification.objects.filter(template="workflow_overdue").values_list("user__username", flat=True))
    for outsider in ("base_a1.viewer", "base_a1.auditor", "street_a.viewer", "street_a.auditor", "street_b.admin",
                     "street_b.reviewer", "base_b1.reviewer", "fed.admin", "fed.reviewer", "root"):
        assert outsider not in told
    n = Notification.objects.get(template="workflow_overdue", user=d.users["street_a.reviewer"])
    assert n.dedupe_key == f"wf-overdue:{step.pk}:{d2}:{n.user_id}" and n.channel == "inapp"
    assert n.context["step"] == step.pk and n.context["url"] == f"/console/applications/{app.pk}/"


def test_once_per_step_reviewer_and_day_even_if_the_step_guard_is_lost(district):
    """The step's ``reminded_at`` guard is the first line; the dedupe key (step, day, reviewer) is the second:
    with the guard cleared (two hosts racing past it) no one already reminded that day is reminded again (the
    street's reviewers, in the queue since this morning's escalation, are reminded for the first time), while
    the next day writes one more each."""
    d = district
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=3002), submit=True)
    step = app.steps.get()
    day1 = overdue_morning(step.due_at)
    d1 = timezone.localdate(day1)
    services.run_daily(now=day1)
    assert reminded(step, d1) == {"base_a1.admin": 1, "base_a1.reviewer": 1}
    type(step).objects.filter(pk=step.pk).update(reminded_at=None)
    assert services.run_daily(now=day1 + dt.timedelta(minutes=5))["reminded"] == 1  # guard passed again …
    assert reminded(step, d1) == {"base_a1.admin": 1, "base_a1.reviewer": 1,  # … nobody twice
                                  "street_a.admin": 1, "street_a.reviewer": 1}
    day2 = day1 + dt.timedelta(days=1)
    services.run_daily(now=day2)
    assert reminded(step, timezone.localdate(day2)) == {"base_a1.admin": 1, "base_a1.reviewer": 1,
                                                        "street_a.admin": 1, "street_a.reviewer": 1}
    assert Notification.objects.filter(template="workflow_overdue").count() == 8


def test_withdrawn_grant_and_new_reviewer_follow_the_queue(district):
    """Reminders are worked out each day from the grants of that day, like the queue."""
    d = district
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=3003), submit=True)
    step = app.steps.get()
    StaffRole.objects.filter(user=d.users["base_a1.admin"]).update(active=False)
    make_user("base_a1.newcomer", d.base_a1, "reviewer")
    day1 = overdue_morning(step.due_at)
    services.run_daily(now=day1)
    assert reminded(step, timezone.localdate(day1)) == {"base_a1.reviewer": 1, "base_a1.newcomer": 1}


def test_decided_or_withdrawn_steps_get_no_reminder(district):
    d = district
    a = services.create_application(actor=worker("w1"), programme="join", data=join_data(d, n=3004), submit=True)
    b = services.create_application(actor=worker("w2"), programme="join", data=join_data(d, n=3005), submit=True)
    sa = a.steps.get()
    services.decide(actor=d.users["base_a1.reviewer"], step_id=sa.pk, decision="approved")
    services.withdraw_application(actor=b.applicant, app=b)
    assert services.run_daily(now=sa.due_at + dt.timedelta(days=2))["reminded"] == 0
    assert not Notification.objects.filter(template="workflow_overdue").exists()

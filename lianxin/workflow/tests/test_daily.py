"""The daily sweep: overdue steps remind their reviewers once a day and climb the tree one level per missed
period; running it twice sends nothing twice."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from lianxin.core.models import AuditEntry, Notification
from lianxin.workflow import selectors, services
from lianxin.workflow.models import Step

from .helpers import join_data, overdue_morning, worker

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_overdue_reminded_and_escalated(district):
    d = district
    from lianxin.core.testing import make_user

    make_user("joint_a.reviewer", d.joint_a, "reviewer")  # so each level up has someone to act
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=1001), submit=True)
    step = app.steps.get()
    now = timezone.now()
    assert services.run_daily(now=now) == {"reminded": 0, "escalated": 0, "cert_reminders": 0}
    later = overdue_morning(step.due_at)
    assert services.run_daily(now=later) == {"reminded": 1, "escalated": 1, "cert_reminders": 0}
    step.refresh_from_db()
    assert step.escalated_to == d.joint_a and step.reminded_at == later
    reminded = set(Notification.objects.filter(template="workflow_overdue").values_list("user__username", flat=True))
    assert reminded == {"base_a1.reviewer", "base_a1.admin"}
    assert services.run_daily(now=later + dt.timedelta(hours=1)) == {"reminded": 0, "escalated": 0,
                                                                      "cert_reminders": 0}
    # a further period missed: up again, to the street, whose reviewers now see it in their own queue
    much_later = later + dt.timedelta(days=6)
    assert services.run_daily(now=much_later)["escalated"] == 1
    step.refresh_from_db()
    assert step.escalated_to == d.street_a
    assert step.pk in [s.pk for s in selectors.queue(actor=d.users["street_a.reviewer"], scope="mine")]
    assert Notification.objects.filter(template="workflow_escalated", user=d.users["street_a.reviewer"]).exists()
    assert AuditEntry.objects.filter(action="workflow.escalate").count() == 2


def test_decided_steps_left_alone(district):
    d = district
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=1002), submit=True)
    step = app.steps.get()
    services.decide(actor=d.users["base_a1.reviewer"], step_id=step.pk, decision="approved")
    assert services.run_daily(now=step.due_at + dt.timedelta(days=30))["reminded"] == 0
    assert Step.objects.get(pk=step.pk).escalated_to is None


def test_command_runs(district, capsys):
    call_command("workflow_daily")
    assert "超期提醒" in capsys.readouterr().out


def test_escalation_skips_levels_without_staff(district):
    d = district  # 白杨联合工会 has no console accounts: the overdue step goes straight to the street
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=1003), submit=True)
    step = app.steps.get()
    services.run_daily(now=step.due_at + dt.timedelta(hours=1))
    step.refresh_from_db()
    assert step.escalated_to == d.street_a


def test_queue_page_marks_overdue(district, client):
    d = district
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=1004), submit=True)
    client.force_login(d.users["base_a1.reviewer"])
    assert "（超期）" not in client.get("/console/applications/").content.decode()
    Step.objects.filter(application=app).update(due_at=timezone.now() - dt.timedelta(days=1))
    page = client.get("/console/applications/?overdue=1").content.decode()
    assert app.number in page and "（超期）" in page

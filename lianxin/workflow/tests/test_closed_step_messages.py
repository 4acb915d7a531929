"""When a step closes — decided by one of its reviewers (approved, forwarded, rejected, returned) or removed by
the applicant's withdrawal — every unread message announcing it (arrival, overdue reminders, escalation) is
marked read, for every recipient, in the same transaction: unread counts only ever hold steps someone can still
act on. The messages stay in the inbox, marked 已处理; messages about other steps are untouched."""

import datetime as dt

import pytest
from django.db import transaction

from lianxin.core.models import Notification
from lianxin.workflow import selectors, services

from .helpers import join_data, worker
from .test_reviewer_notifications import file_legal

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def unread(d, username) -> int:
    return selectors.staff_unread_count(actor=d.users[username])


def unread_about(step) -> set[str]:
    return set(Notification.objects.filter(context__step=step.pk, read_at__isnull=True)
               .values_list("user__username", flat=True))


def test_decision_closes_the_other_reviewers_messages(district, client):
    d = district
    app = services.create_application(actor=worker("w1"), programme="join", data=join_data(d, n=5001), submit=True)
    other = services.create_application(actor=worker("w2"), programme="join", data=join_data(d, n=5002),
                                        submit=True)
    step = app.steps.get()
    assert unread(d, "base_a1.admin") == 2 and unread(d, "base_a1.reviewer") == 2
    services.decide(actor=d.users["base_a1.reviewer"], step_id=step.pk, decision="approved")
    assert unread_about(step) == set()
    assert unread(d, "base_a1.admin") == 1 and unread(d, "base_a1.reviewer") == 1  # the other application's
    assert unread_about(other.steps.get()) == {"base_a1.admin", "base_a1.reviewer"}
    # still listed for the admin, read and marked as dealt with
    client.force_login(d.users["base_a1.admin"])
    page = client.get("/console/applications/messages/").content.decode()
    assert page.count('<span class="tag ok">已处理</span>') == 1 and app.number in page


def test_overdue_and_escalation_messages_close_too(district):
    d = district
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=5003), submit=True)
    step = app.steps.get()
    services.run_daily(now=step.due_at + dt.timedelta(hours=1))  # reminder to base_a1, escalation to the street
    services.run_daily(now=step.due_at + dt.timedelta(days=1, hours=1))  # reminder to both
    templates = set(Notification.objects.filter(context__step=step.pk, read_at__isnull=True)
                    .values_list("template", flat=True))
    assert templates == {"workflow_new", "workflow_overdue", "workflow_escalated"}
    assert unread(d, "street_a.reviewer") == 2
    services.decide(actor=d.users["street_a.reviewer"], step_id=step.pk, decision="rejected", comment="不符合条件")
    assert unread_about(step) == set()
    for u in ("base_a1.admin", "base_a1.reviewer", "street_a.admin", "street_a.reviewer"):
        assert unread(d, u) == 0, u


def test_forwarded_closes_level_one_and_leaves_level_two_unread(district):
    d = district
    app = file_legal(d)
    s1 = app.steps.get()
    services.decide(actor=d.users["street_a.admin"], step_id=s1.pk, decision="approved")
    s2 = app.steps.get(decision__isnull=True)
    assert unread_about(s1) == set()
    assert unread_about(s2) == {"fed.admin", "fed.reviewer"}
    assert unread(d, "street_a.reviewer") == 0 and unread(d, "fed.reviewer") == 1


def test_return_closes_and_resubmission_announces_anew(district):
    d = district
    applicant = worker()
    app = services.create_application(actor=applicant, programme="join", data=join_data(d, n=5004), submit=True)
    s1 = app.steps.get()
    services.decide(actor=d.users["base_a1.admin"], step_id=s1.pk, decision="returned", fields=["job"],
                    comment="请写明具体岗位")
    assert unread(d, "base_a1.reviewer") == 0
    app.refresh_from_db()
    services.update_application(actor=applicant, app=app, data={"job": "数控车工"})
    services.submit_application(actor=applicant, app=app)
    assert unread(d, "base_a1.reviewer") == 1 and unread(d, "base_a1.admin") == 1


def test_withdrawal_closes_the_open_steps_messages(district):
    d = district
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=5005), submit=True)
    step = app.steps.get()
    services.run_daily(now=step.due_at + dt.timedelta(hours=1))
    assert unread(d, "base_a1.reviewer") == 2 and unread(d, "street_a.reviewer") == 1
    services.withdraw_application(actor=app.applicant, app=app)
    assert not type(step).objects.filter(pk=step.pk).exists()
    assert unread_about(step) == set()
    assert unread(d, "base_a1.reviewer") == 0 and unread(d, "street_a.reviewer") == 0


def test_only_that_steps_keys_and_only_on_commit(district):
    """``wf-new:<step>:`` must not reach ``wf-new:<step>1:…`` (step 4 is not step 41), and a decision that rolls
    back leaves the messages unread."""
    d = district
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=5006), submit=True)
    step = app.steps.get()
    reviewer = d.users["base_a1.reviewer"]
    lookalike = Notification.objects.create(channel="inapp", user=reviewer, template="workflow_new", title="t",
                                            body="b", dedupe_key=f"wf-new:{step.pk}1:{reviewer.pk}",
                                            context={"step": int(f"{step.pk}1")})
    with pytest.raises(RuntimeError), transaction.atomic():
        services.decide(actor=reviewer, step_id=step.pk, decision="approved")
        assert unread_about(step) == set()
        raise RuntimeError("the rest of the request failed")
    assert unread_about(step) == {"base_a1.admin", "base_a1.reviewer"}
    services.decide(actor=reviewer, step_id=step.pk, decision="approved")
    assert unread_about(step) == set()
    lookalike.refresh_from_db()
    assert lookalike.read_at is None
    assert services.close_step_messages([]) == 0


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_sweep_racing_a_decision_leaves_no_unread_reminder(district):
    """The daily sweep reads the step as open while a reviewer's decision is still uncommitted, then waits on the
    step's row lock. When the decision commits, the sweep's conditional UPDATE sees a decided step and writes no
    reminder and no escalation: nothing unread about a closed step (without ``decision IS NULL`` in the UPDATE
    the reminder would be written after the decision had closed the step's messages)."""
    import threading

    from django.db import connection

    from lianxin.workflow.models import Step

    d = district
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=5007), submit=True)
    step = app.steps.get()
    late = step.due_at + dt.timedelta(hours=1)
    decided, proceed, out = threading.Event(), threading.Event(), {}

    def reviewer():
        try:
            with transaction.atomic():
                services.decide(actor=d.users["base_a1.reviewer"], step_id=step.pk, decision="approved")
                decided.set()
                assert proceed.wait(30)
        finally:
            connection.close()

    def sweep():
        try:
            out["sweep"] = services.run_daily(now=late)
        finally:
            connection.close()

    a = threading.Thread(target=reviewer)
    a.start()
    assert decided.wait(30)
    b = threading.Thread(target=sweep)
    b.start()
    # let the decision commit only once the sweep is blocked on the step's row lock
    with connection.cursor() as c:
        for _ in range(3000):
            c.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = "
                      "current_database()")
            if c.fetchone()[0]:
                break
            threading.Event().wait(0.01)
        else:
            proceed.set()
            pytest.fail("the sweep never waited for the deciding transaction")
    proceed.set()
    a.join()
    b.join()
    assert out["sweep"] == {"reminded": 0, "escalated": 0, "cert_reminders": 0}
    assert Step.objects.get(pk=step.pk).decision == "approved"
    assert not Notification.objects.filter(template__in=["workflow_overdue", "workflow_escalated"]).exists()
    assert unread_about(step) == set()

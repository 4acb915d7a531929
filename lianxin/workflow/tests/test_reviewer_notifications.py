"""Reviewers are told when an application arrives at their level: on first submission, when the level below
approves, on resubmission after 退回补正 and on escalation. Exactly the staff whose 待我审核 queue now holds
the step get one in-app message each (same rule as the queue), written with the step, never twice, naming the
programme, the applicant by name and the console page, and never an ID number. The console's inbox shows them."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from lianxin.accounts.models import StaffRole, User
from lianxin.core import notify
from lianxin.core.errors import ServiceError
from lianxin.core.idnumbers import mask_id
from lianxin.core.models import Notification
from lianxin.core.testing import id_number, make_enterprise, make_user, mobile, race
from lianxin.workflow import selectors, services
from lianxin.workflow.models import Step

from .helpers import attach_all, join_data, legal_data, worker

pytestmark = [pytest.mark.pg]
LEGAL_SLOTS = ["approval_doc", "chairman_id", "filer_id"]


def new_for(step) -> dict[str, int]:
    """username -> number of "new application" messages about ``step``."""
    out: dict[str, int] = {}
    for n in Notification.objects.filter(template="workflow_new", context__step=step.pk).select_related("user"):
        out[n.user.username] = out.get(n.user.username, 0) + 1
    return out


def in_queue_of(step) -> set[str]:
    """Everyone (not a superuser) whose 待我审核 holds ``step``, asked of the queue itself, user by user."""
    return {u.username for u in User.objects.filter(is_superuser=False)
            if selectors.queue(actor=u, scope="mine").filter(pk=step.pk).exists()}


def file_legal(d):
    admin = d.users["base_a1.admin"]
    app = services.create_application(actor=admin, programme="legal", data=legal_data(d.base_a1))
    attach_all(app, admin, LEGAL_SLOTS)
    services.submit_application(actor=admin, app=app)
    return app


@pytest.mark.django_db
def test_submission_notifies_exactly_the_reviewers_of_that_level(district):
    d = district
    make_user("base_b1.reviewer", d.base_b1, "reviewer")  # a union in the other street
    gone = make_user("base_a1.former", d.base_a1, "reviewer")
    StaffRole.objects.filter(user=gone).update(active=False)  # a withdrawn grant no longer reviews
    User.objects.create_superuser("root", "root@example.org", "x")  # sees every queue, holds no desk
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=2001), submit=True)
    step = app.steps.get()
    assert new_for(step) == {"base_a1.admin": 1, "base_a1.reviewer": 1}
    # the same people the queue shows it to: viewers/auditors, the street, the other street and the
    # federation (who see it under 辖区待审, not 待我审核) are not told
    assert set(new_for(step)) == in_queue_of(step)
    n = Notification.objects.get(template="workflow_new", user=d.users["base_a1.reviewer"])
    assert n.channel == "inapp"
    assert "申请入会" in n.title + n.body and "王小明" in n.body and app.number in n.body
    assert f"/console/applications/{app.pk}/" in n.body and n.context["url"] == f"/console/applications/{app.pk}/"
    assert "杭州甲科技有限公司工会" in n.body


@pytest.mark.django_db
def test_written_in_the_steps_transaction(district):
    """The messages are rows of the same transaction as the step: if submitting fails after the step was
    opened, neither the step nor any message survives."""
    d = district
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=2012))
    with pytest.raises(RuntimeError), transaction.atomic():
        services.submit_application(actor=app.applicant, app=app)
        assert Notification.objects.filter(template="workflow_new").count() == 2
        raise RuntimeError("a later part of the request failed")
    assert not Step.objects.filter(application=app).exists()
    assert not Notification.objects.filter(template="workflow_new").exists()


@pytest.mark.django_db
def test_union_without_reviewers_notifies_the_level_handling_it(district):
    d = district  # 白杨联合工会 has no console accounts: the street handles its step, so the street is told
    ent = make_enterprise(d.street_a, "杭州丙物流有限公司")
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=2002, employer=ent),
                                      submit=True)
    step = app.steps.get()
    assert step.org == d.joint_a and step.assigned_to == d.street_a
    assert new_for(step) == {"street_a.admin": 1, "street_a.reviewer": 1}
    assert set(new_for(step)) == in_queue_of(step)
    body = Notification.objects.filter(template="workflow_new").first().body
    assert "白杨联合工会（工会审核，由白杨街道总工会代办）" in body


@pytest.mark.django_db
def test_approval_at_level_one_notifies_level_two_only(district):
    d = district
    app = file_legal(d)
    s1 = app.steps.get()
    assert s1.org == d.street_a
    assert new_for(s1) == {"street_a.admin": 1, "street_a.reviewer": 1} and set(new_for(s1)) == in_queue_of(s1)
    services.decide(actor=d.users["street_a.reviewer"], step_id=s1.pk, decision="approved")
    s2 = app.steps.get(decision__isnull=True)
    assert s2.org == d.fed
    assert new_for(s2) == {"fed.admin": 1, "fed.reviewer": 1} and set(new_for(s2)) == in_queue_of(s2)
    assert new_for(s1) == {"street_a.admin": 1, "street_a.reviewer": 1}  # nothing more to the level done with
    body = Notification.objects.get(template="workflow_new", context__step=s2.pk, user=d.users["fed.reviewer"]).body
    assert "工会法人资格登记" in body and "已通过上一环节" in body and "杭州甲科技有限公司工会" in body
    # the final approval opens no step and tells no reviewer
    before = Notification.objects.filter(template="workflow_new").count()
    services.decide(actor=d.users["fed.reviewer"], step_id=s2.pk, decision="rejected", comment="材料不全")
    assert Notification.objects.filter(template="workflow_new").count() == before


@pytest.mark.django_db
def test_resubmission_after_return_notifies_again(district):
    d = district
    applicant = worker()
    app = services.create_application(actor=applicant, programme="join", data=join_data(d, n=2003), submit=True)
    s1 = app.steps.get()
    services.decide(actor=d.users["base_a1.reviewer"], step_id=s1.pk, decision="returned", fields=["job"],
                    comment="请写明具体岗位")
    app.refresh_from_db()
    services.update_application(actor=applicant, app=app, data={"job": "数控车工"})
    services.submit_application(actor=applicant, app=app)
    s2 = app.steps.get(decision__isnull=True)
    assert s2.pk != s1.pk
    assert new_for(s2) == {"base_a1.admin": 1, "base_a1.reviewer": 1}
    mine = Notification.objects.filter(template="workflow_new", user=d.users["base_a1.reviewer"]).order_by("id")
    assert mine.count() == 2 and "重新提交" in mine.last().body


@pytest.mark.django_db
def test_twice_is_once(district):
    d = district
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=2004), submit=True)
    step = app.steps.get()
    total = Notification.objects.count()
    assert services.notify_step_reviewers(step) == 2  # a retry: addressed again, nothing new written
    assert services.notify_step_reviewers(step, how="resubmitted") == 2
    assert Notification.objects.count() == total
    # opening the step again (a double submit) is refused and writes nothing either
    with pytest.raises(ServiceError) as e:
        services._open_step(app, step.seq, step.level, step.org, 5)
    assert e.value.code == "already_submitted"
    with pytest.raises(ServiceError):
        services.submit_application(actor=app.applicant, app=app)
    assert Notification.objects.count() == total
    # and the outbox itself, called twice with the step's key, keeps one row
    reviewer = d.users["base_a1.reviewer"]
    again = notify.enqueue(channel="inapp", user=reviewer, template="workflow_new", title="x", body="y",
                           dedupe_key=f"wf-new:{step.pk}:{reviewer.pk}")
    assert again.body != "y" and Notification.objects.count() == total
    assert new_for(step) == {"base_a1.admin": 1, "base_a1.reviewer": 1}


@pytest.mark.django_db
def test_messages_carry_no_id_number_or_mobile(district):
    d = district
    number, phone = id_number(2005), mobile(2005)
    services.create_application(actor=worker(), programme="join",
                                data=join_data(d, n=2005, id_number=number, mobile=phone), submit=True)
    file_legal(d)
    rows = list(Notification.objects.filter(template__startswith="workflow_"))
    assert rows
    for n in rows:
        text = f"{n.title} {n.body} {n.context}"
        assert number not in text and number[:-1] not in text and phone not in text
    # whatever field a number comes from, a message only ever holds its mask
    assert services._scrub(f"申请人：{number}") == f"申请人：{mask_id(number)}"
    assert services._scrub("编号 SQ20260000123") == "编号 SQ20260000123"


@pytest.mark.django_db
def test_escalation_notifies_the_new_level_once(district):
    d = district
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=2006), submit=True)
    step = app.steps.get()
    later = step.due_at + dt.timedelta(hours=1)
    assert services.run_daily(now=later)["escalated"] == 1
    step.refresh_from_db()
    assert step.escalated_to == d.street_a
    esc = {n.user.username for n in Notification.objects.filter(template="workflow_escalated")}
    assert esc == {"street_a.admin", "street_a.reviewer"}  # base_a1's reviewers had it already
    assert esc | {"base_a1.admin", "base_a1.reviewer"} == in_queue_of(step)
    n = Notification.objects.filter(template="workflow_escalated").first()
    assert "申请入会" in n.body and "王小明" in n.body and n.context["url"] == f"/console/applications/{app.pk}/"
    services.run_daily(now=later + dt.timedelta(hours=2))
    assert Notification.objects.filter(template="workflow_escalated").count() == 2


@pytest.mark.django_db
def test_rule_matches_the_queue_for_every_user(district):
    """step_reviewers reads the queue's rule from the step's side; check both directions on steps of every
    shape (own level, handled by the level above, forwarded to the federation, escalated)."""
    d = district
    make_user("base_b1.reviewer", d.base_b1, "reviewer")
    make_user("joint_a.admin", d.joint_a, "admin")
    make_user("joint_b.viewer", d.joint_b, "viewer")
    a1 = services.create_application(actor=worker("w1"), programme="join", data=join_data(d, n=2007), submit=True)
    ent = make_enterprise(d.street_b, "杭州丁电子有限公司")
    b = services.create_application(actor=worker("w2"), programme="join",
                                    data=join_data(d, n=2008, employer=ent), submit=True)
    legal = file_legal(d)
    services.decide(actor=d.users["street_a.admin"], step_id=legal.steps.get().pk, decision="approved")
    late = services.create_application(actor=worker("w3"), programme="join",
                                       data=join_data(d, n=2009, employer=d.ent_b1), submit=True)
    Step.objects.filter(application=late).update(due_at=timezone.now() - dt.timedelta(days=1))
    assert services.run_daily()["escalated"] == 1  # only this one is overdue
    steps = list(Step.objects.filter(decision__isnull=True).select_related("org"))
    assert len(steps) == 4
    for step in steps:
        assert {u.username for u in selectors.step_reviewers(step)} == in_queue_of(step), step
    assert {u.username for u in selectors.step_reviewers(a1.steps.get())} == {"base_a1.admin", "base_a1.reviewer"}
    assert {u.username for u in selectors.step_reviewers(b.steps.get())} == {"street_b.admin", "street_b.reviewer"}


@pytest.mark.django_db
def test_console_inbox_badge_list_and_open(district, client):
    d = district
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=2010), submit=True)
    reviewer = d.users["base_a1.reviewer"]
    client.force_login(reviewer)
    page = client.get("/console/applications/").content.decode()
    assert 'id="inbox-link"' in page and '<span class="wf-badge">1</span>' in page
    assert 'id="inbox-latest"' in page and "待审核：申请入会（王小明）" in page
    inbox = client.get("/console/applications/messages/").content.decode()
    mine = Notification.objects.get(user=reviewer, template="workflow_new")
    assert f"/console/applications/messages/{mine.pk}/" in inbox and "未读" in inbox and '<span class="tag">待审</span>' in inbox
    # someone else's message: 404, and it stays unread
    other = Notification.objects.get(user=d.users["base_a1.admin"], template="workflow_new")
    assert client.get(f"/console/applications/messages/{other.pk}/").status_code == 404
    resp = client.get(f"/console/applications/messages/{mine.pk}/")
    assert resp.status_code == 302 and resp["Location"] == f"/console/applications/{app.pk}/"
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.read_at is not None and other.read_at is None
    assert client.get(resp["Location"]).status_code == 200
    assert 'class="wf-badge"' not in client.get("/console/applications/").content.decode()
    # decided: the message says so
    services.decide(actor=reviewer, step_id=app.steps.get().pk, decision="approved")
    assert "已处理" in client.get("/console/applications/messages/").content.decode()
    # the admin marks everything read at once; a viewer has no messages at all
    client.force_login(d.users["base_a1.admin"])
    assert client.post("/console/applications/messages/").status_code == 302
    other.refresh_from_db()
    assert other.read_at is not None
    client.force_login(d.users["base_a1.viewer"])
    assert "暂无消息" in client.get("/console/applications/messages/").content.decode()
    client.logout()
    assert client.get("/console/applications/messages/").status_code in (302, 403)


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_concurrent_notify_calls_write_once(district):
    """Two workers announcing the same step at the same instant (a retried task beside the original): the
    outbox's unique key leaves one message per reviewer."""
    d = district
    app = services.create_application(actor=worker(), programme="join", data=join_data(d, n=2011), submit=True)
    step = app.steps.get()
    Notification.objects.filter(template="workflow_new").delete()
    results = race([lambda: services.notify_step_reviewers(Step.objects.get(pk=step.pk))] * 4)
    assert results == [2, 2, 2, 2]
    assert new_for(step) == {"base_a1.admin": 1, "base_a1.reviewer": 1}

"""取消培训班 (both databases): the organiser's 管理员 cancels with a reason; the enrolments stay as history, each
live trainee is told once, the act is audited with its reason; afterwards every service refuses the class in
Chinese (enrol, withdraw, 点名, scores, certificates, quotas, editing, cancelling again); cancelling is refused once
a score is recorded, once certificates are issued, after the end date, without a reason and outside scope; the
database's CHECKs tie status, time and reason together; the pages (class, list, filter, member H5)."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry, Notification
from lianxin.core.testing import ROOT
from lianxin.training import services
from lianxin.training.models import ClassQuota, Enrolment, Session, TrainingClass
from lianxin.training.testing import attend_all, end_class, make_class, make_member, start_class

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

REASON = "授课老师临时有事，另行安排"


@pytest.fixture
def world(district):
    d = district
    k = make_class(d.street_a, places=5)
    es = [
        services.enrol(actor=ROOT, klass=k, person=make_member(d.base_a1, f"班长{i}").person)
        for i in range(3)
    ]
    services.withdraw(actor=ROOT, enrolment=es[2])
    return d, k, es


def _refused(fn, **kw):
    with pytest.raises(ServiceError) as e:
        fn(**kw)
    return e.value


def test_cancel_keeps_the_enrolments_tells_each_trainee_once_and_is_audited(world):
    d, k, es = world
    services.cancel_class(actor=d.users["street_a.admin"], klass=k, reason=f"  {REASON} ")
    k.refresh_from_db()
    assert (k.status, k.cancel_reason, k.remaining) == ("cancelled", REASON, 3)
    assert k.cancelled_at is not None and k.cancelled
    # history kept: the two live enrolments stay enrolled, the withdrawn one stays withdrawn
    assert [e.status for e in Enrolment.objects.filter(klass=k).order_by("id")] == [
        "enrolled",
        "enrolled",
        "withdrawn",
    ]
    notes = Notification.objects.filter(template="training_class_cancelled")
    assert sorted(n.user_id for n in notes) == sorted(e.person.user.pk for e in es[:2])
    assert REASON in notes.first().body and k.title in notes.first().body
    a = AuditEntry.objects.get(action="training.class_cancel")
    assert a.reason == REASON and a.detail["count"] == 2 and a.actor == d.users["street_a.admin"]
    e = _refused(services.cancel_class, actor=ROOT, klass=k, reason=REASON)
    assert (e.code, e.message) == ("cancelled", "培训班已取消")
    assert notes.count() == 2 and AuditEntry.objects.filter(action="training.class_cancel").count() == 1


def test_a_cancelled_class_refuses_every_write(world):
    d, k, es = world
    services.set_quota(actor=ROOT, klass=k, union=d.base_a1, quota="3")
    services.cancel_class(actor=ROOT, klass=k, reason=REASON)
    newcomer = make_member(d.base_a1, "新班长").person
    cases = [
        (services.enrol, dict(klass=k, person=newcomer), "培训班已取消，不能报名"),
        (services.withdraw, dict(enrolment=es[0]), "培训班已取消，不能退出报名"),
        (services.set_quota, dict(klass=k, union=d.base_a1, quota="4"), "培训班已取消，不能再分配名额"),
        (
            services.update_class,
            {"klass": k, **{f: getattr(k, f) for f in services.EDITABLE}, "place": "别处会议室"},
            "培训班已取消，不能再修改",
        ),
    ]
    for fn, kw, message in cases:
        e = _refused(fn, actor=ROOT, **kw)
        assert (e.code, e.message) == ("cancelled", message), fn.__name__
    assert Enrolment.objects.filter(klass=k, person=newcomer).count() == 0
    assert Enrolment.objects.get(pk=es[0].pk).status == "enrolled"
    assert ClassQuota.objects.get(klass=k).quota == 3
    # the class as if it ran and ended today: no roll call, no scores, no certificates
    end_class(k, ago=0)
    for fn, kw, message in [
        (services.record_attendance, dict(klass=k, n=1, present_ids=[es[0].pk]), "培训班已取消，不能再点名"),
        (services.record_scores, dict(klass=k, scores={str(es[0].pk): "90"}), "培训班已取消，不能登记成绩"),
        (services.issue_certificates, dict(klass=k), "培训班已取消，不能发证"),
    ]:
        e = _refused(fn, actor=ROOT, **kw)
        assert (e.code, e.message) == ("cancelled", message), fn.__name__
    assert not Session.objects.filter(klass=k, recorded_at__isnull=False).exists()
    assert Enrolment.objects.filter(klass=k, score__isnull=False).count() == 0


def test_a_running_class_can_be_cancelled_and_its_roll_call_stays(world):
    d, k, es = world
    start_class(k)
    services.record_attendance(actor=ROOT, klass=k, n=1, present_ids=[es[0].pk])
    services.cancel_class(actor=ROOT, klass=k, reason=REASON)
    assert services.attended_counts(k) == {es[0].pk: 1}


def test_when_cancelling_is_refused(world):
    d, k, es = world
    e = _refused(services.cancel_class, actor=ROOT, klass=k, reason=" ")
    assert (e.field, e.message) == ("reason", "请填写取消原因（2 至 200 个字）")
    e = _refused(services.cancel_class, actor=ROOT, klass=k, reason="改" * 201)
    assert e.field == "reason"
    for who in ("street_b.admin", "street_a.viewer", "base_a1.admin"):
        with pytest.raises(PermissionDenied):
            services.cancel_class(actor=d.users[who], klass=k, reason=REASON)
    end_class(k, ago=0)  # the last day: still possible until a score is recorded
    attend_all(k, es[:2])
    services.record_scores(actor=ROOT, klass=k, scores={str(es[0].pk): "80"})
    e = _refused(services.cancel_class, actor=ROOT, klass=k, reason=REASON)
    assert (e.code, e.message) == ("scored", "已登记考核成绩，培训班不能取消")
    services.issue_certificates(actor=ROOT, klass=k)
    e = _refused(services.cancel_class, actor=ROOT, klass=k, reason=REASON)
    assert (e.code, e.message) == ("certified", "培训班已发放结业证书，不能取消")
    other = make_class(d.street_a, title="2027 年第二期班组长培训班")
    end_class(other, ago=1)
    e = _refused(services.cancel_class, actor=ROOT, klass=other, reason=REASON)
    assert (e.code, e.message) == ("finished", "培训班已结业，不能取消")
    assert TrainingClass.objects.filter(status="cancelled").count() == 0
    assert not AuditEntry.objects.filter(action="training.class_cancel").exists()


def test_the_database_ties_status_time_and_reason(world):
    d, k, es = world
    now = timezone.now()
    for change in (
        {"status": "cancelled"},
        {"status": "cancelled", "cancelled_at": now},
        {"status": "cancelled", "cancel_reason": REASON},
        {"cancelled_at": now},
        {"cancel_reason": REASON},
        {"status": "closed"},
        {"status": "cancelled", "cancelled_at": now, "cancel_reason": REASON, "certified_at": now},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            TrainingClass.objects.filter(pk=k.pk).update(**change)
    TrainingClass.objects.filter(pk=k.pk).update(status="cancelled", cancelled_at=now, cancel_reason=REASON)


def test_pages(world, client):
    d, k, es = world
    url = f"/console/training/{k.pk}/"
    client.force_login(d.users["street_a.viewer"])
    assert 'id="cancel-form"' not in client.get(url).content.decode()
    assert client.post(f"{url}cancel/", {"reason": REASON}).status_code == 403
    client.force_login(d.users["street_b.admin"])
    assert client.post(f"{url}cancel/", {"reason": REASON}).status_code == 404
    client.force_login(d.users["street_a.admin"])
    html = client.get(url).content.decode()
    assert 'id="cancel-form"' in html and "data-confirm=" in html and "js/confirm.js" in html
    r = client.post(f"{url}cancel/", {"reason": ""}, follow=True)
    assert "请填写取消原因" in r.content.decode()
    k.refresh_from_db()
    assert k.status == "open"
    r = client.post(f"{url}cancel/", {"reason": REASON}, follow=True)
    html = r.content.decode()
    assert "已取消“" in html and 'id="class-status"' in html and REASON in html
    assert 'id="cancel-form"' not in html and 'id="edit-link"' not in html and 'id="enrol-link"' not in html
    assert "withdraw-" not in html and 'id="quota-form"' not in html
    r = client.get(f"{url}edit/", follow=True)
    assert r.redirect_chain[-1][0] == url and "培训班已取消，不能再修改" in r.content.decode()
    assert 'id="scores-link"' not in html and 'id="issue-certificates"' not in html
    assert "已取消" in client.get("/console/training/").content.decode()
    listed = client.get("/console/training/?status=cancelled").content.decode()
    assert k.title in listed
    assert k.title not in client.get("/console/training/?status=open").content.decode()
    assert 'id="class-cancelled"' in client.get(f"{url}sessions/1/").content.decode()
    assert 'id="save-attendance"' not in client.get(f"{url}sessions/1/").content.decode()
    r = client.post(f"{url}sessions/1/", {"present": [es[0].pk]}, follow=True)
    assert "培训班已取消，不能再点名" in r.content.decode()
    client.force_login(d.users["base_a1.admin"])
    html = client.get(f"{url}enrol/").content.decode()
    assert 'id="class-cancelled"' in html and 'id="enrol-' not in html.replace('id="enrol-remaining"', "")
    client.force_login(es[0].person.user)
    html = client.get("/m/training/").content.decode()
    assert f'id="cancelled-{es[0].pk}"' in html and REASON in html


def test_the_audit_log_names_the_cancellation(world, client):
    d, k, es = world
    services.cancel_class(actor=d.users["street_a.admin"], klass=k, reason=REASON)
    client.force_login(d.users["street_a.admin"])
    page = client.get("/console/audit/").content.decode()
    assert "取消班组长培训班" in page and REASON in page

"""班组长培训 rules through the services, on both databases: publishing's Chinese refusals, enrolment (live members
only, the actor's own unions, the class's audience, one per person, places, quotas up the tree, the deadline),
withdrawal giving places back, quotas, attendance, scores, certificates (80 % and the pass mark, gap-free
numbers, idempotent, locked once issued), and the constraints when the services are bypassed."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry, Notification
from lianxin.core.testing import ROOT, make_person
from lianxin.training import services
from lianxin.training.models import ClassQuota, Enrolment, TrainingClass
from lianxin.training.testing import attend_all, end_class, make_class, make_member, start_class

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def _refused(fn, **kw):
    with pytest.raises(ServiceError) as e:
        fn(**kw)
    return e.value


def test_publishing_refusals_name_the_field(district):
    d = district
    today = timezone.localdate()
    good = dict(
        org=d.street_a,
        title="白杨街道班组长轮训班",
        place="职工之家",
        starts_on=today + dt.timedelta(days=9),
        ends_on=today + dt.timedelta(days=11),
        signup_deadline=today + dt.timedelta(days=7),
        hours="24",
        sessions="6",
        places="40",
        pass_mark="60",
    )
    cases = [
        ({"title": "班"}, "title", "班次名称"),
        ({"place": ""}, "place", "培训地点"),
        ({"starts_on": today - dt.timedelta(days=1)}, "starts_on", "不能早于今天"),
        ({"ends_on": today + dt.timedelta(days=8)}, "ends_on", "不能早于开班日期"),
        ({"signup_deadline": today + dt.timedelta(days=10)}, "signup_deadline", "报名截止日期"),
        ({"places": "0"}, "places", "名额应为 1 至 10000"),
        ({"places": "十"}, "places", "名额应为整数"),
        ({"sessions": ""}, "sessions", "请填写课次"),
        ({"pass_mark": "101"}, "pass_mark", "考核合格分应为 0 至 100"),
        ({"hours": "-3"}, "hours", "学时"),
        ({"org": d.base_a1}, "org", "总工会或街道"),
    ]
    for change, field, words in cases:
        e = _refused(services.create_class, actor=d.users["street_a.admin"], **{**good, **change})
        assert e.field == field and words in e.message, (change, e.message)
    with pytest.raises(PermissionDenied):
        services.create_class(actor=d.users["street_b.admin"], **good)
    with pytest.raises(PermissionDenied):
        services.create_class(actor=d.users["street_a.reviewer"], **good)
    k = services.create_class(actor=d.users["street_a.admin"], **good)
    assert (k.places, k.remaining, k.sessions, k.session_rows.count()) == (40, 40, 6, 6)
    assert AuditEntry.objects.filter(action="training.class_create", object_id=str(k.pk)).count() == 1


def test_enrol_live_members_of_own_unions_once(district):
    d = district
    k = make_class(d.street_a, places=5)
    m = make_member(d.base_a1, "王班长")
    admin = d.users["base_a1.admin"]
    e = services.enrol(actor=admin, klass=k, person=m.person)
    assert (e.union, e.status) == (d.base_a1, "enrolled")
    k.refresh_from_db()
    assert k.remaining == 4
    assert _refused(services.enrol, actor=admin, klass=k, person=m.person).code == "duplicate"
    # not a member (a person on record only), someone else's union, outside the class's audience
    outsider = make_person(d.base_a1, "未入会")
    assert _refused(services.enrol, actor=admin, klass=k, person=outsider).code == "not_member"
    other = make_member(d.base_b1, "下沙职工")
    with pytest.raises(PermissionDenied):
        services.enrol(actor=admin, klass=k, person=other.person)
    # a person on another union's record only: refused for scope, without being described as "not a member"
    with pytest.raises(PermissionDenied) as refused:
        services.enrol(actor=admin, klass=k, person=make_person(d.base_b1, "下沙未入会"))
    assert str(refused.value) == "下沙未入会不在您的管理范围内"
    assert _refused(services.enrol, actor=d.users["street_b.admin"], klass=k, person=other.person).code == (
        "out_of_audience"
    )
    with pytest.raises(PermissionDenied):  # a reviewer does not enrol
        services.enrol(actor=d.users["base_a1.reviewer"], klass=k, person=make_member(d.base_a1, "李").person)
    k.refresh_from_db()
    assert k.remaining == 4 and Enrolment.objects.count() == 1


def test_places_deadline_and_withdrawal(district):
    d = district
    k = make_class(d.fed, places=2)
    a, b, c = (make_member(d.base_a1, n) for n in ("甲", "乙", "丙"))
    ea = services.enrol(actor=ROOT, klass=k, person=a.person)
    services.enrol(actor=ROOT, klass=k, person=b.person)
    e = _refused(services.enrol, actor=ROOT, klass=k, person=c.person)
    assert e.code == "full" and "2 个名额已满" in e.message
    services.withdraw(actor=d.users["base_a1.admin"], enrolment=ea)
    k.refresh_from_db()
    assert k.remaining == 1
    assert _refused(services.withdraw, actor=ROOT, enrolment=ea).code == "withdrawn"
    services.enrol(actor=ROOT, klass=k, person=c.person)
    again = _refused(services.enrol, actor=ROOT, klass=k, person=a.person)
    assert again.code == "full"  # a withdrawn trainee may come back, but only into a free place
    eb = Enrolment.objects.get(person=b.person)
    with pytest.raises(PermissionDenied):  # another street's administrator cannot take them off
        services.withdraw(actor=d.users["street_b.admin"], enrolment=eb)
    TrainingClass.objects.filter(pk=k.pk).update(signup_deadline=timezone.localdate() - dt.timedelta(days=1))
    assert _refused(services.withdraw, actor=ROOT, enrolment=eb).code == "closed"
    assert (
        _refused(services.enrol, actor=ROOT, klass=k, person=make_member(d.base_a1, "丁").person).code
        == "closed"
    )


def test_quotas_hold_for_the_union_and_those_under_it(district):
    d = district
    k = make_class(d.fed, places=10)
    services.set_quota(actor=d.users["fed.admin"], klass=k, union=d.street_a, quota="3")
    services.set_quota(actor=d.users["fed.admin"], klass=k, union=d.base_a1, quota="2")
    people = [make_member(d.base_a1, f"甲{i}").person for i in range(3)]
    for p in people[:2]:
        services.enrol(actor=ROOT, klass=k, person=p)
    e = _refused(services.enrol, actor=ROOT, klass=k, person=people[2])
    assert e.code == "quota" and d.base_a1.name in e.message
    # the joint union's member counts against the street's quota only
    j = make_member(d.joint_a, "联合工会会员")
    services.enrol(actor=ROOT, klass=k, person=j.person)
    e = _refused(services.enrol, actor=ROOT, klass=k, person=make_member(d.joint_a, "又一个").person)
    assert e.code == "quota" and d.street_a.name in e.message
    # street_b has no quota: only the class's places limit it
    for i in range(3):
        services.enrol(actor=ROOT, klass=k, person=make_member(d.base_b1, f"乙{i}").person)
    k.refresh_from_db()
    qa, qb = ClassQuota.objects.get(union=d.street_a), ClassQuota.objects.get(union=d.base_a1)
    assert (k.remaining, qa.remaining, qb.remaining) == (4, 0, 0)
    # a refused enrolment left nothing behind
    assert Enrolment.objects.filter(klass=k).count() == 6
    # withdrawing gives the place back to the class and to both quotas
    services.withdraw(actor=ROOT, enrolment=Enrolment.objects.get(person=people[0]))
    k.refresh_from_db()
    qa.refresh_from_db()
    qb.refresh_from_db()
    assert (k.remaining, qa.remaining, qb.remaining) == (5, 1, 1)
    # a quota is never set below what the union holds, nor for a union outside the class, nor by a street
    e = _refused(services.set_quota, actor=ROOT, klass=k, union=d.street_a, quota="1")
    assert e.field == "quota" and "已报名 2 人" in e.message
    assert _refused(services.set_quota, actor=ROOT, klass=k, union=d.fed, quota="3").field == "union"
    with pytest.raises(PermissionDenied):
        services.set_quota(actor=d.users["street_a.admin"], klass=k, union=d.base_a1, quota="5")
    assert services.set_quota(actor=ROOT, klass=k, union=d.base_a1, quota="0") is None
    assert not ClassQuota.objects.filter(union=d.base_a1).exists()
    assert AuditEntry.objects.filter(action="training.quota_set").count() == 3


def _held(d, n=4, sessions=5, pass_mark=60):
    k = make_class(d.street_a, places=10, sessions=sessions, pass_mark=pass_mark)
    es = [
        services.enrol(
            actor=ROOT, klass=k, person=make_member(d.base_a1, f"学员{i}", mobile_no=f"1391234000{i}").person
        )
        for i in range(n)
    ]
    return k, es


def test_attendance_scores_and_certificates(district):
    d = district
    admin = d.users["street_a.admin"]
    k, (full, four, three, failed) = _held(d)
    assert (
        _refused(services.record_attendance, actor=admin, klass=k, n=1, present_ids=[]).code == "not_started"
    )
    start_class(k)
    with pytest.raises(PermissionDenied):
        services.record_attendance(actor=d.users["base_a1.admin"], klass=k, n=1, present_ids=[])
    for n in range(1, 6):
        present = [full.pk, failed.pk] + ([four.pk] if n != 5 else []) + ([three.pk] if n <= 3 else [])
        services.record_attendance(actor=admin, klass=k, n=n, present_ids=[str(i) for i in present])
    # a re-roll of session 1 replaces its marks
    services.record_attendance(actor=admin, klass=k, n=1, present_ids=[full.pk, four.pk, three.pk, failed.pk])
    counts = services.attended_counts(k)
    assert (counts[full.pk], counts[four.pk], counts[three.pk], counts[failed.pk]) == (5, 4, 3, 5)
    assert _refused(services.record_scores, actor=admin, klass=k, scores={}).code == "not_ended"
    assert _refused(services.issue_certificates, actor=admin, klass=k).code == "not_ended"
    end_class(k)
    e = _refused(
        services.record_scores, actor=admin, klass=k, scores={str(full.pk): "90", str(four.pk): "一百"}
    )
    assert e.field == f"score_{four.pk}" and "学员1的成绩应为 0 至 100 的整数" == e.message
    assert _refused(services.record_scores, actor=admin, klass=k, scores={str(full.pk): "101"}).field == (
        f"score_{full.pk}"
    )
    full.refresh_from_db()
    assert full.score is None  # all or nothing
    services.record_scores(
        actor=admin,
        klass=k,
        scores={str(full.pk): "90", str(four.pk): "60", str(three.pk): "99", str(failed.pk): "59"},
    )
    issued = services.issue_certificates(actor=admin, klass=k)
    year = timezone.localdate().year
    # 5/5 and 90, 4/5 (80 %) and exactly the pass mark qualify; 3/5 (60 %) and 59 do not
    assert [x.pk for x in issued] == [full.pk, four.pk]
    assert [x.certificate_no for x in issued] == [f"{year}00001", f"{year}00002"]
    assert services.issue_certificates(actor=admin, klass=k) == []  # idempotent
    assert AuditEntry.objects.filter(action="training.certificates_issue").count() == 1
    assert Notification.objects.filter(template="training_certificate").count() == 2
    # once issued, the certificate's score and attendance stay as they were
    e = _refused(services.record_scores, actor=admin, klass=k, scores={str(full.pk): "50"})
    assert "已发证" in e.message
    services.record_attendance(actor=admin, klass=k, n=2, present_ids=[])
    assert services.attended_counts(k)[full.pk] == 5
    # the one who failed re-sits and passes: the next number, no gap
    services.record_scores(actor=admin, klass=k, scores={str(failed.pk): "75"})
    assert [x.certificate_no for x in services.issue_certificates(actor=admin, klass=k)] == [f"{year}00003"]


def test_certificates_wait_for_every_session(district):
    d = district
    k, es = _held(d, n=1, sessions=3)
    end_class(k)
    attend_all(k, es, sessions={1, 2})  # records all three; the third with nobody present
    services.record_scores(actor=ROOT, klass=k, scores={str(es[0].pk): "80"})
    assert services.issue_certificates(actor=ROOT, klass=k) == []  # 2/3 = 67 % < 80 %
    k2, es2 = _held(d, n=1, sessions=2)
    end_class(k2)
    services.record_attendance(actor=ROOT, klass=k2, n=1, present_ids=[es2[0].pk])
    e = _refused(services.issue_certificates, actor=ROOT, klass=k2)
    assert e.code == "unrecorded" and "1 个课次没有点名" in e.message


def test_the_database_refuses_what_the_services_would(district):
    d = district
    k, (e, *_rest) = _held(d, n=1)
    for change in (
        {"remaining": k.places + 1},
        {"pass_mark": 101},
        {"ends_on": k.starts_on - dt.timedelta(days=1)},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            TrainingClass.objects.filter(pk=k.pk).update(**change)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(klass=k, person=e.person, union=e.union)  # a second live enrolment
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.filter(pk=e.pk).update(score=101)
    with pytest.raises(IntegrityError), transaction.atomic():  # a certificate needs a score and a time
        Enrolment.objects.filter(pk=e.pk).update(certificate_no="202600099")
    q = services.set_quota(actor=ROOT, klass=k, union=d.joint_a, quota="2")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClassQuota.objects.filter(pk=q.pk).update(remaining=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClassQuota.objects.create(klass=k, union=d.joint_a, quota=1, remaining=1)

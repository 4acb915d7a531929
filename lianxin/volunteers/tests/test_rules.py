"""The rules of 工会志愿者服务, each through the services and, beneath them, the database: one registration per
person, decisions by the volunteer's union only, places as a CHECKed counter, one live sign-up per project,
withdrawal before the start, attendance after the end, one credit per sign-up in an append-only ledger and
reversals instead of edits; messages to the member through the outbox."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry, Notification
from lianxin.core.testing import ROOT
from lianxin.volunteers import selectors, services
from lianxin.volunteers.models import HoursEntry, Project, Signup, Volunteer
from lianxin.volunteers.testing import end_project, make_member, make_project, make_volunteer, register

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_register_once_and_resubmit_after_decline(district):
    d = district
    m = make_member(d.base_a1, "林晓")
    for bad, field in (
        ({"skills": []}, "skills"),
        ({"skills": ["juggling"]}, "skills"),
        ({"times": []}, "times"),
        ({"note": "长" * 201}, "note"),
    ):
        args = {"skills": ["medic"], "times": ["weekend"], "note": ""} | bad
        with pytest.raises(ServiceError) as e:
            services.register_volunteer(actor=m.user, **args)
        assert e.value.field == field and e.value.message
    v = register(m.user, skills=("law", "medic", "law"))
    assert v.skills == ["medic", "law"] and v.union == d.base_a1 and v.status == "pending"
    with pytest.raises(ServiceError) as e:
        register(m.user)
    assert e.value.code == "duplicate" and "审核中" in e.value.message
    with pytest.raises(IntegrityError), transaction.atomic():  # past the service: the unique person
        Volunteer.objects.create(person=m.person, union=d.base_a1, skills=["medic"], times=["weekend"])
    with pytest.raises(ServiceError) as e:
        services.decide_volunteer(actor=d.users["base_a1.reviewer"], volunteer=v, approve=False, reason="")
    assert e.value.field == "reason"
    services.decide_volunteer(
        actor=d.users["base_a1.reviewer"], volunteer=v, approve=False, reason="请补充特长说明"
    )
    v2 = register(m.user, skills=("tutor",), note="师范毕业")
    assert v2.pk == v.pk and v2.status == "pending" and v2.decline_reason == "" and v2.skills == ["tutor"]
    assert Volunteer.objects.count() == 1


def test_only_members_register(district):
    from lianxin.accounts.models import User
    from lianxin.core.testing import make_person

    worker = make_person(district.base_a1, "未入会")
    user = User.objects.create_user(username="w1", person=worker)
    with pytest.raises(ServiceError) as e:
        register(user)
    assert e.value.code == "not_member"


def test_the_volunteers_union_decides_and_the_member_is_told(district):
    d = district
    m = make_member(d.base_a1, "周强")
    v = register(m.user)
    for who in ("street_b.admin", "street_b.reviewer", "base_a1.viewer", "street_a.auditor"):
        with pytest.raises(PermissionDenied):
            services.decide_volunteer(actor=d.users[who], volunteer=v, approve=True)
    services.decide_volunteer(actor=d.users["street_a.reviewer"], volunteer=v, approve=True)
    v.refresh_from_db()
    assert v.status == "approved" and v.decided_by == d.users["street_a.reviewer"]
    with pytest.raises(ServiceError) as e:
        services.decide_volunteer(
            actor=d.users["base_a1.admin"], volunteer=v, approve=False, reason="重复审核"
        )
    assert e.value.code == "decided"
    n = Notification.objects.get(user=m.user)
    assert n.title == "志愿者登记已通过" and d.base_a1.name in n.body
    assert AuditEntry.objects.filter(action="volunteers.volunteer_approve", object_id=str(v.pk)).count() == 1


def test_publishing_is_checked_and_scoped(district):
    d = district
    now = timezone.now()
    good = dict(
        title="社区义诊进楼道",
        place="文体中心",
        starts_at=now + dt.timedelta(days=2),
        ends_at=now + dt.timedelta(days=2, hours=3),
        signup_deadline=now + dt.timedelta(days=1),
        places="5",
        hours="2.5",
    )
    bad = [
        ({"title": "义诊"}, "title"),
        ({"place": ""}, "place"),
        ({"starts_at": now - dt.timedelta(hours=1)}, "starts_at"),
        ({"ends_at": now + dt.timedelta(days=1)}, "ends_at"),
        ({"signup_deadline": now + dt.timedelta(days=3)}, "signup_deadline"),
        ({"places": "0"}, "places"),
        ({"places": "五"}, "places"),
        ({"hours": "0"}, "hours"),
        ({"hours": "abc"}, "hours"),
        ({"hours": "0.01"}, "hours"),
        ({"hours": "25"}, "hours"),
        ({"skills": ["nope"]}, "skills"),
    ]
    for change, field in bad:
        with pytest.raises(ServiceError) as e:
            services.create_project(actor=ROOT, org=d.street_a, **(good | change))
        assert e.value.field == field, change
    with pytest.raises(PermissionDenied):
        services.create_project(actor=d.users["street_a.admin"], org=d.street_b, **good)
    with pytest.raises(PermissionDenied):  # a reviewer decides registrations but does not publish
        services.create_project(actor=d.users["street_a.reviewer"], org=d.street_a, **good)
    p = services.create_project(
        actor=d.users["street_a.admin"], org=d.street_a, **(good | {"hours": "２.５小时"})
    )
    assert (p.minutes, p.places, p.remaining, p.hours) == (150, 5, 5, "2.5")
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=p.pk).update(remaining=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=p.pk).update(minutes=0)


def test_places_run_out_and_a_withdrawal_frees_one(district):
    d = district
    p = make_project(d.street_a, places=2)
    a, b, c = (make_volunteer(d.base_a1, n) for n in ("甲", "乙", "丙"))
    services.sign_up(actor=a.user, project_id=p.pk)
    with pytest.raises(ServiceError) as e:
        services.sign_up(actor=a.user, project_id=p.pk)
    assert e.value.code == "duplicate"
    services.sign_up(actor=b.user, project_id=p.pk)
    with pytest.raises(ServiceError) as e:
        services.sign_up(actor=c.user, project_id=p.pk)
    assert e.value.code == "full" and "2 个名额已满" in e.value.message
    assert Signup.objects.filter(project=p).count() == 2  # the refused row went back with the counter
    services.withdraw(actor=a.user, project_id=p.pk)
    p.refresh_from_db()
    assert p.remaining == 1
    services.sign_up(actor=c.user, project_id=p.pk)
    services.withdraw(actor=b.user, project_id=p.pk)
    services.sign_up(actor=b.user, project_id=p.pk)  # signs up again: a new row, the withdrawn one kept
    assert Signup.objects.filter(project=p, volunteer=b.volunteer).count() == 2
    p.refresh_from_db()
    assert p.remaining == 0
    with pytest.raises(IntegrityError), transaction.atomic():  # two live sign-ups, past the service
        Signup.objects.create(project=p, volunteer=c.volunteer)


def test_who_may_sign_up_and_when(district):
    d = district
    p = make_project(d.street_a)
    pending = make_volunteer(d.base_a1, "待审", approve=False)
    with pytest.raises(ServiceError) as e:
        services.sign_up(actor=pending.user, project_id=p.pk)
    assert e.value.code == "not_approved"
    plain = make_member(d.base_a1, "未登记")
    with pytest.raises(ServiceError) as e:
        services.sign_up(actor=plain.user, project_id=p.pk)
    assert e.value.code == "not_volunteer"
    outside = make_volunteer(d.base_b1, "外街道")
    with pytest.raises(ServiceError) as e:
        services.sign_up(actor=outside.user, project_id=p.pk)
    assert e.value.code == "out_of_audience"
    fed = make_project(d.fed, title="全区文明交通劝导")
    services.sign_up(actor=outside.user, project_id=fed.pk)  # the federation's project reaches every street
    v = make_volunteer(d.base_a1, "迟到")
    for bad in ("abc", 0, 99999999, -1):
        with pytest.raises(ServiceError) as e:
            services.sign_up(actor=v.user, project_id=bad)
        assert e.value.code == "not_found"
    Project.objects.filter(pk=p.pk).update(signup_deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ServiceError) as e:
        services.sign_up(actor=v.user, project_id=p.pk)
    assert e.value.code == "closed"
    assert [x.pk for x in selectors.open_projects(v.volunteer)] == [fed.pk]


def test_no_withdrawal_after_the_start_and_cancel_frees_everyone(district):
    d = district
    p = make_project(d.street_a)
    a = make_volunteer(d.base_a1, "甲")
    services.sign_up(actor=a.user, project_id=p.pk)
    now = timezone.now()
    Project.objects.filter(pk=p.pk).update(
        signup_deadline=now - dt.timedelta(hours=2), starts_at=now - dt.timedelta(hours=1)
    )
    with pytest.raises(ServiceError) as e:
        services.withdraw(actor=a.user, project_id=p.pk)
    assert e.value.code == "started"
    q = make_project(d.street_a, title="周末助老送餐")
    services.sign_up(actor=a.user, project_id=q.pk)
    with pytest.raises(PermissionDenied):
        services.cancel_project(actor=d.users["street_b.admin"], project=q, reason="天气原因")
    services.cancel_project(actor=d.users["street_a.admin"], project=q, reason="天气原因")
    q.refresh_from_db()
    assert q.status == "cancelled" and q.remaining == q.places
    assert Signup.objects.get(project=q).status == "withdrawn"
    assert Notification.objects.filter(user=a.user, title="志愿服务项目已取消").exists()
    with pytest.raises(ServiceError) as e:
        services.sign_up(actor=a.user, project_id=q.pk)
    assert e.value.code == "cancelled"


def test_editing_keeps_the_taken_places(district):
    d = district
    p = make_project(d.street_a, places=3)
    for n in ("甲", "乙"):
        services.sign_up(actor=make_volunteer(d.base_a1, n).user, project_id=p.pk)
    args = dict(
        title=p.title,
        place=p.place,
        starts_at=p.starts_at,
        ends_at=p.ends_at,
        signup_deadline=p.signup_deadline,
        hours="3",
        skills=[],
    )
    with pytest.raises(ServiceError) as e:
        services.update_project(actor=d.users["street_a.admin"], project=p, places="1", **args)
    assert e.value.field == "places" and "已有 2 人报名" in e.value.message
    with pytest.raises(PermissionDenied):
        services.update_project(actor=d.users["street_a.reviewer"], project=p, places="4", **args)
    p = services.update_project(actor=d.users["street_a.admin"], project=p, places="4", **args)
    assert (p.places, p.remaining, p.minutes) == (4, 2, 180)


def test_attendance_credits_once_and_reversals_take_back(district):
    d = district
    p = make_project(d.street_a, hours="2.5")
    a, b = make_volunteer(d.base_a1, "甲"), make_volunteer(d.base_a1, "乙")
    sa = services.sign_up(actor=a.user, project_id=p.pk)
    sb = services.sign_up(actor=b.user, project_id=p.pk)
    with pytest.raises(ServiceError) as e:
        services.confirm_attendance(actor=ROOT, signup=sa, attended=True)
    assert e.value.code == "not_ended"
    end_project(p)
    for who in ("street_b.admin", "street_a.reviewer", "base_a1.admin"):
        with pytest.raises(PermissionDenied):
            services.confirm_attendance(actor=d.users[who], signup=sa, attended=True)
    admin = d.users["street_a.admin"]
    services.confirm_attendance(actor=admin, signup=sa, attended=True)
    with pytest.raises(ServiceError) as e:
        services.confirm_attendance(actor=admin, signup=sa, attended=True)
    assert e.value.code == "confirmed"
    services.confirm_attendance(actor=admin, signup=sb, attended=False)
    assert selectors.total_minutes(a.volunteer) == 150 and selectors.total_minutes(b.volunteer) == 0
    services.confirm_attendance(actor=admin, signup=sb, attended=True)  # 未参加 corrected to 参加
    assert selectors.total_minutes(b.volunteer) == 150
    assert Notification.objects.get(user=a.user, title="志愿服务时长已计入").body.count("2.5 小时") == 1

    credit = HoursEntry.objects.get(signup=sa)
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
    ):  # a second credit for the sign-up, past the service
        HoursEntry.objects.create(volunteer=a.volunteer, signup=sa, kind="credit", minutes=150)
    with pytest.raises(IntegrityError), transaction.atomic():
        HoursEntry.objects.create(
            volunteer=a.volunteer, signup=sa, kind="reversal", minutes=0, reverses=credit, reason="测试"
        )
    with pytest.raises(ValueError):  # append-only: no edits, no deletions
        credit.minutes = 10
        credit.save()
    with pytest.raises(ValueError):
        credit.delete()
    for hours, reason, field in (("3", "时长有误", "hours"), ("1", "", "reason"), ("0", "时长有误", "hours")):
        with pytest.raises(ServiceError) as e:
            services.reverse_hours(actor=admin, entry=credit, hours=hours, reason=reason)
        assert e.value.field == field
    with pytest.raises(PermissionDenied):
        services.reverse_hours(actor=d.users["street_b.admin"], entry=credit, hours="1", reason="提前离开")
    r = services.reverse_hours(actor=admin, entry=credit, hours="1", reason="提前一小时离开")
    assert (r.kind, r.minutes, r.reverses_id) == ("reversal", 60, credit.pk)
    with pytest.raises(ServiceError) as e:
        services.reverse_hours(actor=admin, entry=credit, hours="0.5", reason="再扣一次")
    assert e.value.code == "reversed"
    with pytest.raises(ServiceError):
        services.reverse_hours(actor=admin, entry=r, hours="0.5", reason="冲正冲正")
    credit.refresh_from_db()
    assert credit.minutes == 150  # the credit itself untouched
    assert selectors.total_minutes(a.volunteer) == 90
    ranked = list(selectors.ranking(actor=d.users["street_a.viewer"]))
    assert [(x.person.name, x.total_minutes, x.attended) for x in ranked] == [("乙", 150, 1), ("甲", 90, 1)]
    assert list(selectors.ranking(actor=d.users["street_b.viewer"])) == []
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"volunteers.hours_credit", "volunteers.hours_reverse", "volunteers.signup_absent"} <= actions


def test_hours_text_and_parse():
    from lianxin.volunteers.models import hours_text

    assert [hours_text(m) for m in (120, 150, 100, 0, 45)] == ["2", "2.5", "1.67", "0", "0.75"]
    assert [services.parse_hours(h) for h in ("2", "2.5", "1.75", "０.２５", " 3小时 ")] == [
        120,
        150,
        105,
        15,
        180,
    ]

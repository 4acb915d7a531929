"""The rules of 女职工关爱行动 and 暑期爱心托管班 on both databases: who may publish, the Chinese refusals, who may sign
up (live member of the subtree, a woman by her ID, age on the day), places and shares, withdrawal, attendance;
children's enrolment (ID validated and sealed, age on the first day, one per child per class), cancellation and
the roll; and the constraints past the services."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.care import services
from lianxin.care.models import Attendance, Campaign, CampaignShare, CampaignSignup, CareClass, Enrolment
from lianxin.care.testing import (
    child_id,
    make_campaign,
    make_class,
    make_woman,
    start_campaign,
    start_class,
)
from lianxin.core import crypto
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT
from lianxin.members import services as member_services

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def _code(fn):
    with pytest.raises(ServiceError) as e:
        fn()
    return e.value.code


# ---------------------------------------------------------------- publishing


def test_publishing_is_scoped_and_refuses_in_chinese(district):
    d = district
    with pytest.raises(PermissionDenied):
        make_campaign(d.street_b, actor=d.users["street_a.admin"])
    with pytest.raises(PermissionDenied):
        make_campaign(d.street_a, actor=d.users["street_a.viewer"])
    now = timezone.now()
    with pytest.raises(ServiceError, match="开始时间应晚于现在") as e:
        make_campaign(d.street_a, starts_in=-dt.timedelta(hours=1))
    assert e.value.field == "starts_at"
    with pytest.raises(ServiceError, match="报名截止") as e:
        make_campaign(d.street_a, signup_deadline=now + dt.timedelta(days=9))
    assert e.value.field == "signup_deadline"
    with pytest.raises(ServiceError, match="名额应在 1 至 100000 之间"):
        make_campaign(d.street_a, places=0)
    with pytest.raises(ServiceError, match="最低年龄不能大于最高年龄"):
        make_campaign(d.street_a, min_age=50, max_age=40)
    with pytest.raises(ServiceError, match="名额应为整数"):
        make_campaign(d.street_a, places="十")
    c = make_campaign(d.street_a, actor=d.users["street_a.admin"], places=7)
    assert (c.places, c.remaining, c.status) == (7, 7, "open")
    assert AuditEntry.objects.filter(action="care.campaign_create", object_id=str(c.pk)).exists()


# ---------------------------------------------------------------- sign-up


def test_only_live_women_of_the_subtree_within_the_age_range(district):
    d = district
    c = make_campaign(d.street_a, min_age=30, max_age=50)
    ok = make_woman(d.base_a1, "李敏", age=40)
    man = make_woman(d.base_a1, "张伟", age=40, gender="M")
    young = make_woman(d.base_a1, "小周", age=25)
    old = make_woman(d.base_a1, "老陈", age=55)
    other = make_woman(d.base_b1, "黄丽", age=40)
    s = services.sign_up(actor=ok.user, campaign_id=c.pk)
    assert s.age == 40 and s.union == d.base_a1 and s.share is None
    assert _code(lambda: services.sign_up(actor=man.user, campaign_id=c.pk)) == "not_woman"
    assert _code(lambda: services.sign_up(actor=young.user, campaign_id=c.pk)) == "age"
    assert _code(lambda: services.sign_up(actor=old.user, campaign_id=c.pk)) == "age"
    assert _code(lambda: services.sign_up(actor=other.user, campaign_id=c.pk)) == "out_of_audience"
    assert _code(lambda: services.sign_up(actor=ok.user, campaign_id=c.pk)) == "duplicate"
    assert _code(lambda: services.sign_up(actor=ok.user, campaign_id="abc")) == "not_found"
    # a member who has left is not a live member any more
    left = make_woman(d.base_a1, "已退会", age=40)
    member_services.end_membership(actor=ROOT, membership=left.membership, reason="离职")
    assert _code(lambda: services.sign_up(actor=left.user, campaign_id=c.pk)) == "not_member"
    c.refresh_from_db()
    assert c.remaining == c.places - 1


def test_the_age_is_taken_on_the_day_of_the_campaign(district):
    """A woman who turns 30 between today and the campaign's day is 30 on the day."""
    d = district
    c = make_campaign(d.street_a, min_age=30, max_age=50, starts_in=dt.timedelta(days=30))
    from lianxin.core.testing import id_number

    day = timezone.localtime(c.starts_at).date()
    birth = day.replace(year=day.year - 30) - dt.timedelta(days=3)  # 30 on the day, 29 today
    p = member_services.create_person(
        actor=ROOT, org=d.base_a1, name="赵云", id_number=id_number(gender="F", birth=birth), mobile=None
    )
    member_services.admit_member(actor=ROOT, person=p, union=d.base_a1)
    from lianxin.accounts.models import User

    u = User.objects.create_user(username="zy", person=p)
    assert services.age_on(p.birth_date, timezone.localdate()) == 29
    assert services.sign_up(actor=u, campaign_id=c.pk).age == 30


def test_places_run_out_and_a_withdrawal_gives_one_back(district):
    d = district
    c = make_campaign(d.street_a, places=2)
    a, b, x = (make_woman(d.base_a1, n) for n in ("甲", "乙", "丙"))
    services.sign_up(actor=a.user, campaign_id=c.pk)
    services.sign_up(actor=b.user, campaign_id=c.pk)
    assert _code(lambda: services.sign_up(actor=x.user, campaign_id=c.pk)) == "full"
    assert CampaignSignup.objects.filter(campaign=c).count() == 2  # the refused row rolled back
    services.withdraw(actor=a.user, campaign_id=c.pk)
    services.sign_up(actor=x.user, campaign_id=c.pk)
    # signing up again after withdrawing is allowed (the withdrawn row stays as history)
    services.withdraw(actor=x.user, campaign_id=c.pk)
    services.sign_up(actor=a.user, campaign_id=c.pk)
    c.refresh_from_db()
    assert c.remaining == 0
    assert CampaignSignup.objects.filter(campaign=c, status="withdrawn").count() == 2
    assert _code(lambda: services.withdraw(actor=x.user, campaign_id=c.pk)) == "not_signed"


def test_no_sign_up_or_withdrawal_after_the_deadline(district):
    d = district
    c = make_campaign(d.street_a)
    a, b = make_woman(d.base_a1, "甲"), make_woman(d.base_a1, "乙")
    services.sign_up(actor=a.user, campaign_id=c.pk)
    Campaign.objects.filter(pk=c.pk).update(signup_deadline=timezone.now() - dt.timedelta(minutes=1))
    assert _code(lambda: services.sign_up(actor=b.user, campaign_id=c.pk)) == "closed"
    assert _code(lambda: services.withdraw(actor=a.user, campaign_id=c.pk)) == "closed"


# ---------------------------------------------------------------- shares


def test_shares_limit_each_union_and_add_up_to_at_most_the_places(district):
    d = district
    c = make_campaign(d.fed, places=5)
    with pytest.raises(ServiceError, match="下级工会"):
        services.set_share(actor=ROOT, campaign=c, union=d.fed, places=2)
    services.set_share(actor=ROOT, campaign=c, union=d.street_a, places=2)
    with pytest.raises(ServiceError, match="合计 6 个，超过活动总名额 5 个"):
        services.set_share(actor=ROOT, campaign=c, union=d.street_b, places=4)
    with pytest.raises(ServiceError, match="上下级"):
        services.set_share(actor=ROOT, campaign=c, union=d.base_a1, places=1)
    with pytest.raises(PermissionDenied):
        services.set_share(actor=d.users["street_a.admin"], campaign=c, union=d.street_a, places=3)
    services.set_share(actor=ROOT, campaign=c, union=d.street_b, places=3)
    a = [make_woman(d.base_a1, f"甲{i}") for i in range(3)]
    b = make_woman(d.base_b1, "乙")
    services.sign_up(actor=a[0].user, campaign_id=c.pk)
    s = services.sign_up(actor=a[1].user, campaign_id=c.pk)
    assert s.share.union == d.street_a
    assert _code(lambda: services.sign_up(actor=a[2].user, campaign_id=c.pk)) == "share_full"
    c.refresh_from_db()
    assert c.remaining == 3  # the refused sign-up took nothing from the campaign either
    services.sign_up(actor=b.user, campaign_id=c.pk)
    # a share cannot go below what its union has taken; nor can a union be added once sign-ups began
    with pytest.raises(ServiceError, match="不能少于已报名人数"):
        services.set_share(actor=ROOT, campaign=c, union=d.street_a, places=1)
    with pytest.raises(ServiceError, match="不能再新增分配单位"):
        services.set_share(actor=ROOT, campaign=c, union=d.joint_a, places=1)
    services.withdraw(actor=a[0].user, campaign_id=c.pk)
    assert CampaignShare.objects.get(campaign=c, union=d.street_a).taken == 1
    services.sign_up(actor=a[2].user, campaign_id=c.pk)
    assert AuditEntry.objects.filter(action="care.share_set").count() == 2


def test_with_shares_a_union_without_one_cannot_sign_up(district):
    d = district
    c = make_campaign(d.fed, places=5)
    services.set_share(actor=ROOT, campaign=c, union=d.street_a, places=2)
    b = make_woman(d.base_b1, "乙")
    assert _code(lambda: services.sign_up(actor=b.user, campaign_id=c.pk)) == "no_share"


# ---------------------------------------------------------------- attendance, cancel, export


def test_attendance_after_the_start_by_the_organiser(district):
    d = district
    c = make_campaign(d.street_a)
    a = make_woman(d.base_a1, "甲")
    s = services.sign_up(actor=a.user, campaign_id=c.pk)
    assert _code(lambda: services.mark_signup(actor=ROOT, signup=s, attended=True)) == "not_started"
    start_campaign(c)
    with pytest.raises(PermissionDenied):
        services.mark_signup(actor=d.users["street_b.admin"], signup=s, attended=True)
    with pytest.raises(PermissionDenied):
        services.mark_signup(actor=d.users["street_a.viewer"], signup=s, attended=True)
    services.mark_signup(actor=d.users["street_a.admin"], signup=s, attended=False)
    s = services.mark_signup(actor=d.users["street_a.admin"], signup=s, attended=True)
    assert s.status == "attended" and s.marked_at is not None
    assert _code(lambda: services.mark_signup(actor=ROOT, signup=s, attended=True)) == "marked"
    actions = list(
        AuditEntry.objects.filter(action__startswith="care.signup_")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["care.signup_absent", "care.signup_attended"]


def test_cancelling_withdraws_everyone_and_tells_them(district):
    from lianxin.core.models import Notification

    d = district
    c = make_campaign(d.fed, places=4)
    services.set_share(actor=ROOT, campaign=c, union=d.street_a, places=2)
    a = make_woman(d.base_a1, "甲")
    services.sign_up(actor=a.user, campaign_id=c.pk)
    with pytest.raises(ServiceError, match="取消原因"):
        services.cancel_campaign(actor=ROOT, campaign=c, reason="")
    services.cancel_campaign(actor=ROOT, campaign=c, reason="医院设备检修")
    c.refresh_from_db()
    assert c.status == "cancelled" and c.remaining == 4
    assert CampaignShare.objects.get(campaign=c).taken == 0
    assert CampaignSignup.objects.get(campaign=c).status == "withdrawn"
    assert Notification.objects.filter(user=a.user, title="关爱行动已取消").exists()
    assert _code(lambda: services.sign_up(actor=a.user, campaign_id=c.pk)) == "cancelled"


def test_the_export_is_masked_audited_and_formula_safe(district):
    from python_calamine import CalamineWorkbook

    d = district
    c = make_campaign(d.street_a)
    a = make_woman(d.base_a1, '=HYPERLINK("x")', mobile_no="13912345678")
    services.sign_up(actor=a.user, campaign_id=c.pk)
    from lianxin.care import selectors

    w = services.export_signups(actor=ROOT, campaign=c, rows=selectors.campaign_signups(c))
    with w.open() as f:
        rows = CalamineWorkbook.from_filelike(f).get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["序号", "姓名", "身份证号", "手机号码"]
    number = crypto.decrypt(a.person.id_cipher, context="person.id_number")
    flat = " ".join(str(x) for r in rows for x in r)
    assert number not in flat and "13912345678" not in flat and "139****5678" in flat
    assert not str(rows[1][1]).startswith("=")
    assert AuditEntry.objects.filter(action="care.signup_export", object_id=str(c.pk)).exists()


# ---------------------------------------------------------------- 暑期爱心托管班


def test_a_child_is_enrolled_with_a_sealed_id_and_age_on_the_first_day(district):
    d = district
    k = make_class(d.street_a, min_age=6, max_age=12)
    g = make_woman(d.base_a1, "家长")
    number = child_id(8, 1, on=k.starts_on)
    e = services.enrol_child(
        actor=g.user, class_id=k.pk, child_name="小明", child_id=number, guardian_mobile="139 5710 0001"
    )
    assert e.child_id_masked == number[:4] + "**********" + number[-4:]
    assert (
        number not in e.child_id_cipher
        and crypto.decrypt(e.child_id_cipher, context=services.CHILD_ID_CTX) == number
    )
    assert e.child_id_bidx == services.child_bidx(number) and e.guardian_mobile_masked == "139****0001"
    k.refresh_from_db()
    assert k.remaining == k.places - 1
    # the ID number is checked as the workflow checks 子女身份证号
    with pytest.raises(ServiceError, match="子女身份证号校验位不正确") as err:
        services.enrol_child(
            actor=g.user,
            class_id=k.pk,
            child_name="小红",
            child_id=number[:17] + ("0" if number[17] != "0" else "1"),
            guardian_mobile="13957100001",
        )
    assert err.value.field == "子女身份证号"
    with pytest.raises(ServiceError, match="开班时 13 岁"):
        services.enrol_child(
            actor=g.user,
            class_id=k.pk,
            child_name="大明",
            child_id=child_id(13, 2, on=k.starts_on),
            guardian_mobile="13957100001",
        )
    with pytest.raises(ServiceError, match="监护人手机号码"):
        services.enrol_child(
            actor=g.user,
            class_id=k.pk,
            child_name="小丽",
            child_id=child_id(7, 3, on=k.starts_on),
            guardian_mobile="123",
        )
    with pytest.raises(ServiceError, match="已报名该托管班"):
        services.enrol_child(
            actor=g.user, class_id=k.pk, child_name="小明", child_id=number, guardian_mobile="13957100001"
        )
    # the other parent cannot take a second place for the same child
    other = make_woman(d.base_a1, "另一位家长", gender="M")
    with pytest.raises(ServiceError, match="已报名该托管班"):
        services.enrol_child(
            actor=other.user, class_id=k.pk, child_name="小明", child_id=number, guardian_mobile="13957100002"
        )
    far = make_woman(d.base_b1, "外街道")
    assert (
        _code(
            lambda: services.enrol_child(
                actor=far.user,
                class_id=k.pk,
                child_name="小刚",
                child_id=child_id(8, 4, on=k.starts_on),
                guardian_mobile="13957100003",
            )
        )
        == "out_of_audience"
    )
    own = crypto.decrypt(g.person.id_cipher, context="person.id_number")
    with pytest.raises(ServiceError):
        services.enrol_child(
            actor=g.user, class_id=k.pk, child_name="本人", child_id=own, guardian_mobile="13957100001"
        )


def test_class_places_cancel_and_re_enrol(district):
    d = district
    k = make_class(d.street_a, places=1)
    g = make_woman(d.base_a1, "家长")
    e = services.enrol_child(
        actor=g.user,
        class_id=k.pk,
        child_name="小明",
        child_id=child_id(8, 5, on=k.starts_on),
        guardian_mobile="13957100001",
    )
    assert (
        _code(
            lambda: services.enrol_child(
                actor=g.user,
                class_id=k.pk,
                child_name="小红",
                child_id=child_id(9, 6, on=k.starts_on),
                guardian_mobile="13957100001",
            )
        )
        == "full"
    )
    other = make_woman(d.base_a1, "别人")
    assert _code(lambda: services.cancel_enrolment(actor=other.user, enrolment_id=e.pk)) == "not_found"
    services.cancel_enrolment(actor=g.user, enrolment_id=e.pk)
    assert _code(lambda: services.cancel_enrolment(actor=g.user, enrolment_id=e.pk)) == "cancelled"
    services.enrol_child(
        actor=g.user,
        class_id=k.pk,
        child_name="小明",
        child_id=child_id(8, 5, on=k.starts_on),
        guardian_mobile="13957100001",
    )
    k.refresh_from_db()
    assert k.remaining == 0 and Enrolment.objects.filter(care_class=k).count() == 2


def test_the_roll_is_taken_on_class_days_by_the_organiser(district):
    d = district
    k = make_class(d.street_a)
    g = make_woman(d.base_a1, "家长")
    e = services.enrol_child(
        actor=g.user,
        class_id=k.pk,
        child_name="小明",
        child_id=child_id(8, 7, on=k.starts_on),
        guardian_mobile="13957100001",
    )
    today = timezone.localdate()
    with pytest.raises(ServiceError, match="托管班期间"):
        services.mark_attendance(actor=ROOT, enrolment=e, day=today, present=True)
    k = start_class(k)
    assert _code(lambda: services.cancel_enrolment(actor=g.user, enrolment_id=e.pk)) == "started"
    with pytest.raises(PermissionDenied):
        services.mark_attendance(actor=d.users["street_b.admin"], enrolment=e, day=today, present=True)
    with pytest.raises(ServiceError, match="今天以后"):
        services.mark_attendance(actor=ROOT, enrolment=e, day=today + dt.timedelta(days=1), present=True)
    services.mark_attendance(actor=d.users["street_a.admin"], enrolment=e, day=today, present=False)
    services.mark_attendance(actor=d.users["street_a.admin"], enrolment=e, day=today, present=True)
    assert list(Attendance.objects.filter(enrolment=e).values_list("day", "present")) == [(today, True)]
    assert AuditEntry.objects.filter(action="care.attendance_mark").count() == 2


def test_class_publishing_refusals(district):
    d = district
    today = timezone.localdate()
    with pytest.raises(ServiceError, match="开班日期应晚于今天"):
        make_class(d.street_a, starts_on=today)
    with pytest.raises(ServiceError, match="结班日期不能早于开班日期"):
        make_class(d.street_a, ends_on=today + dt.timedelta(days=5))
    with pytest.raises(ServiceError, match="报名截止应晚于现在、早于开班日期"):
        make_class(d.street_a, signup_deadline=timezone.now() + dt.timedelta(days=30))
    with pytest.raises(ServiceError, match="最大年龄应在 3 至 16 之间"):
        make_class(d.street_a, max_age=18)
    with pytest.raises(PermissionDenied):
        make_class(d.street_b, actor=d.users["street_a.admin"])


def test_cancelling_a_class_frees_the_places(district):
    from lianxin.core.models import Notification

    d = district
    k = make_class(d.street_a, places=3)
    g = make_woman(d.base_a1, "家长")
    services.enrol_child(
        actor=g.user,
        class_id=k.pk,
        child_name="小明",
        child_id=child_id(8, 8, on=k.starts_on),
        guardian_mobile="13957100001",
    )
    services.cancel_class(actor=ROOT, care_class=k, reason="场地维修")
    k.refresh_from_db()
    assert k.status == "cancelled" and k.remaining == 3
    assert Notification.objects.filter(user=g.user, title="托管班已取消").exists()


# ---------------------------------------------------------------- the database, past the services


def test_the_constraints_hold_past_the_services(district):
    d = district
    c = make_campaign(d.street_a, places=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=c.pk).update(remaining=3)
    sh = services.set_share(actor=ROOT, campaign=c, union=d.base_a1, places=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignShare.objects.filter(pk=sh.pk).update(taken=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignShare.objects.create(campaign=c, union=d.base_a1, places=1)
    a = make_woman(d.base_a1, "甲")
    services.sign_up(actor=a.user, campaign_id=c.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignSignup.objects.create(campaign=c, person=a.person, union=d.base_a1, age=40)
    k = make_class(d.street_a, places=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        CareClass.objects.filter(pk=k.pk).update(remaining=5)
    e = services.enrol_child(
        actor=a.user,
        class_id=k.pk,
        child_name="小明",
        child_id=child_id(8, 9, on=k.starts_on),
        guardian_mobile="13957100001",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            care_class=k,
            guardian=a.person,
            union=d.base_a1,
            child_name="小明",
            child_id_cipher="x",
            child_id_bidx=e.child_id_bidx,
            child_id_masked="x",
            child_birth_date=e.child_birth_date,
            child_gender="M",
            guardian_mobile_cipher="x",
            guardian_mobile_masked="x",
        )

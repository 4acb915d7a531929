"""Demo 女职工与留守关爱 for ``manage.py seed_demo``, all through the real services:

* the federation's 女职工“两癌”免费筛查, open for sign-up, its places shared out to the two streets, with about a
  dozen women signed up; a street's 女职工健康体检 held last week (已参加 and 未到 recorded); a cancelled one;
* 白杨街道's 暑期爱心托管班 open for enrolment with a few children, and a class that opened three days ago with
  its roll taken each day;
* the portal demo's member (a woman of 白杨街道 who signs in by SMS) attended the check-up, has a child in the
  running class and has the screening left to sign up for.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.core.errors import ServiceError
from lianxin.core.idnumbers import make_id_number
from lianxin.members.models import Membership, MembershipStatus
from lianxin.orgs.models import Organization, OrgKind

from . import services
from .models import Campaign, CareClass, Facility

CHILDREN = ["小雨", "子涵", "浩然", "欣怡", "梓轩", "一诺", "思远", "雨桐", "俊熙", "可馨"]


def _user(person) -> User:
    u = User.objects.filter(person=person).first()
    if u is None:
        u = User(username=f"m_care{person.pk}", display_name=person.name, person=person)
        u.set_unusable_password()
        u.save()
    return u


def _demo_member_id(ctx):
    """The portal demo's member (see lianxin/portal/demo.py)."""
    return (
        Membership.objects.filter(
            status=MembershipStatus.MEMBER, union__path__startswith=ctx.streets[0].path, person__gender="F"
        )
        .exclude(person_id=None)
        .exclude(person__mobile_cipher="")
        .order_by("id")
        .values_list("person_id", flat=True)
        .first()
    )


def _at(days: int, hour: int) -> dt.datetime:
    return timezone.localtime(timezone.now() + dt.timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def _women(ctx, path: str, lo: int, hi: int, keep=None, n: int = 12):
    day = ctx.today
    out = []
    qs = (
        Membership.objects.filter(
            status=MembershipStatus.MEMBER, union__path__startswith=path, person__gender="F"
        )
        .exclude(person_id=keep)
        .select_related("person", "union")
        .order_by("id")
    )
    for m in qs[:400]:
        if lo <= services.age_on(m.person.birth_date, day) <= hi - 1:
            out.append(m)
        if len(out) >= n:
            break
    return out


def _child_number(ctx, i: int, age: int, on: dt.date) -> str:
    birth = on.replace(year=on.year - age, day=1) - dt.timedelta(days=20 + 7 * i)
    return make_id_number("330114", birth, 400 + i, "M" if i % 2 else "F")


def seed(ctx) -> None:
    fed_admin = ctx.users.get("qt_admin")
    if fed_admin is None:
        return
    street_a, street_b = ctx.streets[0], ctx.streets[1]
    by_admin = ctx.users.get("by_admin") or fed_admin
    keep = _demo_member_id(ctx)
    demo = (
        Membership.objects.filter(person_id=keep, status=MembershipStatus.MEMBER)
        .select_related("person")
        .first()
        if keep
        else None
    )

    # 1. the federation's screening, open, places shared out to the two streets
    screening = services.create_campaign(
        actor=fed_admin,
        org=ctx.fed,
        kind="screening",
        title=f"{ctx.today.year}年女职工“两癌”免费筛查",
        place="钱塘区妇幼保健院体检中心",
        starts_at=_at(20, 8),
        ends_at=_at(20, 16),
        signup_deadline=_at(15, 18),
        places=120,
        min_age=25,
        max_age=64,
        description="宫颈癌、乳腺癌免费筛查。请携带身份证，检查当日空腹，避开经期。",
    )
    for s in (street_a, street_b):
        services.set_share(actor=fed_admin, campaign=screening, union=s, places=50)
    signed = 0
    for m in _women(ctx, ctx.fed.path, 25, 64, keep=keep, n=14):
        try:
            services.sign_up(actor=_user(m.person), campaign_id=screening.pk)
            signed += 1
        except ServiceError:
            continue

    # 2. a street's health check-up held last week: attended / absent recorded
    checkup = services.create_campaign(
        actor=by_admin,
        org=street_a,
        kind="checkup",
        title="白杨街道女职工健康体检",
        place="白杨街道社区卫生服务中心",
        starts_at=_at(3, 8),
        ends_at=_at(3, 12),
        signup_deadline=_at(2, 18),
        places=30,
        min_age=18,
        max_age=60,
        description="血常规、B 超、妇科检查",
    )
    people = _women(ctx, street_a.path, 18, 60, keep=keep, n=6)
    if demo is not None and 18 <= services.age_on(demo.person.birth_date, ctx.today) <= 59:
        people.insert(0, demo)
    made = []
    for m in people:
        try:
            made.append(services.sign_up(actor=_user(m.person), campaign_id=checkup.pk))
        except ServiceError:
            continue
    start = _at(-6, 8)
    Campaign.objects.filter(pk=checkup.pk).update(
        signup_deadline=start - dt.timedelta(days=1), starts_at=start, ends_at=start + dt.timedelta(hours=4)
    )
    checkup.refresh_from_db()
    for i, s in enumerate(made):
        services.mark_signup(actor=by_admin, signup=s, attended=i % 4 != 3)

    # 3. a cancelled lecture
    lecture = services.create_campaign(
        actor=by_admin,
        org=street_a,
        kind="lecture",
        title="女职工心理健康讲座",
        place="白杨街道职工之家",
        starts_at=_at(9, 14),
        ends_at=_at(9, 16),
        signup_deadline=_at(8, 12),
        places=40,
    )
    services.cancel_campaign(actor=by_admin, campaign=lecture, reason="讲师临时有事，改期另行通知")

    # 4. 暑期爱心托管班: one open for enrolment, one running with its roll taken
    guardians = list(
        Membership.objects.filter(status=MembershipStatus.MEMBER, union__path__startswith=street_a.path)
        .exclude(person_id=keep)
        .select_related("person")
        .order_by("-id")[:8]
    )
    open_class = services.create_class(
        actor=by_admin,
        org=street_a,
        title="白杨街道暑期爱心托管班（第二期）",
        place="白杨街道职工之家二楼",
        starts_on=ctx.today + dt.timedelta(days=14),
        ends_on=ctx.today + dt.timedelta(days=34),
        daily_hours="08:30-17:00",
        signup_deadline=_at(10, 18),
        places=30,
        min_age=6,
        max_age=12,
        description="作业辅导、手工、阅读、防溺水与交通安全教育，中午提供午餐。",
    )
    running = services.create_class(
        actor=by_admin,
        org=street_a,
        title="白杨街道暑期爱心托管班（第一期）",
        place="白杨街道职工之家二楼",
        starts_on=ctx.today + dt.timedelta(days=2),
        ends_on=ctx.today + dt.timedelta(days=20),
        signup_deadline=_at(1, 12),
        places=20,
        min_age=6,
        max_age=12,
    )
    n = 0
    enrolled = []
    for k, who in ((open_class, guardians[:3]), (running, ([demo] if demo else []) + guardians[3:8])):
        for m in who:
            on = k.starts_on
            try:
                enrolled.append(
                    services.enrol_child(
                        actor=_user(m.person),
                        class_id=k.pk,
                        child_name=m.person.name[0] + CHILDREN[n % len(CHILDREN)],
                        child_id=_child_number(ctx, n, 7 + n % 5, on),
                        guardian_mobile=f"1395710{n:04d}",
                    )
                )
            except ServiceError:
                pass
            n += 1
    CareClass.objects.filter(pk=running.pk).update(
        starts_on=ctx.today - dt.timedelta(days=3),
        ends_on=ctx.today + dt.timedelta(days=15),
        signup_deadline=timezone.now() - dt.timedelta(days=4),
    )
    running.refresh_from_db()
    for i, e in enumerate(x for x in enrolled if x.care_class_id == running.pk):
        for d in range(4):
            services.mark_attendance(
                actor=by_admin,
                enrolment=e,
                day=running.starts_on + dt.timedelta(days=d),
                present=(i + d) % 5 != 0,
            )
    rooms = _rooms(ctx, fed_admin)
    ctx.log(
        f"女职工与留守关爱：关爱行动 3 个（筛查已报名 {signed} 人），托管班 2 个（{len(enrolled)} 个孩子），爱心妈咪小屋 {rooms} 间"
    )


ROOM_PLACES = [
    "行政楼三楼 305 室",
    "一号厂房二楼东侧",
    "综合楼一楼医务室旁",
    "研发中心四楼",
    "办公楼二楼 206 室",
]


def _rooms(ctx, fed_admin) -> int:
    """爱心妈咪小屋 of a few base unions of each street: rated (one re-rated), approved and waiting for stars,
    returned for correction, and one waiting for the street."""
    bases = []
    for s in ctx.streets:
        bases += list(
            Organization.objects.filter(kind=OrgKind.BASE, path__startswith=s.path, care_room__isnull=True)
            .select_related("enterprise")
            .order_by("path")[:4]
        )
    facilities = list(Facility.values)
    n = 0
    for i, u in enumerate(bases):
        name = u.enterprise.name if getattr(u, "enterprise", None) else u.name.removesuffix("工会")
        room = services.register_room(
            actor=fed_admin,
            union=u,
            enterprise_name=name,
            location=ROOM_PLACES[i % len(ROOM_PLACES)],
            area_m2=str(8 + 3 * (i % 5)) + (".5" if i % 2 else ""),
            facilities=facilities[: 3 + (i * 3) % 8],
            opening_hours="工作日 08:30-17:30" if i % 3 else "全天开放",
            contact="工会女职工委员",
        )
        n += 1
        kind = i % 4
        if kind == 3:
            continue  # waiting for the street
        if kind == 2:
            services.review_room(actor=fed_admin, room=room, approve=False, note="请补充私密隔断和消毒用品")
            continue
        services.review_room(actor=fed_admin, room=room, approve=True, note="现场查看符合要求")
        if i % 8 == 1:
            continue  # approved, stars to come
        services.rate_room(actor=fed_admin, room=room, stars=2, reason="设施基本齐全")
        if i % 8 == 0:
            services.rate_room(actor=fed_admin, room=room, stars=3, reason="新增冰箱与空调后复评，评为示范点")
    return n

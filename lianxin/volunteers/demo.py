"""Demo 工会志愿者服务 for ``manage.py seed_demo``, all through the real services:

* about twenty members of both streets registered as volunteers — most approved, a few waiting for their
  union's decision, one declined with the reason; the portal demo's member (who signs in by SMS) is an
  approved volunteer with hours and an open project to sign up for;
* the federation's and the streets' projects: two held last month with attendance confirmed (hours in the
  ledger, one reversal), one that ended yesterday waiting for its organiser to confirm, and three open for
  sign-up (one of them full).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lianxin.accounts.models import StaffRole, User
from lianxin.core.errors import ServiceError
from lianxin.members.models import Membership, MembershipStatus

from . import services
from .models import Availability, HoursEntry, Project, Skill

SKILLS, TIMES = list(Skill.values), list(Availability.values)
NOTES = [
    "持有红十字急救员证",
    "退伍军人，熟悉交通劝导",
    "会手语",
    "中级心理咨询师",
    "有驾照，可出车",
    "",
    "",
    "",
]


def _user(person) -> User:
    u = User.objects.filter(person=person).first()
    if u is None:
        u = User(username=f"m_vol{person.pk}", display_name=person.name, person=person)
        u.set_unusable_password()
        u.save()
    return u


def _demo_member_id(ctx):
    """The portal demo's member (see lianxin/portal/demo.py)."""
    return (
        Membership.objects.filter(
            status=MembershipStatus.MEMBER, union__path__startswith=ctx.streets[0].path, person__gender="F"
        )
        .exclude(person__mobile_cipher="")
        .order_by("id")
        .values_list("person_id", flat=True)
        .first()
    )


def _project(staff, org, title, *, place, days, hours, places, skills, description=""):
    start = timezone.localtime(timezone.now() + dt.timedelta(days=max(days, 1))).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    return services.create_project(
        actor=staff,
        org=org,
        title=title,
        place=place,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        signup_deadline=start - dt.timedelta(hours=12),
        places=places,
        hours=hours,
        skills=skills,
        description=description,
    )


def _into_past(p: Project, days: int) -> Project:
    """Held ``days`` ago (the project was published before then; only its times move)."""
    start = timezone.localtime(timezone.now() - dt.timedelta(days=days)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    Project.objects.filter(pk=p.pk).update(
        signup_deadline=start - dt.timedelta(hours=12), starts_at=start, ends_at=start + dt.timedelta(hours=3)
    )
    p.refresh_from_db()
    return p


def seed(ctx) -> None:
    fed_admin = ctx.users.get("qt_admin")
    if fed_admin is None:
        return
    streets = {s.pk: ctx.users.get(k) for s, k in zip(ctx.streets, ("by_admin", "xs_admin"))}
    rng, keep = ctx.rng, _demo_member_id(ctx)
    ms = list(
        Membership.objects.filter(status=MembershipStatus.MEMBER, union__path__startswith=ctx.fed.path)
        .exclude(person_id=keep)
        .select_related("person", "union")
        .order_by("id")[:2000]
    )
    if len(ms) < 24:
        ctx.log("工会志愿者：会员太少，跳过演示")
        return
    rng.shuffle(ms)
    # the demo's grassroots union (its chair signs in as base_admin): a few of its members too, and a project
    base_role = (
        StaffRole.objects.filter(user=ctx.users.get("base_admin")).select_related("organization").first()
    )
    base = base_role.organization if base_role else None
    at_base = [m for m in ms if base is not None and m.union_id == base.pk][:4]
    picked = at_base + [m for m in ms[:22] if m not in at_base]
    demo = (
        Membership.objects.filter(person_id=keep, status=MembershipStatus.MEMBER)
        .select_related("person", "union")
        .first()
    )
    if demo is not None:
        picked.insert(0, demo)
    vols = []
    for i, m in enumerate(picked):
        u = _user(m.person)
        services.register_volunteer(
            actor=u,
            skills=rng.sample(SKILLS, k=rng.randint(1, 3)),
            times=rng.sample(TIMES, k=rng.randint(1, 2)),
            note=NOTES[i % len(NOTES)],
        )
        vols.append((m, u))
    approved = []
    for i, (m, u) in enumerate(vols):
        v = m.person.volunteer
        if 0 < i <= 3:
            continue  # waiting for the union's decision
        if i == 4:
            services.decide_volunteer(
                actor=fed_admin, volunteer=v, approve=False, reason="请补充可服务时间和特长说明"
            )
            continue
        services.decide_volunteer(actor=fed_admin, volunteer=v, approve=True)
        approved.append((m, u))

    def organiser(org):
        return streets.get(org.pk) or fed_admin

    street_a = ctx.streets[0]
    # 1. held last month, attendance confirmed (one reversal)
    done = []
    for org, title, place, hours, skills, days in (
        (ctx.fed, "“五一”劳动节文明交通劝导", "钱塘区主要路口", "3", ["errand", "driver"], 30),
        (street_a, "社区义诊进楼道", "白杨街道文体中心", "2.5", ["medic"], 20),
    ):
        p = _project(
            organiser(org),
            org,
            title,
            place=place,
            days=2,
            hours=hours,
            places=12,
            skills=skills,
            description="志愿者按时到岗签到，服务结束后由组织单位确认时长。",
        )
        done.append((p, days))
    ended_yesterday = _project(
        fed_admin,
        ctx.fed,
        "职工子女暑期托管班（第一期）",
        place="区职工服务中心",
        days=2,
        hours="4",
        places=8,
        skills=["tutor"],
        description="辅导作业、组织阅读和手工活动。",
    )
    open_ones = [
        *(
            [
                _project(
                    ctx.users["base_admin"],
                    base,
                    "班组互助义务维修",
                    place=f"{base.name}职工之家",
                    days=5,
                    hours="2",
                    places=5,
                    skills=["repair", "computer"],
                    description="为本单位职工义务维修家电、电脑。",
                )
            ]
            if base is not None
            else []
        ),
        _project(
            fed_admin,
            ctx.fed,
            "“冬日暖阳”环卫工人送温暖",
            place="区总工会职工服务中心",
            days=6,
            hours="2",
            places=40,
            skills=["errand"],
            description="为一线环卫工人发放慰问品、测量血压。",
        ),
        _project(
            organiser(street_a),
            street_a,
            "周末助老送餐",
            place="白杨街道社区食堂",
            days=4,
            hours="1.5",
            places=6,
            skills=["driver", "errand"],
        ),
        _project(
            fed_admin,
            ctx.fed,
            "职工法律咨询进企业",
            place="开发区企业服务中心",
            days=9,
            hours="3",
            places=2,
            skills=["law"],
            description="为企业职工解答劳动合同、工资支付等问题。",
        ),
    ]
    warm = next(
        p for p in open_ones if p.title.startswith("“冬日暖阳”")
    )  # everyone but the demo member signs up
    signups, held = {}, [p for p, _ in done]
    for p in [d for d, _ in done] + [ended_yesterday] + open_ones:
        for m, u in approved:
            mine = m.person_id == keep and p in held
            if p.remaining == 0 or (p is not warm and not mine and rng.random() < 0.45):
                continue
            if p is warm and m.person_id == keep:
                continue  # left for the demo member to sign up on their phone
            try:
                s = services.sign_up(actor=u, project_id=p.pk)
            except ServiceError:
                continue
            signups.setdefault(p.pk, []).append(s)
            p.refresh_from_db()
    for p, days in done:
        p = _into_past(p, days)
        staff = organiser(p.org)
        for i, s in enumerate(signups.get(p.pk, [])):
            services.confirm_attendance(actor=staff, signup=s, attended=i % 5 != 4)
    _into_past(ended_yesterday, 1)
    credited = list(
        HoursEntry.objects.filter(kind=HoursEntry.Kind.CREDIT)
        .exclude(volunteer__person_id=keep)
        .select_related("signup__project__org")
        .order_by("-id")
    )
    if credited:
        e = credited[0]
        services.reverse_hours(
            actor=organiser(e.signup.project.org), entry=e, hours="1", reason="提前一小时离开，按实际时长更正"
        )
    ctx.log(
        f"工会志愿者：登记 {len(vols)} 人（通过 {len(approved)} 人），服务项目 {2 + 1 + len(open_ones)} 个，"
        f"已计入时长 {len(credited)} 人次"
    )

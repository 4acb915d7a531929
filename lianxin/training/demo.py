"""Demo 职工教育培训 for ``manage.py seed_demo``, all through the real services:

* the federation's 班组长培训班 held last month, with quotas for both streets, a dozen team leaders from base
  unions of both streets (the portal demo's member among them), every 课次 recorded, scores, and certificates
  issued to those who qualified (one missed too many sessions, one failed the exam), one of them revoked;
* 白杨街道's class open for enrolment, with a quota for the demo's grassroots union (base_admin) and a few
  enrolled; the federation's second class running now (attendance partly recorded); the other street's class
  cancelled before it started (its two enrolments kept, the trainees told);
* 教育补助: the federation's 教育补助资金 for this year, one approved and paid application (the portal demo's
  member, 本科) and one waiting at the federation.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lianxin.accounts.models import StaffRole, User
from lianxin.members.models import Membership, MembershipStatus
from lianxin.orgs.models import OrgKind

from . import services
from .models import Session, TrainingClass


def _demo_member(ctx):
    """The portal demo's member (see lianxin/portal/demo.py)."""
    return (
        Membership.objects.filter(
            status=MembershipStatus.MEMBER, union__path__startswith=ctx.streets[0].path, person__gender="F"
        )
        .exclude(person__mobile_cipher="")
        .select_related("person", "union")
        .order_by("id")
        .first()
    )


def _user(person) -> User:
    u = User.objects.filter(person=person).first()
    if u is None:
        u = User(username=f"m_edu{person.pk}", display_name=person.name, person=person)
        u.set_unusable_password()
        u.save()
    return u


def _class(
    ctx,
    org,
    title,
    *,
    places,
    sessions,
    pass_mark=60,
    hours=24,
    place="区职工服务中心三楼培训室",
    description="",
):
    starts = timezone.localdate() + dt.timedelta(days=20)
    return services.create_class(
        actor=ctx.root,
        org=org,
        title=title,
        place=place,
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=4),
        signup_deadline=starts - dt.timedelta(days=5),
        hours=hours,
        sessions=sessions,
        places=places,
        pass_mark=pass_mark,
        description=description,
    )


def _move(k: TrainingClass, *, start: dt.date, days: int) -> TrainingClass:
    TrainingClass.objects.filter(pk=k.pk).update(
        signup_deadline=start - dt.timedelta(days=3), starts_on=start, ends_on=start + dt.timedelta(days=days)
    )
    k.refresh_from_db()
    return k


def _distinct(memberships: list) -> list:
    """The memberships once per person, in order (the lists drawn from a street and from a union inside it, or
    with the demo member, can hold the same person)."""
    seen: set[int] = set()
    return [m for m in memberships if not (m.person_id in seen or seen.add(m.person_id))]


def seed(ctx) -> None:
    today = timezone.localdate()
    demo = _demo_member(ctx)
    base_role = (
        StaffRole.objects.filter(user=ctx.users.get("base_admin")).select_related("organization").first()
    )
    base = base_role.organization if base_role else None
    ms = list(
        Membership.objects.filter(status=MembershipStatus.MEMBER, union__kind=OrgKind.BASE)
        .exclude(person_id=getattr(demo, "person_id", None))
        .select_related("person", "union")
        .order_by("id")[:400]
    )
    if len(ms) < 20:
        ctx.log("教育培训：会员太少，跳过演示")
        return
    rng = ctx.rng
    rng.shuffle(ms)
    by_street = {s.pk: [m for m in ms if m.union.path.startswith(s.path)] for s in ctx.streets}

    # 1. the federation's class held last month: quotas, a dozen trainees, attendance, scores, certificates
    held = _class(
        ctx,
        ctx.fed,
        f"{today.year} 年第一期班组长培训班",
        places=30,
        sessions=6,
        hours=32,
        description="班组管理与沟通、安全生产责任、劳动法律法规、质量管理工具。出勤满 80% 且考核合格颁发结业证书。",
    )
    for s in ctx.streets:
        services.set_quota(actor=ctx.root, klass=held, union=s, quota=8)
    trainees = _distinct(
        ([demo] if demo else []) + by_street[ctx.streets[0].pk][:6] + by_street[ctx.streets[1].pk][:5]
    )
    enrolled = [services.enrol(actor=ctx.root, klass=held, person=m.person) for m in trainees]
    _move(held, start=today - dt.timedelta(days=35), days=4)
    for s in Session.objects.filter(klass=held).order_by("n"):
        # the last trainee missed three of the six sessions (50 %: no certificate); the rest came, some missed one
        present = [
            e.pk
            for i, e in enumerate(enrolled)
            if not (i == len(enrolled) - 1 and s.n <= 3) and not (i % 4 == 2 and s.n == 6)
        ]
        services.record_attendance(actor=ctx.root, klass=held, n=s.n, present_ids=present)
    scores = {str(e.pk): str(rng.randint(72, 96)) for e in enrolled}
    scores[str(enrolled[1].pk)] = "52"  # failed the exam
    services.record_scores(actor=ctx.root, klass=held, scores=scores)
    issued = services.issue_certificates(actor=ctx.root, klass=held)
    # one issued in error: the score was mis-entered, the certificate revoked (the number stays used)
    wrong = next((e for e in reversed(issued) if getattr(e.person, "user", None) is None), None)
    if wrong is not None:
        services.revoke_certificate(actor=ctx.root, enrolment=wrong, reason="成绩登记有误，经复核未达合格分")

    # 2. 白杨街道's class open for enrolment, with a quota for the demo's grassroots union
    street_a = ctx.streets[0]
    open_class = _class(
        ctx,
        street_a,
        f"{street_a.name}{today.year}年班组长轮训班",
        places=20,
        sessions=4,
        hours=16,
        place=f"{street_a.name}职工之家",
        description="新任班组长岗位能力提升：班组安全、现场管理、劳动保护。",
    )
    if base is not None and base.path.startswith(street_a.path):
        services.set_quota(actor=ctx.root, klass=open_class, union=base, quota=3)
        at_base = [m for m in ms if m.union_id == base.pk][:2]
    else:
        at_base = []
    for m in _distinct(at_base + by_street[street_a.pk][6:9]):  # the grassroots union lies in the street too
        services.enrol(actor=ctx.root, klass=open_class, person=m.person)

    # 3. the federation's second class running now: two of its four sessions recorded
    running = _class(ctx, ctx.fed, f"{today.year} 年第二期班组长培训班", places=25, sessions=4, hours=16)
    run_enrolled = [
        services.enrol(actor=ctx.root, klass=running, person=m.person)
        for m in by_street[ctx.streets[1].pk][5:9]
    ]
    _move(running, start=today - dt.timedelta(days=1), days=3)
    for n in (1, 2):
        services.record_attendance(
            actor=ctx.root, klass=running, n=n, present_ids=[e.pk for e in run_enrolled[: 3 + (n == 1)]]
        )
    # 4. a street's class cancelled before it started: its two enrolments kept as history, the trainees told
    street_b = ctx.streets[1]
    cancelled = _class(
        ctx,
        street_b,
        f"{street_b.name}{today.year}年班组长安全生产专题班",
        places=10,
        sessions=2,
        hours=8,
        place=f"{street_b.name}职工之家",
    )
    for m in by_street[street_b.pk][9:11]:
        services.enrol(actor=ctx.root, klass=cancelled, person=m.person)
    services.cancel_class(
        actor=ctx.root, klass=cancelled, reason="培训场地临时改作防汛物资仓库，专题班并入下一期举办"
    )
    ctx.log(f"教育培训：班组长培训班 4 期，其中 1 期已取消（已发结业证书 {len(issued)} 张）")
    seed_education(ctx, demo, [m for m in ms if m.person_id not in {e.person_id for e in enrolled}][:1])


def seed_education(ctx, demo, others) -> None:
    """The federation's 教育补助资金, one approved application and one waiting at the federation."""
    from lianxin.assistance import services as assistance
    from lianxin.workflow import services as workflow
    from lianxin.workflow.demo import _backdate, _pdf, _run

    today = timezone.localdate()
    f = assistance.create_fund(actor=ctx.root, org=ctx.fed, year=today.year, purpose="education")
    assistance.allocate(
        actor=ctx.root, fund=f, amount="50000", memo=f"{today.year} 年度职工学历提升补助专项资金"
    )
    cases = [
        (
            demo,
            {
                "level": "bachelor",
                "school": "浙江工业大学（成人高等教育）",
                "major": "工商管理",
                "graduated_on": (today - dt.timedelta(days=60)).isoformat(),
                "tuition": "9600",
                "amount": "3000",
            },
            ["approve", "approve"],
            {"amount": "3000"},
        ),
    ] + [
        (
            m,
            {
                "level": "vocational",
                "school": "杭州市职业技能鉴定中心",
                "major": "电工（高级工）",
                "graduated_on": (today - dt.timedelta(days=20)).isoformat(),
                "tuition": "1800",
                "amount": "1000",
            },
            ["approve", "stop"],
            None,
        )
        for m in others
    ]
    n = 0
    for m, data, plan, approval in cases:
        if m is None:
            continue
        user = _user(m.person)
        app = workflow.create_application(actor=user, programme="education", data=data)
        workflow.add_attachment(actor=user, app=app, slot="diploma", upload=_pdf("毕业证书"))
        workflow.submit_application(actor=user, app=app)
        _run(ctx, app, plan, approval=approval)
        _backdate(ctx, app)  # a realistic history for the report's figures (days to decide)
        n += 1
    ctx.log(f"教育补助：资金 1 项，申请 {n} 件")

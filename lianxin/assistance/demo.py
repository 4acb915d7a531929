"""Demo assistance for ``manage.py seed_demo``: this year's hardship funds of the federation and of 白杨街道, and
a few members' hardship applications filed and reviewed through the real services — some paid (so the ledger and
the hardship archive have entries), some still waiting at a level, one refused."""

from __future__ import annotations

from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.members.models import Membership, MembershipStatus
from lianxin.orgs.models import OrgKind
from lianxin.workflow import services as workflow
from lianxin.workflow.demo import _backdate, _pdf, _run

from . import services
from .models import SeatStatus

CASES = [  # (cause, situation, family size, income per head, amount asked, plan, amount approved, level or "reject")
    ("illness", "爱人患尿毒症长期透析，每月自付医疗费约三千元，孩子上初中。", 3, "900", "8000",
     ["approve", "approve", "approve"], "6000", "deep"),
    ("disaster", "租住房屋夜间失火，家具衣物全部烧毁，暂住亲戚家。", 4, "1500", "5000",
     ["approve", "approve", "approve"], "5000", "accident"),
    ("education", "两个孩子同时上大学，学费和生活费负担重，本人月收入四千元。", 4, "1000", "3000",
     ["approve", "approve", "approve"], "2000", "ordinary"),
    ("single_parent", "离异独自抚养两个孩子，老人常年卧病在床。", 4, "800", "4000", ["approve", "approve", "stop"],
     "", ""),
    ("illness", "本人腰椎手术后休养半年，期间只发基本工资。", 2, "1800", "3000", ["approve", "stop"], "", ""),
    ("other", "家庭收入较低，希望得到一些补助。", 3, "2600", "2000", ["stop"], "", "reject"),
]


def seed(ctx) -> None:
    year = timezone.localdate().year
    fed = services.create_fund(actor=ctx.root, org=ctx.fed, year=year)
    services.allocate(actor=ctx.root, fund=fed, amount="300000", memo=f"{year} 年度区总工会困难职工帮扶专项资金预算")
    services.allocate(actor=ctx.root, fund=fed, amount="50000", memo="爱心企业定向捐赠")
    by = services.create_fund(actor=ctx.root, org=ctx.streets[0], year=year)
    services.allocate(actor=ctx.root, fund=by, amount="30000", memo=f"{year} 年度街道困难职工帮扶资金")
    members = list(Membership.objects.filter(status=MembershipStatus.MEMBER, union__kind=OrgKind.BASE,
                                             person__user__isnull=True).select_related("person", "union")
                   .order_by("-id")[:len(CASES)])
    paid = 0
    for k, (m, case) in enumerate(zip(members, CASES, strict=False)):
        cause, situation, family, income, asked, plan, approved, level = case
        user = User.objects.create(username=f"demo_hardship{k + 1:02d}", display_name=m.person.name,
                                   person=m.person, password="!")
        app = workflow.create_application(actor=user, programme="hardship", data={
            "cause": cause, "situation": situation, "family_size": str(family), "monthly_income": income,
            "amount": asked})
        workflow.add_attachment(actor=user, app=app, slot="proof", upload=_pdf("困难情况证明"))
        workflow.submit_application(actor=user, app=app)
        _run(ctx, app, plan, approval={"amount": approved, "level": level} if approved else None)
        if level == "reject":
            step = app.steps.get(decision__isnull=True)
            workflow.decide(actor=ctx.users["by_reviewer"] if step.org.path.startswith(ctx.streets[0].path)
                            else ctx.users["xs_reviewer"], step_id=step.pk, decision="rejected",
                            comment="家庭人均月收入高于本区困难职工认定标准，建议关注后续情况")
        _backdate(ctx, app)
        paid += bool(approved)
    ctx.log(f"帮扶救助：资金 2 项，困难帮扶申请 {len(members)} 件（已发放 {paid} 件）")
    seed_campaign(ctx)
    seed_retreat(ctx)
    seed_study(ctx)
    seed_legal_aid(ctx)
    seed_homeward(ctx)
    seed_jobs(ctx)


PROPOSALS = [  # (street index, category, reason, amount or "")
    (0, "model", "区级劳动模范，常年坚守一线", "800"),
    (0, "frontline", "春节期间坚守岗位的一线职工", ""),
    (1, "migrant", "外地农民工，春节留岗不返乡", ""),
    (1, "sick", "本人患病住院，家庭负担重", "1000"),
    (1, "women", "单亲母亲，独自抚养两个孩子", ""),
]


def seed_campaign(ctx) -> None:
    """This winter's 元旦春节送温暖 of the federation: its fund, the hardship archive put forward, a few members
    proposed by the streets' unions, most approved and paid, some visits recorded, one still waiting."""
    import datetime as dt

    from .models import Recipient

    today = timezone.localdate()
    fund = services.create_fund(actor=ctx.root, org=ctx.fed, year=today.year, purpose="warmth")
    services.allocate(actor=ctx.root, fund=fund, amount="200000", memo=f"{today.year} 年度两节送温暖专项资金")
    admin = ctx.users["qt_admin"]
    c = services.create_campaign(actor=admin, org=ctx.fed, name=f"{today.year + 1} 年元旦春节送温暖",
                                 standard="500", maximum="1000", budget="100000",
                                 deadline=today + dt.timedelta(days=20))
    services.propose_from_archive(actor=admin, campaign=c, union=ctx.fed)
    listed = set(Recipient.objects.filter(campaign=c).values_list("person_id", flat=True))
    for i, category, reason, amount in PROPOSALS:
        m = (Membership.objects.filter(status=MembershipStatus.MEMBER, union__kind=OrgKind.BASE,
                                       union__path__startswith=ctx.streets[i].path)
             .exclude(person_id__in=listed).select_related("person").order_by("id").first())
        if m is None:
            continue
        services.propose_recipient(actor=admin, campaign=c, person=m.person, category=category, reason=reason,
                                   amount=amount)
        listed.add(m.person_id)
    ids = list(Recipient.objects.filter(campaign=c).order_by("pk").values_list("pk", flat=True))
    services.decide_recipients(actor=admin, campaign=c, ids=ids[:-1], approve=True)
    n, _ = services.pay_campaign(actor=admin, campaign=c)
    services.mark_delivered(actor=admin, campaign=c, ids=ids[:2])
    ctx.log(f"两节送温暖：慰问名单 {len(ids)} 人（已发放 {n} 人，送达 2 人，待审核 1 人）")


def seed_retreat(ctx) -> None:
    """Next spring's rest holiday for frontline workers: 20 places, 8 of them shared out to 白杨街道 and 2 to the
    second street, a few members put forward by the streets' unions — the second street's third waits on the
    候补名单 (its two places are taken)."""
    import datetime as dt

    today = timezone.localdate()
    admin = ctx.users["qt_admin"]
    r = services.create_retreat(actor=admin, org=ctx.fed, name=f"{today.year + 1} 年一线职工疗休养第一期",
                                destination="淳安千岛湖职工疗休养基地", audience="all",
                                starts_on=today + dt.timedelta(days=60), ends_on=today + dt.timedelta(days=64),
                                nominate_until=today + dt.timedelta(days=30), places="20", cost="1800",
                                notes="第一天集合出发，入住基地；第二至四天健康体检、疗养讲座、参观学习；第五天返回。")
    services.share_places(actor=admin, retreat=r, org=ctx.streets[0], places="8")
    services.share_places(actor=admin, retreat=r, org=ctx.streets[1], places="2")
    n = waiting = 0
    for street in ctx.streets[:2]:
        for m in (Membership.objects.filter(status=MembershipStatus.MEMBER, union__kind=OrgKind.BASE,
                                            union__path__startswith=street.path)
                  .select_related("person").order_by("-id")[:3]):
            try:
                seat = services.nominate(actor=admin, retreat=r, person=m.person, reason="年度优秀一线职工",
                                         waitlist=True)
            except services.ServiceError:
                continue
            if seat.status == SeatStatus.WAITLISTED:
                waiting += 1
            else:
                n += 1
    ctx.log(f"疗休养：1 期，名额 20 个，已推荐 {n} 人，候补 {waiting} 人")


def seed_study(ctx) -> None:
    """This year's 金秋助学 fund of the federation, and one application by a member on the hardship archive for
    their child, waiting at the federation."""
    import datetime as dt

    from lianxin.core.idnumbers import make_id_number

    year = timezone.localdate().year
    f = services.create_fund(actor=ctx.root, org=ctx.fed, year=year, purpose="study")
    services.allocate(actor=ctx.root, fund=f, amount="100000", memo=f"{year} 年度金秋助学专项资金")
    user = User.objects.filter(username__startswith="demo_hardship", person__hardship_files__closed_at__isnull=True,
                               person__hardship_files__isnull=False).order_by("username").first()
    if user is None:
        return
    app = workflow.create_application(actor=user, programme="study", data={
        "child_name": "周思源", "child_id": make_id_number("330104", dt.date(year - 18, 3, 9), 889, "M"),
        "school": "浙江理工大学", "level": "bachelor", "admission_year": str(year), "tuition": "6000",
        "amount": "5000", "situation": "本人为在档困难职工，爱人长期透析，孩子今年考入大学，学费难以承担。"})
    workflow.add_attachment(actor=user, app=app, slot="admission", upload=_pdf("录取通知书"))
    workflow.submit_application(actor=user, app=app)
    _run(ctx, app, ["approve", "stop"], approval=None)
    ctx.log("金秋助学：资金 1 项，申请 1 件（待区总工会审批）")


LEGAL_CASES = [  # (dispute, employer, wanted, amount, description, plan)
    ("wages", "杭州某装饰工程有限公司", "mediation", "18600",
     "2026 年 3 月入职做木工，约定月薪六千二，公司拖欠 8 至 10 月工资共一万八千六百元，多次催要无果。",
     ["approve", "approve"]),
    ("injury", "杭州某五金制品厂", "representation", "",
     "今年 6 月在冲压岗位压伤左手两根手指，单位不肯申报工伤，只给了两千元医药费，想申请工伤认定。", ["approve"]),
]


def seed_legal_aid(ctx) -> None:
    """Two members' 职工法律援助 requests: one assigned to a handler, one waiting at the street's legal-aid
    station."""
    members = list(Membership.objects.filter(status=MembershipStatus.MEMBER, union__kind=OrgKind.BASE,
                                             person__user__isnull=True).select_related("person", "union")
                   .order_by("id")[:len(LEGAL_CASES)])
    for k, (m, case) in enumerate(zip(members, LEGAL_CASES, strict=False)):
        dispute, employer, wanted, amount, description, plan = case
        user = User.objects.create(username=f"demo_legal{k + 1:02d}", display_name=m.person.name, person=m.person,
                                   password="!")
        app = workflow.create_application(actor=user, programme="legal_aid", data={
            "dispute": dispute, "employer_name": employer, "wanted": wanted, "amount": amount,
            "description": description})
        workflow.submit_application(actor=user, app=app)
        _run(ctx, app, plan, approval={"service": wanted, "handler": "王律师（区职工法律援助站签约律师）",
                                       "handler_phone": "0571-86001235"})
        _backdate(ctx, app)
    ctx.log(f"职工法律援助：申请 {len(members)} 件")


def _demo_members(ctx, prefix: str, n: int, *, skip=()):
    """``n`` members of base unions with a sign-in of their own (the demo hardship applicants first, so the
    hardship-archive priority shows), for the member-side demos."""
    users = list(User.objects.filter(username__startswith="demo_hardship", person__isnull=False)
                 .exclude(person_id__in=skip).order_by("username")[:n])
    taken = {u.person_id for u in users} | set(skip)
    more = (Membership.objects.filter(status=MembershipStatus.MEMBER, union__kind=OrgKind.BASE,
                                      person__user__isnull=True).exclude(person_id__in=taken)
            .select_related("person").order_by("id")[:max(0, n - len(users))])
    for k, m in enumerate(more):
        users.append(User.objects.create(username=f"demo_{prefix}{k + 1:02d}", display_name=m.person.name,
                                         person=m.person, password="!"))
    return users


HOMETOWNS = ["安徽省阜阳市临泉县", "河南省信阳市固始县", "江西省上饶市鄱阳县", "四川省达州市渠县", "贵州省毕节市威宁县",
             "安徽省六安市霍邱县", "河南省周口市太康县", "湖北省黄冈市蕲春县"]


def seed_homeward(ctx) -> None:
    """Next Spring Festival's 平安返乡 of the federation: two charter coaches and a 300-yuan ticket subsidy from
    the 两节送温暖 fund; members apply for seats and subsidies, most are confirmed, the confirmed subsidies paid."""
    import datetime as dt

    from . import services_homeward as homeward
    from .models import HomewardApplication, HomewardKind

    today = timezone.localdate()
    year = today.year + (1 if today.month >= 7 else 0)
    admin = ctx.users["qt_admin"]
    fund = services.require_fund(ctx.fed, purpose="warmth", year=today.year)
    p = homeward.create_programme(actor=admin, org=ctx.fed, year=year, name=f"{year} 年春节平安返乡",
                                  apply_until=today + dt.timedelta(days=20), subsidy="300", fund=fund,
                                  notes="区总工会为留杭过年以外的外来务工职工安排返乡专车，自行购票的发放购票补贴。"
                                        "在档困难职工优先安排。")
    at = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=40), dt.time(7, 30)))
    coaches = [homeward.add_coach(actor=admin, programme=p, destination="安徽阜阳", route="下沙客运中心—合肥—阜阳",
                                  departs_at=at, seats="45"),
               homeward.add_coach(actor=admin, programme=p, destination="河南信阳", route="下沙客运中心—六安—信阳",
                                  departs_at=at + dt.timedelta(hours=1), seats="40")]
    users = _demo_members(ctx, "homeward", 8)
    for k, u in enumerate(users):
        coach = coaches[k % 2] if k % 3 != 2 else None
        try:
            homeward.apply(actor=u, programme=p, kind=HomewardKind.COACH if coach else HomewardKind.SUBSIDY,
                           coach=coach, hometown=HOMETOWNS[k % len(HOMETOWNS)])
        except services.ServiceError:
            continue
    ids = list(HomewardApplication.objects.filter(programme=p).order_by("pk").values_list("pk", flat=True))
    if len(ids) > 2:
        homeward.decide(actor=admin, programme=p, ids=ids[:-2], confirm=True)
    paid = 0
    try:
        paid, _ = homeward.pay_subsidies(actor=admin, programme=p)
    except services.ServiceError:
        pass
    ctx.log(f"平安返乡：专车 2 辆，报名 {len(ids)} 人（购票补贴已发放 {paid} 人）")


JOBS = [  # (title, trade, openings, salary min, max, requirements)
    ("数控车床操作工", "车工", 3, 5500, 7500, "能看懂机械图纸，有两年以上数控车床操作经验，吃苦耐劳。"),
    ("仓库叉车司机", "叉车工", 2, 5000, 6500, "持特种设备作业人员证（叉车），能适应两班倒。"),
    ("设备维修电工", "电工", 1, 6000, 8500, "持低压电工作业证，熟悉 PLC 控制优先。"),
]
SEEKERS = [("车床操作", "车工", "十年普通车床经验，想转数控"), ("仓库管理员", "叉车工", "持叉车证，五年仓储经验"),
           ("物业保洁", "保洁", "")]


def seed_jobs(ctx) -> None:
    """就业帮扶: three job posts by 白杨街道总工会 for enterprises in its register, members applying (one hired, one
    at interview), and three job seekers whose 工种 match two of the posts."""
    import datetime as dt

    from lianxin.orgs.models import Enterprise

    from . import services_jobs as jobs

    today = timezone.localdate()
    admin = ctx.users["by_admin"]
    street = ctx.streets[0]
    ents = list(Enterprise.objects.filter(street=street).order_by("id")[:len(JOBS)])
    posts = []
    for ent, (title, trade, n, lo, hi, req) in zip(ents, JOBS, strict=False):
        posts.append(jobs.create_post(actor=admin, union=street, employer=ent, title=title, trade=trade, openings=n,
                                      salary_min=lo, salary_max=hi, requirements=req,
                                      contact="人事部 王女士 0571-86001234", valid_until=today + dt.timedelta(days=45)))
    users = _demo_members(ctx, "jobs", 4)
    for u in users[:3]:
        if posts:
            try:
                jobs.apply(actor=u, post=posts[0])
            except services.ServiceError:
                continue
    if posts:
        apps_ = list(posts[0].applications.order_by("pk"))
        for a, steps in zip(apps_, (["recommended", "interview", "hired"], ["recommended", "interview"]),
                            strict=False):
            for s in steps:
                jobs.record_outcome(actor=admin, application=a, status=s)
    for u, (wanted, trade, skills) in zip(users[1:], SEEKERS, strict=False):
        try:
            jobs.register_seeker(actor=u, wanted_job=wanted, trade=trade, skills=skills)
        except services.ServiceError:
            continue
    ctx.log(f"就业帮扶：招聘岗位 {len(posts)} 个，求职登记 {min(len(users) - 1, len(SEEKERS))} 人")

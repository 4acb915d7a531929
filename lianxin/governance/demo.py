"""Demo 组织建设 for ``manage.py seed_demo``, all through the real services:

* last year's 区级模范职工之家评选, decided: its named homes are in the register (one named three years ago, so
  due for 复核 now);
* this year's round, open: applications in every state — awaiting the street, returned for correction, rejected,
  passed and awaiting the federation, named, declined — with 白杨街道's share of the places;
* committee terms for the grassroots and joint unions, from the dates already in the organisation tree (so the
  dashboard and this page agree): some overdue, some ending within six months, a few with two recorded terms.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from lianxin.core.errors import ServiceError
from lianxin.orgs.models import OrgKind

from . import services
from .models import CommitteeTerm, HomeApplication, HomeRound, NamedHome
from .testing import SUMMARY, full_scores

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国秀英海燕志明丽娟国平晓东春梅立新文博"


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def _people(rng, present: int, n: int) -> list[dict]:
    out = []
    for i in range(n):
        out.append(
            {
                "name": f"{_name(rng)}{i + 1 if i > 8 else ''}",
                "post": "chair" if i == 0 else ("vice" if i == 1 else "member"),
                "votes": rng.randint(present // 2 + 1, present),
            }
        )
    names = set()
    for p in out:  # the service refuses two people of one name in one election
        while p["name"] in names:
            p["name"] += "甲"
        names.add(p["name"])
    return out


def _terms(ctx, staff) -> tuple[int, int]:
    today, rng = ctx.today, ctx.rng
    unions = [u for u in ctx.unions if u.kind in (OrgKind.BASE, OrgKind.JOINT) and u.term_ends_on][:160]
    n = twice = 0
    for i, u in enumerate(unions):
        years = 5 if i % 3 else 3
        ends = u.term_ends_on
        elected = services.add_years(ends, -years)
        if elected > today:  # a term end too far ahead for its length: a five-year term started recently
            elected = today - dt.timedelta(days=rng.randint(30, 300))
        expected = rng.randint(20, 120)
        present = rng.randint(expected // 2 + 1, expected)
        try:
            with transaction.atomic():
                if i % 10 == 0:  # the previous term too, recorded before this one
                    before = services.add_years(elected, -years)
                    services.record_election(
                        actor=staff,
                        union=u,
                        number=2,
                        elected_on=before,
                        term_years=years,
                        expected=expected,
                        present=present,
                        people=_people(rng, present, 5),
                    )
                    twice += 1
                services.record_election(
                    actor=staff,
                    union=u,
                    number=3 if i % 10 == 0 else 2,
                    elected_on=elected,
                    term_years=years,
                    expected=expected,
                    present=present,
                    people=_people(rng, present, rng.randint(3, 9)),
                )
                n += 1
        except ServiceError as e:
            ctx.log(f"组织建设：{u.name}换届未载入（{e.message}）")
    return n, twice


def _apply(staff, r, u, minus):
    return services.submit_application(
        actor=staff, round=r, union=u, summary=SUMMARY, scores=full_scores(minus)
    )


def seed(ctx) -> None:
    staff = ctx.users.get("qt_admin")
    if staff is None:
        return
    street_users = {
        s.pk: ctx.users.get(k, staff) for s, k in zip(ctx.streets, ("by_reviewer", "xs_reviewer"))
    }
    today, year = ctx.today, ctx.today.year
    bases = [u for u in ctx.unions if u.kind == OrgKind.BASE]
    _workers(ctx, staff)
    if len(bases) < 4:
        ctx.log("组织建设：基层工会太少，跳过演示")
        return
    k = min(8, max(len(bases) - 5, len(bases) // 2))  # this year's applicants; the rest applied last year
    current, earlier = bases[:k], bases[k : k + 5]

    # Last year's round: decided; its named homes are in the register.
    last = services.create_round(
        actor=staff,
        org=ctx.fed,
        year=year - 1,
        title=f"{year - 1}年度区级模范职工之家评选",
        level="district_home",
        deadline=today,
        places=4,
        valid_years=3,
        notes="对照《模范职工之家评选标准》自评申报，街道审核推荐，总工会审定命名。",
    )
    for i, u in enumerate(earlier):
        app = _apply(staff, last, u, i)
        app = services.review_application(
            actor=street_users.get(app.street_id, staff),
            application=app,
            decision="pass",
            score=95 - 3 * i,
            comment="材料齐全，同意推荐",
        )
        services.decide_application(
            actor=staff, application=app, name=i < 4, note="" if i < 4 else "名额所限，建议明年再报"
        )
    # The rounds' dates as they were: the deadline and the named dates a year back; one home named three years
    # ago (due for 复核 now).
    HomeRound.objects.filter(pk=last.pk).update(
        deadline=today.replace(month=1, day=1) - dt.timedelta(days=60)
    )
    homes = list(NamedHome.objects.filter(application__round=last).order_by("id"))
    for k, h in enumerate(homes):
        named_on = today - dt.timedelta(days=1095 - 60 if k == 0 else 300)
        NamedHome.objects.filter(pk=h.pk).update(
            named_on=named_on, valid_until=services.add_years(named_on, 3), year=named_on.year
        )
    HomeApplication.objects.filter(round=last).update(submitted_at=timezone.now() - dt.timedelta(days=330))

    # This year's round: open, applications in every state.
    r = services.create_round(
        actor=staff,
        org=ctx.fed,
        year=year,
        title=f"{year}年度区级模范职工之家评选",
        level="district_home",
        deadline=today + dt.timedelta(days=45),
        places=6,
        valid_years=3,
        notes="每个基层工会限报一次；请如实自评，街道审核时将实地查看职工之家阵地。",
    )
    services.set_quota(actor=staff, round=r, street=ctx.streets[0], places=3)
    for i, u in enumerate(current):
        app = _apply(staff, r, u, i % 4)
        reviewer = street_users.get(app.street_id, staff)
        if i in (0, 1):
            continue  # awaiting the street
        if i == 2:
            services.review_application(
                actor=reviewer,
                application=app,
                decision="return",
                comment="会员评议缺少满意度测评表，请补充后重新提交",
            )
            continue
        if i == 3:
            services.review_application(
                actor=reviewer,
                application=app,
                decision="reject",
                comment="职工活动阵地尚未建成，不符合申报条件",
            )
            continue
        app = services.review_application(
            actor=reviewer,
            application=app,
            decision="pass",
            score=92 - i,
            comment="实地查看，阵地规范，同意推荐",
        )
        if i == 5:
            services.decide_application(actor=staff, application=app, name=True)
        elif i == 6:
            services.decide_application(actor=staff, application=app, name=False, note="民主管理材料不够扎实")
    n, twice = _terms(ctx, staff)
    overdue = CommitteeTerm.objects.filter(status="current", ends_on__lt=today).count()
    ctx.log(
        f"组织建设：建家评选 2 次、申报 {HomeApplication.objects.count()} 份、称号 {NamedHome.objects.count()} 个；"
        f"换届登记 {n} 个工会（{twice} 个两届），逾期未换届 {overdue} 个"
    )


# ---------------------------------------------------------------------------------------------- 社会化工会工作者

WORKER_NAMES = (
    "沈佳怡",
    "陆浩然",
    "钱思远",
    "蒋雨欣",
    "韩明轩",
    "冯晓婷",
    "许志强",
    "曹文静",
    "严俊杰",
    "金梦瑶",
)


def _month_back(today: dt.date, n: int) -> tuple[int, int]:
    y, m = today.year, today.month - n
    while m < 1:
        y, m = y - 1, m + 12
    return y, m


def _workers(ctx, staff) -> None:
    """Ten workers posted to the streets and unions (one transferred, one left, two contracts ending within 60
    days), three months of work logs (older months confirmed, last month partly awaiting confirmation), last
    year's assessment confirmed and this year's open with a few grades given."""
    from lianxin.core.idnumbers import make_id_number

    from . import services_workers as sw
    from .models import Assessment

    today, rng = ctx.today, ctx.rng
    posts = [*ctx.streets, *[u for u in ctx.unions if u.kind == OrgKind.JOINT][:4]]
    posts += [u for u in getattr(ctx, "industries", [])][:2] or posts[:2]
    by_street = {s.path: ctx.users.get(k, staff) for s, k in zip(ctx.streets, ("by_admin", "xs_admin"))}
    reviewer = {s.path: ctx.users.get(k, staff) for s, k in zip(ctx.streets, ("by_reviewer", "xs_reviewer"))}

    def local(user_map, org):
        return user_map.get(org.path[: 2 * 4], staff)

    workers = []
    for i, name in enumerate(WORKER_NAMES):
        post = posts[i % len(posts)]
        start = today - dt.timedelta(days=400 + 30 * i)
        end = (
            today + dt.timedelta(days=20 + 25 * i)
            if i in (0, 1)
            else services.add_years(start, 3)
            if i % 2
            else services.add_years(start, 4)
        )
        birth = dt.date(1988 + i % 8, 1 + i % 12, 3 + i)
        try:
            workers.append(
                sw.recruit_worker(
                    actor=staff,
                    post=post,
                    name=name,
                    id_number=make_id_number("330114", birth, 400 + i, "F" if i % 3 == 0 else "M"),
                    mobile=f"137{57100000 + i * 731:08d}",
                    grade=1 + i % 3,
                    contract_start=start,
                    contract_end=end,
                    posted_on=start,
                )
            )
        except ServiceError as e:
            ctx.log(f"组织建设：社会化工会工作者{name}未载入（{e.message}）")
    if len(workers) < 4:
        return
    moved = workers[2]
    other = next(p for p in posts if p.pk != moved.post_id and p.kind == OrgKind.STREET)
    sw.transfer_worker(
        actor=staff,
        worker=moved,
        to=other,
        on=today - dt.timedelta(days=70),
        note="下沙街道新建联合工会较多，充实力量",
    )
    gone = workers[-1]
    sw.leave_worker(
        actor=staff, worker=gone, on=today - dt.timedelta(days=40), reason="考取事业单位，本人申请离职"
    )
    active = [w for w in workers if w.pk != gone.pk]
    n_logs = 0
    for w in active:
        w.refresh_from_db()
        for back in (3, 2, 1):
            y, m = _month_back(today, back)
            try:
                log = sw.enter_work_log(
                    actor=local(by_street, w.post),
                    worker=w,
                    year=y,
                    month=m,
                    counts={
                        "visits": rng.randint(6, 30),
                        "unions_founded": rng.randint(0, 3),
                        "members_recruited": rng.randint(5, 80),
                        "disputes_mediated": rng.randint(0, 4),
                    },
                    summary=rng.choice(
                        (
                            "走访辖区小微企业，宣传工会入会政策，协助两家企业筹建工会。",
                            "开展新就业形态劳动者入会集中行动，走访快递网点和外卖站点。",
                            "参与欠薪纠纷调解，组织职工法律讲座一场，更新企业建会台账。",
                        )
                    ),
                )
            except ServiceError:
                continue
            n_logs += 1
            if back > 1 or w.pk % 2:
                sw.confirm_work_log(actor=local(reviewer, w.post), log=log)
    last = sw.open_assessment(actor=staff, org=ctx.fed, year=today.year - 1)
    items = list(Assessment.objects.filter(round=last).select_related("org").order_by("id"))
    grades = ["excellent"] * last.excellent_quota + ["qualified"] * len(items)
    for a, g in zip(items, grades):
        if a is items[-1]:
            g = "basic"
        sw.grade_assessment(actor=staff, item=a, grade=g, comment="全年完成走访和建会任务，服务职工热情")
    sw.confirm_assessment(actor=staff, round=last)
    cur = sw.open_assessment(actor=staff, org=ctx.fed, year=today.year)
    items = list(Assessment.objects.filter(round=cur).select_related("org").order_by("id"))
    sw.grade_assessment(
        actor=local(by_street, items[0].org), item=items[0], grade="excellent", comment="建会入会成效突出"
    )
    sw.grade_assessment(
        actor=local(by_street, items[1].org), item=items[1], grade="qualified", comment="完成年度任务"
    )
    if len(items) > 3:
        sw.grade_assessment(
            actor=staff,
            item=items[2],
            grade="unqualified",
            comment="工作记录多次缺报",
            reason="全年走访企业不足规定次数，工作记录三个月未报",
        )
    ctx.log(
        f"组织建设：社会化工会工作者 {len(workers)} 人（1 人调岗、1 人离职），工作记录 {n_logs} 份，"
        f"{last.year} 年度考核已确认，{cur.year} 年度考核进行中"
    )

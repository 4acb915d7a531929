"""Demo 党支部工作 for ``manage.py seed_demo``, all through the real services:

* the federation's 总工会机关党支部 (made by seed_demo) and, made here through the orgs service, a 机关党支部 in
  each street and one in the demo's grassroots union (base_admin's), each with members of its organisation —
  正式党员 and a few 预备党员 (one past its year and waiting for 转正, one due within the month, and in the second
  street one whose probation was extended);
* this year's 三会一课 in every branch: 支委会 and 党小组会 most months, 支部党员大会 and 党课 most quarters, a few
  left out so that the compliance view shows red as well as green; attendance from the roster of each day;
* 党费 set for every member (a retired member at a small fixed amount), this year's months paid, the current
  month partly, one payment reversed and recorded again; one transfer between branches and one out of the
  district; a 组织关系介绍信 from the second street's branch waiting at the first street's, and
  one from the grassroots union's branch returned.
"""

from __future__ import annotations

import datetime as dt

from lianxin.accounts.models import StaffRole
from lianxin.members.models import Person, Political
from lianxin.orgs import services as org_services
from lianxin.orgs.models import Organization, OrgKind

from . import services
from .models import Category

TOPICS = {
    "congress": [
        "学习贯彻党的二十届三中全会精神",
        "讨论发展对象和预备党员转正",
        "民主评议党员",
        "支部半年工作总结",
    ],
    "committee": ["研究本月支部工作安排", "讨论主题党日活动方案", "研究党费收缴情况", "研究困难党员帮扶"],
    "group": ["学习《中国共产党章程》", "交流岗位建功体会", "学习劳模精神", "讨论班组安全生产"],
    "lecture": [
        "书记讲党课：弘扬劳模精神",
        "党史学习专题党课",
        "新时代产业工人队伍建设改革",
        "廉洁从业专题党课",
    ],
}
MINUTES = (
    "会议由支部书记主持。一、传达学习上级有关会议和文件精神；二、结合工会工作实际开展讨论，"
    "党员逐一发言；三、对下一阶段工作作出安排。会议决定：按计划推进，下次会议听取落实情况。"
)


def _people(org: Organization, k: int, exclude: set[int]) -> list[Person]:
    base = Person.objects.filter(org__path__startswith=org.path).exclude(pk__in=exclude).order_by("pk")
    party = list(base.filter(political_status__in=[Political.CPC, Political.PROBATIONARY])[:k])
    if len(party) < k:
        party += list(base.exclude(pk__in=[p.pk for p in party])[: k - len(party)])
    return party


def seed(ctx) -> None:
    root = ctx.root
    today = ctx.today
    rng = ctx.rng
    fed_branch = Organization.objects.filter(kind=OrgKind.PARTY, parent=ctx.fed).order_by("path").first()
    if fed_branch is None:
        fed_branch = org_services.create_organization(
            actor=root, parent=ctx.fed, kind=OrgKind.PARTY, name="总工会机关党支部"
        )
    if fed_branch.founded_on is None:
        fed_branch = org_services.update_organization(
            actor=root, org=fed_branch, founded_on=dt.date(2008, 7, 1)
        )
    branches = [fed_branch]
    for s in ctx.streets:
        branches.append(
            org_services.create_organization(
                actor=root,
                parent=s,
                kind=OrgKind.PARTY,
                name=f"{s.name.removesuffix('总工会')}总工会机关党支部",
                chair_name="支部书记",
                founded_on=dt.date(2012, 7, 1),
            )
        )
    role = StaffRole.objects.filter(user=ctx.users.get("base_admin")).select_related("organization").first()
    if role is not None:
        branches.append(
            org_services.create_organization(
                actor=root,
                parent=role.organization,
                kind=OrgKind.PARTY,
                name=f"{role.organization.name}党支部",
                founded_on=dt.date(today.year - 3, 1, 1),
            )
        )
    used: set[int] = set()
    year_ago = (
        today.replace(year=today.year - 1)
        if not (today.month == 2 and today.day == 29)
        else today.replace(year=today.year - 1, day=28)
    )
    members_of: dict[int, list] = {}
    from lianxin.portal.demo import demo_membership

    demo = demo_membership(ctx)
    for bi, b in enumerate(branches):
        people = _people(b.parent, 9 if bi < 3 else 5, used | ({demo.person_id} if demo else set()))
        if bi == 1 and demo is not None:  # the portal's demo member, a 正式党员 of the first street's branch
            people.insert(2, demo.person)
            people.pop()
        used.update(p.pk for p in people)
        ms = []
        for i, p in enumerate(people):
            if i == 0 and bi < 3:  # past its year, waiting for 转正
                kw = dict(category=Category.PROBATIONARY, joined_on=year_ago - dt.timedelta(days=10 + bi))
            elif i == 1 and bi < 3:  # due within the month
                kw = dict(category=Category.PROBATIONARY, joined_on=year_ago + dt.timedelta(days=12 + bi))
            else:
                joined = dt.date(rng.randint(1985, 2018), rng.randint(1, 12), rng.randint(1, 28))
                kw = dict(
                    category=Category.FULL, joined_on=joined, full_on=joined.replace(year=joined.year + 1)
                )
            entered = (
                max(kw["joined_on"], dt.date(today.year - 1, 1, 1))
                if kw["category"] == Category.FULL
                else kw["joined_on"]
            )
            m = services.enrol_member(actor=root, branch=b, person=p, entered_on=min(entered, today), **kw)
            if i == len(people) - 1 and bi == 0:
                m = services.set_dues(
                    actor=root, member=m, base="", fixed="0.2", fixed_reason="退休党员，按规定少量缴纳"
                )
            else:
                m = services.set_dues(
                    actor=root, member=m, base=str(rng.choice([2800, 3600, 4500, 6200, 8000, 12000]))
                )
            ms.append(m)
        members_of[b.pk] = ms
        if bi == 2 and ms and ms[0].category == Category.PROBATIONARY:  # past its year: extended, not confirmed
            services.extend_probation(actor=root, member=ms[0], until=today + dt.timedelta(days=90),
                                      reason="支部党员大会讨论认为需继续考察，延长预备期")
    # 三会一课 of this year, up to today; a few periods left without (red on the compliance page)
    n_meetings = 0
    for bi, b in enumerate(branches):
        for month in range(1, today.month + 1):
            day = min(dt.date(today.year, month, 10 + bi), today)
            for kind in ("committee", "group"):
                if (month + bi) % 5 == 0 and kind == "group":
                    continue
                _meeting(root, b, kind, day, rng)
                n_meetings += 1
            if month % 3 == 2 or (month == today.month and month % 3 == 1 and bi == 0):
                for kind in ("congress", "lecture"):
                    if kind == "lecture" and bi == 2 and month == 5:
                        continue
                    _meeting(root, b, kind, min(day + dt.timedelta(days=5), today), rng)
                    n_meetings += 1
            if month % 2 == 0:
                _meeting(root, b, "theme_day", day, rng)
                n_meetings += 1
    # 党费: this year's months, the current month partly
    payments = 0
    for b in branches:
        for i, m in enumerate(members_of[b.pk]):
            first = max(services.period_of(m.entered_on), today.year * 100 + 1)
            for month in range(1, today.month + 1):
                period = today.year * 100 + month
                if period < first or (month == today.month and i % 3 == 0):
                    continue
                services.record_payment(actor=root, member=m, period=period)
                payments += 1
    from .models import DuesEntry

    wrong = (
        DuesEntry.objects.filter(member__branch=branches[1], kind="payment").order_by("-period", "pk").first()
    )
    if wrong is not None:
        services.reverse_payment(actor=root, entry=wrong, reason="误登记为本月，实为下月预缴")
        services.record_payment(actor=root, member=wrong.member, period=wrong.period)
    # one move between branches and one out of the district
    mover = members_of[branches[1].pk][-1]
    services.transfer_member(
        actor=root, member=mover, to_branch=fed_branch, on=today, reason="借调至区总工会机关"
    )
    leaver = members_of[branches[2].pk][-1]
    services.transfer_out(
        actor=root, member=leaver, external_org="宁波市北仑区某公司党支部", on=today, reason="工作调动"
    )
    # a 组织关系介绍信 from the second street's branch waiting at the first street's, and one sent back
    # (from the grassroots union's branch)
    waiting = members_of[branches[2].pk][-2]
    services.send_letter(actor=root, member=waiting, to_branch=branches[1], note="工作调动至本街道企业")
    returned = services.send_letter(actor=root, member=members_of[branches[-1].pk][0], to_branch=fed_branch)
    services.return_letter(actor=root, letter=returned, reason="本人未在区总工会机关工作，请核实后重新开具")
    ctx.log(
        f"党支部工作：党支部 {len(branches)} 个，党员 {sum(len(v) for v in members_of.values())} 人，"
        f"三会一课 {n_meetings} 次，党费 {payments} 笔"
    )


def _meeting(actor, branch, kind, day, rng):
    roster = list(services.roster_on(branch, day))
    if not roster:
        return None
    att = {}
    for i, m in enumerate(roster):
        if kind == "committee" and i >= 3:
            att[m.pk] = services.NOT_EXPECTED
        else:
            att[m.pk] = rng.choices(["present", "leave", "absent"], [85, 10, 5])[0]
    return services.record_meeting(
        actor=actor,
        branch=branch,
        kind=kind,
        held_on=day,
        topic=rng.choice(TOPICS.get(kind, ["主题党日：走进社区志愿服务"])),
        place="党员活动室",
        minutes=MINUTES,
        attendance=att,
    )

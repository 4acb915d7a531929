"""Demo 评选表彰 for ``manage.py seed_demo``, all through the real services:

* 十佳工匠 (the federation, last season): nominated by both streets, voted by a few dozen members, closed and
  announced — its winners are in the 劳模工匠库 (with two honours from outside entered by staff);
* 最美职工 (the federation): in voting now, six candidates and some votes; the demo member (the portal demo's, who
  signs in by SMS) is on the roll with all their votes left;
* 巾帼建功标兵 (the federation's 妇工委): nominating, two nominees waiting for review.

劳动竞赛: a 数控车工 contest published with its 技术能手 titles in the register (the demo member among the
contestants, so 我的竞赛成绩 shows a result), a 焊工 contest being scored, an 电工 contest open for sign-up with a
per-union cap. 创新成果评审: one round closed with prizes, one being judged, one collecting submissions.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.core.errors import ServiceError
from lianxin.members.models import Membership, MembershipStatus
from lianxin.orgs.models import OrgKind

from . import competitions, innovation, services
from .models import Competition, Honour, InnovationRound, Selection

DEEDS = [
    "{n}从事数控加工十八年，攻克精密零件加工难题十余项，带出徒弟二十多名，所在班组连续三年获评“工人先锋号”。",
    "{n}扎根生产一线，牵头完成生产线自动化改造，使产品合格率由96%提升到99.6%，年节约成本三百余万元。",
    "{n}是公司首席技师，主持的“一种高效焊接夹具”获国家实用新型专利，多次在区职工技能大赛中获一等奖。",
    "{n}坚持每天提前一小时到岗巡检，十年来累计排除设备隐患四百余处，被同事们称为“设备医生”。",
    "{n}在快递配送一线工作八年，零投诉、零差错，疫情期间主动承担社区保供任务，带动身边的快递小哥加入志愿服务。",
    "{n}作为护理组长，创新“床旁宣教”工作法，服务患者两万余人次，收到表扬信和锦旗五十余件。",
    "{n}主动参加职工夜校，从普通操作工成长为高级技师，组建“创新工作室”，提出合理化建议六十多条。",
    "{n}在社区服务岗位上耐心细致，建立困难职工帮扶台账，帮助百余户家庭解决实际困难。",
]


def _users(members) -> list[User]:
    out = []
    for m in members:
        u = User.objects.filter(person=m.person).first()
        if u is None:
            u = User(username=f"m_demo{m.person_id}", display_name=m.person.name, person=m.person)
            u.set_unusable_password()
            u.save()
        out.append(u)
    return out


def _demo_member_id(ctx):
    """The portal demo's member (see lianxin/portal/demo.py): left with all their votes."""
    from lianxin.portal.demo import demo_membership

    m = demo_membership(ctx)
    return m.person_id if m else None


def _run(ctx, staff, sel, nominees, nominators) -> list:
    services.open_nomination(actor=staff, selection=sel)
    cs = []
    for i, m in enumerate(nominees):
        who = next((u for path, u in nominators if m.union.path.startswith(path)), staff)
        cs.append(services.nominate(actor=who, selection=sel, person=m.person,
                                    deeds=DEEDS[i % len(DEEDS)].format(n=m.person.name)))
    return cs


def _open_now(staff, sel, *, began: dt.timedelta) -> Selection:
    start = timezone.now() - began
    Selection.objects.filter(pk=sel.pk).update(nomination_deadline=start, voting_opens_at=start)
    return services.open_voting(actor=staff, selection=sel)


def _votes(ctx, sel, cs, voters, *, weights) -> int:
    n = 0
    for u in voters:
        picks = ctx.rng.choices(cs, weights=weights, k=sel.votes_per_member)
        for c in dict.fromkeys(picks):
            try:
                services.cast_vote(actor=u, selection_id=sel.pk, candidate_id=c.pk)
                n += 1
            except ServiceError:
                pass
    return n


def seed(ctx) -> None:
    staff = ctx.users.get("qt_admin")
    if staff is None:
        return
    nominators = [(s.path, ctx.users[k]) for s, k in zip(ctx.streets, ("by_admin", "xs_admin")) if k in ctx.users]
    keep = _demo_member_id(ctx)
    ms = list(Membership.objects.filter(status=MembershipStatus.MEMBER, union__path__startswith=ctx.fed.path)
              .exclude(person_id=keep).select_related("person", "union").order_by("id")[:3000])
    if len(ms) < 20:
        ctx.log("评选表彰：会员太少，跳过演示")
        return
    ctx.rng.shuffle(ms)
    now, year = timezone.now(), ctx.today.year
    week = dt.timedelta(days=7)

    # 1. 十佳工匠: announced, winners in the register.
    sel = services.create_selection(
        actor=staff, org=ctx.fed, title=f"{year}年度开发区“十佳工匠”评选", honour_title="十佳工匠",
        honour_level="district", honour_category="craftsman", votes_per_member=3, winners_count=3,
        description="面向全区一线职工，评选技艺精湛、勇于创新的优秀工匠。", daily=False,
        nomination_deadline=now + week, voting_opens_at=now + week, voting_closes_at=now + 2 * week)
    cs = _run(ctx, staff, sel, ms[:6], nominators)
    for c in cs[:5]:
        services.review_candidate(actor=staff, candidate=c, approve=True, note="事迹属实")
    services.review_candidate(actor=staff, candidate=cs[5], approve=False, note="不符合一线职工条件")
    sel = _open_now(staff, sel, began=dt.timedelta(days=10))
    cast = _votes(ctx, sel, cs[:5], _users(ms[12:52]), weights=[9, 7, 6, 4, 2])
    Selection.objects.filter(pk=sel.pk).update(voting_closes_at=timezone.now() - dt.timedelta(days=3))
    sel = services.close_voting(actor=staff, selection=sel)
    services.announce(actor=staff, selection=sel)

    # 2. 最美职工: in voting now.
    sel2 = services.create_selection(
        actor=staff, org=ctx.fed, title=f"{year}年“最美职工”网络投票", honour_title="最美职工", honour_level="district",
        honour_category="exemplary", votes_per_member=3, winners_count=3, daily=False,
        description="每位会员可投 3 票，每位候选人最多一票。投票结果作为评选的重要参考。",
        nomination_deadline=now + week, voting_opens_at=now + week, voting_closes_at=now + 2 * week)
    cs2 = _run(ctx, staff, sel2, ms[6:12], nominators)
    for c in cs2:
        services.review_candidate(actor=staff, candidate=c, approve=True, note="")
    sel2 = _open_now(staff, sel2, began=dt.timedelta(days=1))
    Selection.objects.filter(pk=sel2.pk).update(voting_closes_at=now + week)
    cast2 = _votes(ctx, sel2, cs2, _users(ms[-25:]), weights=[5, 4, 4, 3, 2, 2])

    # 3. 巾帼建功标兵: the women's committee, nominating.
    women = next((o for o in getattr(ctx, "others", []) if o.kind == OrgKind.WOMEN and o.parent_id == ctx.fed.pk),
                 None)
    if women is not None:
        sel3 = services.create_selection(
            actor=staff, org=women, title=f"{year}年度“巾帼建功标兵”评选", honour_title="巾帼建功标兵",
            honour_level="district", honour_category="exemplary", votes_per_member=2, winners_count=5, daily=True,
            description="由开发区妇工委主办，全区会员每天可投 2 票。",
            nomination_deadline=now + 2 * week, voting_opens_at=now + 2 * week, voting_closes_at=now + 4 * week)
        women_members = [m for m in ms[12:] if m.person.gender == "F"][:2]
        _run(ctx, staff, sel3, women_members, nominators)

    # 4. honours from outside, entered by staff.
    for m, title, level, body in ((ms[-1], "杭州市劳动模范", "city", "杭州市人民政府"),
                                  (ms[-2], "浙江工匠", "province", "浙江省总工会")):
        services.add_honour(actor=staff, person=m.person, title=title, level=level, year=year - 1,
                            category="model_worker" if level == "city" else "craftsman", awarded_by=body)
    _contests(ctx, staff, ms, keep)
    ctx.log(f"评选表彰：已公示 1 项（{cast} 票），投票中 1 项（{cast2} 票），推荐中 1 项；劳模工匠库 {Honour.objects.count()} 人")


SUMMARIES = [
    "针对换模时间长的问题，设计快速定位夹具，换模时间由四十分钟缩短到八分钟，年节约工时两千余小时。",
    "改进焊接工艺参数，焊缝一次合格率由92%提高到99%，每年减少返修费用八十余万元。",
    "提出仓库分区拣货的合理化建议，拣货路径缩短三成，订单出库时间平均缩短二十分钟。",
    "总结形成“三查四看”设备点检操作法，在全公司推广后设备故障停机时间下降四成。",
    "发明一种电缆剥线辅助装置，已获国家实用新型专利，作业效率提升三倍，降低割伤风险。",
    "优化空压机群控逻辑，峰谷用电合理调配，年节约电费一百二十万元。",
]
ENTRY_TITLES = ["快速换模定位夹具", "薄板焊接工艺改进", "仓库分区拣货建议", "“三查四看”点检操作法", "电缆剥线辅助装置",
                "空压机群控节能改造", "数控刀具寿命管理", "包装线防错改进", "叉车安全操作法"]


def _enter(staff, nominators, comp, members):
    out = []
    for m in members:
        who = next((u for path, u in nominators if m.union.path.startswith(path)), staff)
        try:
            out.append(competitions.enter_contestant(actor=who, competition=comp, person=m.person))
        except ServiceError:
            pass
    return out


def _score(ctx) -> str:
    return f"{ctx.rng.randint(600, 990) / 10:.1f}"


def _contests(ctx, staff, ms, keep) -> None:
    nominators = [(s.path, ctx.users[k]) for s, k in zip(ctx.streets, ("by_admin", "xs_admin")) if k in ctx.users]
    now, year = timezone.now(), ctx.today.year
    day = dt.timedelta(days=1)
    pool = ms[100:] if len(ms) > 140 else ms
    mine = list(Membership.objects.filter(person_id=keep, status=MembershipStatus.MEMBER).select_related(
        "person", "union")[:1])

    # 1. 数控车工: published, 技术能手 to the top three
    comp = competitions.create_competition(
        actor=staff, org=ctx.fed, title=f"{year}年开发区职工技能竞赛（数控车工）", trade="数控车工", level="district",
        description="理论考试占30%，实操比赛占70%；前三名授予“开发区技术能手”称号。", signup_opens_at=now - day,
        signup_closes_at=now + day, max_entrants=30, union_cap=None, theory_weight=30, award_title="开发区技术能手",
        award_places=3)
    cs = _enter(staff, nominators, comp, mine + pool[:11])
    Competition.objects.filter(pk=comp.pk).update(signup_opens_at=now - 30 * day, signup_closes_at=now - 20 * day)
    comp = competitions.close_signup(actor=staff, competition=comp)
    scores = {c.pk: (_score(ctx), _score(ctx)) for c in cs[:-1]}  # the last one 缺考
    if len(cs) > 3:
        scores[cs[2].pk] = scores[cs[1].pk]  # a shared place, to show how ties read
    competitions.record_scores(actor=staff, competition=comp, scores=scores)
    comp = competitions.publish_results(actor=staff, competition=comp)
    competitions.confirm_awards(actor=staff, competition=comp)

    # 2. 焊工 (the first street): being scored
    street = ctx.streets[0]
    street_staff = ctx.users.get("by_admin", staff)
    local = [m for m in pool[11:] if m.union.path.startswith(street.path)][:6]
    comp2 = competitions.create_competition(
        actor=street_staff, org=street, title=f"{year}年{street.name}焊工技能比武", trade="焊工", level="district",
        signup_opens_at=now - day, signup_closes_at=now + day, max_entrants=20, union_cap=None, theory_weight=40,
        award_title="", award_places=0, description="")
    cs2 = _enter(street_staff, nominators, comp2, local)
    if cs2:
        Competition.objects.filter(pk=comp2.pk).update(signup_opens_at=now - 10 * day, signup_closes_at=now - 2 * day)
        comp2 = competitions.close_signup(actor=street_staff, competition=comp2)
        competitions.record_scores(actor=street_staff, competition=comp2,
                                   scores={c.pk: (_score(ctx), _score(ctx)) for c in cs2[: len(cs2) // 2]})

    # 3. 电工: open for sign-up, three a union at most
    comp3 = competitions.create_competition(
        actor=staff, org=ctx.fed, title=f"{year}年开发区职工技能竞赛（电工）", trade="电工", level="district",
        signup_opens_at=now - 2 * day, signup_closes_at=now + 14 * day, max_entrants=40, union_cap=3,
        theory_weight=30, award_title="开发区技术能手", award_places=3,
        description="各基层工会限报 3 人，由所在工会统一报名。")
    _enter(staff, nominators, comp3, pool[20:25])

    # 创新成果评审
    judges = [ctx.users[k] for k in ("qt_reviewer", "qt_viewer", "by_admin", "xs_admin", "by_reviewer", "qt_admin")
              if k in ctx.users][:5]
    cats = ["innovation", "invention", "suggestion", "method"]
    unions = [m.union for m in pool[30:60]]
    unions = list(dict.fromkeys(unions)) or [ctx.fed]

    def round_(title, n, *, until):
        rnd = innovation.create_round(actor=staff, org=ctx.fed, title=title, submit_until=now + until,
                                      first_prizes=1, second_prizes=2, third_prizes=2,
                                      description="面向全区职工征集技术革新、发明创造、合理化建议和先进操作法成果。")
        es = []
        for i in range(n):
            es.append(innovation.submit_entry(
                actor=staff, round=rnd, union=unions[i % len(unions)], title=ENTRY_TITLES[(i + len(title)) % 9],
                team="、".join(m.person.name for m in pool[40 + 2 * i:42 + 2 * i]) or "职工创新工作室",
                summary=SUMMARIES[i % len(SUMMARIES)], category=cats[i % 4],
                benefit=str(ctx.rng.randint(0, 200) * 1000)))
        for j in judges:
            innovation.add_judge(actor=staff, round=rnd, user=j)
        return rnd, es

    rnd, es = round_(f"{year - 1}年度职工创新成果评审", 6, until=day)
    if judges:
        rnd = innovation.start_judging(actor=staff, round=rnd)
        for e in es:
            for j in judges:
                innovation.score_entry(actor=j, entry=e, score=ctx.rng.randint(65, 98))
        innovation.close_round(actor=staff, round=rnd)
        rnd2, es2 = round_(f"{year}年上半年职工合理化建议评审", 3, until=day)
        rnd2 = innovation.start_judging(actor=staff, round=rnd2)
        for e in es2[:2]:
            for j in judges[:2]:
                innovation.score_entry(actor=j, entry=e, score=ctx.rng.randint(65, 98))
    round_(f"{year}年度职工创新成果评审", 2, until=30 * day)
    ctx.log(f"劳动竞赛 {Competition.objects.count()} 项，创新成果评审 {InnovationRound.objects.count()} 轮")

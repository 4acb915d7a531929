"""The union services' figures on the dashboard — 工会志愿者, 劳动竞赛, 创新成果评审, 模范职工之家, 换届, 职工医疗互助,
平安返乡, 就业帮扶 — on a district whose every count is chosen here: rows of the other street and of another year
are there too and must not count; the 下级单位 rows add up to the parent's figures; the page, the API and the
report carry them; the number of queries does not grow with the district."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from lianxin.assistance.models import (
    HomewardApplication,
    HomewardCoach,
    HomewardProgramme,
    JobApplication,
    JobPost,
)
from lianxin.core.testing import ROOT, make_person
from lianxin.dashboard import selectors
from lianxin.dashboard.selectors_work import CHILD_FIELDS
from lianxin.governance.models import CommitteeTerm, NamedHome
from lianxin.orgs import services as org_services
from lianxin.orgs.models import OrgKind
from lianxin.talent.models import Competition, Contestant, Honour, InnovationEntry, InnovationRound
from lianxin.volunteers.models import HoursEntry, Project, Signup, Volunteer

from .helpers import NOW, YEAR, local

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


# every row's own time is set (created_at is "now" otherwise: after 16:00 UTC already tomorrow in Shanghai)
def volunteer(union, name, *, approved_at=None, created=None):
    v = Volunteer.objects.create(
        person=make_person(union, name),
        union=union,
        status="approved" if approved_at else "pending",
        decided_at=approved_at,
    )
    Volunteer.objects.filter(pk=v.pk).update(created_at=created or local(2026, 2, 1))
    return v


def project(org, starts, status="open"):
    return Project.objects.create(
        org=org,
        title="社区义诊",
        place="社区中心",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        signup_deadline=starts - dt.timedelta(days=1),
        places=10,
        remaining=10,
        minutes=60,
        status=status,
    )


def credit(v, p, minutes, when=None):
    s = Signup.objects.create(project=p, volunteer=v, status="attended", confirmed_at=p.ends_at)
    e = HoursEntry.objects.create(volunteer=v, kind="credit", minutes=minutes, signup=s)
    HoursEntry.objects.filter(pk=e.pk).update(created_at=when or local(2026, 9, 1))
    return e


def competition(org, opens):
    return Competition.objects.create(
        org=org,
        audience=org,
        title="数控车工技能竞赛",
        trade="数控车工",
        signup_opens_at=opens,
        signup_closes_at=opens + dt.timedelta(days=20),
        max_entrants=50,
        award_title="技术能手",
        award_places=3,
    )


def contestant(comp, union, name):
    return Contestant.objects.create(competition=comp, person=make_person(union, name), union=union)


def honour(c, year, status="active"):
    return Honour.objects.create(
        person=c.person,
        union=c.union,
        title="技术能手",
        category="craftsman",
        level="district",
        year=year,
        awarded_by="区总工会",
        contestant=c,
        status=status,
        ended_at=None if status == "active" else timezone.now(),
    )


def term(union, number, elected, years, *, ended_on=None):
    return CommitteeTerm.objects.create(
        union=union,
        number=number,
        elected_on=elected,
        term_years=years,
        ends_on=elected.replace(year=elected.year + years),
        chair_name="王主席",
        members_count=5,
        expected=40,
        present=35,
        status="ended" if ended_on else "current",
        ended_on=ended_on,
    )


@pytest.fixture
def work(district):
    d = district
    a, b = d.base_a1, d.base_b1
    # 工会志愿者: registered in base_a1 — one approved in March (registered in 2025), one pending; base_b1 one
    # approved; the one approved in 2027's terms does not exist, a past year sees who stood then
    va = volunteer(a, "志愿者甲", approved_at=local(2026, 3, 1), created=local(2025, 6, 1))
    volunteer(a, "志愿者乙")
    vb = volunteer(b, "志愿者丙", approved_at=local(2026, 5, 1))
    pa, pb, pb2 = (
        project(a, local(2026, 6, 1)),
        project(d.street_b, local(2026, 7, 1)),
        project(b, local(2026, 8, 1)),
    )
    project(a, local(2026, 6, 2), status="cancelled")
    old = project(a, local(2025, 12, 31, 23))  # 2025 in Shanghai (15:00 UTC)
    credit(va, pa, 120)
    credit(
        va,
        old,
        60,
        when=local(
            2025,
            12,
            31,
            23,
        ),
    )  # last year's hours
    credit(vb, pb, 90)
    wrong = credit(vb, pb2, 45)
    back = HoursEntry.objects.create(
        volunteer=vb, kind="reversal", minutes=45, signup=wrong.signup, reverses=wrong, reason="未实际到场"
    )
    HoursEntry.objects.filter(pk=back.pk).update(created_at=local(2026, 10, 1))
    # 劳动竞赛: street_a's competition of 2026 with two base_a1 contestants and one from base_b1; the federation's
    # of 2025 with one base_a1 contestant; titles: one in force, one revoked, one for 2025
    ca = competition(d.street_a, local(2026, 3, 1))
    competition(d.street_b, local(2026, 4, 1))
    c_old = competition(d.fed, local(2025, 5, 1))
    c1, c2 = contestant(ca, a, "选手甲"), contestant(ca, a, "选手乙")
    c3 = contestant(ca, b, "选手丙")
    honour(c1, 2026)
    honour(c2, 2026, status="ended")
    honour(contestant(c_old, a, "选手丁"), 2025)
    honour(c3, 2026)
    # 创新成果评审: base_a1 two entries in 2026 (one first prize), base_b1 one (third prize), base_a1 one in 2025
    rnd = InnovationRound.objects.create(org=d.fed, title="职工创新成果评审", submit_until=local(2026, 6, 30))
    for union, title, prize, rank in (
        (a, "刀具改进", "first", 1),
        (a, "工装夹具", "", None),
        (b, "节能改造", "third", 3),
    ):
        e = InnovationEntry.objects.create(
            round=rnd,
            union=union,
            title=title,
            team="张三",
            summary="简介",
            category="innovation",
            prize=prize,
            rank=rank,
        )
        InnovationEntry.objects.filter(pk=e.pk).update(created_at=local(2026, 5, 1))
    e_old = InnovationEntry.objects.create(
        round=rnd,
        union=a,
        title="旧成果",
        team="张三",
        summary="简介",
        category="method",
        prize="second",
        rank=2,
    )
    InnovationEntry.objects.filter(pk=e_old.pk).update(created_at=local(2025, 9, 1))
    # 模范职工之家: base_a1 named in May 2026; base_b1 named on 31 Dec 2025 and again (revoked since) in Nov 2026
    NamedHome.objects.create(
        union=a,
        level="district_home",
        year=2026,
        named_on=dt.date(2026, 5, 1),
        valid_until=dt.date(2029, 5, 1),
    )
    NamedHome.objects.create(
        union=b,
        level="district_small",
        year=2025,
        named_on=dt.date(2025, 12, 31),
        valid_until=dt.date(2028, 12, 31),
    )
    NamedHome.objects.create(
        union=b,
        level="district_home",
        year=2026,
        named_on=dt.date(2026, 11, 30),
        valid_until=dt.date(2029, 11, 30),
        status="revoked",
    )
    # 换届: base_a1's term ran out on 1 Jan 2026 and was renewed on 1 Feb 2026; base_b1's ran out in June 2025
    # and is still current (overdue); joint_b's ends in 2027
    term(a, 1, dt.date(2021, 1, 1), 5, ended_on=dt.date(2026, 2, 1))
    term(a, 2, dt.date(2026, 2, 1), 5)
    term(b, 1, dt.date(2020, 6, 1), 5)
    term(d.joint_b, 3, dt.date(2022, 3, 1), 5)
    # 平安返乡 2026: base_a1 a confirmed coach seat, a paid 300-yuan subsidy, one still waiting; base_b1 a paid
    # 200-yuan subsidy and a declined one; 2025: a confirmed seat in base_a1
    prog = HomewardProgramme.objects.create(
        org=d.fed, year=2026, name="2026年平安返乡", apply_until=dt.date(2026, 1, 10)
    )
    coach = HomewardCoach.objects.create(
        programme=prog, destination="信阳", departs_at=local(2026, 2, 10), seats=40, taken=1
    )
    prog_old = HomewardProgramme.objects.create(
        org=d.fed, year=2025, name="2025年平安返乡", apply_until=dt.date(2025, 1, 10)
    )
    coach_old = HomewardCoach.objects.create(
        programme=prog_old, destination="阜阳", departs_at=local(2025, 1, 20), seats=40, taken=1
    )
    for p, union, kind, status, fen in (
        (prog, a, "coach", "confirmed", 0),
        (prog, a, "subsidy", "paid", 30000),
        (prog, a, "subsidy", "applied", 30000),
        (prog, b, "subsidy", "paid", 20000),
        (prog, b, "coach", "declined", 0),
        (prog_old, a, "coach", "confirmed", 0),
    ):
        HomewardApplication.objects.create(
            programme=p,
            person=make_person(union, "返乡职工"),
            union=union,
            year=p.year,
            kind=kind,
            coach=(coach if p is prog else coach_old) if kind == "coach" else None,
            hometown="河南",
            amount_fen=fen,
            status=status,
        )
    # 就业帮扶: base_a1 a post for 3 in 2026 (one hired, one waiting), base_b1 one for 2 (one hired); base_a1's
    # post of 2025 with a hire in March 2025
    posts = {}
    for key, union, ent, openings, created in (
        ("a", a, d.ent_a1, 3, None),
        ("b", b, d.ent_b1, 2, None),
        ("old", a, d.ent_a1, 1, local(2025, 2, 1)),
    ):
        posts[key] = JobPost.objects.create(
            union=union,
            employer=ent,
            title="操作工",
            trade="普工",
            openings=openings,
            salary_min=5000,
            salary_max=7000,
            requirements="身体健康",
            contact="0571-1",
            valid_until=dt.date(2027, 1, 1),
        )
        JobPost.objects.filter(pk=posts[key].pk).update(created_at=created or local(2026, 4, 1))
    for key, status, when in (
        ("a", "hired", local(2026, 6, 1)),
        ("a", "applied", local(2026, 6, 2)),
        ("b", "hired", local(2026, 9, 1)),
        ("old", "hired", local(2025, 3, 1)),
    ):
        post = posts[key]
        ja = JobApplication.objects.create(
            post=post, person=make_person(post.union, "求职者"), union=post.union, status=status
        )
        JobApplication.objects.filter(pk=ja.pk).update(updated_at=when)
    return d


def test_federation_figures(work):
    data = selectors.compute(work.fed, YEAR, now=NOW)
    assert data["volunteers"] == {
        "registered": 3,
        "approved": 2,
        "projects": 3,
        "minutes": 210,
        "hours": 3.5,
        "credited_minutes": 255,
        "reversed_minutes": 45,
    }
    assert data["talent"] == {
        "competitions": 2,
        "contestants": 3,
        "titles": 2,
        "innovation_entries": 3,
        "innovation_awards": 2,
        "innovation_first": 1,
    }
    assert data["governance"] == {"homes_named": 2, "terms_overdue": 1, "elections": 1}
    assert data["homeward"] == {"confirmed": 3, "coach": 1, "subsidies": 2, "subsidy_fen": 50000}
    assert data["jobs"] == {"posts": 2, "openings": 5, "placements": 2}


def test_a_street_counts_only_its_subtree(work):
    d = work
    a = selectors.compute(d.street_a, YEAR, now=NOW)
    assert a["volunteers"] == {
        "registered": 2,
        "approved": 1,
        "projects": 1,
        "minutes": 120,
        "hours": 2.0,
        "credited_minutes": 120,
        "reversed_minutes": 0,
    }
    # the competition is street_a's, its base_b1 contestant and title are street_b's
    assert a["talent"] == {
        "competitions": 1,
        "contestants": 2,
        "titles": 1,
        "innovation_entries": 2,
        "innovation_awards": 1,
        "innovation_first": 1,
    }
    assert a["governance"] == {"homes_named": 1, "terms_overdue": 0, "elections": 1}
    assert a["homeward"] == {"confirmed": 2, "coach": 1, "subsidies": 1, "subsidy_fen": 30000}
    assert a["jobs"] == {"posts": 1, "openings": 3, "placements": 1}
    b = selectors.compute(d.street_b, YEAR, now=NOW)
    assert (b["volunteers"]["minutes"], b["volunteers"]["projects"]) == (90, 2)  # 90 + 45 − 45
    assert (b["talent"]["competitions"], b["talent"]["contestants"], b["talent"]["titles"]) == (1, 1, 1)
    assert b["governance"] == {"homes_named": 1, "terms_overdue": 1, "elections": 0}


def test_a_past_year_counts_what_stood_then(work):
    data = selectors.compute(work.fed, 2025, now=NOW)
    # registered by 31 Dec 2025: only 志愿者甲, approved only in 2026
    assert (data["volunteers"]["registered"], data["volunteers"]["approved"]) == (1, 0)
    assert (data["volunteers"]["projects"], data["volunteers"]["minutes"]) == (1, 60)
    assert data["talent"] == {
        "competitions": 1,
        "contestants": 1,
        "titles": 1,
        "innovation_entries": 1,
        "innovation_awards": 1,
        "innovation_first": 0,
    }
    # on 31 Dec 2025 base_a1's first term still stood (ending 1 Jan 2026): only base_b1 was overdue
    assert data["governance"] == {"homes_named": 1, "terms_overdue": 1, "elections": 0}
    assert data["homeward"] == {"confirmed": 1, "coach": 1, "subsidies": 0, "subsidy_fen": 0}
    assert data["jobs"] == {"posts": 1, "openings": 1, "placements": 1}


def test_children_add_up_to_the_parent(work):
    d = work
    data = selectors.compute(d.fed, YEAR, now=NOW)
    rows = {r["name"]: r for r in data["children"]}
    totals = {
        "volunteers": data["volunteers"]["approved"],
        "volunteer_minutes": data["volunteers"]["minutes"],
        "projects": data["volunteers"]["projects"],
        "contestants": data["talent"]["contestants"],
        "titles": data["talent"]["titles"],
        "innovation_entries": data["talent"]["innovation_entries"],
        "homes_named": data["governance"]["homes_named"],
        "terms_overdue": data["governance"]["terms_overdue"],
        "elections": data["governance"]["elections"],
        "homeward": data["homeward"]["confirmed"],
        "homeward_paid_fen": data["homeward"]["subsidy_fen"],
        "job_posts": data["jobs"]["posts"],
        "placements": data["jobs"]["placements"],
    }
    for field, total in totals.items():
        assert sum(r[field] for r in rows.values()) == total, field
    a, b = rows[d.street_a.name], rows[d.street_b.name]
    assert (a["volunteers"], a["volunteer_minutes"], a["volunteer_hours"], a["contestants"], a["titles"]) == (
        1,
        120,
        2.0,
        2,
        1,
    )
    assert (b["volunteer_minutes"], b["volunteer_hours"], b["terms_overdue"], b["homeward_paid_fen"]) == (
        90,
        1.5,
        1,
        20000,
    )
    # one level down: the street's child (its joint union) carries the street's figures
    joint = selectors.compute(d.street_a, YEAR, now=NOW)["children"][0]
    assert {k: joint[k] for k in CHILD_FIELDS} == {k: a[k] for k in CHILD_FIELDS}


def test_medical_mutual_aid(district):
    """Enrolled in this year's plan, what that comes to, what came in, and the hospital-stay payments (the real
    flow: a member's claim approved by the union and the federation); last year's plan does not count."""
    from lianxin.mutualaid import services as mutualaid
    from lianxin.mutualaid.models import Enrolment, MedicalPlan
    from lianxin.mutualaid.tests.helpers import claim, enrolled_member, fund, plan, to_federation
    from lianxin.mutualaid.tests.test_enrolment import live
    from lianxin.workflow import services as workflow

    d = district
    year = timezone.localdate().year
    p, _f = plan(d), fund(d)  # 30 yuan a head
    live(d.base_a1, 2)
    live(d.base_b1, 1)
    mutualaid.enrol_union(actor=ROOT, plan=p, union=d.base_a1)
    mutualaid.enrol_union(actor=ROOT, plan=p, union=d.base_b1)
    user = enrolled_member(d, p)  # a third in base_a1
    mutualaid.record_contribution(
        actor=d.users["fed.admin"], plan=p, union=d.base_a1, amount="60", received_on=timezone.localdate()
    )
    step = to_federation(d, claim(user, self_pay="3000"))
    workflow.decide(
        actor=d.users["fed.reviewer"], step_id=step.pk, decision="approved", approval={"amount": "1200"}
    )
    old = MedicalPlan.objects.create(
        org=d.fed,
        year=year - 1,
        name="上年互助",
        contribution_fen=3000,
        deductible_fen=0,
        ratio=50,
        cap_fen=100000,
        enrol_opens=dt.date(year - 1, 1, 1),
        enrol_closes=dt.date(year - 1, 12, 31),
    )
    Enrolment.objects.create(plan=old, person=make_person(d.base_a1, "上年参加"), union=d.base_a1)

    m = selectors.compute(d.fed, year)["mutualaid"]
    assert m == {
        "enrolled": 4,
        "owed_fen": 12000,
        "contributed_fen": 6000,
        "outstanding_fen": 6000,
        "payments": 1,
        "paid_fen": 120000,
    }
    a = selectors.compute(d.street_a, year)
    assert a["mutualaid"] == {
        "enrolled": 3,
        "owed_fen": 9000,
        "contributed_fen": 6000,
        "outstanding_fen": 3000,
        "payments": 1,
        "paid_fen": 120000,
    }
    # the hospital-stay payment is shown here, not again as hardship aid
    assert a["assistance"]["aided"] == 0 and a["assistance"]["aid_fen"] == 0
    rows = {r["name"]: r for r in selectors.compute(d.fed, year)["children"]}
    assert (rows[d.street_a.name]["enrolled"], rows[d.street_b.name]["enrolled"]) == (3, 1)
    assert (rows[d.street_a.name]["owed_fen"], rows[d.street_b.name]["owed_fen"]) == (9000, 3000)
    assert (rows[d.street_a.name]["contributed_fen"], rows[d.street_b.name]["contributed_fen"]) == (6000, 0)
    assert (rows[d.street_a.name]["medical_paid_fen"], rows[d.street_b.name]["medical_paid_fen"]) == (
        120000,
        0,
    )
    assert selectors.compute(d.fed, year - 1)["mutualaid"]["enrolled"] == 1
    assert selectors.compute(d.street_b, year)["mutualaid"]["payments"] == 0


def test_page_api_and_report_carry_them(work, client):
    d = work
    client.force_login(d.users["fed.viewer"])
    html = client.get("/console/dashboard/?year=2026").content.decode()
    assert '<b id="work-hours">3.5</b>' in html and '<b id="work-titles">2</b>' in html
    assert '<b id="work-homeward">3</b>' in html and '<b id="work-placements">2</b>' in html
    assert 'id="children-work-table"' in html and "逾期未换届 1 个" in html
    body = client.get("/api/v1/dashboard/overview?year=2026").json()
    assert body["volunteers"]["minutes"] == 210 and body["talent"]["contestants"] == 3
    assert body["governance"] == {"homes_named": 2, "terms_overdue": 1, "elections": 1}
    assert set(body["mutualaid"]) == {
        "enrolled",
        "owed_fen",
        "contributed_fen",
        "outstanding_fen",
        "payments",
        "paid_fen",
    }
    assert body["homeward"]["subsidy_fen"] == 50000 and body["jobs"]["openings"] == 5
    child = {c["name"]: c for c in body["children"]}[d.street_b.name]
    assert set(CHILD_FIELDS) | {"volunteer_hours"} <= set(child) and child["volunteer_hours"] == 1.5
    r = client.get("/console/dashboard/report.xlsx?year=2026")
    wb = CalamineWorkbook.from_filelike(io.BytesIO(r.content))
    assert wb.sheet_names[-1] == "下级单位工会服务"
    summary = {row[0]: row[1] for row in wb.get_sheet_by_name("概览").to_python()[1:]}
    assert summary["本年志愿服务时长（小时）"] == 3.5 and summary["本年授予竞赛称号（技术能手等）"] == 2
    assert summary["逾期未换届的工会"] == 1 and summary["购票补贴金额（元）"] == 500.0
    assert summary["本年就业录用"] == 2 and summary["医疗互助参加人数"] == 0
    sheet = wb.get_sheet_by_name("下级单位工会服务").to_python()
    by_name = {row[0]: dict(zip(sheet[0], row)) for row in sheet[1:]}
    assert by_name[d.street_b.name]["志愿服务时长（小时）"] == 1.5
    assert by_name[d.street_b.name]["购票补贴（元）"] == 200.0 and by_name[d.street_a.name]["竞赛选手"] == 2


def test_queries_do_not_grow_with_the_children(work):
    d = work

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            selectors.compute(d.fed, YEAR, now=NOW)
        return len(ctx.captured_queries)

    before = queries()
    for i in range(5):
        street = org_services.create_organization(
            actor=ROOT, parent=d.fed, kind=OrgKind.STREET, name=f"新街道{i}总工会"
        )
        union = org_services.create_organization(
            actor=ROOT, parent=street, kind=OrgKind.BASE, name=f"新企业{i}工会"
        )
        v = volunteer(union, f"新志愿者{i}", approved_at=local(2026, 4, 1))
        credit(v, project(union, local(2026, 5, 1)), 30)
        contestant(competition(street, local(2026, 5, 1)), union, f"新选手{i}")
        term(union, 1, dt.date(2020, 1, 1), 3)
    assert queries() == before
    data = selectors.compute(d.fed, YEAR, now=NOW)
    assert data["volunteers"]["minutes"] == 210 + 5 * 30 and data["governance"]["terms_overdue"] == 6
    assert sum(r["contestants"] for r in data["children"]) == data["talent"]["contestants"] == 8

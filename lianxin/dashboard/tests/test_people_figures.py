"""The dashboard's figures of 教育培训, 女职工与留守关爱, 党支部工作 and 社会化工会工作者 on a small district whose every
count is chosen here, made through the apps' own factories and services (then moved to fixed days of 2025 and
2026): rows of the other street, of 2025, withdrawn, cancelled, unconfirmed or reversed are there too and must not
count; a past year counts what stood on its 31 December; the 下级单位 rows add up to the parent's (a party branch
straight under the federation is a row of its own); the page, the API and the report carry them; the number of
queries does not grow with the district."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from lianxin.assistance.models import LedgerEntry
from lianxin.assistance.tests.helpers import fund
from lianxin.care import services as care
from lianxin.care import testing as care_testing
from lianxin.care.models import Campaign, CampaignSignup, CareClass, Room
from lianxin.core.testing import ROOT
from lianxin.dashboard import selectors
from lianxin.dashboard.selectors_work import CHILD_FIELDS
from lianxin.governance import services_workers as workers
from lianxin.governance import testing as gov_testing
from lianxin.governance.models import WorkerPosting
from lianxin.orgs import services as org_services
from lianxin.orgs.models import OrgKind
from lianxin.party import services as party
from lianxin.party import testing as party_testing
from lianxin.party.models import Category, MemberStatus
from lianxin.training import services as training
from lianxin.training import testing as training_testing
from lianxin.training.models import EducationGrant, TrainingClass
from lianxin.training.models import Enrolment as Trainee
from lianxin.workflow import services as workflow
from lianxin.workflow.tests.helpers import attach_all, member_user

from .helpers import NOW, YEAR, local

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

PEOPLE_FIELDS = [f for f in CHILD_FIELDS if CHILD_FIELDS.index(f) >= CHILD_FIELDS.index("trainees")]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


_names = iter(f"职工{i:03d}" for i in range(1000))


def woman(union):
    return care_testing.make_woman(union, next(_names))


# ------------------------------------------------------------------------------------------------ 教育培训


def held_class(org, starts: dt.date, trainees, *, certify=(), withdraw=(), certified_on=None, cancel=False):
    """A class through the real flow (publish, enrol, withdraw, roll call, scores, certificates), then moved to
    ``starts`` (three days long); ``certify``: the trainees who pass; certificates dated ``certified_on``."""
    k = training_testing.make_class(org, places=10, sessions=1)
    rows = {p.person.pk: training.enrol(actor=ROOT, klass=k, person=p.person) for p in trainees}
    gone = {p.person.pk for p in withdraw}
    passed = {p.person.pk for p in certify}
    for pk in gone:
        training.withdraw(actor=ROOT, enrolment=rows[pk])
    live = {pk: e for pk, e in rows.items() if pk not in gone}
    if certify:
        training_testing.end_class(k)
        training_testing.attend_all(k, live.values())
        scores = {str(e.pk): ("90" if pk in passed else "40") for pk, e in live.items()}
        training.record_scores(actor=ROOT, klass=k, scores=scores)
        assert len(training.issue_certificates(actor=ROOT, klass=k)) == len(certify)
        Trainee.objects.filter(klass=k, certificate_no__isnull=False).update(
            certified_at=local(*certified_on)
        )
    if cancel:
        training.cancel_class(actor=ROOT, klass=k, reason="授课老师临时有事")
    TrainingClass.objects.filter(pk=k.pk).update(
        signup_deadline=starts - dt.timedelta(days=5), starts_on=starts, ends_on=starts + dt.timedelta(days=3)
    )
    return k


def education_grant(union, username, *, level, amount, approved):
    """教育补助 through the applications engine (filed, both steps approved, paid from the fund), then dated."""
    user = member_user(None, union, username=username, name=f"{username}职工")
    data = {
        "level": level,
        "school": "浙江工业大学",
        "major": "机械设计制造及其自动化",
        "graduated_on": (timezone.localdate() - dt.timedelta(days=30)).isoformat(),
        "tuition": "9000",
        "amount": amount,
    }
    app = workflow.create_application(actor=user, programme="education", data=data)
    attach_all(app, user, ["diploma"])
    app = workflow.submit_application(actor=user, app=app)
    for approval in (None, {"amount": amount}):
        workflow.decide(
            actor=ROOT,
            step_id=app.steps.get(decision__isnull=True).pk,
            decision="approved",
            **({"approval": approval} if approval else {}),
        )
    g = EducationGrant.objects.get(application=app)
    EducationGrant.objects.filter(pk=g.pk).update(created_at=local(*approved))
    LedgerEntry.objects.filter(application=app).update(created_at=local(*approved))
    return g


# ------------------------------------------------------------------------------------------------ 关爱


def campaign(org, starts: dt.datetime, *, attended=(), absent=(), signed=(), withdrawn=(), cancel=False):
    """A 关爱行动 through the real flow: the women sign up (some withdraw), it is held and marked, then moved."""
    c = care_testing.make_campaign(org, places=20)
    for w in (*attended, *absent, *signed, *withdrawn):
        care.sign_up(actor=w.user, campaign_id=c.pk)
    for w in withdrawn:
        care.withdraw(actor=w.user, campaign_id=c.pk)
    if cancel:
        care.cancel_campaign(actor=ROOT, campaign=c, reason="场地临时调整")
    else:
        care_testing.start_campaign(c)
        for w, came in [(w, True) for w in attended] + [(w, False) for w in absent]:
            s = CampaignSignup.objects.get(campaign=c, person=w.person, status="signed")
            care.mark_signup(actor=ROOT, signup=s, attended=came)
    Campaign.objects.filter(pk=c.pk).update(
        signup_deadline=starts - dt.timedelta(days=2),
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=6),
    )
    return c


_child = iter(range(1, 1000))


def summer_class(org, starts: dt.date, guardians, *, cancelled_one=None, cancel=False):
    """A 暑期托管班: each guardian enrols a child (``cancelled_one`` enrols a second and cancels it)."""
    k = care_testing.make_class(org, places=10)
    for g in (*guardians, *([cancelled_one] if cancelled_one else [])):
        e = care.enrol_child(
            actor=g.user,
            class_id=k.pk,
            child_name="小明",
            child_id=care_testing.child_id(8, next(_child), on=k.starts_on),
            guardian_mobile="13957100001",
        )
    if cancelled_one:
        care.cancel_enrolment(actor=cancelled_one.user, enrolment_id=e.pk)
    if cancel:
        care.cancel_class(actor=ROOT, care_class=k, reason="报名人数不足")
    CareClass.objects.filter(pk=k.pk).update(
        signup_deadline=local(starts.year, starts.month, starts.day) - dt.timedelta(days=3),
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=20),
    )
    return k


ROOM = dict(
    enterprise_name="杭州甲科技有限公司",
    location="行政楼三楼 305 室",
    area_m2="12.5",
    facilities=["fridge", "seat", "sink", "aircon"],
    opening_hours="工作日 08:30-17:30",
    contact="王老师",
)


def room(union, registered, *, approved=None, stars=None):
    r = care.register_room(actor=ROOT, union=union, **ROOM)
    if approved:
        r = care.review_room(actor=ROOT, room=r, approve=True)
        if stars:
            care.rate_room(actor=ROOT, room=r, stars=stars, reason="设施齐全，使用规范")
        Room.objects.filter(pk=r.pk).update(reviewed_at=local(*approved))
    Room.objects.filter(pk=r.pk).update(created_at=local(*registered))
    return r


# ------------------------------------------------------------------------------------------------ the district


@pytest.fixture
def people(district):
    d = district
    a, b = d.base_a1, d.base_b1
    d.base_b2 = org_services.create_organization(
        actor=ROOT, parent=d.joint_b, kind=OrgKind.BASE, name="杭州丙物流有限公司工会"
    )

    # 班组长培训 2026: street_a's class — base_a1's 甲 certified, 乙 not passed, 丙 withdrawn; the federation's
    # class — base_a1's 丁 and base_b1's 戊 (certified) and 己; 2025: the federation's class in November with
    # base_b1's 庚, certified only on 10 January 2026
    ta = [woman(a) for _ in range(4)]
    tb = [woman(b) for _ in range(3)]
    held_class(
        d.street_a, dt.date(2026, 6, 1), ta[:3], certify=[ta[0]], withdraw=[ta[2]], certified_on=(2026, 6, 10)
    )
    held_class(d.fed, dt.date(2026, 9, 1), [ta[3], tb[0], tb[1]], certify=[tb[0]], certified_on=(2026, 9, 20))
    held_class(d.fed, dt.date(2025, 11, 3), [tb[2]], certify=[tb[2]], certified_on=(2026, 1, 10))
    # street_b's class of 2026 was cancelled: its enrolment stays (history) and does not count
    held_class(d.street_b, dt.date(2026, 10, 12), [tb[1]], cancel=True)
    # 教育补助: base_a1 本科 3,000 元 and base_b1 大专 2,000 元 in 2026; base_a1 职业资格 1,000 元 on 31 Dec 2025
    # 23:00 Shanghai (15:00 UTC: still 2025)
    fund(d.fed, "20000", purpose="education")
    education_grant(a, "edu1", level="bachelor", amount="3000", approved=(2026, 5, 1))
    education_grant(b, "edu2", level="college", amount="2000", approved=(2026, 7, 1))
    education_grant(a, "edu3", level="vocational", amount="1000", approved=(2025, 12, 31, 23))

    # 女职工关爱行动: street_a's screening in March 2026 — base_a1's two attended, one absent, one withdrew; the
    # federation's check-up in September — one of base_a1 and one of base_b1 attended, one of base_b1 signed up but
    # not marked; street_b's talk cancelled (its sign-up withdrawn by the cancellation); the federation's of 2025
    wa = [woman(a) for _ in range(4)]
    wb = [woman(b) for _ in range(3)]
    campaign(d.street_a, local(2026, 3, 8), attended=wa[:2], absent=[wa[2]], withdrawn=[wa[3]])
    campaign(d.fed, local(2026, 9, 1), attended=[wa[0], wb[0]], signed=[wb[1]])
    campaign(d.street_b, local(2026, 10, 1), signed=[wb[2]], cancel=True)
    campaign(d.fed, local(2025, 10, 1), attended=[wb[0]])
    # 暑期托管班 2026: street_a's — base_a1's guardian enrols one child (a second cancelled); the federation's —
    # one child of base_a1 and one of base_b1; street_b's cancelled; the federation's of 2025 with one of base_b1
    summer_class(d.street_a, dt.date(2026, 7, 6), [wa[0]], cancelled_one=wa[1])
    summer_class(d.fed, dt.date(2026, 7, 13), [wa[2], wb[0]])
    summer_class(d.street_b, dt.date(2026, 8, 3), [wb[1]], cancel=True)
    summer_class(d.fed, dt.date(2025, 7, 14), [wb[2]])
    # 爱心妈咪小屋: base_a1's registered and approved in 2026 and rated 2 stars; base_b1's waiting for the street;
    # base_b2's registered and approved in 2025, not rated
    room(a, (2026, 3, 1), approved=(2026, 4, 1), stars=2)
    room(b, (2026, 10, 1))
    room(d.base_b2, (2025, 5, 1), approved=(2025, 6, 1))

    # 党支部: base_a1's branch (甲 正式, 乙 预备 since March 2026, 丙 transferred to street_b's branch on 1 Aug
    # 2026); street_b's branch (丁 正式, 戊 预备 joined in January 2025, 转正 on 1 Feb 2026); the federation's own
    # branch, straight under it (己 正式, 庚 stopped on 30 Jun 2025)
    d.branch_a = party_testing.make_branch(a, "甲公司党支部")
    d.branch_b = party_testing.make_branch(d.street_b, "下沙街道机关党支部")
    d.branch_fed = party_testing.make_branch(d.fed, "区总工会机关党支部")
    m1 = party_testing.make_party_member(d.branch_a, "党员甲", base="4000")
    party_testing.make_party_member(
        d.branch_a, "党员乙", category=Category.PROBATIONARY, joined_on=dt.date(2026, 3, 1)
    )
    m3 = party_testing.make_party_member(d.branch_a, "党员丙")
    party.transfer_member(actor=ROOT, member=m3, to_branch=d.branch_b, on=dt.date(2026, 8, 1))
    m4 = party_testing.make_party_member(d.branch_b, "党员丁", base="6000")
    m5 = party_testing.make_party_member(
        d.branch_b, "党员戊", category=Category.PROBATIONARY, joined_on=dt.date(2025, 1, 10)
    )
    party.confirm_full(actor=ROOT, member=m5, on=dt.date(2026, 2, 1))
    m6 = party_testing.make_party_member(d.branch_fed, "党员己", base="2000")
    m7 = party_testing.make_party_member(d.branch_fed, "党员庚")
    party.end_membership(
        actor=ROOT, member=m7, status=MemberStatus.STOPPED, on=dt.date(2025, 6, 30), reason="停止党籍"
    )
    # 三会一课: base_a1's branch a 支部党员大会 and a 支委会 and a 主题党日 in 2026; street_b's a 党课 in 2026; the
    # federation's a 党小组会 in December 2025
    for branch, kind, day in (
        (d.branch_a, "congress", dt.date(2026, 3, 10)),
        (d.branch_a, "committee", dt.date(2026, 4, 10)),
        (d.branch_a, "theme_day", dt.date(2026, 5, 4)),
        (d.branch_b, "lecture", dt.date(2026, 6, 1)),
        (d.branch_fed, "group", dt.date(2025, 12, 20)),
    ):
        party_testing.make_meeting(branch, kind=kind, held_on=day)
    # 党费 (甲 40 元, 丁 90 元, 己 10 元 a month): 甲 January–March 2026 with March reversed and recorded again,
    # and December 2025; 丁 October 2026; 己 January 2026
    for m, period in ((m1, 202601), (m1, 202602), (m1, 202512), (m4, 202610), (m6, 202601)):
        party.record_payment(actor=ROOT, member=m, period=period)
    wrong = party.record_payment(actor=ROOT, member=m1, period=202603)
    party.reverse_payment(actor=ROOT, entry=wrong, reason="重复登记")
    party.record_payment(actor=ROOT, member=m1, period=202603)

    # 社会化工会工作者: 周 posted to street_a since March 2025; 吴 to base_b1 in March 2025, moved to street_a on
    # 1 June 2026; 郑 posted to street_b in January 2025, left on 31 May 2026
    def recruit(post, name, on):
        return gov_testing.recruit(post, name=name, contract_start=on, posted_on=on)

    w1 = recruit(d.street_a, "周社工", dt.date(2025, 3, 1))
    w2 = recruit(b, "吴社工", dt.date(2025, 3, 1))
    w3 = recruit(d.street_b, "郑社工", dt.date(2025, 1, 1))
    # work records: 周 January 2026 confirmed, February 2026 a draft; 吴 March 2026 (at base_b1) confirmed; 郑
    # November 2025 confirmed
    logs = [
        (
            w1,
            2026,
            1,
            {"visits": 10, "unions_founded": 1, "members_recruited": 20, "disputes_mediated": 2},
            True,
        ),
        (
            w1,
            2026,
            2,
            {"visits": 99, "unions_founded": 9, "members_recruited": 99, "disputes_mediated": 9},
            False,
        ),
        (
            w2,
            2026,
            3,
            {"visits": 5, "unions_founded": 0, "members_recruited": 8, "disputes_mediated": 1},
            True,
        ),
        (
            w3,
            2025,
            11,
            {"visits": 7, "unions_founded": 2, "members_recruited": 15, "disputes_mediated": 0},
            True,
        ),
    ]
    for w, y, m, counts, confirm in logs:
        log = workers.enter_work_log(
            actor=ROOT, worker=w, year=y, month=m, counts=counts, summary="走访辖区企业"
        )
        if confirm:
            workers.confirm_work_log(actor=ROOT, log=log)
    workers.transfer_worker(actor=ROOT, worker=w2, to=d.street_a, on=dt.date(2026, 6, 1), note="工作需要")
    workers.leave_worker(actor=ROOT, worker=w3, on=dt.date(2026, 5, 31), reason="合同期满不再续签")
    return d


def test_federation_figures(people):
    data = selectors.compute(people.fed, YEAR, now=NOW)
    assert data["training"] == {"classes": 2, "trainees": 5, "certified": 2, "grants": 2, "grant_fen": 500000}
    assert data["care"] == {
        "campaigns": 2,
        "signed_up": 6,
        "attended": 4,
        "classes": 2,
        "children": 3,
        "rooms_registered": 3,
        "rooms": 2,
        "rooms_starred": 1,
    }
    assert data["party"] == {
        "members": 6,
        "probationary": 1,
        "meetings": 3,
        "theme_days": 1,
        "dues_fen": 4000 * 3 + 9000 + 1000,
        "dues_paid_fen": 4000 * 4 + 9000 + 1000,
        "dues_reversed_fen": 4000,
    }
    assert data["workers"] == {
        "in_post": 2,
        "logs": 2,
        "visits": 15,
        "unions_founded": 1,
        "members_recruited": 28,
        "disputes_mediated": 3,
    }
    # 教育补助 is shown under 教育培训, not again as hardship aid
    assert (data["assistance"]["aided"], data["assistance"]["aid_fen"]) == (0, 0)


def test_a_street_counts_only_its_subtree(people):
    d = people
    a = selectors.compute(d.street_a, YEAR, now=NOW)
    # street_a's class and the federation's base_a1 trainee 丁; the federation's class is not street_a's
    assert a["training"] == {"classes": 1, "trainees": 3, "certified": 1, "grants": 1, "grant_fen": 300000}
    assert a["care"] == {
        "campaigns": 1,
        "signed_up": 4,
        "attended": 3,
        "classes": 1,
        "children": 2,
        "rooms_registered": 1,
        "rooms": 1,
        "rooms_starred": 1,
    }
    assert a["party"] == {
        "members": 2,
        "probationary": 1,
        "meetings": 2,
        "theme_days": 1,
        "dues_fen": 12000,
        "dues_paid_fen": 16000,
        "dues_reversed_fen": 4000,
    }
    # 吴's March record was made at base_b1 (street_b's), before the move
    assert a["workers"] == {
        "in_post": 2,
        "logs": 1,
        "visits": 10,
        "unions_founded": 1,
        "members_recruited": 20,
        "disputes_mediated": 2,
    }
    b = selectors.compute(d.street_b, YEAR, now=NOW)
    assert b["training"] == {"classes": 0, "trainees": 2, "certified": 1, "grants": 1, "grant_fen": 200000}
    assert (b["care"]["campaigns"], b["care"]["signed_up"], b["care"]["attended"]) == (0, 2, 1)
    assert (b["care"]["classes"], b["care"]["children"], b["care"]["rooms"]) == (0, 1, 1)
    assert (b["party"]["members"], b["party"]["probationary"], b["party"]["meetings"]) == (3, 0, 1)
    assert b["party"]["dues_fen"] == 9000
    assert (b["workers"]["in_post"], b["workers"]["visits"], b["workers"]["members_recruited"]) == (0, 5, 8)


def test_a_past_year_counts_what_stood_then(people):
    data = selectors.compute(people.fed, 2025, now=NOW)
    # 庚's certificate came on 10 January 2026: on 31 Dec 2025 the trainee had none
    assert data["training"] == {"classes": 1, "trainees": 1, "certified": 0, "grants": 1, "grant_fen": 100000}
    # base_a1's room was registered in 2026; base_b2's stood approved
    assert data["care"] == {
        "campaigns": 1,
        "signed_up": 1,
        "attended": 1,
        "classes": 1,
        "children": 1,
        "rooms_registered": 1,
        "rooms": 1,
        "rooms_starred": 0,
    }
    # on 31 Dec 2025: 甲 and 丙 in base_a1's branch (乙 joined in 2026), 丁 and 戊 (still 预备) in street_b's, 己 in
    # the federation's (庚 stopped in June)
    assert data["party"] == {
        "members": 5,
        "probationary": 1,
        "meetings": 1,
        "theme_days": 0,
        "dues_fen": 4000,
        "dues_paid_fen": 4000,
        "dues_reversed_fen": 0,
    }
    assert data["workers"] == {
        "in_post": 3,
        "logs": 1,
        "visits": 7,
        "unions_founded": 2,
        "members_recruited": 15,
        "disputes_mediated": 0,
    }
    rows = {r["name"]: r for r in data["children"]}
    assert (rows[people.street_a.name]["social_workers"], rows[people.street_b.name]["social_workers"]) == (
        1,
        2,
    )


def parent_totals(data: dict) -> dict:
    """The parent's figure each 下级单位 field must add up to."""
    return {
        "trainees": data["training"]["trainees"],
        "certified": data["training"]["certified"],
        "education_grants": data["training"]["grants"],
        "education_fen": data["training"]["grant_fen"],
        "care_attended": data["care"]["attended"],
        "care_children": data["care"]["children"],
        "care_rooms": data["care"]["rooms"],
        "party_members": data["party"]["members"],
        "party_meetings": data["party"]["meetings"],
        "party_dues_fen": data["party"]["dues_fen"],
        "social_workers": data["workers"]["in_post"],
        "worker_visits": data["workers"]["visits"],
        "worker_unions_founded": data["workers"]["unions_founded"],
        "worker_members_recruited": data["workers"]["members_recruited"],
    }


def test_children_add_up_to_the_parent(people):
    d = people
    data = selectors.compute(d.fed, YEAR, now=NOW)
    totals = parent_totals(data)
    assert set(totals) == set(PEOPLE_FIELDS)
    for field, total in totals.items():
        assert sum(r[field] for r in data["children"]) == total, field
    rows = {r["name"]: r for r in data["children"]}
    assert set(rows) == {d.street_a.name, d.street_b.name, d.branch_fed.name}
    a, b, fed_branch = rows[d.street_a.name], rows[d.street_b.name], rows[d.branch_fed.name]
    assert {k: a[k] for k in PEOPLE_FIELDS} == {
        "trainees": 3,
        "certified": 1,
        "education_grants": 1,
        "education_fen": 300000,
        "care_attended": 3,
        "care_children": 2,
        "care_rooms": 1,
        "party_members": 2,
        "party_meetings": 2,
        "party_dues_fen": 12000,
        "social_workers": 2,
        "worker_visits": 10,
        "worker_unions_founded": 1,
        "worker_members_recruited": 20,
    }
    assert (
        b["trainees"],
        b["care_attended"],
        b["party_members"],
        b["party_dues_fen"],
        b["worker_visits"],
    ) == (
        2,
        1,
        3,
        9000,
        5,
    )
    # the federation's own branch: its member and its dues, nothing else
    assert {k: v for k, v in fed_branch.items() if k in PEOPLE_FIELDS and v} == {
        "party_members": 1,
        "party_dues_fen": 1000,
    }
    # one level down: street_a's joint union carries all of street_a's figures but those of the workers posted to
    # the street itself (and their records, made at the street)
    joint = {r["name"]: r for r in selectors.compute(d.street_a, YEAR, now=NOW)["children"]}[d.joint_a.name]
    street_own = ("social_workers", "worker_visits", "worker_unions_founded", "worker_members_recruited")
    assert {k: joint[k] for k in PEOPLE_FIELDS} == {
        **{k: a[k] for k in PEOPLE_FIELDS},
        **dict.fromkeys(street_own, 0),
    }


def test_page_api_and_report_carry_them(people, client):
    d = people
    client.force_login(d.users["fed.viewer"])
    html = client.get("/console/dashboard/?year=2026").content.decode()
    for tag, value in (
        ("work-trainees", "5"),
        ("work-certified", "2"),
        ("work-education-fen", "5,000.00"),
        ("work-care-attended", "4"),
        ("work-care-children", "3"),
        ("work-rooms", "2"),
        ("work-party-members", "6"),
        ("work-party-meetings", "3"),
        ("work-party-dues", "220.00"),
        ("work-social-workers", "2"),
        ("work-worker-visits", "15"),
    ):
        assert f'<b id="{tag}">{value}</b>' in html, tag
    assert 'id="children-people-table"' in html and "已冲正 40.00 元" in html
    body = client.get("/api/v1/dashboard/overview?year=2026").json()
    assert body["training"]["grant_fen"] == 500000 and body["care"]["children"] == 3
    assert body["party"]["dues_fen"] == 22000 and body["workers"]["in_post"] == 2
    child = {c["name"]: c for c in body["children"]}[d.street_b.name]
    assert set(PEOPLE_FIELDS) <= set(child) and child["party_dues_fen"] == 9000
    r = client.get("/console/dashboard/report.xlsx?year=2026")
    wb = CalamineWorkbook.from_filelike(io.BytesIO(r.content))
    summary = {row[0]: row[1] for row in wb.get_sheet_by_name("概览").to_python()[1:]}
    assert summary["本年培训人次"] == 5 and summary["本年教育补助金额（元）"] == 5000.0
    assert (
        summary["关爱行动参加人次"] == 4
        and summary["托管儿童"] == 3
        and summary["爱心妈咪小屋（已审核）"] == 2
    )
    assert (
        summary["在册党员"] == 6 and summary["本年三会一课"] == 3 and summary["本年党费实收（元）"] == 220.0
    )
    assert summary["在岗社会化工会工作者"] == 2 and summary["社工发展会员"] == 28
    sheet = wb.get_sheet_by_name("下级单位工会服务").to_python()
    by_name = {row[0]: dict(zip(sheet[0], row)) for row in sheet[1:]}
    assert by_name[d.street_a.name]["党费实收（元）"] == 120.0 and by_name[d.street_a.name]["培训人次"] == 3
    assert (
        by_name[d.street_b.name]["教育补助（元）"] == 2000.0 and by_name[d.branch_fed.name]["在册党员"] == 1
    )


def test_queries_do_not_grow_with_the_children(people):
    d = people

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            selectors.compute(d.fed, YEAR, now=NOW)
        return len(ctx.captured_queries)

    before = queries()
    for i in range(4):
        street = org_services.create_organization(
            actor=ROOT, parent=d.fed, kind=OrgKind.STREET, name=f"新街道{i}总工会"
        )
        union = org_services.create_organization(
            actor=ROOT, parent=street, kind=OrgKind.BASE, name=f"新企业{i}工会"
        )
        held_class(street, dt.date(2026, 5, 1), [woman(union)])
        campaign(street, local(2026, 5, 1), attended=[woman(union)])
        summer_class(street, dt.date(2026, 7, 20), [woman(union)])
        room(union, (2026, 2, 1), approved=(2026, 3, 1))
        branch = party_testing.make_branch(union, f"新党支部{i}")
        m = party_testing.make_party_member(branch, f"新党员{i}", base="4000")
        party.record_payment(actor=ROOT, member=m, period=202604)
        party_testing.make_meeting(branch, kind="lecture", held_on=dt.date(2026, 4, 1))
        w = gov_testing.recruit(
            street, name=f"新社工{i}", contract_start=dt.date(2026, 1, 1), posted_on=dt.date(2026, 1, 1)
        )
        log = workers.enter_work_log(
            actor=ROOT,
            worker=w,
            year=2026,
            month=1,
            counts={"visits": 3, "unions_founded": 0, "members_recruited": 1, "disputes_mediated": 0},
            summary="走访辖区企业",
        )
        workers.confirm_work_log(actor=ROOT, log=log)
    assert queries() == before
    data = selectors.compute(d.fed, YEAR, now=NOW)
    assert (data["training"]["trainees"], data["care"]["attended"], data["care"]["children"]) == (9, 8, 7)
    assert (data["care"]["rooms"], data["party"]["members"], data["party"]["meetings"]) == (6, 10, 7)
    assert (data["party"]["dues_fen"], data["workers"]["in_post"], data["workers"]["visits"]) == (
        38000,
        6,
        27,
    )
    for field, total in parent_totals(data).items():
        assert sum(r[field] for r in data["children"]) == total, field
    assert WorkerPosting.objects.filter(ended_on__isnull=True).count() == 6

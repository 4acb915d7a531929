"""The service figures of the dashboard: applications (submitted in the year, waiting now, overdue steps, 最多跑一次),
activities (held, sign-ups, check-ins, months with an activity), articles, e-books, service sites and bookings,
legal-person certificates. The year and its months are Asia/Shanghai's: an activity at 00:30 on 1 January
local time (16:30 UTC the day before) belongs to January of the new year."""

import datetime as dt

import pytest

from lianxin.accounts.models import User
from lianxin.activities.models import Activity, Signup
from lianxin.content.models import Article, Book
from lianxin.core.testing import make_person
from lianxin.dashboard import selectors
from lianxin.venues.models import Booking, Site, Slot
from lianxin.workflow import services as workflow
from lianxin.workflow.models import Application, Certificate, Step
from lianxin.workflow.tests.helpers import join_data, worker

from .helpers import NOW, YEAR, local

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def activity(org, starts, *, taken=0, status="published"):
    return Activity.objects.create(
        org=org,
        title="职工趣味运动会",
        venue="工会活动室",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        signup_opens_at=starts - dt.timedelta(days=9),
        signup_closes_at=starts - dt.timedelta(days=1),
        capacity=10,
        taken=taken,
        status=status,
    )


@pytest.fixture
def services_district(district):
    d = district
    # applications to base_a1: approved with no trip, rejected after two trips, one still waiting from last year
    apps = [
        workflow.create_application(
            actor=worker(f"w{i}"), programme="join", data=join_data(d, n=3100 + i), submit=True
        )
        for i in range(3)
    ]
    for app, decision, trips in ((apps[0], "approved", 0), (apps[1], "rejected", 2)):
        workflow.decide(
            actor=d.users["base_a1.reviewer"],
            step_id=app.steps.get().pk,
            decision=decision,
            comment="材料不符" if decision == "rejected" else "",
        )
        Application.objects.filter(pk=app.pk).update(
            trips=trips, submitted_at=local(2026, 4, 1), decided_at=local(2026, 4, 3)
        )
    Application.objects.filter(pk=apps[2].pk).update(submitted_at=local(2025, 11, 1))
    Step.objects.filter(application=apps[2], decision__isnull=True).update(due_at=local(2026, 11, 1))

    a1 = activity(d.base_a1, local(2026, 3, 10), taken=5)
    activity(d.base_a1, local(2026, 3, 20), taken=3)
    activity(d.base_a1, local(2026, 1, 1, 0) + dt.timedelta(minutes=30), taken=2)  # 2025-12-31 16:30 UTC
    activity(d.base_a1, local(2025, 12, 31, 23) + dt.timedelta(minutes=30), taken=4)  # last year, local time
    activity(d.base_a1, local(2026, 4, 1), status="cancelled")
    activity(d.base_b1, local(2026, 5, 1), status="draft")
    for i, checked in enumerate((True, True, False)):
        Signup.objects.create(
            activity=a1,
            person=make_person(d.base_a1, f"报名{i}"),
            union=d.base_a1,
            status="confirmed",
            month=dt.date(2026, 3, 1),
            checked_in_at=local(2026, 3, 10, 10) if checked else None,
        )

    author = d.users["fed.admin"]
    for when, status in (
        (local(2026, 6, 1), "published"),
        (local(2026, 6, 9), "published"),
        (local(2025, 6, 1), "published"),
        (None, "draft"),
    ):
        Article.objects.create(
            org=d.street_a,
            category="news",
            title="工会动态",
            body="正文",
            status=status,
            author=author,
            reviewer=author if when else None,
            published_at=when,
        )
    Book.objects.create(
        org=d.fed,
        title="劳动法讲话",
        format="pdf",
        file="content/books/x.pdf",
        file_size=10,
        uploaded_by=author,
    )

    site = Site.objects.create(
        org=d.street_a, street=d.street_a, kind="home", name="白杨职工之家", address="白杨路1号"
    )
    Site.objects.create(
        org=d.street_b,
        street=d.street_b,
        kind="station",
        name="下沙驿站",
        address="下沙路1号",
        is_active=False,
    )
    slot = Slot.objects.create(
        site=site, starts_at=local(2026, 8, 1), ends_at=local(2026, 8, 1, 12), capacity=5, booked=2
    )
    for i, status in enumerate(("booked", "attended", "cancelled")):
        Booking.objects.create(slot=slot, user=User.objects.create_user(username=f"booker{i}"), status=status)

    for union, until in ((d.base_a1, dt.date(2029, 1, 1)), (d.base_b1, dt.date(2026, 1, 1))):
        Certificate.objects.create(
            union=union,
            number=f"Z{union.pk}",
            credit_code="81330114MC0000000X",
            union_name=union.name,
            address="地址",
            chairman="主席",
            funding="会费",
            valid_from=dt.date(2023, 1, 1),
            valid_until=until,
            token=f"t{union.pk}",
        )
    return d


def test_service_figures(services_district):
    d = services_district
    data = selectors.compute(d.fed, YEAR, now=NOW)
    app = data["applications"]
    assert app["by_programme"] == [
        {"programme": "申请入会", "submitted": 2, "approved": 1, "rejected": 1, "pending": 1}
    ]
    assert (app["submitted"], app["pending"], app["overdue"], app["finished"]) == (2, 1, 1, 2)
    assert (app["zero_trip_pct"], app["one_trip_pct"]) == (50.0, 50.0)
    act = data["activities"]
    assert (act["held"], act["signed_up"], act["checked_in"], act["checkin_pct"]) == (3, 10, 2, 20.0)
    assert (act["months_with_activity"], act["months"]) == (2, 12)
    by_month = {t["month"]: (t["activities"], t["articles"]) for t in data["trend"]}
    assert by_month["1月"] == (1, 0) and by_month["3月"] == (2, 0) and by_month["6月"] == (0, 2)
    assert by_month["4月"] == (0, 0) and by_month["5月"] == (0, 0)  # cancelled, draft
    assert data["content"] == {"articles": 2, "books": 1}
    assert data["venues"] == {"sites": 1, "bookings": 2, "attended": 1}
    assert data["certificates"] == 1
    rows = {r["name"]: r for r in data["children"]}
    assert (rows[d.street_a.name]["pending"], rows[d.street_a.name]["activities"]) == (1, 3)
    assert (rows[d.street_b.name]["pending"], rows[d.street_b.name]["activities"]) == (0, 0)


def test_another_street_sees_none_of_it(services_district):
    d = services_district
    data = selectors.compute(d.street_b, YEAR, now=NOW)
    assert data["applications"]["pending"] == data["activities"]["held"] == data["content"]["articles"] == 0
    assert data["venues"] == {"sites": 0, "bookings": 0, "attended": 0} and data["certificates"] == 0
    assert data["content"]["books"] == 0  # the federation's e-book is not the street's


def test_last_year(services_district):
    d = services_district
    data = selectors.compute(d.fed, 2025, now=NOW)
    assert data["activities"]["held"] == 1 and data["activities"]["signed_up"] == 4
    assert data["applications"]["submitted"] == 1 and data["applications"]["pending"] == 1
    assert data["content"]["articles"] == 1


def test_assistance_figures(district):
    """Paid hardship aid counts for the subtree of the union that received the application (this year, now)."""
    from django.utils import timezone

    from lianxin.assistance.tests.helpers import apply, fund, to_last_level

    d = district
    fund(d.fed, "10000")
    for i, amount in enumerate(("1200", "300.5")):
        app, _u = apply(d, username=f"aid{i}")
        workflow.decide(
            actor=d.users["fed.reviewer"],
            step_id=to_last_level(d, app).pk,
            decision="approved",
            approval={"amount": amount, "level": "ordinary"},
        )
    year = timezone.localdate().year
    assert selectors.compute(d.fed, year)["assistance"] == {
        "on_file": 2,
        "aided": 2,
        "aid_fen": 150050,
        "condoled": 0,
        "condolence_fen": 0,
    }
    assert selectors.compute(d.street_a, year)["assistance"]["aid_fen"] == 150050
    assert selectors.compute(d.street_b, year)["assistance"] == {
        "on_file": 0,
        "aided": 0,
        "aid_fen": 0,
        "condoled": 0,
        "condolence_fen": 0,
    }
    assert selectors.compute(d.fed, year - 1)["assistance"]["aided"] == 0
    # 送温暖 for base_b1 (street_b): counted apart from hardship aid, under the proposing union's street
    from lianxin.assistance import services as assistance
    from lianxin.assistance.tests.helpers import campaign, member
    from lianxin.core.testing import ROOT

    c = campaign(d)
    r = assistance.propose_recipient(
        actor=ROOT, campaign=c, person=member(d.base_b1), category="migrant", reason="春节留岗", amount="600"
    )
    assistance.decide_recipients(actor=ROOT, campaign=c, ids=[r.pk], approve=True)
    assistance.pay_campaign(actor=ROOT, campaign=c)
    assert selectors.compute(d.street_b, year)["assistance"] == {
        "on_file": 0,
        "aided": 0,
        "aid_fen": 0,
        "condoled": 1,
        "condolence_fen": 60000,
    }
    assert selectors.compute(d.fed, year)["assistance"]["aid_fen"] == 150050
    assert selectors.compute(d.street_a, year)["assistance"]["condoled"] == 0

"""平安返乡: a programme with coaches and a subsidy; members apply (one a year, seats a DB-held quota); union staff
in scope confirm or decline; the organiser pays the confirmed subsidies all at once through the fund's ledger or
not at all. PostgreSQL races prove the seats and the one-a-year rule under concurrent requests."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.assistance import services
from lianxin.assistance import services_homeward as homeward
from lianxin.assistance.models import (
    HardshipFile,
    HomewardApplication,
    HomewardCoach,
    LedgerEntry,
)
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import Notification
from lianxin.core.testing import ROOT, race
from lianxin.workflow.tests.helpers import member_user

from .helpers import fund

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

TODAY = timezone.localdate


def programme(d, *, subsidy="300", fund_amount="10000", org=None, **kw):
    org = org or d.fed
    f = fund(org, fund_amount, purpose="warmth") if subsidy else None
    args = dict(year=TODAY().year, name="2027 年春节平安返乡", apply_until=TODAY() + dt.timedelta(days=10),
                subsidy=subsidy, fund=f)
    args.update(kw)
    return homeward.create_programme(actor=ROOT, org=org, **args)


def coach(p, seats="2", days=20, destination="安徽阜阳"):
    at = timezone.now() + dt.timedelta(days=days)
    return homeward.add_coach(actor=ROOT, programme=p, destination=destination, departs_at=at, seats=seats,
                              route="下沙—合肥—阜阳")


def worker(d, n, union=None):
    return member_user(d, union or d.base_a1, username=f"w{n}", name=f"职工{n}")


def test_setting_up_refuses_bad_input(district):
    d = district
    f = fund(d.fed, "1000", purpose="warmth")
    ok = dict(year=TODAY().year, name="2027 年春节平安返乡", apply_until=TODAY() + dt.timedelta(days=5),
              subsidy="300", fund=f)
    bad = [({"year": TODAY().year - 1}, "year"), ({"year": "明年"}, "year"), ({"name": "返乡"}, "name"),
           ({"apply_until": TODAY() - dt.timedelta(days=1)}, "apply_until"), ({"subsidy": "-5"}, "subsidy"),
           ({"subsidy": "12.345"}, "subsidy"), ({"subsidy": "300", "fund": None}, "fund"),
           ({"subsidy": "200000"}, "subsidy")]
    for change, field in bad:
        with pytest.raises(ServiceError) as e:
            homeward.create_programme(actor=ROOT, org=d.fed, **{**ok, **change})
        assert e.value.field == field, change
    street_fund = fund(d.street_a, "1000", purpose="warmth")
    with pytest.raises(ServiceError) as e:  # a street's fund cannot pay the federation's programme
        homeward.create_programme(actor=ROOT, org=d.fed, **{**ok, "fund": street_fund})
    assert e.value.field == "fund"
    with pytest.raises(PermissionDenied):
        homeward.create_programme(actor=d.users["street_a.admin"], org=d.fed, **ok)
    p = homeward.create_programme(actor=ROOT, org=d.fed, **ok)
    assert p.subsidy_fen == 30000
    with pytest.raises(ServiceError) as e:
        homeward.create_programme(actor=ROOT, org=d.fed, **ok)
    assert e.value.code == "duplicate"
    coaches_only = homeward.create_programme(actor=ROOT, org=d.street_a, **{**ok, "subsidy": "", "fund": f})
    assert coaches_only.subsidy_fen == 0 and coaches_only.fund_id is None
    for change, field in [({"seats": "0"}, "seats"), ({"seats": "200"}, "seats"), ({"destination": "阜"}, "destination"),
                          ({"departs_at": timezone.now() - dt.timedelta(hours=1)}, "departs_at"),
                          ({"departs_at": timezone.now() + dt.timedelta(days=2)}, "departs_at")]:  # before the deadline
        args = {"destination": "安徽阜阳", "departs_at": timezone.now() + dt.timedelta(days=20), "seats": "40", **change}
        with pytest.raises(ServiceError) as e:
            homeward.add_coach(actor=ROOT, programme=p, **args)
        assert e.value.field == field, change
    with pytest.raises(PermissionDenied):
        homeward.add_coach(actor=d.users["street_a.admin"], programme=p, destination="安徽阜阳",
                           departs_at=timezone.now() + dt.timedelta(days=20), seats="40")


def test_seats_run_out_and_come_back(district):
    d = district
    p = programme(d)
    c = coach(p, seats="2")
    a, b, x = worker(d, 1), worker(d, 2), worker(d, 3)
    homeward.apply(actor=a, programme=p, kind="coach", coach=c, hometown="安徽阜阳临泉")
    app_b = homeward.apply(actor=b, programme=p, kind="coach", coach=c.pk, hometown="安徽阜阳颍上")
    with pytest.raises(ServiceError) as e:
        homeward.apply(actor=x, programme=p, kind="coach", coach=c, hometown="安徽阜阳")
    assert e.value.code == "full" and e.value.field == "coach"
    assert HomewardApplication.objects.count() == 2  # the refused application rolled back with the counter
    homeward.cancel(actor=b, application=app_b)
    c.refresh_from_db()
    assert c.taken == 1
    homeward.apply(actor=x, programme=p, kind="coach", coach=c, hometown="安徽阜阳")
    c.refresh_from_db()
    assert c.taken == 2 == homeward.coach_counts(p)[c.pk]
    with pytest.raises(IntegrityError), transaction.atomic():  # past the seats, written past the service
        HomewardCoach.objects.filter(pk=c.pk).update(taken=3)


def test_one_application_a_year(district):
    d = district
    p = programme(d)
    other = programme(d, org=d.street_a, name="白杨街道平安返乡")
    c = coach(p)
    u = worker(d, 1)
    first = homeward.apply(actor=u, programme=p, kind="subsidy", hometown="河南信阳固始")
    for prog, kind in ((p, "coach"), (other, "subsidy")):
        with pytest.raises(ServiceError) as e:
            homeward.apply(actor=u, programme=prog, kind=kind, coach=c, hometown="河南信阳")
        assert e.value.code == "duplicate"
    c.refresh_from_db()
    assert c.taken == 0  # the refused seat was not kept
    homeward.cancel(actor=u, application=first)
    homeward.apply(actor=u, programme=p, kind="coach", coach=c, hometown="河南信阳")  # cancelled frees the person
    with pytest.raises(IntegrityError), transaction.atomic():
        HomewardApplication.objects.create(programme=other, person=u.person, union=d.base_a1, year=p.year,
                                           kind="subsidy", hometown="x", amount_fen=100)


def test_who_may_apply_and_what(district):
    d = district
    p = programme(d, org=d.street_a, name="白杨街道平安返乡", subsidy="")
    c = coach(p)
    with pytest.raises(ServiceError) as e:  # the street's programme is for the street's members
        homeward.apply(actor=worker(d, 1, union=d.base_b1), programme=p, kind="coach", coach=c, hometown="安徽阜阳")
    assert e.value.code == "not_eligible"
    u = worker(d, 2)
    for kind, coach_id, hometown, field in [("subsidy", None, "安徽阜阳", "kind"), ("walk", None, "安徽阜阳", "kind"),
                                            ("coach", None, "安徽阜阳", "coach"), ("coach", 999999, "安徽阜阳", "coach"),
                                            ("coach", c.pk, "皖", "hometown")]:
        with pytest.raises(ServiceError) as e:
            homeward.apply(actor=u, programme=p, kind=kind, coach=coach_id, hometown=hometown)
        assert e.value.field == field, kind
    from lianxin.assistance.models import HomewardProgramme

    HomewardProgramme.objects.filter(pk=p.pk).update(apply_until=TODAY() - dt.timedelta(days=1))
    with pytest.raises(ServiceError) as e:
        homeward.apply(actor=u, programme=p, kind="coach", coach=c, hometown="安徽阜阳")
    assert e.value.code == "closed"


def test_staff_in_scope_confirm_and_decline(district):
    d = district
    p = programme(d)
    c = coach(p)
    a_seat = homeward.apply(actor=worker(d, 1), programme=p, kind="coach", coach=c, hometown="安徽阜阳")
    b_sub = homeward.apply(actor=worker(d, 2, union=d.base_b1), programme=p, kind="subsidy", hometown="河南信阳")
    ids = [a_seat.pk, b_sub.pk]
    # street_a's administrator reaches only base_a1's member
    assert homeward.decide(actor=d.users["street_a.admin"], programme=p, ids=ids, confirm=True) == 1
    with pytest.raises(ServiceError):  # nothing of street_b's in reach for a second try
        homeward.decide(actor=d.users["street_a.admin"], programme=p, ids=[b_sub.pk], confirm=True)
    with pytest.raises(ServiceError):  # a viewer changes nothing
        homeward.decide(actor=d.users["fed.viewer"], programme=p, ids=ids, confirm=True)
    with pytest.raises(ServiceError) as e:
        homeward.decide(actor=d.users["fed.admin"], programme=p, ids=ids, confirm=False, note="")
    assert e.value.field == "note"
    assert homeward.decide(actor=d.users["fed.admin"], programme=p, ids=ids, confirm=False, note="已在杭过年") == 2
    c.refresh_from_db()
    assert c.taken == 0  # the declined seat went back
    statuses = set(HomewardApplication.objects.values_list("status", flat=True))
    assert statuses == {"declined"}
    notes = Notification.objects.filter(template="assistance_homeward", channel="inapp")
    assert notes.filter(body__contains="已确认").count() == 1 and notes.filter(body__contains="未通过").count() == 2


def test_paying_subsidies_all_at_once_through_the_ledger(district):
    d = district
    p = programme(d, subsidy="300", fund_amount="1000")
    coach(p)
    users = [worker(d, i) for i in range(4)]
    apps = [homeward.apply(actor=u, programme=p, kind="subsidy", hometown="贵州毕节") for u in users]
    with pytest.raises(ServiceError) as e:
        homeward.pay_subsidies(actor=d.users["fed.admin"], programme=p)
    assert e.value.code == "nothing_due"
    homeward.decide(actor=d.users["base_a1.admin"], programme=p, ids=[a.pk for a in apps], confirm=True)
    with pytest.raises(PermissionDenied):  # only the organiser pays
        homeward.pay_subsidies(actor=d.users["base_a1.admin"], programme=p)
    before = services.balance(p.fund)
    with pytest.raises(ServiceError) as e:  # 4 × 300 = 1,200 yuan from a fund holding 1,000: none paid
        homeward.pay_subsidies(actor=d.users["fed.admin"], programme=p)
    assert e.value.code == "insufficient_funds" and "1,200.00" in e.value.message
    assert services.balance(p.fund) == before == 100000
    assert not LedgerEntry.objects.filter(homeward__isnull=False).exists()
    assert set(HomewardApplication.objects.values_list("status", flat=True)) == {"confirmed"}
    services.allocate(actor=ROOT, fund=p.fund, amount="500", memo="追加")
    n, fen = homeward.pay_subsidies(actor=d.users["fed.admin"], programme=p)
    assert (n, fen) == (4, 120000)
    assert services.balance(p.fund) == 150000 - 120000
    entries = LedgerEntry.objects.filter(homeward__isnull=False)
    assert entries.count() == 4 and {e.amount_fen for e in entries} == {-30000}
    assert set(HomewardApplication.objects.values_list("status", flat=True)) == {"paid"}
    with pytest.raises(ServiceError):  # a second click pays nothing twice
        homeward.pay_subsidies(actor=d.users["fed.admin"], programme=p)
    assert Notification.objects.filter(template="assistance_homeward", channel="inapp", body__contains="已发放").count() == 4
    with pytest.raises(ServiceError):  # paid: no longer cancelled by the member
        homeward.cancel(actor=users[0], application=apps[0])


def test_hardship_archive_members_are_flagged_first(district):
    from lianxin.assistance import selectors_homeward as sel

    d = district
    p = programme(d)
    plain = homeward.apply(actor=worker(d, 1), programme=p, kind="subsidy", hometown="江西上饶")
    poor_user = worker(d, 2)
    HardshipFile.objects.create(person=poor_user.person, union=d.base_a1, level="deep", cause="illness",
                                family_size=3, income_fen=80000, situation="因病致困")
    poor = homeward.apply(actor=poor_user, programme=p, kind="subsidy", hometown="江西上饶")
    rows = list(sel.applications(actor=d.users["base_a1.admin"], programme=p))
    assert [(r.pk, r.priority) for r in rows] == [(poor.pk, True), (plain.pk, False)]
    assert list(sel.applications(actor=d.users["street_b.admin"], programme=p)) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_more_members_than_seats_at_once(district):
    """Nine members ask for the last three seats at the same instant: exactly three seats, six refused."""
    d = district
    p = programme(d, subsidy="")
    c = coach(p, seats="3")
    users = [worker(d, i, union=d.base_a1 if i % 2 else d.base_b1) for i in range(9)]
    results = race([lambda u=u: homeward.apply(actor=u, programme=p, kind="coach", coach=c, hometown="安徽阜阳")
                    for u in users], ok_label="ok")
    assert sorted(results) == ["full"] * 6 + ["ok"] * 3
    c.refresh_from_db()
    assert c.taken == 3 == HomewardApplication.objects.filter(coach=c).count()


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_one_member_applying_three_times_at_once(district):
    d = district
    p = programme(d)
    c1, c2 = coach(p), coach(p, destination="河南信阳")
    u = worker(d, 1)
    calls = [lambda: homeward.apply(actor=u, programme=p, kind="coach", coach=c1, hometown="安徽阜阳"),
             lambda: homeward.apply(actor=u, programme=p, kind="coach", coach=c2, hometown="河南信阳"),
             lambda: homeward.apply(actor=u, programme=p, kind="subsidy", hometown="河南信阳")]
    results = race(calls, ok_label="ok")
    assert sorted(results) == ["duplicate", "duplicate", "ok"]
    assert HomewardApplication.objects.filter(person=u.person).count() == 1
    assert sum(HomewardCoach.objects.values_list("taken", flat=True)) == HomewardApplication.objects.filter(
        coach__isnull=False).count()


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_declines_and_applications_racing_keep_the_counter_true(district):
    """Staff decline seats while others apply for them: the counter always equals the live seat applications,
    never above the seats."""
    d = district
    p = programme(d, subsidy="")
    c = coach(p, seats="3")
    holders = [worker(d, i) for i in range(3)]
    held = [homeward.apply(actor=u, programme=p, kind="coach", coach=c, hometown="安徽阜阳") for u in holders]
    newcomers = [worker(d, 10 + i) for i in range(4)]
    calls = [lambda u=u: homeward.apply(actor=u, programme=p, kind="coach", coach=c, hometown="安徽阜阳")
             for u in newcomers]
    calls.append(lambda: homeward.decide(actor=d.users["fed.admin"], programme=p, ids=[a.pk for a in held[:2]],
                                         confirm=False, note="名额调整"))
    race(calls, ok_label="ok")
    c.refresh_from_db()
    assert c.taken == homeward.coach_counts(p).get(c.pk, 0) <= 3

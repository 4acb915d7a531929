"""疗休养: places on a rest holiday, shared out among streets, taken by unions' nominations. The database holds
the places (a CHECK on each counter, raised by conditional UPDATEs) and one rest holiday per person per year (a
partial unique constraint); PostgreSQL races prove both under concurrent nominations."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.assistance import services
from lianxin.assistance.models import Retreat, RetreatSeat, RetreatShare
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.testing import ROOT, race

from .helpers import member

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

TODAY = timezone.localdate


def retreat(d, places="3", org=None, audience="all", **kw):
    args = dict(name="2027 年职工疗休养第一期", destination="千岛湖", audience=audience,
                starts_on=TODAY() + dt.timedelta(days=30), ends_on=TODAY() + dt.timedelta(days=34),
                nominate_until=TODAY() + dt.timedelta(days=10), places=places, cost="1800")
    args.update(kw)
    return services.create_retreat(actor=ROOT, org=org or d.fed, **args)


def nominate(d, r, person, who="fed.admin"):
    return services.nominate(actor=d.users[who], retreat=r, person=person, reason="优秀一线职工")


def test_setting_up_refuses_bad_dates_and_places(district):
    d = district
    bad = [({"starts_on": TODAY() - dt.timedelta(days=1)}, "starts_on"),
           ({"ends_on": TODAY() + dt.timedelta(days=29)}, "ends_on"),
           ({"ends_on": TODAY() + dt.timedelta(days=90)}, "ends_on"),
           ({"nominate_until": TODAY() + dt.timedelta(days=31)}, "nominate_until"),
           ({"places": "0"}, "places"), ({"places": "十"}, "places"), ({"cost": "-1"}, "cost"),
           ({"audience": "vip"}, "audience"), ({"name": "疗"}, "name")]
    for change, field in bad:
        with pytest.raises(ServiceError) as e:
            retreat(d, **change)
        assert e.value.field == field, change
    with pytest.raises(PermissionDenied):
        services.create_retreat(actor=d.users["street_a.admin"], org=d.fed, name="区总工会疗休养", destination="千岛湖",
                                audience="all", starts_on=TODAY() + dt.timedelta(days=5),
                                ends_on=TODAY() + dt.timedelta(days=6), nominate_until=TODAY(), places="5")
    assert retreat(d).cost_fen == 180000


def test_places_run_out_and_come_back(district):
    d = district
    r = retreat(d, places="2")
    people = [member(d.base_a1, n) for n in ("甲", "乙", "丙")]
    nominate(d, r, people[0])
    seat = nominate(d, r, people[1], who="base_a1.admin")
    with pytest.raises(ServiceError) as e:
        nominate(d, r, people[2])
    assert e.value.code == "full" and "2 个名额已满" in e.value.message
    assert RetreatSeat.objects.count() == 2  # the refused seat was rolled back with the counter
    with pytest.raises(ServiceError) as e:
        services.withdraw_seat(actor=d.users["base_a1.admin"], seat=seat, reason="")
    assert e.value.field == "reason"
    with pytest.raises(PermissionDenied):
        services.withdraw_seat(actor=d.users["street_b.admin"], seat=seat, reason="身体原因")
    r.refresh_from_db()
    assert r.taken == 2  # the refusals left the place taken
    services.withdraw_seat(actor=d.users["base_a1.admin"], seat=seat, reason="身体原因")
    r.refresh_from_db()
    assert r.taken == 1
    nominate(d, r, people[2])
    r.refresh_from_db()
    assert r.taken == 2
    with pytest.raises(IntegrityError), transaction.atomic():  # past the places, written past the service
        Retreat.objects.filter(pk=r.pk).update(taken=3)


def test_one_rest_holiday_a_year(district):
    d = district
    r1, r2 = retreat(d), retreat(d, name="2027 年职工疗休养第二期")
    p = member(d.base_a1)
    seat = nominate(d, r1, p)
    with pytest.raises(ServiceError) as e:
        nominate(d, r2, p)
    assert e.value.code == "duplicate" and "第一期" in e.value.message
    r2.refresh_from_db()
    assert r2.taken == 0
    # the organiser (not the nominating union) takes the person off: its scope covers every seat's union
    services.withdraw_seat(actor=d.users["fed.admin"], seat=seat, reason="改期")
    nominate(d, r2, p)  # a withdrawn seat frees the person for another trip
    next_year = retreat(d, name="2028 年疗休养", starts_on=TODAY() + dt.timedelta(days=400),
                        ends_on=TODAY() + dt.timedelta(days=402))
    nominate(d, next_year, p)


def test_shares_route_and_cap_the_streets(district):
    d = district
    r = retreat(d, places="5")
    admin = d.users["fed.admin"]
    services.share_places(actor=admin, retreat=r, org=d.street_a, places="2")
    with pytest.raises(ServiceError) as e:
        services.share_places(actor=admin, retreat=r, org=d.street_b, places="4")
    assert "不能超过总名额 5 个" in e.value.message
    with pytest.raises(ServiceError):  # a share inside a share
        services.share_places(actor=admin, retreat=r, org=d.joint_a, places="1")
    with pytest.raises(PermissionDenied):
        services.share_places(actor=d.users["street_a.admin"], retreat=r, org=d.street_a, places="5")
    a = [member(d.base_a1, n) for n in ("甲", "乙", "丙")]
    nominate(d, r, a[0], who="base_a1.admin")
    nominate(d, r, a[1], who="street_a.admin")
    with pytest.raises(ServiceError) as e:
        nominate(d, r, a[2], who="base_a1.admin")
    assert e.value.code == "full" and "白杨街道总工会分到的 2 个名额已用完" in e.value.message
    with pytest.raises(ServiceError) as e:  # street_b has no share while shares exist
        nominate(d, r, member(d.base_b1), who="street_b.admin")
    assert e.value.code == "no_places"
    with pytest.raises(ServiceError):  # below what street_a already took
        services.share_places(actor=admin, retreat=r, org=d.street_a, places="1")
    services.share_places(actor=admin, retreat=r, org=d.street_a, places="3")
    nominate(d, r, a[2], who="base_a1.admin")
    share = RetreatShare.objects.get(retreat=r, org=d.street_a)
    r.refresh_from_db()
    assert (share.taken, r.taken) == (3, 3)


def test_audience_and_scope(district):
    d = district
    r = retreat(d, audience="model")
    p = member(d.base_a1)
    with pytest.raises(ServiceError) as e:
        nominate(d, r, p)
    assert e.value.code == "not_eligible"
    from lianxin.members.models import Person

    Person.objects.filter(pk=p.pk).update(is_model_worker=True)
    p.refresh_from_db()
    with pytest.raises(PermissionDenied):
        nominate(d, r, p, who="street_b.admin")
    nominate(d, r, p, who="base_a1.admin")
    late = retreat(d, name="2027 年劳模疗休养第二期", nominate_until=TODAY())
    Retreat.objects.filter(pk=late.pk).update(nominate_until=TODAY() - dt.timedelta(days=1))
    with pytest.raises(ServiceError) as e:
        nominate(d, late, member(d.base_a1, "迟到"))
    assert "截止" in e.value.message


def test_attendance_only_after_departure(district):
    d = district
    r = retreat(d)
    seat = nominate(d, r, member(d.base_a1))
    with pytest.raises(ServiceError):
        services.mark_attended(actor=ROOT, retreat=r, ids=[seat.pk])
    Retreat.objects.filter(pk=r.pk).update(starts_on=TODAY(), nominate_until=TODAY() - dt.timedelta(days=1))
    with pytest.raises(ServiceError) as e:  # gone: no longer withdrawn
        services.withdraw_seat(actor=ROOT, seat=seat, reason="临时有事")
    assert e.value.code == "started"
    assert services.mark_attended(actor=d.users["fed.admin"], retreat=r, ids=[seat.pk]) == 1
    assert services.mark_attended(actor=d.users["fed.admin"], retreat=r, ids=[seat.pk]) == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_many_unions_racing_for_the_last_places(district):
    """Eight nominations at once for three places: exactly three seats, the counter at three, five refused."""
    d = district
    r = retreat(d, places="3")
    people = [member(d.base_a1 if i % 2 else d.base_b1, f"职工{i}") for i in range(8)]
    results = race([lambda p=p: nominate(d, r, p) for p in people], ok_label="ok")
    assert sorted(results) == ["full"] * 5 + ["ok"] * 3
    r.refresh_from_db()
    assert r.taken == 3 and RetreatSeat.objects.filter(retreat=r).count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_one_person_nominated_to_two_trips_at_once(district):
    d = district
    r1, r2 = retreat(d), retreat(d, name="2027 年职工疗休养第二期")
    p = member(d.base_a1)
    results = race([lambda r=r: nominate(d, r, p) for r in (r1, r2, r1)], ok_label="ok")
    assert sorted(results) == ["duplicate", "duplicate", "ok"]
    assert RetreatSeat.objects.filter(person=p).count() == 1
    assert sorted(Retreat.objects.values_list("taken", flat=True)) == [0, 1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_resharing_while_unions_nominate(district):
    """The organiser cuts a street's share while its unions nominate: the share never ends below what was taken
    nor above its places, and neither writer deadlocks (both lock the trip first)."""
    d = district
    r = retreat(d, places="6")
    services.share_places(actor=ROOT, retreat=r, org=d.street_a, places="4")
    people = [member(d.base_a1, f"职工{i}") for i in range(4)]
    calls = [lambda p=p: nominate(d, r, p) for p in people]
    calls.append(lambda: services.share_places(actor=ROOT, retreat=r, org=d.street_a, places="2"))
    results = race(calls, ok_label="ok")
    share = RetreatShare.objects.get(retreat=r, org=d.street_a)
    r.refresh_from_db()
    seats = RetreatSeat.objects.filter(retreat=r).count()
    assert share.taken == seats == r.taken and share.taken <= share.places
    assert set(results) <= {"ok", "full", "invalid"}

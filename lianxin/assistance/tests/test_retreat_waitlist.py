"""疗休养 候补名单 and 退出: a nomination made when the places are gone may wait (in the order of nomination, holding
no place); the nominating union withdraws a person before the trip starts, with a reason; the freed place goes to
the first waitlisted seat of the same pool (the share, or the trip without shares) in the same transaction, and
that person is told. The database holds the seat's shape (CHECKs), one live seat per person per trip (a partial
unique constraint) and taken ≤ places; PostgreSQL races prove promotions never overfill nor skip the line."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.assistance import selectors, services
from lianxin.assistance.models import Retreat, RetreatSeat, RetreatShare
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry, Notification
from lianxin.core.testing import ROOT, race

from .helpers import member
from .test_retreats import retreat

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

TODAY = timezone.localdate


def put(d, r, person, who="fed.admin", waitlist=True):
    return services.nominate(actor=d.users[who], retreat=r, person=person, reason="优秀一线职工", waitlist=waitlist)


def withdraw(d, seat, who="base_a1.admin", reason="家中有事"):
    return services.withdraw_seat(actor=d.users[who], seat=seat, reason=reason)


def status(*people):
    return [RetreatSeat.objects.exclude(status="withdrawn").get(person=p).status for p in people]


def counts(r):
    r.refresh_from_db()
    return r.taken, RetreatSeat.objects.filter(retreat=r, status="nominated").count()


def promotions(r):
    ids = set(RetreatSeat.objects.filter(retreat=r).values_list("pk", flat=True))
    return [int(e.object_id) for e in AuditEntry.objects.filter(action="assistance.retreat_promote").order_by("seq")
            if int(e.object_id) in ids]


def test_the_waitlist_waits_in_order_and_the_first_is_promoted(district):
    d = district
    r = retreat(d, places="1")
    a, b, c = (member(d.base_a1, n) for n in ("甲", "乙", "丙"))
    first = put(d, r, a, waitlist=False)
    with pytest.raises(ServiceError) as e:  # without asking for the waitlist, a full trip refuses as before
        put(d, r, b, waitlist=False)
    assert e.value.code == "full" and not RetreatSeat.objects.filter(person=b).exists()
    sb, sc = put(d, r, b), put(d, r, c)
    assert (sb.status, sc.status) == ("waitlisted", "waitlisted")
    assert counts(r) == (1, 1)  # waitlisted seats take no place
    assert [s.person_id for s in selectors.retreat_waitlist(actor=d.users["fed.admin"], retreat=r)] == [b.pk, c.pk]
    assert (selectors.waitlist_position(sb), selectors.waitlist_position(sc)) == (1, 2)
    with pytest.raises(ServiceError) as e:  # one live seat per person per trip, waiting or not
        put(d, r, b)
    assert e.value.code == "duplicate"
    other = retreat(d, name="2027 年职工疗休养第二期")
    with pytest.raises(ServiceError) as e:  # waiting for this year's trip is this year's rest holiday
        put(d, other, c)
    assert e.value.code == "duplicate" and "候补" in e.value.message

    seat, promoted = withdraw(d, first)
    assert promoted.pk == sb.pk and status(b, c) == ["nominated", "waitlisted"]
    seat.refresh_from_db()
    assert (seat.status, seat.withdraw_reason, seat.withdrawn_by) == ("withdrawn", "家中有事", d.users["base_a1.admin"])
    assert seat.withdrawn_at is not None
    sb.refresh_from_db()
    assert sb.promoted_at is not None and sb.promoted_at >= sb.nominated_at
    assert counts(r) == (1, 1)
    assert selectors.waitlist_position(sc) == 1
    assert promotions(r) == [sb.pk]
    w = AuditEntry.objects.get(action="assistance.retreat_withdraw")
    assert w.reason == "家中有事" and w.object_id == str(first.pk)
    # the promoted member is told once by SMS (no account), and not again
    sms = Notification.objects.filter(dedupe_key=f"retreat:{sb.pk}:promoted:sms")
    assert sms.count() == 1 and r.name in sms.get().body and "递补" in sms.get().body
    assert not Notification.objects.filter(dedupe_key__startswith=f"retreat:{sc.pk}:").exists()

    # a waitlisted person withdrawn frees no place and promotes nobody; the withdrawn may be put forward again
    _, none = withdraw(d, sc, who="fed.admin", reason="本人放弃")
    assert none is None and counts(r) == (1, 1)
    again = put(d, r, a)
    assert again.status == "waitlisted" and selectors.waitlist_position(again) == 1
    assert RetreatSeat.objects.filter(retreat=r, person=a).count() == 2  # the withdrawn seat is kept


def test_the_member_with_an_account_hears_in_app(district):
    from lianxin.accounts.models import User

    d = district
    r = retreat(d, places="1")
    a, b = member(d.base_a1, "甲"), member(d.base_a1, "乙")
    u = User.objects.create_user(username="yi", password="x", display_name="乙")
    u.person = b
    u.save()
    seat = put(d, r, a)
    sb = put(d, r, b)
    withdraw(d, seat)
    n = Notification.objects.get(dedupe_key=f"retreat:{sb.pk}:promoted:inapp")
    assert n.user_id == u.pk and n.channel == "inapp"


def test_no_promotion_past_the_shares_places(district):
    d = district
    r = retreat(d, places="5")
    services.share_places(actor=ROOT, retreat=r, org=d.street_a, places="1")
    services.share_places(actor=ROOT, retreat=r, org=d.street_b, places="1")
    a1, a2 = member(d.base_a1, "甲"), member(d.base_a1, "乙")
    b1, b2, b3 = member(d.base_b1, "丙"), member(d.base_b1, "丁"), member(d.base_b1, "戊")
    sa1 = put(d, r, a1)
    sb1 = put(d, r, b1)
    sa2 = put(d, r, a2)  # street_a's share is used up although the trip has three places left
    sb2, sb3 = put(d, r, b2), put(d, r, b3)
    assert (sa1.status, sb1.status, sa2.status, sb2.status) == ("nominated", "nominated", "waitlisted", "waitlisted")
    assert sa2.share.org_id == d.street_a.pk and sb2.share.org_id == d.street_b.pk
    # street_b's freed place goes to street_b's line, never to street_a's earlier waiter
    _, promoted = withdraw(d, sb1, who="street_b.admin")
    assert promoted.pk == sb2.pk and status(a2, b2, b3) == ["waitlisted", "nominated", "waitlisted"]
    share_a, share_b = RetreatShare.objects.get(org=d.street_a), RetreatShare.objects.get(org=d.street_b)
    assert (share_a.taken, share_b.taken) == (1, 1)
    # a waitlisted seat withdrawn in street_b frees nothing: street_a's waiter still waits
    withdraw(d, sb3, who="street_b.admin")
    assert status(a2) == ["waitlisted"] and counts(r) == (2, 2)
    # the organiser raising street_a's share promotes its line, up to the new places only
    a3 = member(d.base_a1, "己")
    sa3 = put(d, r, a3)
    services.share_places(actor=ROOT, retreat=r, org=d.street_a, places="2")
    assert status(a2, a3) == ["nominated", "waitlisted"]
    assert RetreatShare.objects.get(org=d.street_a).taken == 2 and counts(r) == (3, 3)
    assert promotions(r) == [sb2.pk, sa2.pk] and sa3.pk not in promotions(r)


def test_a_trip_without_shares_promotes_across_unions(district):
    d = district
    r = retreat(d, places="1")
    a, b = member(d.base_a1, "甲"), member(d.base_b1, "乙")
    sa = put(d, r, a)
    sb = put(d, r, b, who="street_b.admin")
    _, promoted = withdraw(d, sa)
    assert promoted.pk == sb.pk and counts(r) == (1, 1)


def test_withdrawal_refused_after_the_start_outside_scope_and_without_reason(district):
    d = district
    r = retreat(d, places="1")
    a, b = member(d.base_a1, "甲"), member(d.base_a1, "乙")
    sa, sb = put(d, r, a), put(d, r, b)
    with pytest.raises(PermissionDenied):
        withdraw(d, sa, who="street_b.admin")
    with pytest.raises(PermissionDenied):
        withdraw(d, sa, who="base_a1.viewer")
    with pytest.raises(ServiceError) as e:
        withdraw(d, sa, reason=" ")
    assert e.value.field == "reason"
    Retreat.objects.filter(pk=r.pk).update(starts_on=TODAY(), nominate_until=TODAY() - dt.timedelta(days=1))
    for seat in (sa, sb):
        with pytest.raises(ServiceError) as e:
            withdraw(d, seat)
        assert e.value.code == "started"
    assert status(a, b) == ["nominated", "waitlisted"] and counts(r) == (1, 1)
    Retreat.objects.filter(pk=r.pk).update(starts_on=TODAY() + dt.timedelta(days=1))
    withdraw(d, sa)
    with pytest.raises(ServiceError) as e:  # once only
        withdraw(d, sa)
    assert e.value.code == "state"
    # attendance leaves the waitlist alone
    Retreat.objects.filter(pk=r.pk).update(starts_on=TODAY())
    assert services.mark_attended(actor=ROOT, retreat=r, ids=[sb.pk]) == 1


def test_the_database_holds_the_seats_shape(district):
    d = district
    r = retreat(d, places="1")
    a, b = member(d.base_a1, "甲"), member(d.base_a1, "乙")
    sa, sb = put(d, r, a), put(d, r, b)
    now = timezone.now()
    bad = [
        dict(status="withdrawn"),  # withdrawn without when and why
        dict(status="withdrawn", withdrawn_at=now),  # without a reason
        dict(withdraw_reason="家中有事"),  # a reason on a seat still nominated
        dict(status="gone"),
        dict(promoted_at=now - dt.timedelta(days=1)),  # promoted before being nominated
    ]
    for change in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            RetreatSeat.objects.filter(pk=sa.pk).update(**change)
    with pytest.raises(IntegrityError), transaction.atomic():  # still waiting yet promoted
        RetreatSeat.objects.filter(pk=sb.pk).update(promoted_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        # a second live seat on the same trip, even with the denormalised year written wrong
        RetreatSeat.objects.create(retreat=r, person=a, union=d.base_a1, year=r.year + 1, status="waitlisted",
                                   reason="重复")
    with pytest.raises(IntegrityError), transaction.atomic():  # the promotion past the places
        RetreatSeat.objects.filter(pk=sb.pk).update(status="nominated")
        Retreat.objects.filter(pk=r.pk).update(taken=2)
    RetreatSeat.objects.filter(pk=sa.pk).update(status="withdrawn", withdrawn_at=now, withdraw_reason="家中有事")
    RetreatSeat.objects.create(retreat=r, person=a, union=d.base_a1, year=r.year, status="waitlisted",
                               reason="再次推荐")  # the withdrawn seat no longer counts as live


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_two_withdrawals_and_a_nomination_at_once(district):
    """Two places taken, three waiting; two withdrawals and a new nomination race, three times over: the places
    never overflow, the first two waiters are promoted once each and in order, the newcomer joins the line."""
    d = district
    for round_ in range(3):
        r = retreat(d, places="2", name=f"2027 年职工疗休养第{round_ + 1}期")
        people = [member(d.base_a1 if i % 2 else d.base_b1, f"职工{round_}{i}") for i in range(6)]
        seats = [put(d, r, p) for p in people[:5]]
        assert [s.status for s in seats] == ["nominated"] * 2 + ["waitlisted"] * 3
        calls = [lambda s=seats[0]: withdraw(d, s, who="fed.admin"),
                 lambda s=seats[1]: withdraw(d, s, who="fed.admin"),
                 lambda p=people[5], r=r: put(d, r, p)]
        results = race(calls, ok_label="ok")
        assert results == ["ok"] * 3
        taken, nominated = counts(r)
        assert taken == nominated == 2
        assert promotions(r) == [seats[2].pk, seats[3].pk]
        line = [s.person_id for s in selectors.retreat_waitlist(actor=ROOT, retreat=r)]
        assert line == [people[4].pk, people[5].pk]
        promoted = RetreatSeat.objects.filter(pk__in=[seats[2].pk, seats[3].pk]).order_by("promoted_at")
        assert [s.pk for s in promoted] == [seats[2].pk, seats[3].pk]


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_withdrawals_racing_in_a_share_and_the_same_seat_twice(district):
    """In a street's share: the same seat withdrawn twice at once and another withdrawn with it — one promotion
    per freed place, within the share, the double withdrawal refused once."""
    d = district
    r = retreat(d, places="4")
    services.share_places(actor=ROOT, retreat=r, org=d.street_a, places="2")
    people = [member(d.base_a1, f"职工{i}") for i in range(5)]
    seats = [put(d, r, p) for p in people]
    results = race([lambda: withdraw(d, seats[0]), lambda: withdraw(d, seats[0], who="street_a.admin"),
                    lambda: withdraw(d, seats[1])], ok_label="ok")
    assert sorted(results) == ["ok", "ok", "state"]
    share = RetreatShare.objects.get(retreat=r)
    assert share.taken == 2 and counts(r) == (2, 2)
    assert promotions(r) == [seats[2].pk, seats[3].pk]
    assert status(people[4]) == ["waitlisted"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_a_newcomer_never_waits_beside_a_free_place(district):
    """The last place is withdrawn while someone asks to be nominated (or waitlisted): whichever commits first, the
    newcomer ends with the place — either it was free when they looked, or the withdrawal found them waiting —
    because both hold the trip's row lock until commit. Five rounds."""
    d = district
    for round_ in range(5):
        r = retreat(d, places="1", name=f"2027 年职工疗休养第{round_ + 1}期")
        old, new = member(d.base_a1, f"老{round_}"), member(d.base_b1, f"新{round_}")
        seat = put(d, r, old)
        results = race([lambda s=seat: withdraw(d, s, who="fed.admin"), lambda p=new, r=r: put(d, r, p)],
                       ok_label="ok")
        assert results == ["ok", "ok"]
        assert RetreatSeat.objects.get(retreat=r, person=new).status == "nominated"
        assert counts(r) == (1, 1)

"""Many members in many threads (each with its own PostgreSQL connection) race for few places."""


import pytest
from django.db import connection

from lianxin.core.testing import race
from lianxin.venues import services
from lianxin.venues.models import Booking

from .conftest import make_slot, new_member


def _race(calls):
    return race(calls, ok_label="ok")


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_never_oversell(district, site):
    slot = make_slot(site, capacity=5)
    members = [new_member(district) for _ in range(24)]
    results = _race([lambda m=m: services.book_slot(actor=m, slot_id=slot.pk) for m in members])
    slot.refresh_from_db()
    assert results.count("ok") == 5 and results.count("full") == 19
    assert slot.booked == 5 == Booking.objects.filter(slot=slot).count()


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_booking_by_one_member_books_once(district, site):
    slot = make_slot(site, capacity=10)
    m = new_member(district)
    results = _race([lambda: services.book_slot(actor=m, slot_id=slot.pk)] * 12)
    slot.refresh_from_db()
    assert results.count("ok") == 1 and set(results) == {"ok", "duplicate"}
    assert slot.booked == 1 == Booking.objects.filter(slot=slot, user=m).count()


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_concurrent_cancels_free_one_place(district, site):
    slot = make_slot(site, capacity=3, hours_ahead=48)
    m = new_member(district)
    b = services.book_slot(actor=m, slot_id=slot.pk)
    results = _race([lambda: services.cancel_booking(actor=m, booking_id=b.pk)] * 8)
    slot.refresh_from_db()
    assert results.count("ok") == 1 and slot.booked == 0


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_two_processes_race_for_few_places(district, site, tmp_path):
    """Two OS processes (separate interpreters, like two app servers) each book with 15 threads; one
    member is in both processes. Exactly `capacity` bookings, none twice, counter equal to the rows."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    s = connection.settings_dict
    url = f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    env = {**os.environ, "LIANXIN_DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "lianxin.settings_test"}
    slot = make_slot(site, capacity=7)
    members = [new_member(district) for _ in range(29)]
    shared = members[0]
    groups = [[shared, *members[1:15]], [shared, *members[15:]]]
    go = tmp_path / "go"
    root = Path(__file__).resolve().parents[3]
    procs = [subprocess.Popen([sys.executable, "-m", "lianxin.venues.tests.booking_worker", str(slot.pk), str(go),
                               ",".join(str(m.pk) for m in g)], cwd=root, env=env, stdout=subprocess.PIPE,
                              text=True) for g in groups]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    go.touch()
    outcomes = []
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        outcomes += json.loads(out.strip().splitlines()[-1])
    slot.refresh_from_db()
    oks = [pk for pk, r in outcomes if r == "ok"]
    assert len(outcomes) == 30 and len(oks) == 7 == slot.booked
    assert len(set(oks)) == 7 and Booking.objects.filter(slot=slot).count() == 7
    assert Booking.objects.filter(slot=slot, user=shared).count() <= 1
    assert {r for _, r in outcomes} <= {"ok", "full", "duplicate"}

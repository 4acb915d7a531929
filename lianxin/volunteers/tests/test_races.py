"""PostgreSQL races (threads, each with its own connection, released at one barrier): the database alone keeps
the places, the one live sign-up per volunteer and the one credit per sign-up."""

import pytest

from lianxin.core.testing import ROOT, race
from lianxin.volunteers import services
from lianxin.volunteers.models import HoursEntry, Project, Signup
from lianxin.volunteers.testing import end_project, make_project, make_volunteer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.pgonly]


def test_more_volunteers_than_places_at_once(district):
    """3 places, 3 + 5 volunteers at the same instant: exactly three sign-ups, the counter at zero."""
    d = district
    p = make_project(d.fed, places=3)
    vs = [make_volunteer(d.base_a1 if i % 2 else d.base_b1, f"志愿者{i}") for i in range(8)]
    results = race([lambda v=v: services.sign_up(actor=v.user, project_id=p.pk) for v in vs], ok_label="ok")
    assert sorted(results) == ["full"] * 5 + ["ok"] * 3
    p.refresh_from_db()
    assert p.remaining == 0 and Signup.objects.filter(project=p, status="signed").count() == 3


def test_a_double_tap_signs_up_once(district):
    d = district
    p = make_project(d.street_a, places=5)
    v = make_volunteer(d.base_a1, "连点")
    results = race([lambda: services.sign_up(actor=v.user, project_id=p.pk)] * 3, ok_label="ok")
    assert sorted(results) == ["duplicate", "duplicate", "ok"]
    p.refresh_from_db()
    assert p.remaining == 4 and Signup.objects.filter(project=p).count() == 1


def test_withdrawals_racing_sign_ups_never_overfill(district):
    """Two of three places taken; two withdraw while four others sign up: never more live sign-ups than places,
    and the counter agrees with the rows."""
    d = district
    p = make_project(d.street_a, places=3)
    early = [make_volunteer(d.base_a1, f"早{i}") for i in range(2)]
    for v in early:
        services.sign_up(actor=v.user, project_id=p.pk)
    late = [make_volunteer(d.base_a1, f"晚{i}") for i in range(4)]
    calls = [lambda v=v: services.withdraw(actor=v.user, project_id=p.pk) for v in early]
    calls += [lambda v=v: services.sign_up(actor=v.user, project_id=p.pk) for v in late]
    results = race(calls, ok_label="ok")
    p.refresh_from_db()
    live = Signup.objects.filter(project=p, status="signed").count()
    assert live <= 3 and p.remaining == 3 - live
    assert results.count("ok") - 2 == live and set(results) <= {"ok", "full"}


def test_a_double_confirm_credits_once(district):
    """Two organisers (or one double click) confirm the same sign-up at once: one credit, one refusal."""
    d = district
    p = make_project(d.street_a, hours="2")
    v = make_volunteer(d.base_a1, "甲")
    s = services.sign_up(actor=v.user, project_id=p.pk)
    end_project(p)
    admins = [d.users["street_a.admin"], ROOT, d.users["fed.admin"], d.users["street_a.admin"]]
    results = race(
        [lambda a=a: services.confirm_attendance(actor=a, signup=s, attended=True) for a in admins],
        ok_label="ok",
    )
    assert sorted(results) == ["confirmed"] * 3 + ["ok"]
    assert list(HoursEntry.objects.filter(signup=s).values_list("kind", "minutes")) == [("credit", 120)]


def test_the_unique_credit_holds_without_the_row_lock(district):
    """Past the service's lock (two raw inserts racing): the partial unique index lets one credit through."""
    from django.db import IntegrityError

    d = district
    p = make_project(d.street_a)
    v = make_volunteer(d.base_a1, "乙")
    s = services.sign_up(actor=v.user, project_id=p.pk)

    def insert():
        try:
            HoursEntry.objects.create(volunteer=v.volunteer, signup=s, kind="credit", minutes=120)
            return "ok"
        except IntegrityError:
            return "unique"

    assert sorted(race([insert] * 4)) == ["ok", "unique", "unique", "unique"]
    assert HoursEntry.objects.filter(signup=s).count() == 1


def test_two_reversals_of_one_credit_at_once(district):
    d = district
    p = make_project(d.street_a, hours="3")
    v = make_volunteer(d.base_a1, "丙")
    s = services.sign_up(actor=v.user, project_id=p.pk)
    end_project(p)
    services.confirm_attendance(actor=ROOT, signup=s, attended=True)
    credit = HoursEntry.objects.get(signup=s)
    results = race(
        [lambda: services.reverse_hours(actor=ROOT, entry=credit, hours="2", reason="提前离开")] * 3,
        ok_label="ok",
    )
    assert sorted(results) == ["ok", "reversed", "reversed"]
    assert HoursEntry.objects.filter(reverses=credit).count() == 1
    assert Project.objects.get(pk=p.pk).remaining == p.places - 1

"""PostgreSQL races (threads, each with its own connection, released at one barrier): the database alone keeps
one live payment per member and month, one active branch per person, one reversal per payment."""

import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from lianxin.core.testing import ROOT, race
from lianxin.party import services
from lianxin.party.models import DuesEntry, PartyMember, Transfer
from lianxin.party.testing import make_party_member

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.pgonly]


def test_two_staff_record_the_same_month_at_once(party):
    d = party
    m = make_party_member(d.branch_a, "甲", base="5000")
    period = services.period_of(timezone.localdate())
    admins = [d.users["street_a.admin"], d.users["fed.admin"], ROOT, d.users["street_a.admin"]]
    results = race(
        [lambda a=a: services.record_payment(actor=a, member=m, period=period) for a in admins], ok_label="ok"
    )
    assert sorted(results) == ["ok", "paid", "paid", "paid"]
    assert DuesEntry.objects.filter(member=m, period=period).count() == 1


def test_the_unique_payment_holds_without_the_row_lock(party):
    d = party
    m = make_party_member(d.branch_a, "乙", base="5000")

    def insert():
        try:
            DuesEntry.objects.create(member=m, period=202601, kind="payment", round=0, amount_fen=5000)
            return "ok"
        except IntegrityError:
            return "unique"

    assert sorted(race([insert] * 4)) == ["ok", "unique", "unique", "unique"]


def test_two_transfers_of_one_member_into_two_branches(party):
    d = party
    m = make_party_member(d.branch_a, "丙")
    today = timezone.localdate()
    results = race(
        [
            lambda: services.transfer_member(actor=ROOT, member=m, to_branch=d.branch_a2, on=today),
            lambda: services.transfer_member(actor=ROOT, member=m, to_branch=d.branch_b, on=today),
            lambda: services.transfer_member(
                actor=d.users["fed.admin"], member=m, to_branch=d.branch_b, on=today
            ),
        ],
        ok_label="ok",
    )
    assert sorted(results) == ["not_active", "not_active", "ok"]
    assert PartyMember.objects.filter(person=m.person, status="active").count() == 1
    assert Transfer.objects.filter(from_member=m).count() == 1


def test_one_active_stint_holds_without_the_row_lock(party):
    """Two enrolments of one person into two branches at the same instant (each sees no live stint yet): the
    partial unique index lets one in."""
    d = party
    m = make_party_member(d.branch_a, "丁", org=d.base_a1)
    services.transfer_out(actor=ROOT, member=m, external_org="外地某党支部", on=timezone.localdate())

    def enrol(branch):
        return lambda: services.enrol_member(
            actor=ROOT,
            branch=branch,
            person=m.person,
            category="full",
            joined_on=dt.date(2010, 1, 1),
            full_on=dt.date(2011, 1, 1),
        )

    results = race([enrol(d.branch_a), enrol(d.branch_a2), enrol(d.branch_a)], ok_label="ok")
    assert sorted(results) == ["duplicate", "duplicate", "ok"]
    assert PartyMember.objects.filter(person=m.person, status="active").count() == 1


def test_two_reversals_of_one_payment(party):
    d = party
    m = make_party_member(d.branch_a, "戊", base="5000")
    e = services.record_payment(actor=ROOT, member=m, period=services.period_of(timezone.localdate()))
    results = race(
        [lambda: services.reverse_payment(actor=ROOT, entry=e, reason="登记错误")] * 3, ok_label="ok"
    )
    assert sorted(results) == ["ok", "reversed", "reversed"]
    assert DuesEntry.objects.filter(reverses=e).count() == 1

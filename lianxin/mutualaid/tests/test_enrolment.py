"""Enrolment: a union enrols all its live members at once (idempotent: a second run adds nobody and says so), or
one member; a union's administrator reaches only their own union (404 outside the subtree, 403 for a role that
may not change); the window and the plan's reach are kept; what the union owes is N × the contribution."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, make_person
from lianxin.members import services as members
from lianxin.mutualaid import services
from lianxin.mutualaid.models import Enrolment, MedicalAccount

from .helpers import plan

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def live(union, n, name="会员"):
    out = []
    for i in range(n):
        p = make_person(union, f"{name}{i}")
        members.admit_member(actor=ROOT, person=p, union=union)
        out.append(p)
    return out


def test_bulk_enrolment_is_idempotent_and_counts_what_is_owed(district):
    d = district
    p = plan(d)
    people = live(d.base_a1, 3)
    make_person(d.base_a1, "非会员")  # on the union's records but not a member: not enrolled
    live(d.base_b1, 2, "别家")  # another union's members: not touched
    admin = d.users["base_a1.admin"]
    assert services.enrol_union(actor=admin, plan=p, union=d.base_a1) == (3, 0)
    assert set(Enrolment.objects.values_list("person", flat=True)) == {x.pk for x in people}
    assert set(MedicalAccount.objects.values_list("person", "cap_fen", "paid_fen")) == {
        (x.pk, 2000000, 0) for x in people}
    audits = AuditEntry.objects.count()
    assert services.enrol_union(actor=admin, plan=p, union=d.base_a1) == (0, 3)  # second run: nobody added
    assert Enrolment.objects.count() == 3 and AuditEntry.objects.count() == audits
    newcomer = live(d.base_a1, 1, "新会员")[0]
    assert services.enrol_union(actor=admin, plan=p, union=d.base_a1) == (1, 3)
    assert Enrolment.objects.filter(person=newcomer, union=d.base_a1).exists()
    from lianxin.mutualaid.selectors import plan_figures, union_totals

    assert union_totals(plan=p, union=d.base_a1) == {"enrolled": 4, "live": 4, "owed_fen": 4 * 3000, "paid_in_fen": 0,
                                                     "due_fen": 4 * 3000}
    assert plan_figures(actor=d.users["fed.viewer"], plan=p)["owed_fen"] == 12000
    assert plan_figures(actor=d.users["street_b.viewer"], plan=p)["enrolled"] == 0  # only one's own subtree


def test_a_union_admin_cannot_enrol_another_unions_members(district):
    d = district
    p = plan(d)
    other = live(d.base_b1, 1)[0]
    with pytest.raises(PermissionDenied):
        services.enrol_union(actor=d.users["base_a1.admin"], plan=p, union=d.base_b1)
    with pytest.raises(PermissionDenied):
        services.enrol_member(actor=d.users["base_a1.admin"], plan=p, person=other)
    with pytest.raises(PermissionDenied):
        services.enrol_union(actor=d.users["base_a1.viewer"], plan=p, union=d.base_a1)
    assert not Enrolment.objects.exists()


def test_one_member_enrol_and_withdraw(district):
    d = district
    p = plan(d)
    x = live(d.base_a1, 1)[0]
    admin = d.users["base_a1.admin"]
    e = services.enrol_member(actor=admin, plan=p, person=x)
    with pytest.raises(ServiceError) as err:
        services.enrol_member(actor=admin, plan=p, person=x)
    assert err.value.code == "already_enrolled"
    services.withdraw_member(actor=admin, enrolment=e)
    assert not Enrolment.objects.exists() and not MedicalAccount.objects.exists()
    assert AuditEntry.objects.filter(action="mutualaid.withdraw").count() == 1
    e = services.enrol_member(actor=admin, plan=p, person=x)
    MedicalAccount.objects.filter(person=x).update(paid_fen=100)
    with pytest.raises(ServiceError) as err:
        services.withdraw_member(actor=admin, enrolment=e)
    assert err.value.code == "has_payments"
    nonmember = make_person(d.base_a1, "未入会")
    with pytest.raises(ServiceError) as err:
        services.enrol_member(actor=admin, plan=p, person=nonmember)
    assert "不是在册会员" in err.value.message


def test_window_and_reach(district):
    d = district
    today = timezone.localdate()
    closed = plan(d, opens=dt.date(today.year, 1, 1), closes=dt.date(today.year, 1, 1)) \
        if today != dt.date(today.year, 1, 1) else None
    if closed is not None:
        live(d.base_a1, 1)
        with pytest.raises(ServiceError) as err:
            services.enrol_union(actor=ROOT, plan=closed, union=d.base_a1)
        assert err.value.code == "window_closed" and "参加登记时间" in err.value.message
    street_plan = plan(d, org=d.street_a, year=today.year)
    with pytest.raises(ServiceError) as err:  # a street's plan covers its own subtree only
        services.enrol_union(actor=ROOT, plan=street_plan, union=d.base_b1)
    assert "不在" in err.value.message


def test_plan_rules(district):
    d = district
    year = timezone.localdate().year
    kw = dict(year=year, contribution="30", deductible="1000", ratio=60, cap="20000",
              enrol_opens=dt.date(year, 1, 1), enrol_closes=dt.date(year, 12, 31))
    services.create_plan(actor=ROOT, org=d.fed, **kw)
    for change, field in (({}, "year"), ({"ratio": 0}, "ratio"), ({"ratio": 101}, "ratio"), ({"cap": "0"}, "cap"),
                          ({"contribution": "-1"}, "contribution"),
                          ({"enrol_closes": dt.date(year, 1, 1), "enrol_opens": dt.date(year, 2, 1)}, "enrol_closes")):
        with pytest.raises(ServiceError) as err:
            services.create_plan(actor=ROOT, org=d.fed if not change else d.street_a, **{**kw, **change})
        assert err.value.field == field, (change, err.value.message)
    with pytest.raises(ServiceError) as err:
        services.create_plan(actor=ROOT, org=d.base_a1, **kw)
    assert err.value.field == "org"
    with pytest.raises(PermissionDenied):
        services.create_plan(actor=d.users["street_a.admin"], org=d.fed, **kw)


def test_the_database_holds_the_cap_and_one_enrolment(district):
    d = district
    p = plan(d, cap="100")
    x = live(d.base_a1, 1)[0]
    services.enrol_member(actor=ROOT, plan=p, person=x)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(plan=p, person=x, union=d.base_a1)
    for paid in (10001, -1):
        with pytest.raises(IntegrityError), transaction.atomic():
            MedicalAccount.objects.filter(person=x).update(paid_fen=paid)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(p).objects.filter(pk=p.pk).update(ratio=0)

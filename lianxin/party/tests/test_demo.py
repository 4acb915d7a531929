"""The demo seed runs through the real services and leaves something on every page: branches with members of
both categories (one past its probation, one due within the month), this year's meetings (some periods met, some
missed), 党费 paid and unpaid with one reversal, a transfer between branches and one out."""

import random
from types import SimpleNamespace

import pytest
from django.utils import timezone

from lianxin.core.testing import ROOT, make_person, make_user
from lianxin.orgs import services as org_services
from lianxin.orgs.models import OrgKind
from lianxin.party import demo, selectors
from lianxin.party.models import DuesEntry, Meeting, PartyMember, Transfer

pytestmark = [pytest.mark.django_db]


def test_seed(district):
    d = district
    org_services.create_organization(actor=ROOT, parent=d.fed, kind=OrgKind.PARTY, name="总工会机关党支部")
    for i in range(30):
        make_person(d.base_a1 if i % 2 else d.base_b1, f"职工{i}")
    users = {
        "qt_admin": make_user("qt_admin", d.fed, "admin"),
        "base_admin": make_user("base_admin", d.base_a1, "admin"),
    }
    today = timezone.localdate()
    ctx = SimpleNamespace(
        fed=d.fed,
        streets=[d.street_a, d.street_b],
        users=users,
        rng=random.Random(3),
        today=today,
        root=ROOT,
        log=lambda m: None,
    )
    demo.seed(ctx)
    branches = list(selectors.branches(actor=users["qt_admin"]))
    assert len(branches) == 4
    assert set(PartyMember.objects.values_list("category", flat=True)) == {"full", "probationary"}
    assert PartyMember.objects.filter(probation_until__isnull=False, category="probationary").count() == 1
    due = selectors.due_for_full(actor=users["qt_admin"], today=today)
    assert any(m.due_on <= today for m in due) and any(m.due_on > today for m in due)
    assert Meeting.objects.filter(held_on__year=today.year).count() > 20
    rows = selectors.compliance(branches, today.year, today=today)
    states = {c.state for r in rows for _, cells in r["requirements"] for c in cells}
    assert "ok" in states and ("miss" in states or today.month == 1)
    assert DuesEntry.objects.filter(kind="reversal").count() == 1
    s = selectors.dues_summary(branches[1], selectors.current_period())
    assert s["paid_total"] > 0 and s["unpaid"]
    assert set(Transfer.objects.values_list("kind", flat=True)) == {"internal", "out"}
    assert selectors.branches(actor=users["base_admin"]).count() == 1

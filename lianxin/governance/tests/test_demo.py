"""The demo seed runs through the real services and leaves something on every page: an open round with
applications in every state, a decided one whose homes are in the register (one due for 复核), and terms of which
some are overdue and some end within six months."""

import datetime as dt
import random
from types import SimpleNamespace

import pytest
from django.utils import timezone

from lianxin.core.testing import ROOT, make_user
from lianxin.governance import demo, selectors
from lianxin.governance.models import CommitteeTerm, HomeApplication, NamedHome
from lianxin.orgs import services as orgs
from lianxin.orgs.models import OrgKind

pytestmark = [pytest.mark.django_db]


def test_seed(district):
    d, today = district, timezone.localdate()
    unions = []
    for i in range(14):
        parent = d.joint_a if i % 2 else d.joint_b
        unions.append(
            orgs.create_organization(
                actor=ROOT,
                parent=parent,
                kind=OrgKind.BASE,
                name=f"演示{i}公司工会",
                term_ends_on=today + dt.timedelta(days=(-40 if i % 4 == 0 else 90 if i % 4 == 1 else 900)),
            )
        )
    users = {
        "qt_admin": make_user("qt_admin", d.fed, "admin"),
        "by_reviewer": make_user("by_reviewer", d.street_a, "reviewer"),
        "xs_reviewer": make_user("xs_reviewer", d.street_b, "reviewer"),
    }
    ctx = SimpleNamespace(
        fed=d.fed,
        streets=[d.street_a, d.street_b],
        unions=[d.joint_a, d.joint_b, *unions],
        users=users,
        rng=random.Random(1),
        today=today,
        log=lambda m: None,
    )
    demo.seed(ctx)
    # 社会化工会工作者: every new page has something to show
    from lianxin.governance import selectors_workers
    from lianxin.governance.models import AssessmentRound, SocialWorker, WorkerPosting, WorkLog

    assert SocialWorker.objects.filter(status="active").count() == 9
    assert SocialWorker.objects.filter(status="left").count() == 1
    assert selectors_workers.expiring_contracts(actor=users["qt_admin"]).count() == 2
    assert WorkerPosting.objects.filter(ended_on__isnull=False).count() == 2
    assert set(WorkLog.objects.values_list("status", flat=True)) == {"draft", "confirmed"}
    assert set(AssessmentRound.objects.values_list("status", flat=True)) == {"open", "confirmed"}
    states = set(HomeApplication.objects.values_list("status", flat=True))
    assert states == set(HomeApplication.Status.values)
    assert NamedHome.objects.filter(status="active").count() >= 4
    assert selectors.homes(actor=users["qt_admin"], due=True).exists()
    current = CommitteeTerm.objects.filter(status="current")
    assert current.filter(ends_on__lt=today).exists() and current.filter(ends_on__gte=today).exists()
    assert CommitteeTerm.objects.filter(status="ended").exists()
    counts = {c["street"].pk: c for c in selectors.street_counts(actor=users["qt_admin"]) if c["street"]}
    assert sum(c["overdue"] for c in counts.values()) == current.filter(ends_on__lt=today).count()
    # the organisation tree follows each recorded election
    for t in current.select_related("union"):
        assert t.union.term_ends_on == t.ends_on and t.union.chair_name == t.chair_name

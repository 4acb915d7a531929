"""DESIGN rule 4 on PostgreSQL: concurrent decisions, each in its own thread and connection, released together."""

from collections import Counter

import pytest

from lianxin.core.testing import ROOT, race
from lianxin.governance import services
from lianxin.governance.models import CommitteeTerm, HomeApplication, HomeQuota, HomeRound, NamedHome
from lianxin.governance.testing import election, make_round, passed
from lianxin.orgs import services as orgs
from lianxin.orgs.models import OrgKind

pytestmark = [pytest.mark.pgonly, pytest.mark.django_db(transaction=True)]


def _unions(parent, n):
    return [
        orgs.create_organization(
            actor=ROOT, parent=parent, kind=OrgKind.BASE, name=f"并发{parent.pk}-{i}公司工会"
        )
        for i in range(n)
    ]


def test_naming_at_once_never_exceeds_the_places(district):
    r = make_round(district.fed, places=3)
    apps = [passed(r, u) for u in _unions(district.joint_a, 4) + _unions(district.joint_b, 4)]
    results = race(
        [lambda a=a: services.decide_application(actor=ROOT, application=a, name=True) for a in apps],
        ok_label="ok",
    )
    assert Counter(results) == {"ok": 3, "full": 5}
    assert HomeRound.objects.get(pk=r.pk).named == 3 == NamedHome.objects.count()
    assert HomeApplication.objects.filter(round=r, status="named").count() == 3
    assert HomeApplication.objects.filter(round=r, status="passed").count() == 5


def test_a_streets_share_holds_at_once(district):
    r = make_round(district.fed, places=6)
    services.set_quota(actor=ROOT, round=r, street=district.street_a, places=2)
    apps = [passed(r, u) for u in _unions(district.joint_a, 6)]
    results = race(
        [lambda a=a: services.decide_application(actor=ROOT, application=a, name=True) for a in apps],
        ok_label="ok",
    )
    assert Counter(results) == {"ok": 2, "full": 4}
    assert HomeQuota.objects.get(round=r).named == 2 == HomeRound.objects.get(pk=r.pk).named


def test_two_decisions_on_one_application_one_wins(district):
    r = make_round(district.fed, places=5)
    a = passed(r, district.base_a1)
    calls = [
        lambda: services.decide_application(actor=ROOT, application=a, name=True),
        lambda: services.decide_application(actor=ROOT, application=a, name=False, note="不予命名"),
    ] * 3
    results = race(calls, ok_label="ok")
    assert Counter(results) == {"ok": 1, "bad_status": 5}
    a.refresh_from_db()
    assert (
        HomeRound.objects.get(pk=r.pk).named == NamedHome.objects.count() == (1 if a.status == "named" else 0)
    )


def test_two_reviews_on_one_application_one_wins(district):
    r = make_round(district.fed)
    from lianxin.governance.testing import apply

    a = apply(r, district.base_a1)
    calls = [
        lambda d=d: services.review_application(
            actor=ROOT, application=a, decision=d, score=90, comment="意见如下"
        )
        for d in ("pass", "return", "reject") * 2
    ]
    assert Counter(race(calls, ok_label="ok")) == {"ok": 1, "bad_status": 5}


def test_two_clerks_recording_the_same_election(district):
    u = district.base_a1
    election(u, number=1, elected_on=__import__("datetime").date(2020, 5, 1))
    results = race([lambda: election(u, number=2) for _ in range(4)], ok_label="ok")
    assert Counter(results) == {"ok": 1, "duplicate": 3}
    assert CommitteeTerm.objects.filter(union=u, status="current").count() == 1
    assert list(CommitteeTerm.objects.filter(union=u).order_by("number").values_list("number", "status")) == [
        (1, "ended"),
        (2, "current"),
    ]


def test_first_elections_racing_leave_one_term(district):
    u = district.base_b1
    results = race([lambda: election(u, number=1) for _ in range(4)], ok_label="ok")
    assert Counter(results) == {"ok": 1, "duplicate": 3}
    assert CommitteeTerm.objects.filter(union=u).count() == 1

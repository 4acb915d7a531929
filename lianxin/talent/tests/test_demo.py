"""The demo seed runs through the real services and leaves one selection in voting, one announced with its
honours in the register, one nominating."""

import random
from types import SimpleNamespace

import pytest
from django.utils import timezone

from lianxin.core.testing import make_user
from lianxin.orgs import services as orgs
from lianxin.orgs.models import OrgKind
from lianxin.talent import demo
from lianxin.talent.models import Honour, Selection
from lianxin.talent.selectors import ranking
from lianxin.talent.testing import make_member

pytestmark = [pytest.mark.django_db]


def test_seed(district):
    from lianxin.core.testing import ROOT

    d = district
    for i in range(60):
        make_member(d.base_a1 if i % 2 else d.base_b1, f"会员{i}", gender="F" if i % 3 else "M")
    women = orgs.create_organization(actor=ROOT, parent=d.fed, kind=OrgKind.WOMEN, name="开发区妇工委")
    users = {"qt_admin": make_user("qt_admin", d.fed, "admin"), "by_admin": make_user("by_admin", d.street_a, "admin"),
             "xs_admin": make_user("xs_admin", d.street_b, "admin")}
    ctx = SimpleNamespace(fed=d.fed, streets=[d.street_a, d.street_b], others=[women], users=users,
                          rng=random.Random(1), today=timezone.localdate(), log=lambda m: None)
    demo.seed(ctx)
    announced = Selection.objects.get(status="announced")
    voting = Selection.objects.get(status="voting")
    assert Selection.objects.get(status="nominating").org == women
    assert voting.voting_opens_at < timezone.now() < voting.voting_closes_at and voting.votes.exists()
    winners = [c for c in ranking(announced) if c.is_winner]
    assert len(winners) >= 3  # a tie at the third place brings both in
    assert set(Honour.objects.filter(selection=announced).values_list("person_id", flat=True)) == {
        c.person_id for c in winners}
    assert Honour.objects.filter(selection__isnull=True, contestant__isnull=True).count() == 2
    # 劳动竞赛 and 创新成果评审
    from lianxin.talent.models import Competition, InnovationEntry, InnovationRound

    assert set(Competition.objects.values_list("status", flat=True)) == {"published", "scoring", "open"}
    published = Competition.objects.get(status="published")
    assert published.awarded_at is not None
    titled = Honour.objects.filter(contestant__competition=published)
    assert titled.count() >= 3 and set(titled.values_list("title", flat=True)) == {published.award_title}
    assert published.contestants.filter(rank__isnull=True).count() == 1  # the one 缺考
    closed = InnovationRound.objects.get(status="closed")
    assert InnovationEntry.objects.filter(round=closed, prize="first").exists()
    assert InnovationRound.objects.filter(status="judging").exists() and InnovationRound.objects.filter(
        status="open").exists()

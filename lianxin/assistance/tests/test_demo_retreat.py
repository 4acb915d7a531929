"""The demo seed's 疗休养: places taken within the trip and its shares (the counters agree with the seats), and
someone waiting on the second street's 候补名单 because its two places are taken."""

import pytest
from django.core.management import call_command

from lianxin.assistance import selectors
from lianxin.assistance.models import Retreat, RetreatSeat, RetreatShare
from lianxin.core.testing import ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_seed_demo_has_a_trip_with_a_waitlist(capsys):
    call_command("seed_demo", people=300, enterprises=40)
    r = Retreat.objects.get()
    placed = RetreatSeat.objects.filter(retreat=r, status="nominated")
    assert r.taken == placed.count() >= 3
    for share in RetreatShare.objects.filter(retreat=r):
        assert share.taken == placed.filter(share=share).count() <= share.places
    line = selectors.retreat_waitlist(actor=ROOT, retreat=r)
    assert len(line) >= 1 and all(s.share.taken == s.share.places for s in line)
    assert [s.position for s in line] == list(range(1, len(line) + 1))
    assert "候补" in capsys.readouterr().out

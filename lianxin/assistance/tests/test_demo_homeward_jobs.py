"""The demo seed sets up 平安返乡 and 就业帮扶 through the real services: coaches with seats taken, confirmed
subsidies paid from the 两节送温暖 fund (the ledger agrees), job posts with an applicant hired and job seekers whose
工种 match a post."""

import pytest
from django.core.management import call_command

from lianxin.assistance import selectors_jobs, services, services_homeward
from lianxin.assistance.models import (
    HomewardApplication,
    HomewardCoach,
    HomewardProgramme,
    JobApplication,
    JobPost,
    JobSeeker,
    LedgerEntry,
)
from lianxin.core.testing import ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_seed_demo_has_homeward_and_jobs(capsys):
    call_command("seed_demo", people=300, enterprises=40)
    p = HomewardProgramme.objects.get()
    assert HomewardCoach.objects.filter(programme=p).count() == 2
    counts = services_homeward.coach_counts(p)
    for c in HomewardCoach.objects.filter(programme=p):
        assert c.taken == counts.get(c.pk, 0)
    assert sum(counts.values()) >= 2
    statuses = set(HomewardApplication.objects.values_list("status", flat=True))
    assert {"applied", "confirmed", "paid"} <= statuses
    paid = LedgerEntry.objects.filter(homeward__isnull=False)
    assert paid.count() == HomewardApplication.objects.filter(status="paid").count() >= 1
    assert {e.fund_id for e in paid} == {p.fund_id} and services.balance(p.fund) >= 0
    assert JobPost.objects.count() == 3
    assert JobApplication.objects.filter(status="hired").count() == 1
    seekers = list(JobSeeker.objects.all())
    assert len(seekers) == 3
    found = selectors_jobs.matches(actor=ROOT, page=seekers)
    assert sum(1 for s in seekers if found.get(s.pk)) == 2
    out = capsys.readouterr().out
    assert "平安返乡" in out and "就业帮扶" in out

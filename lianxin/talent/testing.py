"""Factories for the talent tests, the browser test and the demo: selections driven through the real services
to the stage a test needs, and members who can sign in."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lianxin.activities.testing import make_member  # noqa: F401 - re-exported for the tests
from lianxin.core.testing import ROOT

from . import services
from .models import Selection


def make_selection(org, *, actor=ROOT, title: str = "2026年度十佳工匠评选", votes_per_member: int = 3,
                   winners_count: int = 2, daily: bool = False, **kw) -> Selection:
    now = timezone.now()
    fields = dict(honour_title="十佳工匠", honour_level="district", honour_category="craftsman",
                  description="面向全区一线职工", nomination_deadline=now + dt.timedelta(days=3),
                  voting_opens_at=now + dt.timedelta(days=4), voting_closes_at=now + dt.timedelta(days=11))
    fields.update(kw)
    return services.create_selection(actor=actor, org=org, title=title, votes_per_member=votes_per_member,
                                     winners_count=winners_count, daily=daily, **fields)


def deeds(name: str = "") -> str:
    return f"{name}扎根一线二十年，带领班组攻克多项技术难题，累计提出合理化建议三十余条，获评岗位能手。"


def start_voting(sel: Selection, *, actor=ROOT) -> Selection:
    """Open voting now: the window is moved to have begun a minute ago (as if the organiser had set it so)."""
    start = timezone.now() - dt.timedelta(minutes=1)
    Selection.objects.filter(pk=sel.pk).update(nomination_deadline=start, voting_opens_at=start)
    return services.open_voting(actor=actor, selection=sel)


def voting_selection(org, candidates: list, *, actor=ROOT, **kw) -> tuple[Selection, list]:
    """A selection in voting whose ballot holds ``candidates`` (people with a live membership under ``org``),
    nominated by ``actor`` and approved. Members must exist before this (the roll is frozen here)."""
    sel = make_selection(org, actor=actor, **kw)
    services.open_nomination(actor=actor, selection=sel)
    cs = [services.nominate(actor=actor, selection=sel, person=p, deeds=deeds(p.name)) for p in candidates]
    for c in cs:
        services.review_candidate(actor=actor, candidate=c, approve=True)
    sel = start_voting(sel, actor=actor)
    for c in cs:
        c.refresh_from_db()
    return sel, cs


def end_voting(sel: Selection, *, actor=ROOT) -> Selection:
    Selection.objects.filter(pk=sel.pk).update(voting_closes_at=timezone.now() - dt.timedelta(seconds=1))
    return services.close_voting(actor=actor, selection=sel)

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


# ---------------------------------------------------------------- 劳动竞赛 and 创新成果评审

def make_competition(org, *, actor=ROOT, title: str = "2026年职工技能竞赛（数控车工）", max_entrants: int = 10,
                     union_cap=None, award_places: int = 3, award_title: str = "技术能手", **kw):
    """A competition whose sign-up opened a minute ago and closes in a week."""
    from . import competitions

    now = timezone.now()
    fields = dict(trade="数控车工", level="district", theory_weight=30, description="",
                  signup_opens_at=now - dt.timedelta(minutes=1), signup_closes_at=now + dt.timedelta(days=7))
    fields.update(kw)
    return competitions.create_competition(actor=actor, org=org, title=title, max_entrants=max_entrants,
                                           union_cap=union_cap, award_title=award_title if award_places else "",
                                           award_places=award_places, **fields)


def scored_competition(org, people_scores: list, *, actor=ROOT, **kw):
    """A competition in scoring with ``people_scores`` [(person, theory text, practice text)] entered and scored
    (blank texts leave a contestant without scores)."""
    from . import competitions

    comp = make_competition(org, actor=actor, max_entrants=max(10, len(people_scores)), **kw)
    cs = [competitions.enter_contestant(actor=actor, competition=comp, person=p) for p, _, _ in people_scores]
    comp = competitions.close_signup(actor=actor, competition=comp)
    competitions.record_scores(actor=actor, competition=comp,
                               scores={c.pk: (t, pr) for c, (_, t, pr) in zip(cs, people_scores, strict=True)})
    return comp, cs


def make_round(org, *, actor=ROOT, title: str = "2026年度职工创新成果评审", **kw):
    from . import innovation

    fields = dict(submit_until=timezone.now() + dt.timedelta(days=10), first_prizes=1, second_prizes=1,
                  third_prizes=1, description="")
    fields.update(kw)
    return innovation.create_round(actor=actor, org=org, title=title, **fields)


SUMMARY = "针对生产线换模时间长的问题，设计快速定位夹具，换模时间由四十分钟缩短到八分钟，年节约工时两千余小时。"


def make_entry(rnd, union, title: str, *, actor=ROOT, category: str = "innovation", benefit: str = "12000"):
    from . import innovation

    return innovation.submit_entry(actor=actor, round=rnd, union=union, title=title, team="张三、李四",
                                   summary=SUMMARY, category=category, benefit=benefit)

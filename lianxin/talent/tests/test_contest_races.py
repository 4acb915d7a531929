"""DESIGN rule 4 on PostgreSQL for 劳动竞赛 and 创新成果评审: concurrent requests, each in its own thread and
connection, released together."""

from collections import Counter

import pytest

from lianxin.core.testing import ROOT, make_user, race
from lianxin.talent import competitions, innovation
from lianxin.talent.models import Competition, CompetitionUnion, Contestant, Honour, InnovationScore
from lianxin.talent.testing import make_competition, make_entry, make_member, make_round, scored_competition

pytestmark = [pytest.mark.pgonly, pytest.mark.django_db(transaction=True)]


def entry(comp, m):
    return lambda: competitions.enter_contestant(actor=ROOT, competition=comp, person=m.person)


def test_a_burst_of_entries_fills_the_maximum_exactly(district):
    people = [make_member(district.base_a1 if i % 2 else district.base_b1, f"选手{i}") for i in range(12)]
    comp = make_competition(district.fed, max_entrants=5, award_places=1)
    results = race([entry(comp, m) for m in people], ok_label="ok")
    assert Counter(results) == {"ok": 5, "full": 7}
    assert Competition.objects.get(pk=comp.pk).entrants == 5 == Contestant.objects.filter(competition=comp).count()


def test_one_unions_burst_stops_at_its_cap(district):
    people = [make_member(district.base_a1, f"选手{i}") for i in range(8)]
    others = [make_member(district.base_b1, f"乙方{i}") for i in range(3)]
    comp = make_competition(district.fed, max_entrants=20, union_cap=2)
    results = race([entry(comp, m) for m in people + others], ok_label="ok")
    assert Counter(results) == {"ok": 4, "union_full": 7}
    assert Contestant.objects.filter(competition=comp, union=district.base_a1).count() == 2
    assert CompetitionUnion.objects.get(competition=comp, union=district.base_a1).entrants == 2
    assert Competition.objects.get(pk=comp.pk).entrants == 4


def test_the_same_person_entered_six_times_at_once_is_one_entry(district):
    m = make_member(district.base_a1, "手快")
    comp = make_competition(district.fed, max_entrants=10, union_cap=5)
    results = race([entry(comp, m) for _ in range(6)], ok_label="ok")
    assert Counter(results) == {"ok": 1, "duplicate": 5}
    assert Competition.objects.get(pk=comp.pk).entrants == 1
    assert CompetitionUnion.objects.get(competition=comp).entrants == 1


def test_no_entry_commits_after_the_sign_up_closes_even_when_racing_the_close(district):
    people = [make_member(district.base_a1, f"选手{i}") for i in range(10)]
    comp = make_competition(district.fed, max_entrants=50)
    competitions.enter_contestant(actor=ROOT, competition=comp, person=people[0].person)
    results = race([entry(comp, m) for m in people[1:]]
                   + [lambda: competitions.close_signup(actor=ROOT, competition=comp)], ok_label="ok")
    assert set(results) <= {"ok", "closed"}
    comp.refresh_from_db()
    assert comp.status == "scoring"
    assert Contestant.objects.filter(competition=comp, created_at__gt=comp.scoring_at).count() == 0
    assert comp.entrants == Contestant.objects.filter(competition=comp).count() == results.count("ok")


def test_confirming_the_titles_twice_at_once_adds_each_honour_once(district):
    people = [make_member(district.base_a1, f"选手{i}") for i in range(4)]
    comp, _ = scored_competition(district.fed, [(m.person, str(90 - i), str(90 - i)) for i, m in enumerate(people)],
                                 award_places=2)
    competitions.publish_results(actor=ROOT, competition=comp)
    results = race([lambda: competitions.confirm_awards(actor=ROOT, competition=comp) for _ in range(4)])
    assert sorted(results) == [(0, []), (0, []), (0, []), (2, [])]
    assert Honour.objects.filter(contestant__competition=comp).count() == 2


def test_a_judges_double_submit_stores_one_score(district):
    judge = make_user("judge", district.fed, "viewer")
    rnd = make_round(district.fed)
    e = make_entry(rnd, district.base_a1, "快速换模夹具")
    innovation.add_judge(actor=ROOT, round=rnd, user=judge)
    innovation.start_judging(actor=ROOT, round=rnd)
    results = race([lambda s=s: innovation.score_entry(actor=judge, entry=e, score=s) for s in (80, 81, 82, 83, 84)],
                   ok_label="ok")
    assert Counter(results) == {"ok": 1, "duplicate": 4}
    assert InnovationScore.objects.filter(entry=e, judge=judge).count() == 1

"""DESIGN rule 4 on PostgreSQL: concurrent votes, each in its own thread and connection, released together."""

from collections import Counter

import pytest

from lianxin.core.testing import race
from lianxin.talent import services
from lianxin.talent.models import Candidate, Vote, Voter
from lianxin.talent.testing import end_voting, make_member, voting_selection

pytestmark = [pytest.mark.pgonly, pytest.mark.django_db(transaction=True)]


def vote(m, sel, c):
    return lambda: services.cast_vote(actor=m.user, selection_id=sel.pk, candidate_id=c.pk)


def test_a_member_firing_many_votes_at_once_gets_at_most_n(district):
    people = [make_member(district.base_a1, f"候选{i}") for i in range(8)]
    voter = make_member(district.base_a1, "急性子")
    sel, cs = voting_selection(district.fed, [p.person for p in people], votes_per_member=3)
    results = race([vote(voter, sel, c) for c in cs], ok_label="ok")
    assert Counter(results) == {"ok": 3, "no_votes_left": 5}
    assert Vote.objects.filter(selection=sel, voter=voter.person).count() == 3
    assert Voter.objects.get(selection=sel, person=voter.person).used == 3
    assert sum(Candidate.objects.filter(selection=sel).values_list("votes", flat=True)) == 3


def test_many_members_voting_the_same_candidate_give_an_exact_total(district):
    star = make_member(district.base_a1, "明星")
    voters = [make_member(district.base_a1 if i % 2 else district.base_b1, f"会员{i}") for i in range(24)]
    sel, cs = voting_selection(district.fed, [star.person], votes_per_member=1)
    results = race([vote(m, sel, cs[0]) for m in voters], ok_label="ok")
    assert results == ["ok"] * 24
    c = Candidate.objects.get(pk=cs[0].pk)
    assert c.votes == 24 == Vote.objects.filter(candidate=c).count()
    assert services.tally_mismatches(sel) == []


def test_a_double_click_gives_one_vote(district):
    cand = make_member(district.base_a1, "候选")
    voter = make_member(district.base_a1, "手快")
    sel, cs = voting_selection(district.fed, [cand.person], votes_per_member=3)
    results = race([vote(voter, sel, cs[0]) for _ in range(6)], ok_label="ok")
    assert Counter(results) == {"ok": 1, "duplicate": 5}
    assert Candidate.objects.get(pk=cs[0].pk).votes == 1
    assert Voter.objects.get(selection=sel, person=voter.person).used == 1


def test_no_vote_counts_after_closing_even_when_racing_the_close(district):
    cand = make_member(district.base_a1, "候选")
    voters = [make_member(district.base_a1, f"会员{i}") for i in range(12)]
    sel, cs = voting_selection(district.fed, [cand.person], votes_per_member=1)
    results = race([vote(m, sel, cs[0]) for m in voters] + [lambda: end_voting(sel)], ok_label="ok")
    assert set(results) <= {"ok", "closed"}
    sel.refresh_from_db()
    assert sel.status == "closed"
    # Every vote that committed did so before the close; none after it.
    late = Vote.objects.filter(selection=sel, created_at__gt=sel.closed_at).count()
    assert late == 0
    c = Candidate.objects.get(pk=cs[0].pk)
    assert c.votes == Vote.objects.filter(candidate=c).count() == results.count("ok") - 1

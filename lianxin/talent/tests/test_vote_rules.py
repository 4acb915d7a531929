"""The vote rules on both databases: one vote per candidate, N per member, only while voting and inside the
window, only for members on the roll frozen when voting opened; the candidates' counters equal COUNT(*); and the
database itself refuses what the services never write."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from lianxin.core.errors import ServiceError
from lianxin.talent import services
from lianxin.talent.models import Candidate, Selection, Vote, Voter
from lianxin.talent.testing import end_voting, make_member, voting_selection

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


@pytest.fixture
def ballot(district, members):
    sel, cs = voting_selection(district.fed, [members[k].person for k in ("a0", "a1", "a2", "a3", "b0")],
                               votes_per_member=3)
    return sel, cs


def vote(m, sel, c):
    return services.cast_vote(actor=m.user, selection_id=sel.pk, candidate_id=c.pk)


def refusal(m, sel, c) -> ServiceError:
    with pytest.raises(ServiceError) as e:
        vote(m, sel, c)
    return e.value


def test_the_roll_is_every_live_member_of_the_audience_when_voting_opens(district, members, ballot):
    sel, _ = ballot
    assert sel.electorate == 8 == Voter.objects.filter(selection=sel).count()
    assert set(Voter.objects.filter(selection=sel).values_list("allowed", "used").distinct()) == {(3, 0)}


def test_n_votes_then_the_chinese_refusal(members, ballot):
    sel, cs = ballot
    m = members["a5"]
    assert [vote(m, sel, c).used for c in cs[:3]] == [1, 2, 3]
    e = refusal(m, sel, cs[3])
    assert e.message == "您在本次评选中的 3 票已投完" and e.code == "no_votes_left"
    assert Vote.objects.filter(selection=sel, voter=m.person).count() == 3
    assert Candidate.objects.get(pk=cs[3].pk).votes == 0  # the refused vote left nothing behind


def test_one_vote_per_candidate(members, ballot):
    sel, cs = ballot
    m = members["a4"]
    vote(m, sel, cs[0])
    e = refusal(m, sel, cs[0])
    assert e.message == "每位候选人只能投一票" and e.code == "duplicate"
    assert Voter.objects.get(selection=sel, person=m.person).used == 1
    assert Candidate.objects.get(pk=cs[0].pk).votes == 1


def test_after_the_window_or_after_closing_the_vote_is_refused(members, ballot):
    sel, cs = ballot
    Selection.objects.filter(pk=sel.pk).update(voting_closes_at=timezone.now() - dt.timedelta(seconds=1))
    assert refusal(members["a4"], sel, cs[0]).message == "投票已截止"
    end_voting(sel)
    assert refusal(members["a4"], sel, cs[0]).message == "投票已截止"
    assert not Vote.objects.filter(selection=sel).exists()


def test_before_the_window_opens(members, ballot):
    sel, cs = ballot
    Selection.objects.filter(pk=sel.pk).update(voting_opens_at=timezone.now() + dt.timedelta(hours=2),
                                               nomination_deadline=timezone.now())
    assert refusal(members["a4"], sel, cs[0]).code == "not_open"


def test_a_member_who_joined_after_voting_opened_is_not_on_the_roll(district, members, ballot):
    sel, cs = ballot
    late = make_member(district.base_a1, "丙")
    e = refusal(late, sel, cs[0])
    assert e.code == "not_on_roll" and "投票范围" in e.message


def test_someone_without_a_person_record_cannot_vote(district, ballot):
    from lianxin.accounts.models import User

    sel, cs = ballot
    u = User.objects.create_user(username="visitor")
    with pytest.raises(ServiceError) as e:
        services.cast_vote(actor=u, selection_id=sel.pk, candidate_id=cs[0].pk)
    assert e.value.code == "not_member"


def test_a_candidate_of_another_selection_or_unapproved_is_refused(district, members, ballot):
    sel, cs = ballot
    other, ocs = voting_selection(district.street_a, [members["a5"].person], title="白杨街道最美职工评选")
    assert refusal(members["a4"], sel, ocs[0]).code == "no_candidate"
    assert not Voter.objects.filter(used__gt=0).exists()


def test_daily_selection_gives_new_votes_each_day(district, members):
    sel, cs = voting_selection(district.fed, [members["a0"].person, members["a1"].person], daily=True,
                               votes_per_member=1, title="最美职工网络投票")
    m = members["a3"]
    vote(m, sel, cs[0])
    e = refusal(m, sel, cs[1])
    assert e.message == "您今天的 1 票已投完，明天可以继续投票"
    # Yesterday's votes: move the member's counting period and the vote a day back.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Voter.objects.filter(selection=sel, person=m.person).update(day=yesterday)
    Vote.objects.filter(selection=sel, voter=m.person).update(day=yesterday)
    assert vote(m, sel, cs[0]).used == 1  # the same candidate again, on a new day
    assert Vote.objects.filter(selection=sel, voter=m.person).count() == 2
    assert Candidate.objects.get(pk=cs[0].pk).votes == 2


def test_tally_equals_count_of_votes(members, ballot):
    sel, cs = ballot
    for k in ("a0", "a1", "a2", "a3", "a4", "a5", "b0", "b1"):
        for c in cs[:3] if k < "a4" else cs[2:]:
            try:
                vote(members[k], sel, c)
            except ServiceError:
                pass
    counted = dict(Vote.objects.filter(selection=sel).values("candidate").annotate(n=Count("id"))
                   .values_list("candidate", "n"))
    for c in Candidate.objects.filter(selection=sel):
        assert c.votes == counted.get(c.pk, 0)
    assert services.tally_mismatches(sel) == []
    assert sum(Voter.objects.filter(selection=sel).values_list("used", flat=True)) == Vote.objects.filter(
        selection=sel).count()


def test_the_database_refuses_a_second_vote_and_an_overdrawn_counter(members, ballot):
    sel, cs = ballot
    m = members["a4"]
    vote(m, sel, cs[0])
    day = Vote.objects.get(voter=m.person).day
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(selection=sel, candidate=cs[0], voter=m.person, day=day)
    with pytest.raises(IntegrityError), transaction.atomic():
        Voter.objects.filter(selection=sel, person=m.person).update(used=F("allowed") + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Voter.objects.create(selection=sel, person=m.person, union=m.membership.union, allowed=3, day=day)


def test_votes_are_throttled_per_member(members, ballot, monkeypatch):
    sel, cs = ballot
    monkeypatch.setattr(services, "VOTES_PER_MINUTE", 2)
    m = members["a4"]
    vote(m, sel, cs[0])
    refusal(m, sel, cs[0])  # refused taps count too
    assert refusal(m, sel, cs[1]).code == "throttled"


def test_rejected_candidates_cannot_be_given_votes_by_the_database(members, ballot):
    sel, cs = ballot
    with pytest.raises(IntegrityError), transaction.atomic():
        Candidate.objects.filter(pk=cs[0].pk).update(status="rejected", votes=1)

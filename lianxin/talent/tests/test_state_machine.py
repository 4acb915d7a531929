"""What each status allows: draft → nominating → voting → closed → announced, each step only from the one
before it; rules editable only before voting; nominating and reviewing only while nominating; announcing once."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT
from lianxin.talent import services
from lianxin.talent.models import Candidate, Honour, Selection
from lianxin.talent.testing import deeds, end_voting, make_selection, start_voting, voting_selection

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def codes(*calls):
    out = []
    for call in calls:
        try:
            call()
            out.append("ok")
        except ServiceError as e:
            out.append(e.code)
    return out


def test_each_step_only_from_the_status_before_it(district, members):
    sel = make_selection(district.fed)
    assert codes(lambda: services.open_voting(actor=ROOT, selection=sel),
                 lambda: services.close_voting(actor=ROOT, selection=sel),
                 lambda: services.announce(actor=ROOT, selection=sel)) == ["bad_status"] * 3
    assert codes(lambda: services.nominate(actor=ROOT, selection=sel, person=members["a0"].person,
                                           deeds=deeds())) == ["bad_status"]
    services.open_nomination(actor=ROOT, selection=sel)
    assert codes(lambda: services.open_nomination(actor=ROOT, selection=sel)) == ["bad_status"]
    c = services.nominate(actor=ROOT, selection=sel, person=members["a0"].person, deeds=deeds())
    assert codes(lambda: services.open_voting(actor=ROOT, selection=sel)) == ["pending"]
    services.review_candidate(actor=ROOT, candidate=c, approve=True)
    sel = start_voting(sel)
    assert sel.status == Selection.Status.VOTING and sel.frozen_at is not None
    assert Candidate.objects.get(pk=c.pk).number == 1
    assert codes(lambda: services.update_selection(actor=ROOT, selection=sel, winners_count=5),
                 lambda: services.review_candidate(actor=ROOT, candidate=c, approve=False, note="撤回"),
                 lambda: services.nominate(actor=ROOT, selection=sel, person=members["a1"].person, deeds=deeds()),
                 lambda: services.announce(actor=ROOT, selection=sel)) == ["frozen", "bad_status", "bad_status",
                                                                             "bad_status"]
    sel = end_voting(sel)
    assert codes(lambda: services.cast_vote(actor=members["a1"].user, selection_id=sel.pk, candidate_id=c.pk),
                 lambda: services.close_voting(actor=ROOT, selection=sel)) == ["closed", "bad_status"]
    services.announce(actor=ROOT, selection=sel, winner_ids=[c.pk], reason="零票，经评审委员会审定当选")
    assert codes(lambda: services.announce(actor=ROOT, selection=sel),
                 lambda: services.update_selection(actor=ROOT, selection=sel, title="改")) == ["announced", "frozen"]


def test_no_voting_without_an_approved_candidate(district, members):
    sel = make_selection(district.fed)
    services.open_nomination(actor=ROOT, selection=sel)
    c = services.nominate(actor=ROOT, selection=sel, person=members["a0"].person, deeds=deeds())
    services.review_candidate(actor=ROOT, candidate=c, approve=False, note="事迹材料不实")
    assert codes(lambda: services.open_voting(actor=ROOT, selection=sel)) == ["no_candidates"]


def test_rules_are_validated_in_chinese(district):
    now = timezone.now()
    with pytest.raises(ServiceError) as e:
        make_selection(district.fed, voting_opens_at=now + dt.timedelta(days=5),
                       voting_closes_at=now + dt.timedelta(days=4))
    assert e.value.field == "voting_closes_at" and "晚于" in e.value.message
    with pytest.raises(ServiceError) as e:
        make_selection(district.fed, votes_per_member=0)
    assert e.value.field == "votes_per_member"
    with pytest.raises(ServiceError) as e:
        make_selection(district.fed, nomination_deadline=now + dt.timedelta(days=6))
    assert e.value.field == "nomination_deadline"


def test_early_close_needs_a_reason_and_is_audited(district, members):
    sel, cs = voting_selection(district.fed, [members["a0"].person])
    with pytest.raises(ServiceError) as e:
        services.close_voting(actor=ROOT, selection=sel)
    assert e.value.field == "reason"
    services.close_voting(actor=ROOT, selection=sel, reason="系统维护，提前结束")
    sel.refresh_from_db()
    assert sel.status == "closed" and sel.voting_closes_at <= timezone.now()
    assert AuditEntry.objects.get(action="talent.selection_close").reason == "系统维护，提前结束"


def test_only_the_organisers_administrators_move_the_selection(district, members):
    sel = make_selection(district.fed, actor=district.users["fed.admin"])
    for who in ("street_a.admin", "fed.reviewer", "fed.viewer"):
        with pytest.raises(PermissionDenied):
            services.open_nomination(actor=district.users[who], selection=sel)
    with pytest.raises(PermissionDenied):
        make_selection(district.street_b, actor=district.users["street_a.admin"])


def test_a_side_bodys_selection_is_voted_by_its_parents_members(district, members):
    from lianxin.orgs import services as orgs
    from lianxin.orgs.models import OrgKind

    women = orgs.create_organization(actor=ROOT, parent=district.street_a, kind=OrgKind.WOMEN, name="白杨街道妇工委")
    sel, cs = voting_selection(women, [members["a0"].person], title="巾帼建功标兵评选", honour_title="巾帼建功标兵")
    assert sel.audience == district.street_a and sel.electorate == 6  # street A's six members, not street B's


def test_announcement_creates_each_winners_honour_once(district, members):
    sel, cs = voting_selection(district.fed, [members[k].person for k in ("a0", "a1", "a2")], winners_count=2,
                               votes_per_member=2, honour_category="model_worker", honour_title="区级劳动模范")
    for voter, picks in (("a3", (0, 1)), ("a4", (0, 1)), ("a5", (0, 2)), ("b0", (1,))):
        for i in picks:
            services.cast_vote(actor=members[voter].user, selection_id=sel.pk, candidate_id=cs[i].pk)
    sel = end_voting(sel)
    services.announce(actor=ROOT, selection=sel)
    hs = Honour.objects.filter(selection=sel)
    assert sorted(hs.values_list("person__name", flat=True)) == ["甲0", "甲1"]
    assert set(hs.values_list("title", "level", "category", "year").distinct()) == {
        ("区级劳动模范", "district", "model_worker", timezone.localdate(sel.voting_closes_at).year)}
    assert all(h.person.is_model_worker for h in hs)  # the register feeds the flag activities and trips read
    assert list(Candidate.objects.filter(selection=sel).order_by("rank").values_list("rank", "votes", "is_winner")) \
        == [(1, 3, True), (1, 3, True), (3, 1, False)]
    with pytest.raises(ServiceError) as e:
        services.announce(actor=ROOT, selection=sel)
    assert e.value.message == "本次评选已公示，不能重复公示"
    assert Honour.objects.filter(selection=sel).count() == 2
    assert AuditEntry.objects.filter(action="talent.honour_add").count() == 2


def test_ties_at_the_last_place_are_all_proposed_and_adjusting_needs_a_reason(district, members):
    sel, cs = voting_selection(district.fed, [members[k].person for k in ("a0", "a1", "a2")], winners_count=1,
                               votes_per_member=1)
    for voter, i in (("a3", 0), ("a4", 1), ("a5", 2), ("b0", 2)):
        services.cast_vote(actor=members[voter].user, selection_id=sel.pk, candidate_id=cs[i].pk)
    sel = end_voting(sel)
    from lianxin.talent.selectors import proposed_winners, ranking

    rows = ranking(sel)
    assert [(c.person.name, c.place, c.tied) for c in rows] == [("甲2", 1, False), ("甲0", 2, True),
                                                                  ("甲1", 2, True)]
    assert [c.pk for c in proposed_winners(sel)] == [cs[2].pk]
    with pytest.raises(ServiceError) as e:
        services.announce(actor=ROOT, selection=sel, winner_ids=[cs[0].pk])
    assert e.value.field == "reason"
    services.announce(actor=ROOT, selection=sel, winner_ids=[cs[0].pk], reason="甲2 事迹核查未通过，经评审会议递补")
    sel.refresh_from_db()
    assert sel.adjust_reason.startswith("甲2")
    entry = AuditEntry.objects.get(action="talent.selection_announce")
    assert entry.detail["adjusted"] is True and entry.detail["winners"] == [cs[0].pk]
    assert entry.detail["proposed"] == [cs[2].pk]
    assert list(Honour.objects.filter(selection=sel).values_list("person_id", flat=True)) == [cs[0].person_id]


def test_announcing_refuses_a_tally_that_does_not_match_the_votes(district, members):
    sel, cs = voting_selection(district.fed, [members["a0"].person])
    services.cast_vote(actor=members["a3"].user, selection_id=sel.pk, candidate_id=cs[0].pk)
    sel = end_voting(sel)
    Candidate.objects.filter(pk=cs[0].pk).update(votes=5)  # a counter edited behind the services' back
    with pytest.raises(ServiceError) as e:
        services.announce(actor=ROOT, selection=sel)
    assert e.value.code == "tally" and not Honour.objects.exists()

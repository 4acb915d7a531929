"""劳动竞赛 rules on both databases: who may enter whom and when, the entrant limits, one entry per person, the
score format, the ranking with its ties, publication, and the titles entering the 劳模工匠库 once; the database
refuses what the services never write."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core.errors import ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT
from lianxin.talent import competitions, services
from lianxin.talent.models import Competition, CompetitionUnion, Contestant, Honour
from lianxin.talent.testing import make_competition, make_member, scored_competition

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def refused(fn, **kw) -> ServiceError:
    with pytest.raises(ServiceError) as e:
        fn(**kw)
    return e.value


def enter(actor, comp, m):
    return competitions.enter_contestant(actor=actor, competition=comp, person=m.person)


def test_creating_checks_every_field_in_chinese(district):
    now = timezone.now()
    base = dict(actor=ROOT, org=district.fed, title="技能竞赛", trade="焊工", level="district", max_entrants=5,
                signup_opens_at=now, signup_closes_at=now + dt.timedelta(days=3), award_title="", award_places=0)
    cases = [({"title": " "}, "title"), ({"trade": ""}, "trade"), ({"level": "moon"}, "level"),
             ({"signup_closes_at": now - dt.timedelta(days=1)}, "signup_closes_at"),
             ({"signup_closes_at": now + dt.timedelta(days=9), "signup_opens_at": now + dt.timedelta(days=10)},
              "signup_closes_at"),
             ({"max_entrants": 0}, "max_entrants"), ({"union_cap": 6}, "union_cap"),
             ({"theory_weight": 101}, "theory_weight"), ({"award_places": 3}, "award_title"),
             ({"award_title": "技术能手"}, "award_places")]
    for change, field in cases:
        e = refused(competitions.create_competition, **{**base, **change})
        assert e.field == field and any("\u4e00" <= ch <= "\u9fff" for ch in e.message), (change, e.message)
    assert not Competition.objects.exists()
    street_admin = district.users["street_a.admin"]
    e = refused(competitions.create_competition, **{**base, "actor": street_admin, "org": district.street_b})
    assert "管理范围" in e.message


def test_union_staff_enter_their_own_members_inside_the_audience_and_window(district, members):
    comp = make_competition(district.street_a, actor=district.users["street_a.admin"])
    base_admin = district.users["base_a1.admin"]
    c = enter(base_admin, comp, members["a0"])
    assert c.union == district.base_a1 and Competition.objects.get(pk=comp.pk).entrants == 1
    assert AuditEntry.objects.filter(action="talent.contestant_enter").count() == 1
    assert refused(enter, actor=base_admin, comp=comp, m=members["a0"]).code == "duplicate"
    # a member of street B: outside base_a1's reach, and outside street A's competition altogether
    assert "管理范围" in refused(enter, actor=base_admin, comp=comp, m=members["b0"]).message
    assert refused(enter, actor=ROOT, comp=comp, m=members["b0"]).code == "out_of_audience"
    assert refused(enter, actor=district.users["street_a.viewer"], comp=comp, m=members["a1"]).message
    outsider = make_member(district.base_a1, "离会")
    from lianxin.members import services as member_services

    member_services.end_membership(actor=ROOT, membership=outsider.membership, reason="退休")
    assert refused(enter, actor=ROOT, comp=comp, m=outsider).code == "not_member"
    Competition.objects.filter(pk=comp.pk).update(signup_closes_at=timezone.now() - dt.timedelta(seconds=1),
                                                  signup_opens_at=timezone.now() - dt.timedelta(days=1))
    assert refused(enter, actor=ROOT, comp=comp, m=members["a1"]).code == "closed"
    assert Competition.objects.get(pk=comp.pk).entrants == 1 == Contestant.objects.count()


def test_the_maximum_and_the_per_union_cap_stop_entries_and_a_withdrawal_frees_both(district, members):
    comp = make_competition(district.fed, max_entrants=3, union_cap=2)
    enter(ROOT, comp, members["a0"])
    c2 = enter(ROOT, comp, members["a1"])
    e = refused(enter, actor=ROOT, comp=comp, m=members["a2"])
    assert e.code == "union_full" and "2 人" in e.message
    enter(ROOT, comp, members["b0"])
    e = refused(enter, actor=ROOT, comp=comp, m=members["b1"])
    assert e.code == "full"
    assert Contestant.objects.filter(competition=comp).count() == 3
    assert CompetitionUnion.objects.get(competition=comp, union=district.base_a1).entrants == 2
    with pytest.raises(ServiceError):
        competitions.withdraw_contestant(actor=ROOT, contestant=c2, reason="")
    competitions.withdraw_contestant(actor=ROOT, contestant=c2, reason="因伤退赛")
    assert Competition.objects.get(pk=comp.pk).entrants == 2
    assert CompetitionUnion.objects.get(competition=comp, union=district.base_a1).entrants == 1
    enter(ROOT, comp, members["a2"])
    assert Competition.objects.get(pk=comp.pk).entrants == 3


def test_scores_are_tenths_from_0_to_100_and_a_bad_row_saves_nothing(district, members):
    assert competitions.parse_score("85", label="理论", field="x") == 850
    assert competitions.parse_score("８５.５", label="理论", field="x") == 855
    assert competitions.parse_score("100", label="理论", field="x") == 1000
    assert competitions.parse_score("0.0", label="理论", field="x") == 0
    for bad in ("", "abc", "85.55", "100.1", "-1", "1e2", "=1+1"):
        with pytest.raises(ServiceError):
            competitions.parse_score(bad, label="理论", field="x")
    comp = make_competition(district.fed)
    a, b = enter(ROOT, comp, members["a0"]), enter(ROOT, comp, members["a1"])
    e = refused(competitions.record_scores, actor=ROOT, competition=comp, scores={a.pk: ("80", "90")})
    assert e.code == "bad_status"
    comp = competitions.close_signup(actor=ROOT, competition=comp)
    e = refused(competitions.record_scores, actor=ROOT, competition=comp,
                scores={a.pk: ("80", "90"), b.pk: ("80", "")})
    assert "甲1的实操成绩" in e.message
    assert not Contestant.objects.filter(total__isnull=False).exists()
    assert competitions.record_scores(actor=ROOT, competition=comp, scores={a.pk: ("80.5", "90")}) == 1
    a.refresh_from_db()
    assert (a.theory, a.practice, a.total) == (805, 900, 805 * 30 + 900 * 70)
    e = refused(competitions.record_scores, actor=district.users["street_a.admin"], competition=comp,
                scores={a.pk: ("1", "1")})
    assert "主办单位" in e.message


def test_the_ranking_breaks_ties_by_practice_and_shares_the_place_otherwise(district, members):
    people = [(members["a0"].person, "90", "80"),  # 83.0
              (members["a1"].person, "70", "90"),  # 84.0
              (members["a2"].person, "80", "86"),  # 84.2
              (members["a3"].person, "84.2", "84.2"),  # 84.2: practice lower than a2's
              (members["a4"].person, "84.2", "84.2"),  # the same as a3: shared place
              (members["a5"].person, "", "")]  # absent
    comp, cs = scored_competition(district.fed, people, award_places=3)
    ranked = competitions.ranking_of(list(Contestant.objects.filter(competition=comp)))
    by = {c.person.name: (c.place, c.is_tied) for c in ranked}
    assert by == {"甲2": (1, False), "甲3": (2, True), "甲4": (2, True), "甲1": (4, False), "甲0": (5, False)}
    comp = competitions.publish_results(actor=ROOT, competition=comp)
    rows = {c.person.name: (c.rank, c.tied) for c in Contestant.objects.filter(competition=comp)
            .select_related("person")}
    assert rows["甲5"] == (None, False) and rows["甲3"] == (2, True)
    e = refused(competitions.publish_results, actor=ROOT, competition=comp)
    assert e.code == "published"
    e = refused(competitions.record_scores, actor=ROOT, competition=comp, scores={cs[0].pk: ("1", "1")})
    assert "已公布" in e.message


def test_confirming_titles_adds_them_to_the_register_through_its_service_once(district, members):
    people = [(members[k].person, t, p) for k, t, p in (("a0", "95", "95"), ("a1", "90", "90"), ("a2", "90", "90"),
                                                         ("a3", "60", "60"), ("b0", "50", "50"))]
    comp, cs = scored_competition(district.fed, people, award_places=2, award_title="技术能手", level="city")
    assert refused(competitions.confirm_awards, actor=ROOT, competition=comp).code == "bad_status"
    comp = competitions.publish_results(actor=ROOT, competition=comp)
    added, skipped = competitions.confirm_awards(actor=ROOT, competition=comp)
    # 1st, and the two tied 2nd (a tie at the last place gets the title for all who share it)
    assert (added, skipped) == (3, [])
    hs = Honour.objects.filter(title="技术能手")
    assert {h.person.name for h in hs} == {"甲0", "甲1", "甲2"}
    h = hs.get(person=members["a0"].person)
    assert (h.category, h.level, h.year, h.awarded_by, h.contestant_id) == (
        "craftsman", "city", timezone.localdate().year, district.fed.name, cs[0].pk)
    assert AuditEntry.objects.filter(action="talent.honour_add", detail__competition=comp.pk).count() == 3
    assert competitions.confirm_awards(actor=ROOT, competition=comp) == (0, [])
    assert Honour.objects.filter(title="技术能手").count() == 3
    assert set(Contestant.objects.filter(awarded=True).values_list("pk", flat=True)) == {c.pk for c in cs[:3]}
    # beneath the service: one honour per contestant
    with pytest.raises(IntegrityError), transaction.atomic():
        Honour.objects.create(person=cs[0].person, union=cs[0].union, title="另一称号", category="craftsman",
                              level="city", year=2020, awarded_by="x", contestant=cs[0])


def test_a_person_already_holding_the_same_title_that_year_is_skipped_not_doubled(district, members):
    services.add_honour(actor=ROOT, person=members["a0"].person, title="技术能手", category="craftsman",
                        level="district", year=timezone.localdate().year, awarded_by="钱塘区总工会")
    comp, _ = scored_competition(district.fed, [(members["a0"].person, "90", "90"),
                                                (members["a1"].person, "80", "80")], award_places=2)
    competitions.publish_results(actor=ROOT, competition=comp)
    assert competitions.confirm_awards(actor=ROOT, competition=comp) == (1, ["甲0"])
    assert Honour.objects.filter(person=members["a0"].person, title="技术能手").count() == 1


def test_the_database_refuses_what_the_services_never_write(district, members):
    comp = make_competition(district.fed, max_entrants=1, union_cap=1, award_places=1)
    c = enter(ROOT, comp, members["a0"])
    for bad in (lambda: Competition.objects.filter(pk=comp.pk).update(entrants=2),
                lambda: CompetitionUnion.objects.filter(competition=comp).update(entrants=2),
                lambda: Contestant.objects.filter(pk=c.pk).update(theory=1001, practice=0, total=0),
                lambda: Contestant.objects.filter(pk=c.pk).update(theory=500),
                lambda: Contestant.objects.filter(pk=c.pk).update(rank=1),
                lambda: Contestant.objects.create(competition=comp, person=members["a0"].person,
                                                  union=district.base_a1)):
        with pytest.raises(IntegrityError), transaction.atomic():
            bad()

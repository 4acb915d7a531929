"""工作台 待办 of 评选表彰 and 劳动竞赛: counted for the one who may act at their own desk, zero for a viewer and for
the other street, gone once done, and the linked page lists the item."""

import pytest

from lianxin.core.testing import staff_page
from lianxin.core.testing import todo_counts as counts
from lianxin.talent import competitions, innovation, services, todos
from lianxin.talent.testing import deeds, make_entry, make_round, make_selection, scored_competition

pytestmark = pytest.mark.django_db




def urls(fn, user) -> dict[str, str]:
    return {t.label: t.url for t in fn(user)}


def test_candidates_wait_for_the_organisers_administrators(district, members, client):
    d = district
    sel = make_selection(d.street_a)
    services.open_nomination(actor=d.users["street_a.admin"], selection=sel)
    c = services.nominate(actor=d.users["base_a1.admin"], selection=sel, person=members["a1"].person,
                          deeds=deeds("甲1"))
    admin = d.users["street_a.admin"]
    assert counts(todos.candidates, admin) == {"待审核的候选人": 1}
    # a viewer of the organiser, the nominating union, the other street and the federation above do not review
    for name in ("street_a.viewer", "street_a.auditor", "base_a1.admin", "street_b.admin", "fed.admin"):
        assert counts(todos.candidates, d.users[name])["待审核的候选人"] == 0, name
    url = urls(todos.candidates, admin)["待审核的候选人"]
    assert url == f"/console/talent/{sel.pk}/?cstatus=pending"
    assert "甲1" in staff_page(client, admin, url)
    services.review_candidate(actor=admin, candidate=c, approve=True)
    assert counts(todos.candidates, admin)["待审核的候选人"] == 0


def test_two_selections_link_to_the_list_of_those_nominating(district, members, client):
    d = district
    admin = d.users["street_a.admin"]
    for title, who in (("2026年度十佳工匠评选", "a1"), ("2026年度最美职工评选", "a2")):
        sel = make_selection(d.street_a, title=title)
        services.open_nomination(actor=admin, selection=sel)
        services.nominate(actor=admin, selection=sel, person=members[who].person, deeds=deeds(who))
    assert counts(todos.candidates, admin)["待审核的候选人"] == 2
    url = urls(todos.candidates, admin)["待审核的候选人"]
    client.force_login(admin)
    html = client.get(url).content.decode()
    assert "2026年度十佳工匠评选" in html and "2026年度最美职工评选" in html


def test_innovation_entries_wait_for_each_judge_until_scored(district, client):
    d = district
    judge = d.users["street_a.viewer"]  # judges are named staff, whatever their role
    rnd = make_round(d.fed)
    e1 = make_entry(rnd, d.base_a1, "快速换模定位夹具")
    make_entry(rnd, d.base_b1, "焊缝自动检测装置")
    innovation.add_judge(actor=d.users["fed.admin"], round=rnd, user=judge)
    assert counts(todos.contest_work, judge)["待我评分的创新成果"] == 0  # not judging yet
    innovation.start_judging(actor=d.users["fed.admin"], round=rnd)
    assert counts(todos.contest_work, judge)["待我评分的创新成果"] == 2
    for name in ("fed.admin", "fed.viewer", "street_b.admin", "street_a.admin"):
        assert counts(todos.contest_work, d.users[name])["待我评分的创新成果"] == 0, name
    url = urls(todos.contest_work, judge)["待我评分的创新成果"]
    assert "快速换模定位夹具" in staff_page(client, judge, url)
    innovation.score_entry(actor=judge, entry=e1, score="88")
    assert counts(todos.contest_work, judge)["待我评分的创新成果"] == 1


def test_a_competition_in_scoring_waits_for_its_organiser(district, members, client):
    d = district
    admin = d.users["street_a.admin"]
    comp, _ = scored_competition(d.street_a, [(members["a1"].person, "80", "90"), (members["a2"].person, "", "")],
                                 actor=admin)
    assert counts(todos.contest_work, admin)["待登记成绩的竞赛"] == 1
    for name in ("street_a.viewer", "street_a.reviewer", "street_b.admin", "fed.admin"):
        assert counts(todos.contest_work, d.users[name])["待登记成绩的竞赛"] == 0, name
    url = urls(todos.contest_work, admin)["待登记成绩的竞赛"]
    assert "甲1" in staff_page(client, admin, url)
    competitions.publish_results(actor=admin, competition=comp)
    assert counts(todos.contest_work, admin)["待登记成绩的竞赛"] == 0

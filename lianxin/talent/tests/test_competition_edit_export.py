"""劳动竞赛: changing a competition during sign-up (the limits never below what is already entered, the unions'
counters rebuilt when the per-union cap changes, raced on PostgreSQL) and the 成绩名单 export (masked, places only
after publication, audited, only for the organiser's staff)."""

import io
from collections import Counter

import pytest
from python_calamine import CalamineWorkbook

from lianxin.core.errors import ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, race
from lianxin.talent import competitions
from lianxin.talent.models import Competition, CompetitionUnion, Contestant
from lianxin.talent.testing import make_competition, make_member, scored_competition


def fields_of(comp, **change):
    d = {k: getattr(comp, k) for k in competitions.EDITABLE}
    d.update(change)
    return d


def update(comp, actor=ROOT, **change):
    return competitions.update_competition(actor=actor, competition=comp, **fields_of(comp, **change))


def enter(comp, m):
    return competitions.enter_contestant(actor=ROOT, competition=comp, person=m.person)


@pytest.mark.django_db
@pytest.mark.pg
class TestEditing:
    def test_the_organiser_changes_the_settings_and_the_audit_says_what(self, district):
        comp = make_competition(district.street_a, actor=district.users["street_a.admin"], max_entrants=5)
        update(comp, actor=district.users["street_a.admin"], title="焊工技能竞赛", max_entrants=8, theory_weight=40)
        comp.refresh_from_db()
        assert (comp.title, comp.max_entrants, comp.theory_weight) == ("焊工技能竞赛", 8, 40)
        entry = AuditEntry.objects.get(action="talent.competition_update")
        assert set(entry.detail["changed"]) == {"title", "max_entrants", "theory_weight"}
        assert entry.detail["changed"]["max_entrants"] == [5, 8]
        update(comp)  # nothing changed: nothing audited
        assert AuditEntry.objects.filter(action="talent.competition_update").count() == 1

    def test_places_never_below_the_entries_and_a_cap_never_below_a_unions_entries(self, district, members):
        comp = make_competition(district.fed, max_entrants=10)
        for k in ("a0", "a1", "a2", "b0"):
            enter(comp, members[k])
        with pytest.raises(ServiceError) as e:
            update(comp, max_entrants=3)
        assert e.value.field == "max_entrants" and "已有 4 人报名" in e.value.message
        with pytest.raises(ServiceError) as e:
            update(comp, union_cap=2)
        assert e.value.field == "union_cap" and district.base_a1.name in e.value.message and "3 人" in e.value.message
        assert Competition.objects.get(pk=comp.pk).union_cap is None and not CompetitionUnion.objects.exists()

    def test_a_cap_set_after_entries_counts_them_so_the_next_entry_stops_at_it(self, district, members):
        comp = make_competition(district.fed, max_entrants=10)
        enter(comp, members["a0"])
        enter(comp, members["a1"])
        update(comp, union_cap=3)
        assert CompetitionUnion.objects.get(competition=comp, union=district.base_a1).entrants == 2
        enter(comp, members["a2"])
        with pytest.raises(ServiceError) as e:
            enter(comp, members["a3"])
        assert e.value.code == "union_full"
        update(Competition.objects.get(pk=comp.pk), union_cap=None)  # lifted: the counters go, entries go on
        assert not CompetitionUnion.objects.exists()
        enter(comp, members["a3"])
        update(Competition.objects.get(pk=comp.pk), union_cap=5)  # set again: counted afresh from the entries
        assert CompetitionUnion.objects.get(competition=comp, union=district.base_a1).entrants == 4

    def test_only_while_sign_up_is_open_and_only_by_the_organiser(self, district, members):
        comp = make_competition(district.street_a, actor=district.users["street_a.admin"])
        with pytest.raises(ServiceError) as e:
            update(comp, actor=district.users["base_a1.admin"], title="改名")
        assert "主办单位" in e.value.message
        enter(comp, members["a0"])
        competitions.close_signup(actor=ROOT, competition=comp)
        with pytest.raises(ServiceError) as e:
            update(Competition.objects.get(pk=comp.pk), title="改名")
        assert e.value.code == "bad_status"

    def test_the_edit_page_by_role(self, client, district):
        comp = make_competition(district.street_a, actor=district.users["street_a.admin"], max_entrants=5)
        url = f"/console/talent/competitions/{comp.pk}/edit/"
        client.force_login(district.users["street_b.admin"])
        assert client.get(url).status_code == 404
        client.force_login(district.users["street_a.viewer"])
        assert client.get(url).status_code == 403
        client.force_login(district.users["street_a.admin"])
        html = client.get(url).content.decode()
        assert "修改竞赛" in html and 'value="5"' in html
        post = {"title": comp.title, "trade": "焊工", "level": "district",
                "signup_opens_at": html.split('name="signup_opens_at"')[1].split('value="')[1].split('"')[0],
                "signup_closes_at": html.split('name="signup_closes_at"')[1].split('value="')[1].split('"')[0],
                "max_entrants": "abc", "theory_weight": 30}
        r = client.post(url, post)
        assert r.status_code == 400 and "整数" in r.content.decode()
        r = client.post(url, {**post, "max_entrants": 12})
        assert r.status_code == 302
        comp.refresh_from_db()
        assert (comp.trade, comp.max_entrants) == ("焊工", 12)
        assert 'id="edit-competition"' in client.get(f"/console/talent/competitions/{comp.pk}/").content.decode()


@pytest.mark.django_db
@pytest.mark.pg
class TestExport:
    def sheet(self, response):
        data = b"".join(response.streaming_content)
        rows = [tuple(None if v == "" else v for v in r)
                for r in CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()]
        return rows[0], rows[1:]

    def test_the_results_list_with_places_after_publication_masked_and_audited(self, client, district, members):
        people = [members["a0"], members["a1"], members["b0"]]
        comp, _ = scored_competition(district.fed, [(people[0].person, "90", "80"), (people[1].person, "90", "80"),
                                                    (people[2].person, "", "")], award_places=1)
        client.force_login(district.users["fed.admin"])
        header, rows = self.sheet(client.get(f"/console/talent/competitions/{comp.pk}/export/"))
        assert header[:4] == ("名次", "并列", "姓名", "身份证号")
        assert all(r[0] is None for r in rows)  # scoring: no places yet
        competitions.publish_results(actor=ROOT, competition=comp)
        competitions.confirm_awards(actor=ROOT, competition=comp)
        header, rows = self.sheet(client.get(f"/console/talent/competitions/{comp.pk}/export/"))
        by_name = {r[2]: r for r in rows}
        a0 = by_name[people[0].person.name]
        assert a0[0] == 1 and a0[1] == "是" and a0[-1] == "技术能手" and a0[-2] == 83.0  # 90 × 30% + 80 × 70%
        assert "*" in a0[3] and people[0].person.id_masked == a0[3]
        assert by_name[people[2].person.name][0] is None and by_name[people[2].person.name][-2] is None
        assert AuditEntry.objects.filter(action="talent.competition_export").count() == 2

    def test_only_the_organisers_staff_may_export(self, client, district, members):
        comp = make_competition(district.street_a, actor=district.users["street_a.admin"])
        enter(comp, members["a0"])
        client.force_login(district.users["base_a1.admin"])  # an entering union: sees the page, not the export
        page = client.get(f"/console/talent/competitions/{comp.pk}/")
        assert page.status_code == 200 and 'id="export-results"' not in page.content.decode()
        assert client.get(f"/console/talent/competitions/{comp.pk}/export/").status_code == 403
        client.force_login(district.users["street_b.admin"])
        assert client.get(f"/console/talent/competitions/{comp.pk}/export/").status_code == 404
        assert not AuditEntry.objects.filter(action="talent.competition_export").exists()


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_a_cap_set_while_one_union_is_entering_holds(district):
    """Either the cap is set and that union ends within it with its counter equal to its entries, or the cap is
    refused because the union already had more."""
    people = [make_member(district.base_a1, f"选手{i}") for i in range(7)]
    comp = make_competition(district.fed, max_entrants=20)
    calls = [lambda m=m: enter(comp, m) for m in people]
    calls.append(lambda: update(Competition.objects.get(pk=comp.pk), union_cap=3))
    results = race(calls, ok_label="ok")
    n = Contestant.objects.filter(competition=comp, union=district.base_a1).count()
    comp.refresh_from_db()
    if comp.union_cap == 3:
        assert n <= 3 and Counter(results)["ok"] == n + 1  # the cap's own call counted as "ok"
        assert CompetitionUnion.objects.get(competition=comp, union=district.base_a1).entrants == n
    else:
        assert "below_union" in results and n > 3
    assert comp.entrants == Contestant.objects.filter(competition=comp).count()

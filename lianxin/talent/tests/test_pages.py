"""The console pages by role and the member H5 pages, through the test client."""

import re

import pytest
from django.utils import timezone

from lianxin.core.models import AuditEntry
from lianxin.core.pagecheck import Page, choice_codes
from lianxin.core.testing import ROOT
from lianxin.talent import services
from lianxin.talent.models import Candidate, Honour, Selection
from lianxin.talent.testing import end_voting, make_member, make_selection, voting_selection

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def chinese_page(html: str) -> None:
    problems = Page(html).problems(choice_codes())
    assert not problems, problems


@pytest.fixture
def voting(district, members):
    return voting_selection(district.fed, [members[k].person for k in ("a0", "a1", "b0")], votes_per_member=2,
                            actor=district.users["fed.admin"])


def test_the_organiser_creates_and_walks_the_selection_through_the_console(client, district, members):
    client.force_login(district.users["fed.admin"])
    r = client.get("/console/talent/new/")
    assert r.status_code == 200 and "新建评选" in r.content.decode()
    chinese_page(r.content.decode())
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    r = client.post("/console/talent/new/", {
        "org": district.fed.pk, "title": "2026年度最美职工评选", "honour_title": "最美职工", "honour_level": "district",
        "honour_category": "exemplary", "description": "说明", "nomination_deadline": (now + timezone.timedelta(days=2)).strftime(fmt),
        "voting_opens_at": (now + timezone.timedelta(days=3)).strftime(fmt),
        "voting_closes_at": (now + timezone.timedelta(days=9)).strftime(fmt), "votes_per_member": 3,
        "winners_count": 10})
    assert r.status_code == 302, r.content.decode()[:2000]
    sel = Selection.objects.get(title="2026年度最美职工评选")
    assert r["Location"] == f"/console/talent/{sel.pk}/"
    html = client.get(r["Location"]).content.decode()
    chinese_page(html)
    assert "开始推荐" in html and sel.get_status_display() in html
    assert client.post(f"/console/talent/{sel.pk}/nominating/").status_code == 302
    html = client.get(f"/console/talent/{sel.pk}/").content.decode()
    assert 'id="nominate-form"' in html and "开始投票" in html


def test_a_street_admin_nominates_on_the_federations_selection(client, district, members):
    sel = services.open_nomination(actor=ROOT, selection=make_selection(district.fed))
    client.force_login(district.users["street_a.admin"])
    html = client.get("/console/talent/").content.decode()
    assert f"/console/talent/{sel.pk}/" in html
    html = client.get(f"/console/talent/{sel.pk}/").content.decode()
    assert 'id="nominate-form"' in html and 'id="open-voting"' not in html  # nominates, does not run it
    deeds = "勤勤恳恳二十年，带出徒弟三十多名，主持技术革新五项，为企业节约成本数百万元。"
    r = client.post(f"/console/talent/{sel.pk}/nominate/", {"who": members["b0"].membership.member_no,
                                                           "deeds": deeds})
    assert r.status_code == 400 and "没有找到此人" in r.content.decode()
    r = client.post(f"/console/talent/{sel.pk}/nominate/", {"who": members["a0"].membership.member_no,
                                                           "deeds": deeds})
    assert r.status_code == 302
    c = Candidate.objects.get(selection=sel)
    assert c.person == members["a0"].person and c.nominated_by == district.users["street_a.admin"]
    # the organiser's page is refused to the street: review and steps are the federation's
    assert client.post(f"/console/talent/{sel.pk}/voting/").status_code == 404
    r = client.post(f"/console/talent/{sel.pk}/candidates/{c.pk}/review/", {"decision": "approve"})
    assert r.status_code == 302
    assert Candidate.objects.get(pk=c.pk).status == "pending"


def test_street_b_does_not_see_street_a_selection(client, district):
    sel = make_selection(district.street_a)
    client.force_login(district.users["street_b.admin"])
    assert f"/console/talent/{sel.pk}/" not in client.get("/console/talent/").content.decode()
    assert client.get(f"/console/talent/{sel.pk}/").status_code == 404


def test_live_tally_and_announcement_in_the_console(client, district, members, voting):
    sel, cs = voting
    for k, i in (("a3", 0), ("a4", 0), ("a5", 1)):
        services.cast_vote(actor=members[k].user, selection_id=sel.pk, candidate_id=cs[i].pk)
    client.force_login(district.users["fed.admin"])
    html = client.get(f"/console/talent/{sel.pk}/").content.decode()
    chinese_page(html)
    assert "实时得票" in html and "已投票 3 人，共 3 票" in html
    client.force_login(district.users["fed.viewer"])
    html = client.get(f"/console/talent/{sel.pk}/").content.decode()
    assert "实时得票" in html and 'id="close-voting"' not in html
    client.force_login(district.users["fed.admin"])
    end_voting(sel)
    r = client.get(f"/console/talent/{sel.pk}/announce/")
    html = r.content.decode()
    chinese_page(html)
    assert r.status_code == 200 and html.count(" checked") == 2  # winners_count=2 by default: 甲0 and 甲1
    r = client.post(f"/console/talent/{sel.pk}/announce/", {"winners": [cs[0].pk]})
    assert r.status_code == 400 and "调整说明" in r.content.decode()
    r = client.post(f"/console/talent/{sel.pk}/announce/", {"winners": [cs[0].pk, cs[1].pk]})
    assert r.status_code == 302
    assert Honour.objects.filter(selection=sel).count() == 2
    r = client.get(f"/console/talent/{sel.pk}/announce/")
    assert r.status_code == 302
    html = client.get(f"/console/talent/{sel.pk}/").content.decode()
    assert "评选结果" in html and "当选" in html


def test_announce_page_is_refused_to_other_roles(client, district, members, voting):
    sel, _ = voting
    end_voting(sel)
    for who in ("fed.viewer", "fed.reviewer", "street_a.admin"):
        client.force_login(district.users[who])
        assert client.get(f"/console/talent/{sel.pk}/announce/").status_code == 403, who
        assert client.post(f"/console/talent/{sel.pk}/announce/").status_code == 403, who
    assert not Honour.objects.exists()


def test_the_honour_register_filters_scopes_and_audits(client, district, members):
    fed_admin = district.users["fed.admin"]
    services.add_honour(actor=fed_admin, person=members["a0"].person, title="杭州市劳动模范", category="model_worker",
                        level="city", year=2024, awarded_by="杭州市人民政府")
    services.add_honour(actor=fed_admin, person=members["b0"].person, title="浙江工匠", category="craftsman",
                        level="province", year=2025, awarded_by="浙江省总工会")
    client.force_login(district.users["street_a.viewer"])
    html = client.get("/console/talent/honours/").content.decode()
    chinese_page(html)
    assert "杭州市劳动模范" in html and "浙江工匠" not in html and members["a0"].person.id_masked in html
    assert 'href="/console/talent/honours/new/"' not in html
    assert client.get("/console/talent/honours/new/").status_code == 403
    client.force_login(fed_admin)
    assert "浙江工匠" in client.get("/console/talent/honours/").content.decode()
    html = client.get("/console/talent/honours/?level=province").content.decode()
    assert "浙江工匠" in html and "杭州市劳动模范" not in html
    html = client.get("/console/talent/honours/?year=2024").content.decode()
    assert "杭州市劳动模范" in html and "浙江工匠" not in html
    html = client.get(f"/console/talent/honours/?union={district.street_b.pk}").content.decode()
    assert "浙江工匠" in html and "杭州市劳动模范" not in html
    html = client.get("/console/talent/honours/?title=工匠").content.decode()
    assert "浙江工匠" in html and "杭州市劳动模范" not in html
    # staff entry by member number; audited
    client.force_login(district.users["street_a.admin"])
    r = client.post("/console/talent/honours/new/", {"who": members["a1"].membership.member_no, "title": "全国技术能手",
                                                     "category": "craftsman", "level": "national", "year": 2023,
                                                     "awarded_by": "人力资源社会保障部"})
    assert r.status_code == 302
    h = Honour.objects.get(title="全国技术能手")
    assert AuditEntry.objects.filter(action="talent.honour_add", object_id=str(h.pk)).exists()
    r = client.post("/console/talent/honours/new/", {"who": members["b1"].membership.member_no, "title": "全国技术能手",
                                                     "category": "craftsman", "level": "national", "year": 2023,
                                                     "awarded_by": "人力资源社会保障部"})
    assert r.status_code == 400 and Honour.objects.count() == 3
    # ending: the street's own, with a reason; street B's is 404
    other = Honour.objects.get(title="浙江工匠")
    assert client.post(f"/console/talent/honours/{other.pk}/end/", {"reason": "录入错误"}).status_code == 404
    client.post(f"/console/talent/honours/{h.pk}/end/", {"reason": ""})
    assert Honour.objects.get(pk=h.pk).status == "active"
    client.post(f"/console/talent/honours/{h.pk}/end/", {"reason": "录入错误"})
    assert Honour.objects.get(pk=h.pk).status == "ended"
    assert AuditEntry.objects.get(action="talent.honour_end").reason == "录入错误"
    html = client.get("/console/talent/honours/?status=ended").content.decode()
    assert "全国技术能手" in html and "已撤销" in html


def test_member_pages(client, district, members, voting):
    sel, cs = voting
    html = client.get("/m/selections/").content.decode()
    chinese_page(html)
    assert f"/m/selections/{sel.pk}/" in html
    html = client.get(f"/m/selections/{sel.pk}/").content.decode()
    chinese_page(html)
    assert "登录后投票" in html and "1号" in html
    assert client.post(f"/m/selections/{sel.pk}/vote/{cs[0].pk}/")["Location"].startswith("/m/login/")
    m = members["a4"]
    client.force_login(m.user)
    html = client.get(f"/m/selections/{sel.pk}/").content.decode()
    assert re.search(r'id="votes-left">2<', html) and f'id="vote-{cs[0].pk}"' in html
    r = client.post(f"/m/selections/{sel.pk}/vote/{cs[0].pk}/", follow=True)
    html = r.content.decode()
    assert "投票成功，您还有 1 票" in html and re.search(rf'id="votes-{cs[0].pk}">1<', html)
    assert f'id="vote-{cs[0].pk}"' not in html and "已投" in html
    client.post(f"/m/selections/{sel.pk}/vote/{cs[1].pk}/")
    html = client.post(f"/m/selections/{sel.pk}/vote/{cs[2].pk}/", follow=True).content.decode()
    assert "您在本次评选中的 2 票已投完" in html
    html = client.get(f"/m/selections/{sel.pk}/candidates/{cs[0].pk}/").content.decode()
    chinese_page(html)
    assert "扎根一线" in html
    assert client.get(f"/m/selections/{sel.pk}/results/")["Location"] == f"/m/selections/{sel.pk}/"
    end_voting(sel)
    services.announce(actor=ROOT, selection=sel)
    html = client.get(f"/m/selections/{sel.pk}/results/").content.decode()
    chinese_page(html)
    assert "当选十佳工匠" in html and "甲0" in html


def test_draft_and_nominating_selections_are_not_public(client, district):
    sel = make_selection(district.fed)
    assert client.get(f"/m/selections/{sel.pk}/").status_code == 404
    assert f"/m/selections/{sel.pk}/" not in client.get("/m/selections/").content.decode()


def test_photos_are_public_only_once_published(client, district, members, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lianxin.content.samples import make_png

    settings.MEDIA_ROOT = tmp_path
    sel = services.open_nomination(actor=ROOT, selection=make_selection(district.fed))
    c = services.nominate(actor=ROOT, selection=sel, person=members["a0"].person,
                          deeds="扎根一线二十年，带领班组攻克多项技术难题，获评岗位能手。",
                          photo=SimpleUploadedFile("p.png", make_png()))
    assert client.get(f"/m/selections/photos/{c.pk}/").status_code == 404
    client.force_login(district.users["street_a.viewer"])
    r = client.get(f"/m/selections/photos/{c.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    client.logout()
    services.review_candidate(actor=ROOT, candidate=c, approve=True)
    from lianxin.talent.testing import start_voting

    start_voting(sel)
    assert client.get(f"/m/selections/photos/{c.pk}/").status_code == 200


def test_member_home_links_to_selections(client, district):
    make_member(district.base_a1, "看首页")
    assert 'href="/m/selections/"' in client.get("/m/").content.decode()


def test_the_new_selection_form_names_the_field_of_each_broken_rule(client, district):
    """Each check constraint of Selection is a message at its field, never "约束 “selection_…” 是无效的"."""
    client.force_login(district.users["fed.admin"])
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    r = client.post("/console/talent/new/", {
        "org": district.fed.pk, "title": "规则检查", "honour_title": "最美职工", "honour_level": "district",
        "honour_category": "exemplary", "description": "说明",
        "nomination_deadline": (now + timezone.timedelta(days=5)).strftime(fmt),
        "voting_opens_at": (now + timezone.timedelta(days=3)).strftime(fmt),
        "voting_closes_at": (now + timezone.timedelta(days=2)).strftime(fmt), "votes_per_member": 101,
        "winners_count": 0})
    html = r.content.decode()
    assert r.status_code != 302 and not Selection.objects.filter(title="规则检查").exists()
    for field, message in (("voting_closes_at", "投票截止时间应晚于投票开始时间"),
                           ("nomination_deadline", "推荐截止时间不能晚于投票开始时间"),
                           ("votes_per_member", "每人票数应为 1 至 100 票"), ("winners_count", "当选人数至少 1 人")):
        assert re.search(rf'id="id_{field}".*?<div class="error">{message}', html, re.S), field
    assert "selection_" not in html and "约束" not in html
    assert "有 4 项需要修改" in html

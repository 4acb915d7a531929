"""劳动竞赛 and 创新成果评审 pages through the test client: the organiser's walk, scoping by role and subtree, bad
input answered in Chinese (never a 500), a judge seeing only their own marks, and the member H5 pages."""

import re

import pytest

from lianxin.core.pagecheck import Page, choice_codes
from lianxin.core.testing import ROOT, make_user
from lianxin.talent import competitions, innovation
from lianxin.talent.models import Competition, Contestant, Honour, InnovationScore
from lianxin.talent.testing import make_competition, make_entry, make_round, scored_competition

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def chinese_page(html: str) -> None:
    problems = Page(html).problems(choice_codes())
    assert not problems, problems


def test_the_organiser_runs_a_competition_through_the_console(client, district, members):
    from django.utils import timezone

    d = district
    client.force_login(d.users["street_a.admin"])
    r = client.get("/console/talent/competitions/new/")
    assert r.status_code == 200
    chinese_page(r.content.decode())
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    data = {"org": d.street_a.pk, "title": "白杨街道焊工技能竞赛", "trade": "焊工", "level": "district",
            "signup_opens_at": (now - timezone.timedelta(hours=1)).strftime(fmt),
            "signup_closes_at": (now + timezone.timedelta(days=5)).strftime(fmt), "max_entrants": "5",
            "union_cap": "", "theory_weight": "40", "award_title": "技术能手", "award_places": "0"}
    r = client.post("/console/talent/competitions/new/", data)
    assert r.status_code == 400 and "授予称号的名额" in r.content.decode()
    r = client.post("/console/talent/competitions/new/", {**data, "award_places": "1"})
    assert r.status_code == 302
    comp = Competition.objects.get()
    # a base union's administrator enters their member by ID number; a wrong number is refused in Chinese
    client.force_login(d.users["base_a1.admin"])
    r = client.post(f"/console/talent/competitions/{comp.pk}/enter/", {"who": "330100199001011234"})
    assert r.status_code == 400 and "没有找到此人" in r.content.decode()
    for k in ("a0", "a1"):
        r = client.post(f"/console/talent/competitions/{comp.pk}/enter/", {"who": members[k].membership.member_no})
        assert r.status_code == 302, re.findall(r'class="error[^>]*>([^<]*)', r.content.decode())
    html = client.get(f"/console/talent/competitions/{comp.pk}/").content.decode()
    assert "甲0" in html and "结束报名" not in html
    chinese_page(html)
    assert client.post(f"/console/talent/competitions/{comp.pk}/close/").status_code == 403
    # street B does not see it at all
    client.force_login(d.users["street_b.admin"])
    assert client.get(f"/console/talent/competitions/{comp.pk}/").status_code == 404
    client.force_login(d.users["street_a.admin"])
    assert client.post(f"/console/talent/competitions/{comp.pk}/close/").status_code == 302
    cs = list(Contestant.objects.filter(competition=comp).order_by("id"))
    url = f"/console/talent/competitions/{comp.pk}/scores/"
    r = client.post(url, {f"theory-{cs[0].pk}": "九十", f"practice-{cs[0].pk}": "80"})
    assert r.status_code == 400 and "甲0的理论成绩" in r.content.decode()
    r = client.post(url, {f"theory-{cs[0].pk}": "90", f"practice-{cs[0].pk}": "80.5",
                          f"theory-{cs[1].pk}": "70", f"practice-{cs[1].pk}": "70"})
    assert r.status_code == 302
    html = client.get(f"/console/talent/competitions/{comp.pk}/").content.decode()
    assert "84.3" in html  # 90 × 40% + 80.5 × 60%
    assert client.post(f"/console/talent/competitions/{comp.pk}/publish/").status_code == 302
    assert client.post(f"/console/talent/competitions/{comp.pk}/award/").status_code == 302
    assert client.post(f"/console/talent/competitions/{comp.pk}/award/").status_code == 302
    assert list(Honour.objects.values_list("person__name", "title")) == [("甲0", "技术能手")]
    html = client.get("/console/talent/honours/").content.decode()
    assert "技术能手" in html and "甲0" in html
    html = client.get(f"/console/talent/competitions/{comp.pk}/").content.decode()
    chinese_page(html)
    assert "已记入劳模工匠库 1 人" in html
    assert client.post(f"/console/talent/competitions/{comp.pk}/nonsense/").status_code == 404


def test_union_staff_see_their_own_contestants_until_publication(client, district, members):
    comp = make_competition(district.fed)
    for k in ("a0", "b0"):
        competitions.enter_contestant(actor=ROOT, competition=comp, person=members[k].person)
    client.force_login(district.users["base_a1.viewer"])
    html = client.get(f"/console/talent/competitions/{comp.pk}/").content.decode()
    assert "甲0" in html and "乙0" not in html
    assert members["a0"].person.id_masked in html
    client.force_login(district.users["fed.viewer"])
    html = client.get(f"/console/talent/competitions/{comp.pk}/").content.decode()
    assert "甲0" in html and "乙0" in html and "报名参赛" not in html


def test_members_see_open_competitions_and_their_own_results(client, district, members):
    comp, cs = scored_competition(district.fed, [(members["a0"].person, "90", "90"),
                                                 (members["a1"].person, "80", "80")], award_places=1,
                                  title="2026年电工技能竞赛")
    open_one = make_competition(district.street_b, title="下沙街道叉车技能竞赛")
    client.force_login(members["a0"].user)
    html = client.get("/m/competitions/").content.decode()
    chinese_page(html)
    assert "2026年电工技能竞赛" in html and "评分中" in html
    assert "下沙街道叉车技能竞赛" not in html  # not in the member's street
    html = client.get(f"/m/competitions/{comp.pk}/").content.decode()
    assert "成绩尚未公布" in html
    competitions.publish_results(actor=ROOT, competition=comp)
    competitions.confirm_awards(actor=ROOT, competition=comp)
    html = client.get(f"/m/competitions/{comp.pk}/").content.decode()
    chinese_page(html)
    assert "第 1 名" in html and "技术能手" in html and "总成绩 90" in html
    assert "/m/competitions/" in client.get("/m/me/").content.decode()
    client.force_login(members["b0"].user)
    assert "下沙街道叉车技能竞赛" in client.get("/m/competitions/").content.decode()
    assert client.get(f"/m/competitions/{comp.pk}/").status_code == 404  # published, not theirs
    assert client.get(f"/m/competitions/{open_one.pk}/").status_code == 200
    assert client.get("/m/competitions/99999/").status_code == 404


def test_a_judge_sees_only_their_own_marks_before_the_close(client, district):
    j1, j2 = make_user("judge1", district.fed, "viewer"), make_user("judge2", district.base_a1, "viewer")
    rnd = make_round(district.fed)
    e = make_entry(rnd, district.base_a1, "快速换模夹具")
    for j in (j1, j2):
        innovation.add_judge(actor=ROOT, round=rnd, user=j)
    innovation.start_judging(actor=ROOT, round=rnd)
    client.force_login(j1)
    r = client.post(f"/console/talent/innovation/{rnd.pk}/entries/{e.pk}/score/", {"score": "abc"})
    assert r.status_code == 302 and not InnovationScore.objects.exists()
    client.post(f"/console/talent/innovation/{rnd.pk}/entries/{e.pk}/score/", {"score": "87"})
    client.force_login(j2)
    client.post(f"/console/talent/innovation/{rnd.pk}/entries/{e.pk}/score/", {"score": "73"})
    html = client.get(f"/console/talent/innovation/{rnd.pk}/scoring/").content.decode()
    chinese_page(html)
    assert 'class="mine">73<' in html and ">87<" not in html
    for who in ("fed.admin", "base_a1.admin"):
        client.force_login(district.users[who])
        html = client.get(f"/console/talent/innovation/{rnd.pk}/").content.decode()
        assert ">87<" not in html and ">73<" not in html and ">2/2<" in html, who
        assert client.get(f"/console/talent/innovation/{rnd.pk}/scoring/").status_code == 403
    client.force_login(district.users["street_b.admin"])
    assert client.get(f"/console/talent/innovation/{rnd.pk}/").status_code == 200  # its organiser is above them
    assert client.get(f"/console/talent/innovation/{rnd.pk}/entries/{e.pk}/").status_code == 404
    client.force_login(district.users["fed.admin"])
    assert client.get(f"/console/talent/innovation/{rnd.pk}/export/").status_code == 302
    assert client.post(f"/console/talent/innovation/{rnd.pk}/close/").status_code == 302
    html = client.get(f"/console/talent/innovation/{rnd.pk}/").content.decode()
    chinese_page(html)
    assert "80.00" in html and "一等奖" in html
    r = client.get(f"/console/talent/innovation/{rnd.pk}/export/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(district.users["base_a1.viewer"])
    assert client.get(f"/console/talent/innovation/{rnd.pk}/export/").status_code == 403


def test_unions_submit_through_the_console_form(client, district):
    rnd = make_round(district.fed)
    client.force_login(district.users["base_a1.admin"])
    url = f"/console/talent/innovation/{rnd.pk}/submit/"
    r = client.get(url)
    assert r.status_code == 200
    chinese_page(r.content.decode())
    data = {"union": district.base_a1.pk, "title": "一种焊缝检测方法", "team": "张三", "category": "invention",
            "summary": "短", "benefit": "abc"}
    r = client.post(url, data)
    assert r.status_code == 400
    r = client.post(url, {**data, "summary": "采用视觉识别快速判断焊缝缺陷，检测效率提升五倍，漏检率降到千分之一以下。"})
    assert r.status_code == 400 and "经济效益" in r.content.decode()
    r = client.post(url, {**data, "summary": "采用视觉识别快速判断焊缝缺陷，检测效率提升五倍，漏检率降到千分之一以下。",
                          "benefit": "50000"})
    assert r.status_code == 302
    client.force_login(district.users["base_a1.viewer"])
    assert client.get(url).status_code == 403

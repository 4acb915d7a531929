"""Console pages of 医疗互助 for each role: the plan list and page (figures of one's own subtree only), a union's
enrolment page, the bulk and single actions (403 for a role that may not change, 404 outside the subtree, nothing
written), the plan form; and the member's /m/mutualaid/."""

import pytest
from django.utils import timezone

from lianxin.core.testing import ROOT, make_person
from lianxin.members import services as members
from lianxin.mutualaid.models import Enrolment, MedicalPlan
from lianxin.workflow import services as workflow

from .helpers import claim, enrolled_member, fund, plan, to_federation

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def admit(union, name):
    p = make_person(union, name)
    members.admit_member(actor=ROOT, person=p, union=union)
    return p


@pytest.fixture
def setup(district):
    d = district
    p = plan(d)
    admit(d.base_a1, "甲会员")
    admit(d.base_a1, "乙会员")
    admit(d.base_b1, "丙会员")
    return d, p


def test_every_role_sees_the_plan_and_only_its_subtree(client, setup):
    d, p = setup
    from lianxin.mutualaid import services

    services.enrol_union(actor=ROOT, plan=p, union=d.base_b1)
    for who, unions, enrolled in (("fed.viewer", [d.base_a1, d.base_b1], 1), ("street_a.auditor", [d.base_a1], 0),
                                  ("base_a1.reviewer", [d.base_a1], 0), ("street_b.admin", [d.base_b1], 1)):
        client.force_login(d.users[who])
        html = client.get("/console/mutualaid/").content.decode()
        assert p.name in html and f'href="/console/mutualaid/{p.pk}/"' in html, who
        r = client.get(f"/console/mutualaid/{p.pk}/")
        assert r.status_code == 200
        html = r.content.decode()
        assert f'<b id="fig-enrolled">{enrolled}</b>' in html, who
        for u in (d.base_a1, d.base_b1):
            assert (f"/console/mutualaid/{p.pk}/unions/{u.pk}/" in html) == (u in unions), (who, u)
            assert client.get(f"/console/mutualaid/{p.pk}/unions/{u.pk}/").status_code == (
                200 if u in unions else 404), (who, u)


def test_buttons_and_actions_by_role(client, setup):
    d, p = setup
    url = f"/console/mutualaid/{p.pk}/unions/{d.base_a1.pk}/"
    for who in ("base_a1.viewer", "base_a1.reviewer", "street_a.auditor", "fed.viewer"):
        client.force_login(d.users[who])
        assert "为本工会全部在册会员参加" not in client.get(url).content.decode(), who
        assert client.post(url + "enrol-all/").status_code == 403, who
    client.force_login(d.users["street_b.admin"])  # another street: the union does not exist for them
    assert client.get(url).status_code == 404
    assert client.post(url + "enrol-all/").status_code == 404
    assert not Enrolment.objects.exists()
    client.force_login(d.users["base_a1.admin"])
    assert "为本工会全部在册会员参加" in client.get(url).content.decode()
    r = client.post(url + "enrol-all/", follow=True)
    assert "已为 2 名在册会员参加" in r.content.decode() and "应缴互助金 60.00 元" in r.content.decode()
    r = client.post(url + "enrol-all/", follow=True)
    assert "此前均已参加（2 名），本次没有新增" in r.content.decode()
    assert Enrolment.objects.count() == 2
    html = client.get(url).content.decode()
    assert '<b id="u-enrolled">2</b>' in html and '<b id="u-owed">60.00</b>' in html
    # one member: withdraw, then enrol again
    e = Enrolment.objects.first()
    assert client.post(url + "withdraw/", {"enrolment": e.pk}).status_code == 302
    assert Enrolment.objects.count() == 1
    assert client.post(url + "enrol/", {"person": e.person_id}).status_code == 302
    assert Enrolment.objects.count() == 2
    # another union's member through this union's address, or the other union's address: 404
    other = Enrolment.objects.create(plan=p, person=admit(d.base_b1, "丁会员"), union=d.base_b1)
    assert client.post(url + "withdraw/", {"enrolment": other.pk}).status_code == 404
    assert client.post(f"/console/mutualaid/{p.pk}/unions/{d.base_b1.pk}/enrol-all/").status_code == 404
    assert client.post(url + "enrol/", {"person": other.person_id}).status_code == 404
    assert Enrolment.objects.count() == 3


def test_plan_form(client, district):
    d = district
    year = timezone.localdate().year
    data = {"org": d.fed.pk, "year": year, "contribution": "30", "deductible": "1,000", "ratio": "60",
            "cap": "20000", "enrol_opens": f"{year}-01-01", "enrol_closes": f"{year}-03-31"}
    client.force_login(d.users["fed.viewer"])
    assert client.get("/console/mutualaid/new/").status_code == 403
    assert "设立互助计划" not in client.get("/console/mutualaid/").content.decode()
    client.force_login(d.users["fed.admin"])
    r = client.post("/console/mutualaid/new/", {**data, "ratio": "150"})
    assert r.status_code == 400 and "补助比例应为 1 至 100 的整数" in r.content.decode()
    r = client.post("/console/mutualaid/new/", {**data, "cap": "abc"})
    assert r.status_code == 400 and "年度最高补助应为以元为单位的数字" in r.content.decode()
    r = client.post("/console/mutualaid/new/", data)
    p = MedicalPlan.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/console/mutualaid/{p.pk}/"
    assert (p.deductible_fen, p.ratio, p.cap_fen, p.contribution_fen) == (100000, 60, 2000000, 3000)
    r = client.post("/console/mutualaid/new/", data)
    assert r.status_code == 400 and "已设立" in r.content.decode()
    client.force_login(d.users["street_a.admin"])  # the federation is not theirs to choose
    r = client.post("/console/mutualaid/new/", {**data, "year": year - 1})
    assert r.status_code == 400 and MedicalPlan.objects.count() == 1


def test_member_page_shows_paid_and_remaining(client, district):
    d = district
    p = plan(d)
    fund(d)
    user = enrolled_member(d, p)
    client.force_login(user)
    html = client.get("/m/mutualaid/").content.decode()
    assert p.name in html and '<b id="paid">0.00</b>' in html and '<b id="remaining">20,000.00</b>' in html
    assert 'href="/m/mutualaid/"' in client.get("/m/services/").content.decode()
    assert 'href="/m/mutualaid/"' in client.get("/m/me/").content.decode()
    app = claim(user)
    workflow.decide(actor=d.users["fed.reviewer"], step_id=to_federation(d, app).pk, decision="approved",
                    approval={"amount": "4200"})
    html = client.get("/m/mutualaid/").content.decode()
    assert '<b id="paid">4,200.00</b>' in html and '<b id="remaining">15,800.00</b>' in html
    assert "杭州市第一人民医院" in html
    assert '<b id="medical-amount">4,200.00</b>' in client.get(f"/m/my/applications/{app.pk}/").content.decode()
    # the reviewer's page says what was paid
    client.force_login(d.users["fed.viewer"])
    assert "核定住院补助 4,200.00 元" in client.get(f"/console/applications/{app.pk}/").content.decode()
    other = enrolled_member(d, p, username="x2")
    from lianxin.mutualaid.models import MedicalAccount

    MedicalAccount.objects.filter(person=other.person).delete()
    Enrolment.objects.filter(person=other.person).delete()
    client.force_login(other)
    assert "您尚未参加" in client.get("/m/mutualaid/").content.decode()


def test_approval_form_shows_the_computed_amount(client, district):
    d = district
    p = plan(d)
    user = enrolled_member(d, p)
    app = claim(user, self_pay="8000")
    to_federation(d, app)
    client.force_login(d.users["fed.reviewer"])
    html = client.get(f"/console/applications/{app.pk}/").content.decode()
    assert 'name="amount" value="4,200.00"' in html
    assert "（个人自付 8,000.00 − 起付线 1,000.00）× 60% = 4,200.00 元" in html

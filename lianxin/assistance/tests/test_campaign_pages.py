"""The 送温暖 console: who sees which campaign and which part of its list, forms answered in Chinese at the field
with what was typed kept, the organiser's approve/pay buttons, the union's visits, the sign sheet."""

import pytest

from lianxin.assistance import services
from lianxin.assistance.models import Recipient

from .helpers import campaign, member

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


@pytest.fixture
def camp(district):
    d = district
    d.c = campaign(d)
    d.a = member(d.base_a1, "赵一")
    d.b = member(d.base_b1, "钱二")
    services.propose_recipient(actor=d.users["street_b.admin"], campaign=d.c, person=d.b, category="migrant",
                               reason="春节留岗")
    return d


def url(d, tail=""):
    return f"/console/assistance/campaigns/{d.c.pk}/{tail}"


def test_everyone_below_sees_the_federations_campaign_but_only_their_part_of_the_list(camp, client):
    d = camp
    client.force_login(d.users["base_a1.viewer"])
    assert d.c.name in client.get("/console/assistance/campaigns/").content.decode()
    page = client.get(url(d)).content.decode()
    assert d.b.name not in page and 'id="decide"' not in page and 'id="propose"' not in page  # read only
    client.force_login(d.users["fed.viewer"])
    page = client.get(url(d)).content.decode()
    assert d.b.name in page and 'id="pay"' not in page
    client.force_login(d.users["fed.admin"])
    page = client.get(url(d)).content.decode()
    assert 'id="pay"' in page and 'id="decide"' in page and d.b.id_masked in page


def test_a_street_campaign_is_invisible_to_the_other_street(camp, client):
    import datetime as dt

    from django.utils import timezone

    from lianxin.core.testing import ROOT

    d = camp
    c2 = services.create_campaign(actor=ROOT, org=d.street_a, name="白杨街道送温暖", standard="300", maximum="500",
                                  budget="3000", deadline=timezone.localdate() + dt.timedelta(days=3))
    client.force_login(d.users["street_b.admin"])
    assert c2.name not in client.get("/console/assistance/campaigns/").content.decode()
    assert client.get(f"/console/assistance/campaigns/{c2.pk}/").status_code == 404
    assert client.post(f"/console/assistance/campaigns/{c2.pk}/pay/").status_code == 404
    assert client.get(f"/console/assistance/campaigns/{c2.pk}/sheet.xlsx").status_code == 404
    assert client.get("/console/assistance/campaigns/x/").status_code == 404


def test_adding_by_id_number_and_refusals_at_the_field(camp, client):
    from lianxin.core import crypto
    from lianxin.members.services import REVEALABLE

    d = camp
    client.force_login(d.users["base_a1.admin"])
    col, context, _ = REVEALABLE["id_number"]
    full = crypto.decrypt(getattr(d.a, col), context=context)
    r = client.post(url(d, "add/"), {"who": full, "category": "frontline", "amount": "2000", "reason": "春节坚守"})
    html = r.content.decode()
    assert r.status_code == 400 and "每人最高" in html and 'value="2000"' in html
    r = client.post(url(d, "add/"), {"who": "赵一", "category": "frontline", "amount": "", "reason": "春节坚守"})
    assert r.status_code == 400 and "完整的身份证号" in r.content.decode()
    r = client.post(url(d, "add/"), {"who": full, "category": "frontline", "amount": "", "reason": "春节坚守"})
    assert r.status_code == 302
    assert Recipient.objects.get(campaign=d.c, person=d.a).amount_fen == 50000
    again = client.post(url(d, "add/"), {"who": full, "category": "frontline", "amount": "", "reason": "春节坚守"})
    assert again.status_code == 400 and "已在本次慰问名单中" in again.content.decode()
    assert full not in client.get(url(d)).content.decode()


def test_organiser_approves_pays_and_union_records_the_visit(camp, client):
    d = camp
    rid = Recipient.objects.get(person=d.b).pk
    client.force_login(d.users["street_b.admin"])
    assert client.post(url(d, "decide/"), {"ids": [rid], "decision": "approve"}).status_code == 403
    client.force_login(d.users["fed.admin"])
    r = client.post(url(d, "decide/"), {"ids": [rid], "decision": "reject", "note": ""})
    assert r.status_code == 400 and "审核意见" in r.content.decode()
    assert client.post(url(d, "decide/"), {"decision": "approve"}).status_code == 400  # nothing ticked
    assert client.post(url(d, "decide/"), {"ids": [rid], "decision": "approve"}).status_code == 302
    r = client.post(url(d, "pay/"), follow=True)
    assert "已向 1 人发放慰问金共 500.00 元" in r.content.decode()
    r = client.post(url(d, "pay/"), follow=True)
    assert "没有已审核待发放" in r.content.decode()
    client.force_login(d.users["street_b.admin"])
    r = client.post(url(d, "deliver/"), {"ids": [rid]}, follow=True)
    assert "已登记送达 1 人" in r.content.decode()
    assert Recipient.objects.get(pk=rid).status == "delivered"
    sheet = client.get(url(d, "sheet.xlsx"))
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxml")


def test_archive_button_and_withdraw(camp, client):
    d = camp
    client.force_login(d.users["street_b.admin"])
    r = client.post(url(d, "archive/"), {"union": d.street_b.pk}, follow=True)
    assert "该工会没有在档的困难职工" in r.content.decode()
    assert client.post(url(d, "archive/"), {"union": d.street_a.pk}).status_code == 400  # not among its choices
    rid = Recipient.objects.get(person=d.b).pk
    client.force_login(d.users["base_a1.admin"])
    assert client.post(url(d, f"recipients/{rid}/withdraw/")).status_code == 404  # outside its subtree
    client.force_login(d.users["street_b.admin"])
    assert client.post(url(d, f"recipients/{rid}/withdraw/")).status_code == 302
    assert not Recipient.objects.filter(pk=rid).exists()


def test_new_campaign_form(district, client):
    from .helpers import fund

    d = district
    client.force_login(d.users["street_a.admin"])
    page = client.get("/console/assistance/campaigns/new/").content.decode()
    assert d.street_a.name in page and d.street_b.name not in page
    form = {"org": d.street_a.pk, "name": "白杨街道送温暖", "standard": "500", "maximum": "800", "budget": "5000",
            "deadline": "2099-01-01"}
    r = client.post("/console/assistance/campaigns/new/", form)
    assert r.status_code == 400 and "两节送温暖资金" in r.content.decode()
    fund(d.street_a, "1000", purpose="warmth")
    r = client.post("/console/assistance/campaigns/new/", {**form, "deadline": "明天"})
    assert r.status_code == 400 and "请填写日期" in r.content.decode()
    r = client.post("/console/assistance/campaigns/new/", form)
    assert r.status_code == 302
    client.force_login(d.users["street_a.viewer"])
    assert client.get("/console/assistance/campaigns/new/").status_code == 403


def test_paid_members_are_told_and_see_it_on_their_page(camp, client):
    from lianxin.accounts.models import User
    from lianxin.core.models import Notification

    d = camp
    u = User.objects.create_user(username="qian", password="x", display_name="钱二")
    u.person = d.b
    u.save()
    rid = Recipient.objects.get(person=d.b).pk
    services.decide_recipients(actor=d.users["fed.admin"], campaign=d.c, ids=[rid], approve=True)
    services.pay_campaign(actor=d.users["fed.admin"], campaign=d.c)
    told = Notification.objects.filter(template="assistance_condolence")
    assert sorted(told.values_list("channel", flat=True)) == ["inapp", "sms"]
    assert "慰问金 500.00 元已发放" in told.get(channel="inapp").body and told.get(channel="inapp").user == u
    client.force_login(u)
    page = client.get("/m/me/").content.decode()
    assert 'id="my-aid"' in page and d.c.name in page and "500.00 元" in page

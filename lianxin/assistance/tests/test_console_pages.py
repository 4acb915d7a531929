"""The assistance console: funds and ledgers scoped to the subtree (404 outside), money in only for the fund's
administrators, refused input answered in Chinese at the field with nothing written, the archive masked."""

import pytest

from lianxin.assistance import services
from lianxin.assistance.models import HardshipFile, LedgerEntry
from lianxin.core.testing import ROOT
from lianxin.workflow import services as workflow

from .helpers import apply, fund, to_last_level

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


@pytest.fixture
def paid(district):
    """The federation's fund and street_b's, and one paid hardship application of base_a1 (street_a)."""
    d = district
    d.fund = fund(d.fed, "10000")
    d.fund_b = fund(d.street_b, "500")
    app, user = apply(d)
    workflow.decide(actor=d.users["fed.reviewer"], step_id=to_last_level(d, app).pk, decision="approved",
                    approval={"amount": "1200", "level": "deep"})
    d.app, d.member = app, user
    d.file = HardshipFile.objects.get(person=user.person)
    return d


def test_lists_are_scoped(paid, client):
    d = paid
    client.force_login(d.users["street_a.viewer"])
    funds = client.get("/console/assistance/").content.decode()
    r = client.get("/console/assistance/funds/")  # the shortened address of a fund page
    assert r.status_code == 302 and r["Location"] == "/console/assistance/"
    assert d.fund_b.name not in funds and d.fund.name not in funds  # the federation's fund is above street_a
    assert client.get(f"/console/assistance/funds/{d.fund_b.pk}/").status_code == 404
    assert client.get(f"/console/assistance/funds/{d.fund.pk}/").status_code == 404
    files = client.get("/console/assistance/files/").content.decode()
    assert d.member.person.name in files  # the file sits with base_a1, inside street_a
    client.force_login(d.users["street_b.viewer"])
    assert d.member.person.name not in client.get("/console/assistance/files/").content.decode()
    assert client.get(f"/console/assistance/files/{d.file.pk}/").status_code == 404
    client.force_login(d.users["fed.auditor"])
    page = client.get(f"/console/assistance/funds/{d.fund.pk}/").content.decode()
    assert d.app.number in page and "8,800.00" in page and 'id="allocate"' not in page  # read only


def test_the_archive_shows_masked_identities_only(paid, client):
    """The full number is never on these pages (revealing it is the people page's audited action)."""
    d = paid
    client.force_login(d.users["fed.admin"])
    from lianxin.core import crypto
    from lianxin.members.services import REVEALABLE

    person = d.member.person
    col, context, _label = REVEALABLE["id_number"]
    full = crypto.decrypt(getattr(person, col), context=context)
    assert len(full) == 18 and "*" in person.id_masked
    for url in ("/console/assistance/files/", f"/console/assistance/files/{d.file.pk}/"):
        html = client.get(url).content.decode()
        assert person.id_masked in html and "1,200.00" in html and full not in html


def test_allocating_money(paid, client):
    d = paid
    client.force_login(d.users["fed.admin"])
    r = client.post(f"/console/assistance/funds/{d.fund.pk}/allocate/", {"amount": "2,000.50", "memo": "追加预算"})
    assert r.status_code == 302
    assert services.balance(d.fund) == 1000000 - 120000 + 200050
    before = LedgerEntry.objects.count()
    for data, message in (({"amount": "1.001", "memo": "追加"}, "最多精确到分"), ({"amount": "abc", "memo": "追加"},
                          "应为以元为单位的数字"), ({"amount": "100", "memo": "x"}, "请填写资金来源")):
        r = client.post(f"/console/assistance/funds/{d.fund.pk}/allocate/", data)
        assert r.status_code == 400 and message in r.content.decode()
        assert f'value="{data["amount"]}"' in r.content.decode()  # what was typed stays
    assert LedgerEntry.objects.count() == before
    client.force_login(d.users["fed.reviewer"])
    assert client.post(f"/console/assistance/funds/{d.fund.pk}/allocate/",
                       {"amount": "1", "memo": "审核员"}).status_code == 403
    client.force_login(d.users["street_a.admin"])
    assert client.post(f"/console/assistance/funds/{d.fund.pk}/allocate/",
                       {"amount": "1", "memo": "街道"}).status_code == 404
    assert LedgerEntry.objects.count() == before


def test_setting_up_a_fund(district, client):
    d = district
    client.force_login(d.users["street_a.admin"])
    page = client.get("/console/assistance/funds/new/").content.decode()
    assert d.street_a.name in page and d.street_b.name not in page and d.fed.name not in page
    from django.utils import timezone

    year = timezone.localdate().year
    r = client.post("/console/assistance/funds/new/", {"org": d.street_a.pk, "year": year, "purpose": "hardship"})
    assert r.status_code == 302
    again = client.post("/console/assistance/funds/new/", {"org": d.street_a.pk, "year": year, "purpose": "hardship"})
    assert again.status_code == 400 and "已设立" in again.content.decode()
    other = client.post("/console/assistance/funds/new/", {"org": d.street_a.pk, "year": year, "purpose": "warmth"})
    assert other.status_code == 302 and "两节送温暖" in client.get(other["Location"]).content.decode()
    assert client.post("/console/assistance/funds/new/", {"org": d.street_b.pk, "year": year, "purpose": "hardship"}).status_code == 400


def test_closing_a_file(paid, client):
    d = paid
    client.force_login(d.users["base_a1.admin"])
    r = client.post(f"/console/assistance/files/{d.file.pk}/close/", {"reason": ""})
    assert r.status_code == 400 and "必填" in r.content.decode()
    r = client.post(f"/console/assistance/files/{d.file.pk}/close/", {"reason": "已再就业，家庭收入稳定"})
    assert r.status_code == 302
    d.file.refresh_from_db()
    assert d.file.closed_at is not None
    assert "已脱困" in client.get("/console/assistance/files/?status=closed").content.decode()
    client.force_login(d.users["base_a1.viewer"])
    assert client.post(f"/console/assistance/files/{d.file.pk}/close/", {"reason": "查看员"}).status_code == 403


def test_fund_for_walks_up_the_tree(district):
    d = district
    assert services.fund_for(d.base_a1) is None
    f = fund(d.fed, "")
    assert services.fund_for(d.base_a1) == f
    j = services.create_fund(actor=ROOT, org=d.joint_a, year=f.year)
    assert services.fund_for(d.base_a1) == j and services.fund_for(d.base_b1) == f


def test_ledger_export_is_scoped(paid, client):
    d = paid
    client.force_login(d.users["street_a.viewer"])
    assert client.get(f"/console/assistance/funds/{d.fund.pk}/ledger.xlsx").status_code == 404  # above street_a
    client.force_login(d.users["fed.auditor"])
    r = client.get(f"/console/assistance/funds/{d.fund.pk}/ledger.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    assert b"".join(r.streaming_content)[:2] == b"PK"

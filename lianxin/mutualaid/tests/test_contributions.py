"""互助金到账: the organiser records what a union paid in for its enrolled people. Each payment is one allocate entry
of the organiser's 职工医疗互助 fund; a union never pays in more than its enrolment comes to (enrolled × the
contribution), not even with two clerks recording the same bank slip at the same instant; a person whose
union's payment would then exceed what it owes cannot be withdrawn; only the organiser records."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from lianxin.assistance import services as assistance
from lianxin.assistance.models import LedgerEntry
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, make_user, race
from lianxin.mutualaid import selectors, services
from lianxin.mutualaid.models import Contribution, Enrolment

from .helpers import fund, plan
from .test_enrolment import live

TODAY = timezone.localdate


def enrolled(d, n=3):
    p = plan(d)
    live(d.base_a1, n)
    services.enrol_union(actor=ROOT, plan=p, union=d.base_a1)
    return p


@pytest.mark.django_db
@pytest.mark.pg
def test_payments_go_into_the_fund_and_never_exceed_what_is_owed(district):
    d = district
    p, f = enrolled(d), fund(d, amount=None)  # owed 3 × 30 = 90 yuan; the fund starts empty
    clerk = d.users["fed.admin"]
    c = services.record_contribution(actor=clerk, plan=p, union=d.base_a1, amount="60", received_on=TODAY(),
                                     memo="回单 0012")
    assert (c.amount_fen, c.entry.kind, c.entry.amount_fen, c.entry.fund_id) == (6000, "allocate", 6000, f.pk)
    assert assistance.balance(f) == 6000 and "回单 0012" in c.entry.memo and d.base_a1.name in c.entry.memo
    assert selectors.union_totals(plan=p, union=d.base_a1) | {} == {
        "enrolled": 3, "live": 3, "owed_fen": 9000, "paid_in_fen": 6000, "due_fen": 3000}
    assert AuditEntry.objects.filter(action="mutualaid.contribution").get().detail["paid_in"] == "60.00"
    with pytest.raises(ServiceError) as e:
        services.record_contribution(actor=clerk, plan=p, union=d.base_a1, amount="30.01", received_on=TODAY())
    assert e.value.code == "over_owed" and "本次最多登记 30.00 元" in e.value.message
    services.record_contribution(actor=clerk, plan=p, union=d.base_a1, amount="30", received_on=TODAY())
    assert selectors.union_totals(plan=p, union=d.base_a1)["due_fen"] == 0
    assert selectors.plan_figures(actor=d.users["fed.viewer"], plan=p)["paid_in_fen"] == 9000
    assert selectors.plan_figures(actor=d.users["street_b.viewer"], plan=p)["paid_in_fen"] == 0  # own subtree only


@pytest.mark.django_db
@pytest.mark.parametrize("amount,when,field,message", [
    ("0", None, "amount", "到账金额应大于 0"),
    ("-5", None, "amount", "到账金额应大于 0"),
    ("abc", None, "amount", "到账金额应为以元为单位的数字"),
    ("1.234", None, "amount", "最多精确到分"),
    ("10", "tomorrow", "received_on", "到账日期不能晚于今天"),
    ("10", "long ago", "received_on", "到账日期应在"),
])
def test_bad_input_is_refused_in_chinese_and_writes_nothing(district, amount, when, field, message):
    d = district
    p, f = enrolled(d), fund(d, amount=None)
    received = {None: TODAY(), "tomorrow": TODAY() + dt.timedelta(days=1),
                "long ago": dt.date(p.year - 3, 1, 1)}[when]
    with pytest.raises(ServiceError) as e:
        services.record_contribution(actor=ROOT, plan=p, union=d.base_a1, amount=amount, received_on=received)
    assert e.value.field == field and message in e.value.message
    assert not Contribution.objects.exists() and not LedgerEntry.objects.filter(fund=f).exists()


@pytest.mark.django_db
def test_only_the_organiser_records_and_only_for_unions_under_the_plan(district):
    d = district
    p = enrolled(d)
    fund(d, amount=None)
    for who in ("base_a1.admin", "street_a.admin", "fed.viewer"):  # the paying union itself, a street, a viewer
        with pytest.raises(PermissionDenied):
            services.record_contribution(actor=d.users[who], plan=p, union=d.base_a1, amount="10",
                                         received_on=TODAY())
    street_plan = plan(d, org=d.street_a)
    with pytest.raises(ServiceError) as e:
        services.record_contribution(actor=ROOT, plan=street_plan, union=d.base_b1, amount="10", received_on=TODAY())
    assert e.value.field == "union" and "不在" in e.value.message
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_a_union_with_no_one_enrolled_owes_nothing(district):
    d = district
    p = plan(d)
    fund(d, amount=None)
    with pytest.raises(ServiceError) as e:
        services.record_contribution(actor=ROOT, plan=p, union=d.base_b1, amount="30", received_on=TODAY())
    assert e.value.code == "over_owed" and "应缴互助金 0.00 元" in e.value.message


@pytest.mark.django_db
@pytest.mark.pg
def test_withdrawal_may_not_leave_the_union_paid_beyond_what_it_owes(district):
    d = district
    p = enrolled(d, 2)
    fund(d, amount=None)
    services.record_contribution(actor=ROOT, plan=p, union=d.base_a1, amount="60", received_on=TODAY())
    e = Enrolment.objects.filter(plan=p).first()
    with pytest.raises(ServiceError) as err:
        services.withdraw_member(actor=d.users["base_a1.admin"], enrolment=e)
    assert err.value.code == "paid_in" and "已缴将多于应缴" in err.value.message
    assert Enrolment.objects.filter(plan=p).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_two_clerks_recording_the_same_slip_at_once_record_it_once(district):
    d = district
    p = enrolled(d, 3)
    f = fund(d, amount=None)
    clerks = [d.users["fed.admin"], make_user("fed.admin2", d.fed, "admin")]
    results = race([lambda c=c: services.record_contribution(actor=c, plan=p, union=d.base_a1, amount="90",
                                                             received_on=TODAY())
                    for c in clerks], ok_label="ok")
    assert connection.vendor == "postgresql"
    assert sorted(results) == ["ok", "over_owed"]
    assert Contribution.objects.count() == 1 and assistance.balance(f) == 9000
    assert LedgerEntry.objects.filter(fund=f).count() == 1


@pytest.mark.django_db
def test_the_union_page_records_a_payment_for_the_organiser_only(client, district):
    d = district
    p = enrolled(d, 3)
    f = fund(d, amount=None)
    url = f"/console/mutualaid/{p.pk}/unions/{d.base_a1.pk}/"
    client.force_login(d.users["base_a1.admin"])
    page = client.get(url).content.decode()
    assert 'id="u-due"' in page and "contribution-form" not in page
    assert client.post(url + "contributions/", {"amount": "90", "received_on": TODAY().isoformat()}).status_code == 403
    client.force_login(d.users["fed.admin"])
    page = client.get(url).content.decode()
    assert 'id="contribution-form"' in page and 'value="90.00"' in page  # offered: what is still due
    r = client.post(url + "contributions/", {"amount": "100", "received_on": TODAY().isoformat()})
    assert r.status_code == 400 and "本次最多登记 90.00 元" in r.content.decode()
    r = client.post(url + "contributions/", {"amount": "90", "received_on": TODAY().isoformat(), "memo": "回单"})
    assert r.status_code == 302 and assistance.balance(f) == 9000
    page = client.get(url).content.decode()
    assert 'id="contributions"' in page and "回单" in page and f.name in page
    detail = client.get(f"/console/mutualaid/{p.pk}/").content.decode()
    assert 'id="fig-paid-in">90.00<' in detail

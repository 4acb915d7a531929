"""The fund ledger (DESIGN rule 5): integer fen, append-only, the balance derived from the entries, never below
zero — held by the database itself, and under concurrent writers on PostgreSQL."""

import pytest
from django.db import IntegrityError, connection, transaction

from lianxin.assistance import services
from lianxin.assistance.models import LedgerEntry
from lianxin.core.errors import ServiceError
from lianxin.core.testing import ROOT, race

from .helpers import apply, fund, to_last_level


@pytest.mark.parametrize("text, fen", [("1000", 100000), ("1,000.5", 100050), ("１２３.４５", 12345), ("0.01", 1),
                                       (" 88元 ", 8800), ("¥1,234,567.89", 123456789), (250, 25000)])
def test_amounts_in_yuan(text, fen):
    assert services.parse_yuan(text) == fen


@pytest.mark.parametrize("text, message", [("", "应为以元为单位的数字"), ("abc", "应为以元为单位的数字"),
                                           ("1e5", "应为以元为单位的数字"), ("-5", "应大于 0"),
                                           ("0", "应大于 0"), ("0.001", "最多精确到分"), ("99999999999", "过大")])
def test_bad_amounts_in_chinese(text, message):
    with pytest.raises(ServiceError) as e:
        services.parse_yuan(text)
    assert message in e.value.message


def test_yuan_display():
    assert services.yuan(123456789) == "1,234,567.89" and services.yuan(-5) == "-0.05" and services.yuan(0) == "0.00"


@pytest.mark.django_db
@pytest.mark.pg
def test_allocations_accumulate_and_are_audited(district):
    f = fund(district.fed, "")
    services.allocate(actor=ROOT, fund=f, amount="100", memo="预算")
    services.allocate(actor=ROOT, fund=f, amount="0.5", memo="捐赠")
    assert services.balance(f) == 10050
    assert list(LedgerEntry.objects.filter(fund=f).order_by("seq").values_list("seq", "balance_after_fen")) == [
        (1, 10000), (2, 10050)]
    with pytest.raises(ServiceError) as e:
        services.allocate(actor=district.users["street_a.admin"], fund=f, amount="1", memo="越权")
    assert "管理员" in e.value.message or "范围" in e.value.message
    with pytest.raises(ServiceError):
        services.allocate(actor=ROOT, fund=f, amount="1", memo="")


@pytest.mark.django_db
@pytest.mark.pg
def test_one_fund_per_org_and_year(district):
    f = fund(district.fed, "")
    with pytest.raises(ServiceError) as e:
        services.create_fund(actor=ROOT, org=district.fed, year=f.year)
    assert "已设立" in e.value.message


@pytest.mark.django_db
@pytest.mark.pg
def test_the_database_refuses_what_the_service_would(district):
    """Written past the service: a negative balance, a sign that does not match, a second entry in the same
    place of the sequence, a payment to nobody."""
    f = fund(district.fed, "10")
    bad = [dict(seq=2, kind="allocate", amount_fen=-100, balance_after_fen=900),
           dict(seq=2, kind="allocate", amount_fen=100, balance_after_fen=-1),
           dict(seq=1, kind="allocate", amount_fen=100, balance_after_fen=1100),
           dict(seq=2, kind="disburse", amount_fen=-100, balance_after_fen=900)]
    for fields in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerEntry.objects.create(fund=f, memo="绕过服务", **fields)
    assert services.balance(f) == 1000


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_concurrent_allocations_queue_and_all_count(district):
    f = fund(district.fed, "")
    results = race([lambda i=i: services.allocate(actor=ROOT, fund=f, amount=str(100 + i), memo="并发拨入")
                    for i in range(6)], ok_label="ok")
    assert results == ["ok"] * 6
    seqs = list(LedgerEntry.objects.filter(fund=f).order_by("seq").values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4, 5, 6]
    assert services.balance(f) == sum(100 + i for i in range(6)) * 100


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_two_approvals_racing_for_the_last_money(district):
    """The fund holds 1,500 yuan; two applications of 1,000 each are approved at the same instant by two
    reviewers: exactly one is paid, the other is refused and its step stays open; the balance is 500."""
    from lianxin.accounts.models import StaffRole
    from lianxin.core.testing import make_user
    from lianxin.workflow import services as workflow

    d = district
    f = fund(d.fed, "1500")
    steps = []
    for i in range(2):
        app, _u = apply(d, username=f"racer{i}")
        steps.append(to_last_level(d, app).pk)
    second = make_user("fed.reviewer2", d.fed, "reviewer")
    assert StaffRole.objects.filter(user=second).exists()
    reviewers = [d.users["fed.reviewer"], second]
    results = race([lambda s=s, r=r: workflow.decide(actor=r, step_id=s, decision="approved",
                                                     approval={"amount": "1000", "level": "ordinary"})
                    for s, r in zip(steps, reviewers, strict=True)], ok_label="paid")
    assert sorted(results) == ["insufficient_funds", "paid"]
    assert services.balance(f) == 50000
    assert LedgerEntry.objects.filter(kind="disburse").count() == 1
    from lianxin.workflow.models import Step

    assert Step.objects.filter(pk__in=steps, decision__isnull=True).count() == 1
    assert connection.vendor == "postgresql"

"""两节送温暖: unions put their members forward, the organiser approves and pays them all at once from the
campaign's fund, the unions record the visits. The rules the database holds — one person once per campaign,
never past the budget, never below the fund's balance, one payment per person — are proved here, under
concurrent writers on PostgreSQL."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.assistance import services
from lianxin.assistance.models import Campaign, LedgerEntry, Recipient
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.testing import ROOT, race

from .helpers import apply, campaign, fund, member, to_last_level

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def propose(d, c, person, who="base_a1.admin", **kw):
    kw.setdefault("category", "frontline")
    kw.setdefault("reason", "春节坚守岗位")
    return services.propose_recipient(actor=d.users[who], campaign=c, person=person, **kw)


def test_setting_up_needs_a_funded_purpose_and_sane_amounts(district):
    d = district
    with pytest.raises(ServiceError) as e:  # no 两节送温暖 fund anywhere up the tree (a hardship one does not count)
        fund(d.fed, "1000")
        services.create_campaign(actor=ROOT, org=d.street_a, name="白杨街道送温暖", standard="500", maximum="800",
                                 budget="5000", deadline=timezone.localdate())
    assert "两节送温暖资金" in e.value.message
    fund(d.fed, "1000", purpose="warmth")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    bad = [({"standard": "500", "maximum": "300"}, "maximum", "不能低于慰问标准"),
           ({"budget": "100"}, "budget", "预算不能低于"),
           ({"deadline": timezone.localdate() - dt.timedelta(days=1)}, "deadline", "不能早于今天"),
           ({"name": "春"}, "name", "4 至 100"),
           ({"standard": "abc"}, "standard", "以元为单位")]
    for change, field, message in bad:
        args = {"name": "白杨街道送温暖", "standard": "500", "maximum": "800", "budget": "5000", "deadline": tomorrow,
                **change}
        with pytest.raises(ServiceError) as e:
            services.create_campaign(actor=ROOT, org=d.street_a, **args)
        assert (e.value.field, message in e.value.message) == (field, True)
    with pytest.raises(PermissionDenied):  # a street cannot organise for the federation
        services.create_campaign(actor=d.users["street_a.admin"], org=d.fed, name="区总工会送温暖", standard="500",
                                 maximum="800", budget="5000", deadline=tomorrow)
    c = services.create_campaign(actor=d.users["street_a.admin"], org=d.street_a, name="白杨街道送温暖",
                                 standard="500", maximum="800", budget="5000", deadline=tomorrow)
    assert c.fund.org == d.fed and c.fund.purpose == "warmth"  # the nearest ancestor's fund pays


def test_proposing_is_scoped_once_per_person_and_within_the_maximum(district):
    d = district
    c = campaign(d)
    a, b = member(d.base_a1, "赵一"), member(d.base_b1, "钱二")
    r = propose(d, c, a)
    assert (r.union, r.amount_fen, r.status) == (d.base_a1, 50000, "proposed")  # the standard when none is given
    with pytest.raises(ServiceError) as e:
        propose(d, c, a, who="street_a.admin")
    assert e.value.code == "duplicate" and "杭州甲科技有限公司工会已报送" in e.value.message
    with pytest.raises(PermissionDenied):  # base_a1's administrator cannot put forward street_b's member
        propose(d, c, b)
    with pytest.raises(ServiceError) as e:
        propose(d, c, b, who="street_b.admin", amount="1000.01")
    assert e.value.field == "amount" and "每人最高 1,000.00" in e.value.message
    with pytest.raises(ServiceError):
        propose(d, c, b, who="street_b.admin", reason="")
    with pytest.raises(ServiceError):
        propose(d, c, b, who="street_b.admin", category="vip")
    outsider = member(d.base_b1, "孙三")
    from lianxin.members.models import Membership
    from lianxin.members.services import end_membership

    end_membership(actor=ROOT, membership=Membership.objects.get(person=outsider, status="member"), reason="离职")
    with pytest.raises(ServiceError) as e:
        propose(d, c, outsider, who="street_b.admin")
    assert "不是在册会员" in e.value.message
    assert Recipient.objects.filter(campaign=c).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the rule past the service
        Recipient.objects.create(campaign=c, person=a, union=d.base_a1, category="other", amount_fen=1, reason="x")


def test_street_campaigns_stay_in_their_street(district):
    d = district
    fund(d.street_a, "5000", purpose="warmth")
    c = services.create_campaign(actor=d.users["street_a.admin"], org=d.street_a, name="白杨街道送温暖",
                                 standard="300", maximum="500", budget="3000",
                                 deadline=timezone.localdate() + dt.timedelta(days=3))
    with pytest.raises(ServiceError) as e:
        services.propose_recipient(actor=ROOT, campaign=c, person=member(d.base_b1), category="other", reason="慰问")
    assert "不在白杨街道总工会范围内" in e.value.message


def test_after_the_deadline_or_closing_nothing_is_proposed(district):
    d = district
    c = campaign(d)
    Campaign.objects.filter(pk=c.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ServiceError) as e:
        propose(d, c, member(d.base_a1))
    assert "截止" in e.value.message
    Campaign.objects.filter(pk=c.pk).update(deadline=timezone.localdate())
    services.close_campaign(actor=d.users["fed.admin"], campaign=c)
    with pytest.raises(ServiceError) as e:
        propose(d, c, member(d.base_a1, "周四"))
    assert "已结束" in e.value.message


def test_the_hardship_archive_is_put_forward_once(district):
    d = district
    fund(d.fed, "10000")
    app, user = apply(d)
    from lianxin.workflow import services as workflow

    workflow.decide(actor=d.users["fed.reviewer"], step_id=to_last_level(d, app).pk, decision="approved",
                    approval={"amount": "800", "level": "deep"})
    member(d.base_a1, "无档职工")  # a member with no file is not put forward, nor one whose file is closed
    app2, user2 = apply(d, username="member2")
    workflow.decide(actor=d.users["fed.reviewer"], step_id=to_last_level(d, app2).pk, decision="approved",
                    approval={"amount": "500", "level": "ordinary"})
    from lianxin.assistance.models import HardshipFile

    services.close_file(actor=ROOT, file=HardshipFile.objects.get(person=user2.person), reason="已再就业")
    c = campaign(d)
    admin = d.users["street_a.admin"]
    assert services.propose_from_archive(actor=admin, campaign=c, union=d.street_a) == (1, 0)
    r = Recipient.objects.get(campaign=c)
    assert (r.person, r.category, r.amount_fen, r.union) == (user.person, "hardship", 50000, d.base_a1)
    assert "深度困难" in r.reason
    assert services.propose_from_archive(actor=admin, campaign=c, union=d.street_a) == (0, 1)  # idempotent
    assert services.propose_from_archive(actor=d.users["street_b.admin"], campaign=c, union=d.street_b) == (0, 0)
    with pytest.raises(PermissionDenied):
        services.propose_from_archive(actor=d.users["street_b.admin"], campaign=c, union=d.street_a)


def test_approve_pay_deliver(district):
    d = district
    c = campaign(d, fund_amount="3000", budget="2500")
    rs = [propose(d, c, member(d.base_a1, n), amount=amt) for n, amt in (("甲", "500"), ("乙", "800"), ("丙", ""))]
    fed = d.users["fed.admin"]
    with pytest.raises(PermissionDenied):  # the proposing street may not approve the federation's list
        services.decide_recipients(actor=d.users["street_a.admin"], campaign=c, ids=[rs[0].pk], approve=True)
    with pytest.raises(ServiceError) as e:
        services.decide_recipients(actor=fed, campaign=c, ids=[rs[2].pk], approve=False)
    assert e.value.field == "note"
    assert services.decide_recipients(actor=fed, campaign=c, ids=[rs[2].pk], approve=False, note="不符合条件") == 1
    assert services.decide_recipients(actor=fed, campaign=c, ids=[r.pk for r in rs], approve=True) == 3
    assert services.decide_recipients(actor=fed, campaign=c, ids=[r.pk for r in rs], approve=True) == 0  # again
    n, fen = services.pay_campaign(actor=fed, campaign=c)
    assert (n, fen) == (3, 180000)
    c.refresh_from_db()
    assert c.paid_fen == 180000
    entries = LedgerEntry.objects.filter(fund=c.fund, kind="disburse").order_by("seq")
    assert [(e.person_id, -e.amount_fen, e.recipient_id) for e in entries] == [
        (r.person_id, r.amount_fen, r.pk) for r in Recipient.objects.filter(campaign=c).order_by("pk")]
    assert services.balance(c.fund) == 300000 - 180000
    assert list(entries.values_list("balance_after_fen", flat=True)) == [250000, 170000, 120000]
    with pytest.raises(ServiceError):  # nobody left to pay
        services.pay_campaign(actor=fed, campaign=c)
    with pytest.raises(ServiceError):  # paid people cannot be withdrawn
        services.withdraw_recipient(actor=d.users["base_a1.admin"], recipient=rs[0])
    assert services.mark_delivered(actor=d.users["street_b.admin"], campaign=c, ids=[rs[0].pk]) == 0  # not theirs
    assert services.mark_delivered(actor=d.users["base_a1.admin"], campaign=c, ids=[rs[0].pk, rs[1].pk]) == 2
    assert services.mark_delivered(actor=d.users["base_a1.admin"], campaign=c, ids=[rs[0].pk]) == 0
    assert Recipient.objects.filter(campaign=c, status="delivered", delivered_at__isnull=False).count() == 2
    from lianxin.core.models import AuditEntry

    acts = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"assistance.campaign_create", "assistance.recipient_add", "assistance.recipient_approve",
            "assistance.recipient_reject", "assistance.campaign_pay", "assistance.recipient_deliver"} <= acts


def test_over_budget_or_fund_pays_no_one(district):
    d = district
    c = campaign(d, fund_amount="800", budget="1000")
    rs = [propose(d, c, member(d.base_a1, n)) for n in ("甲", "乙", "丙")]
    fed = d.users["fed.admin"]
    services.decide_recipients(actor=fed, campaign=c, ids=[r.pk for r in rs], approve=True)
    with pytest.raises(ServiceError) as e:  # 1,500 yuan asked of a 1,000 yuan budget
        services.pay_campaign(actor=fed, campaign=c)
    assert e.value.code == "over_budget" and "预算 1,000.00" in e.value.message
    services.decide_recipients(actor=fed, campaign=c, ids=[rs[2].pk], approve=False, note="预算不足")
    with pytest.raises(ServiceError) as e:  # 1,000 yuan within the budget, but the fund holds only 800
        services.pay_campaign(actor=fed, campaign=c)
    assert e.value.code == "insufficient_funds"
    assert not LedgerEntry.objects.filter(kind="disburse").exists()
    assert Recipient.objects.filter(campaign=c, status="approved").count() == 2
    c.refresh_from_db()
    assert c.paid_fen == 0
    services.allocate(actor=ROOT, fund=c.fund, amount="200", memo="追加")
    assert services.pay_campaign(actor=fed, campaign=c) == (2, 100000)
    with pytest.raises(IntegrityError), transaction.atomic():  # past the budget, written past the service
        Campaign.objects.filter(pk=c.pk).update(paid_fen=100001)


def test_the_ledger_refuses_payments_without_one_reason(district):
    d = district
    c = campaign(d)
    r = propose(d, c, member(d.base_a1))
    app, _u = apply(d, username="m2")
    bad = [dict(person=r.person),  # no reason
           dict(person=r.person, recipient=r, application=app),  # two reasons
           dict(recipient=r)]  # nobody paid
    for fields in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerEntry.objects.create(fund=c.fund, seq=2, kind="disburse", amount_fen=-100,
                                       balance_after_fen=999900, memo="绕过服务", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():  # money in pays no one
        LedgerEntry.objects.create(fund=c.fund, seq=2, kind="allocate", amount_fen=100, balance_after_fen=1000100,
                                   memo="绕过服务", person=r.person)


def test_withdraw_only_undecided_and_by_the_union(district):
    d = district
    c = campaign(d)
    r = propose(d, c, member(d.base_a1))
    with pytest.raises(PermissionDenied):
        services.withdraw_recipient(actor=d.users["street_b.admin"], recipient=r)
    services.withdraw_recipient(actor=d.users["base_a1.admin"], recipient=r)
    assert not Recipient.objects.filter(pk=r.pk).exists()


def read_xlsx(writer):
    import io

    from python_calamine import CalamineWorkbook

    with writer.open() as f:
        return CalamineWorkbook.from_filelike(io.BytesIO(f.read())).get_sheet_by_index(0).to_python()


def test_the_sign_sheet_is_masked_and_audited(district):
    from lianxin.assistance import selectors
    from lianxin.core.models import AuditEntry

    d = district
    c = campaign(d)
    p = member(d.base_a1, "=HYPERLINK(1)")
    propose(d, c, p)
    propose(d, c, member(d.base_b1, "钱二"), who="street_b.admin")
    rows = selectors.recipients(actor=d.users["base_a1.viewer"], campaign=c)  # base_a1's part only
    sheet = read_xlsx(services.export_sheet(actor=d.users["base_a1.viewer"], campaign=c, rows=rows))
    assert sheet[0][:3] == ["序号", "报送工会", "姓名"] and len(sheet) == 2 and sheet[1][2] == "'=HYPERLINK(1)"
    assert sheet[1][3] == p.id_masked and "*" in sheet[1][3] and sheet[1][7] == 500
    assert AuditEntry.objects.filter(action="assistance.campaign_export").count() == 1


def test_the_ledger_export_names_each_entrys_reason(district):
    from lianxin.core.models import AuditEntry

    d = district
    c = campaign(d, fund_amount="3000")
    r = propose(d, c, member(d.base_a1, "赵一"))
    services.decide_recipients(actor=ROOT, campaign=c, ids=[r.pk], approve=True)
    services.pay_campaign(actor=ROOT, campaign=c)
    sheet = read_xlsx(services.export_ledger(actor=d.users["fed.auditor"], fund=c.fund))
    assert [row[0] for row in sheet[1:]] == [1, 2]
    assert sheet[1][2:5] == ["拨入", 3000, 3000] and sheet[2][2:5] == ["支出", -500, 2500]
    assert sheet[2][6:8] == ["赵一", c.name]
    assert AuditEntry.objects.filter(action="assistance.ledger_export").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_two_unions_racing_to_add_one_person(district):
    """The person's union and its street both add the person at the same instant: one row, one duplicate."""
    d = district
    c = campaign(d)
    p = member(d.base_a1)
    results = race([lambda w=w: propose(d, c, p, who=w) for w in ("base_a1.admin", "street_a.admin", "fed.admin")],
                   ok_label="ok")
    assert sorted(results) == ["duplicate", "duplicate", "ok"]
    assert Recipient.objects.filter(campaign=c, person=p).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_double_click_on_pay_pays_once(district):
    from lianxin.core.testing import make_user

    d = district
    c = campaign(d)
    rs = [propose(d, c, member(d.base_a1, n)) for n in ("甲", "乙")]
    services.decide_recipients(actor=ROOT, campaign=c, ids=[r.pk for r in rs], approve=True)
    second = make_user("fed.admin2", d.fed, "admin")
    results = race([lambda a=a: services.pay_campaign(actor=a, campaign=c) for a in (d.users["fed.admin"], second)],
                   ok_label="paid")
    assert sorted(results) == ["nothing_due", "paid"]
    assert LedgerEntry.objects.filter(kind="disburse").count() == 2
    c.refresh_from_db()
    assert c.paid_fen == 100000 and services.balance(c.fund) == 1000000 - 100000


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_two_campaigns_racing_for_one_fund(district):
    """Two campaigns of one fund (the federation's and a street's) pay at the same instant; the fund covers only
    one: exactly one is paid in full, the other pays no one."""
    d = district
    c1 = campaign(d, fund_amount="1200", budget="5000")
    c2 = services.create_campaign(actor=ROOT, org=d.street_b, name="下沙街道送温暖", standard="1000", maximum="1000",
                                  budget="5000", deadline=timezone.localdate() + dt.timedelta(days=3))
    assert c2.fund == c1.fund
    r1 = [propose(d, c1, member(d.base_a1, n), amount="500") for n in ("甲", "乙")]
    r2 = [propose(d, c2, member(d.base_b1, n), who="street_b.admin") for n in ("丙",)]
    services.decide_recipients(actor=ROOT, campaign=c1, ids=[r.pk for r in r1], approve=True)
    services.decide_recipients(actor=ROOT, campaign=c2, ids=[r.pk for r in r2], approve=True)
    results = race([lambda c=c: services.pay_campaign(actor=ROOT, campaign=c) for c in (c1, c2)], ok_label="paid")
    assert sorted(results) == ["insufficient_funds", "paid"]
    paid = LedgerEntry.objects.filter(kind="disburse")
    assert paid.count() in (1, 2) and -sum(paid.values_list("amount_fen", flat=True)) == 100000
    assert services.balance(c1.fund) == 20000
    assert sorted(Campaign.objects.values_list("paid_fen", flat=True)) == [0, 100000]

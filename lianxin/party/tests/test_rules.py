"""The roster, 三会一课 and 党费 rules, through the services, on both databases."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, id_number
from lianxin.party import selectors, services
from lianxin.party.models import (
    Attendance,
    Category,
    DuesEntry,
    Meeting,
    PartyMember,
    Transfer,
    dues_for_base,
    one_year_after,
)
from lianxin.party.testing import all_present, make_meeting, make_party_member

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def today():
    return timezone.localdate()


def err(fn, **kw):
    with pytest.raises(ServiceError) as e:
        fn(**kw)
    return e.value


# ---------------------------------------------------------------- roster


def test_enrol_finds_the_person_by_id_number_and_audits(party):
    d = party
    n = id_number()
    from lianxin.members import services as ms

    p = ms.create_person(actor=ROOT, org=d.base_a1, name="王红", id_number=n, mobile="13900001111")
    m = services.enrol_member(
        actor=d.users["street_a.admin"],
        branch=d.branch_a,
        id_number=n,
        category="probationary",
        joined_on=today() - dt.timedelta(days=100),
    )
    assert m.person == p and m.status == "active" and m.full_on is None and m.entered_on == today()
    assert m.due_on == one_year_after(m.joined_on)
    assert AuditEntry.objects.filter(action="party.member_enrol", object_id=str(m.pk)).exists()


def test_enrol_refusals_name_the_field(party):
    d = party
    admin = d.users["street_a.admin"]
    n = id_number()
    from lianxin.members import services as ms

    ms.create_person(actor=ROOT, org=d.base_a1, name="李", id_number=n)
    base = dict(
        actor=admin,
        branch=d.branch_a,
        id_number=n,
        category="full",
        joined_on=dt.date(2010, 7, 1),
        full_on=dt.date(2011, 7, 1),
    )
    assert err(services.enrol_member, **{**base, "id_number": "123"}).field == "id_number"
    assert (
        err(services.enrol_member, **{**base, "id_number": id_number()}).field == "id_number"
    )  # unknown person
    assert err(services.enrol_member, **{**base, "category": "x"}).field == "category"
    assert (
        err(services.enrol_member, **{**base, "joined_on": today() + dt.timedelta(days=1)}).field
        == "joined_on"
    )
    assert err(services.enrol_member, **{**base, "full_on": None}).field == "full_on"
    assert err(services.enrol_member, **{**base, "full_on": dt.date(2009, 1, 1)}).field == "full_on"
    e = err(services.enrol_member, **{**base, "category": "probationary"})
    assert e.field == "full_on" and "预备党员不填" in e.message
    # a person of street_b cannot go onto a street_a branch
    nb = id_number()
    ms.create_person(actor=ROOT, org=d.base_b1, name="赵", id_number=nb)
    assert "不属于" in err(services.enrol_member, **{**base, "id_number": nb}).message
    services.enrol_member(**base)
    e = err(services.enrol_member, **{**base, "branch": d.branch_a2})
    assert e.code == "duplicate" and "白杨街道机关党支部" in e.message


def test_scope_of_enrol(party):
    d = party
    n = id_number()
    from lianxin.members import services as ms

    ms.create_person(actor=ROOT, org=d.base_a1, name="钱", id_number=n)
    kw = dict(
        branch=d.branch_a,
        id_number=n,
        category="full",
        joined_on=dt.date(2010, 1, 1),
        full_on=dt.date(2011, 1, 1),
    )
    for who in ("street_b.admin", "street_a.viewer", "street_a.reviewer", "base_a1.admin"):
        with pytest.raises(PermissionDenied):
            services.enrol_member(actor=d.users[who], **kw)
    assert services.enrol_member(actor=d.users["fed.admin"], **kw).branch == d.branch_a


def test_one_active_stint_per_person_is_held_by_the_database(party):
    d = party
    m = make_party_member(d.branch_a, "孙")
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyMember.objects.create(
            person=m.person,
            branch=d.branch_a2,
            category="full",
            joined_on=m.joined_on,
            full_on=m.full_on,
            entered_on=today(),
        )


def test_category_dates_check_constraint(party):
    d = party
    m = make_party_member(d.branch_a, "周")
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyMember.objects.filter(pk=m.pk).update(category="probationary")  # a full_on left behind
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyMember.objects.filter(pk=m.pk).update(status="out")  # leaving without a date


def test_confirm_full_is_a_step_after_the_year(party):
    d = party
    admin = d.users["street_a.admin"]
    early = make_party_member(
        d.branch_a, "吴", category="probationary", joined_on=today() - dt.timedelta(days=200)
    )
    e = err(services.confirm_full, actor=admin, member=early, on=today())
    assert e.code == "not_due" and "满一年" in e.message
    joined = today().replace(year=today().year - 1) - dt.timedelta(days=3)
    m = make_party_member(d.branch_a, "郑", category="probationary", joined_on=joined)
    assert err(services.confirm_full, actor=admin, member=m, on=m.due_on - dt.timedelta(days=1)).field == "on"
    with pytest.raises(PermissionDenied):
        services.confirm_full(actor=d.users["street_b.admin"], member=m, on=m.due_on)
    m = services.confirm_full(actor=admin, member=m, on=m.due_on)
    assert m.category == Category.FULL and m.full_on == one_year_after(joined)
    assert err(services.confirm_full, actor=admin, member=m, on=m.due_on or today()).code == "already_full"
    assert AuditEntry.objects.filter(action="party.member_confirm_full", object_id=str(m.pk)).count() == 1


def test_due_for_full_lists_those_within_thirty_days_in_scope(party):
    d = party
    t = today()
    soon = make_party_member(
        d.branch_a,
        "王",
        category="probationary",
        joined_on=t.replace(year=t.year - 1) + dt.timedelta(days=20),
    )
    later = make_party_member(
        d.branch_a,
        "冯",
        category="probationary",
        joined_on=t.replace(year=t.year - 1) + dt.timedelta(days=40),
    )
    overdue = make_party_member(
        d.branch_a, "陈", category="probationary", joined_on=t.replace(year=t.year - 1) - dt.timedelta(days=5)
    )
    other = make_party_member(
        d.branch_b, "褚", category="probationary", joined_on=t.replace(year=t.year - 1) + dt.timedelta(days=2)
    )
    got = selectors.due_for_full(actor=d.users["street_a.viewer"], today=t)
    assert overdue in got and soon in got and later not in got and other not in got
    assert other in selectors.due_for_full(actor=d.users["fed.viewer"], today=t)


def test_transfer_between_branches_keeps_history(party):
    d = party
    admin = d.users["street_a.admin"]
    m = make_party_member(d.branch_a, "卫", base="4000")
    new = services.transfer_member(
        actor=admin, member=m, to_branch=d.branch_a2, on=today(), reason="工作调动"
    )
    m.refresh_from_db()
    assert m.status == "out" and m.left_on == today() and new.status == "active" and new.branch == d.branch_a2
    assert (new.category, new.joined_on, new.full_on, new.dues_base_fen) == (
        m.category,
        m.joined_on,
        m.full_on,
        400000,
    )
    t = Transfer.objects.get(person=m.person)
    assert (t.kind, t.from_member, t.to_member) == ("internal", m, new)
    assert (
        err(services.transfer_member, actor=admin, member=m, to_branch=d.branch_a, on=today()).code
        == "not_active"
    )
    # into a branch of another street: not in the actor's change scope
    with pytest.raises(PermissionDenied):
        services.transfer_member(actor=admin, member=new, to_branch=d.branch_b, on=today())
    assert (
        err(services.transfer_member, actor=admin, member=new, to_branch=d.branch_a2, on=today()).field
        == "to_branch"
    )


def test_transfer_out_and_end_membership(party):
    d = party
    admin = d.users["street_a.admin"]
    m = make_party_member(d.branch_a, "蒋")
    assert (
        err(services.transfer_out, actor=admin, member=m, external_org="", on=today()).field == "external_org"
    )
    services.transfer_out(actor=admin, member=m, external_org="上海市某公司党支部", on=today())
    m.refresh_from_db()
    assert m.status == "out" and Transfer.objects.get(from_member=m).kind == "out"
    m2 = make_party_member(d.branch_a, "沈")
    assert (
        err(services.end_membership, actor=admin, member=m2, status="stopped", on=today(), reason="").field
        == "reason"
    )
    assert (
        err(
            services.end_membership, actor=admin, member=m2, status="active", on=today(), reason="原因写清"
        ).field
        == "status"
    )
    services.end_membership(
        actor=admin, member=m2, status="stopped", on=today(), reason="连续六个月不缴纳党费"
    )
    m2.refresh_from_db()
    assert m2.status == "stopped" and m2.left_reason == "连续六个月不缴纳党费"
    # an earlier member of another district coming back from outside: a transfer in
    n = id_number()
    from lianxin.members import services as ms

    ms.create_person(actor=ROOT, org=d.base_a1, name="韩", id_number=n)
    back = services.enrol_member(
        actor=admin,
        branch=d.branch_a,
        id_number=n,
        category="full",
        joined_on=dt.date(2000, 1, 1),
        full_on=dt.date(2001, 1, 1),
        external_org="宁波某党支部",
    )
    assert Transfer.objects.get(to_member=back).kind == "in" and back.came_from == "由宁波某党支部转入"


# ---------------------------------------------------------------- 三会一课


def test_meeting_fixes_attendance_from_the_roster_of_the_day(party):
    d = party
    admin = d.users["street_a.admin"]
    a = make_party_member(d.branch_a, "杨", joined_on=dt.date(2010, 1, 1))
    b = make_party_member(d.branch_a, "朱", joined_on=dt.date(2010, 1, 1))
    late = make_party_member(d.branch_a, "秦", joined_on=dt.date(2010, 1, 1), entered_on=today())
    day = today() - dt.timedelta(days=3)
    kw = dict(
        actor=admin,
        branch=d.branch_a,
        kind="congress",
        held_on=day,
        topic="学习党章",
        minutes="传达上级会议精神，讨论支部工作安排。",
    )
    e = err(services.record_meeting, **kw, attendance={a.pk: "present"})
    assert e.field == "attendance" and "朱" in e.message
    assert err(services.record_meeting, **kw, attendance={a.pk: "present", b.pk: "na"}).field == "attendance"
    assert err(services.record_meeting, **{**kw, "topic": ""}, attendance={}).field == "topic"
    assert err(services.record_meeting, **{**kw, "minutes": "短"}, attendance={}).field == "minutes"
    assert err(services.record_meeting, **{**kw, "kind": "x"}, attendance={}).field == "kind"
    assert (
        err(services.record_meeting, **{**kw, "held_on": today() + dt.timedelta(days=1)}, attendance={}).field
        == "held_on"
    )
    mt = services.record_meeting(**kw, attendance={a.pk: "present", b.pk: "leave"})
    assert dict(mt.attendance.values_list("member", "status")) == {a.pk: "present", b.pk: "leave"}
    assert late.pk not in set(mt.attendance.values_list("member", flat=True))
    # 支委会: members outside the committee are not expected
    mt2 = services.record_meeting(**{**kw, "kind": "committee"}, attendance={a.pk: "present", b.pk: "na"})
    assert list(mt2.attendance.values_list("member", flat=True)) == [a.pk]
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(meeting=mt2, member=a, status="absent")
    with pytest.raises(PermissionDenied):
        services.record_meeting(**{**kw, "actor": d.users["street_b.admin"]}, attendance={})
    assert AuditEntry.objects.filter(action="party.meeting_record").count() == 2


def test_compliance_rule_table_and_cells(party):
    d = party
    make_party_member(d.branch_a, "许", joined_on=dt.date(2010, 1, 1))
    year = today().year - 1  # a whole past year: every period is over
    make_meeting(d.branch_a, kind="congress", held_on=dt.date(year, 2, 10))
    make_meeting(d.branch_a, kind="committee", held_on=dt.date(year, 2, 10))
    make_meeting(d.branch_a, kind="lecture", held_on=dt.date(year, 12, 31))
    (row,) = selectors.compliance([d.branch_a], year)
    cells = {req.kind: cs for req, cs in row["requirements"]}
    assert [c.state for c in cells["congress"]] == ["ok", "miss", "miss", "miss"]
    assert [c.state for c in cells["lecture"]] == ["miss", "miss", "miss", "ok"]
    assert cells["committee"][1].state == "ok" and cells["committee"][0].state == "miss"
    assert all(c.state == "miss" for c in cells["group"]) and len(cells["group"]) == 12
    assert row["misses"] == 3 + 3 + 11 + 12
    # this year: the running period is grey until it is met, then green
    t = today()
    (row,) = selectors.compliance([d.branch_a], t.year, today=t)
    q = (t.month - 1) // 3
    assert {req.kind: cs for req, cs in row["requirements"]}["congress"][q].state == "open"
    make_meeting(d.branch_a, kind="congress", held_on=t)
    (row,) = selectors.compliance([d.branch_a], t.year, today=t)
    assert {req.kind: cs for req, cs in row["requirements"]}["congress"][q].state == "ok"
    # a branch founded this year is not red for the months before it existed
    from lianxin.party.testing import make_branch

    fresh = make_branch(d.street_a, "新建党支部", founded_on=dt.date(t.year, t.month, 1))
    (row,) = selectors.compliance([fresh], t.year, today=t)
    assert row["misses"] == 0 and {c.state for _, cs in row["requirements"] for c in cs} <= {"none", "open"}
    assert [r.label for r in selectors.REQUIREMENTS] == [
        "支部党员大会每季度至少 1 次",
        "支委会每月至少 1 次",
        "党小组会每月至少 1 次",
        "党课每季度至少 1 次",
    ]


# ---------------------------------------------------------------- 党费


@pytest.mark.parametrize(
    "base,expected",
    [
        ("3000", 1500),
        ("3000.01", 3000),
        ("5000", 5000),
        ("5000.01", 7500),
        ("10000", 15000),
        ("10000.01", 20000),
        ("12345.67", 24691),
        ("1", 1),
        ("0.99", 0),
    ],
)
def test_standard_rates(base, expected):
    fen = services.parse_yuan(base, field="base", label="基数")
    assert dues_for_base(fen) == expected


def test_set_dues_base_or_fixed_with_reason(party):
    d = party
    admin = d.users["street_a.admin"]
    m = make_party_member(d.branch_a, "何")
    assert err(services.set_dues, actor=admin, member=m, base="").field == "base"
    assert err(services.set_dues, actor=admin, member=m, base="abc").field == "base"
    assert err(services.set_dues, actor=admin, member=m, base="-1").field == "base"
    assert err(services.set_dues, actor=admin, member=m, base="1.001").field == "base"
    assert err(services.set_dues, actor=admin, member=m, base="", fixed="0.2").field == "fixed_reason"
    assert err(services.set_dues, actor=admin, member=m, base="0.5").field == "base"  # rounds to 0
    m = services.set_dues(actor=admin, member=m, base="6,000")
    assert m.monthly_fen == 9000 and "1.5%" in m.dues_rule
    m = services.set_dues(actor=admin, member=m, base="", fixed="0.2", fixed_reason="退休")
    assert m.monthly_fen == 20 and "退休" in m.dues_rule
    with pytest.raises(PermissionDenied):
        services.set_dues(actor=d.users["street_b.admin"], member=m, base="3000")
    assert AuditEntry.objects.filter(action="party.dues_set").count() == 2


def test_payment_is_append_only_one_per_month_and_reversed_not_edited(party):
    d = party
    admin = d.users["street_a.admin"]
    m = make_party_member(d.branch_a, "吕")
    period = services.period_of(today())
    assert err(services.record_payment, actor=admin, member=m, period=period).code == "no_rate"
    m = services.set_dues(actor=admin, member=m, base="8000")
    e = services.record_payment(actor=admin, member=m, period=f"{today():%Y-%m}")
    assert (e.amount_fen, e.round, e.period) == (12000, 0, period)
    assert err(services.record_payment, actor=admin, member=m, period=period).code == "paid"
    assert err(services.record_payment, actor=admin, member=m, period="2026-13").field == "period"
    assert (
        err(services.record_payment, actor=admin, member=m, period=(today().year + 1) * 100 + 1).field
        == "period"
    )
    assert (
        err(services.record_payment, actor=admin, member=m, period=200901).field == "period"
    )  # before joining
    with pytest.raises(ValueError):
        e.amount_fen = 1
        e.save()
    with pytest.raises(ValueError):
        e.delete()
    assert err(services.reverse_payment, actor=admin, entry=e, reason="").field == "reason"
    with pytest.raises(PermissionDenied):
        services.reverse_payment(actor=d.users["street_b.admin"], entry=e, reason="金额有误")
    r = services.reverse_payment(actor=admin, entry=e, reason="金额有误")
    assert (r.kind, r.amount_fen, r.reverses_id, r.signed_fen) == ("reversal", 12000, e.pk, -12000)
    assert err(services.reverse_payment, actor=admin, entry=e, reason="再次").code == "reversed"
    assert err(services.reverse_payment, actor=admin, entry=r, reason="冲正的冲正").code == "not_payment"
    again = services.record_payment(actor=admin, member=m, period=period)
    assert again.round == 1
    assert selectors.dues_summary(d.branch_a, period)["paid_total"] == 12000
    # past the services: the database refuses a second live payment and a second reversal
    with pytest.raises(IntegrityError), transaction.atomic():
        DuesEntry.objects.create(member=m, period=period, kind="payment", round=1, amount_fen=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        DuesEntry.objects.create(
            member=m, period=period, kind="reversal", amount_fen=1, reverses=e, reason="x"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DuesEntry.objects.create(member=m, period=202613, kind="payment", round=0, amount_fen=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        DuesEntry.objects.create(member=m, period=202601, kind="reversal", amount_fen=1)
    assert AuditEntry.objects.filter(action__in=["party.dues_pay", "party.dues_reverse"]).count() == 3


def test_monthly_summary_due_paid_and_unpaid_names(party):
    d = party
    admin = d.users["street_a.admin"]
    a = make_party_member(d.branch_a, "施", base="3000")  # 15.00
    b = make_party_member(d.branch_a, "张", base="20000")  # 400.00
    c = make_party_member(d.branch_a, "孔")  # not rated
    period = services.period_of(today())
    services.record_payment(actor=admin, member=a, period=period)
    s = selectors.dues_summary(d.branch_a, period)
    assert s["due_total"] == 1500 + 40000 and s["paid_total"] == 1500
    assert {r["member"].pk for r in s["unpaid"]} == {b.pk, c.pk}
    assert [r["member"] for r in s["unrated"]] == [c]
    # a member who left before the month is not counted; one who left during it is
    services.transfer_member(actor=admin, member=b, to_branch=d.branch_a2, on=today())
    s = selectors.dues_summary(d.branch_a, period)
    assert b.pk in {r["member"].pk for r in s["rows"]}
    year = selectors.dues_year(d.branch_a, today().year)
    row = next(r for r in year if r["member"].pk == a.pk)
    assert row["months"][today().month - 1] == 1500 and row["total"] == 1500
    assert Meeting.objects.count() == 0 and all_present(d.branch_a)

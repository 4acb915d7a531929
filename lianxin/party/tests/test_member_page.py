"""党员之家 (/m/party/): a party member sees, on the phone, their own stints, each month's 党费 of a year (net of
冲正, across a transfer between branches) and the 三会一课 of their branches while they were on the roster, with
their own attendance — and nobody else's. People never on a roster are told so; 我的 links the page only for them."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.activities.testing import make_member
from lianxin.core.testing import ROOT
from lianxin.party import selectors, services
from lianxin.party.testing import all_present, make_meeting, make_party_member

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


@pytest.fixture
def record(party):
    """Last year: on branch_a from 1 January, moved to branch_a2 on 1 July; dues 40 元 a month (base 4000),
    March never paid, May paid and reversed; meetings in both branches before and after the move."""
    d = party
    last = timezone.localdate().year - 1
    a = make_member(d.base_a1, "党员甲")
    m = services.enrol_member(actor=ROOT, branch=d.branch_a, person=a.person, category="full",
                              joined_on=dt.date(2005, 6, 1), full_on=dt.date(2006, 6, 1),
                              entered_on=dt.date(last, 1, 1))
    m = services.set_dues(actor=ROOT, member=m, base="4000")
    other = make_party_member(d.branch_a, "党员乙", base="9000")  # shares the meetings, never shown
    for month in (1, 2, 4, 5, 6):
        e = services.record_payment(actor=ROOT, member=m, period=last * 100 + month)
        if month == 5:
            services.reverse_payment(actor=ROOT, entry=e, reason="误登记，实未缴纳")
    services.record_payment(actor=ROOT, member=other, period=last * 100 + 3)
    d.congress = make_meeting(d.branch_a, held_on=dt.date(last, 3, 10), topic="学习党章上半年")
    att = all_present(d.branch_a, dt.date(last, 4, 8)) | {m.pk: "leave"}
    d.lecture = services.record_meeting(actor=ROOT, branch=d.branch_a, kind="lecture", held_on=dt.date(last, 4, 8),
                                        topic="专题党课", minutes="书记讲党课，党员交流学习体会。", attendance=att)
    d.committee = services.record_meeting(
        actor=ROOT, branch=d.branch_a, kind="committee", held_on=dt.date(last, 5, 6), topic="研究支部工作",
        minutes="研究本月支部工作安排。", attendance={m.pk: services.NOT_EXPECTED, other.pk: "present"})
    new = services.transfer_member(actor=ROOT, member=m, to_branch=d.branch_a2, on=dt.date(last, 7, 1),
                                   reason="调到联合工会")
    for month in range(7, 13):
        services.record_payment(actor=ROOT, member=new, period=last * 100 + month)
    d.after_move_old = make_meeting(d.branch_a, held_on=dt.date(last, 9, 1), topic="老支部九月会议")
    d.after_move_new = make_meeting(d.branch_a2, held_on=dt.date(last, 9, 2), topic="新支部九月会议")
    make_party_member(d.branch_b, "党员丙")
    d.other_branch = make_meeting(d.branch_b, held_on=dt.date(last, 9, 3), topic="别的支部会议")
    d.a, d.last, d.stint, d.new = a, last, m, new
    return d


def test_the_year_of_a_member_who_moved_branch(record):
    d = record
    p = selectors.my_party(d.a.person, d.last)
    assert p["current"].pk == d.new.pk and p["year"] == d.last
    states = {x["month"]: x["state"] for x in p["months"]}
    assert states == {m: ("unpaid" if m in (3, 5) else "paid") for m in range(1, 13)}
    assert p["paid_total_fen"] == 10 * 4000
    assert [x["month"] for x in p["unpaid"]] == [3, 5]
    assert {x["month"]: x["branch"].pk for x in p["months"]}[6] == d.branch_a.pk
    assert {x["month"]: x["branch"].pk for x in p["months"]}[8] == d.branch_a2.pk
    shown = {mt.pk: mt.my_status for mt in p["meetings"]}
    assert shown == {d.congress.pk: "出席", d.lecture.pk: "请假", d.committee.pk: "不在参会范围",
                     d.after_move_new.pk: "出席"}
    assert p["tally"] == {"present": 2, "leave": 1, "absent": 0}
    assert [t.kind for t in p["transfers"]] == ["internal"]


def test_this_year_counts_only_months_up_to_now(record):
    d = record
    today = timezone.localdate()
    p = selectors.my_party(d.a.person)
    assert p["year"] == today.year and p["years"] == [today.year, d.last]
    states = [x["state"] for x in p["months"]]
    assert states == ["unpaid"] * today.month + ["future"] * (12 - today.month)
    assert p["paid_total_fen"] == 0 and p["meetings"] == []
    # a year outside the member's stints falls back to this year
    assert selectors.my_party(d.a.person, 1990)["year"] == today.year


def test_the_page_shows_their_own_record(client, record):
    d = record
    client.force_login(d.a.user)
    me = client.get("/m/me/").content.decode()
    assert 'id="party-link"' in me
    html = client.get(f"/m/party/?year={d.last}").content.decode()
    assert "白杨联合工会党支部" in html and "正式党员" in html and "2005年6月1日" in html
    assert "40.00 元" in html and "基数 4000.00 元 × 1%" in html
    assert '<b id="dues-paid">400.00</b>' in html and "3月、5月" in html
    assert "学习党章上半年" in html and "专题党课" in html and "不在参会范围" in html and "新支部九月会议" in html
    assert "老支部九月会议" not in html and "别的支部会议" not in html
    assert "党员乙" not in html and "支部间转接" in html
    # a year that is not a number, or none: this year
    assert client.get("/m/party/?year=abc").status_code == 200
    html = client.get("/m/party/").content.decode()
    assert f"{timezone.localdate().year}年党费" in html


def test_people_never_on_a_roster(client, party):
    b = make_member(party.base_a1, "群众乙")
    client.force_login(b.user)
    assert 'id="party-link"' not in client.get("/m/me/").content.decode()
    html = client.get("/m/party/").content.decode()
    assert "未在本区党支部的党员名册上" in html and "党费" in html


def test_signed_out_and_staff_without_a_person(client, party):
    resp = client.get("/m/party/")
    assert resp.status_code == 302 and "/m/login/" in resp["Location"]
    client.force_login(party.users["street_a.admin"])
    assert client.get("/m/party/").status_code == 403

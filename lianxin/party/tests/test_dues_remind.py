"""提醒未缴党费: who is reminded (on the roster, rated, unpaid for the month), once per member and month held by
the outbox's unique key, who is listed to be phoned, the refusals, the page; and two administrators at once on
PostgreSQL."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry, Notification
from lianxin.core.testing import ROOT, race
from lianxin.party import services
from lianxin.party.testing import make_party_member

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def this_month():
    return services.period_of(timezone.localdate())


@pytest.fixture
def branch(party):
    """Street A's branch: 甲 and 乙 unpaid with accounts, 丙 unpaid without one, 丁 paid, 戊 unrated, 己 left."""
    d = party
    d.people = {}
    for name in ("甲", "乙", "丙", "丁", "戊", "己"):
        m = make_party_member(d.branch_a, name, base=None if name == "戊" else "5000",
                              joined_on=dt.date(2010, 7, 1))
        d.people[name] = m
        if name in ("甲", "乙", "丁"):
            User.objects.create_user(username=f"u{m.pk}", password="x" * 12, person=m.person)
    services.record_payment(actor=ROOT, member=d.people["丁"], period=this_month())
    services.transfer_out(actor=ROOT, member=d.people["己"], external_org="外地某党支部", on=timezone.localdate())
    return d


def test_unpaid_rated_members_on_the_roster_are_told_once(branch):
    d = branch
    admin = d.users["street_a.admin"]
    out = services.remind_unpaid(actor=admin, branch=d.branch_a, period=this_month())
    assert sorted(out["told"]) == ["乙", "甲"] and out["no_account"] == ["丙"] and out["before"] == []
    notes = Notification.objects.filter(template="party_dues")
    assert notes.count() == 2 and {n.user.person.name for n in notes} == {"甲", "乙"}
    assert "50.00 元" in notes.first().body and d.branch_a.name in notes.first().body
    entry = AuditEntry.objects.get(action="party.dues_remind")
    assert entry.detail["count"] == 2 and entry.detail["no_account"] == 1
    # a second click tells nobody twice and writes no second audit entry
    again = services.remind_unpaid(actor=admin, branch=d.branch_a, period=this_month())
    assert again["told"] == [] and sorted(again["before"]) == ["乙", "甲"] and again["no_account"] == ["丙"]
    assert notes.count() == 2 and AuditEntry.objects.filter(action="party.dues_remind").count() == 1
    # paying takes a member off the next month's list; last month is a month of its own
    last = services.period_of(timezone.localdate().replace(day=1) - dt.timedelta(days=1))
    services.record_payment(actor=admin, member=d.people["甲"], period=last)
    out = services.remind_unpaid(actor=admin, branch=d.branch_a, period=last)
    assert sorted(out["told"]) == ["丁", "乙"]


def test_refusals(branch):
    d = branch
    with pytest.raises(PermissionDenied):
        services.remind_unpaid(actor=d.users["street_a.viewer"], branch=d.branch_a, period=this_month())
    with pytest.raises(PermissionDenied):
        services.remind_unpaid(actor=d.users["street_b.admin"], branch=d.branch_a, period=this_month())
    nxt = timezone.localdate().replace(day=28) + dt.timedelta(days=5)
    with pytest.raises(ServiceError) as e:
        services.remind_unpaid(actor=ROOT, branch=d.branch_a, period=services.period_of(nxt))
    assert e.value.field == "period" and "本月及以前" in e.value.message
    with pytest.raises(ServiceError) as e:
        services.remind_unpaid(actor=ROOT, branch=d.branch_a, period="2026-13")
    assert e.value.field == "period"
    assert not Notification.objects.filter(template="party_dues").exists()


def test_the_dues_page_reminds(branch, client):
    d = branch
    client.force_login(d.users["street_a.admin"])
    url = f"/console/party/branches/{d.branch_a.pk}/dues/"
    assert 'id="dues-remind"' in client.get(url).content.decode()
    r = client.post(f"{url}remind/", {"period": f"{timezone.localdate():%Y-%m}"}, follow=True)
    html = r.content.decode()
    assert "已在手机端提醒 2 人" in html and "1 人未开通手机端，请电话联系：丙" in html
    r = client.post(f"{url}remind/", {"period": f"{timezone.localdate():%Y-%m}"}, follow=True)
    assert "本月已提醒过 2 人" in r.content.decode()
    r = client.post(f"{url}remind/", {"period": "x"}, follow=True)
    assert "所属月份格式应为" in r.content.decode()
    client.force_login(d.users["street_a.viewer"])
    assert 'id="dues-remind"' not in client.get(url).content.decode()
    assert client.post(f"{url}remind/", {"period": f"{timezone.localdate():%Y-%m}"}).status_code == 403
    client.force_login(d.users["street_b.admin"])
    assert client.post(f"{url}remind/", {"period": f"{timezone.localdate():%Y-%m}"}).status_code == 404
    assert Notification.objects.filter(template="party_dues").count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_two_administrators_at_once_tell_each_member_once(branch):
    d = branch
    calls = [lambda a=a: services.remind_unpaid(actor=a, branch=d.branch_a, period=this_month())
             for a in (d.users["street_a.admin"], d.users["fed.admin"], ROOT)]
    race(calls, ok_label="ok")
    assert Notification.objects.filter(template="party_dues").count() == 2

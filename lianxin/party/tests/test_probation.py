"""预备期满的处理 besides 转正: 延长预备期 once, by at most a year, only once the first year is over, with a reason
(转正 then falls due on the new date, and the console's due list follows it); 取消预备党员资格 for a 预备党员 only."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.party import selectors, services
from lianxin.party.models import PartyMember, one_year_after
from lianxin.party.testing import make_party_member

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def _probationary(branch, name, days_past_due):
    today = timezone.localdate()
    joined = today.replace(year=today.year - 1) - dt.timedelta(days=days_past_due)
    return make_party_member(branch, name, category="probationary", joined_on=joined)


def _refused(**kw):
    with pytest.raises(ServiceError) as e:
        services.extend_probation(**kw)
    return e.value


def test_extend_once_within_a_year_after_the_first_year(party):
    d = party
    admin = d.users["street_a.admin"]
    today = timezone.localdate()
    m = _probationary(d.branch_a, "预备甲", 10)
    first = m.first_due_on
    assert _refused(actor=admin, member=m, until=today, reason="").field == "reason"
    assert _refused(actor=admin, member=m, until=first, reason="需继续考察").field == "until"
    assert _refused(actor=admin, member=m, until=one_year_after(first) + dt.timedelta(days=1),
                    reason="需继续考察").field == "until"
    with pytest.raises(PermissionDenied):
        services.extend_probation(actor=d.users["street_b.admin"], member=m, until=today, reason="需继续考察")
    until = today + dt.timedelta(days=90)
    m = services.extend_probation(actor=admin, member=m, until=until, reason="需继续考察")
    assert m.probation_until == until and m.due_on == until
    e = AuditEntry.objects.get(action="party.probation_extend")
    assert e.reason == "需继续考察" and e.detail["probation_until"] == until.isoformat()
    # once only; 转正 now waits for the new date; the due list shows the new date
    assert _refused(actor=admin, member=m, until=until + dt.timedelta(days=1), reason="再考察").code == (
        "already_extended"
    )
    with pytest.raises(ServiceError) as e:
        services.confirm_full(actor=admin, member=m, on=today)
    assert e.value.code == "not_due" and f"{until:%Y-%m-%d}" in e.value.message
    assert m.pk not in [x.pk for x in selectors.due_for_full(actor=admin, today=today)]
    assert m.pk in [x.pk for x in selectors.due_for_full(actor=admin, today=until - dt.timedelta(days=5))]


def test_not_before_the_first_year_is_over_nor_for_full_members(party):
    d = party
    admin = d.users["street_a.admin"]
    today = timezone.localdate()
    early = _probationary(d.branch_a, "预备乙", -20)  # due in 20 days
    assert _refused(actor=admin, member=early, until=today + dt.timedelta(days=60), reason="需继续考察").code == (
        "not_due"
    )
    full = make_party_member(d.branch_a, "正式丙")
    assert _refused(actor=admin, member=full, until=today, reason="需继续考察").code == "already_full"


def test_a_past_extension_then_confirmed_on_its_date(party):
    d = party
    admin = d.users["street_a.admin"]
    today = timezone.localdate()
    m = _probationary(d.branch_a, "预备丁", 40)
    until = today - dt.timedelta(days=3)
    m = services.extend_probation(actor=admin, member=m, until=until, reason="支部大会决定延长")
    with pytest.raises(ServiceError):
        services.confirm_full(actor=admin, member=m, on=until - dt.timedelta(days=1))
    m = services.confirm_full(actor=admin, member=m, on=until)
    assert (m.category, m.full_on, m.probation_until) == ("full", until, until)


def test_disqualify_a_probationary_member_only(party):
    d = party
    admin = d.users["street_a.admin"]
    today = timezone.localdate()
    m = _probationary(d.branch_a, "预备戊", 5)
    m = services.end_membership(actor=admin, member=m, status="disqualified", on=today, reason="不具备党员条件")
    assert (m.status, m.left_on) == ("disqualified", today)
    full = make_party_member(d.branch_a, "正式己")
    with pytest.raises(ServiceError) as e:
        services.end_membership(actor=admin, member=full, status="disqualified", on=today, reason="不具备党员条件")
    assert e.value.code == "not_probationary"
    # the database holds it too
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyMember.objects.filter(pk=full.pk).update(status="disqualified", left_on=today)
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyMember.objects.filter(pk=full.pk).update(probation_until=full.joined_on)


def test_the_member_page(client, party):
    d = party
    today = timezone.localdate()
    m = _probationary(d.branch_a, "预备庚", 10)
    client.force_login(d.users["street_a.admin"])
    html = client.get(f"/console/party/members/{m.pk}/").content.decode()
    assert 'id="extend-form"' in html and "取消预备党员资格" in html and 'id="confirm-form"' in html
    until = today + dt.timedelta(days=30)
    resp = client.post(f"/console/party/members/{m.pk}/extend/", {"until": until.isoformat(), "reason": ""})
    assert resp.status_code == 302
    assert "请填写延长原因" in client.get(resp["Location"]).content.decode()
    client.post(f"/console/party/members/{m.pk}/extend/", {"until": until.isoformat(), "reason": "需继续考察"})
    html = client.get(f"/console/party/members/{m.pk}/").content.decode()
    assert f"预备期至 {until:%Y-%m-%d}" in html and 'id="extend-form"' not in html and 'id="confirm-form"' not in html
    assert "延长预备期" in client.get("/console/audit/").content.decode()
    full = make_party_member(d.branch_a, "正式辛")
    assert "取消预备党员资格" not in client.get(f"/console/party/members/{full.pk}/").content.decode()

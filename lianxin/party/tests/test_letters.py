"""组织关系介绍信: a branch administrator sends a member to a branch outside their scope; the receiving branch's
administrator accepts (the stint moves) or returns it; the sender may withdraw it while it waits. Rules through
the services on both databases, the pages by side, and the races on PostgreSQL."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry, Notification
from lianxin.core.testing import ROOT, id_number, race
from lianxin.party import selectors, services
from lianxin.party.models import PartyMember, Transfer, TransferLetter
from lianxin.party.testing import make_party_member

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def today():
    return timezone.localdate()


def err(fn, **kw):
    with pytest.raises(ServiceError) as e:
        fn(**kw)
    return e.value


@pytest.fixture
def sent(party):
    """Street A's branch sends a probationary member (probation extended) to street B's branch."""
    d = party
    d.number = id_number()
    m = make_party_member(
        d.branch_a, "华", category="probationary", joined_on=today() - dt.timedelta(days=400), base="4000",
        number=d.number,
    )
    m = services.extend_probation(
        actor=ROOT, member=m, until=today() + dt.timedelta(days=100), reason="支部党员大会决定继续考察"
    )
    d.m = m
    d.letter = services.send_letter(
        actor=d.users["street_a.admin"], member=m, to_branch=d.branch_b, note="工作调动至下沙"
    )
    return d


# ---------------------------------------------------------------- rules


def test_send_then_accept_moves_the_stint_with_its_settings(sent):
    d = sent
    a_admin, b_admin = d.users["street_a.admin"], d.users["street_b.admin"]
    d.m.refresh_from_db()
    assert d.m.status == "active" and d.letter.status == "pending"  # still on the old roster while it waits
    # the sender cannot take the member in: street B is not theirs
    with pytest.raises(PermissionDenied):
        services.accept_letter(actor=a_admin, letter=d.letter, on=today())
    assert err(services.accept_letter, actor=b_admin, letter=d.letter, on=today() + dt.timedelta(days=1)).field == "on"
    new = services.accept_letter(actor=b_admin, letter=d.letter, on=today())
    d.m.refresh_from_db()
    d.letter.refresh_from_db()
    assert d.m.status == "out" and d.m.left_on == today()
    assert (new.branch, new.status, new.entered_on) == (d.branch_b, "active", today())
    assert (new.category, new.joined_on, new.probation_until, new.dues_base_fen) == (
        "probationary", d.m.joined_on, d.m.probation_until, 400000)
    assert new.due_on == d.m.due_on  # the extended probation travels with the member
    t = Transfer.objects.get(from_member=d.m)
    assert (t.kind, t.to_member, t.actor) == ("internal", new, b_admin)
    assert (d.letter.status, d.letter.transfer, d.letter.decided_by) == ("accepted", t, b_admin)
    assert AuditEntry.objects.filter(action="party.letter_send").count() == 1
    entry = AuditEntry.objects.get(action="party.letter_accept")
    assert entry.detail["to_branch"] == d.branch_b.name and entry.actor == b_admin
    # decided: nothing more can be done with it
    for fn, kw in (
        (services.accept_letter, {"actor": b_admin, "on": today()}),
        (services.return_letter, {"actor": b_admin, "reason": "不符合条件"}),
        (services.withdraw_letter, {"actor": a_admin, "reason": "弄错了"}),
    ):
        assert err(fn, letter=d.letter, **kw).code == "letter_decided"


def test_the_member_is_told_when_taken_in(sent):
    d = sent
    user = User.objects.create_user(username="hua", password="x" * 12, person=d.m.person)
    services.accept_letter(actor=d.users["street_b.admin"], letter=d.letter, on=today())
    n = Notification.objects.get(user=user, template="party_letter")
    assert d.branch_b.name in n.body and n.channel == "inapp"


def test_return_and_withdraw_leave_the_member_where_they_are(sent):
    d = sent
    a_admin, b_admin = d.users["street_a.admin"], d.users["street_b.admin"]
    with pytest.raises(PermissionDenied):
        services.return_letter(actor=a_admin, letter=d.letter, reason="不需要")
    assert err(services.return_letter, actor=b_admin, letter=d.letter, reason=" ").field == "reason"
    services.return_letter(actor=b_admin, letter=d.letter, reason="本人已调往外区")
    d.letter.refresh_from_db()
    assert (d.letter.status, d.letter.decide_reason) == ("rejected", "本人已调往外区")
    d.m.refresh_from_db()
    assert d.m.status == "active" and d.m.branch == d.branch_a
    # a new letter may be sent once the old one is decided; the receiver may not withdraw it
    again = services.send_letter(actor=a_admin, member=d.m, to_branch=d.branch_a2)
    with pytest.raises(PermissionDenied):
        services.withdraw_letter(actor=b_admin, letter=again, reason="不是我开的")
    services.withdraw_letter(actor=a_admin, letter=again, reason="本人不再调动")
    again.refresh_from_db()
    assert again.status == "withdrawn"
    assert PartyMember.objects.filter(person=d.m.person, status="active").get() == d.m
    assert not Transfer.objects.filter(person=d.m.person).exists()


def test_one_open_letter_and_nothing_else_moves_the_stint_meanwhile(sent):
    d = sent
    a_admin = d.users["street_a.admin"]
    assert err(services.send_letter, actor=a_admin, member=d.m, to_branch=d.branch_a2).code == "letter_open"
    assert err(services.transfer_member, actor=ROOT, member=d.m, to_branch=d.branch_a2, on=today()).code == (
        "letter_open")
    assert err(services.transfer_out, actor=a_admin, member=d.m, external_org="外地某党支部", on=today()).code == (
        "letter_open")
    e = err(services.end_membership, actor=a_admin, member=d.m, status="stopped", on=today(), reason="长期失联")
    assert e.code == "letter_open" and d.branch_b.name in e.message
    d.m.refresh_from_db()
    assert d.m.status == "active"
    # the database itself: a second open letter for the stint is refused
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferLetter.objects.create(member=d.m, from_branch=d.branch_a, to_branch=d.branch_a2)


def test_send_refusals(party):
    d = party
    a_admin = d.users["street_a.admin"]
    m = make_party_member(d.branch_a, "岳")
    assert err(services.send_letter, actor=a_admin, member=m, to_branch=d.branch_a).field == "to_branch"
    assert err(services.send_letter, actor=a_admin, member=m, to_branch=d.street_b).field == "branch"  # not a 党支部
    assert err(services.send_letter, actor=a_admin, member=m, to_branch=d.branch_b, note="说" * 201).field == "note"
    with pytest.raises(PermissionDenied):  # street B's administrator cannot send street A's member away
        services.send_letter(actor=d.users["street_b.admin"], member=m, to_branch=d.branch_b)
    with pytest.raises(PermissionDenied):  # a viewer cannot
        services.send_letter(actor=d.users["street_a.viewer"], member=m, to_branch=d.branch_b)
    services.end_membership(actor=a_admin, member=m, status="deceased", on=today(), reason="因病去世")
    assert err(services.send_letter, actor=a_admin, member=m, to_branch=d.branch_b).code == "not_active"
    assert not TransferLetter.objects.exists()


def test_accept_not_before_the_letter(sent):
    d = sent
    e = err(services.accept_letter, actor=d.users["street_b.admin"], letter=d.letter, on=today() - dt.timedelta(days=1))
    assert e.field == "on" and not Transfer.objects.exists()


def test_the_decided_shape_is_checked_by_the_database(sent):
    d = sent
    for bad in (
        {"status": "accepted", "decided_at": timezone.now()},  # accepted without its transfer
        {"status": "rejected", "decided_at": timezone.now()},  # returned without a reason
        {"status": "pending", "decide_reason": "x"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            TransferLetter.objects.filter(pk=d.letter.pk).update(**bad)


def test_who_sees_which_letters(sent):
    d = sent
    a, b = d.users["street_a.admin"], d.users["street_b.admin"]
    assert selectors.letters_to_handle(actor=b)["incoming"] == [d.letter]
    assert selectors.letters_to_handle(actor=b)["outgoing"] == []
    assert selectors.letters_to_handle(actor=a) == {"incoming": [], "outgoing": [d.letter]}
    assert list(selectors.letters(actor=d.users["base_a1.admin"])) == []  # neither side in its scope
    assert list(selectors.letters(actor=d.users["street_b.viewer"])) == [d.letter]
    assert selectors.open_letter(d.m) == d.letter


# ---------------------------------------------------------------- pages


def test_the_sender_sends_from_the_member_page(party, client):
    d = party
    m = make_party_member(d.branch_a, "燕")
    client.force_login(d.users["street_a.admin"])
    html = client.get(f"/console/party/members/{m.pk}/").content.decode()
    assert 'id="letter-form"' in html and d.branch_b.name in html  # any branch of the district is offered
    r = client.post(f"/console/party/members/{m.pk}/letter/", {"to_branch": "x"}, follow=True)
    assert "请选择转入的党支部" in r.content.decode() and not TransferLetter.objects.exists()
    r = client.post(f"/console/party/members/{m.pk}/letter/", {"to_branch": d.branch_b.pk, "note": "调动"}, follow=True)
    html = r.content.decode()
    assert "已为燕开具组织关系介绍信" in html and 'id="open-letter"' in html and 'id="letter-form"' not in html
    assert TransferLetter.objects.get().to_branch == d.branch_b


def test_the_receiver_accepts_on_the_letter_page(sent, client):
    d = sent
    client.force_login(d.users["street_b.admin"])
    home = client.get("/console/party/").content.decode()
    assert 'id="letters-incoming"' in home and "华" in home
    page = client.get(f"/console/party/letters/{d.letter.pk}/").content.decode()
    assert 'id="accept-form"' in page and 'id="withdraw-form"' not in page
    assert d.number not in page and d.number[-4:] in page  # masked
    assert f'/console/party/members/{d.m.pk}/' not in page  # the old stint is not theirs to open
    r = client.post(f"/console/party/letters/{d.letter.pk}/return/", {"reason": " "}, follow=True)
    assert "请填写退回原因" in r.content.decode()
    r = client.post(f"/console/party/letters/{d.letter.pk}/accept/", {"on": f"{today():%Y-%m-%d}"})
    new = PartyMember.objects.get(person=d.m.person, status="active")
    assert r.status_code == 302 and r["Location"] == f"/console/party/members/{new.pk}/"
    page = client.get(f"/console/party/letters/{d.letter.pk}/").content.decode()
    assert "已接收" in page and 'id="accept-form"' not in page


def test_the_sender_withdraws_and_others_are_refused(sent, client):
    d = sent
    client.force_login(d.users["street_b.admin"])
    assert client.post(f"/console/party/letters/{d.letter.pk}/withdraw/", {"reason": "不是我开的"}).status_code == 403
    client.force_login(d.users["base_a1.admin"])
    assert client.get(f"/console/party/letters/{d.letter.pk}/").status_code == 404
    assert client.post(f"/console/party/letters/{d.letter.pk}/accept/", {"on": ""}).status_code == 404
    client.force_login(d.users["street_a.admin"])
    assert client.post(f"/console/party/letters/{d.letter.pk}/accept/", {"on": f"{today():%Y-%m-%d}"}).status_code == (
        403)
    page = client.get(f"/console/party/letters/{d.letter.pk}/").content.decode()
    assert 'id="withdraw-form"' in page and 'id="accept-form"' not in page
    r = client.post(f"/console/party/letters/{d.letter.pk}/withdraw/", {"reason": "本人不调动了"}, follow=True)
    assert "已撤回华的组织关系介绍信" in r.content.decode()
    lst = client.get("/console/party/letters/?status=withdrawn").content.decode()
    assert "已撤回" in lst and "华" in lst


def test_the_member_sees_the_letter_on_the_phone(sent, client):
    d = sent
    user = User.objects.create_user(username="hua", password="x" * 12, person=d.m.person)
    client.force_login(user)
    html = client.get("/m/party/").content.decode()
    assert 'id="my-letter"' in html and d.branch_b.name in html


# ---------------------------------------------------------------- races (PostgreSQL)


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_accept_and_withdraw_at_once(party):
    d = party
    m = make_party_member(d.branch_a, "钱")
    letter = services.send_letter(actor=d.users["street_a.admin"], member=m, to_branch=d.branch_b)
    results = race(
        [
            lambda: services.accept_letter(actor=d.users["street_b.admin"], letter=letter, on=timezone.localdate()),
            lambda: services.withdraw_letter(actor=d.users["street_a.admin"], letter=letter, reason="本人不调动了"),
            lambda: services.accept_letter(actor=d.users["fed.admin"], letter=letter, on=timezone.localdate()),
        ],
        ok_label="ok",
    )
    assert sorted(results) == ["letter_decided", "letter_decided", "ok"]
    letter.refresh_from_db()
    moved = Transfer.objects.filter(from_member=m).count()
    assert (letter.status == "accepted") == (moved == 1) and moved <= 1
    assert PartyMember.objects.filter(person=m.person, status="active").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_two_letters_or_a_letter_and_a_closure_at_once(party):
    d = party
    a_admin = d.users["street_a.admin"]
    m = make_party_member(d.branch_a, "孙")
    results = race(
        [
            lambda: services.send_letter(actor=a_admin, member=m, to_branch=d.branch_b),
            lambda: services.send_letter(actor=d.users["fed.admin"], member=m, to_branch=d.branch_a2),
            lambda: services.end_membership(actor=a_admin, member=m, status="stopped", on=timezone.localdate(),
                                            reason="长期失联"),
        ],
        ok_label="ok",
    )
    m.refresh_from_db()
    letters = TransferLetter.objects.filter(member=m)
    assert results.count("ok") == 1 and letters.count() <= 1
    assert (m.status == "stopped") == (letters.count() == 0)


def test_a_letter_left_a_month_is_flagged(sent, client):
    d = sent
    client.force_login(d.users["street_b.admin"])
    assert "已等待" not in client.get("/console/party/letters/").content.decode()
    TransferLetter.objects.filter(pk=d.letter.pk).update(sent_at=timezone.now() - dt.timedelta(days=40))
    assert "已等待 40 天" in client.get("/console/party/letters/").content.decode()
    assert "已等待 40 天" in client.get(f"/console/party/letters/{d.letter.pk}/").content.decode()
    services.return_letter(actor=d.users["street_b.admin"], letter=d.letter, reason="本人已调往外区")
    assert "已等待" not in client.get("/console/party/letters/").content.decode()  # decided: no longer waiting

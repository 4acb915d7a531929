"""The member card's QR token: a staff scan tells valid / expired / revoked / not a member / invalid, and shows
only name and union."""

import re
import time
from unittest import mock

import pytest

from lianxin.activities.testing import make_member
from lianxin.core.errors import ServiceError
from lianxin.core.testing import ROOT
from lianxin.members.services import end_membership, transfer_membership
from lianxin.portal import services

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


@pytest.fixture
def member(district):
    return make_member(district.base_a1, "孙丽", gender="F", mobile_no="13800138000")


def check(district, token):
    return services.verify_card(actor=district.users["street_b.viewer"], token=token)


def test_valid_card_shows_name_and_union_only(district, member):
    r = check(district, services.card_token(member.membership))
    assert r.status == "valid" and r.name == "孙丽" and r.union == district.base_a1.name
    assert set(vars(r)) == {"status", "message", "name", "union"}


def test_expired_card(district, member):
    with mock.patch("django.core.signing.time.time", return_value=time.time() - services.CARD_TTL - 5):
        token = services.card_token(member.membership)
    assert check(district, token).status == "expired"


def test_reissue_revokes_old_tokens(district, member):
    old = services.card_token(member.membership)
    services.reissue_card(actor=member.user, membership=member.membership)
    assert check(district, old).status == "revoked"
    assert check(district, services.card_token(member.membership)).status == "valid"


def test_transfer_revokes_and_leaving_is_not_a_member(district, member):
    token = services.card_token(member.membership)
    new = transfer_membership(actor=ROOT, membership=member.membership, to_union=district.base_b1)
    assert check(district, token).status == "revoked"
    token2 = services.card_token(new)
    end_membership(actor=ROOT, membership=new, reason="离职")
    r = check(district, token2)
    assert r.status == "not_member" and "退会" in r.message


def test_forged_or_garbled_tokens_are_invalid(district, member):
    token = services.card_token(member.membership)
    mid = str(member.membership.pk)
    forged = token.replace(f"{mid}.1", f"{int(mid) + 1}.1", 1)
    for bad in (forged, "", "hello", token[:-3] + "abc"):
        assert check(district, bad).status == "invalid"


def test_only_staff_may_verify(district, member):
    with pytest.raises(ServiceError):
        services.verify_card(actor=member.user, token=services.card_token(member.membership))


def test_card_page_and_scan_page(client, district, member):
    client.force_login(member.user)
    r = client.get("/m/card/")
    html = r.content.decode()
    assert "<svg" in html and member.membership.member_no in html
    assert "13800138000" not in html and member.person.id_masked not in html
    client.force_login(district.users["fed.viewer"])
    token = services.card_token(member.membership)
    r = client.post("/console/scan/card/", {"token": token})
    html = r.content.decode()
    assert "有效会员" in html and "孙丽" in html and member.membership.member_no not in html
    assert not re.search(r"1380013", html)


def test_non_member_card_page(client, district):
    from lianxin.accounts.models import User

    client.force_login(User.objects.create_user(username="w1"))
    assert "暂无电子会员卡" in client.get("/m/card/").content.decode()
    assert client.get("/console/scan/card/").status_code == 403

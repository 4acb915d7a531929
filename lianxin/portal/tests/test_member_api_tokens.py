"""Member API tokens (/api/v1/portal/): a token works until its member signs out (API or H5 page), changes
password or is deactivated; then the same token is a 401 with a Chinese message. Other members' tokens are
unaffected, and the check is the one query that loads the user."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import signing
from django.db import connection
from django.test import Client

from lianxin.activities.testing import make_member
from lianxin.portal import services, tokens
from lianxin.portal.models import MemberTokenGeneration

pytestmark = [pytest.mark.django_db, pytest.mark.pg]
ME, TOKEN, LOGOUT = "/api/v1/portal/me", "/api/v1/portal/token", "/api/v1/portal/logout"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def session_token(user) -> str:
    """What the H5 front end does: sign in (here forced), then ask for a token with the session."""
    c = Client()
    c.force_login(user)
    r = c.post(TOKEN)
    assert r.status_code == 200 and r.json()["expires_in"] == tokens.TTL
    return r.json()["token"]


def assert_refused(r):
    assert r.status_code == 401
    assert r.json()["detail"] == tokens.REFUSED  # Chinese, not ninja's "Unauthorized"


def test_token_works_then_api_logout_refuses_the_same_token(client, district):
    m = make_member(district.base_a1, "陈静", mobile_no="13912345678")
    token = session_token(m.user)
    r = client.get(ME, headers=bearer(token))
    assert r.status_code == 200
    assert r.json() == {"name": "陈静", "mobile": "139****5678", "member": True,
                        "union": district.base_a1.name, "member_no": m.membership.member_no}
    r = client.post(LOGOUT, headers=bearer(token))
    assert r.status_code == 200 and "失效" in r.json()["detail"]
    assert_refused(client.get(ME, headers=bearer(token)))
    assert_refused(client.post(LOGOUT, headers=bearer(token)))  # and it cannot sign out again either
    # Signing in again gives a token that works (a later generation).
    fresh = session_token(m.user)
    assert client.get(ME, headers=bearer(fresh)).status_code == 200
    assert MemberTokenGeneration.objects.get(user=m.user).generation == 1


def test_h5_logout_page_revokes_tokens_and_ends_the_session(client, district):
    m = make_member(district.base_a1)
    token = session_token(m.user)
    client.force_login(m.user)
    r = client.post("/m/logout/")
    assert r.status_code == 302 and r["Location"] == "/m/login/"
    assert_refused(client.get(ME, headers=bearer(token)))
    assert client.get("/m/me/").status_code == 302  # the session is gone too


def test_api_logout_by_session_revokes_tokens_and_ends_that_session(district):
    m = make_member(district.base_a1)
    token = session_token(m.user)
    browser = Client()
    browser.force_login(m.user)
    assert browser.post(LOGOUT).status_code == 200
    assert browser.get(ME).status_code == 401 and browser.get(ME).json()["detail"] == "请先登录"
    assert_refused(Client().get(ME, headers=bearer(token)))


def test_logout_revokes_every_token_of_that_member_and_nobody_elses(client, district):
    a, b = make_member(district.base_a1, "甲"), make_member(district.base_a1, "乙")
    a1, a2, b1 = session_token(a.user), session_token(a.user), session_token(b.user)  # a on two phones
    assert client.post(LOGOUT, headers=bearer(a1)).status_code == 200
    assert_refused(client.get(ME, headers=bearer(a1)))
    assert_refused(client.get(ME, headers=bearer(a2)))  # all of a's tokens: they are not tied to a device
    r = client.get(ME, headers=bearer(b1))
    assert r.status_code == 200 and r.json()["name"] == "乙"


def test_token_from_before_a_password_change_is_refused(client, district):
    m = make_member(district.base_a1)
    old = session_token(m.user)
    m.user.set_password("新的密码-2026")
    m.user.save()
    assert_refused(client.get(ME, headers=bearer(old)))
    assert client.get(ME, headers=bearer(session_token(m.user))).status_code == 200


def test_deactivated_or_promoted_accounts_lose_their_tokens(client, district):
    gone, promoted = make_member(district.base_a1, "离职"), make_member(district.base_a1, "升任")
    t_gone, t_promoted = session_token(gone.user), session_token(promoted.user)
    type(gone.user).objects.filter(pk=gone.user.pk).update(is_active=False)
    type(promoted.user).objects.filter(pk=promoted.user.pk).update(is_staff=True)  # every staff grant sets it
    assert_refused(client.get(ME, headers=bearer(t_gone)))
    assert_refused(client.get(ME, headers=bearer(t_promoted)))


def test_staff_accounts_get_no_member_token(district):
    c = Client()
    c.force_login(district.users["base_a1.reviewer"])
    r = c.post(TOKEN)
    assert r.status_code == 403 and "工作人员" in r.json()["detail"]


def test_forged_expired_and_missing_tokens_are_chinese_401s(client, district, monkeypatch):
    m = make_member(district.base_a1)
    token = session_token(m.user)
    assert_refused(client.get(ME, headers=bearer("forged")))
    assert_refused(client.get(ME, headers=bearer(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))))
    # Same payload, other purpose: an activities check-in code or card QR is not a member token.
    other = signing.TimestampSigner(salt="lianxin.portal.card").sign(token.split(":")[0])
    assert_refused(client.get(ME, headers=bearer(other)))
    later = dt.datetime.now() + dt.timedelta(seconds=tokens.TTL + 60)
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())
    assert_refused(client.get(ME, headers=bearer(token)))
    r = client.get(ME)
    assert r.status_code == 401 and r.json()["detail"] == "请先登录"


def test_a_token_cannot_mint_a_token(client, district):
    m = make_member(district.base_a1)
    r = client.post(TOKEN, headers=bearer(session_token(m.user)))
    assert r.status_code == 401  # only a session may ask: a stolen token cannot outlive its 2 hours


def test_only_the_member_revokes_their_own_tokens(district):
    a, b = make_member(district.base_a1, "甲"), make_member(district.base_a1, "乙")
    with pytest.raises(services.PermissionDenied):
        services.revoke_member_tokens(actor=a.user, user=b.user)


def test_the_check_is_one_query_which_also_loads_the_member(client, district, django_assert_max_num_queries):
    m = make_member(district.base_a1, "陈静")
    token = session_token(m.user)
    with django_assert_max_num_queries(1):
        user = tokens.authenticate(token)
        assert user.pk == m.user.pk and user.person.name == "陈静"  # person came with the same query
    services.revoke_member_tokens(actor=m.user, user=m.user)
    with django_assert_max_num_queries(1):
        assert tokens.authenticate(token) is None
    fresh = session_token(m.user)
    # The whole request: the token check (1) plus the endpoint's own membership read (1); nothing else.
    with django_assert_max_num_queries(2):
        assert client.get(ME, headers=bearer(fresh)).status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get(ME, headers=bearer(token)).status_code == 401


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_simultaneous_logouts_each_raise_the_generation():
    from lianxin.core.testing import build_district

    d = build_district()
    m = make_member(d.base_a1)
    token = tokens.issue(m.user)
    barrier = threading.Barrier(8)

    def out(_):
        try:
            barrier.wait(timeout=20)
            return services.revoke_member_tokens(actor=m.user, user=m.user)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        generations = sorted(pool.map(out, range(8)))
    assert generations == list(range(1, 9))  # one atomic upsert each: none lost, none failed
    assert tokens.authenticate(token) is None

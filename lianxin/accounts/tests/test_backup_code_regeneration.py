"""New backup codes from 我的账号: only against a current authenticator code (a backup code or a wrong code is
refused in Chinese, throttled and audited like the sign-in step); the 10 new codes are shown once and every old
code stops working; a session verified with a backup code stays verified."""

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lianxin.accounts import services
from lianxin.accounts.testing import current_code, enroll, login_verified, password_login
from lianxin.core.errors import ServiceError
from lianxin.core.models import AuditEntry


def _wrong_code(device) -> str:
    accepted = {current_code(device, steps_ahead=s) for s in (-1, 0, 1, 2)}
    return next(c for c in (f"{n:06d}" for n in range(0, 1_000_000, 7919)) if c not in accepted)


def _after_backoff(user):
    """The one-second back-off after a failure has passed."""
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)


def _codes_on_page(html):
    import re

    return re.findall(r"<li>\s*([^<\s]+)\s*</li>", html.split('id="backup-codes"', 1)[1].split("</ol>", 1)[0])


@pytest.mark.pg
@pytest.mark.django_db
def test_new_backup_codes_need_a_current_code_and_void_the_old_ones(district, client, otp_required):
    user = district.users["street_a.auditor"]
    device, old = enroll(user)
    login_verified(client, user, device)

    r = client.post("/console/account/backup-codes/", {"code": _wrong_code(device)})
    assert r.status_code == 400 and "验证码不正确或已过期" in r.content.decode()
    assert 'id="backup-error"' in r.content.decode()
    fail = AuditEntry.objects.get(action="otp.fail")
    assert fail.detail["stage"] == "backup_codes" and fail.detail["failures"] == 1
    _after_backoff(user)
    r = client.post("/console/account/backup-codes/", {"code": old[0]})  # a backup code cannot mint new ones
    assert r.status_code == 400 and "不能使用备用验证码" in r.content.decode()
    assert sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == sorted(old)
    assert not AuditEntry.objects.filter(action="account.backup_codes").exists()

    r = client.post("/console/account/backup-codes/", {"code": current_code(device, steps_ahead=1)})
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    html = r.content.decode()
    new = _codes_on_page(html)
    assert len(new) == 10 and "已生成新的备用验证码" in html and "全部作废" in html
    stored = sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == sorted(new) and not set(new) & set(old)
    entry = AuditEntry.objects.get(action="account.backup_codes")
    assert entry.object_id == str(user.pk) and entry.org_path == district.street_a.path
    assert entry.detail["voided"] == 10 and not any(c in str(entry.detail) for c in new)
    assert client.get("/console/").status_code == 200  # this session is still verified
    # the page does not show them again
    assert not any(c in client.get("/console/account/").content.decode() for c in new)

    # at the next sign-in an old code is refused and a new one works (once)
    other = client.__class__()
    password_login(other, user)
    r = other.post("/console/otp/", {"code": old[1], "next": "/console/"})
    assert r.status_code == 400 and "验证码不正确或已过期" in r.content.decode()
    _after_backoff(user)
    r = other.post("/console/otp/", {"code": new[0], "next": "/console/"})
    assert r.status_code == 302 and r.url == "/console/"
    assert StaticToken.objects.filter(device__user=user).count() == 9


@pytest.mark.django_db
def test_a_session_verified_with_a_backup_code_stays_verified(district, client, otp_required):
    user = district.users["base_a1.reviewer"]
    device, codes = enroll(user)
    password_login(client, user)
    assert client.post("/console/otp/", {"code": codes[0], "next": "/console/"}).status_code == 302
    static = StaticDevice.objects.get(user=user)
    assert client.session[DEVICE_ID_SESSION_KEY] == static.persistent_id
    r = client.post("/console/account/backup-codes/", {"code": current_code(device, steps_ahead=1)})
    assert r.status_code == 200
    assert StaticDevice.objects.get(user=user).pk == static.pk  # the device stays, its tokens changed
    assert client.get("/console/account/").status_code == 200


@pytest.mark.django_db
def test_a_spent_code_cannot_be_used_again_for_new_codes(district, client, otp_required):
    user = district.users["fed.reviewer"]
    device, _ = enroll(user)
    code = current_code(device, steps_ahead=1)
    first = services.regenerate_backup_codes(actor=user, code=code)
    with pytest.raises(ServiceError) as e:
        services.regenerate_backup_codes(actor=user, code=code)
    assert e.value.code == "otp_wrong"
    assert sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == sorted(first)


@pytest.mark.django_db
def test_without_an_authenticator_there_is_nothing_to_regenerate(district, client):
    user = district.users["street_b.auditor"]
    client.force_login(user)  # second factor off (the local demo): no authenticator bound
    r = client.post("/console/account/backup-codes/", {"code": "123456"})
    assert r.status_code == 400 and "尚未绑定手机验证器" in r.content.decode()
    for bad in ("", "12ab", "\x00" * 3, "9" * 500):
        r = client.post("/console/account/backup-codes/", {"code": bad})
        assert r.status_code == 400, bad
    assert not StaticToken.objects.filter(device__user=user).exists()


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_one_code_used_twice_at_once_makes_one_set_of_codes(otp_required):
    """The devices are locked while the code is checked (devices_for_user(for_verify=True)), so two requests
    with the same authenticator code cannot both mint a set: one succeeds, the other finds the code spent."""
    from lianxin.core.testing import build_district, race

    d = build_district()
    user = d.users["street_b.admin"]
    device, _ = enroll(user)
    code = current_code(device, steps_ahead=1)
    results = race([lambda: services.regenerate_backup_codes(actor=user, code=code)] * 2, ok_label="ok")
    assert sorted(results) == ["ok", "otp_wrong"]
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert AuditEntry.objects.filter(action="account.backup_codes").count() == 1

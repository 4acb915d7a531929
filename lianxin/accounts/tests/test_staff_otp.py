"""Staff second factor (DESIGN stack: django-otp). With LIANXIN_STAFF_OTP=required a staff password alone
opens nothing staff can use — console, admin, API — until a TOTP or backup code is given; first sign-in enrols
an authenticator with a QR code and shows 10 single-use backup codes once; wrong codes get a Chinese message,
are throttled and audited; members are untouched; an administrator in scope can reset a lost phone."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lianxin.accounts import services
from lianxin.accounts.models import User
from lianxin.accounts.testing import current_code, enroll, key_from_secret, login_verified, password_login
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import PASSWORD, make_person

ROOT_DIR = Path(__file__).resolve().parents[3]
WRONG = "验证码不正确或已过期"


def _wrong_code(device) -> str:
    """A 6-digit code that is none of the codes the device accepts right now (tolerance ±1 step)."""
    accepted = {current_code(device, steps_ahead=s) for s in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in range(0, 1_000_000, 7919)) if c not in accepted)


def _console_paths():
    """Every console URL in the project, with sample arguments, so a new page cannot slip past the gate."""
    out = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith("console/"):
                    for conv in ("<int:pk>", "<int:id>", "<slug:code>", "<str:token>"):
                        route = route.replace(conv, "1" if conv.startswith("<int") else "x")
                    route = __import__("re").sub(r"<int:\w+>", "1", route)
                    route = __import__("re").sub(r"<\w+:\w+>|<\w+>", "x", route)
                    out.append("/" + route)

    walk(get_resolver().url_patterns)
    return sorted(set(out))


# ---------------------------------------------------------------- the gate


@pytest.mark.pg
@pytest.mark.django_db
def test_password_only_staff_session_reaches_only_the_code_step(district, client, otp_required):
    user = district.users["street_a.admin"]
    r = password_login(client, user)
    assert r.status_code == 302  # the password step succeeded ...
    r = client.get("/console/")
    assert r.status_code == 302 and r.url == "/console/otp/?next=/console/"  # ... but the console waits
    r = client.get("/admin/")
    assert r.status_code == 302 and r.url.startswith("/console/otp/?next=/admin/")
    r = client.get("/admin/accounts/staffrole/")
    assert r.status_code == 302 and r.url.startswith("/console/otp/")
    r = client.get("/api/v1/orgs/organizations")
    assert r.status_code == 403 and r.json()["code"] == "otp_required" and "二次验证" in r.json()["detail"]
    r = client.get(f"/applications/files/{user.pk}/")  # staff file views too (fail-closed gate)
    assert r.status_code == 302 and r.url.startswith("/console/otp/")
    # the code page itself, and leaving, stay open
    assert client.get("/console/otp/").status_code == 302  # no device yet: on to enrolment
    assert client.get("/console/otp/setup/").status_code == 200


@pytest.mark.django_db
def test_every_console_page_is_behind_the_code_step(district, client, otp_required):
    paths = _console_paths()
    assert "/console/" in paths and "/console/applications/" in paths and len(paths) > 20
    client.force_login(district.users["fed.admin"])
    exempt = ("/console/otp/", "/console/login/", "/console/logout/")
    for path in paths:
        if path.startswith(exempt):
            continue
        r = client.get(path)
        assert r.status_code == 302 and r.url.startswith("/console/otp/"), (path, r.status_code)
        r = client.post(path, {})
        assert r.status_code == 302 and r.url == "/console/otp/", (path, r.status_code)


@pytest.mark.django_db
def test_superuser_needs_the_code_step_too(db, client, otp_required):
    admin = User.objects.create_superuser("root", password=PASSWORD)
    password_login(client, admin)
    assert client.get("/admin/").url.startswith("/console/otp/")
    login_verified(client, admin)
    assert client.get("/admin/").status_code == 200  # unfold admin works once verified
    assert client.get("/admin/accounts/user/").status_code == 200


@pytest.mark.django_db
def test_off_switch_lets_a_password_session_in(district, client, settings):
    """The local demo (make run writes LIANXIN_STAFF_OTP=off): the console opens after the password."""
    settings.LIANXIN_STAFF_OTP = "off"
    password_login(client, district.users["street_a.admin"])
    assert client.get("/console/").status_code == 200
    assert client.get("/console/otp/").status_code == 302  # nothing to do: straight on


def test_production_default_is_required(tmp_path):
    """The real settings with no LIANXIN_STAFF_OTP in the environment require the code step, and a typo in the
    variable stops the server instead of silently switching the check off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIANXIN_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update({"DJANGO_SETTINGS_MODULE": "lianxin.settings", "LIANXIN_SECRET_KEY": "x" * 50,
                "LIANXIN_ENV_FILE": str(tmp_path / "absent.env"), "LIANXIN_VAR_DIR": str(tmp_path)})
    code = "import django; django.setup(); from django.conf import settings; print(settings.LIANXIN_STAFF_OTP)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT_DIR, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "required"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT_DIR, env={**env, "LIANXIN_STAFF_OTP": "of"},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and "LIANXIN_STAFF_OTP" in out.stderr


# ---------------------------------------------------------------- enrolment


@pytest.mark.pg
@pytest.mark.django_db
def test_enrolment_with_a_current_code_verifies_and_shows_backup_codes_once(district, client, otp_required):
    user = district.users["base_a1.reviewer"]
    password_login(client, user)
    r = client.get("/console/otp/?next=/console/people/")
    assert r.status_code == 302 and r.url == "/console/otp/setup/?next=/console/people/"
    page = client.get(r.url).content.decode()
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", "")  # inline QR, no external image
    secret = page.split('id="otp-secret"', 1)[1].split(">", 1)[1].split("<", 1)[0]
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed and key_from_secret(secret) == device.bin_key
    assert client.get("/console/otp/setup/").content.decode().count(secret) == 1  # reload: same secret
    assert TOTPDevice.objects.filter(user=user).count() == 1

    r = client.post("/console/otp/setup/", {"code": current_code(key_from_secret(secret)),
                                            "next": "/console/people/"})
    assert r.status_code == 200
    html = r.content.decode()
    codes = [c for c in StaticToken.objects.filter(device__user=user).values_list("token", flat=True)]
    assert len(codes) == 10 and all(c in html for c in codes) and "只显示这一次" in html
    assert r["Cache-Control"].startswith("max-age=0") or "no-store" in r["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed and client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/console/").status_code == 200
    assert client.get("/console/people/").status_code == 200
    # the codes are never shown again: enrolment is closed once a device is confirmed
    r = client.get("/console/otp/setup/")
    assert r.status_code == 302 and not any(c in r.content.decode() for c in codes)
    with pytest.raises(ServiceError):
        services.begin_totp_enrollment(user=user)
    assert AuditEntry.objects.filter(action="otp.enroll", object_id=str(user.pk),
                                     org_path=district.base_a1.path).count() == 1


@pytest.mark.django_db
def test_enrolment_refuses_a_wrong_code_in_chinese(district, client, otp_required):
    user = district.users["street_b.viewer"]
    password_login(client, user)
    client.get("/console/otp/setup/")
    device = TOTPDevice.objects.get(user=user)
    r = client.post("/console/otp/setup/", {"code": _wrong_code(device)})
    assert r.status_code == 400 and WRONG in r.content.decode()
    r = client.post("/console/otp/setup/", {"code": "12ab"})
    assert r.status_code == 400 and "6 位数字" in r.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and not StaticDevice.objects.filter(user=user).exists()
    assert client.get("/console/").status_code == 302


# ---------------------------------------------------------------- later sign-ins


@pytest.mark.pg
@pytest.mark.django_db
def test_later_sign_in_takes_a_totp_code_and_refuses_a_wrong_one(district, client, otp_required):
    user = district.users["street_a.viewer"]
    device, _ = enroll(user)
    password_login(client, user)
    r = client.get("/console/")
    assert r.url == "/console/otp/?next=/console/"
    page = client.get(r.url)
    assert page.status_code == 200 and "二次验证" in page.content.decode()
    r = client.post("/console/otp/", {"code": _wrong_code(device), "next": "/console/"})
    assert r.status_code == 400 and WRONG in r.content.decode()
    assert client.get("/console/").status_code == 302
    entry = AuditEntry.objects.filter(action="otp.fail").latest("seq")
    assert entry.object_id == str(user.pk) and entry.org_path == district.street_a.path
    assert entry.detail["failures"] == 1
    device.refresh_from_db()
    device.throttling_failure_timestamp = None  # the 1-second back-off has passed
    device.save()
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    r = client.post("/console/otp/", {"code": current_code(device, steps_ahead=1), "next": "/console/"})
    assert r.status_code == 302 and r.url == "/console/"
    assert client.get("/console/").status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert StaticDevice.objects.get(user=user).throttling_failure_count == 0  # the account's count is cleared
    # a TOTP code is good once: a replay in another session is refused
    other = client.__class__()
    password_login(other, user)
    r = other.post("/console/otp/", {"code": current_code(device), "next": "/console/"})
    assert r.status_code == 400 and WRONG in r.content.decode()


@pytest.mark.pg
@pytest.mark.django_db
def test_a_backup_code_works_once_only(district, client, otp_required):
    user = district.users["fed.auditor"]
    _, codes = enroll(user)
    password_login(client, user)
    r = client.post("/console/otp/", {"code": codes[3].upper()[:4] + " " + codes[3][4:], "next": "/console/"})
    assert r.status_code == 302 and r.url == "/console/"  # spaces and case do not matter
    assert client.get("/console/").status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9
    client.post("/console/logout/")
    password_login(client, user)
    r = client.post("/console/otp/", {"code": codes[3], "next": "/console/"})
    assert r.status_code == 400 and WRONG in r.content.decode()
    assert client.get("/console/").status_code == 302
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    r = client.post("/console/otp/", {"code": codes[4], "next": "/console/"}, follow=True)
    assert r.status_code == 200 and "还剩 8 个" in r.content.decode()


@pytest.mark.pg
@pytest.mark.django_db
def test_repeated_failures_are_throttled_visibly_and_audited(district, client, otp_required):
    user = district.users["street_b.admin"]
    device, codes = enroll(user)
    password_login(client, user)
    wrong = _wrong_code(device)
    r = client.post("/console/otp/", {"code": wrong})
    assert r.status_code == 400 and "已连续失败 1 次" in r.content.decode()
    # straight after a failure even the right code is refused, and says how long to wait
    for code in (current_code(device, steps_ahead=1), codes[0], wrong):
        r = client.post("/console/otp/", {"code": code})
        assert r.status_code == 400 and "尝试过于频繁" in r.content.decode()
    assert client.get("/console/").status_code == 302
    assert StaticToken.objects.filter(device__user=user).count() == 10  # the backup code was not spent
    # keep failing (each time after the back-off passed): the count and the wait grow 1, 2, 4, 8 ... s
    waits = []
    for _ in range(5):
        TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
        StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
        client.post("/console/otp/", {"code": wrong})
        device.refresh_from_db()
        ok, info = device.verify_is_allowed()
        assert not ok
        waits.append((info["locked_until"] - device.throttling_failure_timestamp).total_seconds())
    assert device.throttling_failure_count == 6 and waits == [2, 4, 8, 16, 32]
    assert StaticDevice.objects.get(user=user).throttling_failure_count == 6  # all devices back off together
    fails = AuditEntry.objects.filter(action="otp.fail", object_id=str(user.pk))
    assert fails.count() == 9 and fails.filter(detail__throttled=True).count() == 3
    # staff in the user's reach see the failures on the overview
    admin = district.users["fed.admin"]
    other = client.__class__()
    login_verified(other, admin)
    page = other.get("/console/staff-otp/").content.decode()
    row = page.split(f'id="otp-row-{user.username}"', 1)[1].split("</tr>", 1)[0]
    assert "已绑定" in row and '<span class="tag warn">6</span>' in row


# ---------------------------------------------------------------- members


@pytest.mark.pg
@pytest.mark.django_db
def test_members_on_the_portal_are_unaffected(district, client, otp_required):
    person = make_person(district.base_a1, "李会员")
    member = User.objects.create_user(username="m_li", person=person)
    client.force_login(member)
    assert client.get("/m/").status_code == 200
    assert client.get("/m/me/").status_code == 200
    assert client.get("/api/v1/workflow/mine").status_code == 200
    assert not TOTPDevice.objects.filter(user=member).exists()
    # while a staff account's password-only session on the same pages is asked for the code
    staff = client.__class__()
    staff.force_login(district.users["base_a1.admin"])
    assert staff.get("/m/").url.startswith("/console/otp/")


# ---------------------------------------------------------------- reset


@pytest.mark.pg
@pytest.mark.django_db
def test_reset_is_scoped_and_audited(district, client, otp_required):
    target = district.users["base_a1.viewer"]
    enroll(target)
    victim_session = client.__class__()
    login_verified(victim_session, target)
    assert victim_session.get("/console/").status_code == 200

    with pytest.raises(PermissionDenied):  # another street
        services.reset_staff_otp(actor=district.users["street_b.admin"], user=target, reason="手机丢失")
    with pytest.raises(PermissionDenied):  # a reviewer cannot change accounts
        services.reset_staff_otp(actor=district.users["street_a.reviewer"], user=target, reason="手机丢失")
    with pytest.raises(PermissionDenied):  # below the target's grant
        services.reset_staff_otp(actor=district.users["street_a.admin"], user=district.users["fed.viewer"],
                                 reason="手机丢失")
    root = User.objects.create_superuser("root", password=PASSWORD)
    with pytest.raises(PermissionDenied):  # platform accounts: superusers only
        services.reset_staff_otp(actor=district.users["fed.admin"], user=root, reason="手机丢失")
    with pytest.raises(PermissionDenied):  # never one's own
        services.reset_staff_otp(actor=district.users["street_a.admin"], user=district.users["street_a.admin"],
                                 reason="手机丢失")
    with pytest.raises(ServiceError) as e:
        services.reset_staff_otp(actor=district.users["street_a.admin"], user=target, reason=" ")
    assert e.value.field == "reason"
    assert TOTPDevice.objects.filter(user=target).exists()
    assert not AuditEntry.objects.filter(action="otp.reset").exists()

    # through the console page, as street_a's administrator
    admin = district.users["street_a.admin"]
    login_verified(client, admin)
    page = client.get("/console/staff-otp/").content.decode()
    assert "base_a1.viewer" in page and "street_b." not in page and "fed." not in page
    r = client.post(f"/console/staff-otp/{district.users['street_b.viewer'].pk}/reset/", {"reason": "手机丢失"})
    assert r.status_code == 404  # outside the subtree: as if it did not exist
    r = client.post(f"/console/staff-otp/{target.pk}/reset/", {"reason": "手机丢失"}, follow=True)
    assert r.status_code == 200 and "已重置" in r.content.decode()
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert not StaticDevice.objects.filter(user=target).exists()
    entry = AuditEntry.objects.get(action="otp.reset")
    assert (entry.actor_id, entry.object_id, entry.reason, entry.org_path) == (
        admin.pk, str(target.pk), "手机丢失", district.base_a1.path)
    assert entry.detail["devices"] == 2
    # the session verified with the removed device is no longer verified; the next sign-in enrols again
    assert victim_session.get("/console/").url.startswith("/console/otp/")
    assert victim_session.get("/console/otp/").url.startswith("/console/otp/setup/")
    # viewers have no reset page
    viewer = client.__class__()
    login_verified(viewer, district.users["street_a.viewer"])
    assert viewer.get("/console/staff-otp/").status_code == 403


@pytest.mark.django_db
def test_reset_from_the_admin_user_list(district, client, otp_required):
    target = district.users["base_a1.reviewer"]
    enroll(target)
    login_verified(client, district.users["street_a.admin"])
    r = client.post("/admin/accounts/user/", {"action": "reset_otp_selected", "_selected_action": [target.pk]},
                    follow=True)
    assert r.status_code == 200
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert AuditEntry.objects.filter(action="otp.reset", object_id=str(target.pk)).exists()
    # django-otp's own (unscoped) device admin is not offered
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


# ---------------------------------------------------------------- concurrency


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_one_backup_code_used_twice_at_once_verifies_once(otp_required):
    from lianxin.core.testing import build_district, race

    d = build_district()
    user = d.users["street_a.auditor"]
    _, codes = enroll(user)
    results = race([lambda: services.verify_staff_code(user=user, code=codes[0])] * 2, ok_label="ok")
    assert sorted(results) == ["ok", "otp_wrong"]
    assert StaticToken.objects.filter(device__user=user).count() == 9


@pytest.mark.pg
@pytest.mark.django_db
def test_malformed_input_gets_the_chinese_message_never_a_500(district, client, otp_required):
    user = district.users["base_a1.auditor"]
    device, _ = enroll(user)
    password_login(client, user)
    for code in ("abc\x00defg", "x" * 5000, "<script>", "１２３", ""):
        r = client.post("/console/otp/", {"code": code})
        assert r.status_code == 400, code
        assert WRONG in r.content.decode() or "请输入验证码" in r.content.decode()
    # full-width digits from a Chinese input method are digits ("１２３" above was a wrong code: wait it out)
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    fullwidth = current_code(device, steps_ahead=1).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    r = client.post("/console/otp/", {"code": fullwidth, "next": "/console/"})
    assert r.status_code == 302 and r.url == "/console/"

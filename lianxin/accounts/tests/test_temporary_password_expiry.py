"""A temporary password an administrator gives a staff member expires LIANXIN_TEMP_PASSWORD_HOURS (default 72)
after it was issued. Within the window it signs in (and must then be replaced); after it, every sign-in with
it — console, Django admin, the password-change service — is refused with a Chinese message telling the person
to ask their administrator for a new one, audited as ``account.login_refused``, never a 500. A session that
signed in with it in time is signed out once it expires (pages and the API). A fresh temporary password
restarts the clock; a password of the account's own clears it.

Time is moved by writing the issue time into the past (the project has no time-freezing library) or, where
"later" is needed after a change, by monkeypatching ``django.utils.timezone.now``."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.accounts import services
from lianxin.accounts.models import TemporaryPasswordExpired, User
from lianxin.accounts.testing import password_login
from lianxin.core.errors import ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import PASSWORD

EXPIRED = "临时密码已过期"
ASK = "请联系您的管理员重新发放临时密码"
NEW = "Jiangbei-Ferry#2028"


def _issue(district, username="street_a.viewer", admin="street_a.admin"):
    user = district.users[username]
    temporary = services.reset_staff_password(actor=district.users[admin], user=user, reason="忘记密码")
    user.refresh_from_db()
    return user, temporary


def _issued_ago(user, delta):
    User.objects.filter(pk=user.pk).update(temporary_password_issued_at=timezone.now() - delta)
    user.refresh_from_db()


def _signed_in(client, user) -> bool:
    return client.session.get(SESSION_KEY) == str(user.pk)


@pytest.mark.pg
@pytest.mark.django_db
def test_valid_within_the_window_refused_after(district, client):
    user, temporary = _issue(district)
    assert abs((user.temporary_password_issued_at - timezone.now()).total_seconds()) < 60
    assert user.temporary_password_expires_at == user.temporary_password_issued_at + timedelta(hours=72)
    reset = AuditEntry.objects.get(action="account.password_reset")
    assert reset.detail["expires_at"] == user.temporary_password_expires_at.isoformat()

    _issued_ago(user, timedelta(hours=71, minutes=59))  # a minute left
    r = password_login(client, user, temporary)
    assert r.status_code == 302 and _signed_in(client, user)
    assert client.get("/console/").url.startswith("/console/account/password/")  # still must replace it
    page = client.get("/console/account/password/").content.decode()
    expires = timezone.localtime(user.temporary_password_expires_at).strftime("%Y-%m-%d %H:%M")
    assert f'id="pw-expires">{expires}<' in page  # the page says until when

    _issued_ago(user, timedelta(hours=72, seconds=1))
    late = client.__class__()
    r = password_login(late, user, temporary)
    html = r.content.decode()
    assert r.status_code == 200 and EXPIRED in html and ASK in html and "72 小时" in html
    assert "用户名或密码不正确" not in html
    assert not _signed_in(late, user)
    entry = AuditEntry.objects.get(action="account.login_refused")
    assert (entry.actor_id, entry.object_id, entry.org_path) == (user.pk, str(user.pk), district.street_a.path)
    assert entry.detail["why"] == "temporary_password_expired" and entry.detail["hours"] == 72
    assert temporary not in str(entry.detail)

    # a wrong password on such an account is just a wrong password (no hint, no refusal entry)
    r = password_login(late, user, "not-the-password-1")
    assert r.status_code == 200 and "用户名或密码不正确" in r.content.decode()
    assert EXPIRED not in r.content.decode()
    assert AuditEntry.objects.filter(action="account.login_refused").count() == 1


@pytest.mark.pg
@pytest.mark.django_db
def test_expired_password_opens_neither_the_admin_nor_the_service(district, client):
    user, temporary = _issue(district, "base_a1.admin", "fed.admin")
    _issued_ago(user, timedelta(days=4))
    r = client.post("/admin/login/", {"username": user.username, "password": temporary, "next": "/admin/"})
    assert r.status_code == 200 and EXPIRED in r.content.decode() and not _signed_in(client, user)
    assert client.get("/api/v1/orgs/organizations").status_code == 401  # no session, so no API either

    with pytest.raises(ServiceError) as e:
        services.change_own_password(actor=user, current=temporary, new=NEW)
    assert e.value.code == "temporary_password_expired" and e.value.field == "current" and ASK in e.value.message
    user.refresh_from_db()
    assert user.must_change_password and not user.check_password(NEW)
    assert AuditEntry.objects.filter(action="account.login_refused").count() == 2
    assert not AuditEntry.objects.filter(action="account.password_change").exists()

    with pytest.raises(TemporaryPasswordExpired):
        user.check_password(temporary)
    assert user.check_password("wrong-one-9") is False
    # an inactive account does not reveal that the password was right
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.refresh_from_db()
    assert user.check_password(temporary) is False
    r = password_login(client, user, temporary)
    assert r.status_code == 200 and EXPIRED not in r.content.decode()


@pytest.mark.django_db
def test_the_window_follows_the_setting(district, client, settings):
    settings.LIANXIN_TEMP_PASSWORD_HOURS = 1
    user, temporary = _issue(district, "street_b.viewer", "street_b.admin")
    assert user.temporary_password_expires_at == user.temporary_password_issued_at + timedelta(hours=1)
    _issued_ago(user, timedelta(minutes=59))
    assert user.check_password(temporary)
    _issued_ago(user, timedelta(minutes=61))
    r = password_login(client, user, temporary)
    assert r.status_code == 200 and "1 小时" in r.content.decode() and not _signed_in(client, user)
    settings.LIANXIN_TEMP_PASSWORD_HOURS = 2  # the setting is read at each check
    assert user.check_password(temporary)


@pytest.mark.pg
@pytest.mark.django_db
def test_a_fresh_temporary_password_restarts_the_clock(district, client):
    user, first = _issue(district)
    _issued_ago(user, timedelta(hours=80))
    with pytest.raises(TemporaryPasswordExpired):
        user.check_password(first)
    user, second = _issue(district)
    assert timezone.now() - user.temporary_password_issued_at < timedelta(minutes=1)
    assert not user.temporary_password_expired
    assert not user.check_password(first)  # the old one is simply wrong now
    r = password_login(client, user, second)
    assert r.status_code == 302 and _signed_in(client, user)


@pytest.mark.pg
@pytest.mark.django_db
def test_a_password_of_ones_own_clears_the_clock(district, client, monkeypatch):
    user, temporary = _issue(district)
    _issued_ago(user, timedelta(hours=70))
    assert password_login(client, user, temporary).status_code == 302
    r = client.post("/console/account/password/", {"current": temporary, "new": NEW, "new_again": NEW})
    assert r.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.temporary_password_issued_at is None
    assert user.temporary_password_expires_at is None

    later = timezone.now() + timedelta(days=30)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert user.check_password(NEW)
    fresh = client.__class__()
    assert password_login(fresh, user, NEW).status_code == 302 and _signed_in(fresh, user)
    assert fresh.get("/console/").status_code == 200
    assert not AuditEntry.objects.filter(action="account.login_refused").exists()

    # the database keeps the pair consistent: no temporary password without its issue time
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(must_change_password=True)


@pytest.mark.pg
@pytest.mark.django_db
def test_a_session_on_an_expired_temporary_password_is_signed_out(district, client):
    user, temporary = _issue(district)
    api = client.__class__()
    assert password_login(client, user, temporary).status_code == 302
    assert password_login(api, user, temporary).status_code == 302
    assert client.get("/console/").status_code == 302  # to the change-password page, for now

    _issued_ago(user, timedelta(hours=73))
    r = client.get("/console/account/password/")
    assert r.status_code == 302 and r.url == "/console/login/" and not _signed_in(client, user)
    page = client.get(r.url).content.decode()
    assert EXPIRED in page and ASK in page

    r = api.get("/api/v1/orgs/organizations")
    assert r.status_code == 401 and r.json()["code"] == "temporary_password_expired" and ASK in r.json()["detail"]
    assert not _signed_in(api, user)
    assert api.get("/api/v1/orgs/organizations").status_code == 401


@pytest.mark.django_db
def test_administrators_see_the_expiry(district, client):
    admin = district.users["street_a.admin"]
    client.force_login(admin)
    target = district.users["street_a.viewer"]
    r = client.post(f"/console/staff-otp/{target.pk}/password/", {"reason": "忘记密码"})
    html = r.content.decode()
    target.refresh_from_db()
    expires = timezone.localtime(target.temporary_password_expires_at).strftime("%Y-%m-%d %H:%M")
    assert r.status_code == 200 and "72 小时内有效" in html and expires in html.split('id="temp-expiry"', 1)[1]
    row = lambda: client.get("/console/staff-otp/").content.decode().split(  # noqa: E731
        f'id="otp-row-{target.username}"', 1)[1].split("</tr>", 1)[0]
    assert "待修改临时密码" in row() and "临时密码已过期" not in row()
    _issued_ago(target, timedelta(hours=72, minutes=1))
    assert "临时密码已过期" in row()


@pytest.mark.pg
@pytest.mark.django_db(transaction=True)
def test_the_migration_starts_the_clock_for_pending_temporary_passwords(district):
    """Accounts already on a temporary password when 0004 runs get the migration time as issue time."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    user = district.users["street_a.viewer"]
    before = [("accounts", "0003_must_change_password")]
    after = [("accounts", "0004_temporary_password_expiry")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("accounts", "User")
        old.objects.filter(pk=user.pk).update(must_change_password=True)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:  # back to the latest state of every app (later migrations, e.g. 0005, were unapplied too)
        latest = MigrationExecutor(connection)
        latest.migrate(latest.loader.graph.leaf_nodes())
    user.refresh_from_db()
    assert user.must_change_password and timezone.now() - user.temporary_password_issued_at < timedelta(minutes=5)
    assert not user.temporary_password_expired
    assert User.objects.filter(must_change_password=False, temporary_password_issued_at__isnull=False).count() == 0
    assert user.check_password(PASSWORD)

"""我的账号 (/console/account/): a staff member sees their name, roles and second-factor state, and changes
their own password — current one checked, Django's password validators in Chinese whatever language the
browser asks for, the two new entries must match. The change keeps this session and ends the account's other
sessions, and is audited; refusals never reach a 500."""

import pytest
from django.contrib.auth import SESSION_KEY

from lianxin.accounts import services
from lianxin.accounts.models import User
from lianxin.accounts.testing import enroll, login_verified, password_login
from lianxin.core.errors import ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import PASSWORD

NEW = "Qiantang-River#2027"
EN = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}  # an English browser still gets Chinese messages


def _change(client, current, new, again=None, **extra):
    return client.post("/console/account/password/",
                       {"current": current, "new": new, "new_again": new if again is None else again}, **extra)


@pytest.mark.pg
@pytest.mark.django_db
def test_account_page_shows_name_roles_and_second_factor(district, client, otp_required):
    from lianxin.accounts.services import grant_role

    user = district.users["street_a.reviewer"]
    User.objects.filter(pk=user.pk).update(display_name="王小明")
    grant_role(actor=None, user=user, organization=district.base_a1, role="auditor")
    enroll(user)
    login_verified(client, user)
    r = client.get("/console/account/")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    html = r.content.decode()
    assert "王小明" in html and "street_a.reviewer" in html
    roles = html.split('id="account-roles"', 1)[1].split("</ul>", 1)[0]
    assert "白杨街道总工会 · 审核员" in roles and "杭州甲科技有限公司工会 · 审计员" in roles
    assert "钱塘区总工会" not in roles  # only the user's own grants
    otp = html.split('id="account-otp"', 1)[1].split("</td>", 1)[0]
    assert "已绑定手机验证器" in otp and "备用验证码剩余 10 个" in otp
    assert 'id="account-backup"' in html  # new backup codes offered once an authenticator is bound
    # the console top bar links here, next to the user name
    assert 'href="/console/account/" id="my-account"' in client.get("/console/").content.decode()
    # an account without an authenticator (the local demo, second factor off): no backup-code section
    otp_required.LIANXIN_STAFF_OTP = "off"
    other = client.__class__()
    other.force_login(district.users["street_b.viewer"])
    html = other.get("/console/account/").content.decode()
    otp = html.split('id="account-otp"', 1)[1].split("</td>", 1)[0]
    assert "未绑定" in otp and "未启用二次验证" in otp and "LIANXIN_" not in otp and 'id="account-backup"' not in html


@pytest.mark.pg
@pytest.mark.django_db
def test_changing_the_password_keeps_this_session_and_signs_out_the_others(district, client, otp_required):
    user = district.users["base_a1.admin"]
    device = login_verified(client, user)
    elsewhere = client.__class__()
    login_verified(elsewhere, user, device)
    assert elsewhere.get("/console/").status_code == 200

    r = _change(client, PASSWORD, NEW, **EN)
    assert r.status_code == 302 and r.url == "/console/account/"
    follow = client.get(r.url)
    assert follow.status_code == 200 and "密码已修改" in follow.content.decode()
    assert client.get("/console/people/").status_code == 200  # this session: still signed in and verified
    # the other session ended (Django's session auth hash follows the password)
    r = elsewhere.get("/console/")
    assert r.status_code == 302 and r.url.startswith("/console/login/")
    assert SESSION_KEY not in elsewhere.session

    user.refresh_from_db()
    assert user.check_password(NEW) and not user.check_password(PASSWORD)
    entry = AuditEntry.objects.get(action="account.password_change")
    assert (entry.actor_id, entry.object_id, entry.org_path) == (user.pk, str(user.pk), district.base_a1.path)
    assert entry.detail == {"user": user.username, "was_temporary": False}
    assert PASSWORD not in str(entry.detail) and NEW not in str(entry.detail)

    fresh = client.__class__()
    assert password_login(fresh, user, PASSWORD).status_code == 200  # the old password: refused
    assert SESSION_KEY not in fresh.session
    assert password_login(fresh, user, NEW).status_code == 302  # the new one: the password step passes


@pytest.mark.pg
@pytest.mark.django_db
def test_a_wrong_current_password_is_refused_in_chinese_and_audited(district, client):
    user = district.users["street_b.reviewer"]
    client.force_login(user)
    r = _change(client, "not-my-password", NEW, **EN)
    assert r.status_code == 400
    html = r.content.decode()
    assert "当前密码不正确" in html and NEW not in html  # passwords are not echoed back into the form
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="account.password_change").exists()
    fail = AuditEntry.objects.get(action="account.password_change_fail")
    assert fail.object_id == str(user.pk) and fail.org_path == district.street_b.path
    assert client.get("/console/").status_code == 200  # still signed in


@pytest.mark.pg
@pytest.mark.django_db
@pytest.mark.parametrize(("new", "again", "message"), [
    ("Ab#1", None, "此密码太短，至少要包含 8 个字符。"),
    ("password", None, "这个密码太常见了。"),
    ("12345678", None, "这个密码太常见了。"),
    ("20261125", None, "密码只包含数字。"),
    ("street_a.viewer9", None, "太相似了"),  # the user's own user name
    (NEW, NEW + "x", "两次输入的新密码不一致"),
    (PASSWORD, None, "新密码不能与当前密码相同"),
    ("", "", "请输入新密码"),
    ("Lianxin\x00Secret9", None, "新密码不能包含空字符"),
    ("L" * 129 + "9#", None, "新密码不能超过 128 个字符"),
])
def test_new_passwords_that_fail_the_rules_are_refused_in_chinese(district, client, new, again, message):
    user = district.users["street_a.viewer"]
    client.force_login(user)
    r = _change(client, PASSWORD, new, again, **EN)
    assert r.status_code == 400
    assert message in r.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action__startswith="account.password_change").exists()


@pytest.mark.django_db
def test_the_service_names_the_field(district):
    user = district.users["fed.viewer"]
    with pytest.raises(ServiceError) as e:
        services.change_own_password(actor=user, current="", new=NEW)
    assert e.value.field == "current"
    with pytest.raises(ServiceError) as e:
        services.change_own_password(actor=user, current="wrong", new=NEW)
    assert (e.value.field, e.value.code) == ("current", "wrong_password")
    with pytest.raises(ServiceError) as e:
        services.change_own_password(actor=user, current=PASSWORD, new="short")
    assert (e.value.field, e.value.code) == ("new", "password_invalid")
    saved = services.change_own_password(actor=user, current=PASSWORD, new=NEW)
    assert saved.check_password(NEW) and not saved.must_change_password


@pytest.mark.django_db
def test_the_admin_password_form_leads_to_my_account(district, client, otp_required):
    """Django admin's own password-change form would change a password unaudited: it sends to 我的账号."""
    login_verified(client, district.users["fed.admin"])
    r = client.get("/admin/password_change/")
    assert r.status_code == 302 and r.url == "/console/account/"
    r = client.post("/admin/password_change/", {"old_password": PASSWORD, "new_password1": NEW,
                                                "new_password2": NEW})
    assert r.status_code == 302 and r.url == "/console/account/"
    district.users["fed.admin"].refresh_from_db()
    assert district.users["fed.admin"].check_password(PASSWORD)


@pytest.mark.django_db
def test_the_account_pages_need_a_staff_sign_in(district, client):
    r = client.get("/console/account/")
    assert r.status_code == 302 and r.url.startswith("/console/login/")
    r = _change(client, PASSWORD, NEW)
    assert r.status_code == 302 and r.url.startswith("/console/login/")

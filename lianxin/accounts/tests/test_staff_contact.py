"""A staff member's reminder number and choice on 我的账号: the number is proven with a one-time SMS code before
it is used, stored encrypted with a blind index and shown masked; SMS reminders need a verified number, WeChat
a bound openid; every change is audited with masked numbers only; every refusal is a Chinese message naming
its field. The pages: the same rules through /console/account/."""

import datetime as dt
import json

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.accounts import services
from lianxin.accounts.models import ContactCode, StaffContact
from lianxin.accounts.testing import opt_in, sent_contact_code
from lianxin.core import crypto
from lianxin.core.errors import ServiceError
from lianxin.core.models import AuditEntry, Notification
from lianxin.members.services import MOBILE_CTX, mobile_bidx

pytestmark = [pytest.mark.django_db, pytest.mark.pg]
PHONE = "13812345678"


def refused(fn, **kw) -> ServiceError:
    with pytest.raises(ServiceError) as e:
        fn(**kw)
    return e.value


def test_a_code_proves_the_number_which_is_then_stored_encrypted_and_masked(district):
    user = district.users["base_a1.reviewer"]
    assert services.request_contact_code(actor=user, mobile=" 138 1234 5678 ") == "138****5678"
    c = ContactCode.objects.get(user=user)
    assert PHONE not in c.mobile_cipher and crypto.decrypt(c.mobile_cipher, context=MOBILE_CTX) == PHONE
    sms = Notification.objects.get(dedupe_key=f"staff-contact-code:{c.pk}")
    assert sms.channel == "sms" and "工作提醒手机号" in sms.body
    code = sent_contact_code(user)
    assert not StaffContact.objects.filter(user=user, mobile_verified_at__isnull=False).exists()  # not before

    contact = services.confirm_contact_code(actor=user, code=code)
    contact.refresh_from_db()
    assert contact.mobile_masked == "138****5678" and contact.mobile_verified_at is not None
    assert PHONE not in contact.mobile_cipher
    assert crypto.decrypt(contact.mobile_cipher, context=MOBILE_CTX) == PHONE
    assert contact.mobile_bidx == mobile_bidx(PHONE)
    assert contact.notify_via == "inapp"  # proving a number does not by itself switch SMS on
    sms.refresh_from_db()
    assert code not in sms.body  # the used code's text is blanked in the outbox
    e = AuditEntry.objects.get(action="account.contact_mobile")
    assert e.detail == {"user": user.username, "mobile": "138****5678", "previous": None}
    # the code works once
    assert refused(services.confirm_contact_code, actor=user, code=code).message == "验证码已失效，请重新获取"


def test_wrong_codes_count_down_and_then_the_code_dies(district):
    user = district.users["base_a1.reviewer"]
    services.request_contact_code(actor=user, mobile=PHONE)
    code = sent_contact_code(user)
    wrong = "000000" if code != "000000" else "111111"
    msgs = [refused(services.confirm_contact_code, actor=user, code=wrong).message for _ in range(5)]
    assert msgs[:4] == [f"验证码不正确（还可尝试 {n} 次）" for n in (4, 3, 2, 1)]
    assert msgs[4] == "验证码错误次数过多，请重新获取"
    err = refused(services.confirm_contact_code, actor=user, code=code)
    assert err.message == "验证码已失效，请重新获取" and err.field == "code"
    assert not StaffContact.objects.filter(user=user, mobile_verified_at__isnull=False).exists()


def test_a_code_expires(district):
    user = district.users["base_a1.reviewer"]
    services.request_contact_code(actor=user, mobile=PHONE)
    later = timezone.now() + dt.timedelta(minutes=services.CONTACT_CODE_TTL_MINUTES, seconds=1)
    err = refused(services.confirm_contact_code, actor=user, code=sent_contact_code(user), now=later)
    assert err.message == "验证码已失效，请重新获取"


def test_only_the_latest_code_works_and_codes_are_per_account(district):
    a, b = district.users["base_a1.reviewer"], district.users["base_a1.admin"]
    services.request_contact_code(actor=a, mobile=PHONE)
    first = sent_contact_code(a)
    services.request_contact_code(actor=a, mobile="13812345679")
    second = sent_contact_code(a)
    if first != second:
        assert "验证码不正确" in refused(services.confirm_contact_code, actor=a, code=first).message
    # another account cannot use a's code
    assert refused(services.confirm_contact_code, actor=b, code=second).message == "验证码已失效，请重新获取"
    assert services.confirm_contact_code(actor=a, code=second).mobile_masked == "138****5679"


@pytest.mark.parametrize("raw,message", [
    ("", "手机号码不能为空"),
    ("12345", "手机号码“12345”不是有效的11位手机号"),
    ("10012345678", "手机号码“10012345678”不是有效的11位手机号"),
])
def test_bad_numbers_are_refused_in_chinese(district, raw, message):
    err = refused(services.request_contact_code, actor=district.users["base_a1.reviewer"], mobile=raw)
    assert err.message == message


def test_sending_codes_is_rate_limited(district):
    user = district.users["base_a1.reviewer"]
    services.request_contact_code(actor=user, mobile=PHONE)
    err = refused(services.request_contact_code, actor=user, mobile=PHONE)
    assert err.message.startswith("发送过于频繁，请") and err.field == "mobile"
    # per account as well: a console user cannot make the system text a list of strangers
    for i in range(services.CONTACT_SENDS_PER_ACCOUNT_HOUR - 1):
        services.request_contact_code(actor=user, mobile=f"1391111{i:04d}")
    err = refused(services.request_contact_code, actor=user, mobile="13922223333")
    assert err.message == "获取验证码过于频繁，请一小时后再试"


def test_choosing_sms_needs_a_verified_number_and_wechat_a_bound_openid(district):
    from lianxin.portal.models import WeChatIdentity

    user = district.users["base_a1.reviewer"]
    err = refused(services.set_notify_via, actor=user, via="sms")
    assert err.message == "请先填写并验证提醒手机号，再选择短信提醒" and err.field == "notify_via"
    err = refused(services.set_notify_via, actor=user, via="wechat")
    assert err.message == "您的账号尚未绑定微信，暂不能选择微信提醒，请选择短信提醒"
    assert refused(services.set_notify_via, actor=user, via="fax").message == "请选择有效的提醒方式"
    # a code requested but not confirmed is not enough
    services.request_contact_code(actor=user, mobile=PHONE)
    assert refused(services.set_notify_via, actor=user, via="sms").field == "notify_via"
    services.confirm_contact_code(actor=user, code=sent_contact_code(user))
    assert services.set_notify_via(actor=user, via="sms").notify_via == "sms"
    e = AuditEntry.objects.get(action="account.notify_via")
    assert e.detail == {"user": user.username, "from": "inapp", "to": "sms", "mobile": "138****5678"}
    WeChatIdentity.objects.create(openid="o-1", user=user)
    assert services.set_notify_via(actor=user, via="wechat").notify_via == "wechat"
    assert services.set_notify_via(actor=user, via="inapp").notify_via == "inapp"


def test_the_database_refuses_sms_without_a_verified_number(district):
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffContact.objects.create(user=district.users["base_a1.reviewer"], notify_via="sms")


def test_changing_and_removing_the_number_is_audited_without_plain_numbers(district):
    user = district.users["base_a1.reviewer"]
    opt_in(user, PHONE)
    err = refused(services.request_contact_code, actor=user, mobile=PHONE)
    assert err.message == "该手机号已验证，无需重复验证"
    services.request_contact_code(actor=user, mobile="13987654321")
    services.confirm_contact_code(actor=user, code=sent_contact_code(user))
    contact = StaffContact.objects.get(user=user)
    assert contact.mobile_masked == "139****4321" and contact.notify_via == "sms"  # the choice stays
    change = AuditEntry.objects.filter(action="account.contact_mobile").order_by("-seq").first()
    assert change.detail["previous"] == "138****5678" and change.detail["mobile"] == "139****4321"
    services.remove_contact_mobile(actor=user)
    contact.refresh_from_db()
    assert contact.notify_via == "inapp" and not contact.mobile_cipher and contact.mobile_verified_at is None
    assert AuditEntry.objects.get(action="account.contact_mobile_removed").detail["mobile"] == "139****4321"
    assert refused(services.remove_contact_mobile, actor=user).message == "尚未设置提醒手机号"
    everything = json.dumps(list(AuditEntry.objects.values("detail", "reason")), ensure_ascii=False)
    for plain in (PHONE, "13987654321"):
        assert plain not in everything
        assert not StaffContact.objects.filter(mobile_cipher__contains=plain).exists()
        assert not ContactCode.objects.filter(mobile_cipher__contains=plain).exists()
        assert not Notification.objects.filter(body__contains=plain).exists()


# ---------------------------------------------------------------- the pages


def test_the_account_page_flow(district, client):
    user = district.users["base_a1.reviewer"]
    client.force_login(user)
    page = client.get("/console/account/").content.decode()
    assert "工作提醒" in page and "您的账号未绑定微信，目前只能选择短信提醒。" in page
    assert 'value="wechat"' not in page

    r = client.post("/console/account/contact/code/", {"mobile": "12345"})
    assert r.status_code == 400 and "不是有效的11位手机号" in r.content.decode()
    r = client.post("/console/account/contact/notify/", {"notify_via": "sms"})
    assert r.status_code == 400 and "请先填写并验证提醒手机号" in r.content.decode()

    r = client.post("/console/account/contact/code/", {"mobile": PHONE}, follow=True)
    body = r.content.decode()
    assert "验证码已发送至 138****5678" in body and 'id="contact-code"' in body
    r = client.post("/console/account/contact/confirm/", {"code": "abc"})
    assert r.status_code == 400 and "验证码不正确（还可尝试 4 次）" in r.content.decode()
    r = client.post("/console/account/contact/confirm/", {"code": sent_contact_code(user)}, follow=True)
    body = r.content.decode()
    assert "提醒手机号 138****5678 已验证" in body and PHONE not in body
    r = client.post("/console/account/contact/notify/", {"notify_via": "sms"}, follow=True)
    assert "工作提醒方式已设为“站内消息+短信”" in r.content.decode()
    assert StaffContact.objects.get(user=user).notify_via == "sms"
    assert client.get("/console/account/contact/code/").status_code == 405


def test_members_cannot_reach_the_forms(district, client):
    from lianxin.accounts.models import User

    member = User.objects.create_user(username="m1", password="x")
    client.force_login(member)
    r = client.post("/console/account/contact/code/", {"mobile": PHONE})
    assert r.status_code in (302, 403)
    assert not ContactCode.objects.exists()

"""SMS sign-in: codes are sent through the outbox, hashed at rest, expire, are rate-limited per number and per
address, and lock after repeated failures; success signs in a user linked to the person with that mobile."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.activities.testing import make_member
from lianxin.core import notify
from lianxin.core.errors import ServiceError
from lianxin.core.testing import make_person
from lianxin.members.services import mobile_bidx
from lianxin.portal import services
from lianxin.portal.models import RateEvent, SmsCode

pytestmark = [pytest.mark.django_db, pytest.mark.pg]
PHONE = "13912345678"


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    notify.SENT_LOG.clear()

    def _send(mobile=PHONE, ip="10.0.0.1") -> str:
        with django_capture_on_commit_callbacks(execute=True):
            services.request_sms_code(mobile=mobile, ip=ip)
        msg = [m for m in notify.SENT_LOG if m["to"] == mobile][-1]
        return re.search(r"\d{6}", msg["body"]).group()

    return _send


def test_code_is_sent_hashed_and_signs_in_the_member(district, send):
    m = make_member(district.base_a1, "陈静", mobile_no=PHONE)
    code = send()
    row = SmsCode.objects.get()
    assert row.code_hash != code and code not in row.code_hash and len(row.code_hash) == 64
    assert row.mobile_bidx == mobile_bidx(PHONE)
    user = services.verify_sms_code(mobile=PHONE, code=code, ip="10.0.0.1")
    assert user == m.user
    with pytest.raises(ServiceError):  # single use
        services.verify_sms_code(mobile=PHONE, code=code, ip="10.0.0.1")


def test_person_without_user_gets_a_linked_user(district, send):
    p = make_person(district.base_a1, "周敏", mobile_no=PHONE)
    user = services.verify_sms_code(mobile=PHONE, code=send(), ip="1.1.1.1")
    assert user.person == p and user.display_name == "周敏" and not user.has_usable_password()


def test_unknown_worker_still_gets_a_user_without_person(district, send):
    user = services.verify_sms_code(mobile=PHONE, code=send(), ip="1.1.1.1")
    assert user.person is None
    # Signing in again later finds the same user, now linked once the roster has the person.
    p = make_person(district.base_a1, "新职工", mobile_no=PHONE)
    SmsCode.objects.update(used_at=timezone.now())
    RateEvent.objects.all().delete()
    again = services.verify_sms_code(mobile=PHONE, code=send(), ip="1.1.1.1")
    assert again.pk == user.pk and again.person == p


def test_wrong_codes_kill_the_code_then_lock_the_number(district, send):
    code = send()
    wrong = "000000" if code != "000000" else "111111"
    for _i in range(services.MAX_GUESSES):
        with pytest.raises(ServiceError) as e:
            services.verify_sms_code(mobile=PHONE, code=wrong, ip="10.0.0.2")
    assert "次数过多" in e.value.message
    with pytest.raises(ServiceError):  # the right code no longer works
        services.verify_sms_code(mobile=PHONE, code=code, ip="10.0.0.2")
    # Keep guessing with fresh codes until the number is locked; then even a correct code is refused.
    for _ in range(50):
        RateEvent.objects.filter(key__startswith="sms:").delete()
        try:
            services.verify_sms_code(mobile=PHONE, code=wrong, ip="10.0.0.2")
        except ServiceError as e:
            if e.code == "locked":
                break
    RateEvent.objects.filter(key__startswith="sms:").delete()
    with pytest.raises(ServiceError) as e:
        services.request_sms_code(mobile=PHONE, ip="10.0.0.3")
    assert e.value.code == "locked"
    assert services.count(f"smsfail:n:{mobile_bidx(PHONE)}", per=services.LOCK_WINDOW) == \
        services.FAILURES_PER_NUMBER


def test_expired_code_is_refused(district, send):
    code = send()
    SmsCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ServiceError) as e:
        services.verify_sms_code(mobile=PHONE, code=code, ip="10.0.0.1")
    assert "失效" in e.value.message


def test_resend_gap_and_hourly_limit_per_number(district, send):
    send()
    with pytest.raises(ServiceError) as e:
        send()
    assert e.value.code == "throttled" and "秒后" in e.value.message
    for _i in range(1, services.SENDS_PER_NUMBER_HOUR):
        RateEvent.objects.filter(key__startswith="sms:gap:").delete()
        send()
    RateEvent.objects.filter(key__startswith="sms:gap:").delete()
    with pytest.raises(ServiceError) as e:
        send()
    assert "一小时内" in e.value.message and "分钟后再试" in e.value.message
    assert SmsCode.objects.count() == services.SENDS_PER_NUMBER_HOUR


def test_limit_per_address(district, send):
    for i in range(services.SENDS_PER_IP_HOUR):
        send(mobile=f"1391000{i:04d}", ip="192.0.2.9")
    with pytest.raises(ServiceError) as e:
        send(mobile="13920000000", ip="192.0.2.9")
    assert "本网络" in e.value.message
    send(mobile="13920000000", ip="192.0.2.10")  # another address is not affected


def test_only_latest_code_works(district, send):
    first = send()
    RateEvent.objects.filter(key__startswith="sms:gap:").delete()
    second = send()
    if first != second:
        with pytest.raises(ServiceError):
            services.verify_sms_code(mobile=PHONE, code=first, ip="1.1.1.1")
    assert services.verify_sms_code(mobile=PHONE, code=second, ip="1.1.1.1")


def test_bad_mobile_is_a_chinese_error(district):
    with pytest.raises(ServiceError) as e:
        services.request_sms_code(mobile="12345", ip="1.1.1.1")
    assert "手机号" in e.value.message


def test_login_page_flow(client, district, django_capture_on_commit_callbacks):
    m = make_member(district.base_a1, "陈静", mobile_no=PHONE)
    notify.SENT_LOG.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/m/login/", {"mobile": PHONE, "action": "send", "next": "/m/card/"})
    assert r.status_code == 200 and "验证码已发送" in r.content.decode()
    code = re.search(r"\d{6}", notify.SENT_LOG[-1]["body"]).group()
    r = client.post("/m/login/", {"mobile": PHONE, "code": "999999" if code != "999999" else "888888",
                                  "action": "verify"})
    assert "验证码不正确" in r.content.decode()
    r = client.post("/m/login/", {"mobile": PHONE, "code": code, "action": "verify", "next": "/m/card/"})
    assert r.status_code == 302 and r["Location"] == "/m/card/"
    r = client.get("/m/card/")
    assert "陈静" in r.content.decode() and m.membership.member_no in r.content.decode()
    assert User.objects.filter(person=m.person).count() == 1


def test_open_redirect_is_refused(client, district, django_capture_on_commit_callbacks):
    notify.SENT_LOG.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/m/login/", {"mobile": PHONE, "action": "send"})
    code = re.search(r"\d{6}", notify.SENT_LOG[-1]["body"]).group()
    r = client.post("/m/login/", {"mobile": PHONE, "code": code, "action": "verify", "next": "//evil.example/"})
    assert r["Location"] == "/m/"


def test_cleanup_blanks_expired_codes_and_prunes_old_rows(district, send):
    from django.core.management import call_command

    from lianxin.core.models import Notification

    code = send()
    assert Notification.objects.filter(body__contains=code).exists()
    SmsCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1),
                           created_at=timezone.now() - dt.timedelta(days=2))
    RateEvent.objects.update(at=timezone.now() - dt.timedelta(days=2))
    call_command("portal_cleanup")
    assert not Notification.objects.filter(body__contains=code).exists()
    assert not SmsCode.objects.exists() and not RateEvent.objects.exists()

"""Staff accounts and role grants. Role changes are audited (DESIGN rule 3)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from lianxin.core import audit
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import ROLE_CHOICES, require

from .models import StaffRole, TemporaryPasswordExpired, User, temporary_password_hours


@transaction.atomic
def create_staff_user(*, actor, username: str, password: str, display_name: str = "") -> User:
    if User.objects.filter(username=username).exists():
        raise ServiceError("用户名已存在", field="username")
    user = User(username=username, display_name=display_name, is_staff=True)
    user.set_password(password)
    user.save()
    audit.record(actor=actor, action="user.create", obj=user, detail={"username": username})
    return user


@transaction.atomic
def grant_role(*, actor, user: User, organization, role: str) -> StaffRole:
    if role not in dict(ROLE_CHOICES):
        raise ServiceError("角色无效", field="role")
    if actor is not None:
        require(actor, "change", organization.path)
    grant, created = StaffRole.objects.get_or_create(user=user, organization=organization, role=role)
    if not grant.active:
        grant.active = True
        grant.save(update_fields=["active"])
    if not user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=True)
    audit.record(actor=actor, action="role.grant", obj=grant, org_path=organization.path,
                 detail={"user": user.username, "role": role})
    return grant


@transaction.atomic
def revoke_role(*, actor, grant: StaffRole) -> None:
    require(actor, "change", grant.organization.path)
    StaffRole.objects.filter(pk=grant.pk).update(active=False)
    audit.record(actor=actor, action="role.revoke", obj=grant, org_path=grant.organization.path,
                 detail={"user": grant.user.username, "role": grant.role})


# ------------------------------------------------------------------ staff second factor (django-otp)
#
# Enrolment: a staff account without a confirmed device gets one unconfirmed TOTP device (its secret is shown
# as a QR code and in base32); a current code confirms it and creates 10 single-use backup codes, returned
# once and never shown again (django-otp keeps them to compare, the page does not re-read them).
# Sign-in: a 6-digit TOTP code or a backup code. django-otp throttles every device exponentially after a
# failure (1, 2, 4, 8 … s; OTP_*_THROTTLE_FACTOR in settings). Failures are written to the audit log, so the
# user's administrators and auditors see guessing in /console/audit/.

BACKUP_CODES = 10
TOTP_NAME = "手机验证器"
BACKUP_NAME = "备用验证码"
WRONG_CODE = "验证码不正确或已过期"


def _staff_org_path(user) -> str:
    """Where a staff account's OTP events sit in the audit log: its highest active grant (so that grant's
    administrators and auditors see them); superusers without grants sit at the root ("")."""
    paths = sorted(StaffRole.objects.filter(user=user, active=True).values_list("organization__path", flat=True))
    return min(paths, key=len) if paths else ""


def _normalise_code(code: str) -> str:
    """Spaces, dashes and case do not matter, full-width digits (Chinese input methods) count as digits.
    Anything that cannot be a code (NUL bytes, symbols, 17+ characters) is refused before it reaches the
    database — it could match nothing anyway."""
    import re
    import unicodedata

    token = unicodedata.normalize("NFKC", str(code or ""))
    token = "".join(token.split()).replace("-", "").lower()
    if token and not re.fullmatch(r"[0-9a-z]{1,16}", token):
        raise ServiceError(WRONG_CODE, field="code", code="otp_wrong")
    return token


def begin_totp_enrollment(*, user: User):
    """The user's pending (unconfirmed) TOTP device, created on first use and kept across page reloads so a
    code scanned a minute ago still matches. Refused once a confirmed device exists: a second device is added
    only after an administrator's reset (a stolen password must not be enough to add one)."""
    from django_otp import user_has_device
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if user_has_device(user, confirmed=True):
        raise ServiceError("该账号已绑定验证器；如手机丢失，请联系上级管理员重置", code="otp_enrolled")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def totp_secret_base32(device) -> str:
    """The secret as people type it into an authenticator app: base32, in groups of four."""
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def _issue_backup_codes(device) -> list[str]:
    """BACKUP_CODES fresh single-use codes on the backup-code ``device``, returned once for the page."""
    from django_otp.plugins.otp_static.models import StaticToken

    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def confirm_totp_enrollment(*, user: User, code: str):
    """Confirm the pending device with a current code. Returns ``(device, backup_codes)``; the codes are
    shown once by the caller. A wrong code counts towards the device's throttle (kept even though this
    raises: the count is committed before the error)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    token = _normalise_code(code)
    if not (token.isascii() and token.isdigit() and len(token) == 6):
        raise ServiceError("请输入验证器上显示的 6 位数字", field="code")
    with transaction.atomic():
        device = (TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first())
        if device is None:
            raise ServiceError("没有待绑定的验证器，请刷新页面重新扫码", field="code")
        allowed, info = device.verify_is_allowed()
        ok = allowed and device.verify_token(token)  # a failure is saved on the device (throttle)
        if ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            StaticDevice.objects.filter(user=user).delete()
            codes = _issue_backup_codes(StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True))
            audit.record(actor=user, action="otp.enroll", obj=user, org_path=_staff_org_path(user),
                         detail={"user": user.username, "backup_codes": BACKUP_CODES})
            return device, codes
    _refused(user, allowed, info, [device], stage="enroll")


def verify_staff_code(*, user: User, code: str):
    """Check a TOTP code (6 digits) or a backup code (8 letters/digits, used up on success) against the
    user's confirmed devices and return the device that accepted it; the caller stores it in the session
    with ``django_otp.login``. While any of the user's devices is throttled every code is refused, so
    switching between the TOTP and the backup codes does not double an attacker's guesses."""
    from django_otp import devices_for_user
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    token = _normalise_code(code)
    if not token:
        raise ServiceError("请输入验证码", field="code")
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=True, for_verify=True))  # row locks: one use per code
        if not devices:
            raise ServiceError("该账号尚未绑定验证器", code="otp_not_enrolled")
        kind = TOTPDevice if (token.isdigit() and len(token) == 6) else StaticDevice  # ASCII after _normalise_code
        allowed, info, matched = _match_code(devices, [d for d in devices if isinstance(d, kind)], token)
        if matched is not None:
            audit.record(actor=user, action="otp.verify", obj=user, org_path=_staff_org_path(user),
                         detail={"user": user.username, "device": matched.persistent_id,
                                 "backup_code": isinstance(matched, StaticDevice)})
            return matched
    _refused(user, allowed, info, devices, stage="verify")


def _match_code(devices: list, candidates: list, token: str):
    """(allowed, throttle info, matching device or None) for ``token`` tried on ``candidates`` among the
    account's (row-locked) ``devices``. Throttling is the account's, not a device's: while any device is
    throttled nothing is tried; a failure is counted on every device (verify_token counted it on the ones it
    tried), a success clears every device's count."""
    blocked = [info for ok, info in (d.verify_is_allowed() for d in devices) if not ok]
    if blocked:
        return False, max(blocked, key=lambda i: i["locked_until"]), None
    matched = next((d for d in candidates if d.verify_token(token)), None)
    for d in devices:
        if matched is None and d not in candidates:
            d.throttle_increment(commit=True)
        elif matched is not None and d is not matched and d.throttling_failure_count:
            d.throttle_reset(commit=True)
    return True, None, matched


def _refused(user, allowed: bool, info, devices, *, stage: str):
    """Audit a refused code and raise the Chinese message: throttled (with the time to wait) or wrong."""
    failures = 0
    for d in devices:
        d.refresh_from_db(fields=["throttling_failure_count"])
        failures = max(failures, d.throttling_failure_count)
    audit.record(actor=user, action="otp.fail", obj=user, org_path=_staff_org_path(user),
                 detail={"user": user.username, "stage": stage, "throttled": not allowed, "failures": failures})
    if not allowed:
        wait = max(1, int((info["locked_until"] - timezone.now()).total_seconds() + 0.999))
        raise ServiceError(f"尝试过于频繁，请 {wait} 秒后再试（已连续失败 {info['failure_count']} 次）",
                           field="code", code="otp_throttled")
    raise ServiceError(f"{WRONG_CODE}（已连续失败 {failures} 次，失败越多需等待越久）", field="code",
                       code="otp_wrong")


def _require_reach_over_account(actor, user, *, platform_only: str, not_self: str) -> list[StaffRole]:
    """The one rule for acting on another staff member's sign-in (lost phone, forgotten password): the actor
    must be allowed to change every organisation the user holds an active grant in (a street administrator
    cannot touch a federation account); superusers and grant-less accounts are handled by superusers only; no
    one acts on their own account this way. Returns the user's active grants."""
    from lianxin.core.errors import PermissionDenied
    from lianxin.core.scoping import scope_for

    if getattr(actor, "pk", None) == user.pk:
        raise PermissionDenied(not_self)
    grants = list(StaffRole.objects.filter(user=user, active=True).select_related("organization"))
    if user.is_superuser or not grants:
        if not scope_for(actor).superuser:
            raise PermissionDenied(platform_only)
    for g in grants:
        require(actor, "change", g.organization.path, "该工作人员不在您的管理范围内")
    return grants


@transaction.atomic
def reset_staff_otp(*, actor, user: User, reason: str) -> int:
    """Remove a staff member's authenticator and backup codes (lost phone). They enrol again at their next
    sign-in, and any session verified with the removed devices stops being verified. Who may: see
    :func:`_require_reach_over_account`. Audited with the reason."""
    from django_otp import devices_for_user

    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写重置原因", field="reason")
    _require_reach_over_account(actor, user, platform_only="该账号的验证器只能由平台管理员重置",
                                not_self="不能重置自己的验证器，请联系上级管理员")
    devices = list(devices_for_user(user, confirmed=None))
    for d in devices:
        d.delete()
    audit.record(actor=actor, action="otp.reset", obj=user, org_path=_staff_org_path(user), reason=reason,
                 detail={"user": user.username, "devices": len(devices)})
    return len(devices)


def regenerate_backup_codes(*, actor: User, code: str) -> list[str]:
    """A fresh set of 10 backup codes for the actor's own account, the old ones all void. Needs a current
    code from the authenticator (not a backup code): someone who found an unlocked console must not be able to
    mint codes for later. The code is checked like the sign-in step (row locks, the account-wide throttle,
    failures audited as ``otp.fail``) and is spent. The backup-code device itself is kept, only its tokens
    change, so a session verified with a backup code stays verified. Returns the codes, shown once."""
    from django_otp import devices_for_user
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    token = _normalise_code(code)
    if not (token.isdigit() and len(token) == 6):
        raise ServiceError("请输入验证器上显示的 6 位数字（不能使用备用验证码）", field="code")
    with transaction.atomic():
        devices = list(devices_for_user(actor, confirmed=True, for_verify=True))
        totp = [d for d in devices if isinstance(d, TOTPDevice)]
        if not totp:
            raise ServiceError("尚未绑定手机验证器，无法生成备用验证码", code="otp_not_enrolled")
        allowed, info, matched = _match_code(devices, totp, token)
        if matched is not None:
            static = next((d for d in devices if isinstance(d, StaticDevice)), None)
            if static is None:
                static = StaticDevice.objects.create(user=actor, name=BACKUP_NAME, confirmed=True)
            voided, _ = StaticToken.objects.filter(device__user=actor).delete()
            codes = _issue_backup_codes(static)
            audit.record(actor=actor, action="account.backup_codes", obj=actor, org_path=_staff_org_path(actor),
                         detail={"user": actor.username, "backup_codes": BACKUP_CODES, "voided": voided})
            return codes
    _refused(actor, allowed, info, devices, stage="backup_codes")


# ------------------------------------------------------------------ passwords
#
# Staff change their own password on 我的账号 (/console/account/); an administrator gives a staff member who
# forgot theirs a temporary password, which the account must replace at its next sign-in (User.
# must_change_password, enforced by otp.StaffOTPMiddleware). Changing the password changes Django's session
# auth hash, so every other session of the account is signed out on its next request; the view keeps the
# current one with update_session_auth_hash. Passwords never reach the audit log.
# A temporary password expires LIANXIN_TEMP_PASSWORD_HOURS (default 72) after it was issued
# (User.temporary_password_issued_at): User.check_password then refuses it everywhere with a message telling the
# person to ask their administrator for a new one, audited as account.login_refused, and a session still
# signed in with it is ended by otp.StaffOTPMiddleware. A new temporary password restarts the clock; a
# password of the account's own clears it.

PASSWORD_MAX = 128
TEMP_PASSWORD_LENGTH = 12
TEMP_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I to misread


def _password_problems(password: str, user: User) -> list[str]:
    """Django's AUTH_PASSWORD_VALIDATORS, always in Chinese (the console is Chinese whatever language the
    browser asks for; LocaleMiddleware would otherwise pick English for an English browser)."""
    from django.contrib.auth import password_validation
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("zh-hans"):
        try:
            password_validation.validate_password(password, user)
        except ValidationError as e:
            return [str(m) for m in e.messages]
    return []


def change_own_password(*, actor: User, current: str, new: str) -> User:
    """Replace the actor's password after checking the current one and the password validators. Clears a
    temporary password's must-change flag. Returns the saved user (the caller passes it to
    update_session_auth_hash to keep its own session). A wrong current password is audited
    (``account.password_change_fail``) so guessing from an unattended console shows in the log."""
    current, new = str(current or ""), str(new or "")
    if not current:
        raise ServiceError("请输入当前密码", field="current")
    if not new:
        raise ServiceError("请输入新密码", field="new")
    if "\x00" in new:
        raise ServiceError("新密码不能包含空字符", field="new")
    if len(new) > PASSWORD_MAX:
        raise ServiceError(f"新密码不能超过 {PASSWORD_MAX} 个字符", field="new")
    expired = None
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        try:
            wrong = len(current) > PASSWORD_MAX or not user.check_password(current)
        except TemporaryPasswordExpired as e:  # audited by check_password; kept: this block commits
            wrong, expired = True, e
        if not wrong:
            if new == current:
                raise ServiceError("新密码不能与当前密码相同", field="new")
            problems = _password_problems(new, user)
            if problems:
                raise ServiceError(" ".join(problems), field="new", code="password_invalid")
            was_temporary = user.must_change_password
            user.set_password(new)
            user.must_change_password = False
            user.temporary_password_issued_at = None
            user.save(update_fields=["password", "must_change_password", "temporary_password_issued_at"])
            audit.record(actor=user, action="account.password_change", obj=user, org_path=_staff_org_path(user),
                         detail={"user": user.username, "was_temporary": was_temporary})
            return user
    if expired is not None:
        raise ServiceError(expired.messages[0], field="current", code="temporary_password_expired")
    audit.record(actor=actor, action="account.password_change_fail", obj=actor, org_path=_staff_org_path(actor),
                 detail={"user": actor.username})
    raise ServiceError("当前密码不正确", field="current", code="wrong_password")


def _temporary_password(user: User) -> str:
    import secrets

    while True:  # the validators pass at the first try in practice (12 random letters and digits)
        pw = "".join(secrets.choice(TEMP_PASSWORD_ALPHABET) for _ in range(TEMP_PASSWORD_LENGTH))
        if any(c.isdigit() for c in pw) and any(c.isalpha() for c in pw) and not _password_problems(pw, user):
            return pw


@transaction.atomic
def reset_staff_password(*, actor, user: User, reason: str) -> str:
    """Give a staff member who forgot their password a generated temporary one, returned once for the
    administrator to hand over in person or by phone. The account must change it at its next sign-in
    (must_change_password); its existing sessions end (the session auth hash changes); a login lockout
    (django-axes) of the account is lifted, since a forgotten password is the usual reason for one. The second
    factor is untouched: a temporary password alone still does not open a staff session. It expires
    LIANXIN_TEMP_PASSWORD_HOURS after now (a later reset replaces it and restarts the clock). Who may: the rule of
    reset_staff_otp (:func:`_require_reach_over_account`). Audited with the reason, never the password."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写重置原因", field="reason")
    grants = _require_reach_over_account(actor, user, platform_only="该账号的密码只能由平台管理员重置",
                                         not_self="不能在这里重置自己的密码，请在“我的账号”中修改")
    if not (user.is_superuser or user.is_staff or grants):
        raise ServiceError("只能重置工作人员账号的密码（会员使用短信验证码登录）", code="not_staff")
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.is_active:
        raise ServiceError("该账号已停用，不能重置密码", code="inactive")
    temporary = _temporary_password(locked)
    locked.set_password(temporary)
    locked.must_change_password = True
    locked.temporary_password_issued_at = timezone.now()  # a fresh one restarts the clock
    locked.save(update_fields=["password", "must_change_password", "temporary_password_issued_at"])
    from axes.utils import reset as axes_reset

    cleared = axes_reset(username=locked.get_username())
    audit.record(actor=actor, action="account.password_reset", obj=locked, org_path=_staff_org_path(locked),
                 reason=reason, detail={"user": locked.username, "lockouts_cleared": cleared,
                                        "expires_at": locked.temporary_password_expires_at.isoformat()})
    return temporary


def record_expired_temporary_password(*, user: User) -> None:
    """Audit a sign-in refused because the password given was the account's temporary password after it
    expired (called by User.check_password, the one place every password check passes; see there). Its own
    transaction, so the entry stays when the caller's sign-in fails. Never the password itself."""
    audit.record(actor=user, action="account.login_refused", obj=user, org_path=_staff_org_path(user),
                 detail={"user": user.username, "why": "temporary_password_expired",
                         "issued_at": user.temporary_password_issued_at.isoformat()
                         if user.temporary_password_issued_at else None,
                         "hours": temporary_password_hours()})


# ------------------------------------------------------------------ work reminders outside the console
#
# A staff member sets, on 我的账号, a mobile of their own and how they want to be told that applications wait
# for them: 仅站内消息 (the default), 站内消息+短信, or 站内消息+微信 when the account has a WeChat openid bound
# (portal.WeChatIdentity; console accounts normally have none — the portal binds openids to members' accounts).
# The mobile is proven with a one-time code sent to it (ContactCode: HMAC only, CONTACT_CODE_TTL, MAX_CONTACT_
# GUESSES wrong tries), under the portal's database rate limits (portal.services.take, a sliding log in
# RateEvent): per number the same keys as the portal's sign-in codes (one a minute, five an hour — the phone's
# owner is protected whichever page asks), and per account CONTACT_SENDS_PER_ACCOUNT_HOUR (a console user cannot
# make the system text strangers). Changes of number and of choice are audited with the masked number only.
#
# Reminders: another app (workflow) records what to tell (:func:`add_staff_alerts`, in its own transaction,
# once per user and key) and asks for it to be sent (:func:`send_staff_alerts`). Sending locks the user's
# StaffContact row, so whichever process gets there first sends, and at most one reminder goes out per
# LIANXIN_STAFF_SMS_MINUTES (default 30); what arrives in between is summarised by one reminder when the gap
# is over (``next_send_at``), and nothing is sent in quiet hours (22:00–07:00 Asia/Shanghai): it waits until
# 07:00. The waiting reminder is sent by :func:`due_staff_alert_users`' caller (a task run at that time, and the
# sweep; see workflow.services.send_due_reviewer_reminders).

CONTACT_CODE_TTL_MINUTES = 10
MAX_CONTACT_GUESSES = 5
CONTACT_SENDS_PER_ACCOUNT_HOUR = 10
QUIET_START_HOUR, QUIET_END_HOUR = 22, 7  # local time (Asia/Shanghai); [22:00, 07:00) is quiet


def staff_sms_minutes() -> int:
    """The least gap between two reminders to one person (settings.LIANXIN_STAFF_SMS_MINUTES, read per call so
    tests can change it)."""
    from django.conf import settings

    return int(getattr(settings, "LIANXIN_STAFF_SMS_MINUTES", 30))


def _contact_code_hash(user_id: int, bidx: str, code: str) -> str:
    import hashlib
    import hmac

    from django.conf import settings

    key = hashlib.sha256(("lianxin.staff-contact:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, f"{user_id}:{bidx}:{code}".encode(), hashlib.sha256).hexdigest()


def _contact_code_body(code: str) -> str:
    return f"【连心】您正在设置工作提醒手机号，验证码 {code}，{CONTACT_CODE_TTL_MINUTES}分钟内有效。如非本人操作请忽略。"


def _scrub_contact_codes(code_ids) -> None:
    """Once a code is dead (used, superseded, guessed out) its text in the outbox is blanked, so the plain code
    does not stay at rest beside its hash (as the portal does for sign-in codes)."""
    from lianxin.core.models import Notification

    if code_ids:
        Notification.objects.filter(dedupe_key__in=[f"staff-contact-code:{pk}" for pk in code_ids]).update(
            body="【连心】工作提醒手机号验证码（已失效）")


def wechat_openid(user) -> str:
    """The WeChat openid bound to this account (the newest), or "" — console accounts normally have none."""
    from lianxin.portal.models import WeChatIdentity

    return WeChatIdentity.objects.filter(user=user).order_by("-id").values_list("openid", flat=True).first() or ""


def request_contact_code(*, actor: User, mobile, now=None):
    """Send a one-time code to the mobile the staff member wants reminders on; the number is kept (encrypted)
    with the code until it is confirmed. Returns the masked number for the page."""
    import datetime as dt
    import secrets

    from lianxin.core import crypto, notify
    from lianxin.core.idnumbers import mask_mobile, parse_mobile
    from lianxin.members.services import MOBILE_CTX, mobile_bidx
    from lianxin.portal.services import take, take_number_send

    from .models import ContactCode, StaffContact

    if not getattr(actor, "pk", None):
        raise PermissionDenied("请先登录")
    phone = parse_mobile(mobile, field="手机号码")
    bidx = mobile_bidx(phone)
    now = now or timezone.now()
    current = StaffContact.objects.filter(user=actor).first()
    if current is not None and current.mobile_bidx == bidx and current.mobile_verified_at is not None:
        raise ServiceError("该手机号已验证，无需重复验证", field="mobile", code="already_verified")
    with transaction.atomic():
        if not take(f"staffsms:user:{actor.pk}", limit=CONTACT_SENDS_PER_ACCOUNT_HOUR, per=dt.timedelta(hours=1),
                    now=now):
            raise ServiceError("获取验证码过于频繁，请一小时后再试", field="mobile", code="throttled")
        take_number_send(bidx, now=now)  # the number's own limits, shared with the portal's sign-in codes
        old = list(ContactCode.objects.filter(user=actor, used_at__isnull=True).values_list("pk", flat=True))
        ContactCode.objects.filter(pk__in=old).update(used_at=now)  # only the latest code works
        _scrub_contact_codes(old)
        code = f"{secrets.randbelow(1_000_000):06d}"
        c = ContactCode.objects.create(
            user=actor, mobile_cipher=crypto.encrypt(phone, context=MOBILE_CTX), mobile_bidx=bidx,
            mobile_masked=mask_mobile(phone), code_hash=_contact_code_hash(actor.pk, bidx, code), created_at=now,
            expires_at=now + dt.timedelta(minutes=CONTACT_CODE_TTL_MINUTES))
        notify.enqueue(channel="sms", recipient=phone, template="staff_contact_code", title="工作提醒手机号验证码",
                       body=_contact_code_body(code), dedupe_key=f"staff-contact-code:{c.pk}")
    return c.mobile_masked


def confirm_contact_code(*, actor: User, code: str, now=None):
    """Check the code sent by :func:`request_contact_code`; on success the number becomes the account's
    reminder number (replacing an earlier one; the chosen way of reminding stays). Audited
    ``account.contact_mobile`` with masked numbers only. Returns the StaffContact."""
    import hmac

    from lianxin.portal.services import spend_guess

    from .models import ContactCode, StaffContact

    now = now or timezone.now()
    token = "".join(str(code or "").split())
    problem = ""
    with transaction.atomic():
        c = (ContactCode.objects.select_for_update().filter(user=actor, used_at__isnull=True, expires_at__gt=now)
             .order_by("-id").first())
        if c is None:
            raise ServiceError("验证码已失效，请重新获取", field="code", code="expired")
        if not (len(token) == 6 and token.isascii() and token.isdigit()
                and hmac.compare_digest(_contact_code_hash(actor.pk, c.mobile_bidx, token), c.code_hash)):
            problem = spend_guess(c, max_guesses=MAX_CONTACT_GUESSES, now=now)
            if c.used_at:
                _scrub_contact_codes([c.pk])
        else:
            c.used_at = now
            c.save(update_fields=["used_at"])
            _scrub_contact_codes([c.pk])
            contact, _ = StaffContact.objects.select_for_update().get_or_create(user=actor)
            previous = contact.mobile_masked if contact.mobile_verified_at else ""
            contact.mobile_cipher, contact.mobile_bidx = c.mobile_cipher, c.mobile_bidx
            contact.mobile_masked, contact.mobile_verified_at = c.mobile_masked, now
            contact.save(update_fields=["mobile_cipher", "mobile_bidx", "mobile_masked", "mobile_verified_at",
                                        "updated_at"])
            audit.record(actor=actor, action="account.contact_mobile", obj=actor, org_path=_staff_org_path(actor),
                         detail={"user": actor.username, "mobile": c.mobile_masked, "previous": previous or None})
            return contact
    raise ServiceError(problem, field="code", code="bad_code")


def set_notify_via(*, actor: User, via: str):
    """Choose how work reminders reach the actor: 仅站内消息, 站内消息+短信 (needs a verified mobile) or
    站内消息+微信 (needs a bound WeChat openid). Audited ``account.notify_via``. Returns the StaffContact."""
    from .models import NotifyVia, StaffContact

    if via not in NotifyVia.values:
        raise ServiceError("请选择有效的提醒方式", field="notify_via")
    with transaction.atomic():
        contact, _ = StaffContact.objects.select_for_update().get_or_create(user=actor)
        if via == NotifyVia.SMS and not (contact.mobile_verified_at and contact.mobile_cipher):
            raise ServiceError("请先填写并验证提醒手机号，再选择短信提醒", field="notify_via", code="no_mobile")
        if via == NotifyVia.WECHAT and not wechat_openid(actor):
            raise ServiceError("您的账号尚未绑定微信，暂不能选择微信提醒，请选择短信提醒", field="notify_via",
                               code="no_wechat")
        before = contact.notify_via
        if before == via:
            return contact
        contact.notify_via = via
        if via == NotifyVia.INAPP:
            contact.next_send_at = None  # nothing more leaves the console
        contact.save(update_fields=["notify_via", "next_send_at", "updated_at"])
        audit.record(actor=actor, action="account.notify_via", obj=actor, org_path=_staff_org_path(actor),
                     detail={"user": actor.username, "from": before, "to": via,
                             "mobile": contact.mobile_masked or None})
    return contact


def remove_contact_mobile(*, actor: User):
    """Forget the reminder number (and stop SMS reminders: back to 仅站内消息 when SMS was chosen). Audited."""
    from .models import NotifyVia, StaffContact

    with transaction.atomic():
        contact = StaffContact.objects.select_for_update().filter(user=actor).first()
        if contact is None or not contact.mobile_cipher:
            raise ServiceError("尚未设置提醒手机号", field="mobile", code="no_mobile")
        masked, via = contact.mobile_masked, contact.notify_via
        contact.mobile_cipher = contact.mobile_bidx = contact.mobile_masked = ""
        contact.mobile_verified_at = None
        if via == NotifyVia.SMS:
            contact.notify_via, contact.next_send_at = NotifyVia.INAPP, None
        contact.save()
        audit.record(actor=actor, action="account.contact_mobile_removed", obj=actor,
                     org_path=_staff_org_path(actor),
                     detail={"user": actor.username, "mobile": masked, "notify_via": contact.notify_via})
    return contact


def _external_contacts(user_ids):
    """{user id: StaffContact} of the users who chose a reminder outside the console and can receive it."""
    from .models import NotifyVia, StaffContact

    rows = StaffContact.objects.filter(user_id__in=list(user_ids), user__is_active=True,
                                       notify_via__in=[NotifyVia.SMS, NotifyVia.WECHAT])
    return {c.user_id: c for c in rows}


def add_staff_alerts(*, user_ids, key: str, kind: str, label: str, ref=None, now=None) -> list[int]:
    """Record, in the caller's transaction, that each of these users who opted in to reminders outside the
    console is to be told about ``key`` (once per user and key: a repeated call adds nothing). ``label`` is a
    programme name — never personal data. Returns the ids of the users who opted in."""
    from .models import StaffAlert

    now = now or timezone.now()
    opted = sorted(_external_contacts(user_ids))
    if opted:
        StaffAlert.objects.bulk_create(
            [StaffAlert(user_id=uid, key=key[:120], kind=kind, label=label[:50], ref=ref, created_at=now)
             for uid in opted], ignore_conflicts=True)
    return opted


def is_quiet(now) -> bool:
    local = timezone.localtime(now)
    return local.hour >= QUIET_START_HOUR or local.hour < QUIET_END_HOUR


def quiet_end(now):
    """The next 07:00 local time at or after ``now`` (``now`` itself outside quiet hours)."""
    import datetime as dt

    if not is_quiet(now):
        return now
    local = timezone.localtime(now)
    day = local.date() + dt.timedelta(days=1) if local.hour >= QUIET_START_HOUR else local.date()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(QUIET_END_HOUR)), local.tzinfo)


def send_staff_alerts(*, user_id: int, still_open, compose, template: str, now=None):
    """Send the user's waiting alerts as one reminder, if the throttle and quiet hours allow it now; otherwise
    make sure one is due at the earliest moment they do (``next_send_at``). Returns ``(notification or None,
    due_at or None)``: ``due_at`` only when a new time was set, and the caller then asks for a run at that time
    (a task with ``run_after``; the sweep of :func:`due_staff_alert_users` catches any run that was lost).

    ``still_open(alerts) -> set of alert ids`` says which alerts still matter (a step decided meanwhile needs no
    reminder); ``compose(alerts) -> (title, body)`` writes the text. The user's StaffContact row is locked
    first (``select_for_update``): concurrent senders for one user queue on it, so each sees the previous
    one's ``last_sent_at`` and the gap holds across processes."""
    import datetime as dt

    from lianxin.core import crypto, notify
    from lianxin.members.services import MOBILE_CTX

    from .models import NotifyVia, StaffAlert, StaffContact

    now = now or timezone.now()
    with transaction.atomic():
        contact = StaffContact.objects.select_for_update().filter(user_id=user_id).first()
        if contact is None:
            return None, None
        waiting = StaffAlert.objects.filter(user_id=user_id, sent_at__isnull=True)
        if contact.notify_via not in (NotifyVia.SMS, NotifyVia.WECHAT) or not contact.user.is_active:
            waiting.update(sent_at=now, batch=0)  # opted out since: nothing leaves the console
            StaffContact.objects.filter(pk=contact.pk).update(next_send_at=None)
            return None, None
        alerts = list(waiting.order_by("id"))
        keep = still_open(alerts) if alerts else set()
        dropped = [a.pk for a in alerts if a.pk not in keep]
        if dropped:
            StaffAlert.objects.filter(pk__in=dropped).update(sent_at=now, batch=0)
        alerts = [a for a in alerts if a.pk in keep]
        if not alerts:
            StaffContact.objects.filter(pk=contact.pk).update(next_send_at=None)
            return None, None
        due = now
        if contact.last_sent_at is not None:
            due = max(due, contact.last_sent_at + dt.timedelta(minutes=staff_sms_minutes()))
        due = quiet_end(due)
        if due > now:
            if contact.next_send_at == due:  # already due then (and a run already asked for)
                return None, None
            StaffContact.objects.filter(pk=contact.pk).update(next_send_at=due)
            return None, due
        recipient = (crypto.decrypt(contact.mobile_cipher, context=MOBILE_CTX)
                     if contact.notify_via == NotifyVia.SMS else wechat_openid(contact.user))
        if not recipient:  # WeChat unbound since it was chosen: nothing can be sent
            StaffAlert.objects.filter(pk__in=[a.pk for a in alerts]).update(sent_at=now, batch=0)
            StaffContact.objects.filter(pk=contact.pk).update(next_send_at=None)
            return None, None
        title, body = compose(alerts)
        batch = contact.sent_count + 1
        n = notify.enqueue(channel=contact.notify_via, recipient=recipient, user=contact.user, template=template,
                           title=title, body=body, dedupe_key=f"staff-reminder:{user_id}:{batch}",
                           context={"alerts": len(alerts)})
        StaffAlert.objects.filter(pk__in=[a.pk for a in alerts]).update(sent_at=now, batch=batch)
        StaffContact.objects.filter(pk=contact.pk).update(last_sent_at=now, next_send_at=None, sent_count=batch)
        return n, None


def due_staff_alert_users(*, now=None, limit: int = 1000) -> list[int]:
    """Users whose summarising reminder is due (``next_send_at`` passed), for the sweep."""
    from .models import StaffContact

    now = now or timezone.now()
    return list(StaffContact.objects.filter(next_send_at__isnull=False, next_send_at__lte=now)
                .order_by("next_send_at").values_list("user_id", flat=True)[:limit])


def rotate_contact_keys(*, batch: int = 2000) -> int:
    """Re-seal staff reminder numbers (and numbers waiting for their code) under the active field key
    (``manage.py rotate_field_keys``). Returns how many ciphertexts were rewritten."""
    from lianxin.core import crypto
    from lianxin.members.services import MOBILE_CTX

    from .models import ContactCode, StaffContact

    return (crypto.rotate_column(StaffContact.objects.all(), "mobile_cipher", context=MOBILE_CTX, batch=batch)
            + crypto.rotate_column(ContactCode.objects.all(), "mobile_cipher", context=MOBILE_CTX, batch=batch))


def purge_staff_contact_records(*, now=None, alert_days: int = 30) -> tuple[int, int]:
    """Delete what reminders no longer need: verification codes a day after they expired (they hold an
    encrypted number someone typed, perhaps never confirmed) and reminder records ``alert_days`` after they
    were sent or dropped. Returns (codes, alerts) deleted. Run by ``manage.py reviewer_reminders``."""
    import datetime as dt

    from .models import ContactCode, StaffAlert

    now = now or timezone.now()
    codes, _ = ContactCode.objects.filter(expires_at__lt=now - dt.timedelta(days=1)).delete()
    alerts, _ = StaffAlert.objects.filter(sent_at__lt=now - dt.timedelta(days=alert_days)).delete()
    return codes, alerts
